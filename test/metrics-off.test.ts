// `metrics: false` on every workload kind: nothing scrapes an app that serves no metrics, and no
// alert or panel reads series that would never exist; what kube-state-metrics, cAdvisor and a
// mesh's sidecars report stays.
import { BatchJob, MetricsSource, MicroserviceConfigError, ObservedService, ScaledWorker, StatefulService } from '../lib';
import { Manifest, container, expectConfigError, find, ofKind, synth, testApp } from './helpers';

const IMAGE = 'ghcr.io/acme/api:1.0.0';
const STORAGE = { size: '1Gi', mountPath: '/data' };

/** Every alert name of a workload's PrometheusRule. */
function alertNames(objects: Manifest[], name: string): string[] {
  return find(objects, 'PrometheusRule', name).spec.groups.flatMap((g: any) => g.rules).flatMap((r: any) => (r.alert ? [r.alert] : []));
}

/** Every rule expression of a workload's PrometheusRule. */
function exprs(objects: Manifest[], name: string): string[] {
  return find(objects, 'PrometheusRule', name).spec.groups.flatMap((g: any) => g.rules).map((r: any) => r.expr);
}

/** The titles of the panels of a workload's dashboard. */
function panelTitles(objects: Manifest[], name: string, app = 'shop'): string[] {
  const cm = find(objects, 'ConfigMap', `${name}-dashboard`);
  const model = JSON.parse(cm.data[`${app}-${name}-dashboard.json`]);
  return model.panels.flatMap((p: any) => [p, ...(p.panels ?? [])]).filter((p: any) => p.type !== 'row').map((p: any) => p.title);
}

/** The pod template of the object that runs a workload's pods. */
function podTemplate(objects: Manifest[], kind: string, name: string): any {
  return find(objects, kind, name).spec.template;
}

const REQUEST_ALERTS = ['ServiceErrorRatioHigh', 'ServiceLatencyHigh', 'ServiceTrafficStopped'];
const REQUEST_PANELS = ['Request rate', 'Error ratio', 'Latency'];

