import { parser } from '@prometheus-io/lezer-promql';
import { MIN_REQUEST_RATE, serviceAlertGroups, sumOf } from '../lib/observability/alerts';
import { podNamePattern } from '../lib/observability/promql';
import { MetricsSource, RequestQueries } from '../lib/observability/metrics-source';
import type { AlertOptions, ResolvedSlo, Rule, RuleGroup, SloOptions, WorkloadTelemetry } from '../lib/observability/model';
import { libraryAlertNames, prometheusRuleGroups } from '../lib/observability/rules';
import { interpolationWarning, resolveSlo, SLI_WINDOWS, sloRuleGroups, withinThreshold } from '../lib/observability/slo';
import { expectConfigError } from './helpers';

// ---- fixtures ---------------------------------------------------------------------------------

const RUNBOOKS = 'https://runbooks.example.com/shop';
const CUSTOM = MetricsSource.custom({
  requestRate: 'sum(rate(myapp_requests_total{job="api"}[$window]))',
  errorRate: 'sum(rate(myapp_requests_total{job="api", code=~"5.."}[$window]))',
  fastRequestRate: 'sum(rate(myapp_request_seconds_bucket{job="api", le="$threshold"}[$window]))',
  latencyBucket: 'myapp_request_seconds_bucket{job="api"}',
});
const SELECTOR = { namespace: 'shop', service: 'catalog', protocol: 'http' } as const;
// a custom source whose rates are not plain sums and that has no histogram
const CUSTOM_BARE = MetricsSource.custom({
  requestRate: 'rate(legacy_requests_total{job="api"}[$window])',
  errorRate: 'rate(legacy_errors_total{job="api"}[$window])',
});

/** Request queries of a service named `name` in namespace shop. */
function queriesOf(source: MetricsSource, protocol: 'http' | 'grpc', name = 'catalog'): RequestQueries {
  return source.queries({ namespace: 'shop', service: name, protocol });
}

/** A WorkloadTelemetry of `catalog` in app/namespace `shop`, http on OpenTelemetry, 3 fixed replicas. */
function telemetry(over: Partial<WorkloadTelemetry> = {}): WorkloadTelemetry {
  return {
    app: 'shop', namespace: 'shop', name: 'catalog', kind: 'service',
    queries: queriesOf(MetricsSource.openTelemetry(), 'http'),
    replicas: 3, container: 'catalog', runbookBaseUrl: RUNBOOKS, customAlerts: [],
    ...over,
  };
}

function withSlo(t: WorkloadTelemetry, slo: SloOptions): WorkloadTelemetry {
  return { ...t, slo: resolveSlo(`${t.app}/${t.name}`, slo, t.queries) };
}

const SOURCES: Array<[string, RequestQueries | undefined, 'service' | 'worker']> = [
  ['an OpenTelemetry http service', queriesOf(MetricsSource.openTelemetry(), 'http'), 'service'],
  ['an OpenTelemetry grpc service', queriesOf(MetricsSource.openTelemetry(), 'grpc'), 'service'],
  ['an Istio http service', queriesOf(MetricsSource.istio(), 'http'), 'service'],
  ['an Istio grpc service', queriesOf(MetricsSource.istio(), 'grpc'), 'service'],
  ['a custom-source service', CUSTOM.queries(SELECTOR), 'service'],
  ['a custom-source service without histogram', CUSTOM_BARE.queries(SELECTOR), 'service'],
  ['a tcp service', undefined, 'service'],
  ['a worker', undefined, 'worker'],
];
const SCALING: Array<[string, Partial<WorkloadTelemetry>]> = [
  ['fixed', { replicas: 3 }],
  ['autoscaled', { replicas: undefined, autoscaling: { minReplicas: 2, maxReplicas: 10 } }],
];

/** The SLOs a source supports: none, availability, and latency when it has a histogram. */
function slosFor(q: RequestQueries | undefined): Array<SloOptions | undefined> {
  if (!q) return [undefined];
  const threshold = q.latencyBuckets ? '250ms' : '300ms';
  return [undefined, { availability: 99.9 }, ...(q.fastRequestRate ? [{ availability: 99.5, latency: { threshold, percentile: 95 }, window: '28d' }] : [])];
}

const CUSTOM_ALERT: AlertOptions = { name: 'CheckoutQueueBacklog', expr: 'sum(checkout_queue_depth) > 100', summary: 'The checkout queue is backing up' };

/** Every combination: source x scaling x SLO, each with a custom alert. */
const CASES: Array<[string, WorkloadTelemetry]> = SOURCES.flatMap(([what, queries, kind]) =>
  SCALING.flatMap(([scaling, over]) => slosFor(queries).map((slo): [string, WorkloadTelemetry] => {
    const t = telemetry({ kind, queries, ...over, name: kind === 'worker' ? 'mailer' : 'catalog', customAlerts: [CUSTOM_ALERT] });
    return [`${what}, ${scaling}, ${slo ? `SLO ${JSON.stringify(slo)}` : 'no SLO'}`, slo ? withSlo(t, slo) : t];
  })));

