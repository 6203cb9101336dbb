// What dist/ holds, under the real promtool: every PrometheusRule passes `promtool check rules`
// (each as the rule file the Prometheus Operator makes of it, and all of them together, as one
// Prometheus loads them), the SLO alerts emitted for the example services fire and stay silent
// on synthetic series as they should, and every query of every Grafana dashboard passes as a
// recording rule.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { dashboardExpressions } from '../lib/observability/dashboard';
import type { RuleGroup } from '../lib/observability/model';
import { checkRulesWithPromtool, firing, InputSeries, ruleGroupsOfManifests, testRulesWithPromtool } from './promtool';

const DIST = path.join(__dirname, '..', 'dist');
// the apps' folders (dist/ also holds synth's record of what it wrote)
const APPS = fs.readdirSync(DIST, { withFileTypes: true }).filter(d => d.isDirectory()).map(d => d.name);
const manifests = APPS.flatMap(app =>
  parseAllDocuments(fs.readFileSync(path.join(DIST, app, 'manifests.yaml'), 'utf8')).map(d => d.toJS()));
const dashboards = manifests.filter(m => m?.kind === 'ConfigMap' && m.metadata?.labels?.grafana_dashboard === '1');
const rules = manifests.filter(m => m?.kind === 'PrometheusRule');

test('dist/ holds an overview dashboard per app, and a dashboard and a PrometheusRule per workload', () => {
  const deployments = manifests.filter(m => m?.kind === 'Deployment' && !m.metadata.name.endsWith('-canary'));
  expect(dashboards.map(d => `${d.metadata.namespace}/${d.metadata.name}`).sort()).toEqual([
    ...APPS.map(app => `${app}/${app}-overview-dashboard`),
    ...deployments.map(d => `${d.metadata.namespace}/${d.metadata.name}-dashboard`),
  ].sort());
  expect(rules.map(r => `${r.metadata.namespace}/${r.metadata.name}`).sort()).toEqual(deployments.map(d => `${d.metadata.namespace}/${d.metadata.name}`).sort());
});

describe('promtool check rules', () => {
  test.each(rules.map(r => [`${r.metadata.namespace}/${r.metadata.name}`, r] as const))('passes on the PrometheusRule %s', (_name, r) => {
    expect(() => checkRulesWithPromtool(ruleGroupsOfManifests([r]))).not.toThrow();
  });

  test('passes on every PrometheusRule of dist/ in one rule file (no group name twice)', () => {
    expect(() => checkRulesWithPromtool(ruleGroupsOfManifests(rules))).not.toThrow();
  });
});

test.each(dashboards.map(d => [d.metadata.name, d] as const))('every query of %s passes promtool check rules', (_name, cm) => {
  const json = JSON.parse(Object.values(cm.data as Record<string, string>)[0]);
  const exprs = dashboardExpressions(json).map(e => e.replace(/\$workload/g, 'web'));
  expect(exprs.length).toBeGreaterThan(0);
  const groups: RuleGroup[] = [{ name: 'dashboard', rules: exprs.map((expr, i) => ({ record: `dashboard:expr_${i}`, expr })) }];
  expect(() => checkRulesWithPromtool(groups)).not.toThrow();
});

// ---- the SLOs of catalog as emitted: OpenTelemetry gRPC metrics (shop), Istio's (shop-mesh) --

/** How one metrics source reports 1000 requests a minute, some failing, some slower than 250ms. */
interface Source {
  readonly app: string;
  /** All requests, with the labels of a failure when `failed`. */
  readonly requests: (failed: boolean) => string;
  /** Requests within 250ms (the bucket of the latency SLO). */
  readonly fast: string;
  /** Labels absent() returns for the source's presence selector. */
  readonly absentLabels: Record<string, string>;
}

const SOURCES: Source[] = [
  {
    app: 'shop',
    requests: failed => `rpc_server_duration_milliseconds_count{namespace="shop", service="catalog", rpc_grpc_status_code="${failed ? 14 : 0}"}`,
    // Prometheus 3 and non-Go clients write 250.0: the rules match both spellings
    fast: 'rpc_server_duration_milliseconds_bucket{namespace="shop", service="catalog", rpc_grpc_status_code="0", le="250.0"}',
    absentLabels: { namespace: 'shop', service: 'catalog' },
  },
  {
    app: 'shop-mesh',
    requests: failed => `istio_requests_total{reporter="destination", destination_service_namespace="shop-mesh", destination_service_name="catalog", grpc_response_status="${failed ? 14 : 0}"}`,
    fast: 'istio_request_duration_milliseconds_bucket{reporter="destination", destination_service_namespace="shop-mesh", destination_service_name="catalog", le="250"}',
    absentLabels: { reporter: 'destination', destination_service_namespace: 'shop-mesh', destination_service_name: 'catalog' },
  },
];

