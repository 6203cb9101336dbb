// What a cluster must have before an app's manifests apply and run: the custom resource
// definitions and controllers its objects need, and the objects they name that the app does not
// create (Secrets, a PriorityClass, an IngressClass, a StorageClass, a Gateway...). Read from the
// rendered objects, so that whatever made an object (a prop, an escape hatch) is counted.
import { MicroserviceApp } from '../constructs/microservice-app';
import type { PodsPeer } from '../network/network-policy';

/** An object the app's objects name and the app does not create. */
export interface NamedObject {
  readonly kind: string;
  /** Undefined for cluster-scoped kinds. */
  readonly namespace?: string;
  readonly name: string;
  /** `Kind/name (field)` of each object that names it. */
  readonly namedBy: string[];
}

/** A controller (or CRDs) the app's objects need. */
export interface Requirement {
  /** What to install, with the settings the app's objects expect. */
  readonly what: string;
  /** What happens without it. */
  readonly without: string;
  /** The kinds of the app that need it. */
  readonly kinds: string[];
}

export interface Prerequisites {
  readonly requirements: Requirement[];
  readonly named: NamedObject[];
}

const code = (s: string) => `\`${s}\``;
const labels = (l: Record<string, string> | undefined) => (l && Object.keys(l).length ? Object.entries(l).map(([k, v]) => `${k}=${v}`).join(',') : 'any');
const REFUSED = '`kubectl apply` refuses the kind';

/** The pods (or address ranges) a network peer admits, as the policy reads it. */
function peer(p: PodsPeer, ownNamespace: string): string {
  const cidrs = p.cidrs?.length ? `addresses ${p.cidrs.map(code).join(', ')}` : undefined;
  if (cidrs && p.namespace === undefined && p.podLabels === undefined) return cidrs;
  return `pods ${code(labels(p.podLabels))} in namespace ${code(p.namespace ?? ownNamespace)}${cidrs ? ` and ${cidrs}` : ''}`;
}

type Need = Omit<Requirement, 'kinds'>;

/** The CRDs and controller an API group of the app's objects needs. */
function requirementFor(app: MicroserviceApp, group: string): Need | undefined {
  switch (group) {
    case 'monitoring.coreos.com': {
      const m = app.monitoring;
      const where = m ? `, and a Prometheus (${peer(m.prometheus, app.namespaceName)}) selecting ${code(labels(m.labels))}` : '';
      return { what: `the Prometheus Operator's CRDs (${code('monitoring.coreos.com/v1')})${where} ([installation](https://prometheus-operator.dev/docs/getting-started/installation/))`, without: `${REFUSED}; no Prometheus selecting them: nothing is scraped or alerted on` };
    }
    case 'keda.sh': return { what: `KEDA (${code('keda.sh/v1alpha1')}, [deploying KEDA](https://keda.sh/docs/latest/deploy/))`, without: REFUSED };
    case 'networking.istio.io':
    case 'security.istio.io':
    case 'telemetry.istio.io': return { what: 'Istio: its CRDs, istiod and the CNI plugin ([installation](https://istio.io/latest/docs/setup/install/))', without: REFUSED };
    case 'argoproj.io': return { what: `Argo Rollouts (${code('argoproj.io/v1alpha1')}, [installation](https://argo-rollouts.readthedocs.io/en/stable/installation/))`, without: REFUSED };
    case 'gateway.networking.k8s.io': {
      const g = app.gateway;
      const listener = g ? `; the Gateway ${code(`${g.namespace}/${g.name}`)}, its ${g.sectionName ? `listener ${code(g.sectionName)}` : 'listeners'} admitting routes from namespace ${code(app.namespaceName)} ([route attachment](https://gateway-api.sigs.k8s.io/guides/multiple-ns/#cross-namespace-route-attachment))` : '';
      return { what: `the Gateway API CRDs (${code('gateway.networking.k8s.io/v1')}) and a Gateway controller ([installing](https://gateway-api.sigs.k8s.io/guides/#installing-gateway-api))${listener}`, without: `${REFUSED}; a listener that does not admit the namespace: the routes are not attached` };
    }
    default: return group.includes('.') && !group.endsWith('.k8s.io') ? { what: `the CRDs of ${code(group)}`, without: REFUSED } : undefined;
  }
}

