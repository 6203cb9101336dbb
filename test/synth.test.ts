import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Testing } from 'cdk8s';
import { buildExamples } from '../apps';
import { MicroserviceApp, MicroserviceConfigError, ObservedService, OutputRefusedError, synthToDirectory, synthesizeApps } from '../lib';

// Synthesizing many apps: one validation pass for the whole cdk8s App, not one per app.

describe('synthesizeApps', () => {
  test('gives every app the objects of its own toJson()', () => {
    // GIVEN the example apps, one of which calls a service of another
    const apps = buildExamples(Testing.app());
    const caller = new ObservedService(apps[0], 'caller', { image: 'ghcr.io/acme/caller:1.0.0' });
    caller.connectTo(apps[3].node.findAll().find((c): c is ObservedService => c instanceof ObservedService)!);
    // WHEN they are synthesized together
    const together = synthesizeApps(apps);
    // THEN each app has what its toJson() gives
    expect(together).toEqual(apps.map(a => a.toJson()));
  });

  test('validates the App once, whatever the number of apps', () => {
    // GIVEN 30 apps in one cdk8s App
    const app = Testing.app();
    const apps = Array.from({ length: 30 }, (_, i) => new MicroserviceApp(app, `app-${i}`));
    for (const a of apps) new ObservedService(a, 'api', { image: 'ghcr.io/acme/api:1.0.0' });
    const checks = jest.spyOn(MicroserviceApp.prototype as any, 'nameClashes');
    try {
      // WHEN they are synthesized
      synthesizeApps(apps);
      // THEN each app's checks ran once (toJson() per app runs every app's: 30 x 30)
      expect(checks).toHaveBeenCalledTimes(30);
    } finally {
      checks.mockRestore();
    }
  });

  test('fails on any app of the App, before rendering', () => {
    const app = Testing.app();
    const apps = [new MicroserviceApp(app, 'one', { namespace: 'shared' }), new MicroserviceApp(app, 'two', { namespace: 'shared' })];
    expect(() => synthesizeApps(apps)).toThrow(MicroserviceConfigError);
    expect(() => synthesizeApps(apps)).toThrow(/'namespace' 'shared' is also the namespace of the app one/);
  });
});

