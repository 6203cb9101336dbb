import * as path from 'node:path';
import { App } from 'cdk8s';
import { Construct } from 'constructs';
import { MicroserviceApp } from '../microservice-app';

/** What an app file's build function is told. */
export interface AppContext {
  /** The environment being synthesized (`dev`, `prod`, ...), or undefined for the default. */
  readonly env?: string;
}

/** An app file exports `build` (or a default export) of this type. */
export type AppBuilder = (scope: Construct, context: AppContext) => unknown;

/** The default app file, relative to the working directory. */
export const DEFAULT_APP_FILE = 'apps/index.ts';

/** A problem with the command line or the app file: the CLI prints it and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Loads an app file and returns its build function. TypeScript files are transpiled on the fly. */
export function loadBuilder(file: string): AppBuilder {
  const resolved = path.resolve(file);
  if (/\.tsx?$/.test(resolved)) registerTypeScript();
  let mod: any;
  try {
    mod = require(resolved);
  } catch (e: any) {
    if (e?.code === 'MODULE_NOT_FOUND' && String(e.message).includes(resolved)) throw new UsageError(`app file ${file} not found`);
    throw e;
  }
  const build = mod.build ?? mod.default;
  if (typeof build !== 'function') {
    throw new UsageError(`app file ${file} must export a function 'build(scope, { env })' (or a default export) that creates MicroserviceApps in scope`);
  }
  return build;
}

/** Builds the apps of one environment into a fresh cdk8s App (nothing is written). */
export function buildApps(build: AppBuilder, env?: string): MicroserviceApp[] {
  const app = new App({ outdir: path.join('/nonexistent', 'unused') });
  build(app, { env });
  const apps = app.charts.filter((c): c is MicroserviceApp => c instanceof MicroserviceApp);
  if (apps.length === 0) throw new UsageError('the app file created no MicroserviceApp');
  return apps;
}

let registered = false;
// type checking belongs to the test step (tsc --noEmit): synthesis only transpiles
function registerTypeScript(): void {
  if (registered || (require.extensions as any)['.ts']) return;
  registered = true;
  require('ts-node').register({ transpileOnly: true, compilerOptions: { module: 'commonjs' } });
}
