/**
 * The alerts of one workload: golden signals from its request metrics (services only),
 * workload health from kube-state-metrics (services and workers) and the user's own alerts.
 *
 * Every alert carries the labels `severity` (`critical` pages, `warning` opens a ticket, `info`
 * only shows), `namespace` and `service` (`workload` for a worker), the annotations `summary`,
 * `description` and `runbook_url`, and a `for`.
 *
 * Annotations name the workload literally: `{{ $labels.x }}` only sees the labels the
 * expression returns, not the rule's own, so it is used only for `pod` and `container`.
 */
import { anyOf, promqlString } from './promql';
import { controllerOf } from './controllers';
import { restartingPodAlerts } from './pod-alerts';
import { jobAlerts } from './job-alerts';
import { statefulSetAlerts } from './stateful-alerts';
import { rolloutAlerts } from './rollout-alerts';
import { MicroserviceConfigError } from '../errors';
import type { AlertOptions, Rule, RuleGroup, WorkloadTelemetry } from './model';
import { MIXIN_RUNBOOKS, alertRule, displayName, sumOf, workloadPath } from './alert-rule';

// the building blocks, where they were first exported from
export { MIXIN_RUNBOOKS, alertRule, displayName, ownerLabels, sumOf, workloadPath } from './alert-rule';
export type { AlertSpec, Severity } from './alert-rule';
export { MAX_RESTARTS_PER_HOUR } from './pod-alerts';

/** Errors above this share of requests (over 5m) are an incident. */
export const ERROR_RATIO_THRESHOLD = 0.05;
/** Requests per second below which error ratio and latency alerts stay quiet: a handful of requests is no statistic. */
export const MIN_REQUEST_RATE = 1;
/** Requests per second a service must have averaged an hour ago for "traffic stopped" to mean something. */
export const TRAFFIC_STOPPED_MIN_RATE = 0.1;
/** The latency alert's threshold when the service has no latency SLO. */
export const DEFAULT_LATENCY_THRESHOLD = { text: '1s', seconds: 1 } as const;

// ---- golden signals ---------------------------------------------------------------------------

/** Error ratio, latency and traffic alerts from a service's request metrics; none without them. */
export function goldenSignalAlerts(t: WorkloadTelemetry): Rule[] {
  const q = t.queries;
  if (t.kind !== 'service' || !q) return [];
  const who = displayName(t);
  const rate5m = sumOf(q.requestRate('5m'));
  const enoughTraffic = `and on ()\n${rate5m} >= ${MIN_REQUEST_RATE}`;
  const rules: Rule[] = [];

  // With an availability SLO its burn-rate alert pages (5% errors is a 50x burn of 99.9%), so
  // this one only opens a ticket; without an SLO it is the only page for failing requests.
  const hasAvailabilitySlo = t.slo?.availability !== undefined;
  rules.push(alertRule(t, {
    name: 'ServiceErrorRatioHigh',
    expr: `(${sumOf(q.errorRate('5m'))} or vector(0))\n/\n${rate5m}\n> ${ERROR_RATIO_THRESHOLD}\n${enoughTraffic}`,
    for: '5m',
    severity: hasAvailabilitySlo ? 'warning' : 'critical',
    summary: `${who} fails more than ${ERROR_RATIO_THRESHOLD * 100}% of its requests`,
    description: `{{ $value | humanizePercentage }} of the requests to ${who} have failed over the last 5 minutes (more than ${ERROR_RATIO_THRESHOLD * 100}% for 5 minutes, at ${MIN_REQUEST_RATE} request/s or more). `
      + `Check its logs and what changed last: ${controllerOf(t) === 'Rollout' ? `kubectl argo rollouts -n ${t.namespace} get rollout ${t.name}` : `kubectl -n ${t.namespace} rollout history deployment/${t.name}`}`,
    runbookUrl: `${t.runbookBaseUrl}/ServiceErrorRatioHigh`,
  }));

  if (q.latencyQuantile) {
    const l = t.slo?.latency;
    const percentile = l?.percentile ?? 99;
    const threshold = l ? { text: l.threshold, seconds: l.thresholdSeconds } : DEFAULT_LATENCY_THRESHOLD;
    rules.push(alertRule(t, {
      name: 'ServiceLatencyHigh',
      expr: `${q.latencyQuantile(Number((percentile / 100).toPrecision(12)), '5m')}\n> ${threshold.seconds}\n${enoughTraffic}`,
      for: '10m',
      severity: 'warning',
      summary: `The p${percentile} latency of ${who} is above ${threshold.text}`,
      description: `The ${percentile}th percentile of request latency of ${who} has been above ${threshold.text} for 10 minutes: {{ $value | humanizeDuration }} over the last 5 minutes.`
        + (l ? ` Its latency SLO (${percentile}% within ${l.threshold}) is being spent.` : ''),
      runbookUrl: `${t.runbookBaseUrl}/ServiceLatencyHigh`,
    }));
  }

  // `offset` only applies to a selector or a subquery, and a custom rate is any expression: the
  // subquery takes the hour-ago average. `or vector(0)`: when every series is gone (no pod
  // reports), "now" is 0, not "no data". The alert resolves by itself once the hour-ago window
  // has no traffic either; a service that is down stays covered by DeploymentUnavailable.
  rules.push(alertRule(t, {
    name: 'ServiceTrafficStopped',
    expr: `avg_over_time((${rate5m})[30m:5m] offset 1h) >= ${TRAFFIC_STOPPED_MIN_RATE}\nand on ()\n(${rate5m} or vector(0)) == 0`,
    for: '10m',
    severity: 'warning',
    summary: `${who} receives no requests any more`,
    description: `${who} has received no request for 15 minutes, after {{ $value | humanize }} request/s an hour ago. `
      + 'Check its callers, the Ingress and the network policy, and that the Service still selects ready pods.',
    runbookUrl: `${t.runbookBaseUrl}/ServiceTrafficStopped`,
  }));
  return rules;
}