const rulesOf = (groups: RuleGroup[]): Rule[] => groups.flatMap(g => g.rules);
const alertsOf = (groups: RuleGroup[]): Rule[] => rulesOf(groups).filter(r => r.alert !== undefined);
const alert = (groups: RuleGroup[], name: string): Rule => {
  const hits = alertsOf(groups).filter(r => r.alert === name);
  if (hits.length !== 1) throw new Error(`expected one alert ${name}, found ${hits.length} among ${alertsOf(groups).map(r => r.alert).join(', ')}`);
  return hits[0];
};
const alertNames = (groups: RuleGroup[]): string[] => alertsOf(groups).map(r => r.alert!);

/** Where lezer-promql (the Prometheus UI's grammar) finds an error node, or undefined. */
function parseError(expr: string): string | undefined {
  let at: number | undefined;
  parser.parse(expr).iterate({ enter: n => { if (n.type.isError && at === undefined) at = n.from; } });
  return at === undefined ? undefined : `error at ${at}: ${expr.slice(0, at)}>>>${expr.slice(at)}`;
}

const DURATION = /^([0-9]+(ms|s|m|h|d|w|y))+$/;

// ---- every generated rule ---------------------------------------------------------------------

describe('prometheusRuleGroups', () => {
  test('the PromQL checker finds errors (so the parse test below can fail)', () => {
    expect(parseError('sum(rate(x[5m])')).toBeDefined();
    expect(parseError('x > (14.4 * 0.001) and')).toBeDefined();
    expect(parseError('sum(rate(x{a="b"[5m]))')).toBeDefined();
    expect(parseError('avg_over_time((sum(rate(x[5m])))[30m:5m] offset 1h)')).toBeUndefined();
  });

  test.each(CASES)('every expression parses as PromQL: %s', (_what, t) => {
    const groups = prometheusRuleGroups(t);
    expect(rulesOf(groups).length).toBeGreaterThan(0);
    for (const r of rulesOf(groups)) expect({ rule: r.alert ?? r.record, error: parseError(r.expr) }).toEqual({ rule: r.alert ?? r.record, error: undefined });
  });

  test.each(CASES)('every alert has severity, owner labels, summary, description, runbook_url and for: %s', (_what, t) => {
    const owner = t.kind === 'service' ? 'service' : 'workload';
    for (const r of alertsOf(prometheusRuleGroups(t))) {
      expect(r.alert).toMatch(/^[A-Z][A-Za-z0-9]*$/);
      expect(r.for).toMatch(DURATION);
      expect(['critical', 'warning', 'info']).toContain(r.labels?.severity);
      expect(r.labels).toMatchObject({ namespace: 'shop', [owner]: t.name });
      expect(Object.keys(r.labels ?? {})).not.toContain(owner === 'service' ? 'workload' : 'service');
      for (const key of ['summary', 'description', 'runbook_url']) expect(r.annotations?.[key]).toMatch(/\S/);
      expect(r.annotations?.runbook_url).toMatch(/^https:\/\/\S+$/);
    }
  });

  test.each(CASES)('annotations are valid templates that use only labels the expression returns: %s', (_what, t) => {
    for (const r of alertsOf(prometheusRuleGroups(t))) {
      for (const text of Object.values(r.annotations ?? {})) {
        // every action is closed, and names $value or a $labels.<name> (no nested braces)
        const actions = text.match(/\{\{[^{}]*\}\}/g) ?? [];
        expect(text.replace(/\{\{[^{}]*\}\}/g, '')).not.toMatch(/\{\{|\}\}/);
        for (const a of actions) expect(a).toMatch(/^\{\{ (\$value( \| (humanize|humanizePercentage|humanizeDuration))?|\$labels\.[a-z_]+) \}\}$/);
        // $labels only sees the expression's labels (not the rule's): those an aggregation keeps
        const kept = [...r.expr.matchAll(/by \(([^)]*)\)/g)].flatMap(m => m[1].split(/,\s*/));
        for (const [, label] of text.matchAll(/\$labels\.([a-z_]+)/g)) expect(kept).toContain(label);
      }
    }
  });

  test.each(CASES)('alert names, group names and recorded series are unique: %s', (_what, t) => {
    const groups = prometheusRuleGroups(t);
    expect(groups.map(g => g.name)).toEqual([`shop.${t.name}.alerts`, ...(t.slo ? [`shop.${t.name}.slo`] : [])]);
    const names = alertNames(groups);
    expect(new Set(names).size).toBe(names.length);
    const records = rulesOf(groups).filter(r => r.record).map(r => `${r.record}${JSON.stringify(r.labels)}`);
    expect(new Set(records).size).toBe(records.length);
  });

  test('names of two services in one app never clash: group names carry the service', () => {
    // GIVEN two services of one app
    const a = prometheusRuleGroups(withSlo(telemetry(), { availability: 99.9 }));
    const b = prometheusRuleGroups(withSlo(telemetry({ name: 'web', queries: queriesOf(MetricsSource.openTelemetry(), 'http', 'web') }), { availability: 99.9 }));
    // THEN their groups can share one Prometheus
    const all = [...a, ...b].map(g => g.name);
    expect(new Set(all).size).toBe(all.length);
  });

  test('a custom alert gets the defaults: for 5m, warning, description = summary, runbook under the base URL', () => {
    const r = alert(prometheusRuleGroups(telemetry({ customAlerts: [CUSTOM_ALERT] })), 'CheckoutQueueBacklog');
    expect(r).toEqual({
      alert: 'CheckoutQueueBacklog', expr: 'sum(checkout_queue_depth) > 100', for: '5m',
      labels: { severity: 'warning', namespace: 'shop', service: 'catalog' },
      annotations: { summary: 'The checkout queue is backing up', description: 'The checkout queue is backing up', runbook_url: `${RUNBOOKS}/CheckoutQueueBacklog` },
    });
  });

  test('a custom alert keeps what the user set', () => {
    const custom: AlertOptions = { ...CUSTOM_ALERT, for: '15m', severity: 'critical', description: 'More than 100 orders wait', runbookUrl: 'https://wiki.example.com/backlog' };
    const r = alert(prometheusRuleGroups(telemetry({ kind: 'worker', name: 'mailer', queries: undefined, customAlerts: [custom] })), 'CheckoutQueueBacklog');
    expect(r).toMatchObject({
      for: '15m', labels: { severity: 'critical', namespace: 'shop', workload: 'mailer' },
      annotations: { description: 'More than 100 orders wait', runbook_url: 'https://wiki.example.com/backlog' },
    });
  });

  test.each([
    ['the alerts group', 'PodCrashLooping'],
    ['the slo group', 'AvailabilityBudgetBurnFast'],
  ])('fails when a custom alert takes the name of a library alert in %s', (_where, name) => {
    const t = withSlo(telemetry({ customAlerts: [{ ...CUSTOM_ALERT, name }] }), { availability: 99.9 });
    expectConfigError(() => prometheusRuleGroups(t), `[shop/catalog] addAlert('${name}'): the library already makes an alert of that name for this service: choose another name`);
  });

  test('libraryAlertNames lists the names a custom alert must not take', () => {
    const names = libraryAlertNames(withSlo(telemetry({ customAlerts: [CUSTOM_ALERT] }), { availability: 99.9 }));
    expect(names).toContain('PodCrashLooping');
    expect(names).toContain('AvailabilityBudgetBurnFast');
    expect(names).not.toContain('CheckoutQueueBacklog');
  });
});

