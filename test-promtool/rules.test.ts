/**
 * The generated rules under the real Prometheus rule engine (promtool 2.42):
 * `promtool check rules` on a representative set of workloads, and `promtool test rules` on
 * synthetic series proving that the alerts fire when they should and stay silent otherwise.
 */
import { MetricsSource, RequestQueries } from '../lib/observability/metrics-source';
import type { AlertOptions, Rule, RuleGroup, SloOptions, WorkloadTelemetry } from '../lib/observability/model';
import { prometheusRuleGroups } from '../lib/observability/rules';
import { resolveSlo } from '../lib/observability/slo';
import { checkRulesWithPromtool, ExpectedAlert, InputSeries, firing, testRulesWithPromtool } from './promtool';

const RUNBOOKS = 'https://runbooks.example.com/shop';

type Source = 'otel' | 'istio' | 'custom' | 'custom-bare' | 'none';

function queries(source: Source, protocol: 'http' | 'grpc', name: string): RequestQueries | undefined {
  const s = { namespace: 'shop', service: name, protocol };
  switch (source) {
    case 'otel': return MetricsSource.openTelemetry().queries(s);
    case 'istio': return MetricsSource.istio().queries(s);
    case 'custom': return MetricsSource.custom({
      requestRate: `sum(rate(myapp_requests_total{job="${name}"}[$window]))`,
      errorRate: `sum(rate(myapp_requests_total{job="${name}", code=~"5.."}[$window]))`,
      fastRequestRate: `sum(rate(myapp_request_seconds_bucket{job="${name}", le="$threshold"}[$window]))`,
      latencyBucket: `myapp_request_seconds_bucket{job="${name}"}`,
    }).queries(s);
    case 'custom-bare': return MetricsSource.custom({
      requestRate: `rate(legacy_requests_total{job="${name}"}[$window])`,
      errorRate: `rate(legacy_errors_total{job="${name}"}[$window])`,
    }).queries(s);
    default: return undefined;
  }
}

interface Spec {
  readonly name: string;
  readonly kind?: 'service' | 'worker';
  readonly source?: Source;
  readonly protocol?: 'http' | 'grpc';
  readonly slo?: SloOptions;
  readonly autoscaling?: { minReplicas: number; maxReplicas: number };
  readonly customAlerts?: AlertOptions[];
}

function telemetry(s: Spec): WorkloadTelemetry {
  const q = queries(s.source ?? 'otel', s.protocol ?? 'http', s.name);
  return {
    app: 'shop', namespace: 'shop', name: s.name, kind: s.kind ?? 'service', queries: q,
    slo: s.slo ? resolveSlo(`shop/${s.name}`, s.slo, q) : undefined,
    replicas: s.autoscaling ? undefined : 3, autoscaling: s.autoscaling,
    container: s.name, runbookBaseUrl: RUNBOOKS, customAlerts: s.customAlerts ?? [],
  };
}

const groupsOf = (s: Spec): RuleGroup[] => prometheusRuleGroups(telemetry(s));

// ---- promtool check rules ---------------------------------------------------------------------

const REPRESENTATIVE: Spec[] = [
  { name: 'web', slo: { availability: 99.9, latency: { threshold: '250ms' } }, autoscaling: { minReplicas: 2, maxReplicas: 10 },
    customAlerts: [{ name: 'CheckoutQueueBacklog', expr: 'sum(checkout_queue_depth{namespace="shop"}) > 100', summary: 'The checkout queue holds {{ $value }} orders', severity: 'critical', for: '10m' }] },
  { name: 'web-plain' },
  { name: 'catalog', protocol: 'grpc', slo: { availability: 99.95, latency: { threshold: '100ms', percentile: 95 }, window: '28d' } },
  { name: 'cart', source: 'istio', slo: { availability: 99.5, latency: { threshold: '1s' } }, autoscaling: { minReplicas: 3, maxReplicas: 3 } },
  { name: 'payments', source: 'istio', protocol: 'grpc', slo: { availability: 99.99, window: '4w' } },
  { name: 'legacy', source: 'custom', slo: { availability: 99, latency: { threshold: '300ms' } } },
  { name: 'legacy-bare', source: 'custom-bare', slo: { availability: 99.9 } },
  { name: 'redis', source: 'none' },
  { name: 'mailer', kind: 'worker', source: 'none', autoscaling: { minReplicas: 1, maxReplicas: 20 }, customAlerts: [{ name: 'MailQueueStuck', expr: 'max(mail_queue_oldest_seconds) > 600', summary: 'Mails wait' }] },
  { name: 'indexer', kind: 'worker', source: 'none' },
];

