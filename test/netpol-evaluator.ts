// A small evaluator of Kubernetes NetworkPolicy (networking.k8s.io/v1) for the tests: given the
// policies of a cluster, is a connection from one pod to another on a port allowed?
//
// Semantics (https://kubernetes.io/docs/concepts/services-networking/network-policies/):
// - a pod is isolated for ingress (egress) when some policy of its namespace selects it and has
//   Ingress (Egress) in policyTypes; a pod that is not isolated accepts (sends) everything;
// - an isolated pod accepts (sends) what at least one rule of a policy selecting it allows:
//   policies are additive, never subtractive;
// - a connection needs both sides: egress allowed at the source AND ingress at the destination;
// - a rule with no `from`/`to` (or an empty list) matches every peer; with no `ports` (or an
//   empty list) every port;
// - a peer with a podSelector only means pods of the policy's namespace; with a
//   namespaceSelector, pods of the selected namespaces (all of them unless a podSelector is
//   there too); an empty selector ({}) selects everything;
// - an ipBlock matches an endpoint with an `ip` inside its CIDR and outside its `except`s
//   (node's net.BlockList decides); an endpoint without an `ip` is assumed to match every
//   ipBlock: the conservative reading, since many CNIs apply ipBlocks to pod IPs;
// - an `external` endpoint (a load balancer's proxy, NodeLocal DNS on a host address) is no pod:
//   only ipBlocks match it.
// Anything outside this subset (matchExpressions, an unknown policy type) throws rather than
// being silently misread.

import { BlockList, isIPv4 } from 'node:net';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface ContainerPort {
  readonly containerPort: number;
  readonly name?: string;
  readonly protocol?: Protocol;
}

export interface Pod {
  /** For messages only. */
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Container ports, to resolve named ports in policies. @default none */
  readonly ports?: ReadonlyArray<ContainerPort>;
  /** The address, matched against ipBlocks. @default - unknown: every ipBlock matches */
  readonly ip?: string;
  /** Not a pod of the cluster (no namespace or labels count): only ipBlocks match it. @default false */
  readonly external?: boolean;
}

export interface NetworkPolicy {
  readonly kind?: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec: {
    readonly podSelector?: LabelSelector;
    readonly policyTypes?: ReadonlyArray<string>;
    readonly ingress?: ReadonlyArray<Rule>;
    readonly egress?: ReadonlyArray<Rule>;
  };
}

export interface LabelSelector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: ReadonlyArray<unknown>;
}

export interface Peer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: { readonly cidr: string; readonly except?: ReadonlyArray<string> };
}

export interface PolicyPort {
  readonly port?: number | string;
  readonly endPort?: number;
  readonly protocol?: Protocol;
}

export interface Rule {
  readonly from?: ReadonlyArray<Peer>;
  readonly to?: ReadonlyArray<Peer>;
  readonly ports?: ReadonlyArray<PolicyPort>;
}

type Direction = 'Ingress' | 'Egress';

/** The labels of a namespace: the API server sets `kubernetes.io/metadata.name` on every one. */
export function namespaceLabels(namespace: string): Record<string, string> {
  return { 'kubernetes.io/metadata.name': namespace };
}

/** Does a label selector select these labels? An empty (or missing) selector selects everything. */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (selector?.matchExpressions?.length) throw new Error('matchExpressions are not modelled by the evaluator');
  return Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

function policyTypes(p: NetworkPolicy): Direction[] {
  // the API server's defaulting: Ingress always, Egress when there are egress rules
  const types = p.spec.policyTypes ?? ['Ingress', ...(p.spec.egress?.length ? ['Egress'] : [])];
  for (const t of types) if (t !== 'Ingress' && t !== 'Egress') throw new Error(`policy ${p.metadata.name}: unknown policy type ${t}`);
  return types as Direction[];
}

