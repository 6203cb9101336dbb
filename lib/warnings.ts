import { IConstruct } from 'constructs';

// constructs' metadata travels with the construct tree, so a warning added anywhere reaches
// whoever synthesizes the app (the CLI prints them) without a global registry
const WARNING = 'cdk8s-microservices:warning';

/** Records a warning about a construct: valid output, but the user should know something. */
export function addWarning(scope: IConstruct, message: string): void {
  scope.node.addMetadata(WARNING, message);
}

/** Every warning in the tree under `root`, as `[path] message`, in tree order. */
export function warningsOf(root: IConstruct): string[] {
  return root.node.findAll().flatMap(c => c.node.metadata.filter(m => m.type === WARNING).map(m => `[${c.node.path}] ${m.data}`));
}

/** Every warning in the tree under `root` with the path of the construct it is about, in tree order. */
export function warningEntriesOf(root: IConstruct): Array<{ path: string; message: string }> {
  return root.node.findAll().flatMap(c => c.node.metadata.filter(m => m.type === WARNING).map(m => ({ path: c.node.path, message: String(m.data) })));
}
