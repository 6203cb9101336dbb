/**
 * The PromQL of a custom metrics source (`MetricsSource.custom()`), checked as the library fills
 * it in and as Prometheus will run it: each query parses and passes Prometheus' checks
 * (promql.ts), returns an instant vector, and `latencyBucket` is the bucket series' selector,
 * not a rate of it (the library takes `rate(<latencyBucket>[$window])` itself).
 */
import { MicroserviceConfigError, show } from '../errors';
import type { RequestQueries } from './metrics-source';
import { checkPromql } from './promql';

const FIX = 'write it as PromQL with $window for the range, e.g. sum(rate(http_requests_total{job="api"}[$window]))';

/** What the library makes of `latencyBucket` (metrics-source.ts, CustomSource): the selector comes back out of it. */
const QUANTILE_OF_BUCKET = /^histogram_quantile\(0\.99, sum by \(le\) \(rate\(([\s\S]*)\[5m\]\)\)\)$/;

/** Checks the queries of a custom source; `path` is the service's construct path. */
export function checkCustomQueries(path: string, q: RequestQueries): void {
  const latency = q.latencyQuantile?.(0.99, '5m');
  const bucket = latency === undefined ? undefined : QUANTILE_OF_BUCKET.exec(latency)?.[1];
  if (bucket !== undefined) checkLatencyBucket(path, bucket);
  const samples: Array<[string, string | undefined]> = [
    ['requestRate', q.requestRate('5m')], ['errorRate', q.errorRate('5m')],
    ['fastRequestRate', q.fastRequestRate?.(0.25, '5m')], ['latencyBucket', latency], ['presence', q.presence],
  ];
  for (const [name, expr] of samples) {
    if (expr === undefined) continue;
    const { problem, type } = checkPromql(expr);
    if (problem) throw new MicroserviceConfigError(path, `'metrics.source' ${name} is not valid PromQL (${problem}): ${FIX}`);
    if (type !== 'instant vector') {
      throw new MicroserviceConfigError(path, `'metrics.source' ${name} must return an instant vector, and ${show(expr)} is a ${type}: the alerts, SLO rules and dashboards divide and compare it; ${name === 'presence' ? 'give a selector such as http_requests_total{job="api"}' : FIX}`);
    }
  }
}

/**
 * `latencyBucket` is a selector of the histogram's `_bucket` series: a rate of it (rate(),
 * irate(), increase(), a sum of one) or a selector with a range would be taken a rate of again,
 * which Prometheus refuses ("ranges only allowed for vector selectors").
 */
function checkLatencyBucket(path: string, bucket: string): void {
  const text = bucket.trim();
  const fail = (what: string): never => {
    throw new MicroserviceConfigError(path, `'metrics.source' latencyBucket must select the histogram's bucket series, such as myapp_request_seconds_bucket{job="api"}, got ${show(bucket)}, ${what}: the library takes histogram_quantile(q, sum by (le) (rate(<latencyBucket>[$window]))) itself, so give the selector alone`);
  };
  if (/^(rate|irate|increase|delta|idelta|deriv)\s*\(/.test(text)) fail(`which is already a ${text.slice(0, text.indexOf('(')).trim()}() of it`);
  if (/^(sum|avg|max|min|count|histogram_quantile)\b/.test(text) && /\brate\s*\(|\bincrease\s*\(/.test(text)) fail('which is already a rate of it');
  if (/\]\s*$/.test(text)) fail('which ends in a range');
  if (/\$window\b/.test(text)) fail('which has a $window (latencyBucket takes none)');
  const { type } = checkPromql(text);
  // anything else that is no plain selector (a function, an aggregation, an offset) cannot take a range
  if (type !== undefined && !/^[a-zA-Z_:][a-zA-Z0-9_:]*\s*(\{[\s\S]*\})?$|^\{[\s\S]*\}$/.test(text)) fail('which is no series selector');
}
