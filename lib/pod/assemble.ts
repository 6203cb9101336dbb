import * as k8s from '../rendering/kube';
import { IConstruct } from 'constructs';
import { MicroserviceConfigError, show } from '../errors';
import { checkEnvName } from '../names';
import { SecurityOptions } from './security';
import { renderExtraContainers } from './containers';
import { ANNOTATIONS_SIZE_LIMIT, checkAnnotations, checkLabels } from '../props/checks';
import { checkInjectOutsideMesh, checkSecurityAnnotations, reservedPodKeys } from './reserved';
import type { ConfigMapEnvSource, PodProps } from './pod-props';
import { resolveUser } from './user';
import { sizeSlip, urlPasswordSlip } from '../props/slips';
import { addWarning } from '../warnings';
import { PodVolumes, checkRefName, isDataKey } from './volumes';

/** What the workload tells the pod assembly. */
export interface PodContext {
  readonly id: string;
  /** The pod runs to completion (a Job): no sidecars. */
  readonly job: boolean;
  readonly hasService: boolean;
  /** The main container's ports. */
  readonly ports: readonly k8s.ContainerPort[];
  /** Volumes the controller provides (volumeClaimTemplates). */
  readonly claimTemplateMounts: ReadonlyArray<{ readonly prop: string; readonly name: string; readonly mountPath: string; readonly subPath?: string }>;
  readonly tmpSize: string;
  /** The mount of the construct's own config ConfigMap, if any. */
  readonly config?: { readonly mountPath: string };
  /** The workload's own labels: user labels may not replace them. */
  readonly labels: Record<string, string>;
  /** The app runs Istio: its sidecar's ports and injection are reserved. @default false */
  readonly meshed?: boolean;
}

/** Everything of the pod besides the main container's own fields. */
export interface AssembledPod {
  readonly security: SecurityOptions;
  /** The pod mounts persistent volumes (claims or claim templates). */
  readonly persistent: boolean;
  readonly volumes: k8s.Volume[];
  readonly mounts: k8s.VolumeMount[];
  readonly initContainers?: k8s.Container[];
  readonly sidecars: k8s.Container[];
  readonly configMapEnv: Record<string, k8s.ConfigMapKeySelector>;
  readonly envFrom?: k8s.EnvFromSource[];
  readonly imagePullSecrets?: k8s.LocalObjectReference[];
  readonly priorityClassName?: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly serviceMetadata: { readonly labels: Record<string, string>; readonly annotations?: Record<string, string> };
}

// Istio's sidecar runs as this uid ("Application UIDs" in Istio's application requirements)
const ISTIO_PROXY_UID = 1337;
// room left in the pod template's annotations for the library's own (logging, mesh, checksum)
const LIBRARY_ANNOTATIONS_RESERVE = 8 * 1024;

/** Valid values that are likely slips: a password in a URL of a literal env value, a size without a unit. */
function warnSlips(scope: IConstruct, props: PodProps & { readonly env?: Record<string, unknown> }): void {
  const containerEnv = (prop: 'sidecars' | 'initContainers') => (Array.isArray(props[prop]) ? props[prop]! : [])
    .flatMap((c, i) => Object.entries(c?.env ?? {}).map(([name, value]) => urlPasswordSlip(`${prop}[${i}].env.${name}`, value)));
  const slips = [
    ...Object.entries(props.env ?? {}).map(([name, value]) => urlPasswordSlip(`env.${name}`, value)),
    ...containerEnv('initContainers'),
    ...containerEnv('sidecars'),
    props.writablePathSizeLimit === undefined ? undefined : sizeSlip('writablePathSizeLimit', props.writablePathSizeLimit),
  ];
  for (const slip of slips) if (slip) addWarning(scope, slip);
}

/**
 * Checks the pod props of a workload and renders them: the user, the volumes and mounts (the
 * writable /tmp first), the init containers and sidecars, env from ConfigMaps, pull secrets,
 * priority, and the extra pod and Service metadata. Every check runs before any object exists.
 */
