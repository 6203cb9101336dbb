/**
 * The workload-health alerts of a service Argo Rollouts runs (`progressiveDelivery`) under the
 * real Prometheus rule engine: kube-state-metrics series of the ReplicaSets the Rollout owns (a
 * stable and a canary one, plus the Deployment's, which holds the template and must not count),
 * and the controller's `rollout_info` under either namespace label a ServiceMonitor gives it.
 */
import { ObservedService } from '../lib';
import type { RuleGroup } from '../lib/observability/model';
import { dashboardExpressions } from '../lib/observability/dashboard';
import { find, synth, testApp } from '../test/helpers';
import { ExpectedAlert, InputSeries, checkRulesWithPromtool, firing, testRulesWithPromtool } from './promtool';

const KSM = 'job="kube-state-metrics", service="kube-state-metrics"';
// the argo-rollouts Helm chart's ServiceMonitor: no honorLabels, so the Rollout's namespace is exported_namespace
const ARGO = 'job="argo-rollouts-metrics", service="argo-rollouts-metrics", namespace="argo-rollouts"';
const STABLE = 'checkout-6c8b9f7d4';
const CANARY = 'checkout-5f8d7c9b4';

function objects(pause?: string) {
  const { shop } = testApp('shop', { monitoring: { runbookBaseUrl: 'https://runbooks.example.com/shop' } });
  new ObservedService(shop, 'checkout', {
    image: 'ghcr.io/acme/checkout:2.4.0', autoscaling: { minReplicas: 3, maxReplicas: 12 },
    slo: { availability: 99.9 }, progressiveDelivery: { steps: [10, 25, 50], pause },
  });
  return synth(shop);
}

const OBJECTS = objects('5m');
const g = find(OBJECTS, 'PrometheusRule', 'checkout').spec.groups as RuleGroup[];
const owner = { namespace: 'shop', service: 'checkout' };
const alertAt = (alertname: string, eval_time: string, exp_alerts: ExpectedAlert[]) => ({ eval_time, alertname, exp_alerts });

/** kube-state-metrics series of one ReplicaSet and its owner. */
function replicaSet(name: string, ownerKind: string, ownerName: string, spec: string, ready: string): InputSeries[] {
  const rs = `${KSM}, namespace="shop", replicaset="${name}"`;
  return [
    { series: `kube_replicaset_owner{${rs}, owner_kind="${ownerKind}", owner_name="${ownerName}", owner_is_controller="true"}`, values: '1x60' },
    { series: `kube_replicaset_spec_replicas{${rs}}`, values: spec },
    { series: `kube_replicaset_status_ready_replicas{${rs}}`, values: ready },
  ];
}
// the Deployment's own ReplicaSet, scaled to 0 by the controller: it never counts
const DEPLOYMENT_RS = replicaSet('checkout-7d9f8b6c5', 'Deployment', 'checkout', '0x60', '0x60');

describe('promtool check rules', () => {
  test('passes on the rules and the dashboard queries of a Rollout-run service (lint included)', () => {
    checkRulesWithPromtool(g);
    const data = find(OBJECTS, 'ConfigMap', 'checkout-dashboard').data as Record<string, string>;
    const exprs = dashboardExpressions(JSON.parse(Object.values(data)[0]));
    expect(exprs.some(e => e.includes('owner_kind="Rollout"'))).toBe(true);
    checkRulesWithPromtool([{ name: 'dashboard', rules: exprs.map((expr, i) => ({ record: `dashboard:expr_${i}`, expr })) }]);
  });
});