describe('promtool check rules', () => {
  test('passes on the rules of a representative set of services and workers', () => {
    checkRulesWithPromtool(REPRESENTATIVE.flatMap(groupsOf));
  });

  test.each(REPRESENTATIVE.map(s => [s.name, s] as const))('passes on the rules of %s alone', (_name, s) => {
    checkRulesWithPromtool(groupsOf(s));
  });

  test.each<[string, Rule]>([
    ['an expression that does not parse', { alert: 'Broken', expr: 'sum(rate(x[5m])', for: '5m' }],
    ['offset on an aggregation', { alert: 'Broken', expr: 'sum(rate(x[5m])) offset 1h', for: '5m' }],
    ['a template calling an unknown function', { alert: 'Broken', expr: 'vector(1)', annotations: { summary: '{{ $value | humanizePercent }}' } }],
    ['a duplicated recording rule', { record: 'slo:sli_error:ratio_rate5m', expr: 'vector(1)', labels: { slo: 'web-availability', namespace: 'shop', service: 'web' } }],
  ])('fails on %s (so the checks above can fail)', (_what, rule) => {
    const groups = groupsOf(REPRESENTATIVE[0]);
    const broken = groups.map(g => (g.name.endsWith('.slo') ? { ...g, rules: [...g.rules, rule] } : g));
    expect(() => checkRulesWithPromtool(broken)).toThrow(/promtool check rules failed/);
  });
});

// ---- promtool test rules: synthetic series ----------------------------------------------------

const OTEL = 'http_server_request_duration_seconds';
const SEL = 'namespace="shop", service="catalog"';

/**
 * A counter growing by `before` a minute for 300 minutes, then by `during` a minute for 90 more
 * (samples every minute, 0m to 390m).
 */
function counter(before: number, during: number): string {
  return `0+${before}x300 ${before * 300 + during}+${during}x89`;
}

/** OpenTelemetry http counters of `catalog`: 1000 requests a minute, `before` then `during` of them failing. */
function availabilitySeries(before: number, during: number): InputSeries[] {
  return [
    { series: `${OTEL}_count{${SEL}, http_response_status_code="500"}`, values: counter(before, during) },
    { series: `${OTEL}_count{${SEL}, http_response_status_code="200"}`, values: counter(1000 - before, 1000 - during) },
  ];
}

/** A latency histogram of `catalog`: 1000 requests a minute, `before` then `during` of them slower than the `le` bucket. */
function latencySeries(metric: string, le: string, before: number, during: number): InputSeries[] {
  return [
    { series: `${metric}_bucket{${SEL}, le="${le}"}`, values: counter(1000 - before, 1000 - during) },
    { series: `${metric}_count{${SEL}}`, values: counter(1000, 1000) },
  ];
}

