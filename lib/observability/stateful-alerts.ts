/**
 * Alerts on a StatefulService: its StatefulSet (kube-state-metrics `kube_statefulset_*`, as the
 * kubernetes-mixin's KubeStatefulSet* alerts read them), its pods, and the claims of its
 * volumeClaimTemplates (the kubelet's `kubelet_volume_stats_*`, as KubePersistentVolumeFillingUp
 * reads them, and kube-state-metrics' `kube_persistentvolumeclaim_status_phase`).
 */
import { MIXIN_RUNBOOKS, alertRule, displayName } from './alert-rule';
import { claimPattern } from './controllers';
import type { Rule, WorkloadTelemetry } from './model';
import { restartingPodAlerts } from './pod-alerts';
import { promqlString } from './promql';

/** Free space of a claim below which it pages: a full volume stops a database's writes. */
export const VOLUME_FREE_CRITICAL = 0.03;
/** Free space below which a claim predicted to fill up within VOLUME_FULL_IN_DAYS opens a ticket. */
export const VOLUME_FREE_WARNING = 0.15;
/** How far ahead the fill-up prediction looks, and over how much history (the mixin's 4 days and 6 hours). */
export const VOLUME_FULL_IN_DAYS = 4;
export const VOLUME_PREDICTION_WINDOW = '6h';

export function statefulSetAlerts(t: WorkloadTelemetry): Rule[] {
  const who = displayName(t);
  const set = `namespace=${promqlString(t.namespace)}, statefulset=${promqlString(t.name)}`;
  const bySet = (metric: string) => `max by (namespace, statefulset) (${metric}{${set}})`;
  const kubectl = `kubectl -n ${t.namespace}`;
  const rules: Rule[] = [];

  rules.push(alertRule(t, {
    name: 'StatefulSetUnavailable',
    expr: `${bySet('kube_statefulset_status_replicas_ready')} == 0\nand on (namespace, statefulset)\n${bySet('kube_statefulset_replicas')} > 0`,
    for: '5m',
    severity: 'critical',
    summary: `${who} has no ready replica`,
    description: `No pod of the StatefulSet ${who} has been ready for 5 minutes: the service and what stores its data through it are down. `
      + `${kubectl} describe statefulset/${t.name}; ${kubectl} get pods,pvc; ${kubectl} logs ${t.name}-0 --previous`,
    runbookUrl: `${t.runbookBaseUrl}/StatefulSetUnavailable`,
  }));

  // the mixin's KubeStatefulSetReplicasMismatch: not while an update replaces pods (a pod
  // updated within 10 minutes), since pods are replaced one at a time and each is briefly not ready
  rules.push(alertRule(t, {
    name: 'StatefulSetReplicasUnavailable',
    expr: `${bySet('kube_statefulset_replicas')}\n-\n${bySet('kube_statefulset_status_replicas_ready')}\n> 0\n`
      + `and on (namespace, statefulset)\nmax by (namespace, statefulset) (changes(kube_statefulset_status_replicas_updated{${set}}[10m])) == 0`,
    for: '15m',
    severity: 'warning',
    summary: `${who} runs fewer ready replicas than it should`,
    description: `{{ $value }} replica(s) of the StatefulSet ${who} have not been ready for 15 minutes, outside any update: a pod that does not start, waits for its volume (a claim that does not bind, a volume stuck on another node) or has no room on the nodes. `
      + `Pods start in order, so one stuck pod holds back every higher ordinal. ${kubectl} get pods,pvc; ${kubectl} describe statefulset/${t.name}`,
    runbookUrl: `${MIXIN_RUNBOOKS}/kubestatefulsetreplicasmismatch`,
  }));

  // the mixin's expression: an update revision that not every pod runs, and no pod updated for 5m
  rules.push(alertRule(t, {
    name: 'StatefulSetUpdateNotRolledOut',
    expr: `(\n  max by (namespace, statefulset) (\n    kube_statefulset_status_current_revision{${set}}\n    unless\n    kube_statefulset_status_update_revision{${set}}\n  )\n`
      + `  * on (namespace, statefulset)\n  (${bySet('kube_statefulset_replicas')} != ${bySet('kube_statefulset_status_replicas_updated')})\n)\n`
      + `and on (namespace, statefulset)\n(max by (namespace, statefulset) (changes(kube_statefulset_status_replicas_updated{${set}}[5m])) == 0)`,
    for: '15m',
    severity: 'warning',
    summary: `The update of ${who} is not rolling out`,
    description: `Pods of the StatefulSet ${who} still run the previous revision and none has been updated for 15 minutes: an updated pod does not get ready, so the ordered update (highest ordinal first) has stopped. `
      + `A StatefulSet does not roll back by itself: fix the release, or ${kubectl} rollout undo statefulset/${t.name} and delete the stuck pod. ${kubectl} rollout status statefulset/${t.name}`,
    runbookUrl: `${MIXIN_RUNBOOKS}/kubestatefulsetupdatenotrolledout`,
  }));

  rules.push(alertRule(t, {
    name: 'StatefulSetGenerationMismatch',
    expr: `${bySet('kube_statefulset_status_observed_generation')}\n!=\n${bySet('kube_statefulset_metadata_generation')}`,
    for: '15m',
    severity: 'warning',
    summary: `The StatefulSet controller has not seen the latest spec of ${who}`,
    description: `The observed generation of the StatefulSet ${who} has lagged its spec for 15 minutes: the change last applied has not been acted on (kube-controller-manager is unwell).`,
    runbookUrl: `${MIXIN_RUNBOOKS}/kubestatefulsetgenerationmismatch`,
  }));

  rules.push(...restartingPodAlerts(t), ...volumeAlerts(t));
  return rules;
}

