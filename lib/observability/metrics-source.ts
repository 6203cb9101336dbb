/**
 * Where a service's request metrics come from, as PromQL building blocks. Alerts, SLOs and
 * dashboards are written against these, so one choice of metric names serves all three.
 *
 * - `MetricsSource.openTelemetry()` (default): the OpenTelemetry semantic conventions as a
 *   Prometheus exporter names them: HTTP `http_server_request_duration_seconds` (stable
 *   HTTP server semconv, seconds, `http_response_status_code`), gRPC
 *   `rpc_server_duration_milliseconds` (RPC semconv, milliseconds, `rpc_grpc_status_code`).
 *   Scraped through the ServiceMonitor, so series carry `namespace` and `service`.
 * - `MetricsSource.istio()`: Istio's standard metrics reported by the destination sidecar
 *   (`istio_requests_total`, `istio_request_duration_milliseconds`).
 * - `MetricsSource.custom({...})`: PromQL the user writes, with `$window` in place of the range.
 */
import { promqlString } from './promql';

/** Where the service runs, for selecting its series. */
export interface ServiceSelector {
  readonly namespace: string;
  readonly service: string;
  readonly protocol: 'http' | 'grpc' | 'tcp';
  /**
   * Only the series of some pods: a regular expression (RE2, anchored) that the `pod` label
   * must match, the label the Prometheus Operator's ServiceMonitors and PodMonitors give every
   * series of a target (`__meta_kubernetes_pod_name`). A canary's analysis selects the pods of
   * one ReplicaSet this way (lib/delivery/analysis.ts). Custom sources cannot be restricted.
   * @default - every pod of the service
   */
  readonly pods?: string;
}

/** The PromQL a source produces for one service. Every window is a PromQL duration (`5m`). */
export interface RequestQueries {
  /** Requests per second. */
  requestRate(window: string): string;
  /** Failed requests per second (HTTP 5xx; gRPC server-side failure codes). */
  errorRate(window: string): string;
  /** Requests per second that finished within the threshold (a histogram bucket); undefined when the source has no histogram. */
  readonly fastRequestRate?: (thresholdSeconds: number, window: string) => string;
  /** The q-quantile (0 < q < 1) of latency, in seconds; undefined when the source has no histogram. */
  readonly latencyQuantile?: (q: number, window: string) => string;
  /** A selector that has series whenever the service reports request metrics at all. */
  readonly presence: string;
  /**
   * Histogram bucket boundaries in seconds that `fastRequestRate` can use, or undefined when
   * any threshold is accepted (custom sources).
   */
  readonly latencyBuckets?: readonly number[];
}

/** PromQL for a custom source; `$window` is replaced by the range (`5m`), `$threshold` by seconds. */
export interface CustomMetricsOptions {
  /** Requests per second, e.g. `sum(rate(myapp_requests_total{job="api"}[$window]))`. */
  readonly requestRate: string;
  /** Failed requests per second. */
  readonly errorRate: string;
  /** Requests per second within `$threshold` seconds (needed for a latency SLO). @default - no latency SLO possible */
  readonly fastRequestRate?: string;
  /** Latency histogram buckets, e.g. `myapp_request_seconds_bucket{job="api"}`, for quantiles. @default - no latency alert */
  readonly latencyBucket?: string;
  /** A selector with series whenever the service reports. @default - the request rate */
  readonly presence?: string;
}

// OpenTelemetry's advised HTTP duration buckets (seconds), semconv http.server.request.duration
export const OTEL_HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] as const;
// The SDKs' default explicit buckets (milliseconds) for rpc.server.duration, in seconds
export const OTEL_RPC_BUCKETS = [0, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] as const;
// Istio's default buckets for istio_request_duration_milliseconds, in seconds
export const ISTIO_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600, 1800, 3600] as const;

// gRPC codes that mean the server failed, not the caller (UNKNOWN, DEADLINE_EXCEEDED,
// UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS); INVALID_ARGUMENT, NOT_FOUND... are client errors
const GRPC_SERVER_ERRORS = '2|4|12|13|14|15';

