import { IConstruct } from 'constructs';
import { MicroserviceConfigError, show } from '../../errors';
import type { ServiceProtocol } from '../service-protocol';
import { INT32_MAX, propNames } from '../../props/checks';

/**
 * How calls to a service behave in the mesh: a deadline, retries, a circuit breaker, and an
 * edge rate limit. Timeouts and retries need `mesh: 'istio'` (they are VirtualService
 * settings); the circuit breaker is the DestinationRule; `rateLimit` is the Ingress's.
 */
export interface TrafficOptions {
  /**
   * The deadline of a whole call, retries included (http and grpc only).
   * @default '15s' (Envoy's own route default, which Istio turns off)
   */
  readonly timeout?: string;
  /**
   * Retries of failed calls (http and grpc only); `false` for none.
   * @default { attempts: 2, perTryTimeout: '5s', retryOn: only failures where the request cannot
   * have reached the app (connect-failure, refused-stream, reset-before-request); http GET and
   * HEAD, and every call with `idempotent`, also on resets and 503/UNAVAILABLE }
   */
  readonly retries?: RetryOptions | false;
  /**
   * Every call to this service may safely run twice (reads, writes keyed by an idempotency
   * key): retries may then follow failures after the request reached the app (`reset`, `503`,
   * gRPC `unavailable`), for every method. Without it only GET and HEAD (safe methods, RFC 9110)
   * are retried on those.
   * @default false
   */
  readonly idempotent?: boolean;
  /** Connection limits and ejection of failing pods; `false` for none. @default - see CircuitBreakerOptions */
  readonly circuitBreaker?: CircuitBreakerOptions | false;
  /**
   * Requests per second per client address at the Ingress (ingress-nginx annotations): the
   * service's routes get an Ingress of their own. Needs a `route` and an ingress-nginx
   * controller (refused with a mesh, a Gateway or another controller, which ignore the
   * annotations). ingress-nginx counts in each controller pod: with N controller replicas a
   * client can get up to N times the limit.
   * @default - no limit
   */
  readonly rateLimit?: RateLimitOptions;
}

export interface RetryOptions {
  /** Retries after the first try. */
  readonly attempts: number;
  /** The deadline of each try; at most `timeout`. @default '5s' */
  readonly perTryTimeout?: string;
  /**
   * Envoy retry conditions, comma-separated, for every route of the service. Conditions after
   * which the request may have run (anything but connect-failure, refused-stream and
   * reset-before-request) need `idempotent: true`.
   * @default - see SAFE_RETRY_ON and IDEMPOTENT_RETRY_ON
   */
  readonly retryOn?: string;
}

export interface CircuitBreakerOptions {
  /** Errors in a row (5xx, gateway errors, connect failures) that eject a pod. @default 5 */
  readonly consecutiveErrors?: number;
  /** How often pods are checked for ejection. @default '10s' */
  readonly interval?: string;
  /** How long an ejected pod stays out (times the number of ejections). @default '30s' */
  readonly baseEjectionTime?: string;
  /** At most this share of pods is ejected at once, in percent. @default 50 */
  readonly maxEjectionPercent?: number;
  /** TCP connections each caller's proxy opens to the service. @default 1024 */
  readonly maxConnections?: number;
  /** Requests waiting for a connection (HTTP/1.1) per caller proxy. @default 1024 */
  readonly maxPendingRequests?: number;
  /** Concurrent requests (HTTP/2, gRPC) per caller proxy. @default 1024 */
  readonly maxRequests?: number;
  /** The deadline of a TCP connect. @default '3s' */
  readonly connectTimeout?: string;
}

export interface RateLimitOptions {
  /** Requests per second from one client address. */
  readonly requestsPerSecond: number;
  /** A burst of this many times the rate is let through. @default 5 (ingress-nginx's default) */
  readonly burstMultiplier?: number;
}

/**
 * Retry conditions under which the request cannot have reached the app: the connection was
 * never made (connect-failure), the HTTP/2 stream was refused (refused-stream), or the
 * connection broke before the request was sent (reset-before-request). Safe for any call.
 */
export const SAFE_RETRY_ON = 'connect-failure,refused-stream,reset-before-request';

