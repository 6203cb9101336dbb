/**
 * Which kube-state-metrics and kubelet series belong to a workload, by the controller that runs
 * its pods. Names are all Prometheus has to go on (kube-state-metrics exposes no pod labels by
 * default), so each pattern matches exactly the names that controller gives:
 *
 * - Deployment: pods `<name>-<pod-template-hash>-<5 chars>`;
 * - StatefulSet: pods `<name>-<ordinal>`, claims `<template>-<name>-<ordinal>`;
 * - Job (a BatchJob without schedule): the Job `<name>-<10 hex>` (the content hash of
 *   ContentNamedJob), its pods `<job>-<5 chars>`;
 * - CronJob: Jobs `<name>-<scheduled time in minutes>` owned by the CronJob (`kube_job_owner`),
 *   pods `<job>-<5 chars>`;
 * - ScaledJob (KEDA, a ScaledWorker in `mode: 'job'`): Jobs `<name>-<5 chars>` (generateName)
 *   owned by the ScaledJob, pods `<job>-<5 chars>`;
 * - Rollout (Argo Rollouts, a service's `progressiveDelivery`): ReplicaSets `<name>-<hash>` owned
 *   by the Rollout (`kube_replicaset_owner`), pods `<replicaset>-<5 chars>` as a Deployment's.
 *
 * The suffix alphabet has no vowels and no `-`, so the pods of a workload `<name>-migrate` never
 * match the patterns of `<name>`.
 */
import type { WorkloadTelemetry } from './model';
import { SAFE_CHAR, podNamePattern, promqlString, regexLiteral } from './promql';

/** The controllers whose pods end (Jobs): no crash loop, no restarts, a run that succeeds or fails. */
export type JobController = 'Job' | 'CronJob' | 'ScaledJob';

export function controllerOf(t: WorkloadTelemetry): NonNullable<WorkloadTelemetry['controller']> {
  return t.controller ?? 'Deployment';
}

export function isJobController(t: WorkloadTelemetry): boolean {
  const c = controllerOf(t);
  return c === 'Job' || c === 'CronJob' || c === 'ScaledJob';
}

/** The Job names a one-off BatchJob gets: its id and 10 hex digits of its content hash. */
export function oneOffJobPattern(name: string): string {
  return `${regexLiteral(name)}-[0-9a-f]{10}`;
}

/** A regular expression matching exactly the names of the workload's pods. */
export function workloadPodPattern(t: WorkloadTelemetry): string {
  const name = regexLiteral(t.name);
  switch (controllerOf(t)) {
    case 'StatefulSet': return `${name}-[0-9]+`;
    case 'Job': return `${oneOffJobPattern(t.name)}-${SAFE_CHAR}{5}`;
    case 'CronJob': return `${name}-[0-9]+-${SAFE_CHAR}{5}`;
    case 'ScaledJob': return `${name}-${SAFE_CHAR}{5}-${SAFE_CHAR}{5}`;
    default: return podNamePattern(t.name, ...(t.tracks ?? []));
  }
}

/** `namespace="shop", pod=~"..."`: the workload's pods, as kube-state-metrics and cAdvisor label them. */
export function podSelector(t: WorkloadTelemetry): string {
  return `namespace=${promqlString(t.namespace)}, pod=~${promqlString(workloadPodPattern(t))}`;
}

/**
 * The series of kube-state-metrics' `kube_job_*` metric `metric` (with extra matchers `extra`,
 * such as `condition="true"`) that belong to the workload's Jobs: by name for a one-off Job, by
 * owner (`kube_job_owner`) for the Jobs a CronJob or ScaledJob makes. Each series keeps its
 * `namespace` and `job_name` labels.
 */
export function workloadJobs(t: WorkloadTelemetry, metric: string, extra = ''): string {
  const ns = `namespace=${promqlString(t.namespace)}`;
  const more = extra ? `, ${extra}` : '';
  const c = controllerOf(t);
  if (c === 'Job') return `${metric}{${ns}, job_name=~${promqlString(oneOffJobPattern(t.name))}${more}}`;
  if (c !== 'CronJob' && c !== 'ScaledJob') throw new Error(`workloadJobs: ${t.app}/${t.name} runs no Jobs (${c})`);
  return `(${metric}{${ns}${more}} and on (namespace, job_name) kube_job_owner{${ns}, owner_kind="${c}", owner_name=${promqlString(t.name)}})`;
}

/**
 * `metric` (kube-state-metrics' `kube_replicaset_*`) of the ReplicaSets the Argo Rollouts Rollout
 * `t.name` owns, stable and canary: each series keeps `namespace` and `replicaset`. `wrap` puts
 * the selector in a function (`changes(...[10m])`) before the owner filter.
 */
export function rolloutReplicaSets(t: WorkloadTelemetry, metric: string, wrap = (selector: string) => selector): string {
  const ns = `namespace=${promqlString(t.namespace)}`;
  return `${wrap(`${metric}{${ns}}`)} and on (namespace, replicaset) kube_replicaset_owner{${ns}, owner_kind="Rollout", owner_name=${promqlString(t.name)}}`;
}

/** The claims of a StatefulSet's volumeClaimTemplates: `<template>-<name>-<ordinal>`. */
export function claimPattern(t: WorkloadTelemetry): string | undefined {
  const templates = t.claimTemplates ?? [];
  if (templates.length === 0) return undefined;
  const template = templates.length === 1 ? regexLiteral(templates[0]) : `(?:${templates.map(regexLiteral).join('|')})`;
  return `${template}-${regexLiteral(t.name)}-[0-9]+`;
}
