import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import YAML from 'yaml';
import { Testing } from 'cdk8s';
import { EXIT } from '../lib/tools/cli/main';
import { runCli } from './helpers';
import { DIST_APPS, EXAMPLE_APPS, buildExamples } from '../apps';
import { cleanToolEnv, helmBin, run as runTool } from './tools';

const ROOT = path.join(__dirname, '..');
const APP = path.join(ROOT, 'apps', 'index.ts');

const run = runCli;

let tmp: string;
beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ms-')); });
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));
afterAll(() => cleanToolEnv());

// what the example apps hold, counted from the apps themselves
const shopObjects = EXAMPLE_APPS.shop(Testing.app()).toJson() as Array<{ kind: string }>;
const allObjects = buildExamples(Testing.app()).flatMap(a => a.toJson());
const kindsOf = (objects: Array<{ kind: string }>) => {
  const m = new Map<string, number>();
  for (const o of objects) m.set(o.kind, (m.get(o.kind) ?? 0) + 1);
  return [...m].map(([k, n]) => `${k} ${n}`).join(', ');
};

const files = (dir: string) => (fs.readdirSync(dir, { recursive: true }) as string[]).filter(f => fs.statSync(path.join(dir, f)).isFile()).sort();

describe('cdk8s-ms', () => {
  test.each(['synth', 'validate', 'diff', 'graph', 'helm'])('%s --help describes the command and the exit codes', cmd => {
    const r = run(cmd, '--help');
    expect(r.code).toBe(EXIT.OK);
    expect(r.out).toContain(`Usage: cdk8s-ms ${cmd}`);
    expect(r.out).toContain('Exit codes:');
  });

  test('an unknown command or option is a usage error (exit 2) with one line of explanation', () => {
    const r = run('synthesize');
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.err).toMatch(/unknown command 'synthesize'/);
    expect(run('synth', '--layout', 'flat').code).toBe(EXIT.USAGE);
  });

  test('a missing app file is a one-line usage error', () => {
    const r = run('synth', '--app', path.join(tmp, 'nope.ts'), '--out', path.join(tmp, 'out'));
    expect(r).toMatchObject({ code: EXIT.USAGE, err: `error: app file ${path.join(tmp, 'nope.ts')} not found\n` });
  });

  test('an app with bad props fails with the construct path and writes nothing (exit 2)', () => {
    const bad = path.join(tmp, 'bad.ts');
    fs.writeFileSync(bad, `import { MicroserviceApp, ObservedService } from '${path.join(ROOT, 'lib')}';
export function build(scope: any) { new ObservedService(new MicroserviceApp(scope, 'shop'), 'web', { image: 'x/web:1', port: 70000 }); }\n`);
    const r = run('synth', '--app', bad, '--out', path.join(tmp, 'out'));
    expect(r).toMatchObject({ code: EXIT.USAGE, err: "error: [shop/web] 'port' must be 1-65535, got 70000\n" });
    expect(fs.existsSync(path.join(tmp, 'out'))).toBe(false);
  });

  describe('synth', () => {
    test('writes manifests, a Kustomization and a README per app, and prints what it wrote', () => {
      const out = path.join(tmp, 'out');
      const r = run('synth', '--app', APP, '--out', out);
      expect(r.code).toBe(EXIT.OK);
      // and the list of what it wrote, named after the project the app file is in (this repository)
      expect(files(out)).toEqual([...DIST_APPS.flatMap(a => [`${a}/Kustomization`, `${a}/README.md`, `${a}/manifests.yaml`]), '.cdk8s-ms-synth@cdk8s-microservices.sha256'].sort());
      expect(r.out.split('\n')[0]).toMatch(/^written\s+objects\s+files\s+by kind$/);
      expect(r.out).toMatch(new RegExp(`${out}/shop\\s+${shopObjects.length}\\s+3\\s+${kindsOf(shopObjects)}`));
    });

    test('writes the same manifests as npm run synth committed in dist/', () => {
      const out = path.join(tmp, 'out');
      run('synth', '--app', APP, '--out', out);
      for (const f of files(out)) expect(fs.readFileSync(path.join(out, f), 'utf8')).toBe(fs.readFileSync(path.join(ROOT, 'dist', f), 'utf8'));
    });

    test('--layout resource writes one file per object, listed in the Kustomization', () => {
      const out = path.join(tmp, 'out');
      expect(run('synth', '--app', APP, '--out', out, '--layout', 'resource').code).toBe(EXIT.OK);
      const shop = fs.readdirSync(path.join(out, 'shop')).sort();
      expect(shop).toContain('deployment-catalog.yaml');
      expect(shop).toContain('networkpolicy-web.to.catalog.yaml');
      expect(shop).toHaveLength(shopObjects.length + 2);
      const k = YAML.parse(fs.readFileSync(path.join(out, 'shop', 'Kustomization'), 'utf8'));
      expect([...k.resources].sort()).toEqual(shop.filter(f => f.endsWith('.yaml')));
      expect(YAML.parse(fs.readFileSync(path.join(out, 'shop', 'deployment-catalog.yaml'), 'utf8'))).toMatchObject({ kind: 'Deployment', metadata: { name: 'catalog' } });
    });

    test('--env writes each environment to its own folder with its own settings', () => {
      const out = path.join(tmp, 'out');
      expect(run('synth', '--app', APP, '--out', out, '--env', 'dev', 'prod').code).toBe(EXIT.OK);
      const ingressHost = (env: string) => YAML.parseAllDocuments(fs.readFileSync(path.join(out, env, 'shop', 'manifests.yaml'), 'utf8'))
        .map(d => d.toJSON()).find(o => o.kind === 'Ingress').spec.rules[0].host;
      expect(ingressHost('dev')).toBe('shop.dev.example.com');
      expect(ingressHost('prod')).toBe('shop.example.com');
      expect(fs.readFileSync(path.join(out, 'prod', 'shop', 'manifests.yaml'), 'utf8')).toBe(fs.readFileSync(path.join(ROOT, 'dist', 'shop', 'manifests.yaml'), 'utf8'));
    });

    describe('into a GitOps checkout', () => {
      /** A checkout: git's files, its README, another team's folder, cdk8s synth's output, and a prod/ folder of another app. */
      const FOREIGN: Record<string, string> = {
        '.git/HEAD': 'ref: refs/heads/main\n',
        '.git/objects/ab/cdef': 'blob\n',
        'README.md': '# gitops\n',
        'team-b/billing/manifests.yaml': 'kind: ConfigMap\n',
        'shop.k8s.yaml': 'apiVersion: v1\nkind: Namespace\n',
        'prod/billing/manifests.yaml': 'kind: ConfigMap\n',
        'prod/README.md': '# prod\n',
      };
      const checkout = () => {
        const repo = path.join(tmp, 'gitops');
        for (const [f, c] of Object.entries(FOREIGN)) {
          fs.mkdirSync(path.dirname(path.join(repo, f)), { recursive: true });
          fs.writeFileSync(path.join(repo, f), c);
        }
        return repo;
      };
      const contents = (dir: string) => Object.fromEntries(files(dir).map(f => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
      /** An app file that builds the named apps, one service each. */
      const appFile = (name: string, ...apps: string[]) => {
        const file = path.join(tmp, `${name}.ts`);
        fs.writeFileSync(file, `import { MicroserviceApp, ObservedService } from '${path.join(ROOT, 'lib')}';
export function build(scope: any) { for (const a of ${JSON.stringify(apps)}) new ObservedService(new MicroserviceApp(scope, a), 'api', { image: 'ghcr.io/acme/api:1.0.0' }); }\n`);
        return file;
      };

      test('keeps every file it did not write, without --env and with it', () => {
        const repo = checkout();
        expect(run('synth', '--app', APP, '--out', repo).code).toBe(EXIT.OK);
        expect(run('synth', '--app', APP, '--out', repo, '--env', 'prod', 'dev').code).toBe(EXIT.OK);
        expect(contents(repo)).toMatchObject(FOREIGN);
        for (const dir of ['', 'prod', 'dev']) {
          expect(fs.readFileSync(path.join(repo, dir, 'shop', 'manifests.yaml'), 'utf8')).toContain('kind: Deployment');
          expect(fs.existsSync(path.join(repo, dir, '.cdk8s-ms-synth@cdk8s-microservices.sha256'))).toBe(true);
        }
        // and again: each run replaces its own files only
        expect(run('synth', '--app', APP, '--out', repo, '--env', 'prod').code).toBe(EXIT.OK);
        expect(contents(repo)).toMatchObject(FOREIGN);
      });

      test('removes the folder of an app removed from the app file, only in the environment synthesized', () => {
        const repo = checkout();
        expect(run('synth', '--app', appFile('two', 'shop', 'blog'), '--out', repo, '--env', 'prod', 'dev').code).toBe(EXIT.OK);
        const r = run('synth', '--app', appFile('one', 'shop'), '--out', repo, '--env', 'prod');
        expect(r.code).toBe(EXIT.OK);
        expect(r.out).toContain(`removed ${path.join(repo, 'prod', 'blog')}: 3 files an earlier synth wrote, of an app no longer built\n`);
        expect(fs.existsSync(path.join(repo, 'prod', 'blog'))).toBe(false);
        expect(fs.existsSync(path.join(repo, 'dev', 'blog', 'manifests.yaml'))).toBe(true);
        expect(contents(repo)).toMatchObject(FOREIGN);
      });

      test('refuses a file in the way that it did not write, naming it, and writes no environment (exit 2)', () => {
        const repo = checkout();
        fs.mkdirSync(path.join(repo, 'dev', 'shop'), { recursive: true });
        fs.writeFileSync(path.join(repo, 'dev', 'shop', 'manifests.yaml'), 'kind: ConfigMap\n');
        const before = contents(repo);
        const r = run('synth', '--app', appFile('one', 'shop'), '--out', repo, '--env', 'prod', 'dev');
        expect(r.code).toBe(EXIT.USAGE);
        expect(r.err).toBe(`error: cdk8s-ms synth: refusing to write into ${path.join(repo, 'dev')}: a path in the way was not written by cdk8s-ms synth `
          + `(${path.join(repo, 'dev', '.cdk8s-ms-synth.sha256')} lists what it wrote):\n  shop/manifests.yaml (not written by cdk8s-ms synth, other content)\n`
          + 'Nothing was written. Move or delete them (cdk8s-ms writes them again), or choose another --out.\n');
        expect(r.out).toBe('');
        // prod, checked first and clear, was not written either
        expect(contents(repo)).toEqual(before);
      });

      test('--help says what it replaces', () => {
        const r = run('synth', '--help');
        expect(r.out).toContain('synth replaces or removes only files that an earlier synth of the same project');
        expect(r.out).toContain('<out>/.cdk8s-ms-synth@<project>.sha256');
        expect(run('helm', '--help').out).toContain('helm replaces or removes only files that an earlier helm of the same project');
      });
    });

    test('the app README shows the Mermaid graph and a table row per workload', () => {
      const out = path.join(tmp, 'out');
      run('synth', '--app', APP, '--out', out);
      const readme = fs.readFileSync(path.join(out, 'shop', 'README.md'), 'utf8');
      expect(readme).toContain('```mermaid\nflowchart LR');
      expect(readme).toContain('n_web --> n_catalog');
      expect(readme).toContain('| catalog | service | `ghcr.io/acme/catalog:1.4.2` | 2-10 (autoscaled) | grpc 3550 -> 3550 | - | cpu 250m/500m, memory 256Mi/512Mi, ephemeral 256Mi/512Mi |');
      expect(readme).toContain('| web | service | `ghcr.io/acme/web:2.0.1` | 2-6 (autoscaled) | http 80 -> 8080 | shop.example.com/ |');
      expect(readme).toContain('| mailer | worker |');
    });
  });

  describe('validate', () => {
    const BROKEN = path.join(ROOT, 'test', 'fixtures', 'broken');

    test('exits 0 on dist/ with a one-line summary', () => {
      const r = run('validate', path.join(ROOT, 'dist'), '--warn-fails');
      expect(r.code).toBe(EXIT.OK);
      // notes only: the postgres images' own users (uid 999, Alpine's 70) are below the 10000 that sc-high-uid advises
      const lines = r.out.trim().split('\n');
      expect(lines.slice(0, -1).every(l => /^INFO sc-high-uid StatefulSet\/(inventory\/postgres|bank-of-anthos\/(accounts|ledger)-db) /.test(l))).toBe(true);
      expect(lines[lines.length - 1]).toBe(`${allObjects.length} objects in ${DIST_APPS.length} files: 0 errors, 0 warnings, ${lines.length - 1} info`);
    });

    test('exits 1 on the broken set and names rule, object and file per finding', () => {
      const r = run('validate', BROKEN);
      expect(r.code).toBe(EXIT.FINDINGS);
      expect(r.out).toMatch(/^ERROR \S+ \S+\/\S*\/\S+ \(.*\.ya?ml.*\): .+$/m);
      expect(r.out).toMatch(/\d+ errors, \d+ warnings/);
    });

    test('--format json and --format sarif are machine-readable', () => {
      const json = JSON.parse(run('validate', BROKEN, '--format', 'json').out);
      expect(json.findings.length).toBeGreaterThan(0);
      const sarif = JSON.parse(run('validate', BROKEN, '--format', 'sarif').out);
      expect(sarif.version).toBe('2.1.0');
      expect(sarif.runs[0].results.length).toBe(json.findings.length);
    });

    test('a path that does not exist is a usage error', () => {
      const r = run('validate', path.join(tmp, 'nope'));
      expect(r.code).toBe(EXIT.USAGE);
      expect(r.err).toMatch(/^error: .*nope/);
    });
  });

  describe('diff', () => {
    test('exits 0 against dist/', () => {
      const r = run('diff', path.join(ROOT, 'dist'), '--app', APP);
      expect(r).toMatchObject({ code: EXIT.OK, out: `no differences: ${allObjects.length} objects match ${path.join(ROOT, 'dist')}\n` });
    });

    test('exits 1 after a one-field change and names the field', () => {
      // GIVEN a GitOps checkout where someone scaled cart to 5 and rolled catalog's image back
      const checkout = path.join(tmp, 'gitops');
      fs.cpSync(path.join(ROOT, 'dist'), checkout, { recursive: true });
      const file = path.join(checkout, 'shop', 'manifests.yaml');
      const docs = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map(d => d.toJSON());
      docs.find(o => o.kind === 'Deployment' && o.metadata.name === 'cart').spec.replicas = 5;
      fs.writeFileSync(file, docs.map(d => YAML.stringify(d)).join('---\n'));
      // WHEN
      const r = run('diff', checkout, '--app', APP);
      // THEN
      expect(r.code).toBe(EXIT.FINDINGS);
      expect(r.out.split('\n')[0]).toBe('shop/deployment/cart: replicas 5 -> 3');
      expect(r.out).toContain('--- a/shop/deployment/cart');
      expect(r.out).toMatch(/^-  replicas: 5\n\+  replicas: 3$/m);
      expect(r.out).toContain('1 changed, 0 added, 0 removed');
    });

    test('reports added and removed objects and image changes by tag', () => {
      const checkout = path.join(tmp, 'gitops');
      fs.cpSync(path.join(ROOT, 'dist'), checkout, { recursive: true });
      const file = path.join(checkout, 'shop', 'manifests.yaml');
      const docs = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map(d => d.toJSON())
        .filter(o => !(o.kind === 'ConfigMap' && o.metadata.name === 'payments-config'));
      const catalog = docs.find(o => o.kind === 'Deployment' && o.metadata.name === 'catalog');
      catalog.spec.template.spec.containers[0].image = 'ghcr.io/acme/catalog:1.3.0';
      catalog.metadata.labels['app.kubernetes.io/version'] = '1.3.0';
      catalog.spec.template.metadata.labels['app.kubernetes.io/version'] = '1.3.0';
      docs.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'leftover', namespace: 'shop' }, data: { a: '1' } });
      fs.writeFileSync(file, docs.map(d => YAML.stringify(d)).join('---\n'));
      const r = run('diff', checkout, '--app', APP, '--summary');
      expect(r.code).toBe(EXIT.FINDINGS);
      expect(r.out).toBe([
        'shop/configmap/leftover: removed',
        'shop/configmap/payments-config: added',
        'shop/deployment/catalog: image 1.3.0 -> 1.4.2',
        '',
        '1 changed, 1 added, 1 removed',
        '',
      ].join('\n'));
    });

    test('--summary prints one bounded line per changed object after a replica change, never a dashboard\'s text', () => {
      // GIVEN an app with dashboards synthesized with 2 replicas, and the same app at 3
      const appFile = (name: string, replicas: number) => {
        const file = path.join(tmp, `${name}.ts`);
        fs.writeFileSync(file, `import { MicroserviceApp, ObservedService } from '${path.join(ROOT, 'lib')}';
export function build(scope: any) {
  const shop = new MicroserviceApp(scope, 'shop');
  const api = new ObservedService(shop, 'api', { image: 'ghcr.io/acme/api:1.0.0', replicas: ${replicas} });
  new ObservedService(shop, 'web', { image: 'ghcr.io/acme/web:1.0.0', replicas: 2 }).connectTo(api);
}\n`);
        return file;
      };
      const checkout = path.join(tmp, 'gitops');
      expect(run('synth', '--app', appFile('two', 2), '--out', checkout).code).toBe(EXIT.OK);
      // WHEN diffed against the 3-replica build
      const r = run('diff', checkout, '--app', appFile('three', 3), '--summary');
      // THEN one short line per changed object, the replica change by name, then the count
      expect(r.code).toBe(EXIT.FINDINGS);
      const lines = r.out.trimEnd().split('\n');
      const changed = Number(/^(\d+) changed, 0 added, 0 removed$/.exec(lines[lines.length - 1])![1]);
      expect(lines).toHaveLength(changed + 2);
      expect(lines).toContain('shop/deployment/api: replicas 2 -> 3');
      for (const line of lines) expect(line.length).toBeLessThan(400);
    });

    test('--summary counts the changed lines of a long text field, such as a dashboard in a ConfigMap', () => {
      // GIVEN a checkout where one line of a dashboard's JSON differs
      const checkout = path.join(tmp, 'gitops');
      fs.cpSync(path.join(ROOT, 'dist'), checkout, { recursive: true });
      const file = path.join(checkout, 'shop', 'manifests.yaml');
      const docs = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map(d => d.toJSON());
      const dashboard = docs.find(o => o.kind === 'ConfigMap' && o.metadata.name === 'cart-dashboard');
      const [key] = Object.keys(dashboard.data);
      const text: string = dashboard.data[key];
      dashboard.data[key] = text.replace('"title"', '"title" ');
      fs.writeFileSync(file, docs.map(d => YAML.stringify(d)).join('---\n'));
      // WHEN
      const r = run('diff', checkout, '--app', APP, '--summary');
      // THEN the line counts the changed lines and shows none of them
      const total = text.split('\n').length;
      expect(total).toBeGreaterThan(100);
      expect(r.out).toBe(`shop/configmap/cart-dashboard: data.${key} 1 of ${total.toLocaleString('en-US')} lines changed\n\n1 changed, 0 added, 0 removed\n`);
    });

    test('a folder that does not exist is a usage error', () => {
      expect(run('diff', path.join(tmp, 'nope'), '--app', APP)).toMatchObject({ code: EXIT.USAGE, err: `error: diff: ${path.join(tmp, 'nope')} is not a folder\n` });
    });
  });

  describe('graph', () => {
    test('prints each app as Mermaid with routes and connections', () => {
      const r = run('graph', '--app', APP);
      expect(r.code).toBe(EXIT.OK);
      expect(r.out).toContain('%% shop\nflowchart LR\n  ingress_0(["Ingress shop.example.com"])');
      expect(r.out).toContain('  n_mailer[["mailer<br/>worker"]]');
      expect(r.out).toContain('  ingress_0 -- "/" --> n_web');
      for (const e of ['n_web --> n_catalog', 'n_web --> n_cart', 'n_web --> n_checkout', 'n_checkout --> n_payments']) expect(r.out).toContain(e);
    });

    test('prints Graphviz dot with --format dot', () => {
      const r = run('graph', '--app', APP, '--format', 'dot');
      expect(r.out).toContain('digraph "shop" {');
      expect(r.out).toContain('  "web" -> "catalog";');
      // one backslash: a DOT line break inside the label
      expect(r.out).toContain('  "catalog" [shape=box, label="catalog\\ngrpc :3550"];');
      expect(r.out).toContain('  "ingress shop.example.com" -> "web" [label="/"];');
    });
  });

  test('helm writes a chart per app that helm template renders as the plain output', () => {
    const out = path.join(tmp, 'charts');
    const r = run('helm', '--app', APP, '--out', out);
    expect(r.code).toBe(EXIT.OK);
    expect(fs.readdirSync(out).sort()).toEqual(['.cdk8s-ms-helm@cdk8s-microservices.sha256', ...DIST_APPS].sort());
    expect(files(path.join(out, 'shop'))).toEqual(expect.arrayContaining(['Chart.yaml', 'values.yaml', 'values.schema.json', 'templates/deployment-catalog.yaml']));
    const rendered = runTool(helmBin(), ['template', 'shop', path.join(out, 'shop')]);
    const plain = YAML.parseAllDocuments(fs.readFileSync(path.join(ROOT, 'dist', 'shop', 'manifests.yaml'), 'utf8')).map(d => d.toJSON());
    const sorted = (docs: any[]) => docs.filter(Boolean).sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));
    expect(sorted(YAML.parseAllDocuments(rendered).map(d => d.toJSON()))).toEqual(sorted(plain));
  });

  test('the installed bin runs as a program and exits with the command\'s code', () => {
    const bin = path.join(ROOT, 'bin', 'cdk8s-ms.js');
    expect(execFileSync(bin, ['graph', '--app', APP], { cwd: ROOT, encoding: 'utf8' })).toContain('flowchart LR');
    // the diff of every example app against an empty folder is over spawnSync's default 1 MiB buffer
    const r = spawnSync(bin, ['diff', path.join(tmp), '--app', APP], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(r.status).toBe(EXIT.FINDINGS);
    expect(r.stdout).toContain('shop/namespace/shop: added');
  });

  test('an app file in this repository may import \'cdk8s-microservices\' as the README does (the package refers to itself)', () => {
    // GIVEN an app file in a folder of the repository, importing the package by name
    const dir = fs.mkdtempSync(path.join(ROOT, 'myapps-'));
    try {
      fs.writeFileSync(path.join(dir, 'three-tier.ts'), [
        "import { Construct } from 'constructs';",
        "import { MicroserviceApp, ObservedService } from 'cdk8s-microservices';",
        "export function build(scope: Construct): void {",
        "  const app = new MicroserviceApp(scope, 'three-tier');",
        "  const api = new ObservedService(app, 'api', { image: 'ghcr.io/acme/api:2.0.0', probes: { readiness: { httpPath: '/ready' } } });",
        "  new ObservedService(app, 'web', { image: 'ghcr.io/acme/web:2.0.0', probes: { readiness: { httpPath: '/ready' } } }).connectTo(api);",
        '}',
      ].join('\n'));
      // WHEN the installed bin synthesizes it
      const r = spawnSync(path.join(ROOT, 'bin', 'cdk8s-ms.js'), ['synth', '--app', path.join(path.basename(dir), 'three-tier.ts'), '--out', path.join(tmp, 'out')], { cwd: ROOT, encoding: 'utf8' });
      // THEN one copy of the library ran: the app README lists both services
      expect(r.stderr).toBe('');
      expect(r.status).toBe(EXIT.OK);
      expect(fs.readFileSync(path.join(tmp, 'out', 'three-tier', 'README.md'), 'utf8')).toContain('n_web --> n_api');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
