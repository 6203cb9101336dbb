import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import fc from 'fast-check';
import { BatchJob, MicroserviceApp, ObservedService, ScaledWorker, ServiceTarget, StatefulService, Workload } from '../lib';
import { ISTIO_SIDECAR_PORT_RANGE } from '../lib/pod/containers';
import { Manifest, ofKind } from './helpers';
import { NetworkPolicy, Pod, Protocol, allowed, egressAllowed, ingressAllowed } from './netpol-evaluator';
import { AuthorizationPolicy, MeshSource, PeerAuthentication, authorized, meshAllows, mtlsAccepts } from './authz-evaluator';
import { ISTIO_PROXY_CONTAINER, ScrapedPod, ScrapedService, podMonitorTargets, relabel, serviceMonitorTargets } from './scrape-evaluator';

// The NetworkPolicy the library emits, evaluated with Kubernetes semantics (netpol-evaluator.ts)
// over random apps built with the real constructs: what connectTo(), routes and monitoring
// declare is reachable, and nothing else is.

// ---------------------------------------------------------------------------------------------
// The evaluator itself, on hand-written policies: a broken evaluator fails here
// ---------------------------------------------------------------------------------------------

describe('netpol evaluator', () => {
  const pod = (name: string, namespace: string, labels: Record<string, string> = { app: name }): Pod => ({ name, namespace, labels });
  const a = pod('a', 'ns1');
  const b = pod('b', 'ns1');
  const c = pod('c', 'ns2');
  const np = (name: string, namespace: string, spec: NetworkPolicy['spec']): NetworkPolicy => ({ metadata: { name, namespace }, spec });

  test('no policy: everything is allowed; a deny-all policy isolates its namespace only', () => {
    expect(allowed([], a, b, 80)).toBe(true);
    const denyAll = [np('deny', 'ns1', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })];
    expect(allowed(denyAll, a, b, 80)).toBe(false);
    expect(allowed(denyAll, c, a, 80)).toBe(false); // ingress at a
    expect(allowed(denyAll, a, c, 80)).toBe(false); // egress at a
    expect(allowed(denyAll, c, pod('d', 'ns2'), 80)).toBe(true); // ns2 is not isolated
    // ingress-only isolation leaves egress open
    const denyIngress = [np('deny', 'ns1', { podSelector: { matchLabels: { app: 'b' } }, policyTypes: ['Ingress'] })];
    expect(allowed(denyIngress, a, b, 80)).toBe(false);
    expect(allowed(denyIngress, b, a, 80)).toBe(true);
  });

  test('named peers: podSelector alone is the policy namespace; namespaceSelector + podSelector is both', () => {
    const base = np('deny', 'ns1', { podSelector: {}, policyTypes: ['Ingress'] });
    const fromA = np('b.from.a', 'ns1', { podSelector: { matchLabels: { app: 'b' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'a' } } }] }] });
    expect(allowed([base, fromA], a, b, 80)).toBe(true);
    expect(allowed([base, fromA], b, a, 80)).toBe(false);
    // a pod labelled app=a in another namespace is not the peer
    expect(allowed([base, fromA], pod('a2', 'ns2', { app: 'a' }), b, 80)).toBe(false);
    const fromNs2 = np('b.from.ns2', 'ns1', {
      podSelector: { matchLabels: { app: 'b' } }, policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ns2' } }, podSelector: { matchLabels: { app: 'c' } } }] }],
    });
    expect(allowed([base, fromNs2], c, b, 80)).toBe(true);
    expect(allowed([base, fromNs2], pod('x', 'ns2'), b, 80)).toBe(false);
    expect(allowed([base, fromNs2], pod('c', 'ns3'), b, 80)).toBe(false);
    // an empty `from` admits every source
    const fromAll = np('b.from.all', 'ns1', { podSelector: { matchLabels: { app: 'b' } }, policyTypes: ['Ingress'], ingress: [{}] });
    expect(allowed([base, fromAll], pod('x', 'ns9'), b, 80)).toBe(true);
  });

  test('ports: number, protocol (default TCP), endPort, named port, none = all', () => {
    const base = np('deny', 'ns1', { podSelector: {}, policyTypes: ['Egress'] });
    const rule = (ports: NetworkPolicy['spec']['egress']) => [base, np('a.to', 'ns1', { podSelector: { matchLabels: { app: 'a' } }, policyTypes: ['Egress'], egress: ports })];
    const to53 = rule([{ to: [{ podSelector: {} }], ports: [{ port: 53, protocol: 'UDP' }, { port: 80 }] }]);
    expect(allowed(to53, a, b, 53, 'UDP')).toBe(true);
    expect(allowed(to53, a, b, 53, 'TCP')).toBe(false);
    expect(allowed(to53, a, b, 80, 'TCP')).toBe(true);
    expect(allowed(to53, a, b, 80, 'UDP')).toBe(false);
    expect(allowed(to53, a, c, 80)).toBe(false); // podSelector {} is still the policy's namespace
    const range = rule([{ ports: [{ port: 1000, endPort: 2000 }] }]);
    expect(allowed(range, a, c, 1500)).toBe(true);
    expect(allowed(range, a, c, 2001)).toBe(false);
    const named = rule([{ ports: [{ port: 'http' }] }]);
    const web: Pod = { ...b, ports: [{ name: 'http', containerPort: 8080 }] };
    expect(allowed(named, a, web, 8080)).toBe(true);
    expect(allowed(named, a, web, 80)).toBe(false);
    expect(allowed(rule([{ to: [{ podSelector: {} }] }]), a, b, 12345, 'UDP')).toBe(true);
    // rules of several policies add up; a policy of another direction does not count
    expect(allowed([...to53, ...range], a, c, 1500)).toBe(true);
    expect(allowed([base, np('ing', 'ns1', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] })], a, b, 80)).toBe(false);
  });

  test('ipBlock is assumed to match pods (conservative); matchExpressions are refused', () => {
    const base = np('deny', 'ns1', { podSelector: {}, policyTypes: ['Ingress'] });
    const lb = np('lb', 'ns1', { podSelector: { matchLabels: { app: 'b' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 80 }] }] });
    expect(allowed([base, lb], c, b, 80)).toBe(true);
    expect(allowed([base, lb], c, b, 81)).toBe(false);
    const expr = np('e', 'ns1', { podSelector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, policyTypes: ['Ingress'] });
    expect(() => allowed([expr], a, b, 80)).toThrow(/matchExpressions/);
  });
});

