// PromQL pieces the panels share: the rate window, the error ratio, the main container's
// selector, string literals and rounding.
import { podSelector } from '../controllers';
import type { RequestQueries } from '../metrics-source';
import type { WorkloadTelemetry } from '../model';
import { promqlString } from '../promql';

export const RATE = '$__rate_interval';

/** Failed / all requests; no failing series at all means a ratio of 0, not "no data". */
export function errorRatio(q: RequestQueries, window: string): string {
  return `(${group(q.errorRate(window))} or vector(0)) / ${group(q.requestRate(window))}`;
}

/**
 * An operand safe next to any binary operator: a lone function call or aggregation
 * (`sum(rate(x[5m]))`) as it is, anything else in parentheses (custom sources' PromQL).
 */
export function group(expr: string): string {
  const e = expr.trim();
  const call = /^[A-Za-z_][A-Za-z0-9_]*(\s+(by|without)\s*\([^()"]*\))?\s*\(/.exec(e);
  if (call && closingParen(e, call[0].length - 1) === e.length - 1) return e;
  return `(${e})`;
}

/** The index of the parenthesis closing the one at `open`, skipping string literals; -1 when unbalanced. */
function closingParen(e: string, open: number): number {
  let depth = 0;
  for (let i = open; i < e.length; i++) {
    const ch = e[i];
    if (ch === '"' || ch === "'" || ch === '`') {
      const quote = ch;
      for (i++; i < e.length && e[i] !== quote; i++) if (e[i] === '\\' && quote !== '`') i++;
      continue;
    }
    if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i;
  }
  return -1;
}

/** The workload's main container in its pods (named as its controller names them, see controllers.ts). */
export function containerSelector(w: WorkloadTelemetry): string {
  return `${podSelector(w)}, container=${str(w.container)}`;
}

export const str = promqlString;

export function round(n: number): number {
  return Number(n.toPrecision(12));
}
