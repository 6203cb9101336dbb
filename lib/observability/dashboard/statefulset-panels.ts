// The panels of a StatefulSet: its ready and updated replicas, and its volumes' use.
import { claimPattern } from '../controllers';
import type { WorkloadTelemetry } from '../model';
import { VOLUME_FREE_CRITICAL, VOLUME_FREE_WARNING } from '../stateful-alerts';
import type { PanelSpec } from './json-model';
import { dashed, timeseries, withOverrides } from './panels';
import { round, str } from './queries';

// `set` selects the StatefulSet's kube-state-metrics series
export function statefulSetReplicasPanel(set: string): PanelSpec {
  const spec = timeseries('Replicas', "Ready pods against the StatefulSet's replicas; during an update, the pods already on the new revision.", 6, 'none', [
    { expr: `max(kube_statefulset_status_replicas_ready{${set}})`, legendFormat: 'ready' },
    { expr: `max(kube_statefulset_status_replicas_updated{${set}})`, legendFormat: 'updated' },
    { expr: `max(kube_statefulset_replicas{${set}})`, legendFormat: 'desired' },
  ]);
  return withOverrides(spec, [dashed('desired', 'blue')]);
}

/** Each claim's used share and bytes, against the alerts' thresholds and the capacity. */
export function volumePanels(w: WorkloadTelemetry): PanelSpec[] {
  const claims = `namespace=${str(w.namespace)}, persistentvolumeclaim=~${str(claimPattern(w)!)}`;
  const byClaim = (metric: string) => `max by (persistentvolumeclaim) (${metric}{${claims}})`;
  const used = timeseries('Volume used', `Share of each claim's volume in use; PersistentVolumeAlmostFull pages at ${round((1 - VOLUME_FREE_CRITICAL) * 100)}%.`, 12, 'percentunit', [
    { expr: `${byClaim('kubelet_volume_stats_used_bytes')}\n/\n${byClaim('kubelet_volume_stats_capacity_bytes')}`, legendFormat: '{{persistentvolumeclaim}}' },
  ]);
  const defaults = (used.body.fieldConfig as { defaults: Record<string, any> }).defaults;
  defaults.max = 1;
  defaults.custom.thresholdsStyle = { mode: 'line' };
  defaults.thresholds.steps = [{ color: 'green', value: null }, { color: 'orange', value: round(1 - VOLUME_FREE_WARNING) }, { color: 'red', value: round(1 - VOLUME_FREE_CRITICAL) }];
  const bytes = timeseries('Volume bytes', 'Bytes used on each claim\'s volume, and its capacity.', 12, 'bytes', [
    { expr: byClaim('kubelet_volume_stats_used_bytes'), legendFormat: '{{persistentvolumeclaim}}' },
    { expr: `max(kubelet_volume_stats_capacity_bytes{${claims}})`, legendFormat: 'capacity' },
  ]);
  return [used, withOverrides(bytes, [dashed('capacity', 'red')])];
}
