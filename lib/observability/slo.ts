/**
 * SLOs: validation of the user's objectives, recording rules of the SLI error ratio and the
 * multi-window, multi-burn-rate alerts of the Google SRE workbook ("Alerting on SLOs", table 5-8).
 *
 * For an objective with error budget `b` (0.001 for 99.9%), an error ratio `r` over a window
 * burns the budget at `r / b` times the sustainable rate. Each alert needs a long window (is it
 * significant?) and a short one, 1/12 of it (is it still happening?), so it fires fast and
 * resets fast once the problem is fixed:
 *
 * | severity | burn rate | long, short | budget spent when it fires (30d window) |
 * |----------|-----------|-------------|-----------------------------------------|
 * | critical | 14.4      | 1h, 5m      | 2% in an hour                           |
 * | critical | 6         | 6h, 30m     | 5% in six hours                         |
 * | warning  | 3         | 1d, 2h      | 10% in a day                            |
 * | warning  | 1         | 3d, 6h      | 10% in three days                       |
 */
import { PROMETHEUS_DURATION } from '../durations';
import { MicroserviceConfigError, show } from '../errors';
import type { RequestQueries } from './metrics-source';
import type { ResolvedSlo, Rule, RuleGroup, SloOptions, WorkloadTelemetry } from './model';
import { alertRule, sumOf, workloadPath } from './alert-rule';
import { promqlString } from './promql';

/** The windows of the SLI error ratio recording rules, shortest first. */
export const SLI_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;

/** One burn-rate condition: the error ratio over both windows exceeds `factor` times the budget. */
export interface BurnRateCondition {
  readonly factor: number;
  readonly long: (typeof SLI_WINDOWS)[number];
  readonly short: (typeof SLI_WINDOWS)[number];
}

/** The page (critical) and ticket (warning) alerts, each of two conditions joined by `or`. */
export const BURN_RATE_ALERTS: ReadonlyArray<{ readonly speed: 'Fast' | 'Slow'; readonly severity: 'critical' | 'warning'; readonly for: string; readonly conditions: readonly BurnRateCondition[] }> = [
  { speed: 'Fast', severity: 'critical', for: '2m', conditions: [{ factor: 14.4, long: '1h', short: '5m' }, { factor: 6, long: '6h', short: '30m' }] },
  { speed: 'Slow', severity: 'warning', for: '15m', conditions: [{ factor: 3, long: '1d', short: '2h' }, { factor: 1, long: '3d', short: '6h' }] },
];

/** The alert when the SLI has no series at all (the burn-rate alerts are blind then). */
export const SLI_ABSENT_ALERT = 'SLIMetricsAbsent';
/** How long the SLI must be absent before that alert fires. */
export const SLI_ABSENT_FOR = '15m';

/** The shortest SLO window: the slow ticket alert already looks back 3d. */
const MIN_WINDOW_SECONDS = 7 * 86400;
const DEFAULT_WINDOW = '30d';
const DEFAULT_PERCENTILE = 99;

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 7 * 86400, y: 365 * 86400 };

/** Seconds in a Prometheus duration (`30d`, `1h30m`), or undefined when it is not one. */
export function durationSeconds(d: string): number | undefined {
  if (typeof d !== 'string' || !PROMETHEUS_DURATION.test(d)) return undefined;
  let total = 0;
  for (const m of d.matchAll(/([0-9]+)(ms|s|m|h|d|w|y)/g)) total += Number(m[1]) * UNIT_SECONDS[m[2]];
  return total;
}

/** A latency threshold (`300ms`, `1s`, `1.5s`) in seconds, or undefined when it is not one. */
function thresholdSeconds(t: unknown): number | undefined {
  const m = typeof t === 'string' ? /^([0-9]+(?:\.[0-9]+)?)(ms|s|m)$/.exec(t) : null;
  if (!m) return undefined;
  const seconds = round(Number(m[1]) * UNIT_SECONDS[m[2]]);
  return seconds > 0 ? seconds : undefined;
}

/** A number without floating-point noise: `100 - 99.9` is 0.1, not 0.09999999999999432. */
export function round(x: number): number {
  return Number(x.toPrecision(12));
}

/** Seconds as a latency the user would write: `250ms`, `1s`, `2.5s`. */
export function formatLatency(seconds: number): string {
  return seconds < 1 ? `${round(seconds * 1000)}ms` : `${round(seconds)}s`;
}

