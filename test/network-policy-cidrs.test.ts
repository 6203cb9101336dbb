import { Testing } from 'cdk8s';
import fc from 'fast-check';
import { MicroserviceApp, ObservedService, PodsPeer } from '../lib';
import { Manifest, ofKind } from './helpers';
import { NetworkPolicy, Pod, allowed, egressAllowed, inBlock, ingressAllowed } from './netpol-evaluator';

// Address ranges (`cidrs`) on the app's network peers, evaluated with Kubernetes semantics
// (netpol-evaluator.ts, with addresses): a range admits exactly the addresses in it, beside the
// pods of `namespace`/`podLabels`, or alone when the peer has only `cidrs`.

const RUNS = { numRuns: 60 };

describe('netpol evaluator with addresses', () => {
  const np = (name: string, namespace: string, spec: NetworkPolicy['spec']): NetworkPolicy => ({ metadata: { name, namespace }, spec });
  const deny = np('deny', 'ns1', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  const web: Pod = { name: 'web', namespace: 'ns1', labels: { app: 'web' }, ip: '10.0.0.5' };
  const external = (ip: string): Pod => ({ name: ip, namespace: '', labels: {}, ip, external: true });

  test('an ipBlock admits the addresses inside its CIDR and outside its excepts, IPv4 and IPv6', () => {
    const lb = np('lb', 'ns1', {
      podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'],
      ingress: [{ from: [{ ipBlock: { cidr: '35.191.0.0/16', except: ['35.191.9.0/24'] } }, { ipBlock: { cidr: '2600:2d00::/32' } }], ports: [{ port: 80 }] }],
    });
    expect(allowed([deny, lb], external('35.191.7.9'), web, 80)).toBe(true);
    expect(allowed([deny, lb], external('35.191.9.1'), web, 80)).toBe(false);
    expect(allowed([deny, lb], external('35.192.0.1'), web, 80)).toBe(false);
    expect(allowed([deny, lb], external('2600:2d00:1::7'), web, 80)).toBe(true);
    expect(allowed([deny, lb], external('2600:2d01::7'), web, 80)).toBe(false);
    expect(allowed([deny, lb], external('35.191.7.9'), web, 81)).toBe(false);
    expect(inBlock({ cidr: '169.254.20.10/32' }, '169.254.20.10')).toBe(true);
    expect(inBlock({ cidr: '169.254.20.10/32' }, '169.254.20.11')).toBe(false);
  });

  test('an external endpoint is matched by ipBlocks only, never by selectors; a pod without an address by every ipBlock', () => {
    const all = np('all', 'ns1', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: {} }] }] });
    expect(allowed([deny, all], external('10.1.1.1'), web, 80)).toBe(false);
    expect(allowed([deny, all], { name: 'x', namespace: 'ns2', labels: {} }, web, 80)).toBe(true);
    const block = np('b', 'ns1', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '192.0.2.0/24' } }] }] });
    expect(allowed([deny, block], { name: 'x', namespace: 'ns2', labels: {} }, web, 80)).toBe(true);
    expect(allowed([deny, block], { name: 'x', namespace: 'ns2', labels: {}, ip: '10.9.9.9' }, web, 80)).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Random peers of a real app
// ---------------------------------------------------------------------------------------------

interface Range { readonly cidr: string; readonly inside: string }

