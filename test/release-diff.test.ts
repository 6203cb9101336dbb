// Quiet diffs (issue 21 item 2): a release (one image tag) changes exactly the objects that run
// the image; a scale change (replicas, autoscaling or KEDA bounds) touches no dashboard or rule.
// Each test builds the same app twice, differing in one knob, and compares the objects.
import { DEFAULT_TAGS, ReleaseKnobs, buildReleaseApp } from './release-app';
import { Manifest, key } from './helpers';
import { diffManifests } from '../lib/tools/diff';

const VERSION = 'app.kubernetes.io/version';
const CONTROLLERS = ['Deployment', 'StatefulSet', 'Job', 'CronJob', 'ScaledJob'];

function objects(k: ReleaseKnobs): Map<string, Manifest> {
  return new Map(buildReleaseApp(k).toJson().map((o: Manifest) => [key(o), o]));
}

/** The keys of the objects added, removed or changed from `a` to `b`. */
function differing(a: Map<string, Manifest>, b: Map<string, Manifest>): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].filter(k => JSON.stringify(a.get(k)) !== JSON.stringify(b.get(k))).sort();
}

/** The keys of the objects that hold this image anywhere. */
function holding(objs: Map<string, Manifest>, image: string): string[] {
  return [...objs].filter(([, o]) => JSON.stringify(o).includes(`"${image}"`)).map(([k]) => k);
}

const IMAGES: Record<keyof typeof DEFAULT_TAGS, string> = {
  api: 'ghcr.io/acme/api', web: 'ghcr.io/acme/web', cart: 'ghcr.io/acme/cart', mailer: 'ghcr.io/acme/mailer', indexer: 'ghcr.io/acme/indexer',
  postgres: 'docker.io/library/postgres', report: 'ghcr.io/acme/report', canary: 'ghcr.io/acme/web',
};

describe.each([false, true])('an image release (mesh: %s)', mesh => {
  const before = objects({ mesh });
  const workloads = (Object.keys(DEFAULT_TAGS) as Array<keyof typeof DEFAULT_TAGS>).filter(w => mesh || w !== 'canary');

  test.each(workloads)('of %s changes exactly the objects that run its image', w => {
    // GIVEN the app, WHEN one tag moves
    const tag = `${DEFAULT_TAGS[w]}.1`;
    const after = objects({ mesh, tags: { [w]: tag } });
    // THEN what differs is what held the old image or holds the new one, and nothing else
    const expected = [...new Set([...holding(before, `${IMAGES[w]}:${DEFAULT_TAGS[w]}`), ...holding(after, `${IMAGES[w]}:${tag}`)])].sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(differing(before, after)).toEqual(expected);
    for (const k of expected) expect(CONTROLLERS).toContain(k.split('/')[0]);
  });

  test('of api moves the api Deployment and the migration Job that runs its image first, nothing else', () => {
    const after = objects({ mesh, tags: { api: '2.1.0' } });
    const changed = differing(before, after);
    expect(changed.filter(k => !k.startsWith('Job/'))).toEqual(['Deployment/shop/api']);
    // the Job is named after its content: the old one goes, the new one runs
    expect(changed.filter(k => k.startsWith('Job/'))).toHaveLength(2);
    const job = [...after.values()].find(o => o.kind === 'Job')!;
    expect(job.spec.template.spec.containers[0].image).toBe('ghcr.io/acme/api:2.1.0');
    expect(job.metadata.labels![VERSION]).toBe('2.1.0');
  });
});

describe('cdk8s-ms diff --summary', () => {
  const lines = (before: ReleaseKnobs, after: ReleaseKnobs) => diffManifests([...objects(after).values()], [...objects(before).values()]).map(d => d.summary);

  test('of a release: the Deployment, and the migration that runs its image replaced', () => {
    const summary = lines({}, { tags: { api: '2.1.0' } });
    expect(summary).toHaveLength(3);
    expect(summary[0]).toBe('shop/deployment/api: image 2.0.0 -> 2.1.0');
    expect(summary.slice(1).map(l => l.replace(/migrate-[0-9a-f]{10}/, 'migrate-*')).sort()).toEqual(['shop/job/migrate-*: added', 'shop/job/migrate-*: removed']);
  });

  test('of a scale change: one line', () => {
    expect(lines({}, { cartReplicas: 3 })).toEqual(['shop/deployment/cart: replicas 2 -> 3']);
  });
});