// ---- workload health --------------------------------------------------------------------------

/**
 * Alerts on the controller of a workload's pods and on the pods, from kube-state-metrics (and,
 * for a StatefulSet's claims, the kubelet's volume stats): a Deployment and its autoscaler here,
 * a StatefulSet in stateful-alerts.ts, Jobs (of a Job, CronJob or KEDA ScaledJob) in job-alerts.ts.
 */
export function workloadHealthAlerts(t: WorkloadTelemetry): Rule[] {
  switch (controllerOf(t)) {
    case 'StatefulSet': return statefulSetAlerts(t);
    case 'Job': case 'CronJob': case 'ScaledJob': return jobAlerts(t);
    case 'Rollout': return [...rolloutAlerts(t), ...autoscalerAlerts(t)];
    default: return deploymentAlerts(t);
  }
}

/** Alerts on the Deployment, its pods and its autoscaler, from kube-state-metrics. */
function deploymentAlerts(t: WorkloadTelemetry): Rule[] {
  const who = displayName(t);
  const ns = `namespace=${promqlString(t.namespace)}`;
  // a canary's Deployment and pods too, each its own alert: the Deployment in the alert's labels
  const deployments = [t.name, ...(t.tracks ?? [])];
  const deployment = `${ns}, ${anyOf('deployment', deployments)}`;
  const byDeployment = (metric: string) => `max by (namespace, deployment) (${metric}{${deployment}})`;
  const kubectl = `kubectl -n ${t.namespace}`;
  // what the Deployment alerts name: the one that fires, when there are several
  const name = deployments.length > 1 ? '{{ $labels.deployment }}' : t.name;
  const whose = deployments.length > 1 ? `${t.namespace}/${name}` : who;
  const rules: Rule[] = [];

  rules.push(alertRule(t, {
    name: 'DeploymentUnavailable',
    expr: `${byDeployment('kube_deployment_status_replicas_available')} == 0\nand on (namespace, deployment)\n${byDeployment('kube_deployment_spec_replicas')} > 0`,
    for: '5m',
    severity: 'critical',
    summary: `${whose} has no available replica`,
    description: `No pod of ${whose} has been available for 5 minutes: the ${t.kind} is down. `
      + `See why the pods are not ready: ${kubectl} describe deployment/${name}; ${kubectl} get pods; and roll back a bad release: ${kubectl} rollout undo deployment/${name}`,
    runbookUrl: `${t.runbookBaseUrl}/DeploymentUnavailable`,
  }));

  // not during a rollout: the mixin's guard (no replica updated for 10m)
  rules.push(alertRule(t, {
    name: 'DeploymentReplicasUnavailable',
    expr: `${byDeployment('kube_deployment_spec_replicas')}\n-\n${byDeployment('kube_deployment_status_replicas_available')}\n> 0\n`
      + `and on (namespace, deployment)\nmax by (namespace, deployment) (changes(kube_deployment_status_replicas_updated{${deployment}}[10m])) == 0`,
    for: '15m',
    severity: 'warning',
    summary: `${whose} runs fewer replicas than it should`,
    description: `{{ $value }} replica(s) of ${whose} have been unavailable for 15 minutes, outside any rollout: pods that do not get ready, are pending (no room on the nodes) or are evicted. `
      + `${kubectl} get pods; ${kubectl} describe deployment/${name}`,
    runbookUrl: `${MIXIN_RUNBOOKS}/kubedeploymentreplicasmismatch`,
  }));

  rules.push(alertRule(t, {
    name: 'DeploymentRolloutStuck',
    expr: `max by (namespace, deployment) (kube_deployment_status_condition{${deployment}, condition="Progressing", status="false"}) == 1`,
    for: '5m',
    severity: 'warning',
    summary: `The rollout of ${whose} is stuck`,
    description: `The Deployment ${whose} has not progressed within its progress deadline: new pods do not get ready (image pull, crash, failing readiness probe, no room on the nodes). `
      + `${kubectl} rollout status deployment/${name}; roll back with ${kubectl} rollout undo deployment/${name}`,
    runbookUrl: `${t.runbookBaseUrl}/DeploymentRolloutStuck`,
  }));

  rules.push(alertRule(t, {
    name: 'DeploymentGenerationMismatch',
    expr: `${byDeployment('kube_deployment_status_observed_generation')}\n!=\n${byDeployment('kube_deployment_metadata_generation')}`,
    for: '15m',
    severity: 'warning',
    summary: `The Deployment controller has not seen the latest spec of ${whose}`,
    description: `The observed generation of ${whose} has lagged its spec for 15 minutes: the change last applied has not been rolled out (the rollout is paused, or kube-controller-manager is unwell).`,
    runbookUrl: `${MIXIN_RUNBOOKS}/kubedeploymentgenerationmismatch`,
  }));

  rules.push(...restartingPodAlerts(t), ...autoscalerAlerts(t));
  return rules;
}

