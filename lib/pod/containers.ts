import * as k8s from '../rendering/kube';
import { IConstruct } from 'constructs';
import { MicroserviceConfigError, show } from '../errors';
import { parseImage } from './image';
import { checkEnvName } from '../names';
import { renderProbe } from './probes';
import { renderResources } from './resources';
import { SecurityOptions, containerSecurityContext } from './security';
import type { ExtraContainerOptions } from './pod-props';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const IANA_SVC_NAME = /^(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/;
// the words linters flag in literal env values (the main container refuses them too)
export const SECRET_ENV_NAME = /(password|passwd|token|secret|bearer|api[_-]?key|private[_-]?key|aws_secret_access_key)/i;

/** What extra containers share with the main one. */
export interface ContainerContext {
  readonly security: SecurityOptions;
  readonly mounts: k8s.VolumeMount[];
  /** Names taken in the pod (the main container's first); extended as containers are added. */
  readonly names: Set<string>;
  /** Container port names and numbers taken in the pod. */
  readonly ports: Map<string | number, string>;
  /** The pod gets Istio's sidecar, whose ports are taken too. @default false */
  readonly meshed?: boolean;
}

// the containers Istio's injector adds (istio-validation with the CNI plugin)
const ISTIO_CONTAINERS = ['istio-proxy', 'istio-init', 'istio-validation'];

/**
 * The ports of Istio's sidecar: 15000-15090, which Istio keeps for itself (istio/istio#25392:
 * "150XX ports are reserved for istio"), among them those its docs list as used by the proxy
 * (15000 admin, 15001 outbound, 15004 debug, 15006 inbound, 15008/15009 HBONE, 15020 merged
 * metrics, 15021 health, 15053 DNS, 15090 Envoy's Prometheus telemetry:
 * https://istio.io/latest/docs/ops/deployment/requirements/#ports-used-by-istio).
 */
export const ISTIO_SIDECAR_PORT_RANGE = { from: 15000, to: 15090 } as const;

/** Fails on a container port of a meshed pod that Istio's sidecar keeps (ISTIO_SIDECAR_PORT_RANGE). */
export function checkIstioPort(scope: IConstruct | string, prop: string, port: number): void {
  if (port >= ISTIO_SIDECAR_PORT_RANGE.from && port <= ISTIO_SIDECAR_PORT_RANGE.to) {
    throw new MicroserviceConfigError(scope, `'${prop}' ${port} is in the range Istio's sidecar keeps for itself (${ISTIO_SIDECAR_PORT_RANGE.from}-${ISTIO_SIDECAR_PORT_RANGE.to}: 15090 is its Prometheus telemetry, 15020 the merged metrics, 15021 its health check), and the app's mesh injects one into every pod: choose another port`);
  }
}

/**
 * Init containers or sidecars: the same security context and volume mounts as the main
 * container, requests and limits of their own (defaults as the main container's), no probes
 * for init containers (they run to completion).
 */
export function renderExtraContainers(scope: IConstruct, prop: 'initContainers' | 'sidecars', list: ExtraContainerOptions[] | undefined, ctx: ContainerContext): k8s.Container[] | undefined {
  if (list === undefined) return undefined;
  if (!Array.isArray(list)) throw new MicroserviceConfigError(scope, `'${prop}' must be a list of containers, got ${show(list)}`);
  return list.map((c, i) => {
    const at = `${prop}[${i}]`;
    if (!c || typeof c.name !== 'string' || !DNS1123_LABEL.test(c.name) || c.name.length > 63) {
      throw new MicroserviceConfigError(scope, `'${at}.name' must be a DNS label such as 'migrate' or 'exporter', got ${show(c?.name)}`);
    }
    if (ctx.names.has(c.name)) throw new MicroserviceConfigError(scope, `'${at}.name' ${show(c.name)} is the name of another container of the pod: give each container its own name`);
    if (ctx.meshed && ISTIO_CONTAINERS.includes(c.name)) {
      throw new MicroserviceConfigError(scope, `'${at}.name' ${show(c.name)} is the name of a container Istio injects into every pod of the app's mesh (${ISTIO_CONTAINERS.join(', ')}); the injector would merge the two: give it another name`);
    }
    ctx.names.add(c.name);
    parseImage(scope, c.image, `${at}.image`);
    for (const k of ['command', 'args'] as const) {
      const v = c[k];
      if (v !== undefined && (!Array.isArray(v) || v.some(x => typeof x !== 'string'))) throw new MicroserviceConfigError(scope, `'${at}.${k}' must be a list of strings, got ${show(v)}`);
    }
    const env = Object.entries(c.env ?? {}).map(([name, value]) => {
      checkEnvName(scope, `${at}.env`, name);
      if (typeof value !== 'string') throw new MicroserviceConfigError(scope, `'${at}.env.${name}' must be a string, got ${show(value)}: quote numbers and booleans`);
      if (SECRET_ENV_NAME.test(name)) throw new MicroserviceConfigError(scope, `'${at}.env' ${show(name)} looks like a secret but holds a literal value: mount it with 'secretFiles' instead`);
      return { name, value };
    });
    if (c.ports !== undefined && prop === 'initContainers') throw new MicroserviceConfigError(scope, `'${at}.ports': an init container runs to completion before the pod serves: drop 'ports', or make it a sidecar`);
    const ports = (c.ports ?? []).map((p, j) => {
      const where = `${at}.ports[${j}]`;
      if (!p || typeof p.name !== 'string' || !IANA_SVC_NAME.test(p.name) || p.name.length > 15) throw new MicroserviceConfigError(scope, `'${where}.name' must be at most 15 lowercase letters, digits and '-' with a letter, got ${show(p?.name)}: for example 'metrics'`);
      if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) throw new MicroserviceConfigError(scope, `'${where}.port' must be 1-65535, got ${show(p.port)}`);
      if (ctx.meshed) checkIstioPort(scope, `${where}.port`, p.port);
      for (const key of [p.name, p.port]) {
        const taken = ctx.ports.get(key);
        if (taken) throw new MicroserviceConfigError(scope, `'${where}' uses ${show(key)}, which container '${taken}' already declares: containers of a pod share one network namespace`);
      }
      ctx.ports.set(p.name, c.name);
      ctx.ports.set(p.port, c.name);
      return { name: p.name, containerPort: p.port, protocol: 'TCP' };
    });
    const probes = c.probes ?? {};
    if (c.probes !== undefined && (prop === 'initContainers' || !ports.length)) {
      throw new MicroserviceConfigError(scope, `'${at}.probes' need a port to probe: ${prop === 'initContainers' ? 'an init container runs to completion instead' : "add 'ports'"}`);
    }
    const target = ports.length ? { portName: ports[0].name, portNumber: ports[0].containerPort } : undefined;
    let mounts = ctx.mounts;
    if (c.mountPaths !== undefined) {
      if (!Array.isArray(c.mountPaths)) throw new MicroserviceConfigError(scope, `'${at}.mountPaths' must be a list of the pod's mount paths, got ${show(c.mountPaths)}`);
      mounts = c.mountPaths.map(p => {
        const m = ctx.mounts.find(x => x.mountPath === (typeof p === 'string' ? p.replace(/(.)\/+$/, '$1') : p));
        if (!m) throw new MicroserviceConfigError(scope, `'${at}.mountPaths' has ${show(p)}, which the pod does not mount: use one of ${ctx.mounts.map(x => `'${x.mountPath}'`).join(', ')}`);
        return m;
      });
    }
    return {
      name: c.name,
      image: c.image,
      imagePullPolicy: 'IfNotPresent',
      command: c.command,
      args: c.args,
      env: env.length ? env : undefined,
      ports: ports.length ? ports : undefined,
      resources: renderResources(scope, c.resources, `${at}.resources`),
      readinessProbe: probes.readiness && target ? renderProbe(scope, 'readiness', probes.readiness, target, `${at}.probes.readiness`) : undefined,
      livenessProbe: probes.liveness && target ? renderProbe(scope, 'liveness', probes.liveness, target, `${at}.probes.liveness`) : undefined,
      securityContext: containerSecurityContext(ctx.security),
      volumeMounts: mounts,
    };
  });
}
