import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BatchJob, BatchJobProps, ObservedService, QueueTrigger, ScaledWorker, ScaledWorkerProps, StatefulService, StatefulServiceProps } from '../lib';
import { TIME_ZONES } from '../lib/constructs/batch/time-zones';
import { EXIT, Io, main } from '../lib/tools/cli/main';
import { checkBooleanProps, checkDataKey, checkItemPath } from '../lib/props/checks';
import { warningsOf } from '../lib/warnings';
import { READY, expectConfigError, find, synth, testApp } from './helpers';

// Inputs the API server, a controller or Pod Security would refuse (or silently never act on),
// refused at synth: one line naming the construct path, the prop, the value and the fix.

const IMAGE = 'ghcr.io/acme/app:1.0.0';
const STORAGE = { size: '20Gi', mountPath: '/var/lib/data' };
const meshApp = () => testApp('shop', { mesh: 'istio' }).shop;

const db = (props: Partial<StatefulServiceProps>, shop = testApp().shop) => () => new StatefulService(shop, 'db', { image: IMAGE, storage: STORAGE, ...props } as StatefulServiceProps);
const job = (props: Partial<BatchJobProps>) => () => new BatchJob(testApp().shop, 'job', { image: IMAGE, ...props });
const svc = (props: object, shop = testApp().shop) => () => new ObservedService(shop, 'api', { image: IMAGE, ...props });
const rabbit = () => QueueTrigger.rabbitmq({ queueName: 'mail', host: { secretName: 'rabbitmq', key: 'amqp-url' } });
const worker = (props: Partial<ScaledWorkerProps>, shop = testApp().shop) => () => new ScaledWorker(shop, 'mailer', { image: IMAGE, ...props });
const cron = (o: { timezone?: string; start?: string; desiredReplicas?: number }) => QueueTrigger.cron({ timezone: 'Europe/Berlin', start: '0 8 * * 1-5', end: '0 18 * * 1-5', desiredReplicas: 2, ...o });

const INT32 = 'the API server stores it as a 32-bit integer';
const ISTIO_RANGE = "is in the range Istio's sidecar keeps for itself (15000-15090: 15090 is its Prometheus telemetry, 15020 the merged metrics, 15021 its health check), and the app's mesh injects one into every pod: choose another port";
const JOB_LABEL = "which the Job controller sets on every pod of a Job (the API server refuses a template whose value differs from the Job's name or uid): drop it, and select Job pods by the app.kubernetes.io labels";
const MESH_INJECTS = "which turns Istio's sidecar injection on or off per pod: the app's mesh injects every pod (its mutual TLS, authorization and traffic settings need the sidecar); drop it, or put a workload that must stay outside the mesh in an app without 'mesh'";

describe('the claim template of a StatefulService', () => {
  test.each<[string, () => unknown, string]>([
    ['a storage class that is no DNS subdomain', db({ storage: { ...STORAGE, storageClassName: 'premium..rwo' } }),
      "[shop/db] 'storage.storageClassName' must name a StorageClass (a DNS subdomain: lowercase letters, digits, '-' and '.', each part between dots starting and ending with a letter or digit), got 'premium..rwo': for example 'premium-rwo'"],
    ['a storage class ending in a dot', db({ storage: { ...STORAGE, storageClassName: 'premium.' } }),
      "[shop/db] 'storage.storageClassName' must name a StorageClass (a DNS subdomain: lowercase letters, digits, '-' and '.', each part between dots starting and ending with a letter or digit), got 'premium.': for example 'premium-rwo'"],
    ['ReadWriteOncePod with another mode', db({ storage: { ...STORAGE, accessModes: ['ReadWriteOncePod', 'ReadWriteOnce'] } }),
      "[shop/db] 'storage.accessModes' combines ReadWriteOncePod with other modes, got [\"ReadWriteOncePod\",\"ReadWriteOnce\"]: the API server refuses ReadWriteOncePod with any other mode (the claim of each pod would never be made, and the StatefulSet would hang); use ['ReadWriteOncePod'] alone, or drop it"],
    ['a size of zero', db({ storage: { ...STORAGE, size: '0Gi' } }),
      "[shop/db] 'storage.size' must be a size above zero (a volume of zero bytes holds nothing; the API server refuses a claim of zero), got '0Gi': for example '20Gi' or '500Mi'"],
    ['a size that is no quantity', db({ storage: { ...STORAGE, size: '20 Gi' } }), "[shop/db] 'storage.size' must be a Kubernetes quantity of bytes such as '20Gi' or '500Mi', got '20 Gi'"],
    ['an unknown access mode', db({ storage: { ...STORAGE, accessModes: ['ReadWriteOncePods' as any] } }),
      "[shop/db] 'storage.accessModes' must be a non-empty list of ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod, got [\"ReadWriteOncePods\"]"],
  ])('fails on %s', (_what, build, message) => expectConfigError(build, message));

  test('takes ReadWriteOncePod alone and a dotted storage class', () => {
    const { shop } = testApp();
    new StatefulService(shop, 'db', { image: IMAGE, storage: { ...STORAGE, storageClassName: 'premium.rwo', accessModes: ['ReadWriteOncePod'] } });
    expect(find(synth(shop), 'StatefulSet', 'db').spec.volumeClaimTemplates[0].spec).toMatchObject({ storageClassName: 'premium.rwo', accessModes: ['ReadWriteOncePod'] });
  });
});

