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
import { anyOf, podNamePattern, promqlString } from './promql';
import { MicroserviceConfigError } from '../errors';
import type { AlertOptions, Rule, RuleGroup, WorkloadTelemetry } from './model';

export type Severity = 'critical' | 'warning' | 'info';

/** Errors above this share of requests (over 5m) are an incident. */
export const ERROR_RATIO_THRESHOLD = 0.05;
/** Requests per second below which error ratio and latency alerts stay quiet: a handful of requests is no statistic. */
export const MIN_REQUEST_RATE = 1;
/** Requests per second a service must have averaged an hour ago for "traffic stopped" to mean something. */
export const TRAFFIC_STOPPED_MIN_RATE = 0.1;
/** The latency alert's threshold when the service has no latency SLO. */
export const DEFAULT_LATENCY_THRESHOLD = { text: '1s', seconds: 1 } as const;
/** Restarts of one container in an hour above which the restarts alert fires. */
export const MAX_RESTARTS_PER_HOUR = 3;

/** The prometheus-operator runbooks of the kubernetes-mixin alerts. */
const MIXIN_RUNBOOKS = 'https://runbooks.prometheus-operator.dev/runbooks/kubernetes';

// ---- building blocks shared with slo.ts -------------------------------------------------------

/** The construct path of a workload, for error messages: `shop/catalog`. */
export function workloadPath(t: WorkloadTelemetry): string {
  return `${t.app}/${t.name}`;
}

/** The workload as people on call know it: `shop/catalog` (namespace/name). */
export function displayName(t: WorkloadTelemetry): string {
  return `${t.namespace}/${t.name}`;
}

/** `namespace` and `service` (or `workload` for a worker): the labels that route an alert to its owner. */
export function ownerLabels(t: WorkloadTelemetry): Record<string, string> {
  return { namespace: t.namespace, [t.kind === 'service' ? 'service' : 'workload']: t.name };
}


/**
 * `expr` as one series without labels: as is when it already is a plain `sum(...)`, else
 * wrapped in one, so that `/`, `or vector(0)` and `and on ()` match whatever a custom source returns.
 */
export function sumOf(expr: string): string {
  const e = expr.trim();
  if (!e.startsWith('sum(')) return `sum(${e})`;
  let depth = 0;
  let quote: string | undefined;
  for (let i = 3; i < e.length; i++) {
    const c = e[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'" || c === '`') {
      quote = c;
    } else if (c === '(') {
      depth++;
    } else if (c === ')' && --depth === 0) {
      return i === e.length - 1 ? e : `sum(${e})`;
    }
  }
  return `sum(${e})`;
}

/** The safe alphabet of the pod-template-hash and of generated name suffixes (k8s.io/apimachinery rand). */


/** What an alert says, before the common labels are added. */
export interface AlertSpec {
  readonly name: string;
  readonly expr: string;
  readonly for: string;
  readonly severity: Severity;
  readonly summary: string;
  readonly description: string;
  readonly runbookUrl: string;
  /** Labels beyond severity, namespace and service/workload. */
  readonly extraLabels?: Record<string, string>;
}

/** An alerting rule with the labels and annotations every alert of the library carries. */
export function alertRule(t: WorkloadTelemetry, a: AlertSpec): Rule {
  return {
    alert: a.name,
    expr: a.expr,
    for: a.for,
    labels: { severity: a.severity, ...ownerLabels(t), ...a.extraLabels },
    annotations: {
      summary: a.summary, description: a.description, runbook_url: a.runbookUrl,
      // where on-call sees the workload's signals and SLOs: the first click after the page
      ...(t.dashboardUrl ? { dashboard_url: t.dashboardUrl } : {}),
    },
  };
}

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
      + `Check its logs and what changed last: kubectl -n ${t.namespace} rollout history deployment/${t.name}`,
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

/** Alerts on the Deployment, its pods and its autoscaler, from kube-state-metrics. */
export function workloadHealthAlerts(t: WorkloadTelemetry): Rule[] {
  // these watch a Deployment: a worker whose pods are Jobs has none (and its pods end by design)
  // the kube-state-metrics series below are the Deployment's; other controllers have none of these yet
  if ((t.controller ?? 'Deployment') !== 'Deployment') return [];
  const who = displayName(t);
  const ns = `namespace=${promqlString(t.namespace)}`;
  // a canary's Deployment and pods too, each its own alert: the Deployment in the alert's labels
  const deployments = [t.name, ...(t.tracks ?? [])];
  const pods = `${ns}, pod=~${promqlString(podNamePattern(...deployments))}`;
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

  // an autoscaler with min = max is always "at max": nothing to say then
  const a = t.autoscaling;
  if (a && a.maxReplicas > a.minReplicas) {
    const hpa = `${ns}, horizontalpodautoscaler=${promqlString(t.name)}`;
    rules.push(alertRule(t, {
      name: 'AutoscalerAtMaxReplicas',
      expr: `max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_status_current_replicas{${hpa}})\n`
        + `==\nmax by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_spec_max_replicas{${hpa}})`,
      for: '15m',
      severity: 'warning',
      summary: `${who} has run at its maximum of ${a.maxReplicas} replicas for 15 minutes`,
      description: `The autoscaler of ${who} has been pinned at autoscaling.maxReplicas (${a.maxReplicas}) for 15 minutes: more load cannot be absorbed. `
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