describe('promtool test rules: the ReplicaSets the Rollout owns (kube-state-metrics)', () => {
  test('no ready pod in the stable or canary ReplicaSet pages after 5 minutes; ready pods keep it silent', () => {
    testRulesWithPromtool(g, [{
      input_series: [...replicaSet(STABLE, 'Rollout', 'checkout', '3x20', '0x20'), ...DEPLOYMENT_RS],
      alert_rule_test: [
        alertAt('RolloutUnavailable', '4m', []),
        alertAt('RolloutUnavailable', '7m', [firing(g, 'RolloutUnavailable', owner, '0')]),
      ],
    }, {
      // during a step: the canary's pod is ready, the stable's are too
      input_series: [...replicaSet(STABLE, 'Rollout', 'checkout', '3x20', '3x20'), ...replicaSet(CANARY, 'Rollout', 'checkout', '1x20', '1x20'), ...DEPLOYMENT_RS],
      alert_rule_test: [alertAt('RolloutUnavailable', '10m', []), alertAt('RolloutReplicasUnavailable', '20m', [])],
    }]);
  });

  test('a pod not ready for 15 minutes while no step resizes the ReplicaSets warns; a step resizing them keeps it quiet', () => {
    testRulesWithPromtool(g, [{
      input_series: [...replicaSet(STABLE, 'Rollout', 'checkout', '3x40', '3x40'), ...replicaSet(CANARY, 'Rollout', 'checkout', '1x40', '0x40'), ...DEPLOYMENT_RS],
      alert_rule_test: [
        alertAt('RolloutReplicasUnavailable', '13m', []),
        alertAt('RolloutReplicasUnavailable', '30m', [firing(g, 'RolloutReplicasUnavailable', owner, '1')]),
        alertAt('RolloutUnavailable', '30m', []),
      ],
    }, {
      // the canary grows every 8 minutes (10%, 25%, 50% of 3, then 3), a new pod always starting
      input_series: [...replicaSet(STABLE, 'Rollout', 'checkout', '3x40', '3x40'), ...replicaSet(CANARY, 'Rollout', 'checkout', '1x7 2x7 3x7 3x7 3x7 3x4', '0x7 1x7 2x7 3x7 3x7 3x4'), ...DEPLOYMENT_RS],
      alert_rule_test: [alertAt('RolloutReplicasUnavailable', '20m', [])],
    }]);
  });

  test('another Rollout\'s ReplicaSets, or a Deployment\'s of the same name, do not count', () => {
    testRulesWithPromtool(g, [{
      input_series: [
        ...replicaSet(STABLE, 'Rollout', 'checkout', '3x20', '3x20'),
        ...replicaSet('checkout-api-6c8b9f7d4', 'Rollout', 'checkout-api', '2x20', '0x20'),
        ...replicaSet('checkout-7d9f8b6c5', 'Deployment', 'checkout', '1x20', '0x20'),
      ],
      alert_rule_test: [alertAt('RolloutUnavailable', '10m', []), alertAt('RolloutReplicasUnavailable', '20m', [])],
    }]);
  });
});

describe('promtool test rules: the Argo Rollouts controller\'s rollout_info', () => {
  const info = (phase: string, values: string, labels = `${ARGO}, exported_namespace="shop"`): InputSeries => ({
    series: `rollout_info{${labels}, name="checkout", strategy="canary", traffic_router="Istio", phase="${phase}"}`, values,
  });

  test('an aborted release warns within 2 minutes, whichever label holds the Rollout\'s namespace', () => {
    for (const labels of [`${ARGO}, exported_namespace="shop"`, `${KSM.replace('kube-state-metrics', 'argo-rollouts-metrics')}, namespace="shop"`]) {
      testRulesWithPromtool(g, [{
        // progressing, then aborted by a failed analysis at minute 10
        input_series: [info('Progressing', '1x9 _x20', labels), info('Abort', '_x9 1x20', labels)],
        alert_rule_test: [
          alertAt('RolloutAborted', '9m', []),
          alertAt('RolloutAborted', '12m', [firing(g, 'RolloutAborted', owner, '1')]),
          alertAt('RolloutStuck', '25m', []),
        ],
      }]);
    }
  });

  test('another namespace\'s Rollout of the same name is not this one', () => {
    testRulesWithPromtool(g, [{
      input_series: [info('Abort', '1x20', `${ARGO}, exported_namespace="staging"`)],
      alert_rule_test: [alertAt('RolloutAborted', '10m', [])],
    }]);
  });

  test('a rollout in error or past its deadline warns after 10 minutes', () => {
    testRulesWithPromtool(g, [{
      input_series: [info('Timeout', '1x20')],
      alert_rule_test: [alertAt('RolloutStuck', '9m', []), alertAt('RolloutStuck', '12m', [firing(g, 'RolloutStuck', owner, '1')])],
    }]);
  });

  test('a step paused for an hour warns when steps have a pause (an inconclusive analysis), and only shows when they wait for promotion', () => {
    const paused = { input_series: [info('Paused', '1x90')], alert_rule_test: [alertAt('RolloutPaused', '50m', []), alertAt('RolloutPaused', '70m', [])] };
    testRulesWithPromtool(g, [{ ...paused, alert_rule_test: [paused.alert_rule_test[0], alertAt('RolloutPaused', '70m', [firing(g, 'RolloutPaused', owner, '1')])] }]);
    expect(firing(g, 'RolloutPaused', owner, '1').exp_labels.severity).toBe('warning');
    const manual = find(objects(), 'PrometheusRule', 'checkout').spec.groups as RuleGroup[];
    testRulesWithPromtool(manual, [{ ...paused, alert_rule_test: [alertAt('RolloutPaused', '70m', [firing(manual, 'RolloutPaused', owner, '1')])] }]);
    expect(firing(manual, 'RolloutPaused', owner, '1').exp_labels.severity).toBe('info');
  });
});