describe('CronJob schedules and time zones', () => {
  test.each<[string, () => unknown, string]>([
    ['30 February', job({ schedule: '0 3 30 2 *' }),
      "[shop/job] 'schedule' '0 3 30 2 *': day 30 of Feb never comes (Feb has at most 29 days), so the CronJob would never run (Kubernetes accepts the schedule): choose a day the month has, for example '0 3 28 2 *'"],
    ['31 April and June', job({ schedule: '15 1 31 APR,JUN ?' }),
      "[shop/job] 'schedule' '15 1 31 APR,JUN ?': day 31 of Apr, Jun never comes (Apr has 30 days, Jun has 30 days), so the CronJob would never run (Kubernetes accepts the schedule): choose a day the month has, for example '15 1 30 APR,JUN ?'"],
    ['a time zone removed from the tz database', job({ schedule: '@daily', timeZone: 'US/Pacific-New' }),
      "[shop/job] 'timeZone' 'US/Pacific-New' is not in the time zone database (tzdata 2025b; it was removed), so the API server refuses it (\"unknown time zone\"): use 'America/Los_Angeles'"],
    ['another removed time zone', job({ schedule: '@daily', timeZone: 'Canada/East-Saskatchewan' }),
      "[shop/job] 'timeZone' 'Canada/East-Saskatchewan' is not in the time zone database (tzdata 2025b; it was removed), so the API server refuses it (\"unknown time zone\"): use 'America/Regina'"],
    ['a time zone ICU knows and the tz database never had', job({ schedule: '@daily', timeZone: 'SystemV/AST4' }),
      "[shop/job] 'timeZone' 'SystemV/AST4' is not a known time zone: use an IANA name such as 'Europe/Berlin', 'America/New_York' or 'Etc/UTC'"],
    ['the local time zone', job({ schedule: '@daily', timeZone: 'Local' }),
      "[shop/job] 'timeZone' 'Local' is not a known time zone: use an IANA name such as 'Europe/Berlin', 'America/New_York' or 'Etc/UTC'"],
  ])('fails on %s', (_what, build, message) => expectConfigError(build, message));

  test.each([
    ['a day every chosen month has', '0 3 30 4,6 *'],
    ['29 February (leap years)', '0 0 29 2 *'],
    ['a day of the month or a weekday (either matches)', '0 0 30 2 MON'],
    ['a month range that holds the day', '0 0 31 2-4 *'],
  ])('takes %s', (_what, schedule) => {
    const { shop } = testApp();
    new BatchJob(shop, 'job', { image: IMAGE, schedule });
    expect(find(synth(shop), 'CronJob', 'job').spec.schedule).toBe(schedule);
  });

  test('takes the links of the tz database (as Go does), which ICU lists no more', () => {
    for (const tz of ['US/Pacific', 'Asia/Calcutta', 'Etc/UTC', 'UTC', 'Europe/Kiev', 'Europe/Kyiv', 'America/Ciudad_Juarez']) {
      expect(job({ schedule: '@daily', timeZone: tz })()).toBeInstanceOf(BatchJob);
    }
    expect(TIME_ZONES.has('US/Pacific-New')).toBe(false);
    expect(TIME_ZONES.has('Factory')).toBe(false);
    // every zone the runtime knows as canonical is in the list
    for (const tz of Intl.supportedValuesOf('timeZone')) expect(TIME_ZONES.has(tz)).toBe(true);
  });
});

