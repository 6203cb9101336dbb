import { Construct } from 'constructs';
import * as k8s from '../rendering/kube';
import { propNames } from '../props/checks';

/**
 * Who is on the other side of a NetworkPolicy rule: pods chosen by namespace and labels
 * (outside the policy's own namespace too), address ranges (`cidrs`), or both.
 */
export interface PodsPeer {
  /** The namespace of the pods. @default - the policy's own namespace */
  readonly namespace?: string;
  /** Labels of the pods. @default - every pod of the namespace */
  readonly podLabels?: Record<string, string>;
  /**
   * Address ranges, IPv4 or IPv6 (`'35.191.0.0/16'`, `'169.254.20.10/32'`, `'2600:2d00:1:b029::/64'`):
   * one NetworkPolicy `ipBlock` peer each, for what is not a pod of the cluster (a cloud load
   * balancer's proxies and health checkers, NodeLocal DNS on its link-local address, a
   * host-network agent). Kubernetes matches an ipBlock against the packet's address as the
   * network plugin sees it, which may be after a load balancer or kube-proxy rewrote it (SNAT),
   * and whether it applies to pod IPs at all is up to the plugin
   * (https://kubernetes.io/docs/concepts/services-networking/network-policies/). Each must be
   * canonical (no host bits: `10.0.0.0/8`, not `10.1.2.3/8`). With `namespace` or `podLabels`
   * too, the rule admits those pods and these ranges; with `cidrs` alone, only the ranges.
   * @default - no address range
   */
  readonly cidrs?: string[];
}

/** One allowed direction of traffic for the pods a policy selects. */
export interface AllowRule {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** The pods the policy applies to; `{}` for every pod of the namespace. */
  readonly podSelector: Record<string, string>;
  readonly direction: 'Ingress' | 'Egress';
  readonly peers: k8s.NetworkPolicyPeer[];
  /** Port numbers, or names of the selected (ingress) or destination (egress) pods' container ports. */
  readonly ports: ReadonlyArray<{ readonly port: number | string; readonly protocol?: 'TCP' | 'UDP' }>;
}

// Policy names join ids with '.', which no id can contain (ids are RFC 1035 labels), so a
// name never stands for two things: `web.to.catalog` is one edge whatever the services are
// called, and `catalog.allow-prometheus` can never be an edge from a service named prometheus.

/** The name of one side of a connection: `web.to.catalog`, `catalog.from.web`, `web.to.billing.invoices`. */
export function edgePolicyName(self: string, direction: 'to' | 'from', peer: string, peerNamespace?: string): string {
  return [self, direction, ...(peerNamespace ? [peerNamespace] : []), peer].join('.');
}

/** The name of a policy admitting infrastructure to a workload: `catalog.allow-prometheus`. */
export function admitPolicyName(self: string, what: 'prometheus' | 'ingress' | 'load-balancer'): string {
  return `${self}.allow-${what}`;
}

/** Pods in a namespace, as a NetworkPolicy peer (`kubernetes.io/metadata.name` is set by the API server). */
export function podsPeer(p: PodsPeer): k8s.NetworkPolicyPeer {
  return {
    namespaceSelector: p.namespace ? { matchLabels: { 'kubernetes.io/metadata.name': p.namespace } } : undefined,
    podSelector: labelSelector(p.podLabels),
  };
}

/**
 * The NetworkPolicy peers of a PodsPeer: the pods (when `namespace` or `podLabels` is given, or
 * when there are no `cidrs`) and an `ipBlock` per CIDR.
 */
export function peersOf(p: PodsPeer): k8s.NetworkPolicyPeer[] {
  const blocks = (p.cidrs ?? []).map(cidr => ({ ipBlock: { cidr } }));
  const pods = blocks.length && p.namespace === undefined && p.podLabels === undefined ? [] : [podsPeer(p)];
  return [...pods, ...blocks];
}

/**
 * A label selector for these labels; `{}` (every pod) when there are none. The API server does
 * not store an empty `matchLabels`: `{ matchLabels: {} }` comes back as `{}`, so an object that
 * holds one is written again on every apply and a GitOps controller never sees it in sync.
 */
export function labelSelector(labels: Record<string, string> | undefined): k8s.LabelSelector {
  return labels && Object.keys(labels).length ? { matchLabels: { ...labels } } : {};
}

/** Any address, v4 and v6: what traffic through a cloud load balancer comes from. */
export function anywherePeers(): k8s.NetworkPolicyPeer[] {
  return [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }];
}

/** Denies all ingress and egress of every pod in the namespace: the baseline all rules add to. */
export function denyAllPolicy(scope: Construct, id: string, namespace: string, labels: Record<string, string>): k8s.KubeNetworkPolicy {
  return new k8s.KubeNetworkPolicy(scope, id, {
    metadata: { name: 'default-deny', namespace, labels },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  });
}

/** A policy that allows one direction of traffic between the selected pods and the peers. */
export function allowPolicy(scope: Construct, id: string, r: AllowRule): k8s.KubeNetworkPolicy {
  const rule = {
    ports: r.ports.map(p => ({ port: typeof p.port === 'number' ? p.port : p.port, protocol: p.protocol ?? 'TCP' })),
  };
  return new k8s.KubeNetworkPolicy(scope, id, {
    metadata: { name: r.name, namespace: r.namespace, labels: r.labels },
    spec: {
      podSelector: labelSelector(r.podSelector),
      policyTypes: [r.direction],
      ingress: r.direction === 'Ingress' ? [{ from: r.peers, ...rule }] : undefined,
      egress: r.direction === 'Egress' ? [{ to: r.peers, ...rule }] : undefined,
    },
  });
}

/** The names of PodsPeer, for checkKnownProps(). */
export const PODS_PEER_PROPS = propNames<PodsPeer>({ namespace: true, podLabels: true, cidrs: true });
