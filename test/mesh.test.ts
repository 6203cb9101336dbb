import { Testing } from 'cdk8s';
import { MicroserviceApp, MicroserviceConfigError, ObservedService, QueueTrigger, ScaledWorker } from '../lib';
import { appReadme } from '../lib/output/app-readme';
import { validateManifests } from '../lib/tools/index';
import { warningsOf } from '../lib/warnings';
import { READY, container, find, ofKind, synth, testApp } from './helpers';
import { build as sixtyWorkloads } from './fixtures/sixty-workloads';

const meshApp = (props = {}) => testApp('shop', { mesh: 'istio', ...props });

describe('Istio mesh', () => {
  test('the namespace is injected, STRICT mTLS, allow-nothing baseline, sidecars reach istiod', () => {
    const { shop } = meshApp();
    new ObservedService(shop, 'web', { image: 'x/web:1' });
    const objects = synth(shop);
    expect(find(objects, 'Namespace', 'shop').metadata.labels).toMatchObject({ 'istio-injection': 'enabled', 'pod-security.kubernetes.io/enforce': 'restricted' });
    expect(find(objects, 'PeerAuthentication', 'default')).toMatchObject({ apiVersion: 'security.istio.io/v1', spec: { mtls: { mode: 'STRICT' } } });
    expect(find(objects, 'AuthorizationPolicy', 'allow-nothing').spec).toEqual({});
    expect(find(objects, 'NetworkPolicy', 'allow-istiod').spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } }, podSelector: { matchLabels: { app: 'istiod' } } }], ports: [{ port: 15012, protocol: 'TCP' }] }],
    });
    expect(find(objects, 'Deployment', 'web').spec.template.metadata.annotations).toMatchObject({ 'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts":true,"terminationDrainDuration":"30s"}' });
  });

  test('a revision labels the namespace for that control plane instead', () => {
    const { shop } = meshApp({ istio: { revision: '1-30-0' } });
    const labels = find(synth(shop), 'Namespace', 'shop').metadata.labels!;
    expect(labels['istio.io/rev']).toBe('1-30-0');
    expect(labels['istio-injection']).toBeUndefined();
    expect(() => meshApp({ istio: { revision: 'Stable 1.30' } })).toThrow("[shop] 'istio.revision' must be an Istio revision name (lowercase letters, digits and '-'), got 'Stable 1.30': for example '1-30-0'");
  });

  test('without a mesh there is no Istio object and no injection label', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'web', { image: 'x/web:1' });
    const objects = synth(shop);
    expect(objects.filter(o => o.apiVersion.includes('istio.io'))).toEqual([]);
    expect(find(objects, 'Namespace', 'shop').metadata.labels?.['istio-injection']).toBeUndefined();
  });

  test('each service admits exactly its declared callers by service-account principal', () => {
    const { app, shop } = meshApp();
    const other = new MicroserviceApp(app, 'billing', { mesh: 'istio' });
    const catalog = new ObservedService(shop, 'catalog', { image: 'x/catalog:1', port: 3550, protocol: 'grpc' });
    const web = new ObservedService(shop, 'web', { image: 'x/web:1' });
    const worker = new ScaledWorker(shop, 'indexer', { image: 'x/indexer:1' });
    const invoices = new ObservedService(other, 'invoices', { image: 'x/invoices:1' });
    web.connectTo(catalog);
    worker.connectTo(catalog);
    web.connectTo(invoices);
    const policy = find(synth(shop), 'AuthorizationPolicy', 'catalog').spec;
    expect(policy).toEqual({
      action: 'ALLOW',
      selector: { matchLabels: { 'app.kubernetes.io/name': 'catalog', 'app.kubernetes.io/part-of': 'shop' } },
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web', 'cluster.local/ns/shop/sa/indexer'] } }], to: [{ operation: { ports: ['3550'] } }] }],
    });
    // a caller from another namespace is named by its own namespace
    expect(find(synth(other), 'AuthorizationPolicy', 'invoices').spec.rules[0].from[0].source.principals).toEqual(['cluster.local/ns/shop/sa/web']);
    // nobody calls web: its policy matches nothing, so every request is denied
    expect(find(synth(shop), 'AuthorizationPolicy', 'web').spec.rules).toBeUndefined();
  });

  test('routed services admit the ingress gateway by its exact principal: istioctl\'s by default, or given principals', () => {
    const { shop } = meshApp({ domain: 'shop.example.com' });
    new ObservedService(shop, 'web', { image: 'x/web:1', route: { path: '/' } });
    const objects = synth(shop);
    expect(find(objects, 'AuthorizationPolicy', 'web').spec.rules).toEqual([{ from: [{ source: { principals: ['cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account'] } }], to: [{ operation: { ports: ['8080'] } }] }]);
    // with a mesh the Ingress is Istio's
    expect(find(objects, 'Ingress', 'shop').spec.ingressClassName).toBe('istio');
    expect(find(objects, 'NetworkPolicy', 'web.allow-ingress').spec.ingress[0].from[0]).toEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } }, podSelector: { matchLabels: { istio: 'ingressgateway' } },
    });

    // Istio's Gateway API deployment for a Gateway is `<name>-istio` in the Gateway's namespace
    const { shop: viaGateway } = meshApp({ gateway: { name: 'public', namespace: 'edge' } });
    new ObservedService(viaGateway, 'web', { image: 'x/web:1', route: { path: '/' } });
    expect(find(synth(viaGateway), 'AuthorizationPolicy', 'web').spec.rules[0].from[0].source).toEqual({ principals: ['cluster.local/ns/edge/sa/public-istio'] });

    const { shop: pinned } = meshApp({ ingressController: { namespace: 'edge', podLabels: { istio: 'ingress' } }, istio: { ingressPrincipals: ['cluster.local/ns/edge/sa/gateway'], trustDomain: 'acme.internal' } });
    const api = new ObservedService(pinned, 'api', { image: 'x/api:1', route: { path: '/api' } });
    new ObservedService(pinned, 'web', { image: 'x/web:1' }).connectTo(api);
    expect(find(synth(pinned), 'AuthorizationPolicy', 'api').spec.rules.map((r: any) => r.from[0].source.principals))
      .toEqual([['acme.internal/ns/shop/sa/web'], ['cluster.local/ns/edge/sa/gateway']]);
  });

  test('a LoadBalancer service takes plaintext from anyone on its port only', () => {
    const { shop } = meshApp();
    new ObservedService(shop, 'edge', { image: 'x/edge:1', serviceType: 'LoadBalancer' });
    const objects = synth(shop);
    expect(find(objects, 'PeerAuthentication', 'edge').spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'edge', 'app.kubernetes.io/part-of': 'shop' } },
      mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'PERMISSIVE' } },
    });
    expect(find(objects, 'AuthorizationPolicy', 'edge').spec.rules).toEqual([{ to: [{ operation: { ports: ['8080'] } }] }]);
  });

  test('default traffic policy: 15 s timeout, 2 safe retries, pool limits, outlier ejection', () => {
    const { shop } = meshApp();
    new ObservedService(shop, 'web', { image: 'x/web:1' });
    new ObservedService(shop, 'catalog', { image: 'x/catalog:1', protocol: 'grpc', port: 3550 });
    new ObservedService(shop, 'redis', { image: 'x/redis:1', protocol: 'tcp', port: 6379 });
    const objects = synth(shop);
    expect(find(objects, 'DestinationRule', 'web').spec).toEqual({
      host: 'web.shop.svc.cluster.local',
      trafficPolicy: {
        connectionPool: { tcp: { maxConnections: 1024, connectTimeout: '3s' }, http: { http1MaxPendingRequests: 1024, http2MaxRequests: 1024 } },
        outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
      },
      // routes always name a subset: a canary added later needs no new subset in a route's path
      subsets: [{ name: 'stable', labels: { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'web' } }],
    });
    const route = [{ destination: { host: 'web.shop.svc.cluster.local', port: { number: 80 }, subset: 'stable' } }];
    expect(find(objects, 'VirtualService', 'web').spec).toEqual({
      hosts: ['web.shop.svc.cluster.local'],
      http: [{
        // GET and HEAD are safe to run twice: retried after resets and 503 too
        name: 'safe-methods', match: [{ method: { exact: 'GET' } }, { method: { exact: 'HEAD' } }], timeout: '15s',
        retries: { attempts: 2, perTryTimeout: '5s', retryOn: 'connect-failure,refused-stream,reset,503' }, route,
      }, {
        // anything else only where the request cannot have reached the app
        name: 'default', timeout: '15s',
        retries: { attempts: 2, perTryTimeout: '5s', retryOn: 'connect-failure,refused-stream,reset-before-request' }, route,
      }],
    });
    // gRPC calls are all POSTs: none is known to be idempotent
    expect(find(objects, 'VirtualService', 'catalog').spec.http.map((r: any) => [r.name, r.retries.retryOn])).toEqual([['default', 'connect-failure,refused-stream,reset-before-request']]);
    // a tcp service has no request-level policy: no VirtualService, still a circuit breaker
    expect(ofKind(objects, 'VirtualService').map(v => v.metadata.name)).toEqual(['catalog', 'web']);
    expect(find(objects, 'DestinationRule', 'redis').spec.trafficPolicy.outlierDetection.consecutive5xxErrors).toBe(5);
  });

  test('traffic settings override the defaults; retries: false disables retries for non-idempotent calls', () => {
    const { shop } = meshApp();
    new ObservedService(shop, 'payments', {
      image: 'x/payments:1',
      traffic: { timeout: '8s', retries: false, circuitBreaker: { consecutiveErrors: 3, maxEjectionPercent: 100, maxConnections: 50 } },
    });
    new ObservedService(shop, 'search', { image: 'x/search:1', traffic: { idempotent: true, retries: { attempts: 3, perTryTimeout: '1s', retryOn: '5xx,reset' }, circuitBreaker: false } });
    new ObservedService(shop, 'prices', { image: 'x/prices:1', protocol: 'grpc', traffic: { idempotent: true } });
    new ObservedService(shop, 'feed', { image: 'x/feed:1', protocol: 'grpc', traffic: { timeout: '0s' } });
    const objects = synth(shop);
    // '0s' is Istio's "no timeout", for long-lived streams
    expect(find(objects, 'VirtualService', 'feed').spec.http[0].timeout).toBe('0s');
    expect(find(objects, 'VirtualService', 'payments').spec.http[0]).toMatchObject({ timeout: '8s', retries: { attempts: 0 } });
    expect(find(objects, 'DestinationRule', 'payments').spec.trafficPolicy).toMatchObject({
      connectionPool: { tcp: { maxConnections: 50 } }, outlierDetection: { consecutive5xxErrors: 3, maxEjectionPercent: 100 },
    });
    expect(find(objects, 'VirtualService', 'search').spec.http.map((r: any) => [r.name, r.retries])).toEqual([['default', { attempts: 3, perTryTimeout: '1s', retryOn: '5xx,reset' }]]);
    // idempotent calls get the broad conditions on every method, in one route
    expect(find(objects, 'VirtualService', 'prices').spec.http.map((r: any) => [r.name, r.retries.retryOn])).toEqual([['default', 'connect-failure,refused-stream,reset,unavailable']]);
    // no circuit breaker: the DestinationRule still defines the stable subset
    expect(find(objects, 'DestinationRule', 'search').spec).toEqual({ host: 'search.shop.svc.cluster.local', subsets: [{ name: 'stable', labels: { 'app.kubernetes.io/name': 'search', 'app.kubernetes.io/instance': 'search' } }] });
  });

  test('a request that may have run is retried only when its method is safe or the service is declared idempotent', () => {
    // Istio takes the first http route whose match holds (a route without match holds for all)
    const routeFor = (http: any[], method: string, headers: Record<string, string>) => http.find(r => !r.match || r.match.some((m: any) =>
      (!m.method || m.method.exact === method) && Object.entries(m.headers ?? {}).every(([k, v]: [string, any]) => headers[k] === v.exact)));
    const safe = new Set(['connect-failure', 'refused-stream', 'reset-before-request']);
    for (const idempotent of [false, true, undefined]) {
      for (const protocol of ['http', 'grpc'] as const) {
        const { shop } = meshApp();
        new ObservedService(shop, 'api', { image: 'x/api:1', protocol, traffic: { idempotent }, canary: { image: 'x/api:2', weight: 10, header: { name: 'x-canary', value: '1' } } });
        const http = find(synth(shop), 'VirtualService', 'api').spec.http;
        for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']) {
          for (const headers of [{}, { 'x-canary': '1' }] as Array<Record<string, string>>) {
            const route = routeFor(http, method, headers);
            const mayRepeat = route.retries.retryOn.split(',').some((c: string) => !safe.has(c));
            // gRPC is always POST: only `idempotent` widens its retries
            const repeatable = idempotent === true || (protocol === 'http' && (method === 'GET' || method === 'HEAD') && !('x-canary' in headers));
            expect([protocol, idempotent, method, headers, mayRepeat]).toEqual([protocol, idempotent, method, headers, repeatable]);
            // every route keeps the deadline
            expect(route.timeout).toBe('15s');
          }
        }
      }
    }
  });

  test('autoscaling of meshed pods measures the app container, not the sidecar', () => {
    const { shop } = meshApp();
    new ObservedService(shop, 'web', { image: 'x/web:1', autoscaling: { maxReplicas: 6, targetCpuUtilization: 60, targetMemoryUtilization: 80 } });
    new ScaledWorker(shop, 'mailer', {
      image: 'x/mailer:1', autoscaling: { minReplicas: 1, maxReplicas: 5, targetCpuUtilization: 75 },
      queue: QueueTrigger.rabbitmq({ queueName: 'mail', messagesPerReplica: 10, host: { secretName: 'rabbitmq', key: 'url' } }),
    });
    const objects = synth(shop);
    expect(find(objects, 'HorizontalPodAutoscaler', 'web').spec.metrics).toEqual([
      { type: 'ContainerResource', containerResource: { name: 'cpu', container: 'web', target: { type: 'Utilization', averageUtilization: 60 } } },
      { type: 'ContainerResource', containerResource: { name: 'memory', container: 'web', target: { type: 'Utilization', averageUtilization: 80 } } },
    ]);
    // the container named is the app's own container of the pod template
    expect(container(find(objects, 'Deployment', 'web')).name).toBe('web');
    expect(find(objects, 'ScaledObject', 'mailer').spec.triggers.find((t: any) => t.type === 'cpu').metadata).toEqual({ value: '75', containerName: 'mailer' });
    expect(validateManifests(objects).findings.filter(f => f.severity === 'error')).toEqual([]);
    // without a mesh the pod is the app: a plain Resource target
    const { shop: plain } = testApp();
    new ObservedService(plain, 'web', { image: 'x/web:1', autoscaling: { maxReplicas: 6 } });
    expect(find(synth(plain), 'HorizontalPodAutoscaler', 'web').spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }]);
  });

  test('the sidecar outlives the app: its drain lasts the whole grace period, past the preStop sleep and the app\'s own shutdown', () => {
    const { shop } = meshApp();
    new ObservedService(shop, 'web', { image: 'x/web:1' });
    new ObservedService(shop, 'slow', { image: 'x/slow:1', shutdown: { preStopSleepSeconds: 10, terminationGracePeriodSeconds: 90 } });
    new ScaledWorker(shop, 'mailer', { image: 'x/mailer:1', maxProcessingTime: '2m' });
    const objects = synth(shop);
    for (const d of ofKind(objects, 'Deployment')) {
      const pod = d.spec.template;
      const config = JSON.parse(pod.metadata.annotations['proxy.istio.io/config']);
      const drainSeconds = Number(/^(\d+)s$/.exec(config.terminationDrainDuration)![1]);
      const preStop = Number(container(d).lifecycle?.preStop?.exec?.command?.[1] ?? 0);
      // Envoy is killed at the end of the drain: never before the kubelet would kill the app
      expect([d.metadata.name, drainSeconds]).toEqual([d.metadata.name, pod.spec.terminationGracePeriodSeconds]);
      expect(drainSeconds).toBeGreaterThan(preStop);
      expect(config.holdApplicationUntilProxyStarts).toBe(true);
    }
    expect(find(objects, 'Deployment', 'mailer').spec.template.spec.terminationGracePeriodSeconds).toBe(140);
  });

  test('Prometheus scrapes Istio\'s merged metrics on 15020, which the app\'s metrics port feeds', () => {
    const { shop } = meshApp();
    new ObservedService(shop, 'catalog', { image: 'x/catalog:1', protocol: 'grpc', port: 3550 });
    new ScaledWorker(shop, 'mailer', { image: 'x/mailer:1' });
    const objects = synth(shop);
    // found by the port the injected istio-proxy declares, then scraped on the pod IP at 15020
    const toMergedPort = [
      { action: 'replace', sourceLabels: ['__meta_kubernetes_pod_ip'], regex: '([0-9.]+)', replacement: '$1:15020', targetLabel: '__address__' },
      { action: 'replace', sourceLabels: ['__meta_kubernetes_pod_ip'], regex: '(.+:.+)', replacement: '[$1]:15020', targetLabel: '__address__' },
    ];
    expect(find(objects, 'ServiceMonitor', 'catalog').spec.endpoints).toEqual([{ targetPort: 'http-envoy-prom', relabelings: toMergedPort, path: '/stats/prometheus', interval: '30s', scheme: 'http' }]);
    expect(find(objects, 'PodMonitor', 'mailer').spec.podMetricsEndpoints).toEqual([{ port: 'http-envoy-prom', relabelings: toMergedPort, path: '/stats/prometheus', interval: '30s', scheme: 'http' }]);
    expect(find(objects, 'Deployment', 'catalog').spec.template.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9464', 'prometheus.io/path': '/metrics' });
    for (const name of ['catalog', 'mailer']) {
      expect(find(objects, 'NetworkPolicy', `${name}.allow-prometheus`).spec.ingress[0].ports).toEqual([{ port: 15020, protocol: 'TCP' }]);
    }
  });

  test('bad traffic settings and mesh mismatches fail with the path, the prop, the value and the fix', () => {
    const cases: Array<[() => unknown, string]> = [
      [() => new ObservedService(testApp().shop, 'a', { image: 'x/a:1', traffic: { timeout: '5s' } }), "[shop/a] 'traffic.timeout' needs a mesh (the proxy enforces it): set mesh: 'istio' on the MicroserviceApp, or drop it"],
      [() => new ObservedService(testApp().shop, 'a', { image: 'x/a:1', traffic: { circuitBreaker: {} } }), "[shop/a] 'traffic.circuitBreaker' needs a mesh (the callers' proxies enforce it): set mesh: 'istio' on the MicroserviceApp, or drop it"],
      [() => new ObservedService(meshApp().shop, 'a', { image: 'x/a:1', protocol: 'tcp', traffic: { retries: { attempts: 1 } } }), "[shop/a] 'traffic.retries' applies to http and grpc calls, not to a tcp service: drop it"],
      [() => new ObservedService(meshApp().shop, 'a', { image: 'x/a:1', traffic: { timeout: '5 seconds' } }), "[shop/a] 'traffic.timeout' must be a duration such as '500ms', '5s' or '1m', got '5 seconds'"],
      [() => new ObservedService(meshApp().shop, 'a', { image: 'x/a:1', traffic: { retries: { attempts: 2, retryOn: '5xx,sometimes' } } }), "[shop/a] 'traffic.retries.retryOn' has unknown conditions 'sometimes': use Envoy's, for example 'connect-failure,refused-stream,reset-before-request'"],
      [() => new ObservedService(meshApp().shop, 'a', { image: 'x/a:1', traffic: { retries: { attempts: 2, retryOn: 'connect-failure,reset,503' } } }), "[shop/a] 'traffic.retries.retryOn' 'reset,503' retries calls that may already have run (a POST could run twice): set 'traffic.idempotent: true' if every call is safe to repeat, or keep to 'connect-failure,refused-stream,reset-before-request'"],
      [() => new ObservedService(meshApp().shop, 'a', { image: 'x/a:1', traffic: { timeout: '2s', retries: { attempts: 1, perTryTimeout: '2500ms' } } }), "[shop/a] 'traffic.retries.perTryTimeout' (2500ms) is longer than 'traffic.timeout' (2s), which bounds all tries together: lower perTryTimeout or raise timeout"],
      [() => new ObservedService(meshApp().shop, 'a', { image: 'x/a:1', traffic: { idempotent: 'yes' as any } }), "[shop/a] 'traffic.idempotent' must be true or false, got 'yes'"],
      [() => new ObservedService(meshApp().shop, 'a', { image: 'x/a:1', traffic: { retries: { attempts: 0 } } }), "[shop/a] 'traffic.retries.attempts' must be a whole number from 1 to 10, got 0"],
      [() => new ObservedService(meshApp().shop, 'a', { image: 'x/a:1', traffic: { circuitBreaker: { maxEjectionPercent: 150 } } }), "[shop/a] 'traffic.circuitBreaker.maxEjectionPercent' must be a whole number from 0 to 100, got 150"],
      [() => testApp('shop', { istio: {} }), "[shop] 'istio' needs mesh: 'istio': add it, or drop 'istio'"],
      [() => meshApp({ ingressClassName: 'nginx' }), "[shop] 'ingressClassName' 'nginx' is a controller outside the mesh: it would send plaintext into STRICT mutual TLS and has no identity the AuthorizationPolicies admit, so no request gets through. Use 'istio' (Istio's gateway), or 'gateway' with a Gateway that Istio runs"],
      [() => meshApp({ ingressController: { namespace: 'istio-ingress', podLabels: { istio: 'ingress' } } }), "[shop] 'ingressController' is set, so with a mesh 'istio.ingressPrincipals' must name that gateway's identity: for example ['cluster.local/ns/istio-ingress/sa/istio-ingress'] for the Helm gateway chart's release 'istio-ingress'"],
      [() => meshApp({ istio: { trustDomain: 'spiffe://cluster.local' } }), "[shop] 'istio.trustDomain' must be a trust domain name such as 'cluster.local' (no scheme: Istio adds 'spiffe://' itself), got 'spiffe://cluster.local'"],
      [() => meshApp({ istio: { ingressPrincipals: ['spiffe://cluster.local/ns/istio-system/sa/gw'] } }), "[shop] 'istio.ingressPrincipals' must be principals '<trust domain>/ns/<namespace>/sa/<service account>' (no 'spiffe://'), got [\"spiffe://cluster.local/ns/istio-system/sa/gw\"]"],
      [() => testApp('shop', { mesh: 'linkerd' as any }), "[shop] 'mesh' must be 'istio', got 'linkerd'"],
      [() => {
        const { app, shop } = meshApp();
        const plain = new MicroserviceApp(app, 'legacy');
        new ObservedService(plain, 'cron', { image: 'x/cron:1' }).connectTo(new ObservedService(shop, 'api', { image: 'x/api:1' }));
      }, "[legacy/cron] connectTo(api): 'api' is in the mesh of app 'shop', which accepts mutual TLS only, but this workload's app has no mesh: set mesh: 'istio' on app 'legacy' too"],
    ];
    for (const [build, message] of cases) {
      expect(build).toThrow(MicroserviceConfigError);
      expect(build).toThrow(message);
    }
  });
});