/** Alerts on the claims of the StatefulSet's volumeClaimTemplates; none without templates. */
function volumeAlerts(t: WorkloadTelemetry): Rule[] {
  const pattern = claimPattern(t);
  if (pattern === undefined) return [];
  const who = displayName(t);
  const claims = `namespace=${promqlString(t.namespace)}, persistentvolumeclaim=~${promqlString(pattern)}`;
  const byClaim = (metric: string) => `max by (namespace, persistentvolumeclaim) (${metric}{${claims}})`;
  const free = `${byClaim('kubelet_volume_stats_available_bytes')}\n/\n${byClaim('kubelet_volume_stats_capacity_bytes')}`;
  // a volume the kubelet reports nothing used on is not mounted yet (or not measurable): the mixin's guard
  const inUse = `and on (namespace, persistentvolumeclaim)\n${byClaim('kubelet_volume_stats_used_bytes')} > 0`;
  const kubectl = `kubectl -n ${t.namespace}`;
  // volumeClaimTemplates are immutable: existing claims grow one by one, where the StorageClass allows expansion
  const grow = `Free space, or grow the claim: raise spec.resources.requests.storage with ${kubectl} edit pvc {{ $labels.persistentvolumeclaim }} (its StorageClass must allow volume expansion; the StatefulSet's volumeClaimTemplates cannot change in place).`;
  return [
    alertRule(t, {
      name: 'PersistentVolumeAlmostFull',
      expr: `(\n${free}\n) < ${VOLUME_FREE_CRITICAL}\n${inUse}`,
      for: '1m',
      severity: 'critical',
      summary: `A volume of ${who} is almost full`,
      description: `The volume of claim {{ $labels.persistentvolumeclaim }} (${who}) has only {{ $value | humanizePercentage }} free: when it is full, writes fail. ${grow}`,
      runbookUrl: `${MIXIN_RUNBOOKS}/kubepersistentvolumefillingup`,
    }),
    alertRule(t, {
      name: 'PersistentVolumeFillingUp',
      expr: `(\n${free}\n) < ${VOLUME_FREE_WARNING}\n${inUse}\n`
        + `and on (namespace, persistentvolumeclaim)\nmax by (namespace, persistentvolumeclaim) (predict_linear(kubelet_volume_stats_available_bytes{${claims}}[${VOLUME_PREDICTION_WINDOW}], ${VOLUME_FULL_IN_DAYS} * 24 * 3600)) < 0`,
      for: '1h',
      severity: 'warning',
      summary: `A volume of ${who} is filling up`,
      description: `The volume of claim {{ $labels.persistentvolumeclaim }} (${who}) has {{ $value | humanizePercentage }} free and, at the rate of the last ${VOLUME_PREDICTION_WINDOW}, fills up within ${VOLUME_FULL_IN_DAYS} days. ${grow}`,
      runbookUrl: `${MIXIN_RUNBOOKS}/kubepersistentvolumefillingup`,
    }),
    alertRule(t, {
      name: 'PersistentVolumeClaimPending',
      expr: `max by (namespace, persistentvolumeclaim) (kube_persistentvolumeclaim_status_phase{${claims}, phase="Pending"}) == 1`,
      for: '15m',
      severity: 'warning',
      summary: `A volume claim of ${who} is not bound`,
      description: `The claim {{ $labels.persistentvolumeclaim }} (${who}) has been Pending for 15 minutes, so its pod cannot start: no StorageClass of that name (storage.storageClassName), no default one, or its provisioner cannot make the volume. `
        + `${kubectl} describe pvc {{ $labels.persistentvolumeclaim }}`,
      runbookUrl: `${t.runbookBaseUrl}/PersistentVolumeClaimPending`,
    }),
  ];
}