describe('metrics: false on an ObservedService', () => {
  test('no ServiceMonitor, no Prometheus policy, no metrics port, no request alerts or panels; the Deployment\'s stay', () => {
    const { shop } = testApp();
    const api = new ObservedService(shop, 'api', { image: IMAGE, metrics: false });
    const objects = synth(shop);
    expect(ofKind(objects, 'ServiceMonitor')).toEqual([]);
    expect(api.serviceMonitor).toBeUndefined();
    expect(objects.filter(o => o.metadata.name.endsWith('allow-prometheus'))).toEqual([]);
    expect(container(find(objects, 'Deployment', 'api')).ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(find(objects, 'Service', 'api').spec.ports.map((p: any) => p.name)).toEqual(['http']);
    const alerts = alertNames(objects, 'api');
    for (const a of REQUEST_ALERTS) expect(alerts).not.toContain(a);
    expect(alerts).toEqual(expect.arrayContaining(['DeploymentUnavailable', 'DeploymentReplicasUnavailable']));
    // nothing the app itself would have exported
    expect(exprs(objects, 'api').join('\n')).not.toMatch(/http_server_request_duration_seconds|rpc_server_duration/);
    const panels = panelTitles(objects, 'api');
    for (const p of REQUEST_PANELS) expect(panels).not.toContain(p);
    expect(panels.length).toBeGreaterThan(0);
    // an annotation that points Prometheus at the pod would find no metrics either
    expect(Object.keys(podTemplate(objects, 'Deployment', 'api').metadata.annotations ?? {}).filter(k => k.startsWith('prometheus.io/'))).toEqual([]);
  });

  test('is short for metrics: { scrape: false }', () => {
    const a = testApp();
    new ObservedService(a.shop, 'api', { image: IMAGE, metrics: false });
    const b = testApp();
    new ObservedService(b.shop, 'api', { image: IMAGE, metrics: { scrape: false } });
    expect(synth(b.shop)).toEqual(synth(a.shop));
  });

  test('with a separate metrics port by default (grpc), declares none', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'catalog', { image: IMAGE, protocol: 'grpc', port: 3550, metrics: false });
    const objects = synth(shop);
    expect(container(find(objects, 'Deployment', 'catalog')).ports).toEqual([{ name: 'grpc', containerPort: 3550, protocol: 'TCP' }]);
    expect(find(objects, 'Service', 'catalog').spec.ports.map((p: any) => p.name)).toEqual(['grpc']);
  });

  test('in a mesh: the sidecar\'s stats are scraped (not the app\'s), the policy admits Prometheus there only, and the request alerts read Istio\'s metrics', () => {
    const { shop } = testApp('shop', { mesh: 'istio' });
    const api = new ObservedService(shop, 'api', { image: IMAGE, metrics: false, slo: { availability: 99.9 } });
    const objects = synth(shop);
    // istio-proxy's port, relabelled to the agent's 15020 (Envoy's stats, no app metrics to merge)
    expect(find(objects, 'ServiceMonitor', 'api').spec.endpoints[0]).toMatchObject({ targetPort: 'http-envoy-prom', path: '/stats/prometheus' });
    expect(api.serviceMonitor).toBeDefined();
    expect(find(objects, 'NetworkPolicy', 'api.allow-prometheus').spec.ingress[0].ports).toEqual([{ port: 15020, protocol: 'TCP' }]);
    // no prometheus.io/* annotations: Istio's agent would scrape the app for them and merge nothing but errors
    const annotations = podTemplate(objects, 'Deployment', 'api').metadata.annotations;
    expect(Object.keys(annotations).filter(k => k.startsWith('prometheus.io/'))).toEqual([]);
    expect(annotations['proxy.istio.io/config']).toBeDefined();
    expect(alertNames(objects, 'api')).toEqual(expect.arrayContaining(['ServiceErrorRatioHigh', 'ServiceTrafficStopped']));
    expect(exprs(objects, 'api').join('\n')).toContain('istio_requests_total{reporter="destination", destination_service_namespace="shop", destination_service_name="api"}');
    expect(panelTitles(objects, 'api')).toEqual(expect.arrayContaining(REQUEST_PANELS));
  });

  test('in a mesh, a tcp service has no request metrics: nothing is scraped', () => {
    const { shop } = testApp('shop', { mesh: 'istio' });
    new ObservedService(shop, 'cache', { image: IMAGE, protocol: 'tcp', port: 6379, metrics: false });
    const objects = synth(shop);
    expect(ofKind(objects, 'ServiceMonitor')).toEqual([]);
    expect(objects.filter(o => o.metadata.name.endsWith('allow-prometheus'))).toEqual([]);
  });

  test('with scrape: false and a custom source, the SLO and request alerts read that source and nothing scrapes the app', () => {
    const { shop } = testApp();
    const source = MetricsSource.custom({
      requestRate: 'sum(rate(nginx_ingress_controller_requests{exported_service="api"}[$window]))',
      errorRate: 'sum(rate(nginx_ingress_controller_requests{exported_service="api", status=~"5.."}[$window]))',
    });
    new ObservedService(shop, 'api', { image: IMAGE, metrics: { scrape: false, source }, slo: { availability: 99.5 } });
    const objects = synth(shop);
    expect(ofKind(objects, 'ServiceMonitor')).toEqual([]);
    expect(objects.filter(o => o.metadata.name.endsWith('allow-prometheus'))).toEqual([]);
    expect(exprs(objects, 'api').join('\n')).toContain('nginx_ingress_controller_requests{exported_service="api", status=~"5.."}');
    expect(alertNames(objects, 'api')).toContain('ServiceErrorRatioHigh');
  });

  test('an slo without request metrics is refused, with the ways out', () => {
    const { shop } = testApp();
    expectConfigError(() => new ObservedService(shop, 'api', { image: IMAGE, metrics: false, slo: { availability: 99.9 } }),
      "[shop/api] 'slo' needs the service's request metrics, and it has none: 'metrics' is false (the app serves none) and app 'shop' has no mesh whose sidecars would report its requests. "
      + "Set mesh: 'istio' on the app, give metrics: { scrape: false, source: MetricsSource.custom({...}) } with request metrics from elsewhere (an Ingress controller's, a load balancer's), serve metrics and drop 'metrics: false', or drop 'slo'");
  });

  test.each([
    ['metrics: true', { metrics: true }, "[shop/api] 'metrics' must be an object, or false when the app serves no metrics, got true"],
    ['a port with scrape: false', { metrics: { scrape: false, port: 9090 } }, "[shop/api] 'metrics.port' says where Prometheus scrapes the app, and 'metrics.scrape' is false (the app serves no metrics): drop it, or drop 'scrape: false'"],
    ['an interval with scrape: false', { metrics: { scrape: false, interval: '1m' } }, "[shop/api] 'metrics.interval' says where Prometheus scrapes the app, and 'metrics.scrape' is false (the app serves no metrics): drop it, or drop 'scrape: false'"],
    ['scrape as a string', { metrics: { scrape: 'false' } }, "[shop/api] 'metrics.scrape' must be true or false, got 'false': write false without quotes"],
  ])('refuses %s', (_what, props, message) => {
    const { shop } = testApp();
    expectConfigError(() => new ObservedService(shop, 'api', { image: IMAGE, ...(props as any) }), message);
  });
});