describe('promtool test rules: availability SLO 99.9% (budget 0.1%)', () => {
  const groups = groupsOf({ name: 'catalog', slo: { availability: 99.9 } });
  const labels = { severity: 'critical', namespace: 'shop', service: 'catalog', slo: 'catalog-availability' };
  const page = (exp: ExpectedAlert[], eval_time = '380m') => [{ eval_time, alertname: 'AvailabilityBudgetBurnFast', exp_alerts: exp }];

  test('the page alert fires when the last hour fails 1.5% of requests (15x), the 6 hours before being clean', () => {
    testRulesWithPromtool(groups, [{
      input_series: availabilitySeries(0, 15),
      // the 1h and 5m ratios are 1.5% > 14.4 * 0.1%; the 6h ratio (0.33%) is below 6x, so this is the 14.4x pair
      alert_rule_test: page([firing(groups, 'AvailabilityBudgetBurnFast', labels, '1.5%')]),
      promql_expr_test: [{ expr: 'count(slo:sli_error:ratio_rate6h < 6 * 0.001)', eval_time: '380m', exp_samples: [{ labels: '{}', value: 1 }] }],
    }]);
  });

  test('the page alert stays silent at 13x (1.3% of requests fail in the last hour)', () => {
    testRulesWithPromtool(groups, [{ input_series: availabilitySeries(0, 13), alert_rule_test: page([]) }]);
  });

  test('the page alert stays silent at 1x (0.1% of requests fail, all the time)', () => {
    testRulesWithPromtool(groups, [{ input_series: availabilitySeries(1, 1), alert_rule_test: [...page([], '120m'), ...page([], '380m')] }]);
  });

  test('the page alert fires at 6x over 6h and 30m (0.7% fail all the time), and the ticket alert with it', () => {
    testRulesWithPromtool(groups, [{
      input_series: availabilitySeries(7, 7),
      alert_rule_test: [
        ...page([firing(groups, 'AvailabilityBudgetBurnFast', labels, '0.7%')]),
        { eval_time: '380m', alertname: 'AvailabilityBudgetBurnSlow', exp_alerts: [firing(groups, 'AvailabilityBudgetBurnSlow', { ...labels, severity: 'warning' }, '0.7%')] },
      ],
    }]);
  });

  test('at 5x (0.5% fail all the time) only the ticket alert fires', () => {
    testRulesWithPromtool(groups, [{
      input_series: availabilitySeries(5, 5),
      alert_rule_test: [
        ...page([]),
        // the value is the 1d ratio (the first pair, 3x over 1d and 2h)
        { eval_time: '380m', alertname: 'AvailabilityBudgetBurnSlow', exp_alerts: [firing(groups, 'AvailabilityBudgetBurnSlow', { ...labels, severity: 'warning' }, '0.5%')] },
      ],
    }]);
  });

  test('the page alert resets 5 minutes after the errors stop, while the hour still looks bad', () => {
    // 3% fail from minute 300 to 360, none after: at 370m the 1h ratio is 2.5%, the 5m ratio 0
    const series: InputSeries[] = [
      { series: `${OTEL}_count{${SEL}, http_response_status_code="500"}`, values: '0x300 30+30x59 1800x30' },
      { series: `${OTEL}_count{${SEL}, http_response_status_code="200"}`, values: '0+1000x300 300970+970x59 359200+1000x29' },
    ];
    testRulesWithPromtool(groups, [{
      input_series: series,
      // at 355m the 1h ratio is 55 minutes of 3%: 2.75%
      alert_rule_test: [...page([firing(groups, 'AvailabilityBudgetBurnFast', labels, '2.75%')], '355m'), ...page([], '370m')],
    }]);
  });

  test('no traffic at all: no burn alert and no NaN ratio, but the SLI-absent alert after 15 minutes', () => {
    testRulesWithPromtool(groups, [{
      input_series: [{ series: 'up{job="other"}', values: '1x30' }],
      alert_rule_test: [
        ...page([], '30m'),
        { eval_time: '10m', alertname: 'SLIMetricsAbsent', exp_alerts: [] },
        { eval_time: '20m', alertname: 'SLIMetricsAbsent', exp_alerts: [firing(groups, 'SLIMetricsAbsent', { namespace: 'shop', service: 'catalog' }, '1')] },
      ],
      promql_expr_test: [{ expr: 'count(slo:sli_error:ratio_rate5m) or vector(0)', eval_time: '30m', exp_samples: [{ labels: '{}', value: 0 }] }],
    }]);
  });

  test('traffic that stops: the ratio disappears instead of becoming NaN, and the SLI-absent alert stays silent while the series exist', () => {
    testRulesWithPromtool(groups, [{
      input_series: [
        { series: `${OTEL}_count{${SEL}, http_response_status_code="200"}`, values: '0+1000x60 60000x60' },
      ],
      alert_rule_test: [{ eval_time: '110m', alertname: 'SLIMetricsAbsent', exp_alerts: [] }, ...page([], '110m')],
      promql_expr_test: [
        { expr: 'slo:sli_error:ratio_rate5m', eval_time: '30m', exp_samples: [{ labels: 'slo:sli_error:ratio_rate5m{namespace="shop", service="catalog", slo="catalog-availability"}', value: 0 }] },
        { expr: 'count(slo:sli_error:ratio_rate5m) or vector(0)', eval_time: '110m', exp_samples: [{ labels: '{}', value: 0 }] },
        { expr: 'count(slo:error_budget_remaining:ratio != slo:error_budget_remaining:ratio) or vector(0)', eval_time: '110m', exp_samples: [{ labels: '{}', value: 0 }] },
      ],
    }]);
  });
});

