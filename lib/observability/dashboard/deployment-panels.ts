// The replicas of a Deployment: against its spec's count, or its autoscaler's desired count and
// bounds (a StatefulSet's replicas panel is in statefulset-panels.ts). Every count is read from
// kube-state-metrics, none written into the panel: scaling a workload changes no dashboard.
import { controllerOf } from '../controllers';
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
  const available = { expr: `max(kube_deployment_status_replicas_available{${deployment}})`, legendFormat: 'available' };
  if (w.autoscaling) {
    const spec = timeseries('Replicas', "Available pods against the autoscaler's desired count and its bounds.", 6, 'none', [
      available,
      { expr: `max(kube_horizontalpodautoscaler_status_desired_replicas{${hpa}})`, legendFormat: 'desired' },
      { expr: `max(kube_horizontalpodautoscaler_spec_min_replicas{${hpa}})`, legendFormat: 'min' },
      { expr: `max(kube_horizontalpodautoscaler_spec_max_replicas{${hpa}})`, legendFormat: 'max' },
    ]);
    return withOverrides(spec, [dashed('min', 'blue'), dashed('max', 'red')]);
  }
  return deploymentReplicasPanel(deployment);
}

// `deployment` selects the Deployment's kube-state-metrics series
export function deploymentReplicasPanel(deployment: string): PanelSpec {
  const spec = timeseries('Replicas', "Available pods against the Deployment's replicas.", 6, 'none', [
    { expr: `max(kube_deployment_status_replicas_available{${deployment}})`, legendFormat: 'available' },
    { expr: `max(kube_deployment_spec_replicas{${deployment}})`, legendFormat: 'desired' },
  ]);
  return withOverrides(spec, [dashed('desired', 'blue')]);
}