/**
 * For idempotent calls also: a reset at any time (Envoy's `reset` includes resets after the app
 * may have run the request) and "cannot serve now" answers (503; gRPC UNAVAILABLE, which gRPC
 * says is not always safe to retry for non-idempotent calls). Not 5xx in general (a 500 after a
 * side effect), nor 429/RESOURCE_EXHAUSTED (retrying overload deepens it).
 */
export const IDEMPOTENT_RETRY_ON: Record<'http' | 'grpc', string> = {
  http: 'connect-failure,refused-stream,reset,503',
  grpc: 'connect-failure,refused-stream,reset,unavailable',
};

/** Traffic settings after defaults. */
export interface ResolvedTraffic {
  readonly timeout?: string;
  readonly retries?: {
    readonly attempts: number;
    readonly perTryTimeout: string;
    /** Conditions of every call. */
    readonly retryOn: string;
    /** Broader conditions for GET and HEAD (a route of their own), when they differ. */
    readonly safeMethodsRetryOn?: string;
  };
  readonly circuitBreaker?: Required<CircuitBreakerOptions>;
  readonly rateLimit?: Required<RateLimitOptions>;
}

// Envoy/Istio durations: whole units, `ms` to `h`
const DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;
const RETRY_CONDITIONS = new Set([
  '5xx', 'gateway-error', 'reset', 'reset-before-request', 'connect-failure', 'envoy-ratelimited', 'retriable-4xx',
  'refused-stream', 'retriable-status-codes', 'retriable-headers', 'http3-post-connect-failure',
  'cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable',
]);

/** Milliseconds of an Envoy duration ('1m30s', '0.5s'). */
function millis(d: string): number {
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60000, h: 3600000 };
  return [...d.matchAll(/([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g)].reduce((sum, [, n, u]) => sum + Number(n) * unit[u], 0);
}

function duration(scope: IConstruct | string, prop: string, v: unknown): string {
  if (typeof v !== 'string' || !DURATION.test(v)) {
    throw new MicroserviceConfigError(scope, `'${prop}' must be a duration such as '500ms', '5s' or '1m', got ${show(v)}`);
  }
  return v;
}

// Istio's connection pool and outlier detection fields are int32 (or uint32): 2147483647 at most
function wholeNumber(scope: IConstruct | string, prop: string, v: unknown, min: number, max = INT32_MAX): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new MicroserviceConfigError(scope, `'${prop}' must be a whole number from ${min} to ${max}, got ${show(v)}`);
  }
  return v;
}

