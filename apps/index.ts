import { Construct } from 'constructs';
import { AppContext, MicroserviceApp } from 'cdk8s-microservices';
import { buildAppService } from './app-service';
import { buildHelloWorld } from './hello-world';
import { buildMyapp } from './myapp';
import { buildShop, buildShopMesh } from './shop';

/** Every example app, by name: what `npm run synth` writes into dist/. */
export const EXAMPLE_APPS: Record<string, (scope: Construct, context?: AppContext) => MicroserviceApp> = {
  'app-service': buildAppService,
  'hello-world': buildHelloWorld,
  'myapp': buildMyapp,
  'shop': buildShop,
  'shop-mesh': buildShopMesh,
};

/** Builds every example app into the scope. */
export function buildExamples(scope: Construct, context: AppContext = {}): MicroserviceApp[] {
  return Object.values(EXAMPLE_APPS).map(build => build(scope, context));
}

/** The app file contract of `cdk8s-ms`: `cdk8s-ms synth --app apps/index.ts --env dev`. */
export function build(scope: Construct, context: AppContext): void {
  buildExamples(scope, context);
}
