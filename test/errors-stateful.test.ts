import { Testing } from 'cdk8s';
import { BatchJob, BatchJobProps, MicroserviceApp, ObservedService, ScaledWorker, StatefulService, StatefulServiceProps } from '../lib';
import { expectConfigError, testApp } from './helpers';

// Bad input to the stateful, batch and pod props: one line naming the construct, the prop, the
// value and the fix, before anything is written.

const IMAGE = 'ghcr.io/acme/app:1.0.0';
const STORAGE = { size: '20Gi', mountPath: '/var/lib/data' };

const db = (props: Partial<StatefulServiceProps>) => () => new StatefulService(testApp().shop, 'db', { image: IMAGE, storage: STORAGE, ...props } as StatefulServiceProps);
const job = (props: Partial<BatchJobProps>) => () => new BatchJob(testApp().shop, 'job', { image: IMAGE, ...props });
const svc = (props: object) => () => new ObservedService(testApp().shop, 'api', { image: IMAGE, ...props });

const CRON_FIX = "use five fields 'minute hour day-of-month month day-of-week', for example '0 3 * * *' (03:00 every day), or a descriptor such as '@daily'";

describe('bad input to StatefulService', () => {
  test.each<[string, () => unknown, string]>([
    ['a size that is not a quantity', db({ storage: { ...STORAGE, size: '20GB' } }), "[shop/db] 'storage.size' must be a Kubernetes quantity of bytes such as '20Gi' or '500Mi', got '20GB'"],
    ['no storage', db({ storage: undefined }), "[shop/db] 'storage' is required: { size: '20Gi', mountPath: '/var/lib/app' }, got undefined"],
    ['a relative mount path', db({ storage: { ...STORAGE, mountPath: 'data' } }), "[shop/db] 'storage.mountPath' must be an absolute path other than '/', got 'data': for example '/var/lib/app'"],
    ['an unknown access mode', db({ storage: { ...STORAGE, accessModes: ['RWO' as any] } }), "[shop/db] 'storage.accessModes' must be a non-empty list of ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod, got [\"RWO\"]"],
    ['a storage class with capitals', db({ storage: { ...STORAGE, storageClassName: 'Fast' } }), "[shop/db] 'storage.storageClassName' must name a StorageClass (a DNS subdomain: lowercase letters, digits, '-' and '.', each part between dots starting and ending with a letter or digit), got 'Fast': for example 'premium-rwo'"],
    ['an unknown claim retention', db({ claimRetention: { whenDeleted: 'Keep' as any } }), "[shop/db] 'claimRetention.whenDeleted' must be 'Retain' or 'Delete', got 'Keep'"],
    ['autoscaling', db({ autoscaling: { maxReplicas: 3 } } as any), "[shop/db] 'autoscaling' is not supported on a StatefulService: each pod owns a volume, so set 'replicas' to the count the data layout needs"],
    ['a canary', db({ canary: { image: IMAGE } } as any), "[shop/db] 'canary' is not supported on a StatefulService: two tracks cannot share the pods' volumes"],
    ['an id too long for the headless Service and revision label', () => new StatefulService(testApp().shop, 'a'.repeat(53), { image: IMAGE, storage: STORAGE }),
      `[shop/${'a'.repeat(53)}] the id '${'a'.repeat(53)}' is not a valid name: use at most 52 lowercase letters, digits and '-', starting with a letter and ending with a letter or digit (for example 'catalog' or 'order-api')`],
    ['the storage mounted on a writable path too', db({ writablePaths: ['/var/lib/data'] }), "[shop/db] 'writablePaths' mounts '/var/lib/data', which 'storage.mountPath' already mounts: give each volume its own path"],
  ])('fails on %s', (_what, build, message) => expectConfigError(build, message));
});

