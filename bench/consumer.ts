// The project `npm run bench` times the user's paths in: what `cdk8s init` makes (cdk8s-cli's
// typescript-app template's tsconfig), with this package installed from the tarball `npm pack`
// makes (compiled, as users get it) beside the cdk8s, cdk8s-plus-28, constructs, ts-node and
// typescript of this repository's lock file (from the npm cache: no download when `npm ci` ran).
// apps.ts is bench/app.ts; main.ts is the template's: `new App()`, the apps, `app.synth()`.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const TEMPLATE = path.join(ROOT, 'node_modules', 'cdk8s-cli', 'templates', 'typescript-app');

const MAIN_TS = `import { App } from 'cdk8s';
import { build } from './apps';

const app = new App();
build(app);
app.synth();
`;

/** The environment of a user's shell: none of the variables `npm run bench` sets. */
export function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { npm_config_update_notifier: 'false' };
  for (const [k, v] of Object.entries(process.env)) if (!/^(npm_|INIT_CWD$)/.test(k)) env[k] = v;
  return env;
}

export interface ConsumerProject {
  readonly dir: string;
  /** `app.synth()` as the project runs it: the project's ts-node, transpiling only, on main.ts. */
  readonly appSynth: readonly [string, string[]];
  /** The project's `cdk8s-ms synth` on apps.ts (its bin, as npx runs it). */
  readonly cdk8sMsSynth: (out: string) => readonly [string, string[]];
}

/** Makes the project in `dir` (which must not exist). */
export function consumerProject(dir: string): ConsumerProject {
  fs.mkdirSync(dir, { recursive: true });
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: userEnv() }));
  const tarball = path.join(dir, packed[0].filename);
  const project = path.join(dir, 'project');
  fs.mkdirSync(project);
  const ours = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const dev = (name: string) => ours.devDependencies[name] as string;
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({
    name: 'bench-consumer',
    private: true,
    dependencies: { 'cdk8s': dev('cdk8s'), 'cdk8s-plus-28': dev('cdk8s-plus-28'), 'constructs': dev('constructs'), 'cdk8s-microservices': `file:${tarball}` },
    devDependencies: { 'ts-node': dev('ts-node'), 'typescript': dev('typescript'), '@types/node': dev('@types/node') },
  }, null, 2));
  fs.copyFileSync(path.join(TEMPLATE, 'tsconfig.json'), path.join(project, 'tsconfig.json'));
  fs.copyFileSync(path.join(ROOT, 'bench', 'app.ts'), path.join(project, 'apps.ts'));
  fs.writeFileSync(path.join(project, 'main.ts'), MAIN_TS);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel', 'error'], { cwd: project, stdio: ['ignore', 'ignore', 'inherit'], env: userEnv() });
  const bin = (name: string) => path.join(project, 'node_modules', '.bin', name);
  return {
    dir: project,
    appSynth: [bin('ts-node'), ['--transpile-only', 'main.ts']],
    cdk8sMsSynth: out => [bin('cdk8s-ms'), ['synth', '--app', 'apps.ts', '--out', out]],
  };
}
