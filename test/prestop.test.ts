import { BatchJob, MicroserviceApp, ObservedService, ScaledWorker, StatefulService } from '../lib';
import { shellLessImage } from '../lib/pod/shell-less';
import { validateManifests } from '../lib/tools/index';
import { warningsOf } from '../lib/warnings';
import { Manifest, READY, container, expectConfigError, find, synth, testApp } from './helpers';

// Issue 20, item 6: graceful shutdown without a `sleep` binary. The preStop hook is the
// kubelet's own sleep action on Kubernetes 1.30 and later (`kubernetesVersion`), `exec: sleep`
// before, with a warning where the image is known to have no sleep binary.

const IMAGE = 'ghcr.io/acme/api:1.0.0';
const DISTROLESS = 'gcr.io/distroless/static-debian12:nonroot';
const lifecycle = (objects: Manifest[], name: string) => container(find(objects, 'Deployment', name)).lifecycle;

describe('kubernetesVersion', () => {
  test.each([
    [undefined, '1.28'], ['1.28', '1.28'], ['1.29', '1.29'], ['1.30', '1.30'], ['1.36', '1.36'], ['1.30.4', '1.30'], ['v1.31', '1.31'],
  ])('takes %p as %p', (given, resolved) => {
    expect(testApp('shop', { kubernetesVersion: given }).shop.kubernetesVersion).toBe(resolved);
  });

  test.each<[string, unknown, string]>([
    ['a number (1.30 is 1.3)', 1.30, "[shop] 'kubernetesVersion' must be a string such as '1.30', got the number 1.3: write it in quotes (the number 1.30 is 1.3)"],
    ['a version before the output\'s API', '1.27', "[shop] 'kubernetesVersion' must be '1.28' to '1.36', got '1.27': the output uses the Kubernetes 1.28 API, which an older API server does not fully know: upgrade the cluster"],
    ['a version the library does not know', '1.37', "[shop] 'kubernetesVersion' must be '1.28' to '1.36', got '1.37': the library knows Kubernetes up to 1.36: give '1.36' (what it emits for 1.36 also holds later)"],
    ['another major version', '2.0', "[shop] 'kubernetesVersion' must be '1.28' to '1.36', got '2.0': the library knows Kubernetes up to 1.36: give '1.36' (what it emits for 1.36 also holds later)"],
    ['no version', 'latest', "[shop] 'kubernetesVersion' must be a Kubernetes version '<major>.<minor>', '1.28' to '1.36', got 'latest': for example '1.30' (what 'kubectl version' reports as the server's)"],
    ['a bare minor', '30', "[shop] 'kubernetesVersion' must be a Kubernetes version '<major>.<minor>', '1.28' to '1.36', got '30': for example '1.30' (what 'kubectl version' reports as the server's)"],
  ])('refuses %s', (_what, kubernetesVersion, message) => {
    expectConfigError(() => testApp('shop', { kubernetesVersion: kubernetesVersion as string }), message);
  });

  test('a misspelt name is refused with the nearest prop', () => {
    expectConfigError(() => testApp('shop', { kubernetesVerison: '1.30' } as any), "[shop] 'kubernetesVerison' is not a known prop: did you mean 'kubernetesVersion'?");
  });
});

describe('the preStop hook by Kubernetes version', () => {
  test.each([['1.28'], ['1.29']])('on %s: exec sleep in the container (the sleep action is absent, or alpha and off)', kubernetesVersion => {
    const { shop } = testApp('shop', { kubernetesVersion });
    new ObservedService(shop, 'api', { image: IMAGE, probes: READY });
    expect(lifecycle(synth(shop), 'api')).toEqual({ preStop: { exec: { command: ['sleep', '5'] } } });
  });

  test.each([['1.30'], ['1.34'], ['1.36']])('on %s: the kubelet\'s sleep action, on every workload that waits, none where there is no wait', kubernetesVersion => {
    const { shop } = testApp('shop', { kubernetesVersion });
    new ObservedService(shop, 'api', { image: IMAGE, probes: READY, shutdown: { preStopSleepSeconds: 12, terminationGracePeriodSeconds: 40 } });
    new ObservedService(shop, 'quick', { image: IMAGE, probes: READY, shutdown: { preStopSleepSeconds: 0 } });
    new ScaledWorker(shop, 'mailer', { image: IMAGE, probes: { liveness: false } });
    new StatefulService(shop, 'db', { image: IMAGE, probes: READY, storage: { size: '1Gi', mountPath: '/data' } });
    new BatchJob(shop, 'migrate', { image: IMAGE });
    const objects = synth(shop);
    expect(lifecycle(objects, 'api')).toEqual({ preStop: { sleep: { seconds: 12 } } });
    expect(lifecycle(objects, 'quick')).toBeUndefined();
    expect(lifecycle(objects, 'mailer')).toEqual({ preStop: { sleep: { seconds: 5 } } });
    expect(find(objects, 'StatefulSet', 'db').spec.template.spec.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } } });
    // a Job's pod ends by itself: no wait
    expect(objects.find(o => o.kind === 'Job')!.spec.template.spec.containers[0].lifecycle).toBeUndefined();
  });

  test('a canary track gets the same hook as the stable one', () => {
    const { shop } = testApp('shop', { kubernetesVersion: '1.30' });
    new ObservedService(shop, 'api', { image: IMAGE, probes: READY, replicas: 4, canary: { image: 'ghcr.io/acme/api:1.1.0', weight: 25 } });
    expect(lifecycle(synth(shop), 'api-canary')).toEqual({ preStop: { sleep: { seconds: 5 } } });
  });

  test('the sleep action is written the same when cdk8s renders the object itself (CDK8S_DISABLE_SORT)', () => {
    const { shop } = testApp('shop', { kubernetesVersion: '1.30' });
    new ObservedService(shop, 'api', { image: IMAGE, probes: READY });
    process.env.CDK8S_DISABLE_SORT = '1';
    try {
      expect(lifecycle(synth(shop), 'api')).toEqual({ preStop: { sleep: { seconds: 5 } } });
    } finally {
      delete process.env.CDK8S_DISABLE_SORT;
    }
  });

  test('the Kubernetes 1.28 schema has no sleep action: validation against it reports the field (why the example apps stay on 1.28)', () => {
    const at = (kubernetesVersion: string) => {
      const { shop } = testApp('shop', { kubernetesVersion });
      new ObservedService(shop, 'api', { image: IMAGE, probes: READY });
      return validateManifests(synth(shop)).findings.filter(f => f.severity === 'error').map(f => `${f.rule} ${f.object} ${f.path}`);
    };
    expect(at('1.28')).toEqual([]);
    expect(at('1.30')).toEqual(['schema-unknown-field Deployment/shop/api /spec/template/spec/containers/0/lifecycle/preStop/sleep']);
  });
});