/** A number as Go's `strconv.FormatFloat(v, 'g', -1, 64)` writes it (client_golang's `le`): `0.25`, `300`, `3.6e+06`. */
function goFloat(v: number): string {
  const exp = v === 0 ? 0 : Math.floor(Math.log10(Math.abs(v)));
  if (exp < -4 || exp >= 6) {
    const [mantissa, e] = v.toExponential().split('e');
    const n = Number(e);
    return `${mantissa}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  return String(v);
}

/**
 * The `le` matcher of a bucket boundary given in seconds, in the histogram's unit. A whole
 * number is written `300` by Go's text format but `300.0` by the Java and Python clients, by
 * protobuf scrapes and by every Prometheus 3 (which normalizes `le` to a float on ingestion),
 * so `le="300"` would silently match nothing there: whole numbers match both spellings.
 */
function le(seconds: number, unit: 'seconds' | 'milliseconds'): string {
  const v = Number((unit === 'seconds' ? seconds : seconds * 1000).toPrecision(12));
  const spellings = [...new Set([goFloat(v), ...(Number.isInteger(v) && Math.abs(v) < 1e21 ? [String(v), `${v}.0`] : [])])];
  if (spellings.length === 1) return `le="${spellings[0]}"`;
  // a PromQL string holding a regular expression: `\\.` in PromQL is the regex `\.`
  return `le=~"${spellings.map(s => s.replace(/[.+]/g, '\\\\$&')).join('|')}"`;
}

interface HistogramSpec {
  readonly metric: string; // without _bucket/_count
  readonly unit: 'seconds' | 'milliseconds';
  readonly selector: string; // label matchers without braces
  readonly errorMatcher: string;
  readonly buckets: readonly number[];
}

function fromHistogram(h: HistogramSpec): RequestQueries {
  const sel = (extra = '') => `{${[h.selector, extra].filter(Boolean).join(', ')}}`;
  const scale = h.unit === 'milliseconds' ? ' / 1000' : '';
  return {
    requestRate: w => `sum(rate(${h.metric}_count${sel()}[${w}]))`,
    errorRate: w => `sum(rate(${h.metric}_count${sel(h.errorMatcher)}[${w}]))`,
    fastRequestRate: (t, w) => `sum(rate(${h.metric}_bucket${sel(le(t, h.unit))}[${w}]))`,
    latencyQuantile: (q, w) => `histogram_quantile(${q}, sum by (le) (rate(${h.metric}_bucket${sel()}[${w}])))${scale}`,
    presence: `${h.metric}_count${sel()}`,
    latencyBuckets: h.buckets,
  };
}

/** Chooses the PromQL of a service's request metrics; see the file comment for the sources. */
export abstract class MetricsSource {
  /** OpenTelemetry semantic conventions (the default). */
  public static openTelemetry(): MetricsSource {
    return new OpenTelemetrySource();
  }

  /** Istio standard metrics, from the destination sidecar. */
  public static istio(): MetricsSource {
    return new IstioSource();
  }

  /** PromQL of your own. */
  public static custom(options: CustomMetricsOptions): MetricsSource {
    return new CustomSource(options);
  }

  /** A name for docs and dashboards: `opentelemetry`, `istio`, `custom`. */
  public abstract readonly kind: string;

  /** The queries for one service. */
  public abstract queries(s: ServiceSelector): RequestQueries;
}

/** `, pod=~"<pattern>"` when the selector is restricted to some pods, else nothing. */
function podMatcher(s: ServiceSelector): string {
  return s.pods === undefined ? '' : `, pod=~${promqlString(s.pods)}`;
}

class OpenTelemetrySource extends MetricsSource {
  public readonly kind = 'opentelemetry';
  public queries(s: ServiceSelector): RequestQueries {
    const selector = `namespace="${s.namespace}", service="${s.service}"${podMatcher(s)}`;
    return s.protocol === 'grpc'
      ? fromHistogram({ metric: 'rpc_server_duration_milliseconds', unit: 'milliseconds', selector, errorMatcher: `rpc_grpc_status_code=~"${GRPC_SERVER_ERRORS}"`, buckets: OTEL_RPC_BUCKETS })
      : fromHistogram({ metric: 'http_server_request_duration_seconds', unit: 'seconds', selector, errorMatcher: 'http_response_status_code=~"5.."', buckets: OTEL_HTTP_BUCKETS });
  }
}

class IstioSource extends MetricsSource {
  public readonly kind = 'istio';
  public queries(s: ServiceSelector): RequestQueries {
    // `pod` is the scraped pod: with reporter="destination", the pod that served the request
    const selector = `reporter="destination", destination_service_namespace="${s.namespace}", destination_service_name="${s.service}"${podMatcher(s)}`;
    const h = fromHistogram({
      metric: 'istio_request_duration_milliseconds', unit: 'milliseconds', selector, buckets: ISTIO_BUCKETS,
      errorMatcher: s.protocol === 'grpc' ? `grpc_response_status=~"${GRPC_SERVER_ERRORS}"` : 'response_code=~"5.."',
    });
    // istio_requests_total counts every request, the histogram only completed ones
    return {
      ...h,
      requestRate: w => `sum(rate(istio_requests_total{${selector}}[${w}]))`,
      errorRate: w => `sum(rate(istio_requests_total{${selector}, ${s.protocol === 'grpc' ? `grpc_response_status=~"${GRPC_SERVER_ERRORS}"` : 'response_code=~"5.."'}}[${w}]))`,
      presence: `istio_requests_total{${selector}}`,
    };
  }
}

class CustomSource extends MetricsSource {
  public readonly kind = 'custom';
  constructor(private readonly o: CustomMetricsOptions) {
    super();
  }
  public queries(s: ServiceSelector): RequestQueries {
    // its PromQL is the user's: nothing here can add a matcher to it
    if (s.pods !== undefined) throw new Error('MetricsSource.custom() cannot be restricted to some pods (its PromQL is the user\'s own)');
    const fill = (q: string, w: string, t?: number) => q.replace(/\$window/g, w).replace(/\$threshold/g, t === undefined ? '' : String(t));
    const o = this.o;
    return {
      requestRate: w => fill(o.requestRate, w),
      errorRate: w => fill(o.errorRate, w),
      fastRequestRate: o.fastRequestRate ? (t, w) => fill(o.fastRequestRate!, w, t) : undefined,
      latencyQuantile: o.latencyBucket ? (q, w) => `histogram_quantile(${q}, sum by (le) (rate(${o.latencyBucket}[${w}])))` : undefined,
      presence: o.presence ?? fill(o.requestRate, '5m'),
      latencyBuckets: undefined,
    };
  }
}