// ---- golden signals ---------------------------------------------------------------------------

describe('golden-signal alerts', () => {
  const GOLDEN = ['ServiceErrorRatioHigh', 'ServiceLatencyHigh', 'ServiceTrafficStopped'];

  test('a service with request metrics gets error ratio, latency and traffic alerts', () => {
    expect(alertNames(serviceAlertGroups(telemetry()))).toEqual(expect.arrayContaining(GOLDEN));
  });

  test.each([
    ['a tcp service', telemetry({ queries: undefined })],
    ['a worker', telemetry({ kind: 'worker', name: 'mailer', queries: undefined })],
  ])('%s gets workload-health alerts only', (_what, t) => {
    const names = alertNames(serviceAlertGroups(t));
    for (const g of GOLDEN) expect(names).not.toContain(g);
    expect(names).toEqual(['DeploymentUnavailable', 'DeploymentReplicasUnavailable', 'DeploymentRolloutStuck', 'DeploymentGenerationMismatch', 'PodCrashLooping', 'ContainerOOMKilled', 'ContainerRestartsFrequent']);
  });

  test('no latency alert without a latency histogram', () => {
    expect(alertNames(serviceAlertGroups(telemetry({ queries: CUSTOM_BARE.queries(SELECTOR) })))).not.toContain('ServiceLatencyHigh');
  });

  test('the error ratio alert fires above 5% for 5m, only with at least 1 request/s, and never divides an empty error series', () => {
    const r = alert(serviceAlertGroups(telemetry()), 'ServiceErrorRatioHigh');
    expect(r.for).toBe('5m');
    expect(r.expr).toContain('or vector(0))\n/\n');
    expect(r.expr).toContain('\n> 0.05\n');
    expect(r.expr).toMatch(new RegExp(`and on \\(\\)\\nsum\\(rate\\(http_server_request_duration_seconds_count\\{namespace="shop", service="catalog"\\}\\[5m\\]\\)\\) >= ${MIN_REQUEST_RATE}$`));
  });

  test('the error ratio alert pages without an availability SLO and opens a ticket with one (the burn-rate alert pages then)', () => {
    expect(alert(serviceAlertGroups(telemetry()), 'ServiceErrorRatioHigh').labels?.severity).toBe('critical');
    expect(alert(serviceAlertGroups(withSlo(telemetry(), { availability: 99.9 })), 'ServiceErrorRatioHigh').labels?.severity).toBe('warning');
    expect(alert(serviceAlertGroups(withSlo(telemetry(), { latency: { threshold: '250ms' } })), 'ServiceErrorRatioHigh').labels?.severity).toBe('critical');
  });

  test('the latency alert uses p99 > 1s without a latency SLO', () => {
    const r = alert(serviceAlertGroups(telemetry()), 'ServiceLatencyHigh');
    expect(r.expr).toMatch(/^histogram_quantile\(0\.99, .*\)\n> 1\nand on \(\)\n/);
    expect(r.annotations?.summary).toBe('The p99 latency of shop/catalog is above 1s');
  });

  test("the latency alert uses the latency SLO's percentile and threshold", () => {
    const r = alert(serviceAlertGroups(withSlo(telemetry({ queries: queriesOf(MetricsSource.openTelemetry(), 'grpc') }), { latency: { threshold: '250ms', percentile: 95 } })), 'ServiceLatencyHigh');
    // the gRPC histogram is in milliseconds: latencyQuantile divides by 1000
    expect(r.expr).toMatch(/^histogram_quantile\(0\.95, .*rpc_server_duration_milliseconds_bucket.*\) \/ 1000\n> 0\.25\n/);
    expect(r.annotations?.summary).toBe('The p95 latency of shop/catalog is above 250ms');
  });

  test('the traffic alert compares with an hour ago through a subquery and counts no series as zero', () => {
    const r = alert(serviceAlertGroups(telemetry({ queries: CUSTOM_BARE.queries(SELECTOR) })), 'ServiceTrafficStopped');
    expect(r.expr).toBe('avg_over_time((sum(rate(legacy_requests_total{job="api"}[5m])))[30m:5m] offset 1h) >= 0.1\nand on ()\n(sum(rate(legacy_requests_total{job="api"}[5m])) or vector(0)) == 0');
  });
});

