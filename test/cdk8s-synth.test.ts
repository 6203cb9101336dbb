// The real `cdk8s synth`, with the validation plugin cdk8s.yaml declares, on the example apps
// and on a broken app. Output goes to a temporary folder: the committed dist/ is never touched.
import { SpawnSyncReturns, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DIST_APPS } from '../apps';

const ROOT = path.join(__dirname, '..');
const CDK8S = path.join(ROOT, 'node_modules', '.bin', 'cdk8s');
const PLUGIN = path.join(ROOT, 'validation-plugin');

jest.setTimeout(60_000);

let tmp: string;
beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-synth-')); });
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** `cdk8s synth` in the repo (it reads cdk8s.yaml there), writing to <tmp>/out and a JSON report. */
function synth(...args: string[]): { run: SpawnSyncReturns<string>; report: any } {
  const reportFile = path.join(tmp, 'report.json');
  const run = spawnSync(CDK8S, ['synth', '--no-check-upgrade', '--output', path.join(tmp, 'out'), '--validation-reports-output-file', reportFile, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 55_000,
  });
  const report = fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, 'utf8')) : undefined;
  return { run, report };
}

/** A hash of every file under a folder, to show it was not changed. */
function treeHash(dir: string): string {
  const hash = crypto.createHash('sha256');
  for (const f of (fs.readdirSync(dir, { recursive: true }) as string[]).sort()) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile()) hash.update(f).update(fs.readFileSync(p));
  }
  return hash.digest('hex');
}

test('cdk8s.yaml declares the local validation plugin', () => {
  const config = fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8');
  expect(config).toMatch(/validations:\n(.*\n)*\s+- package: \.\/validation-plugin\n\s+version: 0\.1\.0\n\s+class: ManifestValidation/);
});

test('cdk8s synth of the example apps runs the plugin and passes, leaving dist/ alone', () => {
  const before = treeHash(path.join(ROOT, 'dist'));
  const { run, report } = synth();
  expect(run.status).toBe(0);
  expect(run.stdout).toContain(`Validation Report (${PLUGIN}@0.1.0)`);
  expect(run.stdout).toMatch(new RegExp(`cdk8s-ms validate: \\d+ objects in ${DIST_APPS.length} files: 0 errors, 0 warnings`));
  expect(run.stdout).toContain('Validations ended succesfully'); // sic: cdk8s's spelling
  expect(report.reports).toHaveLength(1);
  expect(report.reports[0].summary).toMatchObject({ status: 'success', plugin: PLUGIN, version: '0.1.0', metadata: { errors: '0', warnings: '0', warnFails: 'true' } });
  expect(report.reports[0].violations).toEqual([]);
  for (const app of ['app-service', 'hello-world', 'myapp', 'shop']) expect(fs.existsSync(path.join(tmp, 'out', app, 'manifests.yaml'))).toBe(true);
  expect(treeHash(path.join(ROOT, 'dist'))).toBe(before);
});

test('cdk8s synth fails when the app synthesizes manifests the plugin rejects', () => {
  const { run, report } = synth('--app', `npx ts-node --transpile-only ${path.join('test', 'fixtures', 'broken-app.ts')}`);
  expect(run.status).toBe(2); // cdk8s's exit code for a failed validation
  expect(run.stderr).toContain('Validation failed');
  expect(run.stdout).toContain('img-tag (error)');
  const [only] = report.reports;
  expect(only.summary.status).toBe('failure');
  const imgTag = only.violations.find((v: any) => v.ruleName === 'img-tag (error)');
  expect(imgTag.violatingConstructs).toEqual([{
    resourceName: 'web',
    constructPath: 'broken/web', // from the construct metadata cdk8s records for validation
    manifestPath: path.join(tmp, 'out', 'broken.k8s.yaml'),
    locations: ["Deployment/broken/web: container 'web' image 'nginx:latest' is not pinned to a tag or digest"],
  }]);
  // errors come first in the report
  expect(only.violations[0].ruleName).toMatch(/\(error\)$/);
});

test('cdk8s synth of an app.synth() app prints its warnings once and reports findings on the right construct', () => {
  const { run, report } = synth('--app', `npx ts-node --transpile-only ${path.join('test', 'fixtures', 'warned-app.ts')}`);
  // the app's stderr reaches the user (cdk8s keeps the app's stdout to itself)
  const warnings = run.stderr.split('\n').filter(l => l.startsWith('warning: '));
  expect(warnings).toEqual([expect.stringMatching(/^warning: \[shop\/web\] the canary split is approximate: /)]);
  // the HPA's finding names the HPA's construct, though a PodMonitor, a Deployment ... are named mailer too
  const [only] = report.reports;
  const hpaMin = only.violations.find((v: any) => v.ruleName === 'hpa-min (warning)');
  expect(hpaMin.violatingConstructs).toEqual([{
    resourceName: 'HorizontalPodAutoscaler/shop/mailer',
    constructPath: 'shop/mailer/Autoscaler',
    manifestPath: path.join(tmp, 'out', 'shop.k8s.yaml'),
    locations: ['HorizontalPodAutoscaler/shop/mailer: minReplicas 1 < 2'],
  }]);
  // and the plugin lists the synth warning
  const synthWarning = only.violations.find((v: any) => v.ruleName === 'synth-warning (warning)');
  expect(synthWarning.violatingConstructs).toEqual([expect.objectContaining({ resourceName: 'shop/web', constructPath: 'shop/web' })]);
  // warnFails (cdk8s.yaml): the HPA's warning fails the synth
  expect(only.summary).toMatchObject({ status: 'failure', metadata: { synthWarnings: '1' } });
  expect(run.status).toBe(2);
});

test('the plugin entry loads the compiled package from plain node', () => {
  const run = spawnSync(process.execPath, ['-e', "const m = require('./validation-plugin'); console.log(typeof m.ManifestValidation, typeof new m.ManifestValidation({}).validate)"], { cwd: ROOT, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.stdout.trim()).toBe('function function');
});
