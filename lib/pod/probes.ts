import { IConstruct } from 'constructs';
import * as k8s from '../rendering/kube';
import { MicroserviceConfigError, show } from '../errors';
import { checkIntBound, checkKnownProps, checkStringArray, propNames } from '../props/checks';

/** How often and how patiently a probe checks. */
export interface ProbeTiming {
  /** @default - 0 (the startup probe guards slow starts) */
  readonly initialDelaySeconds?: number;
  /** @default - readiness 5, liveness 10, startup 5 */
  readonly periodSeconds?: number;
  /** @default - readiness 2, liveness 3, startup 3 */
  readonly timeoutSeconds?: number;
  /** @default - readiness 3, liveness 3, startup 30 */
  readonly failureThreshold?: number;
}

/** An HTTP GET on the probe port; 2xx and 3xx are healthy. */
export interface HttpProbe extends ProbeTiming { readonly httpPath: string }
/** A command run in the container; exit 0 is healthy. The binary must exist in the image. */
export interface CommandProbe extends ProbeTiming { readonly command: string[] }
/** A TCP connect to the probe port. */
export interface TcpProbe extends ProbeTiming { readonly tcp: true }
/** The standard gRPC health check (grpc.health.v1) on the probe port. */
export interface GrpcProbe extends ProbeTiming {
  readonly grpc: true;
  /** The service name sent in the health check request. @default '' (the whole server) */
  readonly service?: string;
}

/** One of `{ httpPath }`, `{ command }`, `{ tcp: true }` or `{ grpc: true }`, with optional timing. */
export type Probe = HttpProbe | CommandProbe | TcpProbe | GrpcProbe;

/**
 * Probes of the main container; each one given replaces its default. Where none is given,
 * nothing is assumed about the app: a TCP connect to the serving port (the kubelet opens a
 * socket; the container is healthy if it connects), and a synth warning names what could be
 * declared instead.
 */
export interface ProbeOptions {
  /**
   * Whether the pod receives traffic: the kubelet marks the container not ready while it fails,
   * and the pod leaves its Services' endpoints.
   * @default - a TCP connect to the serving port, every 5 s, not ready after 3 failures (services); none (workers: nothing routes to them)
   */
  readonly readiness?: Probe;
  /**
   * Whether the container is restarted: the kubelet kills and restarts it after this many
   * failures in a row; `false` for none.
   * @default - a TCP connect to the serving port (a worker's `healthPort`), every 10 s, restarted after 3 failures; none for a worker without `healthPort`
   */
  readonly liveness?: Probe | false;
  /**
   * Holds liveness and readiness off until the container has started (the kubelet runs neither
   * until it succeeds, and restarts the container if it never does); `false` for none.
   * @default - the liveness check, every 5 s, up to 30 failures (150 s to start)
   */
  readonly startup?: Probe | false;
}

/** Where probes connect: the container port's name (http, tcp) and number (gRPC needs a number). */
export interface ProbeTarget {
  readonly portName: string;
  readonly portNumber: number;
}

