import { Testing } from 'cdk8s';
import { MetricsSource, MicroserviceApp, ObservedService, QueueTrigger, ScaledWorker } from '../lib';
import { LAST_APPLIED_LIMIT, CONFIGMAP_DATA_LIMIT } from '../lib/tools/validate/objects';
import { validateManifests } from '../lib/tools/validate';
import { appReadme } from '../lib/output/app-readme';
import { expectConfigError, Manifest, find, ofKind, synth, testApp } from './helpers';

const alertsOf = (rule: Manifest): any[] => rule.spec.groups.flatMap((g: any) => g.rules).filter((r: any) => r.alert);
const alertNames = (rule: Manifest): string[] => alertsOf(rule).map(r => r.alert);

describe('PrometheusRules', () => {
  test('a service gets one PrometheusRule, named after it and labelled like its ServiceMonitor, with its alerts and SLO rules', () => {
    // GIVEN a service with an SLO
    const { shop } = testApp();
    const checkout = new ObservedService(shop, 'checkout', { image: 'x/checkout:1', slo: { availability: 99.9, latency: { threshold: '250ms' } } });
    // WHEN synthesized
    const objects = synth(shop);
    // THEN the rule carries the labels the Prometheus of kube-prometheus-stack selects by
    const rule = find(objects, 'PrometheusRule', 'checkout');
    expect(rule.metadata.labels).toEqual(find(objects, 'ServiceMonitor', 'checkout').metadata.labels);
    expect(rule.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack', 'app.kubernetes.io/name': 'checkout' });
    expect(rule.spec.groups.map((g: any) => g.name)).toEqual(['shop.checkout.alerts', 'shop.checkout.slo']);
    expect(alertNames(rule)).toEqual(expect.arrayContaining(['ServiceErrorRatioHigh', 'DeploymentUnavailable', 'AvailabilityBudgetBurnFast', 'LatencyBudgetBurnSlow', 'SLIMetricsAbsent']));
    expect(checkout.prometheusRule).toBeDefined();
    expect(checkout.slo).toEqual({ availability: 99.9, latency: { threshold: '250ms', thresholdSeconds: 0.25, percentile: 99 }, window: '30d' });
  });

  test("'ruleLabels' labels the rules apart from the monitors, for a Prometheus whose ruleSelector differs", () => {
    const { shop } = testApp('shop', { monitoring: { prometheusLabels: { prometheus: 'main' }, ruleLabels: { role: 'alert-rules' } } });
    new ObservedService(shop, 'web', { image: 'x/web:1' });
    const objects = synth(shop);
    expect(find(objects, 'PrometheusRule', 'web').metadata.labels).toMatchObject({ role: 'alert-rules' });
    expect(find(objects, 'PrometheusRule', 'web').metadata.labels).not.toHaveProperty('prometheus');
    expect(find(objects, 'ServiceMonitor', 'web').metadata.labels).toMatchObject({ prometheus: 'main' });
  });

  test("'rules: false' makes no PrometheusRule", () => {
    const { shop } = testApp('shop', { monitoring: { rules: false } });
    new ObservedService(shop, 'web', { image: 'x/web:1' });
    expect(ofKind(synth(shop), 'PrometheusRule')).toEqual([]);
  });

  test('every alert links its runbook and the workload dashboard (absolute with grafanaUrl)', () => {
    const { shop } = testApp('shop', { monitoring: { grafanaUrl: 'https://grafana.acme.example/', runbookBaseUrl: 'https://wiki.acme.example/runbooks' } });
    new ObservedService(shop, 'web', { image: 'x/web:1' });
    for (const a of alertsOf(find(synth(shop), 'PrometheusRule', 'web'))) {
      expect(a.annotations.dashboard_url).toBe('https://grafana.acme.example/d/shop_web');
      expect(a.annotations.runbook_url).toMatch(/^https:\/\/(wiki\.acme\.example\/runbooks\/[A-Za-z]+|runbooks\.prometheus-operator\.dev\/.+)$/);
    }
  });

  test('without grafanaUrl the dashboard link is its path in Grafana', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'web', { image: 'x/web:1' });
    expect(alertsOf(find(synth(shop), 'PrometheusRule', 'web'))[0].annotations.dashboard_url).toBe('/d/shop_web');
  });

  test('a meshed service measures its SLO on the sidecars\' Istio metrics by default, and keeps a source it is given', () => {
    const { shop } = testApp('shop', { mesh: 'istio' });
    new ObservedService(shop, 'web', { image: 'x/web:1', slo: { availability: 99.9 } });
    new ObservedService(shop, 'api', { image: 'x/api:1', slo: { availability: 99.9 }, metrics: { source: MetricsSource.openTelemetry() } });
    const objects = synth(shop);
    const record = (name: string) => find(objects, 'PrometheusRule', name).spec.groups[1].rules[0].expr;
    expect(record('web')).toContain('istio_requests_total{reporter="destination", destination_service_namespace="shop", destination_service_name="web"');
    expect(record('api')).toContain('http_server_request_duration_seconds_count{namespace="shop", service="api"');
  });

  test("a worker gets workload-health alerts; a job-mode worker its Jobs' (by their owner, the ScaledJob) and the alerts added to it", () => {
    const { shop } = testApp();
    new ScaledWorker(shop, 'mailer', { image: 'x/m:1' });
    const queue = QueueTrigger.rabbitmq({ queueName: 'q', messagesPerReplica: 5, host: { secretName: 'r', key: 'url' } });
    new ScaledWorker(shop, 'batch', { image: 'x/b:1', mode: 'job', queue, autoscaling: { maxReplicas: 5 } });
    const reports = new ScaledWorker(shop, 'reports', { image: 'x/r:1', mode: 'job', queue, autoscaling: { maxReplicas: 5 } });
    reports.addAlert({ name: 'ReportsFailing', expr: 'sum(kube_job_status_failed{namespace="shop", job_name=~"reports-.*"}) > 0', summary: 'Report jobs fail' });
    const objects = synth(shop);
    expect(alertNames(find(objects, 'PrometheusRule', 'mailer'))).toContain('DeploymentUnavailable');
    expect(find(objects, 'PrometheusRule', 'mailer').spec.groups.flatMap((g: any) => g.rules).every((r: any) => r.labels.workload === 'mailer')).toBe(true);
    expect(alertNames(find(objects, 'PrometheusRule', 'batch'))).toEqual(['JobFailed', 'ContainerOOMKilled']);
    expect(alertsOf(find(objects, 'PrometheusRule', 'batch'))[0].expr).toContain('kube_job_owner{namespace="shop", owner_kind="ScaledJob", owner_name="batch"}');
    expect(alertNames(find(objects, 'PrometheusRule', 'reports'))).toEqual(['JobFailed', 'ContainerOOMKilled', 'ReportsFailing']);
  });

  test("a canary's Deployment is watched by the service's rule and shown on its dashboard", () => {
    const { shop } = testApp('shop', { mesh: 'istio' });
    new ObservedService(shop, 'catalog', { image: 'x/catalog:1.4.2', canary: { image: 'x/catalog:1.5.0', weight: 10 } });
    const objects = synth(shop);
    const exprs = alertsOf(find(objects, 'PrometheusRule', 'catalog')).map(a => a.expr).join('\n');
    expect(exprs).toContain('deployment=~"catalog|catalog-canary"');
    expect(find(objects, 'ConfigMap', 'catalog-dashboard').data['shop-catalog-dashboard.json']).toContain('(?:catalog|catalog-canary)-');
  });

  test('an alert added after the construct is in its rule, with the defaults and labels of the library', () => {
    const { shop } = testApp();
    const checkout = new ObservedService(shop, 'checkout', { image: 'x/checkout:1' });
    expect(checkout.addAlert({ name: 'CheckoutQueueBacklog', expr: 'sum(checkout_pending_orders) > 100', summary: '{{ $value }} orders wait' })).toBe(checkout);
    const alert = alertsOf(find(synth(shop), 'PrometheusRule', 'checkout')).find(a => a.alert === 'CheckoutQueueBacklog');
    expect(alert).toEqual({
      alert: 'CheckoutQueueBacklog', expr: 'sum(checkout_pending_orders) > 100', for: '5m',
      labels: { severity: 'warning', namespace: 'shop', service: 'checkout' },
      annotations: { summary: '{{ $value }} orders wait', description: '{{ $value }} orders wait', runbook_url: 'https://runbooks.example.com/shop/CheckoutQueueBacklog', dashboard_url: '/d/shop_checkout' },
    });
  });
});

