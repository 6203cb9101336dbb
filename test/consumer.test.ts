// What a new user does: `npm pack` this repository, make a project from cdk8s-cli's own
// typescript-app template as `cdk8s init` leaves it (its tsconfig: target ES2017, lib es2016,
// strict, no skipLibCheck; its dependencies, with a cdk8s other than ours pinned exact; its test;
// `npm run compile`'s output), then run the README's first commands as written there (install
// the tarball beside cdk8s-plus-28, `cdk8s-ms init`, `tsc --noEmit`, `cdk8s synth` with the
// validation plugin) and every `npx cdk8s-ms` command. Needs only npm and the registry.
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
  // not CI either: these are the steps a user takes at their desk, where the project's first
  // `npm test` writes its snapshot (under CI=true jest refuses to write a new one)
  for (const [k, v] of Object.entries(process.env)) if (!/^(npm_|CDK8S_MS_|JEST_|INIT_CWD$|CI$)/.test(k)) env[k] = v;
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

/** The first shell block of the README's "Use it in your project": what a new user types. */
function readmeSteps(): string[][] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.split('\n## Use it in your project\n')[1].split(/\n##+ /)[0];
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1];
  return block.split('\n').map(l => l.replace(/#.*$/, '').trim()).filter(Boolean).map(l => l.split(/\s+/));
}

/** A project from the template, as `cdk8s init typescript-app` leaves it (but `cdk8s import k8s`, which downloads from GitHub). */
function templateProject(): void {
  fs.mkdirSync(project);
  for (const f of ['tsconfig.json', 'cdk8s.yaml', 'jest.config.js', 'main.test.ts', 'help']) fs.copyFileSync(path.join(TEMPLATE, f), path.join(project, f));
  fs.copyFileSync(path.join(TEMPLATE, '{{}}.gitignore'), path.join(project, '.gitignore'));
  fs.cpSync(path.join(TEMPLATE, '__snapshots__'), path.join(project, '__snapshots__'), { recursive: true });
  fs.writeFileSync(path.join(project, 'main.ts'), fs.readFileSync(path.join(TEMPLATE, 'main.ts'), 'utf8').replace('{{ $base }}', 'my-project'));
  fs.writeFileSync(path.join(project, 'package.json'), renderTemplatePackage());
  // its post-install hook: npm install, then npm run compile (main.js, main.test.js ... beside the sources)
  ok(sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline']));
  ok(sh('npm', ['run', 'compile']));
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-microservices-consumer-'));
  project = path.join(tmp, 'my-project');
  // GIVEN the package as `npm pack` makes it (prepare builds it)
  const packed = JSON.parse(ok(sh('npm', ['pack', '--json', '--pack-destination', tmp], ROOT)));
  tarball = path.join(tmp, packed[0].filename);
  // AND a project made from cdk8s-cli's typescript-app template, with a cdk8s other than ours pinned
  cdk8sPinned = otherCdk8s();
  templateProject();
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test("the README's first commands, as written, set up the template's project: install, cdk8s-ms init, tsc --noEmit, cdk8s synth", () => {
  // the README names the tarball `npm pack` makes of this version
  const steps = readmeSteps();
  const readmeTarball = `./${path.basename(tarball)}`;
  expect(steps.map(s => s.join(' '))).toEqual([
    `npm install cdk8s-plus-28 ${readmeTarball}`,
    'npx cdk8s-ms init',
    'npx tsc --noEmit',
    'npx cdk8s synth',
  ]);
  fs.copyFileSync(tarball, path.join(project, path.basename(tarball)));
  const out: string[] = [];
  for (const [cmd, ...args] of steps) {
    // the same commands, quieter: npm from its cache where it can, cdk8s without its upgrade check
    if (cmd === 'npm') out.push(ok(sh(cmd, [...args, '--no-audit', '--no-fund', '--prefer-offline'])));
    else out.push(ok(npx(...args, ...(args[0] === 'cdk8s' ? ['--no-check-upgrade'] : []))));
  }
  // init wrote apps.ts, replaced main.ts and the template's test, and named the plugin
  expect(out[1]).toMatch(/replaced\s+main\.ts/);
  expect(out[1]).toMatch(/removed\s+main\.test\.ts/);
  for (const gone of ['main.test.ts', 'main.test.js', '__snapshots__']) expect(fs.existsSync(path.join(project, gone))).toBe(false);
  expect(YAML.parse(fs.readFileSync(path.join(project, 'cdk8s.yaml'), 'utf8')).validations).toEqual([
    { package: './node_modules/cdk8s-microservices/validation-plugin', version: ours.version, class: 'ManifestValidation', properties: { warnFails: false } },
  ]);
  // cdk8s synth ran main.ts -> build() of apps.ts, then the plugin: no error, no warning
  expect(out[3]).toMatch(/cdk8s-ms validate: \d+ objects in 1 file: 0 errors, 0 warnings/);
  expect(out[3]).toContain('Validations ended succesfully'); // sic: cdk8s's spelling
  const objects = YAML.parseAllDocuments(fs.readFileSync(path.join(project, 'dist', 'shop.k8s.yaml'), 'utf8')).map(d => d.toJSON());
  expect(objects.filter(o => o.kind === 'Deployment').map(o => o.metadata.name).sort()).toEqual(['catalog', 'mailer', 'web']);
});

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
  // the packaged README links only to files the package holds (or to the web, or within itself)
  const readme = fs.readFileSync(path.join(installed, 'README.md'), 'utf8');
  const local = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map(m => m[1]).filter(l => !/^(https?:|#|mailto:)/.test(l));
  expect(local.length).toBeGreaterThan(0);
  expect(local.filter(l => !files.includes(l.split('#')[0]))).toEqual([]);
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

test('the project type-checked under the template\'s own tsconfig (ES2017, lib es2016, strict, no skipLibCheck)', () => {
  const tsconfig = JSON.parse(fs.readFileSync(path.join(project, 'tsconfig.json'), 'utf8'));
  expect(tsconfig).toEqual(JSON.parse(fs.readFileSync(path.join(TEMPLATE, 'tsconfig.json'), 'utf8')));
  expect(tsconfig.compilerOptions).toMatchObject({ target: 'ES2017', lib: ['es2016'], strict: true, noUnusedParameters: true });
  expect(tsconfig.compilerOptions.skipLibCheck).toBeUndefined();
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

test("after the template's npm run compile, cdk8s synth runs the edited apps.ts, not the compiled apps.js, and shows its error as the README does", () => {
  const appsTs = path.join(project, 'apps.ts');
  const before = fs.readFileSync(appsTs, 'utf8');
  try {
    // GIVEN apps.js compiled beside apps.ts
    ok(sh('npm', ['run', 'compile']));
    expect(fs.existsSync(path.join(project, 'apps.js'))).toBe(true);
    // WHEN apps.ts is edited (a port out of range) and cdk8s synth runs
    fs.writeFileSync(appsTs, before.replace('port: 3550,', 'port: 70000,'));
    const r = npx('cdk8s', 'synth', '--no-check-upgrade');
    // THEN the edit is what ran (the compiled apps.js has port 3550 and would pass): it fails
    // with the library's error, the line of apps.ts, and cdk8s naming the command
    expect(r.status).not.toBe(0);
    const out = `${r.stdout}${r.stderr}`;
    expect(out).toContain("MicroserviceConfigError: [shop/catalog] 'port' must be 1-65535, got 70000\n");
    expect(out).toMatch(new RegExp(`    at build \\(${project}/apps\\.ts:\\d+:\\d+\\)`));
    expect(out).toContain('Error: command "npx ts-node --prefer-ts-exts main.ts " at');
  } finally {
    fs.writeFileSync(appsTs, before);
  }
  // the template's test script runs the test init wrote in place of the template's
  const test = sh('npm', ['test']);
  expect(`${test.stdout}${test.stderr}`).toMatch(/Tests:\s+1 passed, 1 total/);
  expect(test.status).toBe(0);
});

test('a misspelt prop is refused: by --type-check with tsc\'s message, and by plain synthesis with the library\'s', () => {
  const typo = fs.readFileSync(path.join(project, 'apps.ts'), 'utf8').replace(/^ {4}replicas: 2,$/m, '    replica: 2,');
  expect(typo).toContain('    replica: 2,');
  fs.writeFileSync(path.join(project, 'typo2.ts'), typo);
  const r = npx('cdk8s-ms', 'synth', '--app', 'typo2.ts', '--out', 'typo-out', '--type-check');
  expect(r.status).toBe(2);
  expect(r.stderr).toContain("error: app file typo2.ts has 1 type error:\ntypo2.ts(");
  expect(r.stderr).toContain("'replica' does not exist in type 'ScaledWorkerProps'. Did you mean to write 'replicas'?");
  expect(fs.existsSync(path.join(project, 'typo-out'))).toBe(false);
  const plain = npx('cdk8s-ms', 'synth', '--app', 'typo2.ts', '--out', 'typo-out');
  expect(plain).toMatchObject({ status: 2, stderr: "error: [shop/mailer] 'replica' is not a known prop: did you mean 'replicas'?\n" });
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
