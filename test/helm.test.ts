// The Helm chart of each app, checked with the real helm (3.17, from the kubectl Lambda layer):
// it lints strictly, renders exactly the plain output with its default values, changes exactly
// the overridden fields, and its schema refuses bad values.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { EXAMPLE_APPS } from '../apps';
import { MicroserviceApp, MicroserviceConfigError, ObservedService, ScaledWorker } from '../lib';
import { main } from '../lib/tools/cli/main';
import { escapeTemplateText, helmChart } from '../lib/tools/helm';
import { joinImage, splitImage } from '../lib/pod/image';
import { Manifest, key, parseObjects, sorted } from './helpers';
import { helmBin, run, tryRun, toolWorkspace } from './tools';

const VERSION = 'app.kubernetes.io/version';
const INSTANCE = 'app.kubernetes.io/instance';
const DIGEST_A = `sha256:${'0123456789abcdef'.repeat(4)}`;
const DIGEST_B = `sha256:${'fedcba9876543210'.repeat(4)}`;

const workspace = toolWorkspace('helm', helmBin);

/** Writes the chart into `<tmp>/<app id>` (the folder is named after the chart) and returns the folder. */
function writeChart(app: MicroserviceApp, files = helmChart(app)): string {
  const dir = path.join(workspace(), app.node.id);
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

function helmTemplate(app: MicroserviceApp, dir: string, args: string[] = []): Manifest[] {
  return sorted(parseObjects(run(helmBin(), ['template', app.node.id, dir, ...args])));
}

const HOOK_KEYS = ['helm.sh/hook', 'helm.sh/hook-weight', 'helm.sh/hook-delete-policy'];

/** The rendered objects without the Helm hook annotations the chart adds (checked on their own). */
function withoutHooks(objects: Manifest[]): Manifest[] {
  return objects.map(o => {
    const annotations = Object.fromEntries(Object.entries(o.metadata.annotations ?? {}).filter(([k]) => !HOOK_KEYS.includes(k)));
    const { annotations: _a, ...metadata } = o.metadata;
    return { ...o, metadata: Object.keys(annotations).length ? { ...metadata, annotations } : metadata } as Manifest;
  });
}

/** Every leaf that differs between two object lists of the same objects: `Kind/ns/name path`. */
function changedLeaves(before: Manifest[], after: Manifest[]): Map<string, unknown> {
  const changes = new Map<string, unknown>();
  expect(after.map(key)).toEqual(before.map(key));
  const walk = (prefix: string, a: any, b: any) => {
    if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
      for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) walk(`${prefix}/${k}`, a[k], b[k]);
    } else if (a !== b) {
      changes.set(prefix, b);
    }
  };
  before.forEach((o, i) => walk(key(o), o, after[i]));
  return changes;
}

/** The paths of every `app.kubernetes.io/version` label of a workload's objects and pod templates. */
function versionLabelPaths(objects: Manifest[], workload: string, version: string): string[] {
  const paths: string[] = [];
  for (const o of objects) {
    const visit = (prefix: string, node: any) => {
      if (node === null || typeof node !== 'object') return;
      for (const [k, v] of Object.entries(node)) {
        const p = `${prefix}/${k}`;
        const labels = (v as any)?.labels;
        if (k === 'metadata' && labels?.[INSTANCE] === workload && labels?.[VERSION] === version) paths.push(`${p}/labels/${VERSION}`);
        visit(p, v);
      }
    };
    visit(key(o), o);
  }
  return paths.sort();
}

const entries = (m: Map<string, unknown>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1));

