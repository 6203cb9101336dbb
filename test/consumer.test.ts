// What a new user does: `npm pack` this repository, make a project from cdk8s-cli's own
// typescript-app template (its tsconfig: target ES2017, lib es2016, strict, no skipLibCheck;
// its dependencies, with a cdk8s other than ours pinned exact), install the tarball beside
// cdk8s-plus-28, type-check a main.ts, and synthesize with `cdk8s synth` (app.synth() + the
// validation plugin named in cdk8s.yaml) and with `npx cdk8s-ms`. Needs only npm and the registry.
import { SpawnSyncReturns, execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import YAML from 'yaml';

const ROOT = path.join(__dirname, '..');
const TEMPLATE = path.join(ROOT, 'node_modules', 'cdk8s-cli', 'templates', 'typescript-app');
const ours = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

jest.setTimeout(600_000);

let tmp: string;
let project: string;
let tarball: string;
let cdk8sPinned: string;

/** The environment of a user's shell: none of the variables jest or npm set for this repository. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { npm_config_update_notifier: 'false' };
  for (const [k, v] of Object.entries(process.env)) if (!/^(npm_|CDK8S_MS_|JEST_|INIT_CWD$)/.test(k)) env[k] = v;
  return env;
}

/** A command in the project, as the user types it; output kept for the assertion messages. */
function sh(cmd: string, args: string[], cwd = project): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', env: userEnv(), timeout: 300_000 });
}
function ok(r: SpawnSyncReturns<string>): string {
  if (r.status !== 0) throw new Error(`exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
const npx = (...args: string[]) => sh('npx', ['--no-install', ...args]);

/** The newest cdk8s the registry has within our peer range that is not our own dev version. */
function otherCdk8s(): string {
  const mine: string = ours.devDependencies.cdk8s;
  const versions: string[] = JSON.parse(execFileSync('npm', ['view', `cdk8s@${ours.peerDependencies.cdk8s}`, 'version', '--json'], { encoding: 'utf8' }));
  const others = versions.filter(v => v !== mine && !v.includes('-'));
  return others.length ? others[others.length - 1] : mine;
}

/** The template's package.json with the values `cdk8s init` fills in (cdk8s pinned exact). */
function renderTemplatePackage(): string {
  const cli = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'cdk8s-cli', 'package.json'), 'utf8'));
  const plus = JSON.parse(fs.readFileSync(require.resolve('cdk8s-plus-33/package.json', { paths: [path.join(ROOT, 'node_modules', 'cdk8s-cli')] }), 'utf8'));
  const text = fs.readFileSync(path.join(TEMPLATE, 'package.json'), 'utf8')
    .replace('{{ $base }}', 'my-project')
    .replace('"^{{ cdk8s_core_version }}"', JSON.stringify(cdk8sPinned))
    .replace('{{ cdk8s_plus_version }}', plus.version)
    .replace('{{ constructs_version }}', cli.dependencies.constructs.replace('^', ''))
    .replace('{{ cdk8s_cli_spec }}', `^${cli.version}`);
  expect(text).not.toContain('{{');
  return text;
}

const APPS_TS = `import { Construct } from 'constructs';
import { MicroserviceApp, ObservedService, ScaledWorker } from 'cdk8s-microservices';

export function build(scope: Construct): void {
  const shop = new MicroserviceApp(scope, 'shop', { domain: 'shop.example.com', tlsSecretName: 'shop-tls' });
  const catalog = new ObservedService(shop, 'catalog', { image: 'ghcr.io/acme/catalog:1.4.2', protocol: 'grpc', port: 3550, probes: { readiness: { grpc: true } } });
  const web = new ObservedService(shop, 'web', { image: 'ghcr.io/acme/web:2.0.1', route: { path: '/' }, probes: { readiness: { httpPath: '/readyz' } } });
  web.connectTo(catalog);
  new ScaledWorker(shop, 'mailer', { image: 'ghcr.io/acme/mailer:0.9.0', healthPort: 8080, probes: { liveness: { httpPath: '/healthz' } }, replicas: 2 });
}
`;
const MAIN_TS = `import { App } from 'cdk8s';
import { build } from './apps';

const app = new App();
build(app);
app.synth();
`;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-microservices-consumer-'));
  project = path.join(tmp, 'my-project');
  fs.mkdirSync(project);
  // GIVEN the package as `npm pack` makes it (prepack builds it)
  const packed = JSON.parse(ok(sh('npm', ['pack', '--json', '--pack-destination', tmp], ROOT)));
  tarball = path.join(tmp, packed[0].filename);
  // AND a project made from cdk8s-cli's typescript-app template, as `cdk8s init` writes it
  // (`cdk8s init` itself would also run `cdk8s import k8s`, which downloads from GitHub)
  cdk8sPinned = otherCdk8s();
  for (const f of ['tsconfig.json', 'cdk8s.yaml', 'jest.config.js']) fs.copyFileSync(path.join(TEMPLATE, f), path.join(project, f));
  fs.writeFileSync(path.join(project, 'package.json'), renderTemplatePackage());
  fs.writeFileSync(path.join(project, 'cdk8s.yaml'), `${fs.readFileSync(path.join(project, 'cdk8s.yaml'), 'utf8')}validations:
  - package: ./node_modules/cdk8s-microservices/validation-plugin
    version: ${ours.version}
    class: ManifestValidation
    properties:
      warnFails: true
`);
  fs.writeFileSync(path.join(project, 'main.ts'), MAIN_TS);
  fs.writeFileSync(path.join(project, 'apps.ts'), APPS_TS);
  // WHEN the user installs the template's dependencies, then ours (README: "Use it in your project")
  ok(sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline']));
  ok(sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, `cdk8s-plus-28@${ours.peerDependencies['cdk8s-plus-28']}`]));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('the tarball holds compiled code, declarations, schemas, bin and the plugin: no tests, bench, dist, apps or sources', () => {
  const files = ok(sh('tar', ['-tzf', tarball])).trim().split('\n').map(f => f.replace(/^package\//, ''));
  expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'bin/cdk8s-ms.js', 'validation-plugin/index.js',
    'build/lib/index.js', 'build/lib/index.d.ts', 'imports/schemas/k8s-v1.28.0-definitions.json']));
  expect(files.filter(f => /^(test|test-promtool|bench|dist|apps|scripts|lib|\.ci)\//.test(f))).toEqual([]);
  expect(files.filter(f => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  const installed = path.join(project, 'node_modules', 'cdk8s-microservices');
  const size = (dir: string): number => fs.readdirSync(dir, { withFileTypes: true })
    .reduce((n, e) => n + (e.isDirectory() ? size(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).size), 0);
  expect(size(installed)).toBeLessThan(10 * 1024 * 1024);
});

test('one copy of cdk8s and constructs: the project\'s own (peer dependencies), at the version it pinned', () => {
  // cdk8s-cli may keep a private cdk8s of its own: it is a tool in its own process, never loaded by the app
  const copies = (name: string) => [...new Set(ok(sh('npm', ['ls', name, '--all', '--parseable'])).trim().split('\n'))]
    .map(p => path.relative(project, p)).filter(p => !p.startsWith(path.join('node_modules', 'cdk8s-cli') + path.sep));
  expect(copies('cdk8s')).toEqual([path.join('node_modules', 'cdk8s')]);
  expect(copies('constructs')).toEqual([path.join('node_modules', 'constructs')]);
  // and that copy is what our package and cdk8s-plus-28 load
  for (const from of ['cdk8s-microservices', 'cdk8s-plus-28']) {
    expect(require.resolve('cdk8s', { paths: [path.join(project, 'node_modules', from)] })).toBe(path.join(project, 'node_modules', 'cdk8s', 'lib', 'index.js'));
  }
  expect(JSON.parse(fs.readFileSync(path.join(project, 'node_modules', 'cdk8s', 'package.json'), 'utf8')).version).toBe(cdk8sPinned);
  // the registry had another cdk8s than ours: the test really runs against a foreign version
  expect(cdk8sPinned).not.toBe(ours.devDependencies.cdk8s);
});

test('main.ts type-checks under the template\'s tsconfig (ES2017, lib es2016, strict, no skipLibCheck)', () => {
  const tsconfig = JSON.parse(fs.readFileSync(path.join(project, 'tsconfig.json'), 'utf8'));
  expect(tsconfig.compilerOptions).toMatchObject({ target: 'ES2017', lib: ['es2016'], strict: true });
  expect(tsconfig.compilerOptions.skipLibCheck).toBeUndefined();
  ok(npx('tsc', '--noEmit', '-p', '.'));
});

test('cdk8s synth runs app.synth() and the validation plugin named in cdk8s.yaml', () => {
  const out = ok(npx('cdk8s', 'synth', '--no-check-upgrade'));
  expect(out).toMatch(/cdk8s-ms validate: \d+ objects in 1 file: 0 errors, 0 warnings/);
  expect(out).toContain('Validations ended succesfully'); // sic: cdk8s's spelling
  const objects = YAML.parseAllDocuments(fs.readFileSync(path.join(project, 'dist', 'shop.k8s.yaml'), 'utf8')).map(d => d.toJSON());
  expect(objects.filter(o => o.kind === 'Deployment').map(o => o.metadata.name).sort()).toEqual(['catalog', 'mailer', 'web']);
});

test('npx cdk8s-ms synth (default app file apps.ts), validate, diff, graph and helm work in the project', () => {
  const synth = ok(npx('cdk8s-ms', 'synth', '--out', 'manifests'));
  expect(synth).toMatch(/manifests\/shop\s+\d+\s+3\s+Namespace 1/);
  // the app file was transpiled with the project's TypeScript, cached in the project
  expect(fs.readdirSync(path.join(project, 'node_modules', '.cache', 'cdk8s-microservices', 'ts')).length).toBeGreaterThan(0);
  expect(ok(npx('cdk8s-ms', 'validate', 'manifests', '--warn-fails'))).toMatch(/0 errors, 0 warnings/);
  expect(ok(npx('cdk8s-ms', 'diff', 'manifests', '--summary'))).toMatch(/^no differences: \d+ objects match manifests\n$/);
  expect(ok(npx('cdk8s-ms', 'graph'))).toContain('n_web --> n_catalog');
  ok(npx('cdk8s-ms', 'helm', '--out', 'charts'));
  expect(fs.existsSync(path.join(project, 'charts', 'shop', 'Chart.yaml'))).toBe(true);
  // cdk8s synth and cdk8s-ms synth agree on every object
  const names = (objects: any[]) => objects.map(o => `${o.kind}/${o.metadata.name}`).sort();
  const ms = YAML.parseAllDocuments(fs.readFileSync(path.join(project, 'manifests', 'shop', 'manifests.yaml'), 'utf8')).map(d => d.toJSON());
  const viaCdk8s = YAML.parseAllDocuments(fs.readFileSync(path.join(project, 'dist', 'shop.k8s.yaml'), 'utf8')).map(d => d.toJSON());
  expect(names(ms)).toEqual(names(viaCdk8s));
});

test('--type-check refuses a misspelt prop that plain synthesis would drop', () => {
  fs.writeFileSync(path.join(project, 'typo2.ts'), APPS_TS.replace("replicas: 2 }", 'replica: 3 }'));
  const r = npx('cdk8s-ms', 'synth', '--app', 'typo2.ts', '--out', 'typo-out', '--type-check');
  expect(r.status).toBe(2);
  expect(r.stderr).toContain("error: app file typo2.ts has 1 type error:\ntypo2.ts(");
  expect(r.stderr).toContain("'replica' does not exist in type 'ScaledWorkerProps'. Did you mean to write 'replicas'?");
  expect(fs.existsSync(path.join(project, 'typo-out'))).toBe(false);
  // a correct app passes the check and is written
  ok(npx('cdk8s-ms', 'synth', '--app', 'apps.ts', '--out', 'checked', '--type-check'));
});

test('errors name the missing module, and the file and line where user code threw', () => {
  fs.writeFileSync(path.join(project, 'missing.ts'), "import { Construct } from 'constructs';\nimport { Thing } from 'cdk8s-extras';\nexport function build(scope: Construct) { new Thing(scope, 'x'); }\n");
  const missing = npx('cdk8s-ms', 'synth', '--app', 'missing.ts');
  expect(missing.status).toBe(2);
  expect(missing.stderr).toBe("error: app file missing.ts: cannot find module 'cdk8s-extras' (imported by missing.ts): install it in the project: npm install cdk8s-extras\n");
  fs.writeFileSync(path.join(project, 'throws.ts'), "import { Construct } from 'constructs';\n\nexport function build(_scope: Construct): void {\n  const images: Record<string, string> = {};\n  if (!images.web) throw new Error('no image for web');\n}\n");
  const thrown = npx('cdk8s-ms', 'synth', '--app', 'throws.ts');
  expect(thrown.status).toBe(2);
  expect(thrown.stderr).toBe('error: no image for web\n    at throws.ts:5:26\n');
});

test('a .ts app file in a project without typescript is one line with the fix', () => {
  // GIVEN the project's typescript moved away (a JavaScript project)
  const ts = path.join(project, 'node_modules', 'typescript');
  fs.renameSync(ts, `${ts}.away`);
  try {
    const r = npx('cdk8s-ms', 'synth', '--app', 'apps.ts', '--out', 'no-ts');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("error: app file apps.ts is TypeScript and the project has no 'typescript' package: npm install --save-dev typescript (or compile the app file and pass the .js)\n");
  } finally {
    fs.renameSync(`${ts}.away`, ts);
  }
});
