// The Helm export releases safely (issue 21 item 3), checked with the real helm (3.17, from the
// kubectl Lambda layer): every workload kind's image is a value, a Job that runs before a
// workload with its image follows that workload's tag, KEDA and canary bounds are values, and a
// release with --set-string changes exactly what it should.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { BatchJob, MicroserviceApp, ObservedService } from '../lib';
import { helmChart } from '../lib/tools/helm';
import { podTemplateOf } from '../lib/tools/helm/plan';
import { Manifest, key, parseObjects, sorted } from './helpers';
import { buildReleaseApp } from './release-app';
import { helmBin, run, toolWorkspace, tryRun } from './tools';

const VERSION = 'app.kubernetes.io/version';
const HOOK_KEYS = ['helm.sh/hook', 'helm.sh/hook-weight', 'helm.sh/hook-delete-policy'];
const workspace = toolWorkspace('helm-release', helmBin);

function writeChart(app: MicroserviceApp): string {
  const dir = path.join(workspace(), app.node.id);
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [file, content] of Object.entries(helmChart(app))) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

function render(app: MicroserviceApp, dir: string, args: string[] = []): Manifest[] {
  return sorted(parseObjects(run(helmBin(), ['template', app.node.id, dir, ...args]))).map(o => {
    const annotations = Object.fromEntries(Object.entries(o.metadata.annotations ?? {}).filter(([k]) => !HOOK_KEYS.includes(k)));
    const { annotations: _a, ...metadata } = o.metadata;
    return { ...o, metadata: Object.keys(annotations).length ? { ...metadata, annotations } : metadata } as Manifest;
  });
}

/** Every leaf that differs between the objects of two lists, by `Kind/ns/name path`; objects only in one list as `+key`/`-key`. */
function changes(before: Manifest[], after: Manifest[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const a = new Map(before.map(o => [key(o), o]));
  const b = new Map(after.map(o => [key(o), o]));
  const walk = (prefix: string, x: any, y: any) => {
    if (x !== null && y !== null && typeof x === 'object' && typeof y === 'object') {
      for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) walk(`${prefix}/${k}`, x[k], y[k]);
    } else if (x !== y) {
      out[prefix] = y;
    }
  };
  for (const [k, o] of a) if (b.has(k)) walk(k, o, b.get(k));
  for (const k of a.keys()) if (!b.has(k)) out[`-${k}`] = true;
  for (const k of b.keys()) if (!a.has(k)) out[`+${k}`] = true;
  return out;
}

const byKind = (objects: Manifest[], kind: string, name?: string) => objects.find(o => o.kind === kind && (name === undefined || o.metadata.name === name || o.metadata.labels?.['app.kubernetes.io/name'] === name))!;
const imageOf = (o: Manifest) => podTemplateOf(o).spec.containers[0].image;

