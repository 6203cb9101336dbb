/**
 * The canary analysis of progressive delivery (lib/delivery/analysis.ts) under the real
 * Prometheus query engine: each metric's query, with the canary's hash where Argo Rollouts puts
 * it, evaluated by `promtool test rules` on synthetic series of a canary ReplicaSet's pods beside
 * the stable ones; then the metric's exact success and failure conditions evaluated on that
 * result as the Argo Rollouts controller does (./argo-conditions.ts). A healthy canary passes
 * even beside failing stable pods, one that burns the error budget fails, and a quiet or absent
 * one is inconclusive.
 */
import { AnalysisGate, CANARY_HASH_ARG, SloAnalysisOptions, defaultPrometheusUrl, sloAnalysisGates } from '../lib/delivery/analysis';
import { MetricsSource } from '../lib/observability/metrics-source';
import { resolveSlo } from '../lib/observability/slo';
import { evaluateCondition, measurementPhase, Phase } from './argo-conditions';
import { InputSeries, PromtoolTestCase, testRulesWithPromtool } from './promtool';

const HASH = '5f8d7c9b4';
const CANARY_PODS = [`checkout-${HASH}-x2v4k`, `checkout-${HASH}-b7n9q`];
const STABLE_PODS = ['checkout-6c8b9f7d4-m5p2r', 'checkout-6c8b9f7d4-t8w3z'];
const WINDOW_MINUTES = 5;

type SourceKind = 'otel' | 'istio';

/** Requests per minute of one pod: succeeded, failed, and (of all of them) finished within the 250ms threshold. */
interface PodTraffic {
  readonly pod: string;
  readonly ok: number;
  readonly failed: number;
  readonly fast: number;
}

/** The series a pod's requests leave, as the source's exporter and a ServiceMonitor label them. */
function seriesOf(kind: SourceKind, protocol: 'http' | 'grpc', t: PodTraffic): InputSeries[] {
  const counter = (perMinute: number) => `0+${perMinute}x30`;
  if (kind === 'otel') {
    const base = `namespace="shop", service="checkout", pod="${t.pod}"`;
    const [metric, status, ok, failed, le] = protocol === 'http'
      ? ['http_server_request_duration_seconds', 'http_response_status_code', '200', '503', '0.25']
      : ['rpc_server_duration_milliseconds', 'rpc_grpc_status_code', '0', '14', '250'];
    return [
      { series: `${metric}_count{${base}, ${status}="${ok}"}`, values: counter(t.ok) },
      { series: `${metric}_count{${base}, ${status}="${failed}"}`, values: counter(t.failed) },
      { series: `${metric}_bucket{${base}, le="${le}"}`, values: counter(t.fast) },
    ];
  }
  const base = `reporter="destination", destination_service_namespace="shop", destination_service_name="checkout", namespace="shop", service="checkout", pod="${t.pod}"`;
  const [status, ok, failed] = protocol === 'http' ? ['response_code', '200', '503'] : ['grpc_response_status', '0', '14'];
  return [
    { series: `istio_requests_total{${base}, ${status}="${ok}"}`, values: counter(t.ok) },
    { series: `istio_requests_total{${base}, ${status}="${failed}"}`, values: counter(t.failed) },
    { series: `istio_request_duration_milliseconds_bucket{${base}, le="250"}`, values: counter(t.fast) },
  ];
}

function gatesOf(kind: SourceKind, protocol: 'http' | 'grpc'): AnalysisGate[] {
  const source = kind === 'otel' ? MetricsSource.openTelemetry() : MetricsSource.istio();
  const queries = source.queries({ namespace: 'shop', service: 'checkout', protocol });
  const o: SloAnalysisOptions = {
    name: 'checkout', namespace: 'shop', protocol, source,
    slo: resolveSlo('shop/checkout', { availability: 99.9, latency: { threshold: '250ms', percentile: 99 } }, queries),
    prometheusUrl: defaultPrometheusUrl(), window: `${WINDOW_MINUTES}m`, scrapeInterval: '30s',
  };
  return sloAnalysisGates('shop/checkout', o);
}

/** What a gate's query returns on the canary pods' traffic: no sample below its minimum of requests, else the error ratio. */
function expectedResult(gate: AnalysisGate, canary: readonly PodTraffic[]): number[] {
  const total = canary.reduce((n, p) => n + p.ok + p.failed, 0);
  if (total * WINDOW_MINUTES < gate.minRequests) return [];
  const bad = gate.metric === 'availability'
    ? canary.reduce((n, p) => n + p.failed, 0)
    : total - canary.reduce((n, p) => n + p.fast, 0);
  return [bad / total];
}

interface Scenario {
  readonly name: string;
  readonly canary: readonly PodTraffic[];
  readonly stable: readonly PodTraffic[];
  readonly phase: Phase;
}

const pods = (names: readonly string[], ok: number, failed: number, fast: number): PodTraffic[] => names.map(pod => ({ pod, ok, failed, fast }));