describe.each(Object.keys(EXAMPLE_APPS))('the Helm chart of %s', (id) => {
  let app: MicroserviceApp;
  let dir: string;
  let plain: Manifest[];
  let values: any;
  beforeAll(() => {
    app = EXAMPLE_APPS[id](Testing.app());
    plain = sorted(app.toJson());
    dir = writeChart(app);
    values = YAML.parse(fs.readFileSync(path.join(dir, 'values.yaml'), 'utf8'));
  });

  test('passes helm lint --strict', () => {
    const r = tryRun(helmBin(), ['lint', '--strict', dir]);
    expect(`${r.stdout}${r.stderr}`).toContain('0 chart(s) failed');
    expect(r.status).toBe(0);
  });

  test('renders exactly the plain output with its default values', () => {
    const rendered = withoutHooks(helmTemplate(app, dir));
    expect(rendered.map(key)).toEqual(plain.map(key));
    expect(rendered).toEqual(plain);
  });

  test('has one template per object, named <kind>-<name>.yaml, and the chart metadata', () => {
    const templates = fs.readdirSync(path.join(dir, 'templates')).filter(f => f.endsWith('.yaml')).sort();
    expect(templates).toEqual(plain.map(o => `${o.kind.toLowerCase()}-${o.metadata.name}.yaml`).sort());
    const chart = YAML.parse(fs.readFileSync(path.join(dir, 'Chart.yaml'), 'utf8'));
    expect(chart).toMatchObject({ apiVersion: 'v2', name: id, version: '0.1.0', appVersion: app.version, type: 'application' });
  });

  test('holds the image, replicas or autoscaling bounds of every workload in values.yaml', () => {
    // a canary's Deployment stays literal: a canary is a release step, changed in code
    const canaries = new Set(app.node.findAll().filter((c): c is ObservedService => c instanceof ObservedService && c.canary !== undefined).map(s => `${s.name}-canary`));
    const deployments = plain.filter(o => (o.kind === 'Deployment' || o.kind === 'StatefulSet') && !canaries.has(o.metadata.name));
    expect(Object.keys(values.workloads).sort()).toEqual(deployments.map(d => d.metadata.name).sort());
    for (const d of deployments) {
      const w = values.workloads[d.metadata.name];
      expect(joinImage(w.image)).toBe(d.spec.template.spec.containers[0].image);
      const hpa = plain.find(o => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === d.metadata.name);
      if (hpa) {
        expect(w).toEqual({ image: w.image, autoscaling: { minReplicas: hpa.spec.minReplicas, maxReplicas: hpa.spec.maxReplicas } });
      } else {
        expect(w).toEqual({ image: w.image, replicas: d.spec.replicas });
      }
    }
  });

  test('changes exactly the overridden image tag, version labels, replicas and autoscaling bound', () => {
    // GIVEN one workload with a fixed count and, where the app has one, an autoscaled one
    const names = Object.keys(values.workloads);
    const fixed = names.find(n => values.workloads[n].replicas !== undefined);
    const scaled = names.find(n => values.workloads[n].autoscaling !== undefined);
    expect(fixed ?? scaled).toBeDefined();
    const args: string[] = [];
    const expected = new Map<string, unknown>();
    const tagged = (fixed ?? scaled)!;
    const image = values.workloads[tagged].image;
    // WHEN the tag becomes 2.0 (which YAML would read as a number if the template did not quote it)
    args.push('--set', `workloads.${tagged}.image.tag=2.0`);
    const deployment = (n: string) => `Deployment/${app.namespaceName}/${n}`;
    expected.set(`${deployment(tagged)}/spec/template/spec/containers/0/image`, joinImage({ ...image, tag: '2.0' }));
    for (const p of versionLabelPaths(plain, tagged, image.tag)) expected.set(p, '2.0');
    if (fixed) {
      args.push('--set', `workloads.${fixed}.replicas=7`);
      expected.set(`${deployment(fixed)}/spec/replicas`, 7);
    }
    if (scaled) {
      const max = values.workloads[scaled].autoscaling.maxReplicas + 5;
      args.push('--set', `workloads.${scaled}.autoscaling.maxReplicas=${max}`);
      expected.set(`HorizontalPodAutoscaler/${app.namespaceName}/${scaled}/spec/maxReplicas`, max);
    }
    // THEN those fields, and nothing else, differ from the plain output
    const changes = changedLeaves(plain, withoutHooks(helmTemplate(app, dir, args)));
    expect(versionLabelPaths(plain, tagged, image.tag).length).toBeGreaterThanOrEqual(3);
    expect(entries(changes)).toEqual(entries(expected));
  });

  test.each([
    ['a replica count that is not a number', (w: string) => `workloads.${w}.replicas=three`, /\.replicas: Invalid type. Expected: integer, given: string/],
    ['a negative replica count', (w: string) => `workloads.${w}.replicas=-1`, /\.replicas: Must be greater than or equal to 0/],
    ['an unknown key', (w: string) => `workloads.${w}.replica=2`, /Additional property replica is not allowed/],
    ['an image tag latest', (w: string) => `workloads.${w}.image.tag=latest`, /\.image: Must validate at least one schema \(anyOf\)/],
    ['a tag that is not a valid tag', (w: string) => `workloads.${w}.image.tag=1.0/x`, /\.image\.tag: Does not match pattern/],
  ])('fails helm template on %s (values.schema.json)', (_what, set, message) => {
    const fixed = Object.keys(values.workloads).find(n => values.workloads[n].replicas !== undefined)!;
    expect(fixed).toBeDefined();
    const r = tryRun(helmBin(), ['template', id, dir, '--set', set(fixed)]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("values don't meet the specifications of the schema");
    expect(r.stderr).toMatch(message);
  });
});

describe('the Helm chart of an app with unusual content', () => {
  // GIVEN images with a registry port, a digest, tag and digest, and content full of braces and
  // strings YAML 1.1 reads as other types
  const build = () => {
    const app = new MicroserviceApp(Testing.app(), 'edge', { namespace: 'edge-ns', version: '1.10' });
    new ObservedService(app, 'templated-config', {
      image: 'localhost:5000/team/app:2.0',
      replicas: 0,
      env: { MODE: 'on', LEGACY: 'yes', UMASK: '0755', RATIO: '1:20', EMPTY: '' },
      config: {
        files: {
          'app.tmpl': 'Hello {{ .Name }}!\n{{- if .X -}}x{{ end }}\n{{/* comment */}} {{{triple}}} }} {{\n',
          'helm.yaml': 'value: "{{ .Values.secret }}"\nother: \'}}{{\'\n',
        },
      },
    });
    new ScaledWorker(app, 'digest-worker', { image: `registry.example.com/team/worker@${DIGEST_A}`, autoscaling: { minReplicas: 1, maxReplicas: 3 } });
    new ScaledWorker(app, 'both', { image: `ghcr.io/acme/both:1.0.0@${DIGEST_A}` });
    new ScaledWorker(app, 'own-version', { image: 'busybox:1.36', version: 'release-7' });
    return app;
  };

  test('splits the images into registry, repository, tag and digest', () => {
    const values = YAML.parse(helmChart(build())['values.yaml']).workloads;
    expect(values['templated-config'].image).toEqual({ registry: 'localhost:5000', repository: 'team/app', tag: '2.0', digest: '' });
    expect(values['digest-worker'].image).toEqual({ registry: 'registry.example.com', repository: 'team/worker', tag: '', digest: DIGEST_A });
    expect(values.both.image).toEqual({ registry: 'ghcr.io', repository: 'acme/both', tag: '1.0.0', digest: DIGEST_A });
    expect(values['own-version'].image).toEqual({ registry: '', repository: 'busybox', tag: '1.36', digest: '' });
    expect(values['templated-config'].replicas).toBe(0);
  });

  test('renders exactly the plain output, braces and all, and lints', () => {
    const app = build();
    const dir = writeChart(app);
    const rendered = helmTemplate(app, dir);
    expect(rendered).toEqual(sorted(app.toJson()));
    const config = rendered.find(o => o.kind === 'ConfigMap' && o.data?.['app.tmpl'] !== undefined)!;
    expect(config.data['app.tmpl']).toContain('{{- if .X -}}x{{ end }}');
    const r = tryRun(helmBin(), ['lint', '--strict', dir]);
    expect(r.status).toBe(0);
  });

  test('the version label follows a new digest when there is no tag, and stays with a label the code set', () => {
    const app = build();
    const dir = writeChart(app);
    const plain = sorted(app.toJson());
    const changes = changedLeaves(plain, helmTemplate(app, dir, [
      '--set', `workloads.digest-worker.image.digest=${DIGEST_B}`,
      '--set', 'workloads.own-version.image.tag=1.37',
    ]));
    const expected = new Map<string, unknown>([
      ['Deployment/edge-ns/digest-worker/spec/template/spec/containers/0/image', `registry.example.com/team/worker@${DIGEST_B}`],
      ['Deployment/edge-ns/own-version/spec/template/spec/containers/0/image', 'busybox:1.37'],
      ...versionLabelPaths(plain, 'digest-worker', 'sha256-0123456789ab').map(p => [p, 'sha256-fedcba987654'] as [string, unknown]),
    ]);
    expect(entries(changes)).toEqual(entries(expected));
  });

  test('keeps a replica count from a values file an integer, however large', () => {
    // GIVEN a values file: Helm reads its numbers as floats, which print as 1e+06 unless converted
    const app = build();
    const dir = writeChart(app);
    const file = path.join(workspace(), 'large.yaml');
    fs.writeFileSync(file, 'workloads:\n  templated-config:\n    replicas: 1000000\n');
    const changes = changedLeaves(sorted(app.toJson()), helmTemplate(app, dir, ['-f', file]));
    expect(entries(changes)).toEqual([['Deployment/edge-ns/templated-config/spec/replicas', 1000000]]);
  });

  test('fails helm template when maxReplicas is below minReplicas', () => {
    const app = build();
    const dir = writeChart(app);
    const r = tryRun(helmBin(), ['template', 'edge', dir, '--set', 'workloads.digest-worker.autoscaling.minReplicas=5']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('workloads.digest-worker.autoscaling.maxReplicas must be >= workloads.digest-worker.autoscaling.minReplicas');
  });

  test('fails helm template when an image has neither tag nor digest', () => {
    const app = build();
    const dir = writeChart(app);
    const ok = tryRun(helmBin(), ['template', 'edge', dir, '--set', 'workloads.both.image.tag=']);
    expect(ok.status).toBe(0); // the digest still pins it
    const r = tryRun(helmBin(), ['template', 'edge', dir, '--set', 'workloads.digest-worker.image.digest=']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("values don't meet the specifications of the schema");
  });

  test('uses the chart version it is given, and refuses one that is not SemVer', () => {
    const app = build();
    expect(YAML.parse(helmChart(app, { chartVersion: '1.2.0-rc.1' })['Chart.yaml'])).toMatchObject({ version: '1.2.0-rc.1', appVersion: '1.10' });
    expect(() => helmChart(app, { chartVersion: '1.2' })).toThrow(MicroserviceConfigError);
    expect(() => helmChart(app, { chartVersion: '1.2' })).toThrow(/\[edge\] helmChart\(\): 'chartVersion' '1.2' is not a SemVer 2 version/);
  });
});

describe('the Helm chart of an app whose canary autoscales', () => {
  test('renders exactly the plain output, the canary\'s autoscaler included, and lints', () => {
    // GIVEN an autoscaled service with a canary whose share of the ceiling is above its floor
    for (const mesh of [undefined, 'istio' as const]) {
      const app = new MicroserviceApp(Testing.app(), 'canaries', { mesh });
      new ObservedService(app, 'api', { image: 'ghcr.io/acme/api:1.0.0', autoscaling: { minReplicas: 3, maxReplicas: 30 }, canary: { image: 'ghcr.io/acme/api:1.1.0', weight: 20 } });
      const dir = writeChart(app);
      // THEN helm renders what the app synthesizes
      const plain = sorted(app.toJson());
      expect(plain.some(o => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === 'api-canary')).toBe(true);
      expect(helmTemplate(app, dir)).toEqual(plain);
      expect(tryRun(helmBin(), ['lint', '--strict', dir]).status).toBe(0);
    }
  });
});

describe('splitImage', () => {
  test.each([
    ['nginx:1.27', { registry: '', repository: 'nginx', tag: '1.27', digest: '' }],
    ['nginxinc/nginx-unprivileged:1.27.3-alpine', { registry: '', repository: 'nginxinc/nginx-unprivileged', tag: '1.27.3-alpine', digest: '' }],
    ['localhost/app:1', { registry: 'localhost', repository: 'app', tag: '1', digest: '' }],
    ['localhost:5000/app', { registry: 'localhost:5000', repository: 'app', tag: '', digest: '' }],
    ['my.registry:443/a/b/c:v1@' + DIGEST_A, { registry: 'my.registry:443', repository: 'a/b/c', tag: 'v1', digest: DIGEST_A }],
    ['ghcr.io/acme/x@' + DIGEST_A, { registry: 'ghcr.io', repository: 'acme/x', tag: '', digest: DIGEST_A }],
  ])('splits %s', (image, parts) => {
    expect(splitImage(image)).toEqual(parts);
    expect(joinImage(splitImage(image))).toBe(image);
  });
});

describe('escapeTemplateText', () => {
  test('turns every {{ and }} into an action that prints it', () => {
    expect(escapeTemplateText('a {{ b }} c')).toBe('a {{ "{{" }} b {{ "}}" }} c');
    expect(escapeTemplateText('{{{x}}}')).toBe('{{ "{{" }}{x{{ "}}" }}}');
    expect(escapeTemplateText('no braces { } here')).toBe('no braces { } here');
  });
});

describe('cdk8s-ms helm --out', () => {
  // GIVEN a charts folder of a repository: its README, a chart another team keeps there, git's files
  const FOREIGN: Record<string, string> = {
    '.git/HEAD': 'ref: refs/heads/main\n',
    'README.md': '# charts\n',
    'billing/Chart.yaml': 'apiVersion: v2\nname: billing\nversion: 1.0.0\n',
  };
  let out: string;
  beforeEach(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ms-helm-out-'));
    for (const [f, c] of Object.entries(FOREIGN)) {
      fs.mkdirSync(path.dirname(path.join(out, f)), { recursive: true });
      fs.writeFileSync(path.join(out, f), c);
    }
  });
  afterEach(() => fs.rmSync(out, { recursive: true, force: true }));

  /** Runs `cdk8s-ms helm` on an app file that builds the named apps. */
  function helmCli(...apps: string[]): { code: number; out: string; err: string } {
    const file = path.join(out, '..', `${path.basename(out)}-${apps.join('-')}.ts`);
    fs.writeFileSync(file, `import { MicroserviceApp, ObservedService } from '${path.join(__dirname, '..', 'lib')}';
export function build(scope: any) { for (const a of ${JSON.stringify(apps)}) new ObservedService(new MicroserviceApp(scope, a), 'api', { image: 'ghcr.io/acme/api:1.0.0' }); }\n`);
    let stdout = '';
    let stderr = '';
    try {
      const code = main(['helm', '--app', file, '--out', out], { out: t => { stdout += t; }, err: t => { stderr += t; } });
      return { code, out: stdout, err: stderr };
    } finally {
      fs.rmSync(file);
    }
  }
  const contents = () => Object.fromEntries((fs.readdirSync(out, { recursive: true }) as string[])
    .filter(f => fs.statSync(path.join(out, f)).isFile()).map(f => [f, fs.readFileSync(path.join(out, f), 'utf8')]));

  test('keeps every file it did not write and removes the chart of an app no longer built', () => {
    expect(helmCli('shop', 'blog').code).toBe(0);
    expect(fs.existsSync(path.join(out, 'blog', 'Chart.yaml'))).toBe(true);
    expect(fs.readFileSync(path.join(out, '.cdk8s-ms-helm.sha256'), 'utf8')).toContain('  shop/values.yaml\n');
    // WHEN blog is no longer built
    const r = helmCli('shop');
    // THEN its chart goes, nothing else
    expect(r.code).toBe(0);
    expect(r.out).toContain(`removed ${path.join(out, 'blog')}: `);
    expect(fs.existsSync(path.join(out, 'blog'))).toBe(false);
    expect(fs.existsSync(path.join(out, 'shop', 'Chart.yaml'))).toBe(true);
    expect(contents()).toMatchObject(FOREIGN);
  });

  test('refuses a file in the way that it did not write, naming it, and writes nothing', () => {
    fs.mkdirSync(path.join(out, 'shop'));
    fs.writeFileSync(path.join(out, 'shop', 'Chart.yaml'), 'apiVersion: v2\nname: shop\nversion: 9.9.9\n');
    const before = contents();
    const r = helmCli('shop');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`error: cdk8s-ms helm: refusing to write into ${out}: a path in the way was not written by cdk8s-ms helm`);
    expect(r.err).toContain('  shop/Chart.yaml (not written by cdk8s-ms helm, other content)\n');
    expect(contents()).toEqual(before);
  });
});