describe('canary releases', () => {
  test('with a mesh: a canary Deployment, stable/canary subsets, weights summing to 100, a header route', () => {
    const { shop } = meshApp();
    const catalog = new ObservedService(shop, 'catalog', {
      image: 'x/catalog:1.4.2', protocol: 'grpc', port: 3550, autoscaling: { minReplicas: 3, maxReplicas: 9 },
      canary: { image: 'x/catalog:1.5.0', weight: 10, header: { name: 'x-canary', value: 'always' } },
    });
    const objects = synth(shop);
    const canary = find(objects, 'Deployment', 'catalog-canary');
    expect(container(canary).image).toBe('x/catalog:1.5.0');
    expect(canary.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'catalog', 'app.kubernetes.io/instance': 'catalog-canary' });
    expect(canary.spec.template.metadata.labels).toMatchObject({ 'app.kubernetes.io/instance': 'catalog-canary', 'app.kubernetes.io/version': '1.5.0' });
    // the canary's share of the stable ceiling (10% of 9) is below its floor of 2 pods: a fixed 2
    expect(canary.spec.replicas).toBe(2);
    expect(ofKind(objects, 'HorizontalPodAutoscaler').map(h => h.metadata.name)).toEqual(['catalog']);
    expect(find(objects, 'PodDisruptionBudget', 'catalog-canary').spec.selector.matchLabels).toEqual(canary.spec.selector.matchLabels);
    // the one Service selects both tracks; the stable HPA scales only the stable Deployment
    expect(find(objects, 'Service', 'catalog').spec.selector).toEqual({ 'app.kubernetes.io/name': 'catalog', 'app.kubernetes.io/part-of': 'shop' });
    expect(find(objects, 'HorizontalPodAutoscaler', 'catalog').spec.scaleTargetRef.name).toBe('catalog');
    expect(find(objects, 'DestinationRule', 'catalog').spec.subsets).toEqual([
      { name: 'stable', labels: { 'app.kubernetes.io/name': 'catalog', 'app.kubernetes.io/instance': 'catalog' } },
      { name: 'canary', labels: { 'app.kubernetes.io/name': 'catalog', 'app.kubernetes.io/instance': 'catalog-canary' } },
    ]);
    const http = find(objects, 'VirtualService', 'catalog').spec.http;
    expect(http[0]).toMatchObject({ name: 'header', match: [{ headers: { 'x-canary': { exact: 'always' } } }], route: [{ destination: { subset: 'canary' } }] });
    expect(http[1].route.map((r: any) => [r.destination.subset, r.weight])).toEqual([['stable', 90], ['canary', 10]]);
    expect(catalog.canaryDeployment).toBeDefined();
    // the app's README tells reviewers a canary runs, and with which share
    expect(appReadme(shop)).toContain('| catalog | service | `x/catalog:1.4.2` + canary `x/catalog:1.5.0` (2 pods, 10% of calls, header x-canary: always) |');
    // and the validator agrees: subsets select pods, weights sum to 100, hosts are Services
    expect(validateManifests(objects).findings.filter(f => f.severity === 'error')).toEqual([]);
  });

  test('with a mesh, a canary whose share of the stable ceiling is above its floor autoscales up to it', () => {
    const { shop } = meshApp();
    new ObservedService(shop, 'api', { image: 'x/api:1', probes: READY, autoscaling: { minReplicas: 3, maxReplicas: 30 }, canary: { image: 'x/api:2', weight: 20 } });
    const objects = synth(shop);
    expect(find(objects, 'Deployment', 'api-canary').spec.replicas).toBeUndefined();
    // floor: each canary pod carries what a stable one does (3 * 20/80 -> 1, at least 2); ceiling: 30 * 20/80
    expect(find(objects, 'HorizontalPodAutoscaler', 'api-canary').spec).toMatchObject({
      scaleTargetRef: { kind: 'Deployment', name: 'api-canary' }, minReplicas: 2, maxReplicas: 8,
      metrics: [{ type: 'ContainerResource', containerResource: { name: 'cpu', container: 'api' } }],
    });
    expect(validateManifests(objects).findings.filter(f => f.severity !== 'info')).toEqual([]);
  });

  test('with a mesh, each step of a canary (add at 0, raise, lower to 0, remove) keeps make-before-break in any apply order', () => {
    // GIVEN the service at each step of a canary's life
    const at = (canary?: { weight: number }) => {
      const { shop } = meshApp();
      new ObservedService(shop, 'api', { image: 'x/api:1', autoscaling: { minReplicas: 2, maxReplicas: 8 }, canary: canary && { image: 'x/api:2', ...canary } });
      const objects = synth(shop);
      const vs = find(objects, 'VirtualService', 'api').spec;
      return {
        defined: new Set<string>(find(objects, 'DestinationRule', 'api').spec.subsets.map((x: any) => x.name)),
        named: new Set<string>([...vs.http].flatMap((r: any) => r.route.map((d: any) => d.destination.subset))),
      };
    };
    // Istio's rule: at no moment may a route name a subset that the DestinationRule lacks; the
    // two objects of one apply reach the proxies in either order
    const safe = (from: ReturnType<typeof at>, to: ReturnType<typeof at>) =>
      [[from, from], [to, from], [from, to], [to, to]].every(([dr, vs]) => [...vs.named].every(n => dr.defined.has(n)));
    const steps = [at(), at({ weight: 0 }), at({ weight: 10 }), at({ weight: 100 }), at({ weight: 0 }), at()];
    for (let i = 1; i < steps.length; i++) expect([i, safe(steps[i - 1], steps[i])]).toEqual([i, true]);
    // THEN skipping the weight-0 step is what breaks it: the check can fail
    expect(safe(at(), at({ weight: 10 }))).toBe(false);
    expect(safe(at({ weight: 10 }), at())).toBe(false);
  });

  test('with a mesh, a canary at weight 0 and no header warns that it is the in-between step', () => {
    const { app, shop } = meshApp();
    new ObservedService(shop, 'api', { image: 'x/api:1', probes: READY, canary: { image: 'x/api:2', weight: 0 } });
    expect(warningsOf(app)).toEqual(["[shop/api] the canary runs but gets no calls (weight 0): a step between adding it and raising the weight, or between lowering it and removing the canary, so that no route names a subset its DestinationRule lacks"]);
  });

  test('with a mesh, a routed canary warns that Ingress traffic is split by pod count', () => {
    const { app, shop } = meshApp();
    new ObservedService(shop, 'web', { image: 'x/web:1', probes: READY, route: { path: '/' }, canary: { image: 'x/web:2', weight: 20 } });
    shop.addRoute(shop.node.findChild('web') as ObservedService, { path: '/static' });
    expect(warningsOf(app)).toEqual([
      "[shop/web] the canary's 20% split holds for calls inside the mesh; requests through the Ingress reach both tracks by pod count (2 canary pods): bind a VirtualService to the gateway for an exact split there",
    ]);
  });

  test('with a mesh, weight 0 and a header is a dark launch; a tcp canary splits tcp routes', () => {
    const { shop } = meshApp();
    new ObservedService(shop, 'api', { image: 'x/api:1', canary: { image: 'x/api:2', weight: 0, header: { name: 'x-dark', value: '1' } } });
    new ObservedService(shop, 'db', { image: 'x/db:1', protocol: 'tcp', port: 5432, canary: { image: 'x/db:2', weight: 25 } });
    const objects = synth(shop);
    expect(find(objects, 'VirtualService', 'api').spec.http[1].route.map((r: any) => [r.destination.subset, r.weight])).toEqual([['stable', 100]]);
    expect(find(objects, 'VirtualService', 'db').spec.tcp[0].route.map((r: any) => [r.destination.subset, r.weight])).toEqual([['stable', 75], ['canary', 25]]);
    expect(validateManifests(objects).findings.filter(f => f.severity === 'error')).toEqual([]);
  });

  test('without a mesh: the replica count gives the nearest pod share, and a warning says it is approximate', () => {
    const { app, shop } = testApp();
    new ObservedService(shop, 'api', { image: 'x/api:1.0.0', probes: READY, replicas: 4, canary: { image: 'x/api:1.1.0', weight: 20 } });
    const objects = synth(shop);
    expect(find(objects, 'Deployment', 'api-canary').spec.replicas).toBe(1);
    expect(find(objects, 'Deployment', 'api').spec.replicas).toBe(4);
    expect(objects.filter(o => o.apiVersion.includes('istio.io'))).toEqual([]);
    expect(warningsOf(app)).toEqual([
      "[shop/api] the canary split is approximate: without a mesh the Service balances connections over all pods, so the canary gets about 20% (1 of 5 pods) where 20% was asked; long-lived connections (gRPC, keep-alive) skew it further. Set mesh: 'istio' on the app for an exact split",
    ]);
  });

  test('without a mesh, the canary of an autoscaled service autoscales too, between its share of the stable bounds', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'api', { image: 'x/api:1', autoscaling: { minReplicas: 3, maxReplicas: 12, targetCpuUtilization: 65 }, canary: { image: 'x/api:2', weight: 25 } });
    const objects = synth(shop);
    expect(find(objects, 'Deployment', 'api-canary').spec.replicas).toBeUndefined();
    expect(find(objects, 'HorizontalPodAutoscaler', 'api-canary').spec).toMatchObject({
      scaleTargetRef: { name: 'api-canary' }, minReplicas: 1, maxReplicas: 4,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { averageUtilization: 65 } } }],
    });
    expect(find(objects, 'PodDisruptionBudget', 'api-canary').spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/instance': 'api-canary' });
    expect(validateManifests(objects).findings.filter(f => f.severity === 'error')).toEqual([]);
  });

  test('connections made after the canary reach both tracks', () => {
    const { shop } = testApp();
    const api = new ObservedService(shop, 'api', { image: 'x/api:1', canary: { image: 'x/api:2', weight: 50 } });
    const db = new ObservedService(shop, 'db', { image: 'x/db:1', protocol: 'tcp', port: 5432 });
    api.connectTo(db);
    const objects = synth(shop);
    for (const name of ['api', 'api-canary']) {
      expect(container(find(objects, 'Deployment', name)).env).toContainEqual({ name: 'DB_URL', value: 'db:5432' });
    }
  });

  test('bad canary settings fail with the path, the prop, the value and the fix', () => {
    const cases: Array<[() => unknown, string]> = [
      [() => new ObservedService(testApp().shop, 'a', { image: 'x/a:1', canary: { image: 'x/a:2', weight: 100 } }), "[shop/a] 'canary.weight' must be a whole percentage from 1 to 99 (without a mesh the split comes from pod counts, so both tracks need pods), got 100"],
      [() => new ObservedService(meshApp().shop, 'a', { image: 'x/a:1', canary: { image: 'x/a:2', weight: 12.5 } }), "[shop/a] 'canary.weight' must be a whole percentage from 0 to 100, got 12.5"],
      [() => new ObservedService(testApp().shop, 'a', { image: 'x/a:1', canary: { image: 'x/a:2', weight: 10, header: { name: 'x-canary', value: '1' } } }), "[shop/a] 'canary.header' needs a mesh (the proxy routes by header): set mesh: 'istio' on the MicroserviceApp, or drop it"],
      [() => new ObservedService(testApp().shop, 'a', { image: 'x/a:1', canary: { image: 'x/a:latest', weight: 10 } }), "[shop/a] 'canary.image' 'x/a:latest' is not pinned"],
      [() => new ObservedService(meshApp().shop, 'a', { image: 'x/a:1', canary: { image: 'x/a:2', weight: 10, header: { name: 'X Canary', value: '1' } } }), "[shop/a] 'canary.header' must be { name, value } with a lowercase header name, got {\"name\":\"X Canary\",\"value\":\"1\"}: for example { name: 'x-canary', value: 'always' }"],
      [() => new ObservedService(testApp().shop, 'a', { image: 'x/a:1', canary: { image: 'x/a:2', weight: 10, replicas: 0 } }), "[shop/a] 'canary.replicas' must be a whole number >= 1, got 0"],
    ];
    for (const [build, message] of cases) {
      expect(build).toThrow(MicroserviceConfigError);
      expect(build).toThrow(message);
    }
  });
});

