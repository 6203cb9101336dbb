import { Construct } from 'constructs';
import { BatchJob, ObservedService, PodProps, ScaledWorker, StatefulService, Workload } from '../lib';
import { Manifest, synth, testApp } from './helpers';

// The pod props hold on every workload kind: each kind composes the same pod pieces.
type Kind = [string, (scope: Construct, props: PodProps) => Workload, (objects: Manifest[]) => any];
const IMAGE = 'ghcr.io/acme/app:1.0.0';
const podOf = (kind: string, name = 'app') => (objects: Manifest[]) => {
  const o = objects.find(x => x.kind === kind && (x.metadata.name === name || x.metadata.labels?.['app.kubernetes.io/name'] === name))!;
  return kind === 'CronJob' ? o.spec.jobTemplate.spec.template : o.spec.template;
};
const KINDS: Kind[] = [
  ['ObservedService', (s, p) => new ObservedService(s, 'app', { image: IMAGE, ...p }), podOf('Deployment')],
  ['ScaledWorker', (s, p) => new ScaledWorker(s, 'app', { image: IMAGE, ...p }), podOf('Deployment')],
  ['StatefulService', (s, p) => new StatefulService(s, 'app', { image: IMAGE, storage: { size: '1Gi', mountPath: '/data' }, ...p }), podOf('StatefulSet')],
  ['BatchJob (Job)', (s, p) => new BatchJob(s, 'app', { image: IMAGE, ...p }), podOf('Job')],
  ['BatchJob (CronJob)', (s, p) => new BatchJob(s, 'app', { image: IMAGE, schedule: '@hourly', ...p }), podOf('CronJob')],
];

describe.each(KINDS)('the pod of a %s', (_kind, make, pod) => {
  const build = (props: PodProps) => {
    const { shop } = testApp();
    make(shop, props);
    return pod(synth(shop));
  };

  test('runs as the given user, with fsGroup so volumes are writable, still non-root', () => {
    const p = build({ user: { uid: 999, gid: 998 } });
    expect(p.spec.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 998, fsGroup: 998, runAsNonRoot: true });
    expect(p.spec.containers[0].securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 998, runAsNonRoot: true, readOnlyRootFilesystem: true });
    // gid defaults to the uid
    expect(build({ user: { uid: 70 } }).spec.securityContext).toMatchObject({ runAsUser: 70, runAsGroup: 70, fsGroup: 70 });
  });

  test('mounts writable paths, existing claims and Secret files; reads env from ConfigMaps', () => {
    const p = build({
      writablePaths: ['/var/run/app', '/var/cache/app/'],
      claims: [{ claimName: 'shared-uploads', mountPath: '/uploads', readOnly: true }],
      secretFiles: [{ secretName: 'tls', mountPath: '/etc/tls', keys: ['tls.crt', 'tls.key'] }],
      configMapEnv: { REGION: { configMapName: 'settings', key: 'region' } },
    });
    const c = p.spec.containers[0];
    expect(c.volumeMounts).toEqual(expect.arrayContaining([
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'writable-1', mountPath: '/var/run/app' },
      { name: 'writable-2', mountPath: '/var/cache/app' },
      { name: 'claim-1', mountPath: '/uploads', readOnly: true },
      { name: 'secret-1', mountPath: '/etc/tls', readOnly: true },
    ]));
    expect(p.spec.volumes).toEqual(expect.arrayContaining([
      { name: 'writable-1', emptyDir: { sizeLimit: '256Mi' } },
      { name: 'claim-1', persistentVolumeClaim: { claimName: 'shared-uploads', readOnly: true } },
      { name: 'secret-1', secret: { secretName: 'tls', defaultMode: 0o440, items: [{ key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }] } },
    ]));
    expect(c.env).toContainEqual({ name: 'REGION', valueFrom: { configMapKeyRef: { name: 'settings', key: 'region' } } });
  });

  test('runs init containers with the same security, mounts and default resources', () => {
    const p = build({ user: { uid: 999 }, writablePaths: ['/work'], initContainers: [{ name: 'fetch', image: 'ghcr.io/acme/fetch:1.0.0', args: ['--to=/work'] }] });
    const [init] = p.spec.initContainers;
    const main = p.spec.containers[0];
    expect(init).toMatchObject({ name: 'fetch', image: 'ghcr.io/acme/fetch:1.0.0', args: ['--to=/work'], imagePullPolicy: 'IfNotPresent' });
    expect(init.securityContext).toEqual(main.securityContext);
    expect(init.volumeMounts).toEqual(main.volumeMounts);
    expect(init.resources).toEqual({ requests: { 'cpu': '100m', 'memory': '128Mi', 'ephemeral-storage': '256Mi' }, limits: { 'cpu': '200m', 'memory': '256Mi', 'ephemeral-storage': '512Mi' } });
  });

  test('pulls with imagePullSecrets, schedules with a priority class, and carries extra pod labels and annotations', () => {
    const p = build({ imagePullSecrets: ['ghcr-pull'], priorityClassName: 'batch-low', podLabels: { team: 'payments' }, podAnnotations: { 'example.com/owner': 'payments' } });
    expect(p.spec).toMatchObject({ imagePullSecrets: [{ name: 'ghcr-pull' }], priorityClassName: 'batch-low' });
    expect(p.metadata.labels).toMatchObject({ 'team': 'payments', 'app.kubernetes.io/name': 'app' });
    expect(p.metadata.annotations).toMatchObject({ 'example.com/owner': 'payments', 'kubectl.kubernetes.io/default-container': 'app' });
  });
});

