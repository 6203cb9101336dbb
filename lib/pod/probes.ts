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

/** Probes of the main container; each one given replaces the protocol's default. */
export interface ProbeOptions {
  /** Whether the pod receives traffic. @default - per protocol: http GET /readyz, grpc health check, tcp connect */
  readonly readiness?: Probe;
  /** Whether the container is restarted; `false` for none. @default - per protocol: http GET /healthz, tcp connect for grpc and tcp */
  readonly liveness?: Probe | false;
  /**
   * Holds liveness and readiness off until the container has started; `false` for none.
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

/** The default checks of each protocol: readiness and liveness always differ. */
export function defaultProbes(protocol: 'http' | 'grpc' | 'tcp'): { readiness: Probe; liveness: Probe } {
  switch (protocol) {
    case 'http': return { readiness: { httpPath: '/readyz' }, liveness: { httpPath: '/healthz' } };
    // liveness stays a plain connect: a server that is up but NOT_SERVING (draining, warming a
    // cache) should leave the endpoints, not be restarted
    case 'grpc': return { readiness: { grpc: true }, liveness: { tcp: true } };
    case 'tcp': return { readiness: { tcp: true }, liveness: { tcp: true } };
  }
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
