import { IConstruct } from 'constructs';

// constructs' metadata travels with the construct tree, so a warning added anywhere reaches
// whoever synthesizes the app (the CLI prints them) without a global registry
const WARNING = 'cdk8s-microservices:warning';

/** Records a warning about a construct: valid output, but the user should know something. */
export function addWarning(scope: IConstruct, message: string): void {
  scope.node.addMetadata(WARNING, message);
}

/**
 * Records warnings that depend on what is added to the app later (connections made after the
 * construct): `messages` is asked each time the warnings are read, so they are always current.
 */
export function addWarnings(scope: IConstruct, messages: () => readonly string[]): void {
  scope.node.addMetadata(WARNING, messages);
}

// the messages of one warning entry: a message, or the current messages of addWarnings()
function messagesOf(data: unknown): string[] {
  return typeof data === 'function' ? [...(data as () => readonly string[])()] : [String(data)];
}

/** Every warning in the tree under `root`, as `[path] message`, in tree order. */
export function warningsOf(root: IConstruct): string[] {
  return warningEntriesOf(root).map(w => `[${w.path}] ${w.message}`);
}

/** Every warning in the tree under `root` with the path of the construct it is about, in tree order. */
export function warningEntriesOf(root: IConstruct): Array<{ path: string; message: string }> {
  return root.node.findAll().flatMap(c => c.node.metadata.filter(m => m.type === WARNING).flatMap(m => messagesOf(m.data).map(message => ({ path: c.node.path, message }))));
}