// ---- workload health --------------------------------------------------------------------------

describe('workload-health alerts', () => {
  test('the pod pattern matches the pods of the Deployment and nothing else', () => {
    const re = new RegExp(`^${podNamePattern('catalog')}$`);
    expect('catalog-7d9f8b6c5d-x2x4z').toMatch(re);
    expect('catalog-5c4f7-bq8wn').toMatch(re);
    for (const other of ['catalog-migrate-x2x4z', 'catalog-api-7d9f8b6c5d-x2x4z', 'catalog-0', 'catalogue-7d9f8b6c5d-x2x4z', 'catalog-7d9f8b6c5d-x2x4']) expect(other).not.toMatch(re);
  });

  test('kube-state-metrics alerts select the workload by namespace and deployment or pod', () => {
    const groups = serviceAlertGroups(telemetry());
    expect(alert(groups, 'PodCrashLooping').expr).toContain(`kube_pod_container_status_waiting_reason{namespace="shop", pod=~"${podNamePattern('catalog')}", reason="CrashLoopBackOff"}`);
    expect(alert(groups, 'DeploymentReplicasUnavailable').expr).toContain('kube_deployment_status_replicas_available{namespace="shop", deployment="catalog"}');
    expect(alert(groups, 'DeploymentRolloutStuck').expr).toContain('condition="Progressing", status="false"');
    expect(alert(groups, 'ContainerOOMKilled').expr).toContain('reason="OOMKilled"');
    expect(alert(groups, 'ContainerOOMKilled').expr).toContain('increase(kube_pod_container_status_restarts_total');
    expect(alert(groups, 'ContainerRestartsFrequent').expr).toMatch(/^max by \(namespace, pod, container\) \(round\(increase\(kube_pod_container_status_restarts_total\{.*\}\[1h\]\)\)\) > 3$/);
    expect(alert(groups, 'DeploymentUnavailable').labels?.severity).toBe('critical');
  });

  test("a canary's Deployment and pods are watched too, and its alerts name the Deployment that fires", () => {
    const groups = serviceAlertGroups(telemetry({ tracks: ['catalog-canary'] }));
    expect(alert(groups, 'DeploymentUnavailable').expr).toContain('kube_deployment_status_replicas_available{namespace="shop", deployment=~"catalog|catalog-canary"}');
    expect(alert(groups, 'DeploymentUnavailable').annotations?.summary).toBe('shop/{{ $labels.deployment }} has no available replica');
    const re = new RegExp(`^${podNamePattern('catalog', 'catalog-canary')}$`);
    for (const pod of ['catalog-7d9f8b6c5d-x2x4z', 'catalog-canary-5c4f7-bq8wn']) expect(pod).toMatch(re);
    for (const other of ['catalog-migrate-x2x4z', 'catalog-canaryx-5c4f7-bq8wn', 'catalog-canary-x2x4z']) expect(other).not.toMatch(re);
    expect(alert(groups, 'PodCrashLooping').expr).toContain(`pod=~"${podNamePattern('catalog', 'catalog-canary')}"`);
    // without a canary, the alerts name the Deployment literally
    expect(alert(serviceAlertGroups(telemetry()), 'DeploymentUnavailable').annotations?.summary).toBe('shop/catalog has no available replica');
  });

  test('the autoscaler alert exists when autoscaled, and reads the bounds from kube-state-metrics, not from the code', () => {
    expect(alertNames(serviceAlertGroups(telemetry()))).not.toContain('AutoscalerAtMaxReplicas');
    const r = alert(serviceAlertGroups(telemetry({ kind: 'worker', name: 'mailer', queries: undefined, autoscaling: { minReplicas: 1, maxReplicas: 20 } })), 'AutoscalerAtMaxReplicas');
    expect(r.expr).toContain('kube_horizontalpodautoscaler_status_current_replicas{namespace="shop", horizontalpodautoscaler="mailer"}');
    expect(r.expr).toContain('==\nmax by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_spec_max_replicas');
    // an autoscaler with min = max is always at its maximum: the expression leaves it out
    expect(r.expr).toContain('and on (namespace, horizontalpodautoscaler)\nmax by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_spec_max_replicas{namespace="shop", horizontalpodautoscaler="mailer"})\n>\nmax by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_spec_min_replicas');
    expect(r.for).toBe('15m');
    expect(r.annotations?.summary).toBe('shop/mailer has run at its maximum of {{ $value }} replicas for 15 minutes');
    // other bounds, the same rule: scaling changes no PrometheusRule
    const other = alert(serviceAlertGroups(telemetry({ kind: 'worker', name: 'mailer', queries: undefined, autoscaling: { minReplicas: 4, maxReplicas: 4 } })), 'AutoscalerAtMaxReplicas');
    expect(other).toEqual(r);
  });

  test('alerts with a kubernetes-mixin equivalent link its prometheus-operator runbook, the others the base URL', () => {
    const groups = serviceAlertGroups(telemetry({ autoscaling: { minReplicas: 2, maxReplicas: 10 } }));
    const links = Object.fromEntries(alertsOf(groups).map(r => [r.alert, r.annotations?.runbook_url]));
    const mixin = 'https://runbooks.prometheus-operator.dev/runbooks/kubernetes';
    expect(links).toMatchObject({
      PodCrashLooping: `${mixin}/kubepodcrashlooping`,
      DeploymentReplicasUnavailable: `${mixin}/kubedeploymentreplicasmismatch`,
      DeploymentGenerationMismatch: `${mixin}/kubedeploymentgenerationmismatch`,
      AutoscalerAtMaxReplicas: `${mixin}/kubehpamaxedout`,
      DeploymentUnavailable: `${RUNBOOKS}/DeploymentUnavailable`,
      ContainerOOMKilled: `${RUNBOOKS}/ContainerOOMKilled`,
      ServiceErrorRatioHigh: `${RUNBOOKS}/ServiceErrorRatioHigh`,
    });
  });
});

