import { ObservedService, QueueTrigger, ScaledWorker, StatefulService, defaultProbes } from '../lib';
import { validateManifests } from '../lib/tools/index';
import { warningsOf } from '../lib/warnings';
import { container, expectConfigError, find, synth, testApp } from './helpers';

// Issue 20, item 1: where the user declares no probe, nothing is assumed about the app's HTTP
// paths or health service; a warning names what could be declared instead.

const IMAGE = 'ghcr.io/acme/app:1.0.0';
const STORAGE = { size: '1Gi', mountPath: '/data' };
const tcp = (port: string) => ({ tcpSocket: { port } });
const READINESS_TIMING = { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3, successThreshold: 1 };
const LIVENESS_TIMING = { periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3, successThreshold: 1 };
const STARTUP_TIMING = { periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 30, successThreshold: 1 };
/** The findings of `cdk8s-ms validate` on the workload's objects, warnings and errors only. */
const findings = (objects: unknown[]) => validateManifests(objects).findings.filter(f => f.severity !== 'info').map(f => `${f.rule} ${f.object}`);

const HTTP_WARNING = "[shop/api] readiness is a TCP connect to port 'http', like liveness (the linters flag identical probes): nothing is assumed about the app's HTTP paths, so a pod counts as ready as soon as it accepts connections. Declare the check the app serves, for example probes: { readiness: { httpPath: '/ready' } } (and liveness: { httpPath: '/healthz' } if it serves one)";
const GRPC_WARNING = "[shop/api] readiness is a TCP connect to port 'grpc', like liveness (the linters flag identical probes): nothing is assumed about a gRPC health service, so a pod counts as ready as soon as it accepts connections. Declare the check the app serves, for example probes: { readiness: { grpc: true } } if it implements the gRPC health checking protocol (grpc.health.v1)";
const TCP_WARNING = "[shop/api] readiness is a TCP connect to port 'tcp', like liveness (the linters flag identical probes): nothing is assumed about the server, so a pod counts as ready as soon as it accepts connections. Declare the check the app serves, for example probes: { readiness: { command: ['pg_isready', '--host=127.0.0.1'] } } for PostgreSQL or { command: ['redis-cli', 'ping'] } for Redis";
const NO_HEALTH_PORT_WARNING = "[shop/mailer] no liveness probe: the worker declares no 'healthPort' and no probes, so nothing is assumed about it, and a hung worker is never restarted (the linters report a missing liveness probe). Declare one, for example healthPort: 8080 with probes: { liveness: { httpPath: '/healthz' } }, or probes: { liveness: { command: ['/app/healthcheck'] } } with a command the image has; probes: { liveness: false } says there is none";