/** A counter growing by `before` a minute for `minutes` minutes, then by `during` a minute for 90 more. */
function counter(before: number, during: number, minutes = 300): string {
  return `0+${before}x${minutes} ${before * minutes + during}+${during}x89`;
}

/** 1000 requests a minute: `bad` then `badDuring` of them failing (`kind` availability) or slower than 250ms (latency). */
function series(s: Source, kind: 'availability' | 'latency', bad: number, badDuring: number, minutes = 300): InputSeries[] {
  if (kind === 'availability') {
    return [
      { series: s.requests(true), values: counter(bad, badDuring, minutes) },
      { series: s.requests(false), values: counter(1000 - bad, 1000 - badDuring, minutes) },
    ];
  }
  return [
    { series: s.requests(false), values: counter(1000, 1000, minutes) },
    { series: s.fast, values: counter(1000 - bad, 1000 - badDuring, minutes) },
  ];
}

describe.each(SOURCES)('the emitted SLO rules of $app/catalog', s => {
  const rule = rules.find(r => r.metadata.namespace === s.app && r.metadata.name === 'catalog');
  const groups = ruleGroupsOfManifests([rule]);
  const labels = (kind: string, severity: string) => ({ severity, namespace: s.app, service: 'catalog', slo: `catalog-${kind}` });

  test('the service has an availability and a latency SLO', () => {
    const slos = new Set(groups.flatMap(g => g.rules).map(r => r.labels?.slo).filter(Boolean));
    expect([...slos].sort()).toEqual(['catalog-availability', 'catalog-latency']);
  });

  describe.each([
    // availability 99.9%: a budget of 0.1% failing; latency 99% within 250ms: 1% slower
    ['availability', 'Availability', 1] as const,
    ['latency', 'Latency', 10] as const,
  ])('%s', (kind, Kind, perMille) => {
    const fast = `${Kind}BudgetBurnFast`;
    const slow = `${Kind}BudgetBurnSlow`;

    test('the page alert fires when the budget burns at 15x (above 14.4x) over the last hour', () => {
      testRulesWithPromtool(groups, [{
        input_series: series(s, kind, 0, 15 * perMille),
        alert_rule_test: [{ eval_time: '380m', alertname: fast, exp_alerts: [firing(groups, fast, labels(kind, 'critical'), `${1.5 * perMille}%`)] }],
      }]);
    });

    test('the page alert is silent at 1x, and so is the ticket alert below 1x', () => {
      testRulesWithPromtool(groups, [{
        input_series: series(s, kind, perMille, perMille),
        alert_rule_test: [{ eval_time: '380m', alertname: fast, exp_alerts: [] }],
      }, {
        input_series: series(s, kind, perMille / 2, perMille / 2),
        alert_rule_test: [{ eval_time: '380m', alertname: slow, exp_alerts: [] }],
      }]);
    });

    test('the ticket alert fires at 3.5x over a day (above 3x), and the page alert does not', () => {
      const bad = 3.5 * perMille;
      testRulesWithPromtool(groups, [{
        input_series: series(s, kind, bad, bad, 1500),
        alert_rule_test: [
          { eval_time: '1580m', alertname: slow, exp_alerts: [firing(groups, slow, labels(kind, 'warning'), `${bad / 10}%`)] },
          { eval_time: '1580m', alertname: fast, exp_alerts: [] },
        ],
      }]);
    });
  });

  test('the absent-SLI alert fires 15 minutes after the request series vanish (5 minutes to go stale)', () => {
    testRulesWithPromtool(groups, [{
      input_series: [{ series: s.requests(false), values: '0+1000x60 _x40' }],
      alert_rule_test: [
        { eval_time: '60m', alertname: 'SLIMetricsAbsent', exp_alerts: [] },
        { eval_time: '75m', alertname: 'SLIMetricsAbsent', exp_alerts: [] },
        { eval_time: '85m', alertname: 'SLIMetricsAbsent', exp_alerts: [firing(groups, 'SLIMetricsAbsent', { ...s.absentLabels, severity: 'warning', namespace: s.app, service: 'catalog' }, '1')] },
      ],
    }]);
  });
});