describe('promtool test rules: latency SLO 99% within 250ms (budget 1%)', () => {
  const labels = { severity: 'critical', namespace: 'shop', service: 'catalog', slo: 'catalog-latency' };
  const page = (exp: ExpectedAlert[]) => [{ eval_time: '380m', alertname: 'LatencyBudgetBurnFast', exp_alerts: exp }];

  describe('OpenTelemetry http (seconds)', () => {
    const groups = groupsOf({ name: 'catalog', slo: { latency: { threshold: '250ms' } } });

    test('the page alert fires when 20% of the last hour is slower than 250ms (20x)', () => {
      testRulesWithPromtool(groups, [{ input_series: latencySeries(OTEL, '0.25', 0, 200), alert_rule_test: page([firing(groups, 'LatencyBudgetBurnFast', labels, '20%')]) }]);
    });

    test('the page alert stays silent when 13% of the last hour is slow (13x)', () => {
      testRulesWithPromtool(groups, [{ input_series: latencySeries(OTEL, '0.25', 0, 130), alert_rule_test: page([]) }]);
    });

    test('the page alert stays silent at 1x (1% slow, all the time)', () => {
      testRulesWithPromtool(groups, [{ input_series: latencySeries(OTEL, '0.25', 10, 10), alert_rule_test: page([]) }]);
    });
  });

  describe('OpenTelemetry grpc (milliseconds, whole-number le)', () => {
    const groups = groupsOf({ name: 'catalog', protocol: 'grpc', slo: { latency: { threshold: '250ms' } } });
    const GRPC = 'rpc_server_duration_milliseconds';

    test.each([
      ['Prometheus 2 text format', '250'],
      ['Prometheus 3 (normalized)', '250.0'],
    ])('the page alert fires at 20x with le as %s writes it (%s)', (_how, le) => {
      testRulesWithPromtool(groups, [{ input_series: latencySeries(GRPC, le, 0, 200), alert_rule_test: page([firing(groups, 'LatencyBudgetBurnFast', labels, '20%')]) }]);
    });

    test('the page alert stays silent at 1x', () => {
      testRulesWithPromtool(groups, [{ input_series: latencySeries(GRPC, '250.0', 10, 10), alert_rule_test: page([]) }]);
    });
  });
});