// `synth --out` into a GitOps checkout: only what an earlier synth wrote is replaced or removed.
describe('synthToDirectory into a folder it shares', () => {
  const IMAGE = 'ghcr.io/acme/api:1.0.0';
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ms-owned-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A cdk8s App with one MicroserviceApp per id, each with one service. */
  const appsOf = (...ids: string[]): App => {
    const app = Testing.app();
    for (const id of ids) new ObservedService(new MicroserviceApp(app, id), 'api', { image: IMAGE });
    return app;
  };
  /** Every file under `root`, relative, sorted, with its content. */
  const tree = (root: string): Record<string, string> => Object.fromEntries((fs.readdirSync(root, { recursive: true }) as string[])
    .filter(f => fs.statSync(path.join(root, f)).isFile()).sort().map(f => [f, fs.readFileSync(path.join(root, f), 'utf8')]));
  /** A GitOps checkout: git's own files, its README, another team's folder and what `cdk8s synth` wrote. */
  const FOREIGN: Record<string, string> = {
    '.git/HEAD': 'ref: refs/heads/main\n',
    '.git/config': '[core]\n',
    'README.md': '# gitops\n',
    'team-b/billing/manifests.yaml': 'kind: ConfigMap\n',
    'shop.k8s.yaml': 'apiVersion: v1\nkind: Namespace\n', // cdk8s synth's own output
  };
  const writeForeign = (root: string, files: Record<string, string>) => {
    for (const [f, c] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
      fs.writeFileSync(path.join(root, f), c);
    }
  };
  // the project of the working directory: this repository's package.json
  const RECORD = '.cdk8s-ms-synth@cdk8s-microservices.sha256';
  const recorded = (root: string) => fs.readFileSync(path.join(root, RECORD), 'utf8').trim().split('\n').map(l => l.split('  ')[1]);

  test('keeps every file it did not write, and lists the ones it wrote in the record', () => {
    // GIVEN a GitOps checkout
    writeForeign(dir, FOREIGN);
    // WHEN two apps are synthesized into it
    const written = synthToDirectory(appsOf('shop', 'blog'), dir);
    // THEN the checkout's files are untouched, the apps' are there, and the record lists exactly those
    expect(tree(dir)).toMatchObject(FOREIGN);
    expect(Object.keys(tree(dir)).sort()).toEqual([...Object.keys(FOREIGN), ...written.map(f => f.path), RECORD].sort());
    expect(recorded(dir)).toEqual(written.map(f => f.path).sort());
    // sha256sum format: `sha256sum -c` in the folder checks the files
    const [hash, file] = fs.readFileSync(path.join(dir, RECORD), 'utf8').split('\n')[0].split('  ');
    expect(hash).toBe(crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, file))).digest('hex'));
  });

  test('removes the folder of an app no longer built, when an earlier synth wrote it', () => {
    writeForeign(dir, FOREIGN);
    synthToDirectory(appsOf('shop', 'blog'), dir);
    // WHEN blog is removed from the app file
    synthToDirectory(appsOf('shop'), dir);
    // THEN its folder goes, the rest stays
    expect(fs.existsSync(path.join(dir, 'blog'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'shop', 'manifests.yaml'))).toBe(true);
    expect(tree(dir)).toMatchObject(FOREIGN);
    expect(recorded(dir)).toEqual(['shop/Kustomization', 'shop/README.md', 'shop/manifests.yaml']);
  });

  test('keeps a file someone added in an app folder, and so the folder, when the app goes', () => {
    synthToDirectory(appsOf('shop', 'blog'), dir);
    fs.writeFileSync(path.join(dir, 'blog', 'notes.md'), 'ours\n');
    synthToDirectory(appsOf('shop'), dir);
    expect(fs.readdirSync(path.join(dir, 'blog'))).toEqual(['notes.md']);
  });

  test('never removes a folder of the same name that an earlier synth did not write', () => {
    // GIVEN another team's folder named like an app that is no longer built, and no record of it
    writeForeign(dir, { 'blog/manifests.yaml': 'kind: ConfigMap\n' });
    synthToDirectory(appsOf('shop'), dir);
    synthToDirectory(appsOf('shop'), dir);
    expect(fs.readFileSync(path.join(dir, 'blog', 'manifests.yaml'), 'utf8')).toBe('kind: ConfigMap\n');
  });

  test('removes the files of an app it no longer writes (the other layout), not the app', () => {
    synthToDirectory(appsOf('shop'), dir);
    synthToDirectory(appsOf('shop'), dir, { layout: 'resource' });
    const files = fs.readdirSync(path.join(dir, 'shop'));
    expect(files).not.toContain('manifests.yaml');
    expect(files).toContain('deployment-api.yaml');
    synthToDirectory(appsOf('shop'), dir);
    expect(fs.readdirSync(path.join(dir, 'shop')).sort()).toEqual(['Kustomization', 'README.md', 'manifests.yaml']);
  });

  test('refuses a file in the way that it did not write, names it, and writes nothing', () => {
    // GIVEN an earlier synth of blog, and someone else's file where shop's manifests go
    writeForeign(dir, FOREIGN);
    synthToDirectory(appsOf('blog'), dir);
    writeForeign(dir, { 'shop/manifests.yaml': 'kind: ConfigMap\n' });
    const before = tree(dir);
    // WHEN shop is added
    const run = () => synthToDirectory(appsOf('shop'), dir);
    // THEN the run is refused, naming the file and the fix, and nothing changed (blog is not removed)
    expect(run).toThrow(OutputRefusedError);
    expect(run).toThrow(`cdk8s-ms synth: refusing to write into ${dir}: a path in the way was not written by cdk8s-ms synth (${path.join(dir, RECORD)} lists what it wrote):\n`
      + '  shop/manifests.yaml (not written by cdk8s-ms synth, other content)\n'
      + 'Nothing was written. Move or delete them (cdk8s-ms writes them again), or choose another --out.');
    expect(tree(dir)).toEqual(before);
    expect((fs.readdirSync(dir, { recursive: true }) as string[]).filter(f => f.includes('cdk8s-ms-tmp'))).toEqual([]);
  });

  test('refuses a folder where it writes a file, and a file where it writes a folder', () => {
    writeForeign(dir, { 'shop/README.md/x': 'x\n', blog: 'a file\n' });
    expect(() => synthToDirectory(appsOf('shop', 'blog'), dir)).toThrow(/2 paths in the way were not written by cdk8s-ms synth .*:\n  shop\/README.md \(a folder where cdk8s-ms synth writes a file\)\n  blog \(a file where cdk8s-ms synth writes the folder blog\/\)\n/);
    expect(fs.existsSync(path.join(dir, RECORD))).toBe(false);
  });

  test('takes over a file that already holds what it would write', () => {
    // GIVEN an output written before the record existed
    const files = synthToDirectory(appsOf('shop'), dir);
    fs.rmSync(path.join(dir, RECORD));
    // WHEN synthesized again: no refusal, and the files are listed again
    expect(synthToDirectory(appsOf('shop'), dir)).toEqual(files);
    expect(recorded(dir)).toEqual(files.map(f => f.path).sort());
  });

  test('refuses a record it cannot read, naming it', () => {
    fs.writeFileSync(path.join(dir, RECORD), 'shop/manifests.yaml\n');
    expect(() => synthToDirectory(appsOf('shop'), dir)).toThrow(`${path.join(dir, RECORD)} line 1 is not '<sha256>  <relative path>': "shop/manifests.yaml"`);
    fs.writeFileSync(path.join(dir, RECORD), `${'0'.repeat(64)}  ../outside.yaml\n`);
    expect(() => synthToDirectory(appsOf('shop'), dir)).toThrow(OutputRefusedError);
  });

  test('keeps two projects writing into one folder apart: neither removes nor overwrites the other\'s apps', () => {
    // GIVEN team A's shop and team B's billing, synthesized into one prod/ folder
    synthToDirectory(appsOf('shop'), dir, { project: '@acme/team-a' });
    synthToDirectory(appsOf('billing'), dir, { project: '@acme/team-b' });
    expect(fs.readdirSync(dir).sort()).toEqual(['.cdk8s-ms-synth@acme+team-a.sha256', '.cdk8s-ms-synth@acme+team-b.sha256', 'billing', 'shop']);
    // WHEN team A synthesizes again, with another app
    synthToDirectory(appsOf('shop', 'blog'), dir, { project: '@acme/team-a' });
    // THEN team B's app is still there
    expect(fs.existsSync(path.join(dir, 'billing', 'manifests.yaml'))).toBe(true);
    // AND team A may not write an app team B wrote, even with the same content
    expect(() => synthToDirectory(appsOf('billing'), dir, { project: '@acme/team-a' })).toThrow(
      '  billing/Kustomization (written by another project or command: listed in .cdk8s-ms-synth@acme+team-b.sha256)\n',
    );
  });

  test('leaves the folder as it was when writing fails midway', () => {
    writeForeign(dir, FOREIGN);
    synthToDirectory(appsOf('shop'), dir);
    const before = tree(dir);
    // WHEN the disk fills up at the fourth file of a synth that adds an app and changes another
    // (the module object itself: the test's `fs` is a copy of its bindings)
    const nodeFs = require('node:fs') as typeof fs;
    const write = nodeFs.writeFileSync;
    let calls = 0;
    const spy = jest.spyOn(nodeFs, 'writeFileSync').mockImplementation((...args: any[]) => {
      if (++calls === 4) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      return (write as any)(...args);
    });
    try {
      const app = appsOf('shop', 'blog');
      expect(() => synthToDirectory(app, dir)).toThrow(/ENOSPC/);
    } finally {
      spy.mockRestore();
    }
    // THEN the folder is as it was: no new app folder, no temporary file
    expect(tree(dir)).toEqual(before);
    expect(fs.existsSync(path.join(dir, 'blog'))).toBe(false);
  });
});
