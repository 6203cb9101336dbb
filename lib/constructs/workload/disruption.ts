// What keeps a workload available while nodes drain and zones fail: a disruption budget and
// topology spread constraints.
import { Construct } from 'constructs';
import * as k8s from '../../rendering/kube';

/** One pod at a time may go: drains proceed, capacity drops by at most one pod. */
export function disruptionBudget(scope: Construct, id: string, metadata: k8s.ObjectMeta, selector: Record<string, string>): k8s.KubePodDisruptionBudget {
  return new k8s.KubePodDisruptionBudget(scope, id, {
    metadata,
    spec: {
      maxUnavailable: 1,
      selector: { matchLabels: selector },
      // a pod that is not ready serves nothing: let drains evict it
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  });
}

/**
 * Zones first, then nodes; ScheduleAnyway so a small or tainted cluster still schedules.
 * `revisionLabel` is the label that tells a controller's revisions apart: a Deployment's
 * ReplicaSets' `pod-template-hash`, an Argo Rollouts Rollout's `rollouts-pod-template-hash`.
 */
export function spreadConstraints(selector: Record<string, string>, byRevision = true, revisionLabel = 'pod-template-hash'): k8s.TopologySpreadConstraint[] {
  return ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map(topologyKey => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: selector },
    // spread each revision on its own, so a rollout does not count the pods it replaces (a
    // StatefulSet replaces its pods in place, one at a time: all of them count)
    matchLabelKeys: byRevision ? [revisionLabel] : undefined,
  }));
}