/** A user value for a message: numbers as JavaScript prints them (`NaN`, not JSON's `null`). */
function showValue(v: unknown): string {
  return typeof v === 'number' ? String(v) : show(v);
}

function isPercentage(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 && v < 100;
}

/**
 * A number in (0, 1]: a fraction where a percentage is meant (0.999 for 99.9). No objective that
 * low makes sense: its error budget is over 99%, and the burn-rate alerts need an error ratio
 * above 100% to fire.
 */
function isFraction(v: unknown): v is number {
  return typeof v === 'number' && v > 0 && v <= 1;
}

/** `write 99.9 for 99.9%`: the percentage a fraction stands for, or an example when it stands for none. */
function asPercentage(fraction: number, example: string): string {
  const percent = round(fraction * 100);
  return percent < 100 ? `write ${percent} for ${percent}%` : `write the percentage, such as { ${example} }`;
}

/**
 * Checks an `slo` prop and applies its defaults. `scopePath` is the construct path for error
 * messages; `queries` the service's request metrics (undefined when it has none).
 */
export function resolveSlo(scopePath: string, slo: SloOptions, queries?: RequestQueries): ResolvedSlo {
  const fail = (message: string): never => {
    throw new MicroserviceConfigError(scopePath, message);
  };
  if (!queries) {
    fail("'slo' needs the service's request metrics, and it has none (a tcp service reports no requests): remove 'slo', or serve 'http' or 'grpc'");
  }
  if (slo === null || typeof slo !== 'object') fail(`'slo' must be an object such as { availability: 99.9 }, got ${showValue(slo)}`);
  if (slo.availability === undefined && slo.latency === undefined) {
    fail("'slo' sets neither 'availability' nor 'latency': set at least one, for example { availability: 99.9 }");
  }
  if (isFraction(slo.availability)) {
    fail(`'slo.availability' is a percentage, and ${showValue(slo.availability)} is ${showValue(slo.availability)}%: an error budget of ${formatRatio(round(1 - slo.availability / 100))}, so the burn-rate alerts (at 14.4, 6, 3 and 1 times the budget) could never fire; ${asPercentage(slo.availability, 'availability: 99.9')}`);
  }
  if (slo.availability !== undefined && !isPercentage(slo.availability)) {
    fail(`'slo.availability' must be a percentage between 0 and 100 (both excluded), got ${showValue(slo.availability)}: for example 99.9 (at most 0.1% of requests fail)`);
  }

  let latency: ResolvedSlo['latency'];
  if (slo.latency !== undefined) {
    const l = slo.latency;
    const threshold = l === null || typeof l !== 'object' ? undefined : l.threshold;
    let seconds = thresholdSeconds(threshold);
    if (seconds === undefined) {
      fail(`'slo.latency.threshold' must be a duration such as '300ms', '1s' or '1.5s', got ${showValue(threshold)}`);
    }
    const percentile = l.percentile ?? DEFAULT_PERCENTILE;
    if (isFraction(percentile)) {
      fail(`'slo.latency.percentile' is a percentage, and ${showValue(percentile)} is ${showValue(percentile)}% of requests: an error budget of ${formatRatio(round(1 - percentile / 100))}, so the burn-rate alerts could never fire; ${asPercentage(percentile, 'percentile: 99')}`);
    }
    if (!isPercentage(percentile)) {
      fail(`'slo.latency.percentile' must be a percentage between 0 and 100 (both excluded), got ${showValue(percentile)}: for example 99 (99% of requests finish within the threshold)`);
    }
    if (!queries!.fastRequestRate) {
      fail("'slo.latency' needs a latency histogram, and the service's metrics source has none: give MetricsSource.custom() a 'fastRequestRate', or remove 'slo.latency'");
    }
    const buckets = queries!.latencyBuckets?.filter(b => b > 0);
    let between: [number, number] | undefined;
    if (buckets) {
      const match = buckets.find(b => Math.abs(b - seconds!) <= 1e-9 * Math.max(b, seconds!));
      if (match === undefined) {
        // inside the histogram's range, the bucket around the threshold is interpolated (and
        // cdk8s-ms synth warns); outside it there is nothing to interpolate from
        between = bucketAround(buckets, seconds!);
        if (!between) fail(`'slo.latency.threshold' ${show(threshold)} is outside the buckets of the service's latency histogram, so no series counts the requests within it: ${nearestBuckets(buckets, seconds!)}`);
      } else {
        seconds = match;
      }
    }
    latency = { threshold: threshold as string, thresholdSeconds: seconds!, percentile, ...(between ? { between } : {}) };
  }

  const window = slo.window ?? DEFAULT_WINDOW;
  const windowSeconds = durationSeconds(window);
  if (windowSeconds === undefined || windowSeconds < MIN_WINDOW_SECONDS) {
    fail(`'slo.window' must be a Prometheus duration of at least 7d, such as '30d' or '4w', got ${showValue(window)}`);
  }
  return { availability: slo.availability, latency, window };
}