// ---------------------------------------------------------------------------------------------
// Random apps
// ---------------------------------------------------------------------------------------------

interface ServiceDesc { readonly id: string; readonly protocol: 'http' | 'grpc' | 'tcp'; readonly port: number; readonly routed: boolean }
interface WorkerDesc { readonly id: string; readonly healthPort: number }
interface StatefulDesc { readonly id: string; readonly protocol: 'http' | 'grpc' | 'tcp'; readonly port: number; readonly peerPorts: number[] }
interface JobDesc { readonly id: string; readonly scheduled: boolean }
interface AppDesc {
  readonly id: string;
  readonly services: ServiceDesc[];
  readonly workers: WorkerDesc[];
  /** StatefulServices: targets like services, never routed. */
  readonly stateful: StatefulDesc[];
  /** BatchJobs (Jobs and CronJobs): callers only. */
  readonly jobs: JobDesc[];
  /** [caller (any workload), target (service or stateful service)], each once, never a workload to itself. */
  readonly edges: Array<[string, string]>;
}

// ids that meet the names of the infrastructure peers ('prometheus', 'ingress-nginx', 'kube-dns')
// as well as random ones
const idArb = fc.oneof(
  fc.constantFrom('web', 'api', 'cart', 'prometheus', 'ingress-nginx', 'kube-dns', 'worker', 'to', 'from', 'db'),
  fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/),
);
// the namespaces of the infrastructure are not app namespaces: in an app in 'monitoring', a
// service named 'prometheus' would match the ingress side of every allow-prometheus policy
// (its own egress policy still stops it, but property 2 checks each side on its own)
const INFRA_NAMESPACES = ['kube-system', 'monitoring', 'ingress-nginx'];
const appIdArb = fc.oneof(fc.constantFrom('shop', 'bank', 'a'), fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/))
  .filter(id => !INFRA_NAMESPACES.includes(id));
// ports that collide with DNS, the default health and metrics ports, and anything else, but
// never a port of Istio's sidecar range, which a meshed app refuses (a random port hit it now and then)
const portArb = fc.oneof(fc.constantFrom(53, 80, 443, 8080, 9464), fc.integer({ min: 1, max: 65535 })).filter(p => p < ISTIO_SIDECAR_PORT_RANGE.from || p > ISTIO_SIDECAR_PORT_RANGE.to);

