import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'cdk8s';
import { Construct } from 'constructs';
import { MicroserviceApp } from '../../constructs/microservice-app';
import { PACKAGE_ROOT } from '../package-root';
import { registerTranspiler } from './transpile-cache';

/** What an app file's build function is told. */
export interface AppContext {
  /** The environment being synthesized (`dev`, `prod`, ...), or undefined for the default. */
  readonly env?: string;
}

/** An app file exports `build` (or a default export) of this type. */
export type AppBuilder = (scope: Construct, context: AppContext) => unknown;

/**
 * The app files tried, in order, when `--app` is not given: `apps.ts` beside the project's
 * `main.ts` (what the README shows), then `apps/index.ts` (this repository's layout).
 */
export const DEFAULT_APP_FILES = ['apps.ts', path.join('apps', 'index.ts')];

/** A problem with the command line or the app file: the CLI prints it and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The app file to load: `--app`, or the first default that exists. */
export function appFileOf(option: string | undefined): string {
  if (option) return option;
  const found = DEFAULT_APP_FILES.find(f => fs.existsSync(f));
  if (!found) throw new UsageError(`no app file: pass --app FILE (tried ${DEFAULT_APP_FILES.join(', ')} in ${process.cwd()})`);
  return found;
}

/** Loads an app file and returns its build function. TypeScript files are transpiled on the fly. */
export function loadBuilder(file: string): AppBuilder {
  const resolved = path.resolve(file);
  if (!fs.existsSync(resolved)) throw new UsageError(`app file ${file} not found`);
  if (isTypeScript(resolved)) registerTypeScript(resolved);
  let mod: any;
  try {
    mod = require(resolved);
  } catch (e) {
    throw loadError(e, file);
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
  if (apps.length === 0) {
    const foreign = app.charts.find(c => c.constructor.name === 'MicroserviceApp');
    if (foreign) {
      // the app file's 'cdk8s-microservices' is not the copy this command runs
      throw new UsageError(`the app file's cdk8s-microservices is another copy than this cdk8s-ms (${PACKAGE_ROOT}): run the project's own 'npx cdk8s-ms', and check 'npm ls cdk8s-microservices' shows one copy`);
    }
    throw new UsageError('the app file created no MicroserviceApp');
  }
  return apps;
}

/**
 * Where in the user's files an error was thrown: the first stack frame outside node's own
 * modules, node_modules and this package's code (with source maps, a line of the .ts file).
 */
export function userFrame(e: unknown): string | undefined {
  const stack = (e as Error | undefined)?.stack;
  if (typeof stack !== 'string') return undefined;
  const ours = [path.join(PACKAGE_ROOT, 'build') + path.sep, path.join(PACKAGE_ROOT, 'lib') + path.sep];
  for (const line of stack.split('\n').slice(1)) {
    const m = /^\s+at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/.exec(line);
    if (!m) continue;
    const file = m[1].replace(/^file:\/\//, '');
    if (!path.isAbsolute(file) || file.includes(`${path.sep}node_modules${path.sep}`) || ours.some(o => file.startsWith(o))) continue;
    return `${path.relative(process.cwd(), file) || file}:${m[2]}:${m[3]}`;
  }
  return undefined;
}

const isTypeScript = (file: string) => /\.[cm]?tsx?$/.test(file);

/** A module the app file (or a file it imports) requires is missing: name it, and how to get it. */
function loadError(e: unknown, file: string): unknown {
  const err = e as { code?: string; message?: string; requireStack?: string[] };
  if (err?.code !== 'MODULE_NOT_FOUND') return e;
  const missing = /Cannot find module '([^']+)'/.exec(String(err.message))?.[1] ?? '?';
  const from = err.requireStack?.[0];
  const where = from ? ` (imported by ${path.relative(process.cwd(), from) || from})` : '';
  const isPackage = !missing.startsWith('.') && !path.isAbsolute(missing);
  const pkg = missing.startsWith('@') ? missing.split('/').slice(0, 2).join('/') : missing.split('/')[0];
  const fix = isPackage ? `install it in the project: npm install ${pkg}` : 'check the path of the import';
  return new UsageError(`app file ${file}: cannot find module '${missing}'${where}: ${fix}`);
}

/** The nearest `name` at or above `dir`, or undefined. */
function findUp(dir: string, name: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    const candidate = path.join(d, name);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(d) === d) return undefined;
  }
}

/** The project's own `typescript`: where the app file is, then where the command runs, then ours. */
export function resolveTypeScript(appFile: string): string {
  for (const from of [path.dirname(appFile), process.cwd(), __dirname]) {
    try {
      return require.resolve('typescript', { paths: [from] });
    } catch {
      // not installed there
    }
  }
  throw new UsageError(`app file ${path.relative(process.cwd(), appFile)} is TypeScript and the project has no 'typescript' package: npm install --save-dev typescript (or compile the app file and pass the .js)`);
}

/** The project's tsconfig.json for an app file, if it has one. */
export const tsconfigOf = (appFile: string) => findUp(path.dirname(appFile), 'tsconfig.json');

function registerTypeScript(resolved: string): void {
  // ts-node (`cdk8s synth` runs `npx ts-node main.ts`), jest or another loader is in charge already
  if ((require.extensions as Record<string, unknown>)['.ts']) return;
  const nodeModules = findUp(path.dirname(resolved), 'node_modules');
  const cacheDir = process.env.CDK8S_MS_CACHE_DIR
    || (nodeModules ? path.join(nodeModules, '.cache', 'cdk8s-microservices', 'ts') : path.join(os.tmpdir(), 'cdk8s-microservices-ts'));
  registerTranspiler({ cacheDir, typescript: resolveTypeScript(resolved), tsconfig: tsconfigOf(resolved) });
}