describe('whole numbers beyond int32 (or negative)', () => {
  test.each<[string, () => unknown, string]>([
    ['backoffLimit', job({ backoffLimit: 2 ** 31 }), `[shop/job] 'backoffLimit' must be at most 2147483647 (${INT32}), got 2147483648`],
    ['a negative backoffLimit', job({ backoffLimit: -1 }), "[shop/job] 'backoffLimit' must be a whole number >= 0, got -1"],
    ['ttlSecondsAfterFinished', job({ ttlSecondsAfterFinished: 2 ** 31 }), `[shop/job] 'ttlSecondsAfterFinished' must be at most 2147483647 (${INT32}), got 2147483648`],
    ['a history limit', job({ schedule: '@daily', successfulJobsHistoryLimit: 2 ** 31 }), `[shop/job] 'successfulJobsHistoryLimit' must be at most 2147483647 (${INT32}), got 2147483648`],
    ['an int64 deadline beyond what JSON carries', job({ activeDeadlineSeconds: 1e20 }),
      "[shop/job] 'activeDeadlineSeconds' must be at most 9007199254740991 (the API server stores it as a 64-bit integer), got 100000000000000000000"],
    ['replicas of a service', svc({ replicas: 2 ** 31 }), `[shop/api] 'replicas' must be at most 2147483647 (${INT32}), got 2147483648`],
    ['replicas of a StatefulService', db({ replicas: 2 ** 32 }), `[shop/db] 'replicas' must be at most 2147483647 (${INT32}), got 4294967296`],
    ['maxReplicas', svc({ autoscaling: { maxReplicas: 2 ** 31 } }), `[shop/api] 'autoscaling.maxReplicas' must be at most 2147483647 (${INT32}), got 2147483648`],
    ['revisionHistoryLimit', svc({ revisionHistoryLimit: 2 ** 31 }), `[shop/api] 'revisionHistoryLimit' must be at most 2147483647 (${INT32}), got 2147483648`],
    ['a probe period', svc({ probes: { readiness: { httpPath: '/ready', periodSeconds: 2 ** 31 } } }), `[shop/api] 'probes.readiness.periodSeconds' must be at most 2147483647 (${INT32}), got 2147483648`],
    ['canary replicas', svc({ canary: { image: 'ghcr.io/acme/app:1.1.0', weight: 10, replicas: 2 ** 31 } }), `[shop/api] 'canary.replicas' must be at most 2147483647 (${INT32}), got 2147483648`],
    ['a job-mode worker\'s backoffLimit', worker({ mode: 'job', queue: rabbit(), autoscaling: { maxReplicas: 3 }, job: { backoffLimit: 2 ** 31 } }),
      `[shop/mailer] 'job.backoffLimit' must be at most 2147483647 (${INT32}), got 2147483648`],
    ['a KEDA polling interval', worker({ queue: rabbit(), autoscaling: { maxReplicas: 3 }, keda: { pollingInterval: 2 ** 31 } }),
      `[shop/mailer] 'keda.pollingInterval' must be at most 2147483647 (${INT32}), got 2147483648`],
    ['an Istio connection limit', svc({ traffic: { circuitBreaker: { maxConnections: 2 ** 31 } } }, meshApp()),
      "[shop/api] 'traffic.circuitBreaker.maxConnections' must be a whole number from 1 to 2147483647, got 2147483648"],
  ])('fails on %s', (_what, build, message) => expectConfigError(build, message));
});