function appDescArb(appId: fc.Arbitrary<string> = appIdArb): fc.Arbitrary<AppDesc> {
  // ids in order: services, stateful services (the targets), workers, jobs
  return fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2 })).chain(([ns, nss, nw, nj]) => fc.record({
    id: appId,
    ids: fc.uniqueArray(idArb, { minLength: ns + nss + nw + nj, maxLength: ns + nss + nw + nj }),
    services: fc.array(fc.record({ protocol: fc.constantFrom('http' as const, 'grpc' as const, 'tcp' as const), port: portArb, routed: fc.boolean() }), { minLength: ns, maxLength: ns }),
    stateful: fc.array(fc.record({ protocol: fc.constantFrom('http' as const, 'grpc' as const, 'tcp' as const), port: portArb, peerPorts: fc.uniqueArray(portArb, { maxLength: 2 }) }), { minLength: nss, maxLength: nss }),
    healthPorts: fc.array(portArb, { minLength: nw, maxLength: nw }),
    scheduled: fc.array(fc.boolean(), { minLength: nj, maxLength: nj }),
    edges: fc.array(fc.tuple(fc.nat(ns + nss + nw + nj - 1), fc.nat(ns + nss - 1)), { maxLength: 12 }),
  })).map(r => {
    const ns = r.services.length;
    const nss = r.stateful.length;
    const nw = r.healthPorts.length;
    return {
      id: r.id,
      services: r.services.map((s, i) => ({ ...s, id: r.ids[i] })),
      stateful: r.stateful.map((s, i) => ({ ...s, id: r.ids[ns + i] })),
      workers: r.healthPorts.map((healthPort, i) => ({ id: r.ids[ns + nss + i], healthPort })),
      jobs: r.scheduled.map((scheduled, i) => ({ id: r.ids[ns + nss + nw + i], scheduled })),
      edges: [...new Set(r.edges.filter(([c, t]) => c !== t).map(([c, t]) => `${c} ${t}`))]
        .map(e => e.split(' ').map(Number)).map(([c, t]) => [r.ids[c], r.ids[t]] as [string, string]),
    };
  });
}

interface Built {
  readonly app: MicroserviceApp;
  /** The connectTo() targets: services and stateful services. */
  readonly services: Map<string, ServiceTarget>;
  readonly workloads: Map<string, Workload>;
}

/** Builds an app description with the real constructs (serviceType is always ClusterIP). */
function build(scope: Construct, d: AppDesc, mesh = false): Built {
  const app = new MicroserviceApp(scope, d.id, { mesh: mesh ? 'istio' : undefined });
  const services = new Map<string, ServiceTarget>();
  const workloads = new Map<string, Workload>();
  for (const s of d.stateful) {
    const db = new StatefulService(app, s.id, { image: `ghcr.io/acme/${s.id}:1.0.0`, protocol: s.protocol, port: s.port, peerPorts: s.peerPorts, storage: { size: '1Gi', mountPath: '/data' } });
    services.set(s.id, db);
    workloads.set(s.id, db);
  }
  for (const s of d.services) {
    const svc = new ObservedService(app, s.id, {
      image: `ghcr.io/acme/${s.id}:1.0.0`, protocol: s.protocol, port: s.port,
      route: s.routed ? { path: `/${s.id}` } : undefined,
    });
    services.set(s.id, svc);
    workloads.set(s.id, svc);
  }
  for (const w of d.workers) workloads.set(w.id, new ScaledWorker(app, w.id, { image: `ghcr.io/acme/${w.id}:1.0.0`, healthPort: w.healthPort }));
  for (const j of d.jobs) workloads.set(j.id, new BatchJob(app, j.id, { image: `ghcr.io/acme/${j.id}:1.0.0`, schedule: j.scheduled ? '@hourly' : undefined }));
  for (const [caller, target] of d.edges) workloads.get(caller)!.connectTo(services.get(target)!);
  return { app, services, workloads };
}

/** One pod per workload: its pod-template labels and container ports, in the workload's namespace. */
interface AppPod extends Pod { readonly workload: string; readonly containerPorts: number[]; readonly serviceAccount: string }

const CONTROLLERS = ['Deployment', 'StatefulSet', 'Job', 'CronJob'];