describe('bad input to BatchJob', () => {
  test.each<[string, () => unknown, string]>([
    ['a schedule that is not cron', job({ schedule: 'every day at 3' }), `[shop/job] 'schedule' 'every day at 3' has 4 fields, not 5: ${CRON_FIX}`],
    ['a minute out of range', job({ schedule: '61 3 * * *' }), `[shop/job] 'schedule' '61 3 * * *': the minute field '61' is outside 0-59: ${CRON_FIX}`],
    ['a step of zero', job({ schedule: '*/0 * * * *' }), `[shop/job] 'schedule' '*/0 * * * *': the minute field the step in '*/0' must be a whole number above 0: ${CRON_FIX}`],
    ['an unknown descriptor', job({ schedule: '@sometimes' }), "[shop/job] 'schedule' '@sometimes' is not a cron descriptor: use one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly"],
    ['a time zone in the schedule', job({ schedule: 'TZ=UTC 0 3 * * *' }), "[shop/job] 'schedule' 'TZ=UTC 0 3 * * *' sets a time zone, which Kubernetes refuses in the schedule: move it to 'timeZone'"],
    ['an unknown time zone', job({ schedule: '@daily', timeZone: 'Mars/Olympus_Mons' }), "[shop/job] 'timeZone' 'Mars/Olympus_Mons' is not a known time zone: use an IANA name such as 'Europe/Berlin', 'America/New_York' or 'Etc/UTC'"],
    ['a time zone in the wrong case', job({ schedule: '@daily', timeZone: 'europe/berlin' }), "[shop/job] 'timeZone' 'europe/berlin' is spelled 'Europe/Berlin' in the time zone database (names are case-sensitive)"],
    ['a time zone without a schedule', job({ timeZone: 'Europe/Berlin' }), "[shop/job] 'timeZone' needs 'schedule': it is the time zone of the schedule"],
    ['a CronJob setting without a schedule', job({ concurrencyPolicy: 'Allow' }), "[shop/job] 'concurrencyPolicy' needs 'schedule': it is a CronJob setting"],
    ['an unknown concurrency policy', job({ schedule: '@daily', concurrencyPolicy: 'Never' as any }), "[shop/job] 'concurrencyPolicy' must be one of Forbid, Replace, Allow, got 'Never'"],
    ['a negative backoff limit', job({ backoffLimit: -1 }), "[shop/job] 'backoffLimit' must be a whole number >= 0, got -1"],
    ['a TTL on a CronJob', job({ schedule: '@daily', ttlSecondsAfterFinished: 60 }), "[shop/job] 'ttlSecondsAfterFinished' is for one-off Jobs: a CronJob keeps successfulJobsHistoryLimit and failedJobsHistoryLimit Jobs"],
    ['replicas', job({ replicas: 2 } as any), "[shop/job] 'replicas' is not supported on a BatchJob: a Job runs one pod to completion, and its exit code is its health; drop it"],
    ['a sidecar', job({ sidecars: [{ name: 'proxy', image: IMAGE }] }), "[shop/job] 'sidecars' cannot run in a Job's pod: a sidecar never exits, so the Job would never complete. Use 'initContainers' for work before the main container"],
    ['runBefore with a schedule', () => {
      const { shop } = testApp();
      return new BatchJob(shop, 'job', { image: IMAGE, schedule: '@daily', runBefore: [new ObservedService(shop, 'api', { image: IMAGE })] });
    }, "[shop/job] 'runBefore' is for a Job that runs once per release, not a scheduled one: drop 'schedule' or 'runBefore'"],
    ['runBefore a workload of another app', () => {
      const app = Testing.app();
      const other = new MicroserviceApp(app, 'billing');
      const api = new ObservedService(other, 'api', { image: IMAGE });
      return new BatchJob(new MicroserviceApp(app, 'shop'), 'job', { image: IMAGE, runBefore: [api] });
    }, "[shop/job] 'runBefore[0]' is 'billing/api' of app 'billing': a Job can only hold back workloads of its own app (they sync together); move the Job to that app"],
    ['runBefore something that is not a workload', job({ runBefore: ['api' as any] }), "[shop/job] 'runBefore[0]' must be a workload of this app (an ObservedService, ScaledWorker, StatefulService or BatchJob), got 'api'"],
    ['runBefore a CronJob', () => {
      const { shop } = testApp();
      const cron = new BatchJob(shop, 'nightly', { image: IMAGE, schedule: '@daily' });
      return new BatchJob(shop, 'job', { image: IMAGE, runBefore: [cron] });
    }, "[shop/job] 'runBefore[0]' is the CronJob 'nightly': a schedule does not roll out, so nothing can run before it"],
  ])('fails on %s', (_what, build, message) => expectConfigError(build, message));
});