/** The policies that select `pod` for a direction: those of its namespace whose podSelector matches. */
function policiesFor(policies: ReadonlyArray<NetworkPolicy>, pod: Pod, direction: Direction): NetworkPolicy[] {
  return policies.filter(p => p.metadata.namespace === pod.namespace
    && selects(p.spec.podSelector, pod.labels)
    && policyTypes(p).includes(direction));
}

/** Does a peer of a policy in `policyNamespace` match `pod`? */
export function peerMatches(peer: Peer, policyNamespace: string, pod: Pod): boolean {
  if (peer.ipBlock) return pod.ip === undefined || inBlock(peer.ipBlock, pod.ip);
  if (pod.external) return false;
  if (!peer.podSelector && !peer.namespaceSelector) throw new Error('a peer needs podSelector, namespaceSelector or ipBlock');
  const namespaceOk = peer.namespaceSelector
    ? selects(peer.namespaceSelector, namespaceLabels(pod.namespace))
    : pod.namespace === policyNamespace;
  return namespaceOk && selects(peer.podSelector, pod.labels);
}

function blockList(cidrs: ReadonlyArray<string>): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address, prefix] = cidr.split('/');
    list.addSubnet(address, Number(prefix), isIPv4(address) ? 'ipv4' : 'ipv6');
  }
  return list;
}

/** Is `ip` inside the block's CIDR and outside its exceptions? */
export function inBlock(block: { readonly cidr: string; readonly except?: ReadonlyArray<string> }, ip: string): boolean {
  const family = isIPv4(ip) ? 'ipv4' : 'ipv6';
  return blockList([block.cidr]).check(ip, family) && !blockList(block.except ?? []).check(ip, family);
}

/** Does a rule's port list allow `port`/`protocol` to `dst` (whose named ports resolve)? */
function portMatches(ports: ReadonlyArray<PolicyPort> | undefined, dst: Pod, port: number, protocol: Protocol): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some(p => {
    if ((p.protocol ?? 'TCP') !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string') {
      return (dst.ports ?? []).some(c => c.name === p.port && c.containerPort === port && (c.protocol ?? 'TCP') === protocol);
    }
    return p.endPort === undefined ? p.port === port : p.port <= port && port <= p.endPort;
  });
}

/** Is one direction of the connection allowed at `self` (the destination for Ingress, the source for Egress)? */
function allowedAt(policies: ReadonlyArray<NetworkPolicy>, direction: Direction, self: Pod, other: Pod, dst: Pod, port: number, protocol: Protocol): boolean {
  const selecting = policiesFor(policies, self, direction);
  if (selecting.length === 0) return true; // not isolated
  return selecting.some(p => {
    const rules = (direction === 'Ingress' ? p.spec.ingress : p.spec.egress) ?? [];
    return rules.some(rule => {
      const peers = direction === 'Ingress' ? rule.from : rule.to;
      const peerOk = !peers || peers.length === 0 || peers.some(peer => peerMatches(peer, p.metadata.namespace!, other));
      return peerOk && portMatches(rule.ports, dst, port, protocol);
    });
  });
}

/** Is a connection from `src` to `dst` on `port`/`protocol` allowed by the policies? */
export function allowed(policies: ReadonlyArray<NetworkPolicy>, src: Pod, dst: Pod, port: number, protocol: Protocol = 'TCP'): boolean {
  return allowedAt(policies, 'Egress', src, dst, dst, port, protocol)
    && allowedAt(policies, 'Ingress', dst, src, dst, port, protocol);
}

/** Does the source's egress side alone allow the connection? */
export function egressAllowed(policies: ReadonlyArray<NetworkPolicy>, src: Pod, dst: Pod, port: number, protocol: Protocol = 'TCP'): boolean {
  return allowedAt(policies, 'Egress', src, dst, dst, port, protocol);
}

/** Does the destination's ingress side alone allow the connection? */
export function ingressAllowed(policies: ReadonlyArray<NetworkPolicy>, src: Pod, dst: Pod, port: number, protocol: Protocol = 'TCP'): boolean {
  return allowedAt(policies, 'Ingress', dst, src, dst, port, protocol);
}