/**
 * The synth warnings of an objective so low that a burn-rate alert can never fire: each of its
 * conditions needs an error ratio of `factor` times the budget, and a ratio is at most 1 (an
 * availability of 80% has a budget of 20%: the page at 6x and 14.4x would need 120% and 288%).
 */
export function unreachableAlertWarnings(slo: ResolvedSlo): string[] {
  const out: string[] = [];
  const objectives: Array<[string, string, number | undefined]> = [
    ['Availability', 'slo.availability', slo.availability],
    ['Latency', 'slo.latency.percentile', slo.latency?.percentile],
  ];
  for (const [kind, prop, percent] of objectives) {
    if (percent === undefined) continue;
    const budget = round(1 - percent / 100);
    for (const a of BURN_RATE_ALERTS) {
      if (a.conditions.every(c => c.factor * budget >= 1)) {
        const lowest = Math.min(...a.conditions.map(c => c.factor));
        out.push(`'${prop}' ${percent} leaves an error budget of ${formatRatio(budget)}: ${kind}BudgetBurn${a.speed} (${a.severity}) fires at ${a.conditions.map(c => `${c.factor}x`).join(' or ')} the budget, an error ratio above 100%, so it can never fire; an objective above ${round(Math.ceil((100 - 100 / lowest) * 100) / 100)} makes it reachable`);
      }
    }
  }
  return out;
}

/** The boundaries of the bucket a threshold falls in, or undefined outside the histogram's range. */
function bucketAround(buckets: readonly number[], seconds: number): [number, number] | undefined {
  const sorted = [...buckets].sort((a, b) => a - b);
  const below = sorted.filter(b => b < seconds).pop();
  const above = sorted.find(b => b > seconds);
  return below === undefined || above === undefined ? undefined : [below, above];
}

/** The synth warning for a threshold between two boundaries: what is approximate, and the fix. */
export function interpolationWarning(latency: NonNullable<ResolvedSlo['latency']>): string | undefined {
  if (!latency.between) return undefined;
  const [below, above] = latency.between;
  return `'slo.latency.threshold' ${show(latency.threshold)} is not a bucket boundary of the service's latency histogram: the requests within it are interpolated between the '${formatLatency(below)}' and '${formatLatency(above)}' buckets (as histogram_quantile does), an estimate; use '${formatLatency(below)}' or '${formatLatency(above)}' for an exact SLI, or add the boundary to the histogram and declare it with a custom metrics source`;
}

/**
 * Requests per second that finished within the objective's threshold: the bucket at the
 * threshold, or, between two boundaries, the lower bucket plus the threshold's linear share of
 * the requests in between (histogram_quantile's own assumption of an even spread in a bucket).
 */
export function withinThreshold(q: RequestQueries, latency: NonNullable<ResolvedSlo['latency']>, window: string): string {
  const fast = q.fastRequestRate!;
  if (!latency.between) return fast(latency.thresholdSeconds, window);
  const [below, above] = latency.between;
  const share = round((latency.thresholdSeconds - below) / (above - below));
  const lower = fast(below, window);
  return `(${lower} + (${fast(above, window)} - ${lower}) * ${share})`;
}