describe('rate limits', () => {
  test('a rate-limited service gets an Ingress of its own with ingress-nginx limits', () => {
    const { shop } = testApp('shop', { domain: 'shop.example.com', tlsSecretName: 'tls', ingressAnnotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '1m' } });
    new ObservedService(shop, 'web', { image: 'x/web:1', route: { path: '/' } });
    new ObservedService(shop, 'api', { image: 'x/api:1', route: { path: '/api' }, traffic: { rateLimit: { requestsPerSecond: 20 } } });
    const objects = synth(shop);
    const limited = find(objects, 'Ingress', 'shop-api');
    expect(limited.metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/proxy-body-size': '1m',
      'nginx.ingress.kubernetes.io/limit-rps': '20',
      'nginx.ingress.kubernetes.io/limit-burst-multiplier': '5',
    });
    expect(limited.spec.rules).toEqual([{ host: 'shop.example.com', http: { paths: [{ path: '/api', pathType: 'Prefix', backend: { service: { name: 'api', port: { name: 'http' } } } }] } }]);
    expect(limited.spec.tls).toEqual([{ hosts: ['shop.example.com'], secretName: 'tls' }]);
    expect(find(objects, 'Ingress', 'shop').spec.rules[0].http.paths.map((p: any) => p.path)).toEqual(['/']);
  });

  test('a rate limit needs a route and an Ingress', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'api', { image: 'x/api:1', traffic: { rateLimit: { requestsPerSecond: 5 } } });
    expect(() => Testing.synth(shop)).toThrow("'traffic.rateLimit' limits requests at the Ingress, but 'api' has no route: add 'route', or drop it");
    const gw = testApp('shop', { gateway: { name: 'public', namespace: 'gateways' } }).shop;
    expect(() => new ObservedService(gw, 'api', { image: 'x/api:1', route: { path: '/' }, traffic: { rateLimit: { requestsPerSecond: 5 } } }))
      .toThrow("[shop/api] 'traffic.rateLimit' is set through Ingress (ingress-nginx) annotations, but the app routes through a Gateway: rate-limit in that controller instead (for Istio, a local rate limit EnvoyFilter on the gateway), and drop it");
  });

  test('a rate limit is refused where the controller would ignore the ingress-nginx annotations', () => {
    const limited = { image: 'x/api:1', route: { path: '/' }, traffic: { rateLimit: { requestsPerSecond: 5 } } };
    expect(() => new ObservedService(meshApp().shop, 'api', limited))
      .toThrow("[shop/api] 'traffic.rateLimit' is set through ingress-nginx annotations, which Istio's gateway (the mesh's Ingress) ignores: rate-limit in that controller instead (for Istio, a local rate limit EnvoyFilter on the gateway), and drop it");
    expect(() => new ObservedService(testApp('shop', { ingressClassName: 'traefik' }).shop, 'api', limited))
      .toThrow("[shop/api] 'traffic.rateLimit' is set through ingress-nginx annotations, but the app's Ingress controller is class 'traefik', which would ignore them");
    expect(() => new ObservedService(testApp('shop', { ingressController: { namespace: 'traefik', podLabels: { 'app.kubernetes.io/name': 'traefik' } } }).shop, 'api', limited))
      .toThrow("[shop/api] 'traffic.rateLimit' is set through ingress-nginx annotations, but the app's Ingress controller is the pods {\"app.kubernetes.io/name\":\"traefik\"}, which would ignore them");
    // ingress-nginx under another class name is still ingress-nginx
    expect(() => new ObservedService(testApp('shop', { ingressClassName: 'nginx-internal' }).shop, 'api', limited)).not.toThrow();
  });
});

describe('a 60-workload app', () => {
  test('meshed and not, with canaries, routes and connections, validates with no finding', () => {
    const app = Testing.app();
    sixtyWorkloads(app);
    for (const chart of app.charts) {
      const objects = chart.toJson();
      expect([chart.node.id, validateManifests(objects).findings.filter(f => f.severity !== 'info')]).toEqual([chart.node.id, []]);
    }
  });
});
