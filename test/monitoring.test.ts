import { MetricsSource, MicroserviceConfigError, ObservedService, ScaledWorker } from '../lib';
import { container, find, ofKind, synth, testApp } from './helpers';

describe('monitoring', () => {
  test('scrapes an http service on its own port through a ServiceMonitor labelled for the Prometheus release', () => {
    const { shop } = testApp();
    const web = new ObservedService(shop, 'web', { image: 'x/web:1' });
    const objects = synth(shop);
    const monitor = find(objects, 'ServiceMonitor', 'web');
    expect(monitor.metadata.labels).toMatchObject({ 'release': 'kube-prometheus-stack', 'app.kubernetes.io/name': 'web' });
    expect(monitor.spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/part-of': 'shop' } },
      namespaceSelector: { matchNames: ['shop'] },
      endpoints: [{ port: 'http', path: '/metrics', interval: '30s', scheme: 'http' }],
    });
    // it selects the Service by labels the Service carries, and names one of its ports
    const service = find(objects, 'Service', 'web');
    expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    expect(service.spec.ports.map((p: any) => p.name)).toContain('http');
    expect(web.serviceMonitor).toBeDefined();
  });

  test('scrapes a grpc service on a separate metrics port exposed on the Service as http-metrics', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'catalog', { image: 'x/c:1', protocol: 'grpc', port: 3550, metrics: { path: '/stats', interval: '15s' } });
    const objects = synth(shop);
    expect(find(objects, 'ServiceMonitor', 'catalog').spec.endpoints).toEqual([{ port: 'http-metrics', path: '/stats', interval: '15s', scheme: 'http' }]);
    expect(find(objects, 'NetworkPolicy', 'catalog.allow-prometheus').spec.ingress[0].ports).toEqual([{ port: 9464, protocol: 'TCP' }]);
  });

  test('scrapes a worker through a PodMonitor on its metrics port', () => {
    const { shop } = testApp('shop', { monitoring: { prometheusLabels: { prometheus: 'main' }, scrapeInterval: '1m' } });
    const mailer = new ScaledWorker(shop, 'mailer', { image: 'x/m:1', metrics: { port: 9464 } });
    const objects = synth(shop);
    expect(find(objects, 'PodMonitor', 'mailer')).toMatchObject({
      metadata: { labels: { prometheus: 'main' } },
      spec: {
        selector: { matchLabels: { 'app.kubernetes.io/name': 'mailer', 'app.kubernetes.io/part-of': 'shop' } },
        podMetricsEndpoints: [{ port: 'metrics', path: '/metrics', interval: '1m' }],
      },
    });
    // no health port unless given: the metrics port alone
    expect(container(find(objects, 'Deployment', 'mailer')).ports).toEqual([
      { name: 'metrics', containerPort: 9464, protocol: 'TCP' },
    ]);
    expect(mailer.podMonitor).toBeDefined();
  });

  test('puts a Grafana dashboard of each workload, and an app overview, in ConfigMaps the sidecar loads', () => {
    const { shop } = testApp();
    const web = new ObservedService(shop, 'web', { image: 'x/web:1' });
    new ScaledWorker(shop, 'mailer', { image: 'x/m:1' });
    const objects = synth(shop);
    const cm = find(objects, 'ConfigMap', 'web-dashboard');
    expect(cm.metadata.labels).toMatchObject({ grafana_dashboard: '1', release: 'kube-prometheus-stack', 'app.kubernetes.io/name': 'web' });
    const dashboard = JSON.parse(cm.data['shop-web-dashboard.json']);
    expect(dashboard).toMatchObject({ title: 'shop/web', uid: 'shop_web', tags: ['cdk8s-microservices', 'shop'] });
    expect(dashboard.panels.filter((p: any) => p.type === 'row').map((p: any) => p.title)).toEqual(['web (service)']);
    expect(web.dashboard).toBeDefined();
    const mailer = JSON.parse(find(objects, 'ConfigMap', 'mailer-dashboard').data['shop-mailer-dashboard.json']);
    expect(mailer.panels.filter((p: any) => p.type === 'row').map((p: any) => p.title)).toEqual(['mailer (worker)']);
    // the overview lists every Deployment through a variable, and links the workloads' dashboards by tag
    const overview = JSON.parse(find(objects, 'ConfigMap', 'shop-overview-dashboard').data['shop-overview-dashboard.json']);
    expect(overview).toMatchObject({ title: 'shop overview', uid: 'shop', links: [{ type: 'dashboards', tags: ['cdk8s-microservices', 'shop'], asDropdown: true }] });
    expect(overview.templating.list.map((v: any) => v.name)).toEqual(['datasource', 'workload']);
    expect(overview.panels.find((p: any) => p.type === 'row')).toMatchObject({ repeat: 'workload', title: '$workload' });
  });

  test('the app overview is the same whatever the number of workloads', () => {
    const overviewOf = (services: number) => {
      const { shop } = testApp();
      for (let i = 0; i < services; i++) new ObservedService(shop, `svc-${i}`, { image: 'x/svc:1' });
      return find(synth(shop), 'ConfigMap', 'shop-overview-dashboard').data;
    };
    expect(overviewOf(50)).toEqual(overviewOf(1));
  });

  test('makes no monitors, rules, dashboards or scrape policy when monitoring is off', () => {
    const { shop } = testApp('shop', { monitoring: { enabled: false } });
    new ObservedService(shop, 'web', { image: 'x/web:1' });
    const objects = synth(shop);
    expect(objects.filter(o => ['ServiceMonitor', 'PodMonitor', 'PrometheusRule'].includes(o.kind) || o.metadata.name.endsWith('-dashboard') || o.metadata.name.endsWith('.allow-prometheus'))).toEqual([]);
  });

  test('gives every pod its OpenTelemetry identity from the downward API', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'web', { image: 'x/web:1.2.3', env: { OTEL_SERVICE_NAME: 'storefront' } });
    const env = container(find(synth(shop), 'Deployment', 'web')).env;
    expect(env).toEqual(expect.arrayContaining([
      { name: 'OTEL_RESOURCE_ATTRIBUTES_POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'OTEL_RESOURCE_ATTRIBUTES_NAMESPACE_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'OTEL_RESOURCE_ATTRIBUTES_SERVICE_VERSION', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app.kubernetes.io/version']" } } },
    ]));
    // the user's value wins
    expect(env.filter((e: any) => e.name === 'OTEL_SERVICE_NAME')).toEqual([{ name: 'OTEL_SERVICE_NAME', value: 'storefront' }]);
    const attrs = env.find((e: any) => e.name === 'OTEL_RESOURCE_ATTRIBUTES').value;
    expect(attrs).toBe('service.namespace=shop,service.version=$(OTEL_RESOURCE_ATTRIBUTES_SERVICE_VERSION),k8s.namespace.name=$(OTEL_RESOURCE_ATTRIBUTES_NAMESPACE_NAME),k8s.pod.name=$(OTEL_RESOURCE_ATTRIBUTES_POD_NAME),k8s.node.name=$(OTEL_RESOURCE_ATTRIBUTES_NODE_NAME),k8s.deployment.name=web');
    // $(VAR) references resolve only to variables defined earlier in the list
    const names = env.map((e: any) => e.name);
    expect(names.indexOf('OTEL_RESOURCE_ATTRIBUTES_POD_NAME')).toBeLessThan(names.indexOf('OTEL_RESOURCE_ATTRIBUTES'));
  });

  test('exports to the app\'s OTLP endpoint and allows egress to the collector', () => {
    const { shop } = testApp('shop', { openTelemetry: { endpoint: 'http://otel-collector.observability:4318' } });
    new ObservedService(shop, 'web', { image: 'x/web:1' });
    const objects = synth(shop);
    expect(container(find(objects, 'Deployment', 'web')).env).toEqual(expect.arrayContaining([
      { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://otel-collector.observability:4318' },
      { name: 'OTEL_EXPORTER_OTLP_PROTOCOL', value: 'http/protobuf' },
    ]));
    expect(find(objects, 'NetworkPolicy', 'allow-otel-collector').spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } }, podSelector: {} }], ports: [{ port: 4318, protocol: 'TCP' }] }],
    });
  });

  test('labels and annotates pods so log collectors parse JSON logs', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'web', { image: 'x/web:1', logging: { format: 'json' } });
    const pod = find(synth(shop), 'Deployment', 'web').spec.template.metadata;
    expect(pod.labels['cdk8s-microservices.io/log-format']).toBe('json');
    expect(pod.annotations).toMatchObject({
      'fluentbit.io/parser': 'json',
      'io.opentelemetry.discovery.logs/enabled': 'true',
      'io.opentelemetry.discovery.logs/config': expect.stringContaining('type: json_parser'),
    });
  });

  test.each([
    ['an OTLP endpoint without a port', { openTelemetry: { endpoint: 'http://collector.observability' } },
      "[shop] 'openTelemetry.endpoint' must be an http(s) URL with a port and no path, got 'http://collector.observability': for example 'http://otel-collector.observability:4317'"],
    ['an OTLP endpoint without a namespace and no collector', { openTelemetry: { endpoint: 'http://collector:4317' } },
      "[shop] 'openTelemetry.endpoint' 'http://collector:4317' names no namespace (<service>.<namespace>[.svc[.cluster.local]]): use the collector Service's name, or set 'openTelemetry.collector' to the collector's pods so egress to them can be allowed"],
    ['a scrape interval that is no duration', { monitoring: { scrapeInterval: '30 seconds' } },
      "[shop] 'monitoring.scrapeInterval' must be a Prometheus duration such as '30s', '5m' or '1h', got '30 seconds'"],
  ] as const)('fails on %s', (_what, props, message) => {
    expect(() => testApp('shop', props as any)).toThrow(MicroserviceConfigError);
    expect(() => testApp('shop', props as any)).toThrow(message);
  });

  test('fails on a custom metrics source whose PromQL does not parse, naming the query', () => {
    const { shop } = testApp();
    const source = MetricsSource.custom({ requestRate: 'sum(rate(http_requests_total[$window])', errorRate: 'sum(rate(errors[$window]))' });
    expect(() => new ObservedService(shop, 'api', { image: 'x/a:1', metrics: { source } })).toThrow(/^\[shop\/api\] 'metrics.source' requestRate is not valid PromQL \(it does not parse at character \d+/);
  });

  test('fails on a metrics path without a leading slash and a bad logging format', () => {
    const { shop } = testApp();
    expect(() => new ObservedService(shop, 'api', { image: 'x/a:1', metrics: { path: 'metrics' } })).toThrow("[shop/api] 'metrics.path' must be a URL path starting with '/', got 'metrics': for example '/metrics'");
    expect(() => new ObservedService(shop, 'b', { image: 'x/a:1', logging: { format: 'xml' as any } })).toThrow("[shop/b] 'logging.format' must be 'json' or 'text', got 'xml'");
  });

  test('builds the request queries of the chosen source into telemetry()', () => {
    const { shop } = testApp();
    const web = new ObservedService(shop, 'web', { image: 'x/web:1', metrics: { source: MetricsSource.istio() } });
    const tcp = new ObservedService(shop, 'db', { image: 'x/db:1', protocol: 'tcp', port: 5432 });
    expect(web.telemetry().queries!.requestRate('5m')).toBe('sum(rate(istio_requests_total{reporter="destination", destination_service_namespace="shop", destination_service_name="web"}[5m]))');
    expect(tcp.telemetry().queries).toBeUndefined();
    expect(ofKind(synth(shop), 'ServiceMonitor').map(m => m.metadata.name)).toEqual(['db', 'web']);
  });
});