describe('metrics: false on a ScaledWorker', () => {
  test('no PodMonitor, no Prometheus policy, no metrics port; the Deployment\'s alerts and the resource panels stay', () => {
    const { shop } = testApp();
    const mailer = new ScaledWorker(shop, 'mailer', { image: IMAGE, metrics: false });
    const objects = synth(shop);
    expect(ofKind(objects, 'PodMonitor')).toEqual([]);
    expect(mailer.podMonitor).toBeUndefined();
    expect(objects.filter(o => o.metadata.name.endsWith('allow-prometheus'))).toEqual([]);
    expect((container(find(objects, 'Deployment', 'mailer')).ports ?? []).map((p: any) => p.name)).not.toContain('metrics');
    expect(alertNames(objects, 'mailer')).toEqual(expect.arrayContaining(['DeploymentUnavailable']));
    expect(panelTitles(objects, 'mailer').length).toBeGreaterThan(0);
  });

  test('in a mesh: nothing is scraped and the pods have no prometheus.io annotations', () => {
    const { shop } = testApp('shop', { mesh: 'istio' });
    new ScaledWorker(shop, 'mailer', { image: IMAGE, metrics: false });
    const objects = synth(shop);
    expect(ofKind(objects, 'PodMonitor')).toEqual([]);
    expect(objects.filter(o => o.metadata.name.endsWith('allow-prometheus'))).toEqual([]);
    expect(Object.keys(podTemplate(objects, 'Deployment', 'mailer').metadata.annotations).filter(k => k.startsWith('prometheus.io/'))).toEqual([]);
  });

  test('without it (the default), a worker in a mesh is still scraped through the agent, with the annotations', () => {
    const { shop } = testApp('shop', { mesh: 'istio' });
    new ScaledWorker(shop, 'mailer', { image: IMAGE });
    const objects = synth(shop);
    expect(ofKind(objects, 'PodMonitor')).toHaveLength(1);
    expect(podTemplate(objects, 'Deployment', 'mailer').metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080' });
  });

  test('refuses metrics: true', () => {
    const { shop } = testApp();
    expectConfigError(() => new ScaledWorker(shop, 'mailer', { image: IMAGE, metrics: true as any }),
      "[shop/mailer] 'metrics' must be an object, or false when the worker serves no metrics, got true");
  });
});

describe('metrics: false on a StatefulService', () => {
  test('an http store has no request alerts or panels without a mesh', () => {
    const { shop } = testApp();
    new StatefulService(shop, 'search', { image: IMAGE, storage: STORAGE, metrics: false });
    const objects = synth(shop);
    expect(ofKind(objects, 'ServiceMonitor')).toEqual([]);
    for (const a of REQUEST_ALERTS) expect(alertNames(objects, 'search')).not.toContain(a);
    expect(alertNames(objects, 'search')).toEqual(expect.arrayContaining(['StatefulSetReplicasUnavailable']));
    for (const p of REQUEST_PANELS) expect(panelTitles(objects, 'search')).not.toContain(p);
  });

  test('an http store in a mesh keeps its sidecar\'s request metrics, scraped through the agent', () => {
    const { shop } = testApp('shop', { mesh: 'istio' });
    new StatefulService(shop, 'search', { image: IMAGE, storage: STORAGE, metrics: false });
    const objects = synth(shop);
    expect(find(objects, 'ServiceMonitor', 'search').spec.endpoints[0]).toMatchObject({ targetPort: 'http-envoy-prom', path: '/stats/prometheus' });
    expect(find(objects, 'NetworkPolicy', 'search.allow-prometheus').spec.ingress[0].ports).toEqual([{ port: 15020, protocol: 'TCP' }]);
    expect(Object.keys(podTemplate(objects, 'StatefulSet', 'search').metadata.annotations).filter(k => k.startsWith('prometheus.io/'))).toEqual([]);
    expect(alertNames(objects, 'search')).toContain('ServiceErrorRatioHigh');
  });

  test('refuses metrics: true', () => {
    const { shop } = testApp();
    expectConfigError(() => new StatefulService(shop, 'db', { image: IMAGE, storage: STORAGE, metrics: true as any }),
      "[shop/db] 'metrics' must be an object, or false when the image serves no metrics, got true");
  });
});

describe('metrics on a BatchJob', () => {
  test('false is accepted and changes nothing: a Job is never scraped', () => {
    const a = testApp();
    new BatchJob(a.shop, 'migrate', { image: IMAGE });
    const b = testApp();
    new BatchJob(b.shop, 'migrate', { image: IMAGE, metrics: false });
    expect(synth(b.shop)).toEqual(synth(a.shop));
    expect(ofKind(synth(b.shop), 'PodMonitor')).toEqual([]);
  });

  test('anything else is refused', () => {
    const { shop } = testApp();
    expect(() => new BatchJob(shop, 'migrate', { image: IMAGE, metrics: { port: 9090 } as any })).toThrow(MicroserviceConfigError);
    expect(() => new BatchJob(shop, 'migrate', { image: IMAGE, metrics: { port: 9090 } as any }))
      .toThrow("[shop/migrate] 'metrics' can only be false on a BatchJob, got {\"port\":9090}: a Job's pods end too soon for Prometheus to scrape them, so nothing scrapes them; push what a run measures to a Pushgateway or an OpenTelemetry collector instead");
  });
});