type Role = 'readiness' | 'liveness' | 'startup';
const TIMING: Record<Role, Required<Omit<ProbeTiming, 'initialDelaySeconds'>>> = {
  readiness: { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 },
  liveness: { periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
  startup: { periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 30 },
};

/**
 * The checks a service gets where the user declares none, the same for every protocol: a TCP
 * connect to the serving port. An HTTP path or the gRPC health service (`grpc.health.v1`) is
 * something the app must implement, and a probe of one it lacks fails for ever: the pod never
 * becomes ready, and liveness restarts it in a loop. Readiness and liveness differ in timing
 * (readiness every 5 s, liveness every 10 s, 3 failures each): the pod leaves the endpoints
 * well before it is restarted, the pattern Kubernetes documents for a check both share.
 * The protocol is kept in the signature for the callers of 0.x.
 */
export function defaultProbes(_protocol?: 'http' | 'grpc' | 'tcp'): { readiness: Probe; liveness: Probe } {
  return { readiness: { tcp: true }, liveness: { tcp: true } };
}

/** The kind of check a probe runs ('other' for what checkProbe refuses). */
function checkOf(p: Probe | false | undefined): 'none' | 'http' | 'command' | 'grpc' | 'tcp' | 'other' {
  if (p === undefined || p === false) return 'none';
  if (typeof p !== 'object' || p === null) return 'other';
  const kinds = (['httpPath', 'command', 'grpc', 'tcp'] as const).filter(k => (p as any)[k] !== undefined);
  if (kinds.length !== 1) return 'other';
  return kinds[0] === 'httpPath' ? 'http' : kinds[0];
}

// what a service of each protocol could declare instead of a TCP connect
const READINESS_EXAMPLES: Record<'http' | 'grpc' | 'tcp', string> = {
  http: "probes: { readiness: { httpPath: '/ready' } } (and liveness: { httpPath: '/healthz' } if it serves one)",
  grpc: 'probes: { readiness: { grpc: true } } if it implements the gRPC health checking protocol (grpc.health.v1)',
  tcp: "probes: { readiness: { command: ['pg_isready', '--host=127.0.0.1'] } } for PostgreSQL or { command: ['redis-cli', 'ping'] } for Redis",
};

/**
 * The synth warning of a service that declares no readiness probe, naming what it could
 * declare; undefined when it declares one.
 */
export function undeclaredReadinessWarning(protocol: 'http' | 'grpc' | 'tcp', o: ProbeOptions = {}): string | undefined {
  if (o.readiness !== undefined) return undefined;
  const sameAsLiveness = o.liveness === undefined || checkOf(o.liveness) === 'tcp';
  const what = protocol === 'http' ? "the app's HTTP paths" : protocol === 'grpc' ? 'a gRPC health service' : 'the server';
  return `readiness is a TCP connect to port '${protocol}'${sameAsLiveness ? ', like liveness (the linters flag identical probes)' : ''}: nothing is assumed about ${what}, so a pod counts as ready as soon as it accepts connections. Declare the check the app serves, for example ${READINESS_EXAMPLES[protocol]}`;
}

/**
 * The synth warning of a worker that declares no liveness probe, naming what it could
 * declare; undefined when it declares one (`false` included).
 */
export function undeclaredWorkerLivenessWarning(healthPort: number | undefined, o: ProbeOptions = {}): string | undefined {
  if (o.liveness !== undefined) return undefined;
  if (healthPort !== undefined) {
    return `liveness is a TCP connect to port 'health' (${healthPort}): nothing is assumed about the worker's HTTP paths. Declare the check it serves, for example probes: { liveness: { httpPath: '/healthz' } }`;
  }
  return "no liveness probe: the worker declares no 'healthPort' and no probes, so nothing is assumed about it, and a hung worker is never restarted (the linters report a missing liveness probe). Declare one, for example healthPort: 8080 with probes: { liveness: { httpPath: '/healthz' } }, or probes: { liveness: { command: ['/app/healthcheck'] } } with a command the image has; probes: { liveness: false } says there is none";
}

/** The props of the probes given that connect to a port (all but commands). */
export function portProbes(o: ProbeOptions = {}): string[] {
  return (['readiness', 'liveness', 'startup'] as const).filter(role => ['http', 'grpc', 'tcp'].includes(checkOf(o[role]))).map(role => `probes.${role}`);
}

function checkProbe(scope: IConstruct, prop: string, p: Probe): void {
  const kinds = ['httpPath', 'command', 'tcp', 'grpc'].filter(k => (p as any)[k] !== undefined);
  if (kinds.length !== 1) {
    throw new MicroserviceConfigError(scope, `'${prop}' must have exactly one of httpPath, command, tcp or grpc, got ${show(p)}: for example { httpPath: '/healthz' }`);
  }
  checkKnownProps(scope, p, ['initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'failureThreshold', kinds[0], ...(kinds[0] === 'grpc' ? ['service'] : [])], `${prop}.`);
  if ('command' in p) checkStringArray(scope, `${prop}.command`, p.command);
  if ('httpPath' in p && (typeof p.httpPath !== 'string' || !p.httpPath.startsWith('/'))) {
    throw new MicroserviceConfigError(scope, `'${prop}.httpPath' must start with '/', got ${show(p.httpPath)}: for example '/healthz'`);
  }
  if ('command' in p && (!Array.isArray(p.command) || p.command.length === 0)) {
    throw new MicroserviceConfigError(scope, `'${prop}.command' must be a non-empty list, got ${show(p.command)}: for example ['/bin/grpc_health_probe', '-addr=:8080']`);
  }
  for (const k of ['initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'failureThreshold'] as const) {
    const v = p[k];
    const min = k === 'initialDelaySeconds' ? 0 : 1;
    if (v !== undefined && (!Number.isInteger(v) || v < min)) {
      throw new MicroserviceConfigError(scope, `'${prop}.${k}' must be a whole number >= ${min}, got ${show(v)}`);
    }
    checkIntBound(scope, `${prop}.${k}`, v, 32);
  }
}

/** The Kubernetes probe for a check in a role, checked and with the role's timing defaults. */
export function renderProbe(scope: IConstruct, role: Role, p: Probe, target: ProbeTarget, prop = `probes.${role}`): k8s.Probe {
  checkProbe(scope, prop, p);
  const t = TIMING[role];
  const timing = {
    initialDelaySeconds: p.initialDelaySeconds,
    periodSeconds: p.periodSeconds ?? t.periodSeconds,
    timeoutSeconds: p.timeoutSeconds ?? t.timeoutSeconds,
    failureThreshold: p.failureThreshold ?? t.failureThreshold,
    successThreshold: 1,
  };
  const port = target.portName;
  if ('httpPath' in p) return { httpGet: { path: p.httpPath, port }, ...timing };
  if ('command' in p) return { exec: { command: [...p.command] }, ...timing };
  if ('grpc' in p) return { grpc: { port: target.portNumber, service: p.service }, ...timing };
  return { tcpSocket: { port }, ...timing };
}

function checkOnly(p: Probe): Probe {
  const { initialDelaySeconds: _d, periodSeconds: _p, timeoutSeconds: _t, failureThreshold: _f, ...check } = p;
  return check as Probe;
}

/** The three probes after overrides and defaults. */
export function renderProbes(scope: IConstruct, target: ProbeTarget, defaults: { readiness?: Probe; liveness: Probe }, o: ProbeOptions = {}) {
  const readinessCheck = o.readiness ?? defaults.readiness;
  const livenessCheck = o.liveness === undefined ? defaults.liveness : o.liveness;
  // the startup probe reuses the liveness check, not its timing: it has patience of its own
  const startupCheck = o.startup === undefined ? (livenessCheck ? checkOnly(livenessCheck) : undefined) : o.startup;
  return {
    readinessProbe: readinessCheck ? renderProbe(scope, 'readiness', readinessCheck, target) : undefined,
    livenessProbe: livenessCheck ? renderProbe(scope, 'liveness', livenessCheck, target) : undefined,
    startupProbe: startupCheck ? renderProbe(scope, 'startup', startupCheck, target) : undefined,
  };
}

/** The names of ProbeOptions, for checkKnownProps(). */
export const PROBE_PROPS = propNames<ProbeOptions>({ readiness: true, liveness: true, startup: true });
