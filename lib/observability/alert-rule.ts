/**
 * What every alert of the library is made of: the labels that route it (`severity`, `namespace`,
 * `service` or `workload`), the annotations (`summary`, `description`, `runbook_url`,
 * `dashboard_url`), and the PromQL pieces the alert generators share.
 */
import type { Rule, WorkloadTelemetry } from './model';

export type Severity = 'critical' | 'warning' | 'info';

/** The prometheus-operator runbooks of the kubernetes-mixin alerts. */
export const MIXIN_RUNBOOKS = 'https://runbooks.prometheus-operator.dev/runbooks/kubernetes';

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