describe('the Helm chart of an app with every workload kind', () => {
  let app: MicroserviceApp;
  let dir: string;
  let plain: Manifest[];
  let values: any;
  beforeAll(() => {
    app = buildReleaseApp();
    // a Job without runBefore: a release object, not a hook
    new BatchJob(app, 'backfill', { image: 'ghcr.io/acme/backfill:1.0.0' });
    plain = sorted(app.toJson());
    dir = writeChart(app);
    values = YAML.parse(fs.readFileSync(path.join(dir, 'values.yaml'), 'utf8'));
  });

  test('lints and renders exactly the plain output with its default values', () => {
    expect(tryRun(helmBin(), ['lint', '--strict', dir]).status).toBe(0);
    expect(render(app, dir)).toEqual(plain);
  });

  test('has an image value for every Deployment, StatefulSet, Job, CronJob and ScaledJob, and the KEDA bounds', () => {
    const tag = (name: string) => values.workloads[name]?.image?.tag;
    expect(Object.fromEntries(['api', 'web', 'cart', 'mailer', 'indexer', 'postgres', 'report', 'backfill'].map(n => [n, tag(n)]))).toEqual({
      api: '2.0.0', web: '1.3.0', cart: '3.1.0', mailer: '0.9.0', indexer: '1.0.0', postgres: '16.4', report: '1.0.0', backfill: '1.0.0',
    });
    // the migration runs api's image before api: no image of its own, and no other value
    expect(values.workloads.migrate).toBeUndefined();
    expect(fs.readFileSync(path.join(dir, 'values.yaml'), 'utf8')).toContain('migrate runs the image of workloads.api.image');
    expect(values.workloads.api.autoscaling).toEqual({ minReplicas: 2, maxReplicas: 10 });
    expect(values.workloads.mailer.autoscaling).toEqual({ minReplicas: 0, maxReplicas: 20 });
    expect(values.workloads.indexer.autoscaling).toEqual({ minReplicas: 0, maxReplicas: 5 });
    expect([values.workloads.cart.replicas, values.workloads.postgres.replicas]).toEqual([2, 1]);
  });

  test("--set-string workloads.api.image.tag=2.5.0 moves the api and the migration that runs before it, and nothing else", () => {
    const rendered = render(app, dir, ['--set-string', 'workloads.api.image.tag=2.5.0']);
    const deployment = byKind(rendered, 'Deployment', 'api');
    const job = byKind(rendered, 'Job', 'migrate');
    expect([imageOf(deployment), imageOf(job)]).toEqual(['ghcr.io/acme/api:2.5.0', 'ghcr.io/acme/api:2.5.0']);
    // the hook keeps its name: Helm deletes the previous one before creating it (before-hook-creation)
    const plainJob = byKind(plain, 'Job', 'migrate');
    expect(job.metadata.name).toBe(plainJob.metadata.name);
    const d = `Deployment/shop/api`;
    const j = `Job/shop/${plainJob.metadata.name}`;
    expect(changes(plain, rendered)).toEqual({
      [`${d}/metadata/labels/${VERSION}`]: '2.5.0',
      [`${d}/spec/template/metadata/labels/${VERSION}`]: '2.5.0',
      [`${d}/spec/template/spec/containers/0/image`]: 'ghcr.io/acme/api:2.5.0',
      [`${j}/metadata/labels/${VERSION}`]: '2.5.0',
      [`${j}/spec/template/metadata/labels/${VERSION}`]: '2.5.0',
      [`${j}/spec/template/spec/containers/0/image`]: 'ghcr.io/acme/api:2.5.0',
    });
  });

  test.each([
    ['report', 'CronJob', '1.1.0', 'spec/jobTemplate/spec/template'],
    ['indexer', 'ScaledJob', '1.1.0', 'spec/jobTargetRef/template'],
    ['postgres', 'StatefulSet', '16.5', 'spec/template'],
    ['mailer', 'Deployment', '0.9.1', 'spec/template'],
  ])('a new tag of %s changes its %s image and version labels only', (name, kind, tag, template) => {
    const rendered = render(app, dir, ['--set-string', `workloads.${name}.image.tag=${tag}`]);
    const o = `${kind}/shop/${name}`;
    const repository = imageOf(byKind(plain, kind, name)).replace(/:[^:]+$/, '');
    const expected: Record<string, unknown> = {
      [`${o}/metadata/labels/${VERSION}`]: tag,
      [`${o}/${template}/metadata/labels/${VERSION}`]: tag,
      [`${o}/${template}/spec/containers/0/image`]: `${repository}:${tag}`,
    };
    // a CronJob's job template carries the labels too
    if (kind === 'CronJob') expected[`${o}/spec/jobTemplate/metadata/labels/${VERSION}`] = tag;
    expect(changes(plain, rendered)).toEqual(expected);
  });

  test('a Job that is a release object gets a new name with a new image (its pod template cannot change), the same name with its own', () => {
    const before = byKind(plain, 'Job', 'backfill');
    expect(before.metadata.annotations?.['helm.sh/hook']).toBeUndefined();
    const same = render(app, dir, ['--set-string', 'workloads.backfill.image.tag=1.0.0']);
    expect(byKind(same, 'Job', 'backfill').metadata.name).toBe(before.metadata.name);
    const rendered = render(app, dir, ['--set-string', 'workloads.backfill.image.tag=1.1.0']);
    const after = byKind(rendered, 'Job', 'backfill');
    expect(after.metadata.name).toMatch(/^backfill-[0-9a-f]{10}$/);
    expect(after.metadata.name).not.toBe(before.metadata.name);
    expect(imageOf(after)).toBe('ghcr.io/acme/backfill:1.1.0');
    // deterministic: the same values, the same name
    expect(byKind(render(app, dir, ['--set-string', 'workloads.backfill.image.tag=1.1.0']), 'Job', 'backfill').metadata.name).toBe(after.metadata.name);
    expect(Object.keys(changes(plain, rendered)).sort()).toEqual([`+Job/shop/${after.metadata.name}`, `-Job/shop/${before.metadata.name}`]);
  });

  test('the KEDA bounds of a ScaledObject and a ScaledJob are values', () => {
    const rendered = render(app, dir, ['--set', 'workloads.mailer.autoscaling.minReplicas=1', '--set', 'workloads.mailer.autoscaling.maxReplicas=30', '--set', 'workloads.indexer.autoscaling.maxReplicas=8']);
    expect(changes(plain, rendered)).toEqual({
      'ScaledObject/shop/mailer/spec/minReplicaCount': 1,
      'ScaledObject/shop/mailer/spec/maxReplicaCount': 30,
      'ScaledJob/shop/indexer/spec/maxReplicaCount': 8,
    });
  });

  test.each([
    ['a KEDA maximum below the minimum', ['workloads.mailer.autoscaling.minReplicas=5', 'workloads.mailer.autoscaling.maxReplicas=3'], 'workloads.mailer.autoscaling.maxReplicas must be >= workloads.mailer.autoscaling.minReplicas'],
    ["a KEDA maximum below the ScaledObject's fallback replicas", ['workloads.mailer.autoscaling.maxReplicas=8'], "workloads.mailer.autoscaling.maxReplicas must be >= 10, the ScaledObject's fallback replicas"],
    ['an autoscaler minimum of 0 (only KEDA scales to zero)', ['workloads.api.autoscaling.minReplicas=0'], "values don't meet the specifications of the schema"],
  ])('fails helm template on %s', (_what, sets, message) => {
    const r = tryRun(helmBin(), ['template', 'shop', dir, ...sets.flatMap(s => ['--set', s])]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(message);
  });
});

describe("the Helm chart of an app whose canary autoscales", () => {
  test("has the canary's bounds as values", () => {
    const app = new MicroserviceApp(Testing.app(), 'canaries', { mesh: 'istio' });
    new ObservedService(app, 'api', { image: 'ghcr.io/acme/api:1.0.0', autoscaling: { minReplicas: 3, maxReplicas: 30 }, canary: { image: 'ghcr.io/acme/api:1.1.0', weight: 20 } });
    const dir = writeChart(app);
    const values = YAML.parse(fs.readFileSync(path.join(dir, 'values.yaml'), 'utf8'));
    const plain = sorted(app.toJson());
    const hpa = byKind(plain, 'HorizontalPodAutoscaler', 'api-canary');
    expect(values.workloads.api.canary).toEqual({ autoscaling: { minReplicas: hpa.spec.minReplicas, maxReplicas: hpa.spec.maxReplicas } });
    const rendered = render(app, dir, ['--set', `workloads.api.canary.autoscaling.maxReplicas=${hpa.spec.maxReplicas + 4}`]);
    expect(changes(plain, rendered)).toEqual({ 'HorizontalPodAutoscaler/canaries/api-canary/spec/maxReplicas': hpa.spec.maxReplicas + 4 });
    expect(tryRun(helmBin(), ['lint', '--strict', dir]).status).toBe(0);
  });
});