/**
 * The workload's HorizontalPodAutoscaler pinned at its maximum. The bounds come from
 * kube-state-metrics, not from the code: changing them changes no rule. An autoscaler with
 * min = max is always "at max": the expression leaves it out.
 */
function autoscalerAlerts(t: WorkloadTelemetry): Rule[] {
  const who = displayName(t);
  const rules: Rule[] = [];
  if (t.autoscaling) {
    const hpa = `namespace=${promqlString(t.namespace)}, horizontalpodautoscaler=${promqlString(t.name)}`;
    const byHpa = (metric: string) => `max by (namespace, horizontalpodautoscaler) (${metric}{${hpa}})`;
    rules.push(alertRule(t, {
      name: 'AutoscalerAtMaxReplicas',
      expr: `${byHpa('kube_horizontalpodautoscaler_status_current_replicas')}\n==\n${byHpa('kube_horizontalpodautoscaler_spec_max_replicas')}\n`
        + `and on (namespace, horizontalpodautoscaler)\n${byHpa('kube_horizontalpodautoscaler_spec_max_replicas')}\n>\n${byHpa('kube_horizontalpodautoscaler_spec_min_replicas')}`,
      for: '15m',
      severity: 'warning',
      summary: `${who} has run at its maximum of {{ $value }} replicas for 15 minutes`,
      description: `The autoscaler of ${who} has been pinned at autoscaling.maxReplicas ({{ $value }}) for 15 minutes: more load cannot be absorbed. `
        + 'Raise maxReplicas (and check the namespace quota and node capacity), or find out why each replica handles less than it used to.',
      runbookUrl: `${MIXIN_RUNBOOKS}/kubehpamaxedout`,
    }));
  }
  return rules;
}

// ---- the user's own ---------------------------------------------------------------------------

/** The user's alerts with the library's defaults and labels. */
export function customAlertRules(t: WorkloadTelemetry): Rule[] {
  return t.customAlerts.map((a: AlertOptions) => alertRule(t, {
    name: a.name,
    expr: a.expr,
    for: a.for ?? '5m',
    severity: a.severity ?? 'warning',
    summary: a.summary,
    description: a.description ?? a.summary,
    runbookUrl: a.runbookUrl ?? `${t.runbookBaseUrl}/${a.name}`,
  }));
}

/**
 * The alert group of a workload, `<app>.<name>.alerts`: golden signals (services with request
 * metrics), workload health, then the user's alerts. Fails when a user alert takes the name of
 * one of the library's.
 */
export function serviceAlertGroups(t: WorkloadTelemetry): RuleGroup[] {
  const library = [...goldenSignalAlerts(t), ...workloadHealthAlerts(t)];
  const custom = customAlertRules(t);
  const taken = new Set(library.map(r => r.alert));
  for (const r of custom) {
    if (taken.has(r.alert)) {
      throw new MicroserviceConfigError(workloadPath(t), `addAlert('${r.alert}'): the library already makes an alert of that name for this ${t.kind}: choose another name`);
    }
    taken.add(r.alert);
  }
  return [{ name: `${t.app}.${t.name}.alerts`, rules: [...library, ...custom] }];
}