describe('promtool test rules: latency SLO 99% within 300ms, between the 250ms and 500ms buckets (interpolated)', () => {
  const groups = groupsOf({ name: 'catalog', slo: { latency: { threshold: '300ms' } } });
  const labels = { severity: 'critical', namespace: 'shop', service: 'catalog', slo: 'catalog-latency' };
  const page = (exp: ExpectedAlert[]) => [{ eval_time: '380m', alertname: 'LatencyBudgetBurnFast', exp_alerts: exp }];
  // per minute: requests within 250ms and within 500ms, before and during the last hour, of 1,000
  const series = (within250: [number, number], within500: [number, number]): InputSeries[] => [
    { series: `${OTEL}_bucket{${SEL}, le="0.25"}`, values: counter(...within250) },
    { series: `${OTEL}_bucket{${SEL}, le="0.5"}`, values: counter(...within500) },
    { series: `${OTEL}_count{${SEL}}`, values: counter(1000, 1000) },
  ];

  test('requests between the boundaries count a fifth as within 300ms: 20% there is 16% slow (16x), and the page fires', () => {
    testRulesWithPromtool(groups, [{ input_series: series([1000, 800], [1000, 1000]), alert_rule_test: page([firing(groups, 'LatencyBudgetBurnFast', labels, '16%')]) }]);
  });

  test('70% within 250ms and 80% within 500ms is 28% slow (28x): requests over 500ms count as slow in full', () => {
    testRulesWithPromtool(groups, [{ input_series: series([1000, 700], [1000, 800]), alert_rule_test: page([firing(groups, 'LatencyBudgetBurnFast', labels, '28%')]) }]);
  });

  test('the page stays silent at 1x (1% over 500ms, all the time)', () => {
    testRulesWithPromtool(groups, [{ input_series: series([990, 990], [990, 990]), alert_rule_test: page([]) }]);
  });
});

describe('promtool test rules: golden signals', () => {
  const groups = groupsOf({ name: 'catalog' });

  test('the error ratio alert fires at 10% errors with enough traffic (16 requests/s)', () => {
    testRulesWithPromtool(groups, [{
      input_series: [
        { series: `${OTEL}_count{${SEL}, http_response_status_code="500"}`, values: '0+100x30' },
        { series: `${OTEL}_count{${SEL}, http_response_status_code="200"}`, values: '0+900x30' },
      ],
      alert_rule_test: [{ eval_time: '15m', alertname: 'ServiceErrorRatioHigh', exp_alerts: [firing(groups, 'ServiceErrorRatioHigh', {}, '10%')] }],
    }]);
  });

  test('the error ratio alert stays silent at 10% errors of 0.5 requests/s (too few to tell)', () => {
    testRulesWithPromtool(groups, [{
      input_series: [
        { series: `${OTEL}_count{${SEL}, http_response_status_code="500"}`, values: '0+3x30' },
        { series: `${OTEL}_count{${SEL}, http_response_status_code="200"}`, values: '0+27x30' },
      ],
      alert_rule_test: [{ eval_time: '15m', alertname: 'ServiceErrorRatioHigh', exp_alerts: [] }],
    }]);
  });

  test('the error ratio alert stays silent when no request has ever failed (no 5xx series)', () => {
    testRulesWithPromtool(groups, [{
      input_series: [{ series: `${OTEL}_count{${SEL}, http_response_status_code="200"}`, values: '0+1000x30' }],
      alert_rule_test: [{ eval_time: '15m', alertname: 'ServiceErrorRatioHigh', exp_alerts: [] }],
    }]);
  });

  test.each([
    ['the counters stop moving', '0+1000x120 120000x40'],
    ['the series disappear (no pod reports)', '0+1000x120 _x40'],
  ])('the traffic alert fires when %s after an hour of traffic', (_how, values) => {
    testRulesWithPromtool(groups, [{
      input_series: [{ series: `${OTEL}_count{${SEL}, http_response_status_code="200"}`, values }],
      alert_rule_test: [
        { eval_time: '120m', alertname: 'ServiceTrafficStopped', exp_alerts: [] },
        { eval_time: '145m', alertname: 'ServiceTrafficStopped', exp_alerts: [firing(groups, 'ServiceTrafficStopped', {}, '16.67')] },
      ],
    }]);
  });

  test('the traffic alert stays silent for a service that never had traffic', () => {
    testRulesWithPromtool(groups, [{
      input_series: [{ series: `${OTEL}_count{${SEL}, http_response_status_code="200"}`, values: '0x160' }],
      alert_rule_test: [{ eval_time: '145m', alertname: 'ServiceTrafficStopped', exp_alerts: [] }],
    }]);
  });
});