// ---- SLO rules ----------------------------------------------------------------------------------

describe('sloRuleGroups', () => {
  test('no SLO, no group', () => {
    expect(sloRuleGroups(telemetry())).toEqual([]);
  });

  test('records the SLI error ratio over 5m ... 3d and the SLO window, and the budget left, per objective', () => {
    const rules = rulesOf(sloRuleGroups(withSlo(telemetry(), { availability: 99.9, latency: { threshold: '250ms' } })));
    for (const slo of ['catalog-availability', 'catalog-latency']) {
      const records = rules.filter(r => r.labels?.slo === slo && r.record).map(r => r.record);
      expect(records).toEqual([...SLI_WINDOWS.map(w => `slo:sli_error:ratio_rate${w}`), 'slo:sli_error:ratio_rate30d', 'slo:error_budget_remaining:ratio']);
    }
    for (const r of rules.filter(x => x.record)) expect(Object.keys(r.labels ?? {}).sort()).toEqual(['namespace', 'service', 'slo']);
  });

  test('the availability ratio counts no failing series as 0 and has no sample without traffic (never NaN or +Inf)', () => {
    const r = rulesOf(sloRuleGroups(withSlo(telemetry(), { availability: 99.9 }))).find(x => x.record === 'slo:sli_error:ratio_rate1h')!;
    expect(r.expr).toBe(
      '(sum(rate(http_server_request_duration_seconds_count{namespace="shop", service="catalog", http_response_status_code=~"5.."}[1h])) or vector(0))\n/\n'
      + '(sum(rate(http_server_request_duration_seconds_count{namespace="shop", service="catalog"}[1h])) > 0)');
  });

  test('the latency ratio is 1 - fast/total with the bucket of the threshold', () => {
    const r = rulesOf(sloRuleGroups(withSlo(telemetry(), { latency: { threshold: '250ms' } }))).find(x => x.record === 'slo:sli_error:ratio_rate5m')!;
    expect(r.labels?.slo).toBe('catalog-latency');
    expect(r.expr).toBe('1 - (\n  sum(rate(http_server_request_duration_seconds_bucket{namespace="shop", service="catalog", le="0.25"}[5m]))\n/\n'
      + '  (sum(rate(http_server_request_duration_seconds_count{namespace="shop", service="catalog"}[5m])) > 0)\n)');
  });

  test('a custom source without a plain sum is summed so the ratio matches label sets', () => {
    const r = rulesOf(sloRuleGroups(withSlo(telemetry({ queries: CUSTOM_BARE.queries(SELECTOR) }), { availability: 99 }))).find(x => x.record === 'slo:sli_error:ratio_rate5m')!;
    expect(r.expr).toBe('(sum(rate(legacy_errors_total{job="api"}[5m])) or vector(0))\n/\n(sum(rate(legacy_requests_total{job="api"}[5m])) > 0)');
  });

  test('the budget left is 1 - (ratio over the window) / budget', () => {
    const rules = rulesOf(sloRuleGroups(withSlo(telemetry(), { availability: 99.95, window: '4w' })));
    expect(rules.find(r => r.record === 'slo:sli_error:ratio_rate4w')?.expr).toBe('avg_over_time(slo:sli_error:ratio_rate5m{slo="catalog-availability", namespace="shop", service="catalog"}[4w])');
    expect(rules.find(r => r.record === 'slo:error_budget_remaining:ratio')?.expr).toBe('1 - slo:sli_error:ratio_rate4w{slo="catalog-availability", namespace="shop", service="catalog"} / 0.0005');
  });

  test.each([
    [99.9, '0.001'],
    [99.5, '0.005'],
    [99, '0.01'],
    [99.99, '0.0001'],
    [95, '0.05'],
  ])('availability %d%%: page at 14.4x over 1h and 5m or 6x over 6h and 30m, ticket at 3x over 1d and 2h or 1x over 3d and 6h', (availability, budget) => {
    const groups = sloRuleGroups(withSlo(telemetry(), { availability }));
    const sel = '{slo="catalog-availability", namespace="shop", service="catalog"}';
    const cond = (factor: number, long: string, short: string) =>
      `(\n  slo:sli_error:ratio_rate${long}${sel} > (${factor} * ${budget})\nand\n  slo:sli_error:ratio_rate${short}${sel} > (${factor} * ${budget})\n)`;
    expect(alert(groups, 'AvailabilityBudgetBurnFast')).toMatchObject({
      expr: `${cond(14.4, '1h', '5m')}\nor\n${cond(6, '6h', '30m')}`, for: '2m',
      labels: { severity: 'critical', namespace: 'shop', service: 'catalog', slo: 'catalog-availability' },
    });
    expect(alert(groups, 'AvailabilityBudgetBurnSlow')).toMatchObject({
      expr: `${cond(3, '1d', '2h')}\nor\n${cond(1, '3d', '6h')}`, for: '15m',
      labels: { severity: 'warning', slo: 'catalog-availability' },
    });
  });

  test('latency 99th percentile: the budget is 1% of requests slower than the threshold', () => {
    const groups = sloRuleGroups(withSlo(telemetry(), { latency: { threshold: '250ms' } }));
    expect(alert(groups, 'LatencyBudgetBurnFast').expr).toContain('slo:sli_error:ratio_rate1h{slo="catalog-latency", namespace="shop", service="catalog"} > (14.4 * 0.01)');
    expect(alert(groups, 'LatencyBudgetBurnSlow').expr).toContain('> (1 * 0.01)');
    expect(alertNames(groups)).not.toContain('AvailabilityBudgetBurnFast');
  });

  test('the burn alert explains how long the budget lasts', () => {
    const r = alert(sloRuleGroups(withSlo(telemetry(), { availability: 99.9 })), 'AvailabilityBudgetBurnFast');
    expect(r.annotations?.description).toBe('{{ $value | humanizePercentage }} of the requests to shop/catalog failed over the last 1h or 6h, 14.4x or 6x the 0.1% its SLO '
      + '(99.9% of requests succeed, over 30d) allows: at 14.4x (over 1h and 5m) the 30d budget lasts 2.1 days, at 6x (over 6h and 30m) the 30d budget lasts 5 days.');
  });

  test.each([
    ['OpenTelemetry', queriesOf(MetricsSource.openTelemetry(), 'http'), 'absent(http_server_request_duration_seconds_count{namespace="shop", service="catalog"})'],
    ['Istio', queriesOf(MetricsSource.istio(), 'grpc'), 'absent(istio_requests_total{reporter="destination", destination_service_namespace="shop", destination_service_name="catalog"})'],
    ['custom', CUSTOM_BARE.queries(SELECTOR), 'absent(rate(legacy_requests_total{job="api"}[5m]))'],
  ])('an alert fires when the SLI series of a %s source are absent for 15m', (_what, queries, expr) => {
    const r = alert(sloRuleGroups(withSlo(telemetry({ queries }), { availability: 99.9 })), 'SLIMetricsAbsent');
    expect(r).toMatchObject({ expr, for: '15m', labels: { severity: 'warning', namespace: 'shop', service: 'catalog' } });
  });
});

