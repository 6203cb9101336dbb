// How many pods a workload runs and how a rollout replaces them: a fixed count or a
// HorizontalPodAutoscaler's bounds, and the Deployment's rolling update.
import { Construct, IConstruct } from 'constructs';
import * as k8s from '../../rendering/kube';
import { MicroserviceConfigError, show } from '../../errors';
import type { AutoscalingOptions, RollingUpdateOptions, WorkloadProps, WorkloadSpec } from './props';

const DEFAULT_MAX_SURGE = '25%';
const DEFAULT_CPU_TARGET = 70;
/** The autoscaling floor when `minReplicas` is not given (0 under an external scaler). */
export const DEFAULT_MIN_REPLICAS = 2;

/** Checks `replicas` and `autoscaling`; returns the fixed pod count (the default when autoscaled). */
export function checkScaling(scope: IConstruct, props: WorkloadProps, spec: WorkloadSpec): number {
  const defaultReplicas = spec.defaultReplicas;
  if (props.replicas !== undefined && props.autoscaling !== undefined) {
    throw new MicroserviceConfigError(scope, `'replicas' (${props.replicas}) and 'autoscaling' are exclusive: keep 'autoscaling' and drop 'replicas', or the reverse`);
  }
  const replicas = props.replicas ?? defaultReplicas;
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw new MicroserviceConfigError(scope, `'replicas' must be a whole number >= 0, got ${show(props.replicas)}`);
  }
  const a = props.autoscaling;
  if (a) {
    // an HPA cannot scale to zero; an event-driven scaler (KEDA) can
    const floor = spec.externalScaler ? 0 : 1;
    const min = a.minReplicas ?? (spec.externalScaler ? 0 : DEFAULT_MIN_REPLICAS);
    if (!Number.isInteger(min) || min < floor) {
      const fix = floor === 1 ? ': only a queue-driven ScaledWorker (queue) can scale to zero' : '';
      throw new MicroserviceConfigError(scope, `'autoscaling.minReplicas' must be a whole number >= ${floor}, got ${show(a.minReplicas)}${fix}`);
    }
    if (!Number.isInteger(a.maxReplicas) || a.maxReplicas < min) {
      throw new MicroserviceConfigError(scope, `'autoscaling.maxReplicas' (${show(a.maxReplicas)}) must be a whole number >= minReplicas (${min}): raise maxReplicas or lower minReplicas`);
    }
    for (const k of ['targetCpuUtilization', 'targetMemoryUtilization'] as const) {
      const v = a[k];
      if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)) {
        throw new MicroserviceConfigError(scope, `'autoscaling.${k}' must be a positive whole percentage of the request, got ${show(v)}: for example 70`);
      }
    }
  }
  return replicas;
}

/** The Deployment's rolling update from `rollingUpdate`, checked. */
export function checkRollingUpdate(scope: IConstruct, r: RollingUpdateOptions): k8s.RollingUpdateDeployment {
  // a surge may exceed 100% (twice the pods during a rollout); unavailability may not
  const value = (prop: string, v: number | string, maxPercent: number) => {
    if ((typeof v === 'number' && Number.isInteger(v) && v >= 0) || (typeof v === 'string' && /^\d+%$/.test(v) && parseInt(v, 10) <= maxPercent)) {
      return typeof v === 'number' ? v : v;
    }
    const range = maxPercent === Infinity ? "such as '25%'" : `from '0%' to '${maxPercent}%'`;
    throw new MicroserviceConfigError(scope, `'rollingUpdate.${prop}' must be a whole number >= 0 or a percentage ${range}, got ${show(v)}`);
  };
  const surge = r.maxSurge ?? DEFAULT_MAX_SURGE;
  const unavailable = r.maxUnavailable ?? 0;
  if (parseInt(String(surge), 10) === 0 && parseInt(String(unavailable), 10) === 0) {
    throw new MicroserviceConfigError(scope, "'rollingUpdate' has maxSurge and maxUnavailable both 0, so a rollout could never start: set maxSurge to 1 (or '25%')");
  }
  return { maxSurge: value('maxSurge', surge, Infinity), maxUnavailable: value('maxUnavailable', unavailable, 100) };
}

/**
 * The autoscaler of the Deployment named in `metadata` (or of the `target` kind of that name,
 * a Rollout). `meshContainer` is the app container's name when the pod also runs a sidecar.
 */
export function makeAutoscaler(
  scope: Construct, metadata: k8s.ObjectMeta, a: AutoscalingOptions, meshContainer: string | undefined,
  target: { readonly apiVersion: string; readonly kind: string } = { apiVersion: 'apps/v1', kind: 'Deployment' },
): k8s.KubeHorizontalPodAutoscalerV2 {
  // With a mesh the pod also runs istio-proxy, whose requests are not ours: a `Resource`
  // target would average the app with its sidecar. `ContainerResource` (autoscaling/v2,
  // HPAContainerMetrics: beta and on by default since Kubernetes 1.27, GA in 1.30) measures the
  // app container alone.
  const metric = (name: string, target: number): k8s.MetricSpecV2 => (meshContainer !== undefined
    ? { type: 'ContainerResource', containerResource: { name, container: meshContainer, target: { type: 'Utilization', averageUtilization: target } } }
    : { type: 'Resource', resource: { name, target: { type: 'Utilization', averageUtilization: target } } });
  const metrics: k8s.MetricSpecV2[] = [];
  const cpu = a.targetCpuUtilization ?? (a.targetMemoryUtilization === undefined ? DEFAULT_CPU_TARGET : undefined);
  if (cpu !== undefined) metrics.push(metric('cpu', cpu));
  if (a.targetMemoryUtilization !== undefined) metrics.push(metric('memory', a.targetMemoryUtilization));
  return new k8s.KubeHorizontalPodAutoscalerV2(scope, 'Autoscaler', {
    metadata,
    spec: {
      scaleTargetRef: { apiVersion: target.apiVersion, kind: target.kind, name: metadata.name! },
      minReplicas: a.minReplicas ?? DEFAULT_MIN_REPLICAS,
      maxReplicas: a.maxReplicas,
      metrics,
      behavior: {
        // scale up at the Kubernetes pace, scale down slowly: a brief lull must not shed
        // capacity that the next burst needs
        scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] },
      },
    },
  });
}
