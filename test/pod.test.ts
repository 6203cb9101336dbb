import { Construct } from 'constructs';
import { BatchJob, ObservedService, PodProps, ScaledWorker, StatefulService, Workload } from '../lib';
import { warningsOf } from '../lib/warnings';
import { Manifest, expectConfigError, synth, testApp } from './helpers';

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

  test('mounts Secret keys under the file names a map gives (the volume\'s items), and the list form keeps key names', () => {
    const p = build({
      secretFiles: [
        { secretName: 'jwt-key', mountPath: '/tmp/.ssh', keys: { 'jwtRS256.key': 'privatekey', 'jwtRS256.key.pub': 'publickey' } },
        { secretName: 'ca', mountPath: '/etc/ca', keys: { 'ca.crt': 'certs/ca.crt' }, optional: true },
        { secretName: 'tls', mountPath: '/etc/tls', keys: ['tls.crt'] },
      ],
    });
    expect(p.spec.volumes).toEqual(expect.arrayContaining([
      { name: 'secret-1', secret: { secretName: 'jwt-key', defaultMode: 0o440, items: [{ key: 'jwtRS256.key', path: 'privatekey' }, { key: 'jwtRS256.key.pub', path: 'publickey' }] } },
      { name: 'secret-2', secret: { secretName: 'ca', defaultMode: 0o440, optional: true, items: [{ key: 'ca.crt', path: 'certs/ca.crt' }] } },
      { name: 'secret-3', secret: { secretName: 'tls', defaultMode: 0o440, items: [{ key: 'tls.crt', path: 'tls.crt' }] } },
    ]));
    // /tmp/.ssh inside the writable /tmp: a mount on a mount, as Bank of Anthos has it
    expect(p.spec.containers[0].volumeMounts).toEqual(expect.arrayContaining([{ name: 'tmp', mountPath: '/tmp' }, { name: 'secret-1', mountPath: '/tmp/.ssh', readOnly: true }]));
  });

  test('reads env from the pod\'s own fields (the downward API), before the library\'s telemetry variables', () => {
    const p = build({
      fieldEnv: {
        NAMESPACE: 'metadata.namespace', POD_IP: 'status.podIP', POD_IPS: 'status.podIPs', NODE: 'spec.nodeName', UID: 'metadata.uid',
        ACCOUNT: 'spec.serviceAccountName', HOST_IP: 'status.hostIP', POD: 'metadata.name',
        TEAM: "metadata.labels['app.kubernetes.io/part-of']", OWNER: "metadata.annotations['Example.com/Owner']",
        // the user's value wins over the library's OpenTelemetry variable of the same name
        OTEL_RESOURCE_ATTRIBUTES_NODE_NAME: 'status.hostIP',
      },
    });
    const env = p.spec.containers[0].env as Array<{ name: string; valueFrom?: any }>;
    const field = (name: string) => env.find(e => e.name === name)?.valueFrom?.fieldRef?.fieldPath;
    expect(field('NAMESPACE')).toBe('metadata.namespace');
    expect(field('POD_IP')).toBe('status.podIP');
    expect(field('POD_IPS')).toBe('status.podIPs');
    expect(field('TEAM')).toBe("metadata.labels['app.kubernetes.io/part-of']");
    expect(field('OWNER')).toBe("metadata.annotations['Example.com/Owner']");
    expect(env.find(e => e.name === 'NAMESPACE')).toEqual({ name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } });
    expect(env.filter(e => e.name === 'OTEL_RESOURCE_ATTRIBUTES_NODE_NAME')).toEqual([{ name: 'OTEL_RESOURCE_ATTRIBUTES_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } }]);
    expect(new Set(env.map(e => e.name)).size).toBe(env.length);
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

describe('refused pod input: Secret file names, downward API fields, env sources', () => {
  const api = (props: PodProps & { env?: Record<string, unknown>; secretEnv?: Record<string, { secretName: string; key: string }> }) => () => new ObservedService(testApp().shop, 'api', { image: IMAGE, ...(props as any) });
  const files = (keys: unknown, extra: object = {}) => api({ secretFiles: [{ secretName: 'jwt-key', mountPath: '/keys', keys: keys as any, ...extra }] });
  const relative = "must be a file name relative to the mount path";
  test.each<[string, () => unknown, string]>([
    ['a key ..data', files({ '..data': 'x' }), "[shop/api] 'secretFiles[0].keys['..data']' must be a Secret data key, got '..data': a key must not start with '..' (the kubelet keeps its own '..data' link in the volume), and the API server refuses it; for example 'tls.crt'"],
    ['a listed key ..data', files(['..data']), "[shop/api] 'secretFiles[0].keys[0]' must be a Secret data key, got '..data': a key must not start with '..' (the kubelet keeps its own '..data' link in the volume), and the API server refuses it; for example 'tls.crt'"],
    ['a key .', files(['.']), "[shop/api] 'secretFiles[0].keys[0]' must be a Secret data key, got '.': a key must not be '.', and the API server refuses it; for example 'tls.crt'"],
    ['a key with a slash', files({ 'certs/ca.crt': 'ca.crt' }), "[shop/api] 'secretFiles[0].keys['certs/ca.crt']' must be a Secret data key (letters, digits, '-', '_' and '.'), got 'certs/ca.crt': for example 'tls.crt'"],
    ['a file name ..data', files({ 'tls.crt': '..data' }), `[shop/api] 'secretFiles[0].keys['tls.crt']' ${relative} not starting with '..' (the kubelet's own entries, such as ..data, start so), got '..data': for example 'publickey' or 'certs/ca.crt'`],
    ['a file name ..2024_01_01', files({ 'tls.crt': '..2024_01_01/tls.crt' }), `[shop/api] 'secretFiles[0].keys['tls.crt']' ${relative} not starting with '..' (the kubelet's own entries, such as ..data, start so), got '..2024_01_01/tls.crt': for example 'publickey' or 'certs/ca.crt'`],
    ['an absolute file name', files({ 'tls.crt': '/etc/passwd' }), `[shop/api] 'secretFiles[0].keys['tls.crt']' ${relative} (not absolute), got '/etc/passwd': for example 'publickey' or 'certs/ca.crt'`],
    ['a .. segment', files({ 'tls.crt': 'certs/../../x' }), `[shop/api] 'secretFiles[0].keys['tls.crt']' ${relative} without '..' segments, got 'certs/../../x': for example 'publickey' or 'certs/ca.crt'`],
    ['an empty file name', files({ 'tls.crt': '' }), `[shop/api] 'secretFiles[0].keys['tls.crt']' ${relative}, got '': for example 'publickey' or 'certs/ca.crt'`],
    ['an empty segment', files({ 'tls.crt': 'certs//tls.crt' }), `[shop/api] 'secretFiles[0].keys['tls.crt']' ${relative} without empty or '.' segments, got 'certs//tls.crt': for example 'publickey' or 'certs/ca.crt'`],
    ['a file name that is not a string', files({ 'tls.crt': true }), `[shop/api] 'secretFiles[0].keys['tls.crt']' ${relative}, got true: for example 'publickey' or 'certs/ca.crt'`],
    ['two keys on one file', files({ 'a.crt': 'cert', 'b.crt': 'cert' }), "[shop/api] 'secretFiles[0].keys' writes 'cert' twice (keys 'a.crt' and 'b.crt'): give each key its own file name"],
    ['a file that is also a directory', files({ 'a.crt': 'certs', 'b.crt': 'certs/b.crt' }), "[shop/api] 'secretFiles[0].keys' makes 'certs' both a file and a directory (keys 'a.crt' and 'b.crt'): rename one"],
    ['an empty map', files({}), "[shop/api] 'secretFiles[0].keys' must map at least one key to a file name, got {}: drop it to mount every key"],
    ['keys as a string', files('tls.crt'), "[shop/api] 'secretFiles[0].keys' must be a list of keys or a map of key to file name, got 'tls.crt': for example ['tls.crt'] or { 'jwtRS256.key.pub': 'publickey' }"],
    ['optional as a string', files(undefined, { optional: 'no' }), "[shop/api] 'secretFiles[0].optional' must be true or false, got 'no'"],
    ['all labels (a volume-only field)', api({ fieldEnv: { LABELS: 'metadata.labels' as any } }), "[shop/api] 'fieldEnv.LABELS' 'metadata.labels' is not a field the downward API offers to environment variables: all labels are offered only as a downwardAPI volume file: name one label, metadata.labels['<key>']; use one of 'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs', metadata.labels['<key>'] or metadata.annotations['<key>']"],
    ['the old spec.host', api({ fieldEnv: { NODE: 'spec.host' as any } }), "[shop/api] 'fieldEnv.NODE' 'spec.host' is not a field the downward API offers to environment variables: it is the old name of 'spec.nodeName': use that; use one of 'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs', metadata.labels['<key>'] or metadata.annotations['<key>']"],
    ['status.phase', api({ fieldEnv: { PHASE: 'status.phase' as any } }), "[shop/api] 'fieldEnv.PHASE' 'status.phase' is not a field the downward API offers to environment variables: the API server offers it to field selectors, not to env (and a running container is always Running); use one of 'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs', metadata.labels['<key>'] or metadata.annotations['<key>']"],
    ['a resource field', api({ fieldEnv: { CPUS: 'limits.cpu' as any } }), "[shop/api] 'fieldEnv.CPUS' 'limits.cpu' is not a field the downward API offers to environment variables: it is a container's resource (resourceFieldRef), which fieldEnv does not offer: give the value in 'env', the container's resources are fixed; use one of 'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs', metadata.labels['<key>'] or metadata.annotations['<key>']"],
    ['a typo', api({ fieldEnv: { NS: 'metadata.namspace' as any } }), "[shop/api] 'fieldEnv.NS' 'metadata.namspace' is not a field the downward API offers to environment variables; use one of 'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs', metadata.labels['<key>'] or metadata.annotations['<key>']"],
    ['a subscript on another field', api({ fieldEnv: { X: "spec.nodeName['a']" as any } }), "[shop/api] 'fieldEnv.X' 'spec.nodeName['a']' is not a field the downward API offers to environment variables: only metadata.labels and metadata.annotations take a ['<key>'] subscript; use one of 'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs', metadata.labels['<key>'] or metadata.annotations['<key>']"],
    ['an invalid label key', api({ fieldEnv: { TEAM: "metadata.labels['team name']" } }), "[shop/api] 'fieldEnv.TEAM' names a label 'team name' that is not a valid key: an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' and '.', for example metadata.labels['app.kubernetes.io/version']"],
    ['an empty annotation key', api({ fieldEnv: { A: "metadata.annotations['']" } }), "[shop/api] 'fieldEnv.A' names an annotation '' that is not a valid key: an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' and '.', for example metadata.annotations['app.kubernetes.io/version']"],
    ['a field that is not a string', api({ fieldEnv: { NS: { fieldPath: 'metadata.namespace' } as any } }), "[shop/api] 'fieldEnv.NS' must be a field of the pod as a string, got {\"fieldPath\":\"metadata.namespace\"}: one of 'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs', metadata.labels['<key>'] or metadata.annotations['<key>']"],
    ['fieldEnv as a list', api({ fieldEnv: ['metadata.namespace'] as any }), "[shop/api] 'fieldEnv' must map variable names to pod fields, got [\"metadata.namespace\"]: for example { NAMESPACE: 'metadata.namespace', POD_IP: 'status.podIP' }"],
    ['a downward API value in env', api({ env: { NAMESPACE: { fieldRef: { fieldPath: 'metadata.namespace' } } } }), "[shop/api] 'env.NAMESPACE' must be a string, got {\"fieldRef\":{\"fieldPath\":\"metadata.namespace\"}}: a value from the pod's own fields (the downward API) goes in fieldEnv: { NAMESPACE: 'metadata.namespace' }"],
    ['a whole valueFrom in env', api({ env: { POD_IP: { valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } } } }), "[shop/api] 'env.POD_IP' must be a string, got {\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"status.podIP\"}}}: a value from the pod's own fields (the downward API) goes in fieldEnv: { POD_IP: 'status.podIP' }"],
    ['a Secret key in env', api({ env: { DB_PASSWORD: { secretKeyRef: { name: 'db', key: 'password' } } } }), "[shop/api] 'env.DB_PASSWORD' must be a string, got {\"secretKeyRef\":{\"name\":\"db\",\"key\":\"password\"}}: a key of a Secret goes in secretEnv: { DB_PASSWORD: { secretName, key } }"],
    ['a ConfigMap key in env', api({ env: { REGION: { valueFrom: { configMapKeyRef: { name: 'settings', key: 'region' } } } } }), "[shop/api] 'env.REGION' must be a string, got {\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"settings\",\"key\":\"region\"}}}: a key of a ConfigMap goes in configMapEnv: { REGION: { configMapName, key } }"],
    ['a resource field in env', api({ env: { GOMAXPROCS: { resourceFieldRef: { resource: 'limits.cpu' } } } }), "[shop/api] 'env.GOMAXPROCS' must be a string, got {\"resourceFieldRef\":{\"resource\":\"limits.cpu\"}}: a container's resources (resourceFieldRef) are not offered; give the value itself, for example '2' for GOMAXPROCS with a cpu limit of 2"],
    ['a number in env', api({ env: { PORT: 8080 } }), "[shop/api] 'env.PORT' must be a string, got 8080: quote numbers and booleans, for example '8080'"],
    ['a name in env and fieldEnv', api({ env: { NAMESPACE: 'x' }, fieldEnv: { NAMESPACE: 'metadata.namespace' } }), "[shop/api] 'fieldEnv.NAMESPACE' is also set by 'env.NAMESPACE': each environment variable has one source; drop one of them"],
    ['a name in fieldEnv and secretEnv', api({ fieldEnv: { TOKEN: 'metadata.uid' }, secretEnv: { TOKEN: { secretName: 'api', key: 'token' } } }), "[shop/api] 'secretEnv.TOKEN' is also set by 'fieldEnv.TOKEN': each environment variable has one source; drop one of them"],
    ['a name in fieldEnv and configMapEnv', api({ fieldEnv: { REGION: 'spec.nodeName' }, configMapEnv: { REGION: { configMapName: 'settings', key: 'region' } } }), "[shop/api] 'configMapEnv.REGION' is also set by 'fieldEnv.REGION': each environment variable has one source; drop one of them"],
    ['a name in secretEnv and configMapEnv', api({ secretEnv: { REGION: { secretName: 'a', key: 'b' } }, configMapEnv: { REGION: { configMapName: 'settings', key: 'region' } } }), "[shop/api] 'configMapEnv.REGION' is also set by 'secretEnv.REGION': each environment variable has one source; drop one of them"],
    ['a fieldEnv name connectTo also sets', () => {
      const { shop } = testApp();
      const db = new ObservedService(shop, 'db', { image: IMAGE });
      new ObservedService(shop, 'api', { image: IMAGE, fieldEnv: { DB_URL: 'status.podIP' } }).connectTo(db);
    }, "[shop/api] 'connectTo.env' sets 'DB_URL' a second time: each environment variable must have one source (rename one, for example with connectTo(target, { env: 'OTHER_NAME' }))"],
    ['a downward API value through addEnv', () => new ObservedService(testApp().shop, 'api', { image: IMAGE }).addEnv('NS', { fieldRef: { fieldPath: 'metadata.namespace' } } as any),
      "[shop/api] 'addEnv.NS' must be a string, got {\"fieldRef\":{\"fieldPath\":\"metadata.namespace\"}}: a value from the pod's own fields (the downward API) goes in fieldEnv: { NS: 'metadata.namespace' }"],
  ])('refuses %s', (_what, build, message) => expectConfigError(build, message));

  test('status.hostIPs is accepted with a warning: the 1.28 API server refuses it (PodHostIPs is alpha there)', () => {
    const { app, shop } = testApp();
    new ObservedService(shop, 'api', { image: IMAGE, fieldEnv: { HOST_IPS: 'status.hostIPs' } });
    expect(warningsOf(app)).toEqual(["[shop/api] 'fieldEnv.HOST_IPS' reads status.hostIPs, which needs Kubernetes 1.29 or newer (the PodHostIPs feature gate is alpha and off in 1.28, whose API server refuses the pod): on 1.28 use status.hostIP"]);
  });
});