/** `use '250ms' or '500ms'`: the boundaries around a threshold that is none. */
function nearestBuckets(buckets: readonly number[], seconds: number): string {
  const sorted = [...buckets].sort((a, b) => a - b);
  const below = sorted.filter(b => b < seconds).pop();
  const above = sorted.find(b => b > seconds);
  if (below === undefined) return `use '${formatLatency(above!)}' (the smallest boundary)`;
  if (above === undefined) return `use '${formatLatency(below)}' (the largest boundary)`;
  return `use '${formatLatency(below)}' or '${formatLatency(above)}' (the nearest boundaries)`;
}

// ---- rules ------------------------------------------------------------------------------------

/** One objective of a service, as the rules need it. */
export interface Objective {
  /** `availability` or `latency`. */
  readonly kind: 'availability' | 'latency';
  /** The `slo` label: `<service>-availability`. */
  readonly slo: string;
  /** The error budget as a ratio: 0.001 for 99.9%. */
  readonly budget: number;
  /** PromQL of the SLI error ratio over a window; no series (never NaN) without traffic. */
  readonly errorRatio: (window: string) => string;
  /** What the objective promises, for people: `99.9% of requests succeed`. */
  readonly promise: string;
  /** What a bad request is, for people: `failed`, `took longer than 300ms`. */
  readonly bad: string;
}

/**
 * Requests per second over a window, as the divisor of an SLI ratio: filtered by `> 0`, so that
 * without traffic the ratio has no sample instead of NaN (0/0) or +Inf, which would poison the
 * averages over the SLO window and could fire alerts (or judge a silent canary).
 */
export function requestTotal(q: RequestQueries, window: string): string {
  return `(${sumOf(q.requestRate(window))} > 0)`;
}

/**
 * The availability SLI's error ratio over a window (failed / all requests) from request
 * queries `q`: what the recording rules record and a canary's analysis measures (lib/delivery/).
 * No series (never NaN) without traffic.
 */
export function availabilityErrorRatio(q: RequestQueries, window: string): string {
  // no failing series at all (no 5xx yet) is a ratio of 0, not "no data"
  return `(${sumOf(q.errorRate(window))} or vector(0))\n/\n${requestTotal(q, window)}`;
}

/**
 * The latency SLI's error ratio over a window (requests slower than the threshold / all
 * requests) from request queries `q`, which must have a histogram (`fastRequestRate`). No
 * series (never NaN) without traffic.
 */
export function latencyErrorRatio(q: RequestQueries, latency: NonNullable<ResolvedSlo['latency']>, window: string): string {
  return `1 - (\n  ${sumOf(withinThreshold(q, latency, window))}\n/\n  ${requestTotal(q, window)}\n)`;
}

/** The objectives of a workload's SLO, availability first; empty without an SLO. */
export function objectives(t: WorkloadTelemetry): Objective[] {
  const slo = t.slo;
  if (!slo) return [];
  const q = t.queries;
  if (!q) throw new MicroserviceConfigError(workloadPath(t), "'slo' needs the service's request metrics, and it has none: remove 'slo'");
  const result: Objective[] = [];
  if (slo.availability !== undefined) {
    result.push({
      kind: 'availability',
      slo: `${t.name}-availability`,
      budget: round(1 - slo.availability / 100),
      errorRatio: w => availabilityErrorRatio(q, w),
      promise: `${slo.availability}% of requests succeed`,
      bad: 'failed',
    });
  }
  if (slo.latency) {
    const l = slo.latency;
    if (!q.fastRequestRate) throw new MicroserviceConfigError(workloadPath(t), "'slo.latency' needs a latency histogram, and the service's metrics source has none: remove 'slo.latency'");
    result.push({
      kind: 'latency',
      slo: `${t.name}-latency`,
      budget: round(1 - l.percentile / 100),
      errorRatio: w => latencyErrorRatio(q, l, w),
      promise: `${l.percentile}% of requests finish within ${l.threshold}`,
      bad: `took longer than ${l.threshold}`,
    });
  }
  return result;
}

/** The recording rule name of the SLI error ratio over a window: `slo:sli_error:ratio_rate5m`. */
export function sliErrorRecord(window: string): string {
  return `slo:sli_error:ratio_rate${window}`;
}

/** The recording rule of the error budget left over the SLO window (1 = untouched, < 0 = SLO missed). */
export const ERROR_BUDGET_REMAINING_RECORD = 'slo:error_budget_remaining:ratio';