describe('services without declared probes', () => {
  test.each([
    ['http', HTTP_WARNING],
    ['grpc', GRPC_WARNING],
    ['tcp', TCP_WARNING],
  ] as const)('an ObservedService of protocol %s: a TCP connect to its port for readiness, liveness and startup, each with its own timing, and a warning', (protocol, warning) => {
    const { app, shop } = testApp();
    new ObservedService(shop, 'api', { image: IMAGE, protocol, port: 7000 });
    const c = container(find(synth(shop), 'Deployment', 'api'));
    expect(c.readinessProbe).toEqual({ ...tcp(protocol), ...READINESS_TIMING });
    expect(c.livenessProbe).toEqual({ ...tcp(protocol), ...LIVENESS_TIMING });
    expect(c.startupProbe).toEqual({ ...tcp(protocol), ...STARTUP_TIMING });
    // no HTTP path, no gRPC health service: nothing the app may lack
    expect(JSON.stringify(c)).not.toMatch(/httpGet|"grpc":\{/);
    expect(warningsOf(app)).toEqual([warning]);
  });

  test.each(['http', 'grpc', 'tcp'] as const)('a StatefulService of protocol %s: the same TCP checks and warning', protocol => {
    const { app, shop } = testApp();
    new StatefulService(shop, 'api', { image: IMAGE, protocol, port: 7000, storage: STORAGE });
    const c = find(synth(shop), 'StatefulSet', 'api').spec.template.spec.containers[0];
    expect([c.readinessProbe, c.livenessProbe, c.startupProbe]).toEqual([
      { ...tcp(protocol), ...READINESS_TIMING }, { ...tcp(protocol), ...LIVENESS_TIMING }, { ...tcp(protocol), ...STARTUP_TIMING },
    ]);
    expect(warningsOf(app)).toEqual([{ http: HTTP_WARNING, grpc: GRPC_WARNING, tcp: TCP_WARNING }[protocol]]);
  });

  test('defaultProbes() is a TCP connect for every protocol', () => {
    for (const protocol of ['http', 'grpc', 'tcp'] as const) {
      expect(defaultProbes(protocol)).toEqual({ readiness: { tcp: true }, liveness: { tcp: true } });
    }
  });

  test('a declared readiness check silences the warning; liveness stays the TCP connect', () => {
    const { app, shop } = testApp();
    new ObservedService(shop, 'api', { image: IMAGE, probes: { readiness: { httpPath: '/ready' } } });
    new ObservedService(shop, 'rpc', { image: IMAGE, protocol: 'grpc', port: 3550, probes: { readiness: { grpc: true } } });
    const objects = synth(shop);
    expect(container(find(objects, 'Deployment', 'api'))).toMatchObject({ readinessProbe: { httpGet: { path: '/ready', port: 'http' } }, livenessProbe: tcp('http'), startupProbe: tcp('http') });
    expect(container(find(objects, 'Deployment', 'rpc'))).toMatchObject({ readinessProbe: { grpc: { port: 3550 } }, livenessProbe: tcp('grpc') });
    expect(warningsOf(app)).toEqual([]);
  });

  test('with only liveness declared the warning still asks for readiness, and says "like liveness" only when both are the TCP connect', () => {
    const same = testApp();
    new ObservedService(same.shop, 'api', { image: IMAGE, probes: { liveness: { tcp: true, periodSeconds: 20 } } });
    expect(warningsOf(same.app)).toEqual([HTTP_WARNING]);
    const other = testApp();
    new ObservedService(other.shop, 'api', { image: IMAGE, probes: { liveness: { httpPath: '/healthz' } } });
    expect(warningsOf(other.app)).toEqual([HTTP_WARNING.replace(", like liveness (the linters flag identical probes)", '')]);
  });

  test('what the checkers say: the default pair is flagged as one check (a warning), a declared readiness check passes', () => {
    const plain = testApp();
    new ObservedService(plain.shop, 'api', { image: IMAGE });
    expect(findings(synth(plain.shop))).toEqual(['probe-distinct Deployment/shop/api']);
    const declared = testApp();
    new ObservedService(declared.shop, 'api', { image: IMAGE, probes: { readiness: { httpPath: '/ready' } } });
    expect(findings(synth(declared.shop))).toEqual([]);
  });
});

describe('workers', () => {
  test('without healthPort: no health port, no probe, metrics on their own port, and a warning naming what to declare', () => {
    const { app, shop } = testApp();
    const mailer = new ScaledWorker(shop, 'mailer', { image: IMAGE });
    const objects = synth(shop);
    const c = container(find(objects, 'Deployment', 'mailer'));
    expect(c.ports).toEqual([{ name: 'metrics', containerPort: 8080, protocol: 'TCP' }]);
    expect([c.readinessProbe, c.livenessProbe, c.startupProbe]).toEqual([undefined, undefined, undefined]);
    expect(mailer.healthPort).toBeUndefined();
    expect(find(objects, 'PodMonitor', 'mailer').spec.podMetricsEndpoints).toEqual([expect.objectContaining({ port: 'metrics', path: '/metrics' })]);
    expect(warningsOf(app)).toEqual([NO_HEALTH_PORT_WARNING]);
    // both checkers report the missing liveness probe: a warning, never an error
    expect(findings(objects)).toEqual(['probe-liveness Deployment/shop/mailer']);
  });

  test('without healthPort, a command probe needs no port; liveness: false says there is none; neither is warned', () => {
    const { app, shop } = testApp();
    new ScaledWorker(shop, 'mailer', { image: IMAGE, probes: { liveness: { command: ['/app/healthcheck'] } } });
    new ScaledWorker(shop, 'loadgen', { image: IMAGE, probes: { liveness: false } });
    const objects = synth(shop);
    const mailer = container(find(objects, 'Deployment', 'mailer'));
    expect(mailer.livenessProbe).toEqual({ exec: { command: ['/app/healthcheck'] }, ...LIVENESS_TIMING });
    expect(mailer.startupProbe).toEqual({ exec: { command: ['/app/healthcheck'] }, ...STARTUP_TIMING });
    expect(container(find(objects, 'Deployment', 'loadgen')).livenessProbe).toBeUndefined();
    expect(warningsOf(app)).toEqual([]);
  });

  test.each([
    ['an HTTP liveness probe', { liveness: { httpPath: '/healthz' } }, 'probes.liveness'],
    ['a TCP readiness probe', { readiness: { tcp: true as const } }, 'probes.readiness'],
    ['a gRPC startup probe', { liveness: false as const, startup: { grpc: true as const } }, 'probes.startup'],
  ])('without healthPort, %s is refused: it would connect to a port the container does not declare', (_what, probes, prop) => {
    expectConfigError(() => new ScaledWorker(testApp().shop, 'mailer', { image: IMAGE, probes }),
      `[shop/mailer] '${prop}' connects to the worker's health port, but it declares none: set 'healthPort' to the port the worker serves it on, or give a command probe`);
  });

  test('with healthPort: a TCP connect to it, metrics scraped there, and a warning asking for its path', () => {
    const { app, shop } = testApp();
    new ScaledWorker(shop, 'mailer', { image: IMAGE, healthPort: 9000 });
    const objects = synth(shop);
    const c = container(find(objects, 'Deployment', 'mailer'));
    expect(c.ports).toEqual([{ name: 'health', containerPort: 9000, protocol: 'TCP' }]);
    expect(c.livenessProbe).toEqual({ ...tcp('health'), ...LIVENESS_TIMING });
    expect(c.startupProbe).toEqual({ ...tcp('health'), ...STARTUP_TIMING });
    expect(c.readinessProbe).toBeUndefined();
    expect(find(objects, 'PodMonitor', 'mailer').spec.podMetricsEndpoints).toEqual([expect.objectContaining({ port: 'health' })]);
    expect(warningsOf(app)).toEqual(["[shop/mailer] liveness is a TCP connect to port 'health' (9000): nothing is assumed about the worker's HTTP paths. Declare the check it serves, for example probes: { liveness: { httpPath: '/healthz' } }"]);
    expect(findings(objects)).toEqual([]);
  });

  test('in job mode: no port, no probe and no warning (a Job\'s health is its exit code)', () => {
    const { app, shop } = testApp();
    new ScaledWorker(shop, 'resizer', {
      image: IMAGE, mode: 'job', autoscaling: { maxReplicas: 5 },
      queue: QueueTrigger.rabbitmq({ queueName: 'images', host: { secretName: 'rabbitmq', key: 'url' } }),
    });
    const pod = find(synth(shop), 'ScaledJob', 'resizer').spec.jobTargetRef.template.spec;
    expect(pod.containers[0].ports).toBeUndefined();
    expect(pod.containers[0].livenessProbe).toBeUndefined();
    expect(warningsOf(app)).toEqual([]);
  });
});