/** Checks `traffic` and fills in the defaults; `meshed` says whether timeouts and retries can apply. */
export function resolveTraffic(scope: IConstruct | string, protocol: ServiceProtocol, t: TrafficOptions = {}, meshed: boolean): ResolvedTraffic {
  const requestLevel = protocol !== 'tcp';
  for (const k of ['timeout', 'retries'] as const) {
    if (t[k] === undefined) continue;
    if (!requestLevel) throw new MicroserviceConfigError(scope, `'traffic.${k}' applies to http and grpc calls, not to a tcp service: drop it`);
    if (!meshed) throw new MicroserviceConfigError(scope, `'traffic.${k}' needs a mesh (the proxy enforces it): set mesh: 'istio' on the MicroserviceApp, or drop it`);
  }
  if (t.circuitBreaker !== undefined && !meshed) {
    throw new MicroserviceConfigError(scope, "'traffic.circuitBreaker' needs a mesh (the callers' proxies enforce it): set mesh: 'istio' on the MicroserviceApp, or drop it");
  }
  const timeout = requestLevel ? duration(scope, 'traffic.timeout', t.timeout ?? '15s') : undefined;
  let retries: ResolvedTraffic['retries'];
  if (t.idempotent !== undefined && typeof t.idempotent !== 'boolean') {
    throw new MicroserviceConfigError(scope, `'traffic.idempotent' must be true or false, got ${show(t.idempotent)}`);
  }
  if (requestLevel && t.retries !== false) {
    const r = t.retries ?? { attempts: 2 };
    const broad = IDEMPOTENT_RETRY_ON[protocol as 'http' | 'grpc'];
    const retryOn = r.retryOn ?? (t.idempotent ? broad : SAFE_RETRY_ON);
    const conditions = typeof retryOn === 'string' ? retryOn.split(',').map(c => c.trim()) : [];
    const unknown = conditions.filter(c => !RETRY_CONDITIONS.has(c) && !/^[1-5][0-9][0-9]$/.test(c));
    if (typeof retryOn !== 'string' || unknown.length) {
      throw new MicroserviceConfigError(scope, `'traffic.retries.retryOn' has unknown conditions ${show(unknown.join(','))}: use Envoy's, for example '${SAFE_RETRY_ON}'`);
    }
    const unsafe = conditions.filter(c => !SAFE_RETRY_ON.split(',').includes(c));
    if (unsafe.length && !t.idempotent) {
      throw new MicroserviceConfigError(scope, `'traffic.retries.retryOn' ${show(unsafe.join(','))} retries calls that may already have run (a POST could run twice): set 'traffic.idempotent: true' if every call is safe to repeat, or keep to '${SAFE_RETRY_ON}'`);
    }
    const perTryTimeout = duration(scope, 'traffic.retries.perTryTimeout', r.perTryTimeout ?? '5s');
    if (timeout !== undefined && millis(timeout) > 0 && millis(perTryTimeout) > millis(timeout)) {
      throw new MicroserviceConfigError(scope, `'traffic.retries.perTryTimeout' (${perTryTimeout}) is longer than 'traffic.timeout' (${timeout}), which bounds all tries together: lower perTryTimeout or raise timeout`);
    }
    retries = {
      attempts: wholeNumber(scope, 'traffic.retries.attempts', r.attempts, 1, 10),
      perTryTimeout,
      retryOn,
      // GET and HEAD are safe methods: retried on the broader conditions unless the user chose
      safeMethodsRetryOn: protocol === 'http' && r.retryOn === undefined && !t.idempotent ? broad : undefined,
    };
  }
  let circuitBreaker: ResolvedTraffic['circuitBreaker'];
  if (t.circuitBreaker !== false) {
    const c = t.circuitBreaker ?? {};
    circuitBreaker = {
      consecutiveErrors: wholeNumber(scope, 'traffic.circuitBreaker.consecutiveErrors', c.consecutiveErrors ?? 5, 1),
      interval: duration(scope, 'traffic.circuitBreaker.interval', c.interval ?? '10s'),
      baseEjectionTime: duration(scope, 'traffic.circuitBreaker.baseEjectionTime', c.baseEjectionTime ?? '30s'),
      maxEjectionPercent: wholeNumber(scope, 'traffic.circuitBreaker.maxEjectionPercent', c.maxEjectionPercent ?? 50, 0, 100),
      maxConnections: wholeNumber(scope, 'traffic.circuitBreaker.maxConnections', c.maxConnections ?? 1024, 1),
      maxPendingRequests: wholeNumber(scope, 'traffic.circuitBreaker.maxPendingRequests', c.maxPendingRequests ?? 1024, 1),
      maxRequests: wholeNumber(scope, 'traffic.circuitBreaker.maxRequests', c.maxRequests ?? 1024, 1),
      connectTimeout: duration(scope, 'traffic.circuitBreaker.connectTimeout', c.connectTimeout ?? '3s'),
    };
  }
  let rateLimit: ResolvedTraffic['rateLimit'];
  if (t.rateLimit !== undefined) {
    rateLimit = {
      requestsPerSecond: wholeNumber(scope, 'traffic.rateLimit.requestsPerSecond', t.rateLimit.requestsPerSecond, 1),
      burstMultiplier: wholeNumber(scope, 'traffic.rateLimit.burstMultiplier', t.rateLimit.burstMultiplier ?? 5, 1),
    };
  }
  return { timeout, retries, circuitBreaker, rateLimit };
}

/** The names of TrafficOptions and its parts, for checkKnownProps(). */
export const TRAFFIC_PROPS = {
  traffic: propNames<TrafficOptions>({ timeout: true, retries: true, idempotent: true, circuitBreaker: true, rateLimit: true }),
  retries: propNames<RetryOptions>({ attempts: true, perTryTimeout: true, retryOn: true }),
  circuitBreaker: propNames<CircuitBreakerOptions>({
    consecutiveErrors: true, interval: true, baseEjectionTime: true, maxEjectionPercent: true, maxConnections: true,
    maxPendingRequests: true, maxRequests: true, connectTimeout: true,
  }),
  rateLimit: propNames<RateLimitOptions>({ requestsPerSecond: true, burstMultiplier: true }),
} as const;