function podsOf(manifests: Manifest[]): Map<string, AppPod> {
  return new Map(manifests.filter(o => CONTROLLERS.includes(o.kind)).map(d => {
    const template = d.kind === 'CronJob' ? d.spec.jobTemplate.spec.template : d.spec.template;
    // a Job's name ends in a hash of its content: the workload is the name label
    const workload = template.metadata.labels['app.kubernetes.io/name'];
    const ports = template.spec.containers.flatMap((c: any) => c.ports ?? []) as Array<{ containerPort: number; name?: string; protocol?: Protocol }>;
    const pod: AppPod = {
      name: `${d.metadata.namespace}/${workload}`, workload, namespace: d.metadata.namespace!,
      labels: template.metadata.labels, ports, containerPorts: ports.map(p => p.containerPort),
      serviceAccount: template.spec.serviceAccountName,
    };
    return [workload, pod];
  }));
}

/**
 * The NetworkPolicies of the manifests. None may have an ipBlock peer: the evaluator lets an
 * ipBlock match every pod, and only LoadBalancer services and connectToExternal() to outside
 * hosts make them, which the generator never does.
 */
function policiesOf(manifests: Manifest[]): NetworkPolicy[] {
  const policies = ofKind(manifests, 'NetworkPolicy') as unknown as NetworkPolicy[];
  for (const p of policies) {
    const peers = [...(p.spec.ingress ?? []).flatMap(r => r.from ?? []), ...(p.spec.egress ?? []).flatMap(r => r.to ?? [])];
    if (peers.some(peer => peer.ipBlock)) throw new Error(`policy ${p.metadata.name} has an ipBlock peer`);
  }
  return policies;
}

function synthApp(d: AppDesc, mesh = false): { pods: Map<string, AppPod>; policies: NetworkPolicy[]; built: Built; manifests: Manifest[] } {
  const built = build(Testing.app(), d, mesh);
  const manifests = built.app.toJson() as Manifest[];
  return { pods: podsOf(manifests), policies: policiesOf(manifests), built, manifests };
}

/** The documented default metrics port: the service port for http, 9464 for grpc and tcp, the health port of a worker; none for a job. */
function metricsPortOf(d: AppDesc, id: string): number | undefined {
  const s = [...d.services, ...d.stateful].find(x => x.id === id);
  if (s) return s.protocol === 'http' ? s.port : 9464;
  return d.workers.find(w => w.id === id)?.healthPort;
}

const hasEdge = (d: AppDesc, caller: string, target: string) => d.edges.some(([c, t]) => c === caller && t === target);
/** The ports on which two pods of one stateful service reach each other (`peerPorts`). */
const peerPortsOf = (d: AppDesc, src: string, dst: string) => (src === dst ? d.stateful.find(s => s.id === dst)?.peerPorts ?? [] : []);
const portOf = (d: AppDesc, id: string) => [...d.services, ...d.stateful].find(s => s.id === id)?.port;
const describeFlow = (src: Pod, dst: Pod, port: number, protocol: Protocol) => `${src.name} -> ${dst.name}:${port}/${protocol}`;

/** Collects the flows whose verdict differs from the expectation, so a failure names them all. */
class Verdicts {
  public readonly wrong: string[] = [];
  constructor(private readonly policies: NetworkPolicy[]) {}
  public expect(src: Pod, dst: Pod, port: number, protocol: Protocol, expected: boolean): void {
    if (allowed(this.policies, src, dst, port, protocol) !== expected) this.wrong.push(`${describeFlow(src, dst, port, protocol)} should be ${expected ? 'allowed' : 'denied'}`);
  }
  /** Defense in depth: the caller's egress AND the target's ingress each deny the flow on their own. */
  public expectDeniedOnBothSides(src: Pod, dst: Pod, port: number, protocol: Protocol): void {
    if (egressAllowed(this.policies, src, dst, port, protocol)) this.wrong.push(`${describeFlow(src, dst, port, protocol)} is allowed by the egress of the source`);
    if (ingressAllowed(this.policies, src, dst, port, protocol)) this.wrong.push(`${describeFlow(src, dst, port, protocol)} is allowed by the ingress of the destination`);
  }
}

const RUNS = { numRuns: 60 };

