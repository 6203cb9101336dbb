// Inputs that would synthesize and then fail at `kubectl apply`, or be silently ignored by the
// API server or a controller: each is refused at synth with the construct path, the prop, the
// value and the fix (issue 12, item 9).
import { BatchJob, MicroserviceConfigError, ObservedService, ObservedServiceProps, ScaledWorker, StatefulService } from '../lib';
import { nearestName } from '../lib/props/checks';
import { validateManifests } from '../lib/tools/index';
import { appEnv, find, synth, testApp } from './helpers';

const IMAGE = 'ghcr.io/acme/catalog:1.4.2';

function fails(build: () => unknown, message: string): void {
  expect(build).toThrow(MicroserviceConfigError);
  expect(build).toThrow(message);
}

/** Builds the service in a fresh app each time (fails() builds twice); `appProps` for that app. */
const service = (props: Partial<ObservedServiceProps>, appProps = {}) => () => new ObservedService(testApp('shop', appProps).shop, 'catalog', { image: IMAGE, ...props } as ObservedServiceProps);

describe('unknown props', () => {
  test('a misspelt prop names the nearest known one, at any depth', () => {
    fails(service({ prot: 8080 } as any), "[shop/catalog] 'prot' is not a known prop: did you mean 'port'?");
    fails(service({ autoscaling: { maxReplicas: 5, targetCPUUtilization: 60 } } as any), "[shop/catalog] 'autoscaling.targetCPUUtilization' is not a known prop: did you mean 'autoscaling.targetCpuUtilization'?");
    fails(service({ secretEnv: { DB: { secretName: 'db', key: 'url', optinal: true } } } as any), "[shop/catalog] 'secretEnv.DB.optinal' is not a known prop: did you mean 'secretEnv.DB.optional'?");
    fails(service({ traffic: { retries: { attempts: 1, perTryTimout: '1s' } } } as any, { mesh: 'istio' }), "[shop/catalog] 'traffic.retries.perTryTimout' is not a known prop: did you mean 'traffic.retries.perTryTimeout'?");
    fails(() => testApp('shop', { monitoring: { scrapeIntervall: '15s' } } as any), "[shop] 'monitoring.scrapeIntervall' is not a known prop: did you mean 'monitoring.scrapeInterval'?");
    fails(() => new ScaledWorker(testApp().shop, 'mailer', { image: IMAGE, helthPort: 9000 } as any), "[shop/mailer] 'helthPort' is not a known prop: did you mean 'healthPort'?");
    fails(service({ canary: { image: 'x/a:2', weight: 10, header: { name: 'x-canary', vaule: '1' } } } as any, { mesh: 'istio' }), "[shop/catalog] 'canary.header.vaule' is not a known prop: did you mean 'canary.header.value'?");
    // nothing near: the known names are listed
    fails(service({ route: { path: '/', xyzzy: 1 } } as any), "[shop/catalog] 'route.xyzzy' is not a known prop: use one of 'path', 'pathType', 'host'");
  });

  test('StatefulService, BatchJob and the pod\'s nested options refuse unknown props too', () => {
    const db = (props: object) => () => new StatefulService(testApp().shop, 'db', { image: IMAGE, port: 5432, protocol: 'tcp', storage: { size: '1Gi', mountPath: '/data' }, ...props } as any);
    fails(db({ peerPort: [5432] }), "[shop/db] 'peerPort' is not a known prop: did you mean 'peerPorts'?");
    fails(db({ storage: { size: '1Gi', mountPath: '/data', storageClass: 'fast' } }), "[shop/db] 'storage.storageClass' is not a known prop: did you mean 'storage.storageClassName'?");
    fails(db({ claimRetention: { whenDelete: 'Delete' } }), "[shop/db] 'claimRetention.whenDelete' is not a known prop: did you mean 'claimRetention.whenDeleted'?");
    fails(() => new BatchJob(testApp().shop, 'report', { image: IMAGE, schedule: '0 3 * * *', timezone: 'Europe/Berlin' } as any), "[shop/report] 'timezone' is not a known prop: did you mean 'timeZone'?");
    fails(service({ user: { uid: 1000, gdi: 1000 } } as any), "[shop/catalog] 'user.gdi' is not a known prop: did you mean 'user.gid'?");
    fails(service({ sidecars: [{ name: 'exporter', image: IMAGE, port: 9187 }] } as any), "[shop/catalog] 'sidecars[0].port' is not a known prop: did you mean 'sidecars[0].ports'?");
    fails(service({ claims: [{ claimName: 'cache', mountPath: '/cache', readonly: true }] } as any), "[shop/catalog] 'claims[0].readonly' is not a known prop: did you mean 'claims[0].readOnly'?");
  });

  test('the nearest name is only offered when it is near', () => {
    expect(nearestName('replica', ['replicas', 'resources'])).toBe('replicas');
    expect(nearestName('ENV', ['env', 'args'])).toBe('env');
    expect(nearestName('completelyDifferent', ['port', 'protocol'])).toBeUndefined();
  });
});

