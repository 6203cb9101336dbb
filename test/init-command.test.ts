import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import YAML from 'yaml';
import { EXIT } from '../lib/tools/cli/main';
import { runCli } from './helpers';
import { APPS_TS, MAIN_TS } from '../lib/tools/cli/init-files';

// `cdk8s-ms init` in a project as `cdk8s init typescript-app` leaves it: the template's files
// (from cdk8s-cli's own copy), what its post-install hook made (`npm run compile`, `npm run test
// -- -u`), and this package installed. test/consumer.test.ts runs it in a real one.
const ROOT = path.join(__dirname, '..');
const TEMPLATE = path.join(ROOT, 'node_modules', 'cdk8s-cli', 'templates', 'typescript-app');
const VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;

const run = runCli;

let tmp: string;
let project: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ms-init-'));
  project = path.join(tmp, 'my-project');
  fs.mkdirSync(project);
  for (const f of ['cdk8s.yaml', 'tsconfig.json', 'jest.config.js', 'main.test.ts']) fs.copyFileSync(path.join(TEMPLATE, f), path.join(project, f));
  fs.writeFileSync(path.join(project, 'main.ts'), fs.readFileSync(path.join(TEMPLATE, 'main.ts'), 'utf8').replace('{{ $base }}', 'my-project'));
  fs.mkdirSync(path.join(project, '__snapshots__'));
  fs.writeFileSync(path.join(project, '__snapshots__', 'main.test.ts.snap'), '// Jest Snapshot v1, https://goo.gl/fbAQLP\n\nexports[`Placeholder Empty 1`] = `[]`;\n');
  for (const f of ['main.js', 'main.d.ts', 'main.test.js', 'main.test.d.ts']) fs.writeFileSync(path.join(project, f), '// compiled by tsc --build\n');
  fs.mkdirSync(path.join(project, 'node_modules', 'cdk8s-microservices'), { recursive: true });
  fs.writeFileSync(path.join(project, 'node_modules', 'cdk8s-microservices', 'package.json'), JSON.stringify({ name: 'cdk8s-microservices', version: VERSION }));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const read = (f: string) => fs.readFileSync(path.join(project, f), 'utf8');
const exists = (f: string) => fs.existsSync(path.join(project, f));
/** Every file of the project (but node_modules) with its content: to prove nothing changed. */
function tree(): Record<string, string> {
  const files = (fs.readdirSync(project, { recursive: true }) as string[]).filter(f => !f.startsWith('node_modules') && fs.statSync(path.join(project, f)).isFile());
  return Object.fromEntries(files.sort().map(f => [f, read(f)]));
}