const v4 = (n: bigint) => [24n, 16n, 8n, 0n].map(s => String((n >> s) & 0xffn)).join('.');
const v6 = (n: bigint) => Array.from({ length: 8 }, (_, i) => ((n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16)).join(':');

/** A canonical CIDR (no host bits) and a random address inside it. */
function rangeArb(family: 4 | 6): fc.Arbitrary<Range> {
  const width = family === 4 ? 32 : 128;
  return fc.tuple(fc.bigInt({ min: 0n, max: (1n << BigInt(width)) - 1n }), fc.integer({ min: family === 4 ? 8 : 16, max: width }), fc.bigInt({ min: 0n, max: (1n << BigInt(width)) - 1n }))
    .map(([address, prefix, host]) => {
      const hostBits = BigInt(width - prefix);
      const network = (address >> hostBits) << hostBits;
      const inside = network | (host & ((1n << hostBits) - 1n));
      const text = family === 4 ? v4 : v6;
      return { cidr: `${text(network)}/${prefix}`, inside: text(inside) };
    });
}
const rangesArb = fc.uniqueArray(fc.oneof(rangeArb(4), rangeArb(6)), { minLength: 1, maxLength: 3, selector: r => r.cidr });
const labelsArb = fc.option(fc.constantFrom<Record<string, string>>({ 'app.kubernetes.io/name': 'ingress-nginx' }, { 'k8s-app': 'kube-dns' }, { app: 'proxy', tier: 'edge' }), { nil: undefined });
const namespaceArb = fc.constantFrom('ingress-nginx', 'kube-system', 'infra', 'edge');

interface PeerDesc { readonly namespace?: string; readonly podLabels?: Record<string, string>; readonly ranges: Range[] }
/** Pods (a namespace, maybe labels) with or without ranges, or ranges alone. */
const peerArb: fc.Arbitrary<PeerDesc> = fc.oneof(
  fc.record({ namespace: namespaceArb, podLabels: labelsArb, ranges: fc.option(rangesArb, { nil: undefined }) }).map(p => ({ ...p, ranges: p.ranges ?? [] })),
  rangesArb.map(ranges => ({ ranges })),
);
const toPeer = (p: PeerDesc): PodsPeer => ({
  ...(p.namespace !== undefined ? { namespace: p.namespace } : {}),
  ...(p.podLabels !== undefined ? { podLabels: p.podLabels } : {}),
  ...(p.ranges.length ? { cidrs: p.ranges.map(r => r.cidr) } : {}),
});
const hasPods = (p: PeerDesc) => p.namespace !== undefined;
// an address no generated range is likely to hold; a case where one does is skipped
const FAR_V4 = '198.51.100.77';
const FAR_V6 = '3fff:ffff:ffff:ffff::77';
const inAny = (ranges: Range[], ip: string) => ranges.some(r => inBlock({ cidr: r.cidr }, ip));
const external = (ip: string): Pod => ({ name: ip, namespace: '', labels: {}, ip, external: true });
const podOf = (p: PeerDesc, name: string, ip: string): Pod | undefined =>
  hasPods(p) ? { name, namespace: p.namespace!, labels: p.podLabels ?? { 'any-label': 'x' }, ip } : undefined;

function synthApp(ingress: PeerDesc, dns: PeerDesc, prometheus: Range[] | undefined) {
  const app = new MicroserviceApp(Testing.app(), 'shop', {
    ingressController: toPeer(ingress), dns: toPeer(dns),
    monitoring: prometheus ? { prometheusNamespace: 'monitoring', prometheusCidrs: prometheus.map(r => r.cidr) } : undefined,
  });
  new ObservedService(app, 'web', { image: 'ghcr.io/acme/web:1.0.0', port: 8080, route: { path: '/' } });
  new ObservedService(app, 'api', { image: 'ghcr.io/acme/api:1.0.0', port: 9000 });
  const manifests = app.toJson() as Manifest[];
  const policies = ofKind(manifests, 'NetworkPolicy') as unknown as NetworkPolicy[];
  const pod = (name: string, ip: string, port: number): Pod => {
    const d = manifests.find(o => o.kind === 'Deployment' && o.metadata.name === name)!;
    return { name, namespace: 'shop', labels: d.spec.template.metadata.labels, ip, ports: [{ name: 'http', containerPort: port }] };
  };
  return { policies, web: pod('web', '10.0.1.1', 8080), api: pod('api', '10.0.1.2', 9000) };
}

describe('cidrs on random peers of an app, evaluated', () => {
  test('the Ingress controller peer: its pods (when it names them) and its ranges reach routed ports only; nothing else does', () => {
    fc.assert(fc.property(peerArb, ingress => {
      fc.pre(!inAny(ingress.ranges, FAR_V4) && !inAny(ingress.ranges, FAR_V6) && !inAny(ingress.ranges, '10.8.0.5'));
      const { policies, web, api } = synthApp(ingress, { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, ranges: [] }, undefined);
      const controller = podOf(ingress, 'controller', '10.8.0.5');
      if (controller) {
        expect(allowed(policies, controller, web, 8080)).toBe(true);
        expect(allowed(policies, controller, api, 9000)).toBe(false);
      }
      // with ranges alone, the pods that would have matched the default are not admitted
      const defaultController: Pod = { name: 'default-controller', namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' }, ip: '10.8.0.5' };
      if (!hasPods(ingress)) expect(allowed(policies, defaultController, web, 8080)).toBe(false);
      // no pod of the app's own namespace is admitted as the controller (the ingress side alone)
      expect(ingressAllowed(policies, api, web, 8080)).toBe(false);
      for (const r of ingress.ranges) {
        expect(allowed(policies, external(r.inside), web, 8080)).toBe(true);
        expect(allowed(policies, external(r.inside), web, 9000)).toBe(false);
        expect(allowed(policies, external(r.inside), api, 9000)).toBe(false);
      }
      expect(allowed(policies, external(FAR_V4), web, 8080)).toBe(false);
      expect(allowed(policies, external(FAR_V6), web, 8080)).toBe(false);
    }), RUNS);
  });

  test('the DNS peer: every pod reaches its pods and its ranges on 53/UDP and 53/TCP, nothing else', () => {
    fc.assert(fc.property(peerArb, dns => {
      fc.pre(!inAny(dns.ranges, FAR_V4) && !inAny(dns.ranges, FAR_V6) && !inAny(dns.ranges, '10.9.0.10'));
      const { policies, web, api } = synthApp({ namespace: 'ingress-nginx', ranges: [] }, dns, undefined);
      const dnsPod = podOf(dns, 'coredns', '10.9.0.10');
      for (const src of [web, api]) {
        if (dnsPod) {
          expect(allowed(policies, src, dnsPod, 53, 'UDP')).toBe(true);
          expect(allowed(policies, src, dnsPod, 53, 'TCP')).toBe(true);
          expect(allowed(policies, src, dnsPod, 443, 'TCP')).toBe(false);
        }
        for (const r of dns.ranges) {
          expect(allowed(policies, src, external(r.inside), 53, 'UDP')).toBe(true);
          expect(allowed(policies, src, external(r.inside), 53, 'TCP')).toBe(true);
          expect(allowed(policies, src, external(r.inside), 443, 'TCP')).toBe(false);
        }
        expect(allowed(policies, src, external(FAR_V4), 53, 'UDP')).toBe(false);
        // the DNS policy's egress does not open 53 to the app's own pods
        expect(egressAllowed(policies, src, src === web ? api : web, 53, 'UDP')).toBe(false);
        expect(allowed(policies, src, external(FAR_V6), 53, 'UDP')).toBe(false);
      }
    }), RUNS);
  });

  test('prometheusCidrs: scrapers in the ranges reach the metrics ports, beside the Prometheus pods, and nothing else', () => {
    fc.assert(fc.property(rangesArb, ranges => {
      fc.pre(!inAny(ranges, FAR_V4) && !inAny(ranges, FAR_V6));
      const { policies, web, api } = synthApp({ namespace: 'ingress-nginx', ranges: [] }, { namespace: 'kube-system', ranges: [] }, ranges);
      const prometheus: Pod = { name: 'prometheus', namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' }, ip: '10.7.0.3' };
      for (const [dst, port] of [[web, 8080], [api, 9000]] as const) {
        expect(allowed(policies, prometheus, dst, port)).toBe(true);
        for (const r of ranges) expect(allowed(policies, external(r.inside), dst, port)).toBe(true);
        expect(allowed(policies, external(FAR_V4), dst, port)).toBe(false);
      }
      for (const r of ranges) expect(allowed(policies, external(r.inside), api, 8080)).toBe(false);
    }), RUNS);
  });
});