describe('bad input to the pod props of any workload', () => {
  test.each<[string, () => unknown, string]>([
    ['uid 0', svc({ user: { uid: 0 } }), `[shop/api] 'user.uid' must be a whole number from 1 to 2147483647, got 0: 0 is root, which Pod Security "restricted" forbids: use the image's non-root user (for example 999 for postgres, 101 for nginx-unprivileged)`],
    ['a gid that is not a number', svc({ user: { uid: 999, gid: '999' } }), "[shop/api] 'user.gid' must be a whole number from 1 to 2147483647, got '999'"],
    ['user and runAsUser', svc({ user: { uid: 999 }, runAsUser: 1000 }), "[shop/api] 'user' and 'runAsUser'/'runAsGroup' are exclusive: keep 'user: { uid, gid }' and drop the others"],
    ['a relative writable path', svc({ writablePaths: ['cache'] }), "[shop/api] 'writablePaths' must be an absolute path other than '/', got 'cache': for example '/var/lib/app'"],
    ['/tmp as a writable path', svc({ writablePaths: ['/tmp/'] }), "[shop/api] 'writablePaths' mounts '/tmp', which the writable /tmp already mounts: give each volume its own path"],
    ['a writable path size that is not a quantity', svc({ writablePaths: ['/cache'], writablePathSizeLimit: 'lots' }), "[shop/api] 'writablePathSizeLimit' must be a Kubernetes quantity of bytes such as '20Gi' or '500Mi', got 'lots'"],
    ['a claim name with capitals', svc({ claims: [{ claimName: 'Uploads', mountPath: '/uploads' }] }), "[shop/api] 'claims[0].claimName' must name an object of the namespace (lowercase letters, digits, '-' and '.'), got 'Uploads'"],
    ['a claim subPath that leaves the volume', svc({ claims: [{ claimName: 'uploads', mountPath: '/uploads', subPath: '../etc' }] }), "[shop/api] 'claims[0].subPath' must be a relative path inside the volume without '..', got '../etc': for example 'postgres'"],
    ['a Secret file on the config path', svc({ config: { files: { 'a.yaml': 'x' }, mountPath: '/etc/app' }, secretFiles: [{ secretName: 'tls', mountPath: '/etc/app' }] }), "[shop/api] 'secretFiles[0].mountPath' mounts '/etc/app', which 'config.mountPath' already mounts: give each volume its own path"],
    ['no Secret keys', svc({ secretFiles: [{ secretName: 'tls', mountPath: '/etc/tls', keys: [] }] }), "[shop/api] 'secretFiles[0].keys' must name at least one key, got []: drop it to mount every key"],
    ['a ConfigMap env without a key', svc({ configMapEnv: { REGION: { configMapName: 'settings' } } }), "[shop/api] 'configMapEnv.REGION' must name a ConfigMap and a key, got {\"configMapName\":\"settings\"}: for example { configMapName: 'settings', key: 'region' }"],
    ['an init container named like the main one', svc({ initContainers: [{ name: 'api', image: IMAGE }] }), "[shop/api] 'initContainers[0].name' 'api' is the name of another container of the pod: give each container its own name"],
    ['an init container image tagged latest', svc({ initContainers: [{ name: 'fetch', image: 'busybox:latest' }] }), "[shop/api] 'initContainers[0].image' 'busybox:latest' is not pinned (':latest' moves): pin a tag or a digest, for example 'ghcr.io/acme/catalog:1.4.2' or 'ghcr.io/acme/catalog@sha256:<64 hex>'"],
    ['an init container with ports', svc({ initContainers: [{ name: 'fetch', image: IMAGE, ports: [{ name: 'x', port: 1 }] }] }), "[shop/api] 'initContainers[0].ports': an init container runs to completion before the pod serves: drop 'ports', or make it a sidecar"],
    ['a sidecar on the main port', svc({ sidecars: [{ name: 'proxy', image: IMAGE, ports: [{ name: 'web', port: 8080 }] }] }), "[shop/api] 'sidecars[0].ports[0]' uses 8080, which container 'api' already declares: containers of a pod share one network namespace"],
    ['a sidecar env that looks like a secret', svc({ sidecars: [{ name: 'proxy', image: IMAGE, env: { API_TOKEN: 'abc' } }] }), "[shop/api] 'sidecars[0].env' 'API_TOKEN' looks like a secret but holds a literal value: mount it with 'secretFiles' instead"],
    ['a sidecar over its limits', svc({ sidecars: [{ name: 'proxy', image: IMAGE, resources: { memory: '1Gi', limits: { memory: '512Mi' } } }] }), "[shop/api] 'sidecars[0].resources.limits.memory' '512Mi' is below the request '1Gi': raise the limit or lower the request (a limit below the request is rejected by the API server)"],
    ['a pull secret with capitals', svc({ imagePullSecrets: ['GHCR'] }), "[shop/api] 'imagePullSecrets[0]' must name an object of the namespace (lowercase letters, digits, '-' and '.'), got 'GHCR'"],
    ['a priority class with a space', svc({ priorityClassName: 'high priority' }), "[shop/api] 'priorityClassName' must name an object of the namespace (lowercase letters, digits, '-' and '.'), got 'high priority'"],
    ['a pod label the library selects on', svc({ podLabels: { 'app.kubernetes.io/name': 'other' } }), "[shop/api] 'podLabels' sets 'app.kubernetes.io/name', which the library sets and selects on: set it through the construct's props (version, component) instead"],
    ['a pod label value with a space', svc({ podLabels: { team: 'pay ments' } }), "[shop/api] 'podLabels.team' must be a label value (a string of at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit), got 'pay ments': put longer text in an annotation"],
    ['a pod annotation the library sets', svc({ podAnnotations: { 'checksum/config': 'x' } }), "[shop/api] 'podAnnotations' sets 'checksum/config', which the library sets: drop it (the library's value would be lost)"],
    ['an annotation that is not a string', svc({ podAnnotations: { 'example.com/replicas': 3 } }), "[shop/api] 'podAnnotations.example.com/replicas' must be a string, got 3: quote numbers and booleans"],
    ['Service labels on a worker', () => new ScaledWorker(testApp().shop, 'mailer', { image: IMAGE, serviceLabels: { tier: 'x' } }), "[shop/mailer] 'serviceLabels' has no Service to go on: this workload has none; drop it"],
  ])('fails on %s', (_what, build, message) => expectConfigError(build, message));
});

