// The objects validated together, and the few questions every check asks about them: which
// objects run pods, what their pod template looks like, what a label selector selects, and
// what else lives in the same namespace.
import { Doc, Manifest, isObject } from './manifests';

/** Kinds that run pods from a pod template (or are a pod). */
export const WORKLOAD_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod']);

/**
 * Whether an object runs pods from a pod template of its own: the kinds above, and an Argo
 * Rollouts Rollout with a `template` (one with a `workloadRef` runs the referenced Deployment's
 * template: that Deployment is the workload the checks look at, see Bundle.rolloutRunning()).
 */
export function isWorkload(o: Doc): boolean {
  return WORKLOAD_KINDS.has(o?.kind) || (o?.kind === 'Rollout' && isObject(o.spec?.template));
}

/** The namespace an object is in; '' when it does not say (cluster-scoped, or the default one). */
export function namespaceOf(o: Doc): string {
  return o?.metadata?.namespace || '';
}

/** The name of an object, when it has one. */
export function nameOf(o: Doc): string | undefined {
  return o?.metadata?.name;
}

/** The pod spec a workload runs: the Pod's own spec, a CronJob's job template's, or the template's. */
export function podSpecOf(o: Doc): Doc {
  if (o?.kind === 'Pod') return o.spec;
  if (o?.kind === 'CronJob') return o.spec?.jobTemplate?.spec?.template?.spec;
  if (o?.kind === 'ScaledJob') return o.spec?.jobTargetRef?.template?.spec;
  return o?.spec?.template?.spec;
}

/** The labels the pods of a workload carry. */
export function podLabelsOf(o: Doc): Record<string, Doc> {
  const labels = o?.kind === 'Pod' ? o.metadata?.labels
    : o?.kind === 'CronJob' ? o.spec?.jobTemplate?.spec?.template?.metadata?.labels
      : o?.kind === 'ScaledJob' ? o.spec?.jobTargetRef?.template?.metadata?.labels
        : o?.spec?.template?.metadata?.labels;
  return isObject(labels) ? labels : {};
}

/** The annotations the pods of a workload carry. */
export function podAnnotationsOf(o: Doc): Record<string, Doc> {
  const annotations = o?.kind === 'Pod' ? o.metadata?.annotations
    : o?.kind === 'CronJob' ? o.spec?.jobTemplate?.spec?.template?.metadata?.annotations
      : o?.kind === 'ScaledJob' ? o.spec?.jobTargetRef?.template?.metadata?.annotations
        : o?.spec?.template?.metadata?.annotations;
  return isObject(annotations) ? annotations : {};
}

/** Init containers then containers of a pod spec. */
export function allContainersOf(spec: Doc): Doc[] {
  return [...arrayOf(spec?.initContainers), ...arrayOf(spec?.containers)];
}

/** A field that should be a list, as a list (anything else reads as empty). */
export function arrayOf(v: Doc): Doc[] {
  return Array.isArray(v) ? v : [];
}

/**
 * Whether an equality selector (`matchLabels`, a Service's `selector`) selects the labels.
 * An empty or missing selector selects nothing here: in this bundle it is always a mistake
 * worth reporting (a Service without a selector is handled before this is asked).
 */
export function selects(selector: Doc, labels: Doc): boolean {
  if (!isObject(selector) || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => isObject(labels) && labels[k] === v);
}

/** Lookups across the objects validated together. */
export class Bundle {
  /** Documents that are objects with a kind: what the reference and policy checks look at. */
  readonly objects: readonly Manifest[];
  /** The objects that run pods. */
  readonly workloads: readonly Manifest[];

  constructor(manifests: readonly Manifest[]) {
    this.objects = manifests.filter(m => isObject(m.object) && m.object.kind);
    this.workloads = this.objects.filter(m => isWorkload(m.object));
  }

  /** The Rollout of the namespace that runs the pod template of this Deployment (its `workloadRef`), if one does. */
  rolloutRunning(deployment: Manifest): Manifest | undefined {
    if (deployment.object.kind !== 'Deployment') return undefined;
    return this.ofKind('Rollout').find(r => {
      const ref = r.object.spec?.workloadRef;
      return (ref?.kind ?? 'Deployment') === 'Deployment' && ref?.name === nameOf(deployment.object) && namespaceOf(r.object) === namespaceOf(deployment.object);
    });
  }

  /** Every object of a kind, in input order. */
  ofKind(kind: string): Manifest[] {
    return this.objects.filter(m => m.object.kind === kind);
  }

  /** The first object with this kind and name in the namespace. */
  find(kind: string | undefined, name: string | undefined, namespace: string): Manifest | undefined {
    return this.objects.find(m => m.object.kind === kind && nameOf(m.object) === name && namespaceOf(m.object) === namespace);
  }

  /** Workloads of the namespace whose pods the equality selector selects. */
  workloadsSelectedBy(selector: Doc, namespace: string): Manifest[] {
    // a KEDA ScaledJob makes Jobs from its template: its pods are real selection targets too
    const owners = [...this.workloads, ...this.ofKind('ScaledJob')];
    return owners.filter(w => namespaceOf(w.object) === namespace && selects(selector, podLabelsOf(w.object)));
  }

  /** Services of the namespace whose selector selects the pod labels. */
  servicesSelecting(labels: Doc, namespace: string): Manifest[] {
    return this.ofKind('Service').filter(s => namespaceOf(s.object) === namespace && selects(s.object.spec?.selector, labels));
  }
}
