import { Construct } from 'constructs';
import * as k8s from '../rendering/kube';
import type { ScaledJob, ScaledObject, TriggerAuthentication } from '../../imports/keda.sh';
import { kedaKinds } from '../rendering/crds';
import type { QueueTrigger } from './triggers';
import { propNames } from '../props/checks';


/** KEDA settings of a queue-driven worker. */
export interface KedaOptions {
  /** Seconds between checks of the queue. @default 30 (KEDA's default: fast enough to wake from zero, cheap for the broker) */
  readonly pollingInterval?: number;
  /** Seconds after the last active trigger before scaling to zero. @default 300 (KEDA's default: bursts minutes apart do not cold-start every time) */
  readonly cooldownPeriod?: number;
  /** Replicas to run while the scaler cannot read the queue; `false` for none. @default - half of maxReplicas, rounded up: enough to keep draining, not all-in */
  readonly fallbackReplicas?: number | false;
  /** Failed reads before the fallback applies. @default 3 */
  readonly fallbackFailureThreshold?: number;
}

interface Metadata {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

/** The triggers as KEDA takes them, and a TriggerAuthentication per trigger that reads Secrets. */
function renderTriggers(scope: Construct, meta: Metadata, list: readonly QueueTrigger[]) {
  const authentications: TriggerAuthentication[] = [];
  const triggers: Array<Record<string, unknown>> = list.map(t => {
    const authName = `${meta.name}-${t.name}`;
    const r = t.render(authName, scope);
    if (r.authentication) {
      authentications.push(new (kedaKinds().TriggerAuthentication)(scope, `TriggerAuthentication-${t.name}`, { metadata: { ...meta, name: authName }, spec: r.authentication as any }));
    }
    return r.trigger as unknown as Record<string, unknown>;
  });
  return { triggers, authentications };
}

/**
 * A ScaledJob: KEDA starts Jobs from the pod template as work arrives, at most `maxReplicas`
 * running at once.
 */
export function scaledJob(scope: Construct, meta: Metadata, o: {
  /** The ScaledJob's own labels (it runs the image: the version label too). @default meta.labels */
  readonly controllerLabels?: Record<string, string>;
  readonly triggers: readonly QueueTrigger[];
  readonly template: k8s.PodTemplateSpec;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly activeDeadlineSeconds?: number;
  readonly backoffLimit: number;
  readonly successfulJobsHistoryLimit: number;
  readonly failedJobsHistoryLimit: number;
  readonly pollingInterval: number;
}): { scaledJob: ScaledJob; authentications: TriggerAuthentication[] } {
  const { triggers, authentications } = renderTriggers(scope, meta, o.triggers);
  const sj = new (kedaKinds().ScaledJob)(scope, 'ScaledJob', {
    metadata: { ...meta, labels: o.controllerLabels ?? meta.labels },
    spec: {
      jobTargetRef: {
        // the Deployment's template as it is: KEDA's generated types would drop what they do not model
        template: o.template as any,
        backoffLimit: o.backoffLimit,
        activeDeadlineSeconds: o.activeDeadlineSeconds,
      },
      pollingInterval: o.pollingInterval,
      minReplicaCount: o.minReplicas,
      maxReplicaCount: o.maxReplicas,
      successfulJobsHistoryLimit: o.successfulJobsHistoryLimit,
      failedJobsHistoryLimit: o.failedJobsHistoryLimit,
      triggers: triggers as any,
    },
  });
  return { scaledJob: sj, authentications };
}

/** The ScaledObject (and a TriggerAuthentication per authenticated trigger) that scale one Deployment. */
export function scaledObject(scope: Construct, meta: Metadata, o: {
  readonly triggers: readonly QueueTrigger[];
  readonly cpuUtilization?: number;
  /** A memory trigger beside the queue ones (`autoscaling.targetMemoryUtilization`). @default - none */
  readonly memoryUtilization?: number;
  /** Measure cpu of this container only (a pod with a sidecar: the sidecar's cpu would skew it). @default - the whole pod */
  readonly cpuContainer?: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly keda: Required<Omit<KedaOptions, 'fallbackReplicas'>> & { readonly fallbackReplicas: number | false };
}): { scaledObject: ScaledObject; authentications: TriggerAuthentication[] } {
  const { triggers, authentications } = renderTriggers(scope, meta, o.triggers);
  // a cpu trigger beside the queue ones: busy workers get help even before the backlog grows
  if (o.cpuUtilization !== undefined) triggers.push({ type: 'cpu', metricType: 'Utilization', metadata: { value: String(o.cpuUtilization), ...(o.cpuContainer ? { containerName: o.cpuContainer } : {}) } });
  if (o.memoryUtilization !== undefined) triggers.push({ type: 'memory', metricType: 'Utilization', metadata: { value: String(o.memoryUtilization), ...(o.cpuContainer ? { containerName: o.cpuContainer } : {}) } });
  const fallback = o.keda.fallbackReplicas === false || o.cpuUtilization !== undefined || o.memoryUtilization !== undefined
    ? undefined // KEDA refuses a fallback next to cpu/memory triggers
    : { failureThreshold: o.keda.fallbackFailureThreshold, replicas: o.keda.fallbackReplicas };
  const so = new (kedaKinds().ScaledObject)(scope, 'ScaledObject', {
    metadata: meta,
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: meta.name },
      pollingInterval: o.keda.pollingInterval,
      cooldownPeriod: o.keda.cooldownPeriod,
      minReplicaCount: o.minReplicas,
      maxReplicaCount: o.maxReplicas,
      fallback,
      advanced: {
        // the HPA KEDA makes is named like the workload, as ours are: dashboards and alerts find it
        horizontalPodAutoscalerConfig: {
          name: meta.name,
          behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] } },
        },
      },
      triggers: triggers as any,
    },
  });
  return { scaledObject: so, authentications };
}

/** The names of KedaOptions, for checkKnownProps(). */
export const KEDA_PROPS = propNames<KedaOptions>({ pollingInterval: true, cooldownPeriod: true, fallbackReplicas: true, fallbackFailureThreshold: true });