describe('images with no sleep binary', () => {
  test.each([
    [DISTROLESS, 'a Google distroless image'],
    ['gcr.io/distroless/base@sha256:' + 'a'.repeat(64), 'a Google distroless image'],
    ['mcr.microsoft.com/azurelinux/distroless/base:3.0', 'a distroless image'],
    ['docker.io/istio/proxyv2:1.22.0-distroless', 'a distroless image'],
    ['cgr.dev/chainguard/static@sha256:' + 'b'.repeat(64), "Chainguard's static image"],
    ['mcr.microsoft.com/dotnet/runtime-deps:8.0-jammy-chiseled', 'an Ubuntu chiseled image'],
  ])('%s is recognized as %s', (image, what) => expect(shellLessImage(image)).toBe(what));

  test.each([
    ['gcr.io/distroless/static-debian12:debug-nonroot'], ['cgr.dev/chainguard/static:latest-dev'], ['cgr.dev/chainguard/wolfi-base:latest'],
    ['docker.io/library/alpine:3.20'], ['nginxinc/nginx-unprivileged:1.27.3-alpine'], ['ghcr.io/acme/distroless-tools:1.0.0'],
  ])('%s is not: it has a shell, or its name says nothing', image => expect(shellLessImage(image)).toBeUndefined());

  test('exec sleep in a distroless image is warned with the fix; the sleep action (1.30) or no wait is not', () => {
    const old = testApp();
    new ObservedService(old.shop, 'api', { image: DISTROLESS, probes: READY });
    new ObservedService(old.shop, 'quick', { image: DISTROLESS, probes: READY, shutdown: { preStopSleepSeconds: 0 } });
    new ObservedService(old.shop, 'shell', { image: IMAGE, probes: READY });
    expect(warningsOf(old.app)).toEqual([
      "[shop/api] the preStop hook runs 'sleep 5', but 'gcr.io/distroless/static-debian12:nonroot' is a Google distroless image, which has no sleep binary: the hook fails (a FailedPreStopHook event) and the container gets SIGTERM while traffic still arrives. On a cluster of Kubernetes 1.30 or later set kubernetesVersion: '1.30' (or the cluster's version) on the app, which uses the kubelet's own sleep action; else set shutdown: { preStopSleepSeconds: 0 } and have the app keep serving for a few seconds after SIGTERM",
    ]);
    const current = testApp('shop', { kubernetesVersion: '1.31' });
    new ObservedService(current.shop, 'api', { image: DISTROLESS, probes: READY });
    expect(warningsOf(current.app)).toEqual([]);
  });

  test('the warning names the workload of every kind', () => {
    const { app, shop } = testApp();
    new ScaledWorker(shop, 'mailer', { image: 'cgr.dev/chainguard/static@sha256:' + 'c'.repeat(64), probes: { liveness: false } });
    new StatefulService(shop, 'db', { image: DISTROLESS, probes: READY, storage: { size: '1Gi', mountPath: '/data' } });
    expect(warningsOf(app).map(w => w.slice(0, w.indexOf(']') + 1))).toEqual(['[shop/mailer]', '[shop/db]']);
    expect(warningsOf(app)[0]).toContain("is Chainguard's static image, which has no sleep binary");
  });
});

test('MicroserviceApp exposes the version its workloads render for', () => {
  const { shop } = testApp('shop', { kubernetesVersion: '1.32' });
  expect(shop).toBeInstanceOf(MicroserviceApp);
  expect(shop.kubernetesVersion).toBe('1.32');
});