/** What the built-in kinds need that a bare cluster may lack. */
function builtInRequirement(app: MicroserviceApp, kind: string, objects: any[]): Need | undefined {
  switch (kind) {
    case 'Ingress': {
      const classes = [...new Set(objects.filter(o => o.kind === 'Ingress').map(o => o.spec?.ingressClassName).filter(Boolean))];
      const c = app.ingressController;
      return {
        what: `an Ingress controller${classes.length ? ` of class ${classes.map(code).join(', ')}` : ' (the default IngressClass)'}: ${peer(c, app.namespaceName)}, which the network policy admits ([Ingress](https://kubernetes.io/docs/concepts/services-networking/ingress/#prerequisites))`,
        without: 'the Ingress is accepted and routes nothing',
      };
    }
    case 'NetworkPolicy': return { what: 'a network plugin that enforces NetworkPolicy ([network policies](https://kubernetes.io/docs/concepts/services-networking/network-policies/#prerequisites))', without: 'the policies are accepted and do nothing' };
    case 'HorizontalPodAutoscaler': return { what: `the resource metrics API (${code('metrics.k8s.io')}: metrics-server) for cpu and memory targets ([HPA](https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#support-for-resource-metrics))`, without: 'the autoscaler reads no utilization and does not scale' };
    default: return undefined;
  }
}

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');

/** The CRDs and controllers the objects need, and the objects they name that the app does not create. */
export function prerequisites(app: MicroserviceApp, objects: any[]): Prerequisites {
  const requirements = new Map<string, { need: Need; kinds: Set<string> }>();
  const need = (n: Need | undefined, kind: string) => {
    if (n) requirements.set(n.what, { need: n, kinds: (requirements.get(n.what)?.kinds ?? new Set<string>()).add(kind) });
  };
  for (const o of objects) {
    need(requirementFor(app, groupOf(String(o.apiVersion))), o.kind);
    need(builtInRequirement(app, o.kind, objects), o.kind);
  }
  if (objects.some(o => o.kind === 'ConfigMap' && o.metadata?.labels?.grafana_dashboard !== undefined)) {
    need({ what: 'optional: Grafana with its dashboard sidecar, which loads ConfigMaps labelled `grafana_dashboard`', without: 'no dashboards' }, 'ConfigMap');
  }
  return {
    // what apply refuses first
    requirements: [...requirements.values()]
      .map(r => ({ ...r.need, kinds: [...r.kinds].sort() }))
      .sort((a, b) => Number(!a.without.startsWith(REFUSED)) - Number(!b.without.startsWith(REFUSED))),
    named: namedObjects(objects, app.mesh ? app.ingressController.namespace : undefined),
  };
}

