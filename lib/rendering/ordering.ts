// The order `kubectl apply -f` needs to succeed in one pass: a Namespace before what lives in
// it, ServiceAccounts and ConfigMaps before the pods that use them, workloads before what
// targets them. The same sequence as Helm's install order, cut to the kinds we emit.
const KIND_ORDER = [
  'Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodDisruptionBudget', 'ServiceAccount',
  'Secret', 'ConfigMap', 'PersistentVolumeClaim', 'Role', 'RoleBinding', 'Service', 'Deployment',
  'StatefulSet', 'Job', 'CronJob', 'HorizontalPodAutoscaler', 'Ingress',
];

function rank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  // custom resources (monitors, mesh policy, scalers) come last, after their targets exist
  return i < 0 ? KIND_ORDER.length : i;
}

// code-unit order, not localeCompare: output must not depend on the machine's locale
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Sorts manifests by apply order, then kind, then name: stable whatever order the code ran in. */
export function sortManifests<T extends { kind?: string; metadata?: { name?: string } }>(objects: T[]): T[] {
  return [...objects].sort((a, b) =>
    rank(a.kind ?? '') - rank(b.kind ?? '')
    || cmp(a.kind ?? '', b.kind ?? '')
    || cmp(a.metadata?.name ?? '', b.metadata?.name ?? ''));
}
