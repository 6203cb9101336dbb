// The panels of a workload's pods, whatever controller runs them: CPU, memory and restarts of its
// main containers.
import type { PanelSpec } from './json-model';
import { resourcePanel, stat } from './panels';
import { RATE } from './queries';

// `c` selects the workload's main containers, named `container`
export function cpuPanel(c: string, container: string): PanelSpec {
  return resourcePanel('CPU', `CPU cores used by each ${container} container, against its request and limit.`, 'none', 'cores', [
    { expr: `sum by (pod) (rate(container_cpu_usage_seconds_total{${c}}[${RATE}]))`, legendFormat: '{{pod}}' },
    { expr: `max(kube_pod_container_resource_requests{${c}, resource="cpu"})`, legendFormat: 'request' },
    { expr: `max(kube_pod_container_resource_limits{${c}, resource="cpu"})`, legendFormat: 'limit' },
  ]);
}

export function memoryPanel(c: string, container: string): PanelSpec {
  return resourcePanel('Memory', `Working set of each ${container} container (what the OOM killer counts), against its request and limit.`, 'bytes', undefined, [
    { expr: `sum by (pod) (container_memory_working_set_bytes{${c}})`, legendFormat: '{{pod}}' },
    { expr: `max(kube_pod_container_resource_requests{${c}, resource="memory"})`, legendFormat: 'request' },
    { expr: `max(kube_pod_container_resource_limits{${c}, resource="memory"})`, legendFormat: 'limit' },
  ]);
}

export function restartsPanel(c: string, container: string): PanelSpec {
  return stat('Restarts', `Restarts of the ${container} containers over the dashboard's time range.`, 6, 'none', [
    { expr: `sum(increase(kube_pod_container_status_restarts_total{${c}}[$__range])) or vector(0)`, legendFormat: 'restarts' },
  ], [{ color: 'green', value: null }, { color: 'orange', value: 1 }, { color: 'red', value: 5 }], 0);
}