// ---- resolveSlo -------------------------------------------------------------------------------

describe('resolveSlo', () => {
  const http = queriesOf(MetricsSource.openTelemetry(), 'http');
  const grpc = queriesOf(MetricsSource.openTelemetry(), 'grpc');

  test('applies the defaults: 99th percentile, 30d window', () => {
    expect(resolveSlo('shop/catalog', { availability: 99.9, latency: { threshold: '250ms' } }, http)).toEqual<ResolvedSlo>({
      availability: 99.9, latency: { threshold: '250ms', thresholdSeconds: 0.25, percentile: 99 }, window: '30d',
    });
  });

  test.each([
    ['1s', 1, http], ['2.5s', 2.5, http], ['5ms', 0.005, grpc], ['0.075s', 0.075, grpc],
  ])('accepts the bucket boundary %s', (threshold, seconds, q) => {
    expect(resolveSlo('shop/catalog', { latency: { threshold } }, q).latency?.thresholdSeconds).toBe(seconds);
  });

  test('a threshold between two boundaries is interpolated inside its bucket, and says so', () => {
    // GIVEN 300ms, between the 250ms and 500ms buckets of OpenTelemetry's HTTP histogram
    const slo = resolveSlo('shop/catalog', { latency: { threshold: '300ms' } }, http);
    expect(slo.latency).toEqual({ threshold: '300ms', thresholdSeconds: 0.3, percentile: 99, between: [0.25, 0.5] });
    // THEN the requests within it are the 250ms bucket plus a fifth of those between 250ms and 500ms
    const within = withinThreshold(http, slo.latency!, '5m');
    const b = (le: string) => `sum(rate(http_server_request_duration_seconds_bucket{namespace="shop", service="catalog", ${le}}[5m]))`;
    expect(within).toBe(`(${b('le="0.25"')} + (${b('le="0.5"')} - ${b('le="0.25"')}) * 0.2)`);
    expect(interpolationWarning(slo.latency!)).toBe("'slo.latency.threshold' '300ms' is not a bucket boundary of the service's latency histogram: the requests within it are interpolated between the '250ms' and '500ms' buckets (as histogram_quantile does), an estimate; use '250ms' or '500ms' for an exact SLI, or add the boundary to the histogram and declare it with a custom metrics source");
    // AND a boundary is counted exactly, with no warning
    const exact = resolveSlo('shop/catalog', { latency: { threshold: '250ms' } }, http).latency!;
    expect(withinThreshold(http, exact, '5m')).toBe(b('le="0.25"'));
    expect(interpolationWarning(exact)).toBeUndefined();
  });

  test('accepts any threshold from a custom source (its buckets are unknown)', () => {
    expect(resolveSlo('shop/catalog', { latency: { threshold: '300ms' } }, CUSTOM.queries(SELECTOR)).latency?.thresholdSeconds).toBe(0.3);
  });

  const P = '[shop/catalog] ';
  test.each<[string, SloOptions, RequestQueries | undefined, string]>([
    ['the service has no request metrics', { availability: 99.9 }, undefined,
      "'slo' needs the service's request metrics, and it has none (a tcp service reports no requests): remove 'slo', or serve 'http' or 'grpc'"],
    ['it sets no objective', { window: '30d' }, http,
      "'slo' sets neither 'availability' nor 'latency': set at least one, for example { availability: 99.9 }"],
    ['availability is 100', { availability: 100 }, http,
      "'slo.availability' must be a percentage between 0 and 100 (both excluded), got 100: for example 99.9 (at most 0.1% of requests fail)"],
    ['availability is 0', { availability: 0 }, http,
      "'slo.availability' must be a percentage between 0 and 100 (both excluded), got 0: for example 99.9 (at most 0.1% of requests fail)"],
    ['availability is negative', { availability: -5 }, http,
      "'slo.availability' must be a percentage between 0 and 100 (both excluded), got -5: for example 99.9 (at most 0.1% of requests fail)"],
    ['availability is a string', { availability: '99.9' as unknown as number }, http,
      "'slo.availability' must be a percentage between 0 and 100 (both excluded), got '99.9': for example 99.9 (at most 0.1% of requests fail)"],
    ['availability is NaN', { availability: NaN }, http,
      "'slo.availability' must be a percentage between 0 and 100 (both excluded), got NaN: for example 99.9 (at most 0.1% of requests fail)"],
    ['the threshold has no unit', { latency: { threshold: '300' } }, http,
      "'slo.latency.threshold' must be a duration such as '300ms', '1s' or '1.5s', got '300'"],
    ['the threshold is zero', { latency: { threshold: '0ms' } }, http,
      "'slo.latency.threshold' must be a duration such as '300ms', '1s' or '1.5s', got '0ms'"],
    ['the threshold is a number', { latency: { threshold: 0.3 as unknown as string } }, http,
      "'slo.latency.threshold' must be a duration such as '300ms', '1s' or '1.5s', got 0.3"],
    ['the threshold is below the smallest boundary', { latency: { threshold: '1ms' } }, http,
      "'slo.latency.threshold' '1ms' is outside the buckets of the service's latency histogram, so no series counts the requests within it: use '5ms' (the smallest boundary)"],
    ['the threshold is above the largest boundary', { latency: { threshold: '30s' } }, http,
      "'slo.latency.threshold' '30s' is outside the buckets of the service's latency histogram, so no series counts the requests within it: use '10s' (the largest boundary)"],
    ['the percentile is 100', { latency: { threshold: '250ms', percentile: 100 } }, http,
      "'slo.latency.percentile' must be a percentage between 0 and 100 (both excluded), got 100: for example 99 (99% of requests finish within the threshold)"],
    ['the percentile is 0', { latency: { threshold: '250ms', percentile: 0 } }, http,
      "'slo.latency.percentile' must be a percentage between 0 and 100 (both excluded), got 0: for example 99 (99% of requests finish within the threshold)"],
    ['a latency SLO has no histogram', { latency: { threshold: '250ms' } }, CUSTOM_BARE.queries(SELECTOR),
      "'slo.latency' needs a latency histogram, and the service's metrics source has none: give MetricsSource.custom() a 'fastRequestRate', or remove 'slo.latency'"],
    ['the window is no duration', { availability: 99.9, window: '30' }, http,
      "'slo.window' must be a Prometheus duration of at least 7d, such as '30d' or '4w', got '30'"],
    ['the window is a month', { availability: 99.9, window: '1M' }, http,
      "'slo.window' must be a Prometheus duration of at least 7d, such as '30d' or '4w', got '1M'"],
    ['the window is shorter than 7d', { availability: 99.9, window: '3d' }, http,
      "'slo.window' must be a Prometheus duration of at least 7d, such as '30d' or '4w', got '3d'"],
  ])('fails when %s', (_why, slo, queries, message) => {
    expectConfigError(() => resolveSlo('shop/catalog', slo, queries), P + message);
  });

  test.each(['7d', '28d', '4w', '30d', '90d', '168h'])('accepts the window %s', window => {
    expect(resolveSlo('shop/catalog', { availability: 99.9, window }, http).window).toBe(window);
  });
});