describe('bad input to envFrom and mount selection', () => {
  test.each<[string, () => unknown, string]>([
    ['a prefix that starts with a digit', svc({ envFromConfigMaps: [{ configMapName: 'settings', prefix: '1_' }] }), "[shop/api] 'envFromConfigMaps[0].prefix' must start an environment variable name (letters, digits, '_', '-', '.'), got '1_': for example 'SETTINGS_'"],
    ['a sidecar mount path the pod lacks', svc({ sidecars: [{ name: 'x', image: IMAGE, mountPaths: ['/data'] }] }), "[shop/api] 'sidecars[0].mountPaths' has '/data', which the pod does not mount: use one of '/tmp'"],
  ])('fails on %s', (_what, build, message) => expectConfigError(build, message));
});

describe('bad peers and targets', () => {
  test.each<[string, () => unknown, string]>([
    ['a peer port out of range', db({ peerPorts: [70000] }), "[shop/db] 'peerPorts[0]' must be 1-65535, got 70000"],
    ['a peer port twice', db({ peerPorts: [5432, 5432] }), "[shop/db] 'peerPorts' must be a list of distinct ports, got [5432,5432]: for example [5432] for streaming replication"],
    ['connectTo a worker', () => {
      const { shop } = testApp();
      const worker = new ScaledWorker(shop, 'mailer', { image: IMAGE });
      return new ObservedService(shop, 'api', { image: IMAGE }).connectTo(worker as any);
    }, "[shop/api] connectTo() needs a workload with a Service to call (an ObservedService or a StatefulService), got 'mailer', a ScaledWorker with no Service: connect the other way round, or give it a queue or a Service"],
  ])('fails on %s', (_what, build, message) => expectConfigError(build, message));
});

describe('bad input to the remaining job and pod props', () => {
  test.each<[string, () => unknown, string]>([
    ['a deadline of 0 seconds', job({ activeDeadlineSeconds: 0 }), "[shop/job] 'activeDeadlineSeconds' must be a whole number >= 1, got 0"],
    ['a starting deadline that is not a number', job({ schedule: '@daily', startingDeadlineSeconds: '5m' as any }), "[shop/job] 'startingDeadlineSeconds' must be a whole number >= 1, got '5m'"],
    ['a negative history limit', job({ schedule: '@daily', failedJobsHistoryLimit: -1 }), "[shop/job] 'failedJobsHistoryLimit' must be a whole number >= 0, got -1"],
    ['suspend as a string', job({ schedule: '@daily', suspend: 'yes' as any }), "[shop/job] 'suspend' must be true or false, got 'yes'"],
    ['a Secret name with an underscore', svc({ secretFiles: [{ secretName: 'db_creds', mountPath: '/etc/db' }] }), "[shop/api] 'secretFiles[0].secretName' must name an object of the namespace (lowercase letters, digits, '-' and '.'), got 'db_creds'"],
    ['a Service annotation key with a space', svc({ serviceAnnotations: { 'bad key': 'x' } }), "[shop/api] 'serviceAnnotations' has an invalid annotation key 'bad key': use an optional DNS prefix and '/', then a name, for example 'nginx.ingress.kubernetes.io/proxy-body-size'"],
    ['sidecar probes without a port', svc({ sidecars: [{ name: 'x', image: IMAGE, probes: { liveness: { tcp: true } } }] }), "[shop/api] 'sidecars[0].probes' need a port to probe: add 'ports'"],
    ['a sidecar probe with two checks', svc({ sidecars: [{ name: 'x', image: IMAGE, ports: [{ name: 'admin', port: 9901 }], probes: { readiness: { httpPath: '/ready', tcp: true } as any } }] }),
      "[shop/api] 'sidecars[0].probes.readiness' must have exactly one of httpPath, command, tcp or grpc, got {\"httpPath\":\"/ready\",\"tcp\":true}: for example { httpPath: '/healthz' }"],
  ])('fails on %s', (_what, build, message) => expectConfigError(build, message));
});
