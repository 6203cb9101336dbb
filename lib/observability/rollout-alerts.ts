/**
 * The workload-health alerts of a service an Argo Rollouts `Rollout` runs (`progressiveDelivery`).
 * Its Deployment only holds the pod template (scaled to 0 by the controller), so the
 * `kube_deployment_*` alerts would stay silent whatever happens to the pods. Instead:
 *
 * - From kube-state-metrics, as every other workload alert: the ReplicaSets the Rollout owns
 *   (`kube_replicaset_owner{owner_kind="Rollout"}`), the stable and the canary one together:
 *   no ready pod at all (critical), fewer ready pods than wanted outside a step (warning).
 * - From the Argo Rollouts controller's own metrics (`rollout_info{namespace, name, phase}`,
 *   https://argo-rollouts.readthedocs.io/en/stable/features/controller-metrics/), which only it
 *   knows: a release aborted (its analysis failed, or someone aborted it), a rollout that cannot
 *   proceed, a step paused for an hour (an inconclusive analysis waits for a person). These need
 *   the controller's metrics scraped (the argo-rollouts Helm chart's
 *   `controller.metrics.serviceMonitor.enabled`). A ServiceMonitor without `honorLabels` renames
 *   the metric's `namespace` (the Rollout's) to `exported_namespace`: both are matched.
 *
 * The pods' own alerts (crash loops, OOM kills, restarts) are a Deployment's: a Rollout's pods
 * are named `<name>-<hash>-<5 chars>` like a Deployment's (./controllers.ts).
 */
import { anyOf, promqlString } from './promql';
import { rolloutReplicaSets } from './controllers';
import { alertRule, displayName } from './alert-rule';
import { restartingPodAlerts } from './pod-alerts';
import type { Rule, WorkloadTelemetry } from './model';

/** How long a Rollout may stay paused before someone is told: longer than any step's pause is likely to be. */
export const ROLLOUT_PAUSED_FOR = '1h';

/** `rollout_info` of the Rollout in one phase (or several), under either namespace label (see above). */
export function rolloutPhase(t: WorkloadTelemetry, phases: readonly string[]): string {
  const of = (label: string) => `rollout_info{${label}=${promqlString(t.namespace)}, name=${promqlString(t.name)}, ${anyOf('phase', phases)}}`;
  return `max(${of('namespace')} or ${of('exported_namespace')})`;
}

/** Alerts on a Rollout, its ReplicaSets and its pods (the autoscaler's are the caller's). */
export function rolloutAlerts(t: WorkloadTelemetry): Rule[] {
  const who = displayName(t);
  const kubectl = `kubectl -n ${t.namespace}`;
  const argo = `kubectl argo rollouts -n ${t.namespace}`;
  const ready = `sum(${rolloutReplicaSets(t, 'kube_replicaset_status_ready_replicas')})`;
  const wanted = `sum(${rolloutReplicaSets(t, 'kube_replicaset_spec_replicas')})`;
  const rules: Rule[] = [];

  rules.push(alertRule(t, {
    name: 'RolloutUnavailable',
    expr: `${ready} == 0\nand on ()\n${wanted} > 0`,
    for: '5m',
    severity: 'critical',
    summary: `${who} has no ready pod`,
    description: `No pod of the Rollout ${who} (stable or canary) has been ready for 5 minutes: the ${t.kind} is down. `
      + `See why: ${argo} get rollout ${t.name}; ${kubectl} get pods. During a release, go back to the stable pods with ${argo} abort ${t.name}, then revert the release in the app's source`,
    runbookUrl: `${t.runbookBaseUrl}/RolloutUnavailable`,
  }));

  // not while a step changes the ReplicaSets' sizes (the guard of the Deployment alert)
  rules.push(alertRule(t, {
    name: 'RolloutReplicasUnavailable',
    expr: `${wanted}\n-\n${ready}\n> 0\n`
      + `and on ()\nsum(${rolloutReplicaSets(t, 'kube_replicaset_spec_replicas', s => `changes(${s}[10m])`)}) == 0`,
    for: '15m',
    severity: 'warning',
    summary: `${who} runs fewer ready pods than it should`,
    description: `{{ $value }} pod(s) of the Rollout ${who} have not been ready for 15 minutes while no step resized its ReplicaSets: pods that do not get ready, are pending (no room on the nodes) or are evicted. `
      + `${argo} get rollout ${t.name}; ${kubectl} get pods`,
    runbookUrl: `${t.runbookBaseUrl}/RolloutReplicasUnavailable`,
  }));

  rules.push(alertRule(t, {
    name: 'RolloutAborted',
    expr: `${rolloutPhase(t, ['Abort'])} == 1`,
    for: '1m',
    severity: 'warning',
    summary: `The release of ${who} was aborted and rolled back`,
    description: `Argo Rollouts aborted the release of ${who}: its analysis failed (the canary spent the error budget faster than the SLO allows), or someone aborted it. All requests are back on the stable pods; the Rollout stays Degraded while the Deployment's template still holds the aborted release. `
      + `See which step and query failed: ${argo} get rollout ${t.name}; then revert the release in the app's source (or retry it after a fix: ${argo} retry rollout ${t.name})`,
    runbookUrl: `${t.runbookBaseUrl}/RolloutAborted`,
  }));

  rules.push(alertRule(t, {
    name: 'RolloutStuck',
    expr: `${rolloutPhase(t, ['Error', 'Timeout', 'InvalidSpec'])} == 1`,
    for: '10m',
    severity: 'warning',
    summary: `The Rollout of ${who} cannot proceed`,
    description: `Argo Rollouts has reported the Rollout ${who} in error, past its progress deadline or with an invalid spec for 10 minutes: new pods do not get ready, or an object it names (VirtualService, DestinationRule, Ingress, Service, AnalysisTemplate) is missing or wrong. `
      + `${argo} get rollout ${t.name}; ${kubectl} describe rollout ${t.name}`,
    runbookUrl: `${t.runbookBaseUrl}/RolloutStuck`,
  }));

  // an indefinite pause waits for a person by design: only shown; a timed one that lasts means
  // an inconclusive analysis (too few requests to judge) or a manual pause
  const waitsByDesign = t.rolloutPause === undefined;
  rules.push(alertRule(t, {
    name: 'RolloutPaused',
    expr: `${rolloutPhase(t, ['Paused'])} == 1`,
    for: ROLLOUT_PAUSED_FOR,
    severity: waitsByDesign ? 'info' : 'warning',
    summary: `The release of ${who} has waited for a person for an hour`,
    description: `The Rollout ${who} has been paused for an hour: ${waitsByDesign ? 'each step waits to be promoted' : 'a step\'s analysis was inconclusive (too few requests to judge the canary), or someone paused it'}. `
      + `${argo} get rollout ${t.name}; then ${argo} promote ${t.name} to go on, or ${argo} abort ${t.name} to go back to the stable release`,
    runbookUrl: `${t.runbookBaseUrl}/RolloutPaused`,
  }));

  rules.push(...restartingPodAlerts(t));
  return rules;
}
