import * as fs from 'node:fs';
import * as path from 'node:path';
import { BatchJob, MicroserviceApp, ObservedService, StatefulService } from '../lib';
import { helmChart } from '../lib/tools/helm';
import { Manifest, find, ofKind, parseObjects, synth, testApp } from './helpers';
import { helmBin, run, toolWorkspace } from './tools';

const WAVE = 'argocd.argoproj.io/sync-wave';
const workspace = toolWorkspace('batch-job', helmBin);

/** One release of a small app: a database, an API and its migration, with the given image tag. */
function release(tag: string, extraEnv: Record<string, string> = {}, mesh = false): MicroserviceApp {
  const { shop } = testApp('shop', { mesh: mesh ? 'istio' : undefined });
  const db = new StatefulService(shop, 'postgres', { image: 'docker.io/library/postgres:16.4', port: 5432, protocol: 'tcp', storage: { size: '1Gi', mountPath: '/data' } });
  const api = new ObservedService(shop, 'api', { image: `ghcr.io/acme/api:${tag}` });
  api.connectTo(db);
  const migrate = new BatchJob(shop, 'migrate', { image: `ghcr.io/acme/api:${tag}`, command: ['/app/migrate', 'up'], runBefore: [api], env: extraEnv });
  migrate.connectTo(db);
  return shop;
}

const jobOf = (objects: Manifest[]) => {
  const jobs = ofKind(objects, 'Job');
  expect(jobs).toHaveLength(1);
  return jobs[0];
};