describe('cdk8s-ms init', () => {
  test('--help says what it writes, what it refuses, and the exit codes', () => {
    const r = run('init', '--help');
    expect(r.code).toBe(EXIT.OK);
    expect(r.out).toContain('Usage: cdk8s-ms init [options] [dir]');
    expect(r.out).toContain('Writes apps.ts');
    expect(r.out).toContain('stops it before it writes anything');
    expect(r.out).toContain('Exit codes:');
  });

  test("in the template's project: writes apps.ts, replaces main.ts, removes the template's test, adds the plugin", () => {
    // WHEN init runs in the template's untouched project
    const r = run('init', project);
    // THEN it says what it did, file by file, and what to run next
    expect(r).toMatchObject({ code: EXIT.OK, err: '' });
    expect(r.out).toMatch(/written\s+apps\.ts\s+build\(scope, \{ env \}\)/);
    expect(r.out).toMatch(/replaced\s+main\.ts\s+was the template's/);
    expect(r.out).toMatch(/removed\s+main\.test\.ts/);
    expect(r.out).toContain('npx cdk8s synth');
    expect(read('apps.ts')).toBe(APPS_TS);
    expect(read('main.ts')).toBe(MAIN_TS);
    expect(read('apps.test.ts')).toContain("import { build } from './apps';");
    // the template's test of MyChart, its snapshot (and folder) and its compiled copies are gone;
    // main.js stays: ts-node runs main.ts, and tsc overwrites it
    for (const gone of ['main.test.ts', '__snapshots__', 'main.test.js', 'main.test.d.ts']) expect(exists(gone)).toBe(false);
    expect(exists('main.js')).toBe(true);
    // cdk8s.yaml keeps what it had, runs ts-node preferring .ts, and names the plugin at the installed version
    const config = YAML.parse(read('cdk8s.yaml'));
    expect(config).toEqual({
      language: 'typescript',
      app: 'npx ts-node --prefer-ts-exts main.ts',
      imports: ['k8s'],
      validations: [{ package: './node_modules/cdk8s-microservices/validation-plugin', version: VERSION, class: 'ManifestValidation', properties: { warnFails: false } }],
    });
    expect(read('cdk8s.yaml')).toContain('# true: warnings fail the synth too');
  });

  test('the apps.ts it writes synthesizes and passes validate --warn-fails', () => {
    run('init', project);
    const out = path.join(tmp, 'out');
    expect(run('synth', '--app', path.join(project, 'apps.ts'), '--out', out).code).toBe(EXIT.OK);
    const r = run('validate', out, '--warn-fails');
    expect(r.out).toMatch(/0 errors, 0 warnings/);
    expect(r.code).toBe(EXIT.OK);
    // --env reaches build(): prod runs 3 web pods
    expect(run('synth', '--app', path.join(project, 'apps.ts'), '--out', out, '--env', 'prod').code).toBe(EXIT.OK);
    const prod = YAML.parseAllDocuments(fs.readFileSync(path.join(out, 'prod', 'shop', 'manifests.yaml'), 'utf8')).map(d => d.toJSON());
    expect(prod.find(o => o.kind === 'Deployment' && o.metadata.name === 'web').spec.replicas).toBe(3);
  });

  test('refuses, writing nothing, when apps.ts exists (a second run too)', () => {
    fs.writeFileSync(path.join(project, 'apps.ts'), '// mine\n');
    const before = tree();
    const r = run('init', project);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.err).toContain(`error: init changed nothing in ${project}:\n  - apps.ts exists: init writes a new apps.ts and never overwrites one`);
    expect(tree()).toEqual(before);
    // a project init already set up: the same refusal
    fs.rmSync(path.join(project, 'apps.ts'));
    expect(run('init', project).code).toBe(EXIT.OK);
    const done = tree();
    expect(run('init', project)).toMatchObject({ code: EXIT.USAGE, err: expect.stringContaining('apps.ts exists') });
    expect(tree()).toEqual(done);
  });

  test("refuses a main.ts that is not the template's, printing the lines to add; keeps one that has them", () => {
    // GIVEN a main.ts of the user's
    fs.writeFileSync(path.join(project, 'main.ts'), read('main.ts').replace('// define resources here', "new ApiObject(this, 'x', {});"));
    const before = tree();
    const r = run('init', project);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.err).toContain("main.ts is not the template's and does not call apps.ts: add to it\n      import { build } from './apps';");
    expect(r.err).toContain('build(app);');
    // and the template's test of that (the user's) main.ts is no reason to refuse
    expect(r.err).not.toContain('main.test.ts');
    expect(tree()).toEqual(before);
    // WHEN the user adds the lines THEN init keeps main.ts and the template's test of its MyChart
    fs.writeFileSync(path.join(project, 'main.ts'), `import { build } from './apps';\n${read('main.ts').replace('app.synth();', 'build(app);\napp.synth();')}`);
    const mine = read('main.ts');
    const ok = run('init', project);
    expect(ok.code).toBe(EXIT.OK);
    expect(ok.out).toContain('note: main.ts already imports build from ./apps: left as it is');
    expect(read('main.ts')).toBe(mine);
    expect(exists('main.test.ts')).toBe(true);
    expect(exists('apps.ts')).toBe(true);
  });

  test("refuses a changed main.test.ts that imports the main.ts it replaces", () => {
    fs.writeFileSync(path.join(project, 'main.test.ts'), `${read('main.test.ts')}\n// my own case\n`);
    const before = tree();
    const r = run('init', project);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.err).toContain("main.test.ts imports './main', whose MyChart init replaces");
    expect(tree()).toEqual(before);
  });

  test('keeps other validation plugins and a plugin entry of its own; leaves an app command of the user\'s', () => {
    fs.writeFileSync(path.join(project, 'cdk8s.yaml'), 'language: typescript\napp: npx ts-node --transpile-only main.ts\nvalidations:\n  - package: ./policies\n    version: 1.0.0\n    class: Policies\n');
    const r = run('init', project);
    expect(r.code).toBe(EXIT.OK);
    expect(r.out).toContain("note: cdk8s.yaml's app is 'npx ts-node --transpile-only main.ts', not the template's: left as it is; if it runs ts-node, add --prefer-ts-exts");
    const config = YAML.parse(read('cdk8s.yaml'));
    expect(config.app).toBe('npx ts-node --transpile-only main.ts');
    expect(config.validations.map((v: any) => v.package)).toEqual(['./policies', './node_modules/cdk8s-microservices/validation-plugin']);
    // GIVEN a project that names the plugin already WHEN init runs THEN cdk8s.yaml is not touched
    const again = path.join(tmp, 'again');
    fs.mkdirSync(again);
    fs.cpSync(path.join(project, 'node_modules'), path.join(again, 'node_modules'), { recursive: true });
    fs.writeFileSync(path.join(again, 'cdk8s.yaml'), read('cdk8s.yaml'));
    const r2 = run('init', again);
    expect(r2.code).toBe(EXIT.OK);
    expect(r2.out).toContain(`note: cdk8s.yaml names the validation plugin already (version ${VERSION}; installed ${VERSION}): left as it is`);
    expect(r2.out).not.toMatch(/replaced\s+cdk8s\.yaml/);
    // no main.ts: it is written
    expect(fs.readFileSync(path.join(again, 'main.ts'), 'utf8')).toBe(MAIN_TS);
  });

  test('a folder that is not a cdk8s TypeScript project, or lacks the package, is a one-line error', () => {
    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty);
    expect(run('init', empty)).toMatchObject({ code: EXIT.USAGE, err: `error: init: no cdk8s.yaml in ${empty}: run it in a cdk8s project (cdk8s init typescript-app makes one)\n` });
    fs.writeFileSync(path.join(empty, 'cdk8s.yaml'), 'language: typescript\napp: npx ts-node main.ts\n');
    expect(run('init', empty)).toMatchObject({ code: EXIT.USAGE, err: expect.stringContaining('cdk8s-microservices is not installed in') });
    fs.writeFileSync(path.join(project, 'cdk8s.yaml'), 'language: python\napp: pipenv run python main.py\n');
    const before = tree();
    expect(run('init', project)).toMatchObject({ code: EXIT.USAGE, err: expect.stringContaining('cdk8s.yaml says language: python') });
    expect(tree()).toEqual(before);
    expect(fs.readdirSync(empty)).toEqual(['cdk8s.yaml']);
  });
});
