import { App } from 'cdk8s';
import { IConstruct } from 'constructs';
import { MicroserviceConfigError } from '../errors';

/**
 * cdk8s is a peer dependency: the project's copy must be the one this package uses. With two
 * copies (another version nested under this package), the App renders our objects' tokens with
 * a resolver that does not know them, and fails deep inside cdk8s ("can't render non-simple
 * object of type 'Lazy'") with nothing pointing at the cause: say it here instead.
 */
export function checkOneCdk8s(path: string, scope: IConstruct): void {
  const root = scope.node.root;
  if (root instanceof App || root.constructor.name !== 'App') return;
  throw new MicroserviceConfigError(path, `the cdk8s App comes from another copy of cdk8s than the one cdk8s-microservices loads (${require.resolve('cdk8s')}): cdk8s is a peer dependency, so the project must have exactly one; 'npm ls cdk8s' shows the copies, and one 'cdk8s' version in package.json with 'npm dedupe' fixes it`);
}
