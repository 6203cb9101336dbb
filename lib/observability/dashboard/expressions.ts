// The PromQL of a dashboard as promtool and parsers can check it: Grafana's variables replaced.
import { DASHBOARD_TIME_RANGE } from './json-model';

/** What `$__rate_interval` stands for in `dashboardExpressions()`: 4 × a 1m scrape interval, Grafana's floor. */
export const DASHBOARD_RATE_INTERVAL = '5m';

/**
 * Every PromQL expression of a dashboard, panel by panel (rows' nested panels included), with
 * Grafana's variables replaced: `$__rate_interval` by `5m`, `$__interval` by `1m`, `$__range`
 * by the dashboard's time range (`6h`). What promtool and PromQL parsers can check.
 */
export function dashboardExpressions(dashboard: Record<string, unknown>): string[] {
  const range = /^now-(\d+[smhdwy])$/.exec(String((dashboard.time as { from?: unknown } | undefined)?.from ?? ''))?.[1] ?? DASHBOARD_TIME_RANGE;
  const out: string[] = [];
  const visit = (panels: unknown): void => {
    if (!Array.isArray(panels)) return;
    for (const p of panels as Array<{ panels?: unknown; targets?: Array<{ expr?: unknown }> }>) {
      for (const t of p.targets ?? []) {
        if (typeof t.expr === 'string') out.push(substitute(t.expr, range));
      }
      visit(p.panels);
    }
  };
  visit(dashboard.panels);
  return out;
}

function substitute(expr: string, range: string): string {
  return expr
    .replace(/\$\{__rate_interval\}|\$__rate_interval\b/g, DASHBOARD_RATE_INTERVAL)
    .replace(/\$\{__interval\}|\$__interval\b/g, '1m')
    .replace(/\$\{__range\}|\$__range\b/g, range);
}