const SCENARIOS: Scenario[] = [
  {
    // 1 in 3000 fails (budget: 1 in 1000), 10 in 3000 are slow (budget: 1 in 100); the stable
    // pods fail half their requests and are slow, which must not count against the canary
    name: 'a healthy canary passes, beside failing stable pods',
    canary: pods(CANARY_PODS, 2999, 1, 2990),
    stable: pods(STABLE_PODS, 1500, 1500, 100),
    phase: 'Successful',
  },
  {
    // 5% fail and 10% are slow: 50x and 10x the budgets
    name: 'a canary burning its error budget fails, beside healthy stable pods',
    canary: pods(CANARY_PODS, 2850, 150, 2700),
    stable: pods(STABLE_PODS, 3000, 0, 3000),
    phase: 'Failed',
  },
  {
    // 8 in 3000 fail: 2.7x the availability budget, while 1 in 3000 slow is well within the latency one
    name: 'a canary just over its availability budget fails',
    canary: pods(CANARY_PODS, 2992, 8, 2999),
    stable: pods(STABLE_PODS, 3000, 0, 3000),
    phase: 'Failed',
  },
  {
    // 50 requests in the window, one in five failing: below both minimums (1000 and 100)
    name: 'a quiet canary is inconclusive, whatever its few requests did',
    canary: pods(CANARY_PODS, 4, 1, 5),
    stable: pods(STABLE_PODS, 3000, 0, 3000),
    phase: 'Inconclusive',
  },
  {
    name: 'a canary without any series is inconclusive',
    canary: [],
    stable: pods(STABLE_PODS, 3000, 0, 3000),
    phase: 'Inconclusive',
  },
];

const SOURCES: Array<[string, SourceKind, 'http' | 'grpc']> = [
  ['OpenTelemetry http', 'otel', 'http'],
  ['OpenTelemetry grpc', 'otel', 'grpc'],
  ['Istio http', 'istio', 'http'],
  ['Istio grpc', 'istio', 'grpc'],
];

/** A gate's verdict in a scenario: the scenario's, but the canary just over its availability budget keeps its latency one. */
function expectedPhase(s: Scenario, gate: AnalysisGate): Phase {
  if (s.name.startsWith('a canary just over') && gate.metric === 'latency') return 'Successful';
  return s.phase;
}

describe.each(SOURCES)('the canary analysis on %s metrics', (_name, kind, protocol) => {
  const gates = gatesOf(kind, protocol);

  test('has an availability and a latency metric', () => {
    expect(gates.map(g => g.metric)).toEqual(['availability', 'latency']);
  });

  test.each(SCENARIOS.map(s => [s.name, s] as const))('%s', (_scenario, s) => {
    // GIVEN the series of the canary's and the stable ReplicaSet's pods over 30 minutes
    const input = [...s.canary, ...s.stable].flatMap(p => seriesOf(kind, protocol, p));
    // WHEN Prometheus evaluates each metric's query, the canary's hash in place of the argument
    const cases: PromtoolTestCase[] = [{
      name: s.name,
      input_series: input,
      promql_expr_test: gates.map(g => {
        const query = g.query.split(`{{args.${CANARY_HASH_ARG}}}`).join(HASH);
        const [expected] = expectedResult(g, s.canary);
        // no sample; or one, within floating-point noise of the ratio (1 - x and sums of rates are not exact)
        return expected === undefined
          ? { expr: query, eval_time: '20m', exp_samples: [] }
          : { expr: `abs((\n${query}\n) - ${expected}) < bool 1e-12`, eval_time: '20m', exp_samples: [{ labels: '{}', value: 1 }] };
      }),
    }];
    // THEN it returns the canary's own error ratio, or nothing below the minimum of requests ...
    testRulesWithPromtool([], cases);
    // ... on which the metric's conditions give the scenario's verdict
    for (const g of gates) expect([g.metric, measurementPhase(g, expectedResult(g, s.canary))]).toEqual([g.metric, expectedPhase(s, g)]);
  });
});

describe('the condition evaluator', () => {
  test('follows expr-lang: short-circuit &&, NaN compares false, an index past the end is an error', () => {
    expect(evaluateCondition('len(result) > 0 && result[0] <= 0.001', [])).toBe(false);
    expect(evaluateCondition('len(result) > 0 && result[0] <= 0.001', [0.001])).toBe(true);
    expect(evaluateCondition('len(result) == 0 || result[0] >= 0.95', [])).toBe(true);
    expect(evaluateCondition('result[0] > 0.5', [NaN])).toBe(false);
    expect(evaluateCondition('result[0] <= 0.5', [NaN])).toBe(false);
    expect(measurementPhase({ successCondition: 'result[0] >= 0.95', failureCondition: 'result[0] < 0.95' }, [])).toBe('Error');
    expect(measurementPhase({ successCondition: 'result[0] >= 0.95', failureCondition: 'result[0] < 0.95' }, [NaN])).toBe('Inconclusive');
    expect(() => evaluateCondition('result >= 0.95', [1])).toThrow(/unsupported condition syntax/);
  });
});