const DNS: Pod = { name: 'kube-system/coredns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
const INGRESS: Pod = { name: 'ingress-nginx/controller', namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' } };
const PROMETHEUS: Pod = { name: 'monitoring/prometheus', namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' } };

describe('network policy of random apps', () => {
  test('1. every connectTo() edge is allowed from a caller pod to a target pod on the target port', () => {
    fc.assert(fc.property(appDescArb(), d => {
      const { pods, policies } = synthApp(d);
      const v = new Verdicts(policies);
      for (const [caller, target] of d.edges) v.expect(pods.get(caller)!, pods.get(target)!, portOf(d, target)!, 'TCP', true);
      expect(v.wrong).toEqual([]);
    }), RUNS);
  });

  test('2. every other pod-to-pod call in the app is denied, on every container port and UDP too, by egress and by ingress', () => {
    fc.assert(fc.property(appDescArb(), d => {
      const { pods, policies } = synthApp(d);
      const v = new Verdicts(policies);
      for (const src of pods.values()) {
        for (const dst of pods.values()) {
          // src === dst stands for two replicas of one workload: distinct pods, same labels
          const edge = hasEdge(d, src.workload, dst.workload);
          const peers = peerPortsOf(d, src.workload, dst.workload);
          for (const port of new Set([...dst.containerPorts, ...peers, 53, 443])) {
            const declared = (edge && port === portOf(d, dst.workload)) || peers.includes(port);
            v.expect(src, dst, port, 'TCP', declared);
            if (!declared) v.expectDeniedOnBothSides(src, dst, port, 'TCP');
            v.expectDeniedOnBothSides(src, dst, port, 'UDP');
          }
        }
      }
      expect(v.wrong).toEqual([]);
    }), RUNS);
  });

  test('3. every pod reaches the cluster DNS on 53/UDP and 53/TCP, and nothing else in kube-system', () => {
    fc.assert(fc.property(appDescArb(), d => {
      const { pods, policies } = synthApp(d);
      const v = new Verdicts(policies);
      const otherSystemPod: Pod = { name: 'kube-system/metrics-server', namespace: 'kube-system', labels: { 'k8s-app': 'metrics-server' } };
      const dnsLookalike: Pod = { ...DNS, name: 'default/fake-dns', namespace: 'default' };
      for (const src of pods.values()) {
        v.expect(src, DNS, 53, 'UDP', true);
        v.expect(src, DNS, 53, 'TCP', true);
        for (const port of [443, 80, 8080, 9153]) v.expect(src, DNS, port, 'TCP', false);
        v.expect(src, otherSystemPod, 53, 'UDP', false);
        v.expect(src, otherSystemPod, 443, 'TCP', false);
        v.expect(src, dnsLookalike, 53, 'UDP', false);
      }
      expect(v.wrong).toEqual([]);
    }), RUNS);
  });

  test('4. the Ingress controller reaches routed service ports only; Prometheus reaches metrics ports only', () => {
    fc.assert(fc.property(appDescArb(), d => {
      const { pods, policies } = synthApp(d);
      const v = new Verdicts(policies);
      const routed = new Set(d.services.filter(s => s.routed).map(s => s.id));
      const impostor: Pod = { ...PROMETHEUS, name: 'default/prometheus', namespace: 'default' };
      for (const dst of pods.values()) {
        const metrics = metricsPortOf(d, dst.workload);
        if (metrics !== undefined) expect(dst.containerPorts).toContain(metrics);
        for (const port of new Set([...dst.containerPorts, 443, 9090])) {
          v.expect(INGRESS, dst, port, 'TCP', routed.has(dst.workload) && port === portOf(d, dst.workload));
          v.expect(PROMETHEUS, dst, port, 'TCP', port === metrics);
          v.expect(impostor, dst, port, 'TCP', false);
        }
      }
      expect(v.wrong).toEqual([]);
    }), RUNS);
  });

  test('5. across two apps, only the one cross-app connectTo() is allowed between their namespaces', () => {
    const twoAppsArb = fc.tuple(appDescArb(), appDescArb(), fc.nat(), fc.nat()).filter(([a, b]) => a.id !== b.id);
    fc.assert(fc.property(twoAppsArb, ([da, db, ci, ti]) => {
      const scope = Testing.app();
      const a = build(scope, da);
      const b = build(scope, db);
      const callers = [...a.workloads.keys()];
      const caller = callers[ci % callers.length];
      const targets = [...db.services, ...db.stateful];
      const target = targets[ti % targets.length];
      // its own env var: the default <TARGET>_URL may be taken by an edge inside app a
      a.workloads.get(caller)!.connectTo(b.services.get(target.id)!, { env: 'CROSS_APP_URL' });
      const ma = a.app.toJson() as Manifest[];
      const mb = b.app.toJson() as Manifest[];
      const policies = [...policiesOf(ma), ...policiesOf(mb)];
      const podsA = [...podsOf(ma).values()];
      const podsB = [...podsOf(mb).values()];
      const v = new Verdicts(policies);
      for (const [srcs, dsts] of [[podsA, podsB], [podsB, podsA]]) {
        for (const src of srcs) {
          for (const dst of dsts) {
            const theEdge = src.namespace === da.id && src.workload === caller && dst.workload === target.id;
            for (const port of dst.containerPorts) {
              const declared = theEdge && port === target.port;
              v.expect(src, dst, port, 'TCP', declared);
              if (!declared) v.expectDeniedOnBothSides(src, dst, port, 'TCP');
            }
          }
        }
      }
      expect(v.wrong).toEqual([]);
      // and the edge is there at all
      expect(podsB.some(p => p.workload === target.id)).toBe(true);
    }), RUNS);
  });
});

// ---------------------------------------------------------------------------------------------
// Istio: the AuthorizationPolicy evaluator, then random apps with mesh: 'istio'
// ---------------------------------------------------------------------------------------------

describe('authz evaluator', () => {
  const dst = { namespace: 'ns1', labels: { app: 'b' } };
  const web: MeshSource = { principal: 'cluster.local/ns/ns1/sa/web' };
  const ap = (name: string, spec: AuthorizationPolicy['spec'], namespace = 'ns1'): AuthorizationPolicy => ({ metadata: { name, namespace }, spec });

  test('no ALLOW policy allows; an applying ALLOW policy must match; allow-nothing denies all', () => {
    expect(authorized([], web, dst, 80)).toBe(true);
    expect(authorized([ap('allow-nothing', {})], web, dst, 80)).toBe(false);
    expect(authorized([ap('elsewhere', {}, 'ns2')], web, dst, 80)).toBe(true);
    expect(authorized([ap('other', { selector: { matchLabels: { app: 'c' } } })], web, dst, 80)).toBe(true);
    // one empty rule matches everything; no rules match nothing
    expect(authorized([ap('all', { rules: [{}] })], web, dst, 80)).toBe(true);
    expect(authorized([ap('none', { selector: { matchLabels: { app: 'b' } }, rules: [] })], web, dst, 80)).toBe(false);
  });

  test('principals, namespaces and ports must all match; DENY wins', () => {
    const allowWeb = ap('b', { selector: { matchLabels: { app: 'b' } }, action: 'ALLOW', rules: [{ from: [{ source: { principals: ['cluster.local/ns/ns1/sa/web'] } }], to: [{ operation: { ports: ['80'] } }] }] });
    expect(authorized([allowWeb], web, dst, 80)).toBe(true);
    expect(authorized([allowWeb], web, dst, 81)).toBe(false);
    expect(authorized([allowWeb], { principal: 'cluster.local/ns/ns2/sa/web' }, dst, 80)).toBe(false);
    expect(authorized([allowWeb], {}, dst, 80)).toBe(false);
    const fromNs = ap('gw', { rules: [{ from: [{ source: { namespaces: ['istio-system'] } }] }] });
    expect(authorized([fromNs], { principal: 'cluster.local/ns/istio-system/sa/gateway' }, dst, 9)).toBe(true);
    expect(authorized([fromNs], web, dst, 9)).toBe(false);
    expect(authorized([allowWeb, ap('deny', { action: 'DENY', rules: [{}] })], web, dst, 80)).toBe(false);
    expect(() => authorized([ap('x', { rules: [{ from: [{ source: { ipBlocks: ['1.2.3.4'] } }] }] })], web, dst, 80)).toThrow(/not modelled/);
  });

  test('STRICT refuses plaintext; a PERMISSIVE port of a workload policy takes it', () => {
    const strict: PeerAuthentication = { metadata: { name: 'default', namespace: 'ns1' }, spec: { mtls: { mode: 'STRICT' } } };
    expect(mtlsAccepts([], {}, dst, 80)).toBe(true);
    expect(mtlsAccepts([strict], {}, dst, 80)).toBe(false);
    expect(mtlsAccepts([strict], web, dst, 80)).toBe(true);
    const port: PeerAuthentication = { metadata: { name: 'b', namespace: 'ns1' }, spec: { selector: { matchLabels: { app: 'b' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 80: { mode: 'PERMISSIVE' } } } };
    expect(mtlsAccepts([strict, port], {}, dst, 80)).toBe(true);
    expect(mtlsAccepts([strict, port], {}, dst, 81)).toBe(false);
  });
});

const ISTIO_GATEWAY: MeshSource & Pod = {
  name: 'istio-system/istio-ingressgateway', namespace: 'istio-system', labels: { istio: 'ingressgateway' },
  principal: 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account',
};

function meshOf(manifests: Manifest[]): { peers: PeerAuthentication[]; authz: AuthorizationPolicy[] } {
  return {
    peers: ofKind(manifests, 'PeerAuthentication') as unknown as PeerAuthentication[],
    authz: ofKind(manifests, 'AuthorizationPolicy') as unknown as AuthorizationPolicy[],
  };
}

// a pod's mesh identity, read from its own pod spec, not from the library's principal()
const identityOf = (p: AppPod): MeshSource => ({ principal: `cluster.local/ns/${p.namespace}/sa/${p.serviceAccount}` });

describe('mesh policy of random apps', () => {
  test('6. with the mesh on, every declared call passes mTLS, authorization and network policy; every other pod-to-pod call is refused by authorization alone', () => {
    fc.assert(fc.property(appDescArb(), d => {
      const { pods, policies, manifests } = synthApp(d, true);
      const { peers, authz } = meshOf(manifests);
      const wrong: string[] = [];
      for (const src of pods.values()) {
        for (const dst of pods.values()) {
          const edge = hasEdge(d, src.workload, dst.workload);
          const selfPorts = peerPortsOf(d, src.workload, dst.workload);
          for (const port of new Set([...dst.containerPorts, ...selfPorts, 15090, 443])) {
            const declared = (edge && port === portOf(d, dst.workload)) || selfPorts.includes(port);
            const viaMesh = meshAllows(peers, authz, identityOf(src), dst, port);
            const viaNetwork = allowed(policies, src, dst, port, 'TCP');
            if (viaMesh !== declared) wrong.push(`${describeFlow(src, dst, port, 'TCP')}: mesh ${viaMesh ? 'allows' : 'denies'}, should ${declared ? 'allow' : 'deny'}`);
            if (viaNetwork !== declared) wrong.push(`${describeFlow(src, dst, port, 'TCP')}: network policy ${viaNetwork ? 'allows' : 'denies'}, should ${declared ? 'allow' : 'deny'}`);
          }
        }
      }
      expect(wrong).toEqual([]);
    }), RUNS);
  });

  test('7. impostors are refused: plaintext callers, the same service account in another namespace; the ingress gateway reaches routed ports only', () => {
    fc.assert(fc.property(appDescArb(), d => {
      const { pods, manifests, policies } = synthApp(d, true);
      const { peers, authz } = meshOf(manifests);
      const routed = new Set(d.services.filter(s => s.routed).map(s => s.id));
      const wrong: string[] = [];
      for (const dst of pods.values()) {
        for (const port of dst.containerPorts) {
          if (meshAllows(peers, authz, {}, dst, port)) wrong.push(`plaintext reaches ${dst.name}:${port}`);
          for (const src of pods.values()) {
            const twin = { principal: `cluster.local/ns/elsewhere/sa/${src.serviceAccount}` };
            if (meshAllows(peers, authz, twin, dst, port)) wrong.push(`${twin.principal} reaches ${dst.name}:${port}`);
          }
          const expected = routed.has(dst.workload) && port === portOf(d, dst.workload);
          if (meshAllows(peers, authz, ISTIO_GATEWAY, dst, port) !== expected) wrong.push(`the ingress gateway ${expected ? 'cannot reach' : 'reaches'} ${dst.name}:${port}`);
          // another identity of the gateway's namespace (istiod, an egress gateway) is not the gateway
          if (meshAllows(peers, authz, { principal: 'cluster.local/ns/istio-system/sa/istio-egressgateway-service-account' }, dst, port)) wrong.push(`istio-system's egress gateway reaches ${dst.name}:${port}`);
          if (allowed(policies, ISTIO_GATEWAY, dst, port, 'TCP') !== expected) wrong.push(`network policy ${expected ? 'blocks' : 'admits'} the ingress gateway to ${dst.name}:${port}`);
        }
      }
      expect(wrong).toEqual([]);
    }), RUNS);
  });
});

// ---------------------------------------------------------------------------------------------
// Scraping: what the Prometheus Operator discovers from the monitors, and whether network
// policy lets Prometheus reach it
// ---------------------------------------------------------------------------------------------

describe('scrape evaluator', () => {
  const pod: ScrapedPod = {
    name: 'web-1', namespace: 'ns1', ip: '10.0.0.7', labels: { app: 'web' },
    containers: [{ name: 'web', ports: [{ name: 'http', containerPort: 8080 }] }, ISTIO_PROXY_CONTAINER],
  };
  const svc: ScrapedService = { metadata: { name: 'web', namespace: 'ns1', labels: { app: 'web' } }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } };
  const sm = (endpoint: object) => ({ metadata: { namespace: 'ns1' }, spec: { selector: { matchLabels: { app: 'web' } }, endpoints: [{ path: '/m', ...endpoint }] } });

  test('a Service port is scraped on its target port; a port no container declares finds nothing', () => {
    expect(serviceMonitorTargets(sm({ port: 'http' }), [svc], [pod])).toEqual(['web-1 10.0.0.7:8080 /m']);
    // what meshed monitors used to say: 15020 is served by the agent but declared by no container
    expect(serviceMonitorTargets(sm({ targetPort: 15020 }), [svc], [pod])).toEqual([]);
    expect(podMonitorTargets({ metadata: { namespace: 'ns1' }, spec: { selector: { matchLabels: { app: 'web' } }, podMetricsEndpoints: [{ portNumber: 15020, path: '/m' }] } }, [pod])).toEqual([]);
    // a declared container port that is no Service port is still discovered by the endpoints role
    expect(serviceMonitorTargets(sm({ targetPort: 'http-envoy-prom' }), [svc], [pod])).toEqual(['web-1 10.0.0.7:15090 /m']);
  });

  test('relabelings are anchored and replace only on a match; keep drops the rest', () => {
    expect(relabel({ a: 'x1' }, [{ sourceLabels: ['a'], regex: 'x', replacement: 'y', targetLabel: 'b' }])).toEqual({ a: 'x1' });
    expect(relabel({ a: 'x1' }, [{ sourceLabels: ['a'], regex: 'x(\\d)', replacement: 'y$1', targetLabel: 'b' }])).toEqual({ a: 'x1', b: 'y1' });
    expect(relabel({ a: 'x1' }, [{ action: 'keep', sourceLabels: ['a'], regex: 'x' }])).toBeUndefined();
    expect(() => relabel({}, [{ action: 'hashmod' }])).toThrow(/not modelled/);
  });
});

describe('scraping of random apps', () => {
  // alternate IPv4 and IPv6 pods: the address relabeling must bracket IPv6
  const scrapedPods = (manifests: Manifest[], mesh: boolean): ScrapedPod[] => ofKind(manifests, 'Deployment').map((d, i) => ({
    name: d.metadata.name, namespace: d.metadata.namespace!, labels: d.spec.template.metadata.labels,
    ip: i % 2 ? `fd00::${i + 1}` : `10.0.0.${i + 1}`,
    containers: [...d.spec.template.spec.containers, ...(mesh ? [ISTIO_PROXY_CONTAINER] : [])],
  }));

  test('8. every pod is scraped exactly once per monitor, on the port network policy admits Prometheus to: with the mesh, the pod IP on 15020', () => {
    fc.assert(fc.property(appDescArb(), fc.boolean(), (d, mesh) => {
      const { pods, policies, manifests } = synthApp(d, mesh);
      const scraped = scrapedPods(manifests, mesh);
      const services = ofKind(manifests, 'Service') as unknown as ScrapedService[];
      const targets = [
        ...ofKind(manifests, 'ServiceMonitor').flatMap(sm => serviceMonitorTargets(sm, services, scraped)),
        ...ofKind(manifests, 'PodMonitor').flatMap(pm => podMonitorTargets(pm, scraped)),
      ];
      const expected = scraped.map(p => {
        const port = mesh ? 15020 : metricsPortOf(d, p.name);
        return `${p.name} ${p.ip.includes(':') ? `[${p.ip}]` : p.ip}:${port} ${mesh ? '/stats/prometheus' : '/metrics'}`;
      });
      expect(targets.sort()).toEqual(expected.sort());
      const wrong: string[] = [];
      for (const p of pods.values()) {
        const metricsPort = metricsPortOf(d, p.workload);
        if (metricsPort === undefined) continue; // a Job's pods serve no metrics
        const port = mesh ? 15020 : metricsPort;
        if (!allowed(policies, PROMETHEUS, p, port, 'TCP')) wrong.push(`network policy blocks Prometheus from ${p.name}:${port}`);
      }
      expect(wrong).toEqual([]);
    }), RUNS);
  });
});