describe('pod labels and annotations that Kubernetes or the library sets', () => {
  test.each<[string, () => unknown, string]>([
    ['job-name on a Job', job({ podLabels: { 'job-name': 'migrate' } }), `[shop/job] 'podLabels' sets 'job-name', ${JOB_LABEL}`],
    ['controller-uid on a CronJob', job({ schedule: '@daily', podLabels: { 'controller-uid': 'x' } }), `[shop/job] 'podLabels' sets 'controller-uid', ${JOB_LABEL}`],
    ['batch.kubernetes.io/job-name', job({ podLabels: { 'batch.kubernetes.io/job-name': 'x' } }), `[shop/job] 'podLabels' sets 'batch.kubernetes.io/job-name', ${JOB_LABEL}`],
    ['batch.kubernetes.io/controller-uid', job({ podLabels: { 'batch.kubernetes.io/controller-uid': 'x' } }), `[shop/job] 'podLabels' sets 'batch.kubernetes.io/controller-uid', ${JOB_LABEL}`],
    ['job-name on a job-mode worker', worker({ mode: 'job', queue: rabbit(), autoscaling: { maxReplicas: 3 }, podLabels: { 'job-name': 'x' } }),
      `[shop/mailer] 'podLabels' sets 'job-name', ${JOB_LABEL}`],
    ['the Deployment controller\'s pod-template-hash', svc({ podLabels: { 'pod-template-hash': 'abc' } }),
      "[shop/api] 'podLabels' sets 'pod-template-hash', which the workload controller (Deployment or StatefulSet) sets on every pod, replacing the value: drop it"],
    ['sidecar injection off on a meshed workload', svc({ podAnnotations: { 'sidecar.istio.io/inject': 'false' } }, meshApp()), `[shop/api] 'podAnnotations' sets 'sidecar.istio.io/inject', ${MESH_INJECTS}`],
    ['the injection label on a meshed workload', () => new BatchJob(meshApp(), 'job', { image: IMAGE, podLabels: { 'sidecar.istio.io/inject': 'false' } }),
      `[shop/job] 'podLabels' sets 'sidecar.istio.io/inject', ${MESH_INJECTS}`],
    ['another Istio revision on a meshed pod', svc({ podLabels: { 'istio.io/rev': 'canary' } }, meshApp()),
      "[shop/api] 'podLabels' sets 'istio.io/rev', which picks the Istio revision that injects the pod: set 'istio.revision' on the app instead (the namespace label follows it)"],
    ['sidecar injection on without a mesh', svc({ podLabels: { 'sidecar.istio.io/inject': 'true' } }),
      "[shop/api] 'podLabels' sets 'sidecar.istio.io/inject' to 'true' in an app without a mesh: the pod would get an Istio sidecar without the mutual TLS, authorization and ports the library writes for a meshed app; set mesh: 'istio' on the app instead"],
    ['an app.kubernetes.io label', db({ podLabels: { 'app.kubernetes.io/version': '2' } }),
      "[shop/db] 'podLabels' sets 'app.kubernetes.io/version', which the library sets and selects on: set it through the construct's props (version, component) instead"],
    ['the log format label', svc({ podLabels: { 'cdk8s-microservices.io/log-format': 'json' } }),
      "[shop/api] 'podLabels' sets 'cdk8s-microservices.io/log-format', which the library sets from 'logging.format': set that instead"],
    ['the log discovery annotation', svc({ podAnnotations: { 'io.opentelemetry.discovery.logs/enabled': 'false' } }),
      "[shop/api] 'podAnnotations' sets 'io.opentelemetry.discovery.logs/enabled', which the library sets: drop it (the library's value would be lost)"],
    ['the env-not-secret annotation', svc({ podAnnotations: { 'cdk8s-microservices.io/env-not-secret': 'TOKEN' } }),
      "[shop/api] 'podAnnotations' sets 'cdk8s-microservices.io/env-not-secret', which the library sets from 'envNotSecret' and addEnv(..., { notSecret: true }): use those instead"],
    ['300 KiB of annotations', svc({ podAnnotations: { 'example.com/blob': 'x'.repeat(300 * 1024) } }),
      "[shop/api] 'podAnnotations' has 307216 bytes of keys and values, over the 253952 allowed (the API server's 262144 for all annotations of an object, less 8192 kept for the library's own): move large data to a ConfigMap and mount it with 'config' or 'configMapEnv'"],
    ['300 KiB of Service annotations', db({ serviceAnnotations: { 'a.example.com/x': 'x'.repeat(150 * 1024), 'b.example.com/x': 'x'.repeat(150 * 1024) } }),
      "[shop/db] 'serviceAnnotations' has 307230 bytes of keys and values, over the 262144 allowed (the API server's limit for all annotations of an object): move large data to a ConfigMap and mount it with 'config' or 'configMapEnv'"],
    ['a label value over 63 characters', svc({ podLabels: { team: 'a'.repeat(64) } }),
      `[shop/api] 'podLabels.team' must be a label value (a string of at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit), got '${'a'.repeat(64)}': put longer text in an annotation`],
    ['a label key with an upper-case prefix', svc({ podLabels: { 'Example.com/team': 'a' } }),
      "[shop/api] 'podLabels' has an invalid label key 'Example.com/team': use an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' and '.', for example 'app.kubernetes.io/name'"],
    ['an empty label key name', svc({ podLabels: { 'example.com/': 'a' } }),
      "[shop/api] 'podLabels' has an invalid label key 'example.com/': use an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' and '.', for example 'app.kubernetes.io/name'"],
  ])('fails on %s', (_what, build, message) => expectConfigError(build, message));

  test('takes an annotation key with capitals, which the API server checks in lower case', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'api', { image: IMAGE, podAnnotations: { 'Example.com/Team': 'payments' } });
    expect(find(synth(shop), 'Deployment', 'api').spec.template.metadata.annotations['Example.com/Team']).toBe('payments');
  });
});