describe('BatchJob', () => {
  test('a second release with a new image is a new Job, so it runs again; the same release is the same Job', () => {
    // GIVEN release 1.0.0 synthesized twice, and release 1.1.0
    const first = jobOf(synth(release('1.0.0')));
    const again = jobOf(synth(release('1.0.0')));
    const second = jobOf(synth(release('1.1.0')));
    // THEN the name is the id and a hash of the content: stable for one release, new for the next
    expect(first.metadata.name).toMatch(/^migrate-[0-9a-f]{10}$/);
    expect(again).toEqual(first);
    expect(second.metadata.name).not.toBe(first.metadata.name);
    expect(second.spec.template.spec.containers[0].image).toBe('ghcr.io/acme/api:1.1.0');
    // a template change without a new image (Jobs are immutable: any change) is a new Job too
    expect(jobOf(synth(release('1.0.0', { MIGRATE_LOCK_TIMEOUT: '30s' }))).metadata.name).not.toBe(first.metadata.name);
  });

  test('a connectTo() after the Job was made is in its name: the hash is taken at synth', () => {
    const shop = release('1.0.0');
    const before = jobOf(synth(shop)).metadata.name;
    const migrate = shop.node.findChild('migrate') as BatchJob;
    migrate.connectTo(new ObservedService(shop, 'cache', { image: 'ghcr.io/acme/cache:1.0.0' }));
    const objects = synth(shop);
    expect(jobOf(objects).metadata.name).not.toBe(before);
    expect(migrate.job!.name).toBe(jobOf(objects).metadata.name);
  });

  test('runs before its targets in Argo CD: a re-created Sync hook one wave after the database, the target one wave later', () => {
    const objects = synth(release('1.0.0'));
    expect(jobOf(objects).metadata.annotations).toEqual({
      'argocd.argoproj.io/hook': 'Sync',
      'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
      [WAVE]: '1',
    });
    expect(find(objects, 'Deployment', 'api').metadata.annotations).toEqual({ [WAVE]: '2' });
    // the database and everything else stay in wave 0: up and healthy before the migration
    expect(find(objects, 'StatefulSet', 'postgres').metadata.annotations).toBeUndefined();
    expect(jobOf(objects).spec).toMatchObject({ backoffLimit: 3, activeDeadlineSeconds: 3600, ttlSecondsAfterFinished: 86400 });
    expect(jobOf(objects).spec.template.spec).toMatchObject({ restartPolicy: 'Never' });
  });

  test('orders a chain of jobs made in any order: migrate, then seed, then api', () => {
    const { shop } = testApp();
    const api = new ObservedService(shop, 'api', { image: 'ghcr.io/acme/api:1.0.0' });
    const seed = new BatchJob(shop, 'seed', { image: 'ghcr.io/acme/api:1.0.0', runBefore: [api] });
    new BatchJob(shop, 'migrate', { image: 'ghcr.io/acme/api:1.0.0', runBefore: [seed] });
    const objects = synth(shop);
    const wave = (o: Manifest) => Number(o.metadata.annotations?.[WAVE]);
    const job = (name: string) => ofKind(objects, 'Job').find(j => j.metadata.labels!['app.kubernetes.io/name'] === name)!;
    expect([wave(job('migrate')), wave(job('seed')), wave(find(objects, 'Deployment', 'api'))]).toEqual([1, 2, 3]);
  });

  test('in the helm export, is a post-install and pre-upgrade hook with its ServiceAccount and policies one weight before (real helm)', () => {
    const shop = release('1.0.0');
    const dir = path.join(workspace(), 'shop');
    fs.rmSync(dir, { recursive: true, force: true });
    for (const [file, content] of Object.entries(helmChart(shop))) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), content);
    }
    const rendered = parseObjects(run(helmBin(), ['template', 'shop', dir]));
    const hooks = rendered.filter(o => o.metadata.annotations?.['helm.sh/hook']).map(o => [o.kind, o.metadata.name, o.metadata.annotations!['helm.sh/hook-weight']]);
    const job = jobOf(rendered);
    expect(hooks.sort()).toEqual([
      ['Job', job.metadata.name, '2'],
      ['NetworkPolicy', 'migrate.to.postgres', '1'],
      ['NetworkPolicy', 'postgres.from.migrate', '1'],
      ['ServiceAccount', 'migrate', '1'],
    ]);
    expect(job.metadata.annotations).toMatchObject({ 'helm.sh/hook': 'post-install,pre-upgrade', 'helm.sh/hook-delete-policy': 'before-hook-creation' });
    // helm without hooks leaves them out: they are not release objects
    const plain = parseObjects(run(helmBin(), ['template', 'shop', dir, '--no-hooks']));
    expect(ofKind(plain, 'Job')).toEqual([]);
    expect(plain.some(o => o.kind === 'Deployment' && o.metadata.name === 'api')).toBe(true);
  });

  test('in the mesh, its pod runs the proxy as a native sidecar so it can finish, and the database admits its identity', () => {
    const objects = synth(release('1.0.0', {}, true));
    const pod = jobOf(objects).spec.template;
    expect(pod.metadata.annotations).toMatchObject({ 'sidecar.istio.io/nativeSidecar': 'true', 'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts":true}' });
    expect(find(objects, 'AuthorizationPolicy', 'postgres').spec.rules[0].from[0].source.principals).toEqual(['cluster.local/ns/shop/sa/api', 'cluster.local/ns/shop/sa/migrate']);
    // services keep the classic sidecar
    expect(find(objects, 'Deployment', 'api').spec.template.metadata.annotations['sidecar.istio.io/nativeSidecar']).toBeUndefined();
  });

  test('with a schedule, is a CronJob that never overlaps, starts late at most 5 minutes and keeps 3 Jobs of each outcome', () => {
    const { shop } = testApp();
    new BatchJob(shop, 'report', { image: 'ghcr.io/acme/report:1.0.0', schedule: '0 3 * * *', timeZone: 'Europe/Berlin' });
    const cron = find(synth(shop), 'CronJob', 'report');
    expect(cron.spec).toMatchObject({
      schedule: '0 3 * * *', timeZone: 'Europe/Berlin', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 300,
      successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 3,
      jobTemplate: { spec: { backoffLimit: 3, activeDeadlineSeconds: 3600, template: { spec: { restartPolicy: 'Never', serviceAccountName: 'report' } } } },
    });
    const c = cron.spec.jobTemplate.spec.template.spec.containers[0];
    // no probes, no ports, no preStop wait: a Job's health is its exit code
    expect([c.livenessProbe, c.readinessProbe, c.startupProbe, c.ports, c.lifecycle]).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false });
  });
});