describe('values the receiving system would refuse', () => {
  test('a port given as a string says it must be a number', () => {
    fails(service({ port: '8080' as any }), "[shop/catalog] 'port' must be a number, got '8080': write 8080 without quotes");
    fails(() => new ScaledWorker(testApp().shop, 'mailer', { image: IMAGE, healthPort: '9000' as any }), "[shop/mailer] 'healthPort' must be a number, got '9000': write 9000 without quotes");
  });

  test('a metrics port equal to the service port would give the Service one port twice', () => {
    fails(service({ port: 8080, servicePort: 9464, protocol: 'grpc' }), "[shop/catalog] 'metrics.port' 9464 is also the service port ('servicePort'): the Service would have two ports 9464. Serve metrics on the container port (8080), or choose another metrics port");
    fails(service({ port: 8080, servicePort: 80, metrics: { port: 80 } }), "[shop/catalog] 'metrics.port' 80 is also the service port ('servicePort')");
  });

  test('with a mesh, an app port of the sidecar is refused', () => {
    fails(service({ port: 15020 }, { mesh: 'istio' }), "[shop/catalog] 'port' 15020 is in the range Istio's sidecar keeps for itself (15000-15090: 15090 is its Prometheus telemetry, 15020 the merged metrics, 15021 its health check), and the app's mesh injects one into every pod: choose another port");
    expect(service({ port: 15020 })).not.toThrow();
  });

  test('Secret references must be object names and data keys', () => {
    fails(service({ secretEnv: { DB_URL: { secretName: 'DB_Credentials', key: 'url' } } }), "[shop/catalog] 'secretEnv.DB_URL.secretName' must be a Kubernetes object name (lowercase letters, digits, '-' and '.', at most 253), got 'DB_Credentials': for example 'db-credentials'");
    fails(service({ secretEnv: { DB_URL: { secretName: 'db', key: 'the url' } } }), "[shop/catalog] 'secretEnv.DB_URL.key' must be a Secret data key (letters, digits, '-', '_' and '.'), got 'the url': for example 'password'");
    fails(() => testApp('shop', { domain: 'shop.example.com', tlsSecretName: 'Shop TLS' }), "[shop] 'tlsSecretName' must be a Kubernetes object name");
  });

  test('IPv6 CIDRs are parsed the way the API server does', () => {
    const api = () => new ObservedService(testApp().shop, 'api', { image: IMAGE });
    fails(() => api().connectToExternal({ name: 'db', cidr: '2001:db8:::1/64', port: 5432 }), "[shop/api] connectToExternal('db'): 'cidr' '2001:db8:::1/64' is not an IPv4 or IPv6 CIDR such as '10.20.0.0/16'");
    fails(() => api().connectToExternal({ name: 'db', cidr: '10.0.0.256/32', port: 5432 }), "'cidr' '10.0.0.256/32' is not an IPv4 or IPv6 CIDR");
    expect(() => api().connectToExternal({ name: 'db', cidr: '2001:db8::/32', port: 5432 })).not.toThrow();
  });

  test('connectTo() a worker is refused: a worker has no Service to call', () => {
    const { shop } = testApp();
    const web = new ObservedService(shop, 'web', { image: IMAGE });
    const mailer = new ScaledWorker(shop, 'mailer', { image: IMAGE });
    fails(() => web.connectTo(mailer as any), "[shop/web] connectTo() needs a workload with a Service to call (an ObservedService or a StatefulService), got 'mailer', a ScaledWorker with no Service: connect the other way round, or give it a queue or a Service");
    fails(() => web.connectTo(undefined as any), '[shop/web] connectTo() needs a workload with a Service to call (an ObservedService or a StatefulService), got undefined');
  });

  test('the app may not live in a namespace of the cluster or of its infrastructure', () => {
    fails(() => testApp('shop', { namespace: 'kube-system' }), "[shop] 'namespace' 'kube-system' is shared with the cluster's own workloads, which the app's default-deny network policy would cut off (cluster DNS in kube-system): give the app a namespace of its own, for example 'shop-app'");
    fails(() => testApp('shop', { namespace: 'default' }), "[shop] 'namespace' 'default' is shared with the cluster's own workloads");
    fails(() => testApp('monitoring'), "[monitoring] 'namespace' 'monitoring' is where Prometheus (monitoring.prometheusNamespace) runs");
    fails(() => testApp('shop', { namespace: 'istio-system', mesh: 'istio' }), "[shop] 'namespace' 'istio-system' is where the Ingress controller (ingressController) runs");
    expect(() => testApp('monitoring', { monitoring: { enabled: false } })).not.toThrow();
  });

  test('an OTLP endpoint by IP address, or outside the cluster, needs the collector\'s pods', () => {
    fails(() => testApp('shop', { openTelemetry: { endpoint: 'http://10.0.0.5:4317' } }), "[shop] 'openTelemetry.endpoint' 'http://10.0.0.5:4317' is an IP address, which names no namespace: use the collector Service's name, or set 'openTelemetry.collector' to the collector's pods so egress to them can be allowed");
    fails(() => testApp('shop', { openTelemetry: { endpoint: 'http://otel.example.com:4317' } }), "[shop] 'openTelemetry.endpoint' 'http://otel.example.com:4317' names no namespace (<service>.<namespace>[.svc[.cluster.local]])");
    expect(() => testApp('shop', { openTelemetry: { endpoint: 'http://10.0.0.5:4317', collector: { namespace: 'observability' } } })).not.toThrow();
    expect(() => testApp('shop', { openTelemetry: { endpoint: 'http://otel-collector.observability.svc.cluster.local:4317' } })).not.toThrow();
  });

  test('labels, annotations, tolerations and users are checked as the API server does', () => {
    fails(service({ nodeSelector: { 'kubernetes.io/arch': 'amd 64' } }), "[shop/catalog] 'nodeSelector.kubernetes.io/arch' must be a label value");
    fails(() => testApp('shop', { ingressAnnotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': 8 as any } }), "[shop] 'ingressAnnotations.nginx.ingress.kubernetes.io/proxy-body-size' must be a string, got 8: quote numbers and booleans");
    fails(() => testApp('shop', { ingressController: { namespace: 'Ingress', podLabels: {} } }), "[shop] 'ingressController.namespace' must be a DNS label");
    fails(service({ tolerations: [{ key: 'gpu', operator: 'Exists', value: 'true' }] }), "[shop/catalog] 'tolerations[0].value' must be empty with operator 'Exists', got 'true': drop it, or use operator 'Equal'");
    fails(service({ tolerations: [{ key: 'gpu', effect: 'NoSchedul' as any }] }), "[shop/catalog] 'tolerations[0].effect' must be one of 'NoSchedule', 'PreferNoSchedule', 'NoExecute', got 'NoSchedul'");
    fails(service({ runAsUser: 0 }), "[shop/catalog] 'runAsUser' must be a whole number from 1 to 2147483647, got 0");
    fails(service({ command: ['/app', 8080 as any] }), "[shop/catalog] 'command' must be a list of strings");
    fails(service({ probes: { readiness: { httpPath: '/ready', timeout: 2 } as any } }), "[shop/catalog] 'probes.readiness.timeout' is not a known prop: did you mean 'probes.readiness.timeoutSeconds'?");
    fails(() => testApp('shop', { mesh: 'istio', ingressAnnotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '8m' } }), "[shop] 'ingressAnnotations' 'nginx.ingress.kubernetes.io/proxy-body-size' is for ingress-nginx, which Istio's gateway (the mesh's Ingress) ignores: drop it, and configure the gateway instead");
    fails(() => testApp('shop', { monitoring: { runbookBaseUrl: 'runbooks.example.com' } }), "[shop] 'monitoring.runbookBaseUrl' must be an http(s) URL, got 'runbooks.example.com'");
  });
});

describe('literal env that only looks like a secret', () => {
  test('envNotSecret lets the listed names through, and validate honours it', () => {
    const { shop } = testApp();
    fails(service({ env: { TOKENIZERS_PARALLELISM: 'false' } }), "[shop/catalog] 'env' 'TOKENIZERS_PARALLELISM' looks like a secret but holds a literal value: put it in a Secret and use secretEnv: { TOKENIZERS_PARALLELISM: { secretName, key } }; if it is no secret, say so with envNotSecret: ['TOKENIZERS_PARALLELISM']");
    const api = new ObservedService(shop, 'api', { image: IMAGE, env: { TOKENIZERS_PARALLELISM: 'false', TOKEN_TTL: '3600' }, envNotSecret: ['TOKENIZERS_PARALLELISM', 'TOKEN_TTL'] });
    api.addEnv('PASSWORD_MIN_LENGTH', '12', { notSecret: true });
    const objects = synth(shop);
    const deployment = find(objects, 'Deployment', 'api');
    expect(appEnv(deployment)).toEqual([{ name: 'TOKENIZERS_PARALLELISM', value: 'false' }, { name: 'TOKEN_TTL', value: '3600' }, { name: 'PASSWORD_MIN_LENGTH', value: '12' }]);
    expect(deployment.spec.template.metadata.annotations['cdk8s-microservices.io/env-not-secret']).toBe('PASSWORD_MIN_LENGTH,TOKENIZERS_PARALLELISM,TOKEN_TTL');
    expect(validateManifests(objects).findings.filter(f => f.rule === 'no-plain-secrets')).toEqual([]);
    // and without the annotation the validator still flags them
    delete deployment.spec.template.metadata.annotations['cdk8s-microservices.io/env-not-secret'];
    expect(validateManifests(objects).findings.filter(f => f.rule === 'no-plain-secrets').map(f => f.message)).toHaveLength(3);
  });

  test('envNotSecret must name env entries', () => {
    fails(service({ env: { TOKEN_TTL: '3600' }, envNotSecret: ['TOKEN_TLL'] }), "[shop/catalog] 'envNotSecret' names 'TOKEN_TLL', which is not in 'env': list only names of env, or drop it");
  });
});