describe('AppArmor and seccomp annotations', () => {
  const apparmor = 'container.apparmor.security.beta.kubernetes.io';
  test.each<[string, () => unknown, string]>([
    ['AppArmor unconfined', svc({ podAnnotations: { [`${apparmor}/api`]: 'unconfined' } }),
      `[shop/api] 'podAnnotations.${apparmor}/api' 'unconfined' runs the container without AppArmor, which Pod Security "baseline" and "restricted" forbid: the namespace refuses every pod: use 'runtime/default' (the container runtime's profile, the default) or 'localhost/<profile>' for a profile loaded on the nodes, or drop it`],
    ['an AppArmor profile of a container the pod lacks', svc({ podAnnotations: { [`${apparmor}/web`]: 'runtime/default' } }),
      `[shop/api] 'podAnnotations' sets '${apparmor}/web' for container 'web', which the pod does not have (the API server refuses it): use one of '${apparmor}/api'`],
    ['the pod seccomp annotation', svc({ podAnnotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' } }),
      "[shop/api] 'podAnnotations' sets 'seccomp.security.alpha.kubernetes.io/pod', a deprecated seccomp annotation: the library sets securityContext.seccompProfile RuntimeDefault on the pod and every container (Pod Security \"restricted\"), and the API server refuses a pod whose annotation and field disagree: drop it"],
    ['a container seccomp annotation', svc({ podAnnotations: { 'container.seccomp.security.alpha.kubernetes.io/api': 'runtime/default' } }),
      "[shop/api] 'podAnnotations' sets 'container.seccomp.security.alpha.kubernetes.io/api', a deprecated seccomp annotation: the library sets securityContext.seccompProfile RuntimeDefault on the pod and every container (Pod Security \"restricted\"), and the API server refuses a pod whose annotation and field disagree: drop it"],
  ])('fails on %s', (_what, build, message) => expectConfigError(build, message));

  test('takes a local AppArmor profile for a sidecar', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'api', { image: IMAGE, sidecars: [{ name: 'proxy', image: IMAGE }], podAnnotations: { [`${apparmor}/proxy`]: 'localhost/k8s-proxy' } });
    expect(find(synth(shop), 'Deployment', 'api').spec.template.metadata.annotations[`${apparmor}/proxy`]).toBe('localhost/k8s-proxy');
  });
});

describe('Secret keys and booleans', () => {
  test.each<[string, () => unknown, string]>([
    ['a Secret file key ..data', svc({ secretFiles: [{ secretName: 'tls', mountPath: '/etc/tls', keys: ['tls.crt', '..data'] }] }),
      "[shop/api] 'secretFiles[0].keys[1]' must be a Secret data key, got '..data': a key must not start with '..' (the kubelet keeps its own '..data' link in the volume), and the API server refuses it; for example 'tls.crt'"],
    ['a Secret file key ..', svc({ secretFiles: [{ secretName: 'tls', mountPath: '/etc/tls', keys: ['..'] }] }),
      "[shop/api] 'secretFiles[0].keys[0]' must be a Secret data key, got '..': a key must not be '..', and the API server refuses it; for example 'tls.crt'"],
    ['a secretEnv key ..data', svc({ secretEnv: { DB_PASSWORD: { secretName: 'db', key: '..data' } } }),
      "[shop/api] 'secretEnv.DB_PASSWORD.key' must be a Secret data key, got '..data': a key must not start with '..' (the kubelet keeps its own '..data' link in the volume), and the API server refuses it; for example 'password'"],
    ['a config file ..data', svc({ config: { files: { '..data': 'x' } } }),
      "[shop/api] 'config.files['..data']' must be a ConfigMap data key, got '..data': a key must not start with '..' (the kubelet keeps its own '..data' link in the volume), and the API server refuses it; for example 'app.yaml'"],
    ['a ConfigMap env key with a slash', svc({ configMapEnv: { REGION: { configMapName: 'settings', key: 'a/b' } } }),
      "[shop/api] 'configMapEnv.REGION.key' must be a ConfigMap data key (letters, digits, '-', '_' and '.'), got 'a/b': for example 'region'"],
    ["readOnly: 'true'", svc({ claims: [{ claimName: 'uploads', mountPath: '/uploads', readOnly: 'true' }] }), "[shop/api] 'claims[0].readOnly' must be true or false, got 'true': write true without quotes"],
    ["optional: 'no' on Secret files", svc({ secretFiles: [{ secretName: 'tls', mountPath: '/etc/tls', optional: 'no' }] }), "[shop/api] 'secretFiles[0].optional' must be true or false, got 'no'"],
    ["optional: 'false' on a ConfigMap env", svc({ configMapEnv: { REGION: { configMapName: 'settings', key: 'region', optional: 'false' } } }),
      "[shop/api] 'configMapEnv.REGION.optional' must be true or false, got 'false': write false without quotes"],
    ["optional: 'yes' on envFrom", db({ envFromConfigMaps: [{ configMapName: 'settings', optional: 'yes' as any }] }), "[shop/db] 'envFromConfigMaps[0].optional' must be true or false, got 'yes'"],
    ["optional: 1 on a secretEnv", job({ secretEnv: { DB_PASSWORD: { secretName: 'db', key: 'password', optional: 1 as any } } }), "[shop/job] 'secretEnv.DB_PASSWORD.optional' must be true or false, got 1"],
    ["topologySpread: 'false'", svc({ topologySpread: 'false' }), "[shop/api] 'topologySpread' must be true or false, got 'false': write false without quotes"],
    ["suspend: 'true'", job({ schedule: '@daily', suspend: 'true' as any }), "[shop/job] 'suspend' must be true or false, got 'true': write true without quotes"],
  ])('fails on %s', (_what, build, message) => expectConfigError(build, message));

  test('the key and path checks are shared functions (the keys map of secretFiles uses them too)', () => {
    expectConfigError(() => checkDataKey('shop/api', "secretFiles[0].keys['..data']", '..data'),
      "[shop/api] 'secretFiles[0].keys['..data']' must be a Secret data key, got '..data': a key must not start with '..' (the kubelet keeps its own '..data' link in the volume), and the API server refuses it; for example 'password'");
    expectConfigError(() => checkItemPath('shop/api', 'secretFiles[0].keys.a', '../b'), "[shop/api] 'secretFiles[0].keys.a' '../b' is no file name under the mount: a path must not contain '..'; for example 'tls.crt'");
    expectConfigError(() => checkItemPath('shop/api', 'secretFiles[0].keys.a', '..b'),
      "[shop/api] 'secretFiles[0].keys.a' '..b' is no file name under the mount: a path must not start with '..' (the kubelet keeps its own '..data' link in the volume); for example 'tls.crt'");
    expectConfigError(() => checkItemPath('shop/api', 'secretFiles[0].keys.a', '/etc/b'), "[shop/api] 'secretFiles[0].keys.a' '/etc/b' is no file name under the mount: a path must be relative to the mount path; for example 'tls.crt'");
    expect(checkItemPath('shop/api', 'p', 'ssh/publickey')).toBe('ssh/publickey');
    expect(() => checkBooleanProps('shop/api', { a: [{ b: true }, { b: false }], m: { x: { o: undefined } } }, ['a[].b', 'm.*.o'])).not.toThrow();
    expectConfigError(() => checkBooleanProps('shop/api', { m: { x: { o: 'on' } } }, ['m.*.o']), "[shop/api] 'm.x.o' must be true or false, got 'on'");
  });
});

