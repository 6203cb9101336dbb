// The replicas of a Deployment: against its spec's count, or its autoscaler's desired count and
// bounds (a StatefulSet's replicas panel is in statefulset-panels.ts). Every count is read from
// kube-state-metrics, none written into the panel: scaling a workload changes no dashboard.
import { controllerOf, rolloutReplicaSets } from '../controllers';
import type { WorkloadTelemetry } from '../model';
import type { PanelSpec } from './json-model';
import { dashed, timeseries, withOverrides } from './panels';
import { str } from './queries';
import { statefulSetReplicasPanel } from './statefulset-panels';

export function replicasPanel(w: WorkloadTelemetry): PanelSpec {
  if (controllerOf(w) === 'StatefulSet') {
    return statefulSetReplicasPanel(`namespace=${str(w.namespace)}, statefulset=${str(w.name)}`);
  }
  const deployment = `namespace=${str(w.namespace)}, deployment=${str(w.name)}`;
  const hpa = `namespace=${str(w.namespace)}, horizontalpodautoscaler=${str(w.name)}`;
  // a Rollout's pods are those of the ReplicaSets it owns (stable and canary): its Deployment has none
  const rollout = controllerOf(w) === 'Rollout';
  const available = rollout
    ? { expr: `sum(${rolloutReplicaSets(w, 'kube_replicaset_status_ready_replicas')})`, legendFormat: 'ready' }
    : { expr: `max(kube_deployment_status_replicas_available{${deployment}})`, legendFormat: 'available' };
  if (w.autoscaling) {
    const spec = timeseries('Replicas', `${rollout ? 'Ready pods of the Rollout (stable and canary)' : 'Available pods'} against the autoscaler's desired count and its bounds.`, 6, 'none', [
      available,
      { expr: `max(kube_horizontalpodautoscaler_status_desired_replicas{${hpa}})`, legendFormat: 'desired' },
      { expr: `max(kube_horizontalpodautoscaler_spec_min_replicas{${hpa}})`, legendFormat: 'min' },
      { expr: `max(kube_horizontalpodautoscaler_spec_max_replicas{${hpa}})`, legendFormat: 'max' },
    ]);
    return withOverrides(spec, [dashed('min', 'blue'), dashed('max', 'red')]);
  }
  if (rollout) return rolloutReplicasPanel(`namespace=${str(w.namespace)}`, str(w.name));
  return deploymentReplicasPanel(deployment);
}

/**
 * Ready pods of the ReplicaSets a Rollout owns (stable and canary) against their sizes: `ns` the
 * namespace matcher, `name` the Rollout's name as a PromQL string (`"checkout"`, `"$rollout"`).
 */
export function rolloutReplicasPanel(ns: string, name: string): PanelSpec {
  const owned = (metric: string) => `sum(${metric}{${ns}} and on (namespace, replicaset) kube_replicaset_owner{${ns}, owner_kind="Rollout", owner_name=${name}})`;
  const spec = timeseries('Replicas', `Ready pods of the Rollout's ReplicaSets (stable and canary) against the pods they should run: more during a release, the canary beside the stable.`, 6, 'none', [
    { expr: owned('kube_replicaset_status_ready_replicas'), legendFormat: 'ready' },
    { expr: owned('kube_replicaset_spec_replicas'), legendFormat: 'desired' },
  ]);
  return withOverrides(spec, [dashed('desired', 'blue')]);
}

// `deployment` selects the Deployment's kube-state-metrics series
export function deploymentReplicasPanel(deployment: string): PanelSpec {
  const spec = timeseries('Replicas', "Available pods against the Deployment's replicas.", 6, 'none', [
    { expr: `max(kube_deployment_status_replicas_available{${deployment}})`, legendFormat: 'available' },
    { expr: `max(kube_deployment_spec_replicas{${deployment}})`, legendFormat: 'desired' },
  ]);
  return withOverrides(spec, [dashed('desired', 'blue')]);
}