describe('the version label', () => {
  const objs = [...objects({ mesh: true }).values()];

  test('is on each controller that runs an image and its pod template, and on no other object of a workload', () => {
    for (const o of objs) {
      const labels = o.metadata.labels ?? {};
      const workload = labels['app.kubernetes.io/component'] !== undefined && !['Namespace'].includes(o.kind) && labels['app.kubernetes.io/instance'] !== 'shop';
      if (!workload) continue;
      if (CONTROLLERS.includes(o.kind)) {
        expect([o.metadata.name, labels[VERSION]]).toEqual([o.metadata.name, expect.any(String)]);
      } else {
        expect([key(o), labels[VERSION]]).toEqual([key(o), undefined]);
      }
    }
    const template = (o: Manifest) => o.spec.template ?? o.spec.jobTemplate?.spec.template ?? o.spec.jobTargetRef?.template;
    for (const o of objs.filter(x => CONTROLLERS.includes(x.kind))) {
      expect([key(o), template(o).metadata.labels[VERSION]]).toEqual([key(o), o.metadata.labels![VERSION]]);
    }
  });

  test("is the canary's own on its Deployment and pods, and not on its disruption budget", () => {
    const canary = objs.find(o => o.kind === 'Deployment' && o.metadata.name === 'web-canary')!;
    expect(canary.metadata.labels![VERSION]).toBe('1.4.0');
    expect(canary.spec.template.metadata.labels[VERSION]).toBe('1.4.0');
    const pdb = objs.find(o => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'web-canary');
    expect(pdb?.metadata.labels?.[VERSION]).toBeUndefined();
  });

  test('stays off the claim template of a StatefulSet, which the API server never lets change', () => {
    const set = objs.find(o => o.kind === 'StatefulSet')!;
    expect(set.spec.volumeClaimTemplates[0].metadata.labels[VERSION]).toBeUndefined();
    expect(set.spec.volumeClaimTemplates[0].metadata.labels['app.kubernetes.io/name']).toBe('postgres');
  });

  test('is in no selector', () => {
    const selectors: unknown[] = [];
    const walk = (n: any, k = '') => {
      if (n === null || typeof n !== 'object') return;
      if (k === 'selector' || k === 'matchLabels' || k === 'podSelector') selectors.push(n);
      for (const [kk, v] of Object.entries(n)) walk(v, kk);
    };
    objs.forEach(o => walk(o));
    expect(selectors.length).toBeGreaterThan(10);
    expect(JSON.stringify(selectors)).not.toContain(VERSION);
  });
});

describe('a scale change', () => {
  const before = objects({});
  const scaled: Array<[string, ReleaseKnobs, string[]]> = [
    ['cart 2 -> 3 replicas', { cartReplicas: 3 }, ['Deployment/shop/cart']],
    ['postgres 1 -> 2 replicas', { postgresReplicas: 2 }, ['PodDisruptionBudget/shop/postgres', 'StatefulSet/shop/postgres']],
    ['the api autoscaler 2-10 -> 3-12', { api: { minReplicas: 3, maxReplicas: 12 } }, ['HorizontalPodAutoscaler/shop/api']],
    ['the mailer KEDA bounds 0-20 -> 1-30', { mailer: { minReplicas: 1, maxReplicas: 30 } }, ['ScaledObject/shop/mailer']],
    ['the indexer ScaledJob max 5 -> 8', { indexerMaxReplicas: 8 }, ['ScaledJob/shop/indexer']],
  ];

  test.each(scaled)('(%s) changes the scaled object and no dashboard or rule', (_what, knobs, expected) => {
    const after = objects(knobs);
    const changed = differing(before, after);
    expect(changed).toEqual(expected);
    expect(changed.filter(k => k.startsWith('ConfigMap/') || k.startsWith('PrometheusRule/'))).toEqual([]);
  });
});