describe('ports that clash', () => {
  test.each<[string, () => unknown, string]>([
    ['a sidecar on istio-proxy\'s 15090', svc({ sidecars: [{ name: 'exporter', image: IMAGE, ports: [{ name: 'metrics', port: 15090 }] }] }, meshApp()), `[shop/api] 'sidecars[0].ports[0].port' 15090 ${ISTIO_RANGE}`],
    ['a sidecar in Istio\'s range', db({ sidecars: [{ name: 'exporter', image: IMAGE, ports: [{ name: 'metrics', port: 15050 }] }] }, meshApp()), `[shop/db] 'sidecars[0].ports[0].port' 15050 ${ISTIO_RANGE}`],
    ['a StatefulService port of istio-proxy', db({ port: 15021, protocol: 'tcp' }, meshApp()), `[shop/db] 'port' 15021 ${ISTIO_RANGE}`],
    ['a worker health port of istio-proxy', worker({ healthPort: 15020 }, meshApp()), `[shop/mailer] 'healthPort' 15020 ${ISTIO_RANGE}`],
    ['a sidecar on the main container\'s port', db({ protocol: 'tcp', port: 5432, sidecars: [{ name: 'pgbouncer', image: IMAGE, ports: [{ name: 'pg', port: 5432 }] }] }),
      "[shop/db] 'sidecars[0].ports[0]' uses 5432, which container 'db' already declares: containers of a pod share one network namespace"],
    ['a Service port equal to the metrics port', db({ protocol: 'tcp', port: 5432, servicePort: 9090, metrics: { port: 9090 } }),
      "[shop/db] 'metrics.port' 9090 is also the service port ('servicePort'): the Service would have two ports 9090, which the API server refuses (\"duplicate entries for key [port=9090]\"). Serve metrics on the container port (5432), or choose another metrics port or servicePort"],
  ])('fails on %s', (_what, build, message) => expectConfigError(build, message));

  test('takes a sidecar in Istio\'s range in an app without a mesh', () => {
    expect(svc({ sidecars: [{ name: 'exporter', image: IMAGE, ports: [{ name: 'metrics', port: 15090 }] }] })()).toBeInstanceOf(ObservedService);
  });
});