/** The label matchers of one objective's recorded series. */
function recordedSelector(t: WorkloadTelemetry, o: Objective): string {
  return `{slo=${promqlString(o.slo)}, namespace=${promqlString(t.namespace)}, service=${promqlString(t.name)}}`;
}

/**
 * The SLO rule group of a workload (empty without an SLO): for each objective the SLI error
 * ratio over 5m ... 3d and the SLO window, the error budget left, and the page and ticket
 * burn-rate alerts; plus one alert when the SLI's series are absent.
 */
export function sloRuleGroups(t: WorkloadTelemetry): RuleGroup[] {
  const objs = objectives(t);
  if (objs.length === 0) return [];
  const slo = t.slo!;
  const window = slo.window;
  const windowSeconds = durationSeconds(window) ?? 30 * 86400;
  const rules: Rule[] = [];

  for (const o of objs) {
    const labels = () => ({ slo: o.slo, namespace: t.namespace, service: t.name });
    for (const w of SLI_WINDOWS) rules.push({ record: sliErrorRecord(w), expr: o.errorRatio(w), labels: labels() });
    // the window's ratio is the average of the 5m ratios (as Sloth does): a range of weeks over
    // the raw counters at every evaluation would be far too expensive
    rules.push({ record: sliErrorRecord(window), expr: `avg_over_time(${sliErrorRecord('5m')}${recordedSelector(t, o)}[${window}])`, labels: labels() });
    rules.push({ record: ERROR_BUDGET_REMAINING_RECORD, expr: `1 - ${sliErrorRecord(window)}${recordedSelector(t, o)} / ${o.budget}`, labels: labels() });
  }

  for (const o of objs) {
    const kind = o.kind === 'availability' ? 'Availability' : 'Latency';
    for (const a of BURN_RATE_ALERTS) {
      const expr = a.conditions
        .map(c => `(\n  ${sliErrorRecord(c.long)}${recordedSelector(t, o)} > (${c.factor} * ${o.budget})\nand\n  ${sliErrorRecord(c.short)}${recordedSelector(t, o)} > (${c.factor} * ${o.budget})\n)`)
        .join('\nor\n');
      const lasts = a.conditions.map(c => `at ${c.factor}x (over ${c.long} and ${c.short}) the ${window} budget lasts ${humanDays(windowSeconds / c.factor)}`).join(', ');
      rules.push(alertRule(t, {
        name: `${kind}BudgetBurn${a.speed}`,
        expr,
        for: a.for,
        severity: a.severity,
        extraLabels: { slo: o.slo },
        summary: `${workloadPath(t)} is burning its ${o.kind} error budget ${a.speed === 'Fast' ? 'fast' : 'steadily'}`,
        description: `{{ $value | humanizePercentage }} of the requests to ${workloadPath(t)} ${o.bad} over the last ${a.conditions.map(c => c.long).join(' or ')}, `
          + `${a.conditions.map(c => `${c.factor}x`).join(' or ')} the ${formatRatio(o.budget)} its SLO (${o.promise}, over ${window}) allows: ${lasts}.`,
        runbookUrl: `${t.runbookBaseUrl}/${kind}BudgetBurn${a.speed}`,
      }));
    }
  }

  const q = t.queries!;
  rules.push(alertRule(t, {
    name: SLI_ABSENT_ALERT,
    expr: `absent(${q.presence})`,
    for: SLI_ABSENT_FOR,
    severity: 'warning',
    summary: `${workloadPath(t)} reports no request metrics, so its SLO cannot be measured`,
    description: `No series of ${q.presence} for ${SLI_ABSENT_FOR}: the error budget and burn-rate alerts of ${workloadPath(t)} are blind. `
      + 'Either the service is not scraped (check its ServiceMonitor target in Prometheus), it exports no request metrics, or it has had no request since it started.',
    runbookUrl: `${t.runbookBaseUrl}/${SLI_ABSENT_ALERT}`,
  }));

  return [{ name: `${t.app}.${t.name}.slo`, rules }];
}

/** `0.1%` for 0.001. */
function formatRatio(r: number): string {
  return `${round(r * 100)}%`;
}

/** `2.1 days`, `12 hours`. */
function humanDays(seconds: number): string {
  if (seconds < 2 * 86400) return `${round(Number((seconds / 3600).toFixed(1)))} hours`;
  return `${round(Number((seconds / 86400).toFixed(1)))} days`;
}
