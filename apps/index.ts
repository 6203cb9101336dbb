import { Construct } from 'constructs';
import { AppContext, MicroserviceApp } from 'cdk8s-microservices';
import { buildAppService } from './app-service';
import { buildBankOfAnthos } from './bank-of-anthos';
import { buildBookstore } from './bookstore';
import { buildHelloWorld } from './hello-world';
import { buildInventory } from './inventory';
import { buildMyapp } from './myapp';
import { buildShop, buildShopMesh } from './shop';
import { buildShopDelivery } from './shop-delivery';

/** Every example app, by name. The tests build each; `npm run synth` writes DIST_APPS into dist/. */
export const EXAMPLE_APPS: Record<string, (scope: Construct, context?: AppContext) => MicroserviceApp> = {
  'app-service': buildAppService,
  'bank-of-anthos': buildBankOfAnthos,
  'bookstore': buildBookstore,
  'hello-world': buildHelloWorld,
  'inventory': buildInventory,
  'myapp': buildMyapp,
  'shop': buildShop,
  'shop-mesh': buildShopMesh,
  'shop-delivery': buildShopDelivery,
};

/**
 * Example apps dist/ does not hold, and why. CI judges dist/ with ../shared/tools/check-manifests
 * and `cdk8s-ms validate`; an app kept out of it is still built, snapshotted and validated by
 * the tests. None today.
 */
export const NOT_IN_DIST: Record<string, string> = {};

/** The example apps `npm run synth` writes into dist/. */
export const DIST_APPS: string[] = Object.keys(EXAMPLE_APPS).filter(name => !(name in NOT_IN_DIST));

/** Builds the example apps of dist/ into the scope. */
export function buildExamples(scope: Construct, context: AppContext = {}): MicroserviceApp[] {
  return DIST_APPS.map(name => EXAMPLE_APPS[name](scope, context));
}

/** The app file contract of `cdk8s-ms`: `cdk8s-ms synth --app apps/index.ts --env dev`. */
export function build(scope: Construct, context: AppContext): void {
  buildExamples(scope, context);
}