describe('the mesh and affinity', () => {
  const nodeTerm = (r: object) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [r] }] } } });
  test.each<[string, () => unknown, string]>([
    ["Istio's uid 1337", svc({ user: { uid: 1337 } }, meshApp()),
      "[shop/api] 'user.uid' 1337 is the uid of Istio's sidecar, whose traffic bypasses the proxy, so this app's calls would leave the mesh unencrypted and unchecked (https://istio.io/latest/docs/ops/deployment/requirements/): choose another uid"],
    ['a sidecar named istio-proxy', db({ sidecars: [{ name: 'istio-proxy', image: IMAGE }] }, meshApp()),
      "[shop/db] 'sidecars[0].name' 'istio-proxy' is the name of a container Istio injects into every pod of the app's mesh (istio-proxy, istio-init, istio-validation); the injector would merge the two: give it another name"],
    ['a node affinity In without values', svc({ affinity: nodeTerm({ key: 'kubernetes.io/arch', operator: 'In', values: [] }) }),
      "[shop/api] 'affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values' must not be empty with operator 'In' (the API server refuses it): list the values, or use 'Exists'"],
    ['a node affinity Gt of a word', svc({ affinity: nodeTerm({ key: 'example.com/gpus', operator: 'Gt', values: ['many'] }) }),
      "[shop/api] 'affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values' must be one whole number with operator 'Gt', got [\"many\"]: for example ['3']"],
    ['no node selector terms', svc({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } } }),
      "[shop/api] 'affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms' must be a non-empty list, got []"],
    ['a preference of weight 0', job({ affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, preference: {} }] } } }),
      "[shop/job] 'affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight' must be a whole number from 1 to 100, got 0"],
    ['a pod anti-affinity without topologyKey', db({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } } } as any] } } }),
      "[shop/db] 'affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey' is required (the API server refuses a term without it), got undefined: for example 'kubernetes.io/hostname' or 'topology.kubernetes.io/zone'"],
    ['a misspelled affinity field', svc({ affinity: { nodeAfinity: {} } }), "[shop/api] 'affinity.nodeAfinity' is not a known prop: did you mean 'affinity.nodeAffinity'?"],
  ])('fails on %s', (_what, build, message) => expectConfigError(build, message));
});

describe('canaries and KEDA', () => {
  test.each<[string, () => unknown, string]>([
    ['a canary of the stable image', svc({ canary: { image: IMAGE, weight: 10 } }),
      "[shop/api] 'canary.image' 'ghcr.io/acme/app:1.0.0' is the stable image ('image'): a canary runs a new release beside the stable one, so both tracks would run the same code and the split would compare nothing. Set it to the image under test, or drop 'canary' (after a promotion, when 'image' took the canary's)"],
    ['a canary of the stable digest', () => new ObservedService(testApp().shop, 'api', { image: `ghcr.io/acme/app:1.0.0@sha256:${'a'.repeat(64)}`, canary: { image: `ghcr.io/acme/app:1.1.0@sha256:${'a'.repeat(64)}`, weight: 10 } }),
      `[shop/api] 'canary.image' 'ghcr.io/acme/app:1.1.0@sha256:${'a'.repeat(64)}' is the stable image ('image'): a canary runs a new release beside the stable one, so both tracks would run the same code and the split would compare nothing. Set it to the image under test, or drop 'canary' (after a promotion, when 'image' took the canary's)`],
    ['a canary whose instance label exceeds 63 characters', () => new ObservedService(testApp().shop, 'a'.repeat(58), { image: IMAGE, canary: { image: 'ghcr.io/acme/app:1.1.0', weight: 10 } }),
      `[shop/${'a'.repeat(58)}] 'canary' makes a Deployment and instance label '${'a'.repeat(58)}-canary' of 65 characters, over the 63 a label value may have (the API server refuses it): shorten the service's id to at most 56 characters, or drop 'canary'`],
    ['cron desiredReplicas above maxReplicas', worker({ queue: cron({ desiredReplicas: 5 }), autoscaling: { minReplicas: 1, maxReplicas: 3 } }),
      "[shop/mailer] 'queue' cron trigger 'cron' asks for desiredReplicas 5, above autoscaling.maxReplicas (3): KEDA never scales past maxReplicas, so the window would get 3; lower desiredReplicas or raise maxReplicas"],
    ['a cron trigger in a removed time zone', worker({ queue: cron({ timezone: 'US/Pacific-New' }), autoscaling: { minReplicas: 1, maxReplicas: 3 } }),
      "[shop/mailer] 'queue.timezone' 'US/Pacific-New' is not in the time zone database (tzdata 2025b; it was removed), so the API server refuses it (\"unknown time zone\"): use 'America/Los_Angeles'"],
    ['a cron window that never opens', worker({ queue: cron({ start: '0 8 31 11 *' }), autoscaling: { minReplicas: 1, maxReplicas: 3 } }),
      "[shop/mailer] 'queue.start' '0 8 31 11 *' of cron trigger 'cron': day 31 of Nov never comes (Nov has 30 days), so the window would never open: choose a day the month has"],
    ['job mode with a cpu target', worker({ mode: 'job', queue: rabbit(), autoscaling: { maxReplicas: 3, targetCpuUtilization: 50 } }),
      "[shop/mailer] 'autoscaling.targetCpuUtilization' cannot scale a worker in 'mode: job': KEDA's cpu and memory scalers apply to ScaledObjects only, not to ScaledJobs (each Job runs one unit of work to completion; https://keda.sh/docs/scalers/cpu/). Drop it and scale on the queue, or use 'mode: deployment'"],
    ['job mode with a memory target', worker({ mode: 'job', queue: rabbit(), autoscaling: { maxReplicas: 3, targetMemoryUtilization: 50 } }),
      "[shop/mailer] 'autoscaling.targetMemoryUtilization' cannot scale a worker in 'mode: job': KEDA's cpu and memory scalers apply to ScaledObjects only, not to ScaledJobs (each Job runs one unit of work to completion; https://keda.sh/docs/scalers/cpu/). Drop it and scale on the queue, or use 'mode: deployment'"],
  ])('fails on %s', (_what, build, message) => expectConfigError(build, message));

  test('a queue worker\'s memory target becomes a KEDA memory trigger (it was dropped)', () => {
    const { shop } = testApp();
    new ScaledWorker(shop, 'mailer', { image: IMAGE, queue: rabbit(), autoscaling: { maxReplicas: 4, targetMemoryUtilization: 80 } });
    const spec = find(synth(shop), 'ScaledObject', 'mailer').spec;
    expect(spec.triggers[1]).toEqual({ type: 'memory', metricType: 'Utilization', metadata: { value: '80' } });
    // KEDA refuses a fallback beside cpu or memory triggers
    expect(spec.fallback).toBeUndefined();
  });
});

