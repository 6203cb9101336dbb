// A small evaluator of Istio AuthorizationPolicy and PeerAuthentication for the tests: does a
// request from a source reach a pod's port? Istio's order: a matching DENY policy denies; then,
// when any ALLOW policy applies to the workload, one of its rules must match; with no ALLOW
// policy the request is allowed. Only what the library emits is modelled (principals,
// namespaces, ports; STRICT/PERMISSIVE mTLS); anything else throws, so it cannot be
// misjudged silently. Mesh-wide policies in the root namespace are out of scope.

export interface MeshSource {
  /** `<trust domain>/ns/<namespace>/sa/<account>`; undefined for a caller without a sidecar (plaintext). */
  readonly principal?: string;
}

export interface MeshPod {
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

export interface AuthorizationPolicy {
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec: {
    readonly selector?: { readonly matchLabels?: Record<string, string> };
    readonly action?: 'ALLOW' | 'DENY' | 'AUDIT' | 'CUSTOM';
    readonly rules?: ReadonlyArray<{
      readonly from?: ReadonlyArray<{ readonly source: Record<string, unknown> }>;
      readonly to?: ReadonlyArray<{ readonly operation: Record<string, unknown> }>;
      readonly when?: unknown;
    }>;
  };
}

export interface PeerAuthentication {
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec: {
    readonly selector?: { readonly matchLabels?: Record<string, string> };
    readonly mtls?: { readonly mode?: string };
    readonly portLevelMtls?: Record<string, { readonly mode?: string }>;
  };
}

const selects = (sel: Record<string, string> | undefined, labels: Record<string, string>) =>
  Object.entries(sel ?? {}).every(([k, v]) => labels[k] === v);

const namespaceOfPrincipal = (p: string) => /\/ns\/([^/]+)\/sa\//.exec(p)?.[1];

function applies(meta: { namespace?: string }, selector: { matchLabels?: Record<string, string> } | undefined, dst: MeshPod): boolean {
  if (selector && Object.keys(selector).some(k => k !== 'matchLabels')) throw new Error('only selector.matchLabels is modelled');
  return meta.namespace === dst.namespace && selects(selector?.matchLabels, dst.labels);
}

function sourceMatches(source: Record<string, unknown>, src: MeshSource): boolean {
  for (const key of Object.keys(source)) if (key !== 'principals' && key !== 'namespaces') throw new Error(`source.${key} is not modelled`);
  const principals = source.principals as string[] | undefined;
  const namespaces = source.namespaces as string[] | undefined;
  // identity fields need mTLS: a plaintext caller matches none of them
  if (principals && !(src.principal && principals.includes(src.principal))) return false;
  if (namespaces && !(src.principal && namespaces.includes(namespaceOfPrincipal(src.principal)!))) return false;
  return true;
}

function operationMatches(operation: Record<string, unknown>, port: number): boolean {
  for (const key of Object.keys(operation)) if (key !== 'ports') throw new Error(`operation.${key} is not modelled`);
  const ports = operation.ports as string[] | undefined;
  return !ports || ports.includes(String(port));
}

function ruleMatches(rule: NonNullable<AuthorizationPolicy['spec']['rules']>[number], src: MeshSource, port: number): boolean {
  if (rule.when !== undefined) throw new Error('rule.when is not modelled');
  const fromOk = !rule.from || rule.from.some(f => sourceMatches(f.source ?? {}, src));
  const toOk = !rule.to || rule.to.some(t => operationMatches(t.operation ?? {}, port));
  return fromOk && toOk;
}

/** Whether the sidecar of `dst` accepts the connection: STRICT refuses plaintext unless the port is PERMISSIVE. */
export function mtlsAccepts(peers: readonly PeerAuthentication[], src: MeshSource, dst: MeshPod, port: number): boolean {
  if (src.principal) return true;
  // the most specific policy wins: a workload selector beats the namespace-wide one
  const matching = peers.filter(p => applies(p.metadata, p.spec.selector, dst));
  const specific = matching.find(p => p.spec.selector) ?? matching.find(p => !p.spec.selector);
  if (!specific) return true; // Istio's default is PERMISSIVE
  const mode = specific.spec.portLevelMtls?.[String(port)]?.mode ?? specific.spec.mtls?.mode ?? 'PERMISSIVE';
  return mode !== 'STRICT';
}

/** Whether the AuthorizationPolicies let the request through. */
export function authorized(policies: readonly AuthorizationPolicy[], src: MeshSource, dst: MeshPod, port: number): boolean {
  const mine = policies.filter(p => applies(p.metadata, p.spec.selector, dst));
  for (const p of mine) if (p.spec.action && !['ALLOW', 'DENY'].includes(p.spec.action)) throw new Error(`action ${p.spec.action} is not modelled`);
  const matches = (p: AuthorizationPolicy) => (p.spec.rules ?? []).some(r => ruleMatches(r, src, port));
  if (mine.some(p => p.spec.action === 'DENY' && matches(p))) return false;
  const allows = mine.filter(p => (p.spec.action ?? 'ALLOW') === 'ALLOW');
  return allows.length === 0 || allows.some(matches);
}

/** mTLS and authorization together: what the destination's sidecar does with the request. */
export function meshAllows(peers: readonly PeerAuthentication[], policies: readonly AuthorizationPolicy[], src: MeshSource, dst: MeshPod, port: number): boolean {
  return mtlsAccepts(peers, src, dst, port) && authorized(policies, src, dst, port);
}