/** Every reference to another object in the app's objects, minus the objects the app creates. */
function namedObjects(objects: any[], tlsNamespace: string | undefined): NamedObject[] {
  // each naming object once, with every field that names it: `StatefulSet/postgres (env, volume)`
  const found = new Map<string, { kind: string; namespace?: string; name: string; namedBy: Map<string, Set<string>> }>();
  const created = new Set(objects.map(o => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`));
  for (const o of objects) {
    const ns: string | undefined = o.metadata?.namespace;
    const by = `${o.kind}/${o.metadata?.name}`;
    const add = (kind: string, name: unknown, namespace: string | undefined, field: string) => {
      if (typeof name !== 'string' || name === '') return;
      const key = `${kind}/${namespace ?? ''}/${name}`;
      if (created.has(key)) return;
      const entry = found.get(key) ?? { kind, namespace, name, namedBy: new Map<string, Set<string>>() };
      entry.namedBy.set(by, (entry.namedBy.get(by) ?? new Set<string>()).add(field));
      found.set(key, entry);
    };
    walk(o.spec, (key, node) => {
      switch (key) {
        case 'secretKeyRef': add('Secret', node?.name, ns, opt(node, 'env')); break;
        case 'secretRef': add('Secret', node?.name, ns, opt(node, 'envFrom')); break;
        case 'secret': add('Secret', node?.secretName ?? node?.name, ns, opt(node, 'volume')); break;
        case 'imagePullSecrets': for (const s of node ?? []) add('Secret', s?.name, ns, 'imagePullSecrets'); break;
        case 'secretTargetRef': for (const s of node ?? []) add('Secret', s?.name, ns, 'secretTargetRef'); break;
        case 'configMapKeyRef': add('ConfigMap', node?.name, ns, opt(node, 'env')); break;
        case 'configMapRef': add('ConfigMap', node?.name, ns, opt(node, 'envFrom')); break;
        case 'configMap': add('ConfigMap', node?.name, ns, opt(node, 'volume')); break;
        case 'persistentVolumeClaim': add('PersistentVolumeClaim', node?.claimName, ns, 'volume'); break;
        case 'priorityClassName': add('PriorityClass', node, undefined, 'priorityClassName'); break;
        case 'storageClassName': add('StorageClass', node, undefined, 'storageClassName'); break;
        case 'ingressClassName': add('IngressClass', node, undefined, 'ingressClassName'); break;
        // with a mesh, Istio's gateway reads the Ingress's certificate in its own namespace
        case 'tls': if (o.kind === 'Ingress') for (const t of node ?? []) add('Secret', t?.secretName, tlsNamespace ?? ns, 'tls'); break;
        case 'parentRefs': for (const p of node ?? []) if ((p?.kind ?? 'Gateway') === 'Gateway') add('Gateway', p?.name, p?.namespace ?? ns, 'parentRefs'); break;
        default: break;
      }
    });
  }
  const order = ['Secret', 'ConfigMap', 'PersistentVolumeClaim', 'PriorityClass', 'StorageClass', 'IngressClass', 'Gateway'];
  return [...found.values()]
    .map(e => ({ kind: e.kind, namespace: e.namespace, name: e.name, namedBy: [...e.namedBy].map(([o, fields]) => `${o} (${[...fields].sort().join(', ')})`).sort() }))
    .sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.name.localeCompare(b.name) || (a.namespace ?? '').localeCompare(b.namespace ?? ''));
}

/** A reference marked optional: the pod starts without the object. */
const opt = (ref: any, field: string) => (ref?.optional === true ? `optional ${field}` : field);

/** Calls `visit(key, value)` for every property below `node`, depth first. */
function walk(node: unknown, visit: (key: string, value: any) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      visit(key, value);
      walk(value, visit);
    }
  }
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** The README section: what to install, and what to create, before the first apply. */
export function prerequisitesSection(app: MicroserviceApp, objects: any[]): string[] {
  const p = prerequisites(app, objects);
  const lines = [
    '## Before the first apply',
    '',
    'What the cluster must have, and what the app names but nothing in this folder creates.',
    '',
    '| needs | for | without it |',
    '| --- | --- | --- |',
    ...p.requirements.map(r => `| ${cell(r.what)} | ${r.kinds.join(', ')} | ${r.without} |`),
    '',
  ];
  if (p.named.length) {
    lines.push(
      'Objects the app names but does not create (a pod waits for a missing Secret, ConfigMap or claim;',
      'the API server refuses a pod whose PriorityClass does not exist,',
      '[pod priority](https://kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/#priorityclass)):',
      '',
      '| kind | namespace | name | named by |',
      '| --- | --- | --- | --- |',
      ...p.named.map(n => `| ${n.kind} | ${n.namespace ?? '(cluster)'} | ${code(n.name)} | ${cell(n.namedBy.join(', '))} |`),
      '',
    );
  } else {
    lines.push('The app names no object that it does not create.', '');
  }
  return lines;
}