// ---- building blocks --------------------------------------------------------------------------

describe('PromQL building blocks', () => {
  test.each([
    ['sum(rate(x[5m]))', 'sum(rate(x[5m]))'],
    ['rate(x[5m])', 'sum(rate(x[5m]))'],
    ['sum(rate(a[5m])) / sum(rate(b[5m]))', 'sum(sum(rate(a[5m])) / sum(rate(b[5m])))'],
    ['sum by (job) (rate(x[5m]))', 'sum(sum by (job) (rate(x[5m])))'],
    ['sum(rate(x{path=")"}[5m]))', 'sum(rate(x{path=")"}[5m]))'],
  ])('sumOf(%s) is %s', (expr, expected) => {
    expect(sumOf(expr)).toBe(expected);
  });

  test.each([
    ['an http boundary below 1s', 'http', 0.25, 'le="0.25"'],
    ['a whole-second http boundary', 'http', 1, 'le=~"1|1\\\\.0"'],
    ['a gRPC boundary (whole milliseconds)', 'grpc', 0.25, 'le=~"250|250\\\\.0"'],
  ] as const)('the fast-request bucket of %s matches Prometheus 2 and 3 spellings of le', (_what, protocol, seconds, matcher) => {
    const fast = queriesOf(MetricsSource.openTelemetry(), protocol).fastRequestRate!(seconds, '5m');
    expect(fast).toContain(`, ${matcher}}`);
    expect(parseError(fast)).toBeUndefined();
  });

  test('the le regex matches exactly the two spellings', () => {
    // PromQL `"250|250\\.0"` is the regex 250|250\.0
    const re = /^(?:250|250\.0)$/;
    expect(['250', '250.0'].every(v => re.test(v))).toBe(true);
    expect(['2500', '250x0', '25'].some(v => re.test(v))).toBe(false);
  });
});