test("the app's README shows each workload's SLO and own alerts to reviewers", () => {
  const { shop } = testApp();
  new ObservedService(shop, 'checkout', { image: 'x/checkout:1', slo: { availability: 99.5, latency: { threshold: '1s', percentile: 95 }, window: '28d' } })
    .addAlert({ name: 'QueueBacklog', expr: 'queue_depth > 100', summary: 'Orders wait' });
  new ObservedService(shop, 'web', { image: 'x/web:1' });
  const readme = appReadme(shop);
  expect(readme).toMatch(/\| checkout \| .* \| 99\.5% succeed, 95% within 1s \(28d\); own alerts: QueueBacklog \|\n/);
  expect(readme).toMatch(/\| web \| .* \| - \|\n/);
});

describe('addAlert() and slo are checked at synth', () => {
  const P = '[shop/checkout] ';
  const ok = { name: 'QueueBacklog', expr: 'queue_depth > 100', summary: 'Orders wait' };

  test.each<[string, Record<string, unknown>, string]>([
    ['the name is not UpperCamelCase', { ...ok, name: 'queue_backlog' }, "addAlert('queue_backlog'): 'name' must be UpperCamelCase (letters and digits, starting with a capital), such as 'CheckoutQueueBacklog'"],
    ['the name is all capitals', { ...ok, name: 'QUEUE' }, "addAlert('QUEUE'): 'name' must be UpperCamelCase (letters and digits, starting with a capital), such as 'CheckoutQueueBacklog'"],
    ['the name is one of the library\'s alerts', { ...ok, name: 'PodCrashLooping' }, "addAlert('PodCrashLooping'): an alert of that name already exists for this workload (the library's own or one added before): choose another name"],
    ['the PromQL does not parse', { ...ok, expr: 'sum(rate(x[5m])' }, "addAlert('QueueBacklog'): 'expr' is not valid PromQL (it does not parse at character 16: sum(rate(x[5m])>>>)"],
    ['for is no duration', { ...ok, for: '5 minutes' }, "addAlert('QueueBacklog'): 'for' must be a Prometheus duration such as '5m' or '1h', got '5 minutes'"],
    ['the severity is unknown', { ...ok, severity: 'page' }, "addAlert('QueueBacklog'): 'severity' must be one of critical, warning, info, got 'page': critical pages, warning opens a ticket, info only shows"],
    ['the summary is empty', { ...ok, summary: ' ' }, "addAlert('QueueBacklog'): 'summary' must be a non-empty string, got ' '"],
    ['a template is not closed', { ...ok, description: '{{ $value orders' }, "addAlert('QueueBacklog'): 'description' '{{ $value orders' has a '{{' without its '}}' (or the reverse): Prometheus refuses the rule file; write templates as {{ $value }}"],
    ['the runbook is no URL', { ...ok, runbookUrl: 'wiki/QueueBacklog' }, "addAlert('QueueBacklog'): 'runbookUrl' must be an http(s) URL, got 'wiki/QueueBacklog'"],
    ['an option is unknown', { ...ok, labels: { team: 'a' } }, "addAlert('QueueBacklog'): unknown option 'labels': the options are name, expr, for, severity, summary, description, runbookUrl"],
  ])('addAlert() fails when %s', (_why, options, message) => {
    const { shop } = testApp();
    const checkout = new ObservedService(shop, 'checkout', { image: 'x/checkout:1' });
    expectConfigError(() => checkout.addAlert(options as any), P + message);
  });

  test('addAlert() fails on a name added before, and on a library SLO alert of the service', () => {
    const { shop } = testApp();
    const checkout = new ObservedService(shop, 'checkout', { image: 'x/checkout:1', slo: { availability: 99.5 } });
    checkout.addAlert(ok);
    for (const name of ['QueueBacklog', 'AvailabilityBudgetBurnFast']) {
      expectConfigError(() => checkout.addAlert({ ...ok, name }), `${P}addAlert('${name}'): an alert of that name already exists for this workload (the library's own or one added before): choose another name`);
    }
  });

  test('addAlert() fails when the app makes no PrometheusRules, rather than drop the alert', () => {
    const { shop } = testApp('shop', { monitoring: { enabled: false } });
    const checkout = new ObservedService(shop, 'checkout', { image: 'x/checkout:1' });
    expectConfigError(() => checkout.addAlert(ok), `${P}addAlert('QueueBacklog'): the app makes no PrometheusRules (monitoring is off), so the alert would go nowhere: turn them on, or drop the alert`);
  });

  test.each<[string, Record<string, unknown>, string]>([
    ['the objective is 100', { availability: 100 }, "'slo.availability' must be a percentage between 0 and 100 (both excluded), got 100: for example 99.9 (at most 0.1% of requests fail)"],
    ['the threshold has no unit', { latency: { threshold: '300' } }, "'slo.latency.threshold' must be a duration such as '300ms', '1s' or '1.5s', got '300'"],
    ['the threshold is beyond the histogram', { latency: { threshold: '30s' } }, "'slo.latency.threshold' '30s' is outside the buckets of the service's latency histogram, so no series counts the requests within it: use '10s' (the largest boundary)"],
    ['the window is shorter than the slow alert needs', { availability: 99.9, window: '2d' }, "'slo.window' must be a Prometheus duration of at least 7d, such as '30d' or '4w', got '2d'"],
  ])('slo fails when %s', (_why, slo, message) => {
    const { shop } = testApp();
    expectConfigError(() => new ObservedService(shop, 'checkout', { image: 'x/checkout:1', slo: slo as any }), P + message);
  });

  test('slo fails on a tcp service (no request metrics) and when the app makes neither rules nor dashboards', () => {
    const { shop } = testApp();
    expectConfigError(() => new ObservedService(shop, 'checkout', { image: 'x/checkout:1', protocol: 'tcp', slo: { availability: 99.9 } }),
      `${P}'slo' needs the service's request metrics, and it has none (a tcp service reports no requests): remove 'slo', or serve 'http' or 'grpc'`);
    const off = testApp('shop', { monitoring: { enabled: false } }).shop;
    expectConfigError(() => new ObservedService(off, 'checkout', { image: 'x/checkout:1', slo: { availability: 99.9 } }),
      `${P}'slo' needs the app's PrometheusRules (its alerts) or dashboards (its error budget), and the app makes neither (monitoring is off): turn them on, or drop 'slo'`);
    const neither = testApp('shop', { monitoring: { rules: false, dashboards: false } }).shop;
    expectConfigError(() => new ObservedService(neither, 'checkout', { image: 'x/checkout:1', slo: { availability: 99.9 } }),
      `${P}'slo' needs the app's PrometheusRules (its alerts) or dashboards (its error budget), and the app makes neither (monitoring.rules and monitoring.dashboards are false): turn them on, or drop 'slo'`);
    // with dashboards alone, the SLO is on the dashboard
    const dashboardsOnly = testApp('shop', { monitoring: { rules: false } }).shop;
    new ObservedService(dashboardsOnly, 'checkout', { image: 'x/checkout:1', slo: { availability: 99.9 } });
    const data = find(synth(dashboardsOnly), 'ConfigMap', 'checkout-dashboard').data['shop-checkout-dashboard.json'];
    expect(data).toContain('Availability error budget left (30d)');
  });

  test.each<[string, Record<string, unknown>, string]>([
    ['a rule label is not a label value', { ruleLabels: { release: 'kube prometheus' } }, "'monitoring.ruleLabels.release' must be a label value (a string of at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit), got 'kube prometheus': put longer text in an annotation"],
    ['a Prometheus label key is invalid', { prometheusLabels: { 'my release': 'x' } }, "'monitoring.prometheusLabels' has an invalid label key 'my release': use an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' and '.', for example 'app.kubernetes.io/name'"],
    ['grafanaUrl is no URL', { grafanaUrl: 'grafana.acme.example' }, "'monitoring.grafanaUrl' must be an http(s) URL, got 'grafana.acme.example': for example 'https://grafana.example.com'"],
  ])('the app fails when %s', (_why, monitoring, message) => {
    expectConfigError(() => new MicroserviceApp(Testing.app(), 'shop', { monitoring }), `[shop] ${message}`);
  });
});