describe('promtool test rules: workload health', () => {
  const groups = groupsOf({ name: 'catalog', autoscaling: { minReplicas: 2, maxReplicas: 10 } });
  const POD = 'catalog-7d9f8b6c5d-x2x4z';
  const KSM = 'job="kube-state-metrics", service="kube-state-metrics"';
  const pod = { namespace: 'shop', pod: POD, container: 'catalog' };

  test('crash looping fires after 15 minutes for a pod of the Deployment, not for a Job named catalog-migrate', () => {
    testRulesWithPromtool(groups, [{
      input_series: [
        { series: `kube_pod_container_status_waiting_reason{${KSM}, namespace="shop", pod="${POD}", container="catalog", reason="CrashLoopBackOff"}`, values: '1x30' },
        { series: `kube_pod_container_status_waiting_reason{${KSM}, namespace="shop", pod="catalog-migrate-x2x4z", container="migrate", reason="CrashLoopBackOff"}`, values: '1x30' },
      ],
      alert_rule_test: [
        { eval_time: '10m', alertname: 'PodCrashLooping', exp_alerts: [] },
        { eval_time: '20m', alertname: 'PodCrashLooping', exp_alerts: [firing(groups, 'PodCrashLooping', pod, '1')] },
      ],
    }]);
  });

  test('no available replica pages after 5 minutes; a missing replica outside a rollout warns after 15', () => {
    testRulesWithPromtool(groups, [{
      input_series: [
        { series: `kube_deployment_spec_replicas{${KSM}, namespace="shop", deployment="catalog"}`, values: '3x30' },
        { series: `kube_deployment_status_replicas_available{${KSM}, namespace="shop", deployment="catalog"}`, values: '0x30' },
        { series: `kube_deployment_status_replicas_updated{${KSM}, namespace="shop", deployment="catalog"}`, values: '3x30' },
      ],
      alert_rule_test: [
        { eval_time: '7m', alertname: 'DeploymentUnavailable', exp_alerts: [firing(groups, 'DeploymentUnavailable', { namespace: 'shop', deployment: 'catalog' }, '0')] },
        { eval_time: '27m', alertname: 'DeploymentReplicasUnavailable', exp_alerts: [firing(groups, 'DeploymentReplicasUnavailable', { namespace: 'shop', deployment: 'catalog' }, '3')] },
      ],
    }]);
  });

  test('an OOM kill warns; restarts more than 3 times an hour warn', () => {
    testRulesWithPromtool(groups, [{
      input_series: [
        { series: `kube_pod_container_status_last_terminated_reason{${KSM}, namespace="shop", pod="${POD}", container="catalog", reason="OOMKilled"}`, values: '1x60' },
        { series: `kube_pod_container_status_restarts_total{${KSM}, namespace="shop", pod="${POD}", container="catalog"}`, values: '0x9 1x9 2x9 3x9 4x9 5x9' },
      ],
      alert_rule_test: [
        { eval_time: '52m', alertname: 'ContainerOOMKilled', exp_alerts: [firing(groups, 'ContainerOOMKilled', pod, '1')] },
        { eval_time: '35m', alertname: 'ContainerRestartsFrequent', exp_alerts: [] },
        { eval_time: '59m', alertname: 'ContainerRestartsFrequent', exp_alerts: [firing(groups, 'ContainerRestartsFrequent', pod, '5')] },
      ],
    }]);
  });

  test("a canary's Deployment with no available replica pages, named in the alert; its crash-looping pods warn", () => {
    const canary = prometheusRuleGroups({ ...telemetry({ name: 'catalog' }), tracks: ['catalog-canary'] });
    const CANARY_POD = 'catalog-canary-5c4f7-bq8wn';
    testRulesWithPromtool(canary, [{
      input_series: [
        { series: `kube_deployment_spec_replicas{${KSM}, namespace="shop", deployment="catalog"}`, values: '3x30' },
        { series: `kube_deployment_status_replicas_available{${KSM}, namespace="shop", deployment="catalog"}`, values: '3x30' },
        { series: `kube_deployment_spec_replicas{${KSM}, namespace="shop", deployment="catalog-canary"}`, values: '2x30' },
        { series: `kube_deployment_status_replicas_available{${KSM}, namespace="shop", deployment="catalog-canary"}`, values: '0x30' },
        { series: `kube_pod_container_status_waiting_reason{${KSM}, namespace="shop", pod="${CANARY_POD}", container="catalog", reason="CrashLoopBackOff"}`, values: '1x30' },
      ],
      alert_rule_test: [
        { eval_time: '7m', alertname: 'DeploymentUnavailable', exp_alerts: [firing(canary, 'DeploymentUnavailable', { namespace: 'shop', deployment: 'catalog-canary' }, '0')] },
        { eval_time: '20m', alertname: 'PodCrashLooping', exp_alerts: [firing(canary, 'PodCrashLooping', { namespace: 'shop', pod: CANARY_POD, container: 'catalog' }, '1')] },
      ],
    }]);
  });

  // the bounds are read from kube-state-metrics: the rule holds no replica count, so the
  // same rule watches bounds changed after synth (12 here, where the code said 10)
  const autoscaler = (current: number, min: number, max: number): InputSeries[] => [
    { series: `kube_horizontalpodautoscaler_status_current_replicas{${KSM}, namespace="shop", horizontalpodautoscaler="catalog"}`, values: `${current}x30` },
    { series: `kube_horizontalpodautoscaler_spec_min_replicas{${KSM}, namespace="shop", horizontalpodautoscaler="catalog"}`, values: `${min}x30` },
    { series: `kube_horizontalpodautoscaler_spec_max_replicas{${KSM}, namespace="shop", horizontalpodautoscaler="catalog"}`, values: `${max}x30` },
  ];

  test('the autoscaler pinned at its maximum for 15 minutes warns, with the maximum it has now', () => {
    const hpa = { namespace: 'shop', horizontalpodautoscaler: 'catalog' };
    const alert = firing(groups, 'AutoscalerAtMaxReplicas', hpa, '12');
    expect(alert.exp_annotations?.summary).toBe('shop/catalog has run at its maximum of 12 replicas for 15 minutes');
    testRulesWithPromtool(groups, [{
      input_series: autoscaler(12, 2, 12),
      alert_rule_test: [
        { eval_time: '10m', alertname: 'AutoscalerAtMaxReplicas', exp_alerts: [] },
        { eval_time: '20m', alertname: 'AutoscalerAtMaxReplicas', exp_alerts: [alert] },
      ],
    }]);
  });

  test('an autoscaler below its maximum, or with min = max (always at it), stays silent', () => {
    testRulesWithPromtool(groups, [
      { input_series: autoscaler(9, 2, 12), alert_rule_test: [{ eval_time: '20m', alertname: 'AutoscalerAtMaxReplicas', exp_alerts: [] }] },
      { input_series: autoscaler(4, 4, 4), alert_rule_test: [{ eval_time: '20m', alertname: 'AutoscalerAtMaxReplicas', exp_alerts: [] }] },
    ]);
  });
});