describe('likely slips are warned at synth, not refused', () => {
  test('a decimal memory suffix, a size without a unit and a password in a URL', () => {
    const { app, shop } = testApp();
    new ObservedService(shop, 'api', {
      image: IMAGE,
      probes: READY,
      resources: { memory: '512M', limits: { memory: '1Gi' } },
      env: { DATABASE_URL: 'postgres://orders:s3cret@db:5432/orders', CACHE_URL: 'redis://cache:6379', AUTH_URL: 'https://user:$(TOKEN)@auth' },
      sidecars: [{ name: 'proxy', image: IMAGE, env: { UPSTREAM: 'amqp://guest:guest@rabbitmq:5672' } }],
    });
    new StatefulService(shop, 'db', { image: IMAGE, probes: READY, storage: { ...STORAGE, size: '20' }, resources: { memory: '256m' } });
    expect(warningsOf(app)).toEqual([
      "[shop/api] 'resources.memory' '512M' uses a decimal suffix (M = 10^6 bytes): '512Mi' (binary, what memory is usually sized in) is likely meant; write '512Mi', or keep '512M' if decimal units are meant",
      "[shop/api] 'env.DATABASE_URL' holds a password inside a URL ('postgres://orders:***@db:5432/orders'), in plain text in the manifests and the Git history: put the URL in a Secret and read it with 'secretEnv' (or 'secretFiles')",
      "[shop/api] 'sidecars[0].env.UPSTREAM' holds a password inside a URL ('amqp://guest:***@rabbitmq:5672'), in plain text in the manifests and the Git history: put the URL in a Secret and read it with 'secretEnv' (or 'secretFiles')",
      "[shop/db] 'resources.memory' '256m' is 256 thousandths of a byte ('m' is milli): write '256Mi' for mebibytes",
      "[shop/db] 'storage.size' '20' has no unit, so it is 20 bytes: write '20Gi' or '20Mi'",
    ]);
    // still written as given
    expect(find(synth(shop), 'StatefulSet', 'db').spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('20');
  });
});

describe('cdk8s-ms synth', () => {
  test('refuses a bad input before writing anything (exit 2, the construct path and the prop)', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ms-refused-'));
    try {
      const bad = path.join(tmp, 'bad.ts');
      fs.writeFileSync(bad, `import { MicroserviceApp, StatefulService } from '${path.join(__dirname, '..', 'lib')}';
export function build(scope: any) {
  const shop = new MicroserviceApp(scope, 'shop');
  new StatefulService(shop, 'db', { image: 'x/db:1', storage: { size: '20Gi', mountPath: '/data', storageClassName: 'premium..rwo' } });
}\n`);
      let out = '';
      let err = '';
      const io: Io = { out: t => { out += t; }, err: t => { err += t; } };
      const code = main(['synth', '--app', bad, '--out', path.join(tmp, 'out')], io);
      expect({ code, out, err }).toEqual({
        code: EXIT.USAGE,
        out: '',
        err: "error: [shop/db] 'storage.storageClassName' must name a StorageClass (a DNS subdomain: lowercase letters, digits, '-' and '.', each part between dots starting and ending with a letter or digit), got 'premium..rwo': for example 'premium-rwo'\n",
      });
      expect(fs.existsSync(path.join(tmp, 'out'))).toBe(false);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