// ---- issue 12 item 8: every object stays applicable at any app size ---------------------------

describe('size limits', () => {
  /** The largest object of an app of `n` services (a third with SLOs and a custom alert) and 10 workers. */
  function largest(n: number): { kubectl: { name: string; bytes: number }; configMap: { name: string; bytes: number }; objects: number } {
    const app = Testing.app();
    const shop = new MicroserviceApp(app, 'shop', { mesh: n > 100 ? undefined : 'istio' });
    for (let i = 0; i < n; i++) {
      const svc = new ObservedService(shop, `svc-${i}`, {
        image: `ghcr.io/acme/svc-${i}:1.0.0`, protocol: i % 2 ? 'grpc' : 'http',
        autoscaling: i % 4 === 0 ? { maxReplicas: 10 } : undefined,
        slo: i % 3 === 0 ? { availability: 99.9, latency: { threshold: '250ms', percentile: 95 } } : undefined,
      });
      if (i % 3 === 0) svc.addAlert({ name: 'QueueBacklog', expr: `sum(queue_depth{service="svc-${i}"}) > 100`, summary: 'Work waits' });
    }
    for (let i = 0; i < 10; i++) new ScaledWorker(shop, `worker-${i}`, { image: 'ghcr.io/acme/worker:1.0.0' });
    const objects = synth(shop);
    const json = objects.map(o => ({ name: `${o.kind}/${o.metadata.name}`, bytes: Buffer.byteLength(JSON.stringify(o)) }));
    const maps = objects.filter(o => o.kind === 'ConfigMap').map(o => ({ name: o.metadata.name, bytes: Object.entries(o.data ?? {}).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(String(v)), 0) }));
    const max = (xs: Array<{ name: string; bytes: number }>) => xs.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    return { kubectl: max(json), configMap: max(maps), objects: objects.length };
  }

  test.each([60, 1000])('an app of %d services keeps every object under 256 KiB (kubectl apply) and every ConfigMap under 1 MiB', n => {
    const small = largest(6);
    const big = largest(n);
    expect(big.kubectl.bytes).toBeLessThanOrEqual(LAST_APPLIED_LIMIT);
    expect(big.configMap.bytes).toBeLessThanOrEqual(CONFIGMAP_DATA_LIMIT);
    // the largest object does not grow with the app: it is one workload's (its name's digits aside)
    expect(big.kubectl.bytes).toBeLessThan(small.kubectl.bytes * 1.1);
    expect(big.objects).toBeGreaterThan(n * 5);
  }, 120_000);

  test('cdk8s-ms validate reports an object over the last-applied limit and a ConfigMap over 1 MiB', () => {
    const cm = (name: string, bytes: number) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'shop' }, data: { 'big.json': 'x'.repeat(bytes) } });
    const rules = (bytes: number) => validateManifests([cm('a', bytes)]).findings.map(f => f.rule).filter(r => r.includes('large'));
    expect(rules(200_000)).toEqual([]);
    expect(rules(300_000)).toEqual(['object-too-large-to-apply']);
    expect(rules(1_100_000)).toEqual(['object-too-large-to-apply', 'configmap-too-large']);
  });
});
