import { IConstruct } from 'constructs';
import { MicroserviceConfigError, show } from '../errors';
import type { ServiceProtocol } from '../observed-service';

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
   * Retries of failed calls (http and grpc only); `false` for none, for calls that are not
   * idempotent.
   * @default { attempts: 2, perTryTimeout: '5s', retryOn: only failures where the call
   * cannot have run or the server said "unavailable" }
   */
  readonly retries?: RetryOptions | false;
  /** Connection limits and ejection of failing pods; `false` for none. @default - see CircuitBreakerOptions */
  readonly circuitBreaker?: CircuitBreakerOptions | false;
  /**
   * Requests per second per client address at the Ingress (ingress-nginx annotations): the
   * service's routes get an Ingress of their own. Needs a `route` and an Ingress (not a Gateway).
   * @default - no limit
   */
  readonly rateLimit?: RateLimitOptions;
}

export interface RetryOptions {
  /** Retries after the first try. */
  readonly attempts: number;
  /** The deadline of each try. @default '5s' */
  readonly perTryTimeout?: string;
  /** Envoy retry conditions, comma-separated. @default - per protocol, see DEFAULT_RETRY_ON */
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
 * Retry conditions that are safe for idempotent calls: the request never reached the app
 * (connect-failure, refused-stream), the connection broke (reset), or the server answered
 * that it cannot serve now (503; gRPC UNAVAILABLE). Not 5xx in general: a 500 after a
 * side effect would run it twice, and retrying overload (429, RESOURCE_EXHAUSTED) deepens it.
 */
export const DEFAULT_RETRY_ON: Record<'http' | 'grpc', string> = {
  http: 'connect-failure,refused-stream,reset,503',
  grpc: 'connect-failure,refused-stream,reset,unavailable',
};

/** Traffic settings after defaults. */
export interface ResolvedTraffic {
  readonly timeout?: string;
  readonly retries?: { readonly attempts: number; readonly perTryTimeout: string; readonly retryOn: string };
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

function duration(scope: IConstruct | string, prop: string, v: unknown): string {
  if (typeof v !== 'string' || !DURATION.test(v)) {
    throw new MicroserviceConfigError(scope, `'${prop}' must be a duration such as '500ms', '5s' or '1m', got ${show(v)}`);
  }
  return v;
}

function wholeNumber(scope: IConstruct | string, prop: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new MicroserviceConfigError(scope, `'${prop}' must be a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'}, got ${show(v)}`);
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
  if (requestLevel && t.retries !== false) {
    const r = t.retries ?? { attempts: 2 };
    const retryOn = r.retryOn ?? DEFAULT_RETRY_ON[protocol as 'http' | 'grpc'];
    const unknown = String(retryOn).split(',').filter(c => !RETRY_CONDITIONS.has(c.trim()) && !/^[1-5][0-9][0-9]$/.test(c.trim()));
    if (typeof retryOn !== 'string' || unknown.length) {
      throw new MicroserviceConfigError(scope, `'traffic.retries.retryOn' has unknown conditions ${show(unknown.join(','))}: use Envoy's, for example '${DEFAULT_RETRY_ON.http}'`);
    }
    retries = {
      attempts: wholeNumber(scope, 'traffic.retries.attempts', r.attempts, 1, 10),
      perTryTimeout: duration(scope, 'traffic.retries.perTryTimeout', r.perTryTimeout ?? '5s'),
      retryOn,
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