export function assemblePod(scope: IConstruct, props: PodProps & SecurityOptions, ctx: PodContext): AssembledPod {
  const security = resolveUser(scope, props.user, { runAsUser: props.runAsUser, runAsGroup: props.runAsGroup });
  if (ctx.meshed && security.runAsUser === ISTIO_PROXY_UID) {
    // Istio's iptables rules let the proxy's own traffic (uid 1337) bypass it: the app's would too
    throw new MicroserviceConfigError(scope, `'${props.user !== undefined ? 'user.uid' : 'runAsUser'}' ${ISTIO_PROXY_UID} is the uid of Istio's sidecar, whose traffic bypasses the proxy, so this app's calls would leave the mesh unencrypted and unchecked (https://istio.io/latest/docs/ops/deployment/requirements/): choose another uid`);
  }

  const v = new PodVolumes(scope);
  v.add('/tmp', { name: 'tmp', emptyDir: { sizeLimit: ctx.tmpSize } }, { mountPath: '/tmp' }, 'the writable /tmp');
  if (ctx.config) v.add('config.mountPath', { name: 'config', configMap: { name: `${ctx.id}-config` } }, { mountPath: ctx.config.mountPath, readOnly: true });
  for (const t of ctx.claimTemplateMounts) v.add(t.prop, { name: t.name }, { mountPath: t.mountPath, subPath: t.subPath });
  v.addWritablePaths(props.writablePaths, props.writablePathSizeLimit);
  v.addClaims(props.claims);
  v.addSecretFiles(props.secretFiles);

  if (ctx.job && props.sidecars?.length) {
    throw new MicroserviceConfigError(scope, "'sidecars' cannot run in a Job's pod: a sidecar never exits, so the Job would never complete. Use 'initContainers' for work before the main container");
  }
  const names = new Set([ctx.id]);
  const ports = new Map<string | number, string>();
  for (const p of ctx.ports) {
    if (p.name) ports.set(p.name, ctx.id);
    ports.set(p.containerPort, ctx.id);
  }
  const shared = { security, mounts: v.mounts, names, ports, meshed: ctx.meshed === true };
  const initContainers = renderExtraContainers(scope, 'initContainers', props.initContainers, shared);
  const sidecars = renderExtraContainers(scope, 'sidecars', props.sidecars, shared) ?? [];

  const configMapEnv: Record<string, k8s.ConfigMapKeySelector> = {};
  for (const [name, s] of Object.entries(props.configMapEnv ?? {}) as Array<[string, ConfigMapEnvSource]>) {
    checkEnvName(scope, 'configMapEnv', name);
    if (!s || !isDataKey(s.key)) {
      throw new MicroserviceConfigError(scope, `'configMapEnv.${name}' must name a ConfigMap and a key, got ${show(s)}: for example { configMapName: 'settings', key: 'region' }`);
    }
    checkRefName(scope, `configMapEnv.${name}.configMapName`, s.configMapName);
    configMapEnv[name] = { name: s.configMapName, key: s.key, optional: s.optional };
  }

  const envFromList = props.envFromConfigMaps;
  if (envFromList !== undefined && !Array.isArray(envFromList)) throw new MicroserviceConfigError(scope, `'envFromConfigMaps' must be a list of { configMapName, prefix? }, got ${show(envFromList)}`);
  const envFrom = (envFromList ?? []).map((e, i) => {
    checkRefName(scope, `envFromConfigMaps[${i}].configMapName`, e?.configMapName);
    if (e.prefix !== undefined && (typeof e.prefix !== 'string' || !/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(e.prefix))) {
      throw new MicroserviceConfigError(scope, `'envFromConfigMaps[${i}].prefix' must start an environment variable name (letters, digits, '_', '-', '.'), got ${show(e.prefix)}: for example 'SETTINGS_'`);
    }
    return { configMapRef: { name: e.configMapName, optional: e.optional }, prefix: e.prefix };
  });

  const pullSecrets = props.imagePullSecrets;
  if (pullSecrets !== undefined && !Array.isArray(pullSecrets)) throw new MicroserviceConfigError(scope, `'imagePullSecrets' must be a list of Secret names, got ${show(pullSecrets)}`);
  (pullSecrets ?? []).forEach((n, i) => checkRefName(scope, `imagePullSecrets[${i}]`, n));
  if (props.priorityClassName !== undefined) checkRefName(scope, 'priorityClassName', props.priorityClassName);

  warnSlips(scope, props);
  const reservedLabels = Object.keys(ctx.labels);
  const reserved = reservedPodKeys(ctx.labels, ctx.job, ctx.meshed === true);
  const labels = checkLabels(scope, 'podLabels', props.podLabels, reserved.labels);
  const annotations = checkAnnotations(scope, 'podAnnotations', props.podAnnotations, reserved.annotations, ANNOTATIONS_SIZE_LIMIT - LIBRARY_ANNOTATIONS_RESERVE);
  checkInjectOutsideMesh(scope, 'podLabels', labels, ctx.meshed === true);
  checkInjectOutsideMesh(scope, 'podAnnotations', annotations, ctx.meshed === true);
  checkSecurityAnnotations(scope, 'podAnnotations', annotations, ctx.meshed ? new Set([...names, 'istio-proxy']) : names);
  if (!ctx.hasService && (props.serviceLabels !== undefined || props.serviceAnnotations !== undefined)) {
    throw new MicroserviceConfigError(scope, `'${props.serviceLabels !== undefined ? 'serviceLabels' : 'serviceAnnotations'}' has no Service to go on: this workload has none; drop it`);
  }
  const serviceLabels = checkLabels(scope, 'serviceLabels', props.serviceLabels, reservedLabels);
  const serviceAnnotations = checkAnnotations(scope, 'serviceAnnotations', props.serviceAnnotations, []);

  return {
    security,
    persistent: ctx.claimTemplateMounts.length > 0 || (props.claims ?? []).length > 0,
    volumes: v.volumes,
    mounts: v.mounts,
    initContainers,
    sidecars,
    configMapEnv,
    envFrom: envFrom.length ? envFrom : undefined,
    imagePullSecrets: pullSecrets?.length ? pullSecrets.map(name => ({ name })) : undefined,
    priorityClassName: props.priorityClassName,
    labels,
    annotations,
    serviceMetadata: {
      labels: { ...ctx.labels, ...serviceLabels },
      annotations: Object.keys(serviceAnnotations).length ? serviceAnnotations : undefined,
    },
  };
}
