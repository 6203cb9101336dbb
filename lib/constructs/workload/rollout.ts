/**
 * The Argo Rollouts `Rollout` (argoproj.io/v1alpha1) that runs a workload's pods in place of its
 * Deployment. The Deployment stays, without `replicas`, as the holder of the pod template: the
 * Rollout references it (`workloadRef`) and makes its ReplicaSets from that template, so every
 * pod setting and check of the library applies unchanged. The controller scales the Deployment
 * to 0 as the Rollout's first pods get ready (`scaleDown: progressively`), and no apply sets its
 * replicas again (the manifest has none).
 *
 * Upstream: https://argo-rollouts.readthedocs.io/en/stable/migrating/ ("Reference Deployment
 * From Rollout"), https://argo-rollouts.readthedocs.io/en/stable/features/specification/.
 */
import type { Construct } from 'constructs';
import type { Rollout, RolloutSpecStrategyCanary } from '../../../imports/argoproj.io';
import type { Api } from '../../rendering/api-shape';
import { argoRolloutsKinds } from '../../rendering/crds';

/** The label Argo Rollouts gives the pods of each ReplicaSet of a Rollout (a Deployment's is `pod-template-hash`). */
export const ROLLOUT_HASH_LABEL = 'rollouts-pod-template-hash';

/** What an autoscaler scales when not a Deployment: an Argo Rollouts Rollout (it has the `/scale` subresource). */
export const ROLLOUT_SCALE_TARGET = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout' } as const;

/** What the Rollout of a workload is made of. */
export interface WorkloadRolloutOptions {
  /** The Rollout's metadata: the workload's name (the Deployment's too), namespace and labels. */
  readonly metadata: { readonly name: string; readonly namespace: string; readonly labels: Record<string, string> };
  /** The Deployment's selector: the pods' name and instance labels. */
  readonly selector: Record<string, string>;
  /** A fixed pod count; undefined when an autoscaler sets it (it scales the Rollout). */
  readonly replicas?: number;
  readonly revisionHistoryLimit: number;
  readonly canary: Api<RolloutSpecStrategyCanary>;
}

/** The Rollout (child id `Rollout`) that runs the pod template of the Deployment of the same name. */
export function workloadRollout(scope: Construct, o: WorkloadRolloutOptions): Rollout {
  return new (argoRolloutsKinds().Rollout)(scope, 'Rollout', {
    metadata: o.metadata,
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: o.selector },
      workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: o.metadata.name, scaleDown: 'progressively' },
      revisionHistoryLimit: o.revisionHistoryLimit,
      strategy: { canary: o.canary },
    },
  });
}