describe('sidecars', () => {
  test('run beside the main container of long-running workloads with its security and mounts', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'api', {
      image: IMAGE,
      sidecars: [{ name: 'proxy', image: 'ghcr.io/acme/proxy:1.0.0', ports: [{ name: 'admin', port: 9901 }], probes: { readiness: { httpPath: '/ready' }, liveness: { tcp: true } } }],
    });
    const pod = synth(shop).find(o => o.kind === 'Deployment')!.spec.template.spec;
    expect(pod.containers.map((c: any) => c.name)).toEqual(['api', 'proxy']);
    expect(pod.containers[1]).toMatchObject({
      ports: [{ name: 'admin', containerPort: 9901, protocol: 'TCP' }],
      readinessProbe: { httpGet: { path: '/ready', port: 'admin' } },
      livenessProbe: { tcpSocket: { port: 'admin' } },
      securityContext: pod.containers[0].securityContext,
      volumeMounts: pod.containers[0].volumeMounts,
    });
  });

  test('and Services get extra labels and annotations', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'api', { image: IMAGE, serviceLabels: { tier: 'edge' }, serviceAnnotations: { 'service.beta.kubernetes.io/aws-load-balancer-internal': 'true' } });
    const svc = synth(shop).find(o => o.kind === 'Service')!;
    expect(svc.metadata.labels).toMatchObject({ 'tier': 'edge', 'app.kubernetes.io/name': 'api' });
    expect(svc.metadata.annotations).toEqual({ 'service.beta.kubernetes.io/aws-load-balancer-internal': 'true' });
  });
});

describe('extra containers and env', () => {
  test('a sidecar mounts only the mount paths it names', () => {
    const { shop } = testApp();
    new StatefulService(shop, 'db', {
      image: IMAGE, storage: { size: '1Gi', mountPath: '/data' },
      secretFiles: [{ secretName: 'db', mountPath: '/run/secrets/db' }],
      sidecars: [{ name: 'exporter', image: IMAGE, mountPaths: ['/tmp', '/run/secrets/db/'] }],
    });
    const pod = synth(shop).find(o => o.kind === 'StatefulSet')!.spec.template.spec;
    expect(pod.containers[0].volumeMounts.map((m: any) => m.mountPath)).toEqual(['/tmp', '/data', '/run/secrets/db']);
    expect(pod.containers[1].volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }, { name: 'secret-1', mountPath: '/run/secrets/db', readOnly: true }]);
  });

  test('whole ConfigMaps become env with envFrom, with a prefix', () => {
    const { shop } = testApp();
    new ScaledWorker(shop, 'w', { image: IMAGE, envFromConfigMaps: [{ configMapName: 'settings', prefix: 'SETTINGS_' }, { configMapName: 'flags', optional: true }] });
    const c = synth(shop).find(o => o.kind === 'Deployment')!.spec.template.spec.containers[0];
    expect(c.envFrom).toEqual([{ configMapRef: { name: 'settings' }, prefix: 'SETTINGS_' }, { configMapRef: { name: 'flags', optional: true } }]);
  });

  test('tells alerts and dashboards which controller runs the pods', () => {
    const { shop } = testApp();
    const kinds = [
      new ObservedService(shop, 'a', { image: IMAGE }),
      new StatefulService(shop, 'b', { image: IMAGE, storage: { size: '1Gi', mountPath: '/data' } }),
      new BatchJob(shop, 'c', { image: IMAGE }),
      new BatchJob(shop, 'd', { image: IMAGE, schedule: '@daily' }),
    ].map(w => w.telemetry().controller);
    expect(kinds).toEqual(['Deployment', 'StatefulSet', 'Job', 'CronJob']);
  });
});
