/**
 * Alerts on a workload's pods from kube-state-metrics: crash loops, restarts and OOM kills, by
 * what the controller does with a container that exits (restarts it in place, or lets the pod end).
 */
import { MIXIN_RUNBOOKS, alertRule, displayName } from './alert-rule';
import { podSelector } from './controllers';
import type { Rule, WorkloadTelemetry } from './model';

/** Restarts of one container in an hour above which the restarts alert fires. */
export const MAX_RESTARTS_PER_HOUR = 3;

/**
 * Crash loops, OOM kills and frequent restarts of the containers of pods that restart in place
 * (a Deployment's, a StatefulSet's). A Job's pods do not (restartPolicy Never): job-alerts.ts.
 */
export function restartingPodAlerts(t: WorkloadTelemetry): Rule[] {
  const who = displayName(t);
  const pods = podSelector(t);
  const kubectl = `kubectl -n ${t.namespace}`;
  const rules: Rule[] = [];

  rules.push(alertRule(t, {
    name: 'PodCrashLooping',
    expr: `max by (namespace, pod, container) (\n  max_over_time(kube_pod_container_status_waiting_reason{${pods}, reason="CrashLoopBackOff"}[5m])\n) >= 1`,
    for: '15m',
    severity: 'warning',
    summary: `A container of ${who} is crash looping`,
    description: `Container {{ $labels.container }} of pod {{ $labels.pod }} (${who}) has been in CrashLoopBackOff for 15 minutes: it keeps exiting soon after it starts. `
      + `Read why: ${kubectl} logs {{ $labels.pod }} -c {{ $labels.container }} --previous`,
    runbookUrl: `${MIXIN_RUNBOOKS}/kubepodcrashlooping`,
  }));

  rules.push(alertRule(t, {
    name: 'ContainerOOMKilled',
    expr: `max by (namespace, pod, container) (kube_pod_container_status_last_terminated_reason{${pods}, reason="OOMKilled"}) == 1\n`
      + `and on (namespace, pod, container)\nmax by (namespace, pod, container) (increase(kube_pod_container_status_restarts_total{${pods}}[15m])) > 0`,
    for: '1m',
    severity: 'warning',
    summary: `A container of ${who} was killed for running out of memory`,
    description: `Container {{ $labels.container }} of pod {{ $labels.pod }} (${who}) exceeded its memory limit and was OOM-killed in the last 15 minutes. `
      + 'Raise resources.limits.memory, or find the leak.',
    runbookUrl: `${t.runbookBaseUrl}/ContainerOOMKilled`,
  }));

  // round(): increase() extrapolates, so 3 restarts can read 3.05
  rules.push(alertRule(t, {
    name: 'ContainerRestartsFrequent',
    expr: `max by (namespace, pod, container) (round(increase(kube_pod_container_status_restarts_total{${pods}}[1h]))) > ${MAX_RESTARTS_PER_HOUR}`,
    for: '5m',
    severity: 'warning',
    summary: `A container of ${who} restarts often`,
    description: `Container {{ $labels.container }} of pod {{ $labels.pod }} (${who}) restarted {{ $value }} times in the last hour: crashes, OOM kills or a failing liveness probe. `
      + `${kubectl} describe pod {{ $labels.pod }}; ${kubectl} logs {{ $labels.pod }} -c {{ $labels.container }} --previous`,
    runbookUrl: `${t.runbookBaseUrl}/ContainerRestartsFrequent`,
  }));

  return rules;
}

/**
 * OOM kills of the containers of a Job's pods. They never restart (restartPolicy Never): the
 * container stays terminated with reason OOMKilled, in `kube_pod_container_status_terminated_reason`
 * (the `last_terminated` series only exist after a restart), until the pod is deleted with its
 * Job. The alert holds for the first 15 minutes of that series, so it resolves by itself while
 * the pod is kept for inspection.
 */
export function jobPodAlerts(t: WorkloadTelemetry): Rule[] {
  const who = displayName(t);
  const oom = (offset: string) => `max by (namespace, pod, container) (kube_pod_container_status_terminated_reason{${podSelector(t)}, reason="OOMKilled"}${offset})`;
  return [alertRule(t, {
    name: 'ContainerOOMKilled',
    expr: `${oom('')} == 1\nunless on (namespace, pod, container)\n${oom(' offset 15m')} == 1`,
    for: '1m',
    severity: 'warning',
    summary: `A container of ${who} was killed for running out of memory`,
    description: `Container {{ $labels.container }} of pod {{ $labels.pod }} (${who}) exceeded its memory limit and was OOM-killed in the last 15 minutes; the Job retries in a new pod until backoffLimit. `
      + 'Raise resources.limits.memory, or process the work in smaller pieces.',
    runbookUrl: `${t.runbookBaseUrl}/ContainerOOMKilled`,
  })];
}
