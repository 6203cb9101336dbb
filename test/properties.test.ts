import { Testing, Yaml } from 'cdk8s';
import fc from 'fast-check';
import { BatchJob, MicroserviceApp, ObservedService, ScaledWorker, ServiceTarget, StatefulService, Workload } from '../lib';
import { Manifest, ofKind, unsettledSelectorParts } from './helpers';

// Property tests: random VALID app descriptions are built with the real constructs and the
// synthesized manifests are checked for invariants that must hold whatever the input.

// ---------------------------------------------------------------------------------------------
// The description of an app, and how to build it
// ---------------------------------------------------------------------------------------------

type Scaling = { replicas: number } | { autoscaling: { minReplicas: number; maxReplicas: number; targetCpuUtilization?: number } };

interface ServiceDesc {
  readonly id: string;
  readonly image: string;
  readonly protocol: 'http' | 'grpc' | 'tcp';
  readonly port: number;
  readonly servicePort?: number;
  readonly scaling: Scaling;
  readonly route?: { pathType?: 'Prefix' | 'Exact' };
}

interface WorkerDesc {
  readonly id: string;
  readonly image: string;
  readonly healthPort?: number;
  readonly scaling: Scaling;
}

interface StatefulDesc {
  readonly id: string;
  readonly image: string;
  readonly protocol: 'http' | 'grpc' | 'tcp';
  readonly port: number;
  readonly replicas: number;
}

interface JobDesc {
  readonly id: string;
  readonly image: string;
  readonly scheduled: boolean;
}

interface EdgeDesc {
  /** A service or a worker. */
  readonly caller: string;
  /** A service or a stateful service. */
  readonly target: string;
  /** An explicit env var name; undefined uses the library's default `<TARGET>_URL`. */
  readonly env?: string;
  readonly format?: 'url' | 'host:port';
}

interface AppDesc {
  readonly id: string;
  readonly services: ServiceDesc[];
  readonly workers: WorkerDesc[];
  readonly stateful: StatefulDesc[];
  readonly jobs: JobDesc[];
  readonly edges: EdgeDesc[];
  readonly domain?: string;
  readonly tlsSecretName?: string;
}

/** Builds the description in a fresh Testing.app(). */
function build(d: AppDesc): MicroserviceApp {
  const chart = new MicroserviceApp(Testing.app(), d.id, { domain: d.domain, tlsSecretName: d.tlsSecretName });
  const services = new Map<string, ServiceTarget>();
  const workloads = new Map<string, Workload>();
  for (const s of d.stateful) {
    const db = new StatefulService(chart, s.id, { image: s.image, protocol: s.protocol, port: s.port, replicas: s.replicas, storage: { size: '1Gi', mountPath: '/data' } });
    services.set(s.id, db);
    workloads.set(s.id, db);
  }
  for (const s of d.services) {
    const svc = new ObservedService(chart, s.id, {
      image: s.image,
      protocol: s.protocol,
      port: s.port,
      servicePort: s.servicePort,
      ...s.scaling,
      route: s.route ? { path: `/${s.id}`, pathType: s.route.pathType } : undefined,
    });
    services.set(s.id, svc);
    workloads.set(s.id, svc);
  }
  for (const w of d.workers) {
    workloads.set(w.id, new ScaledWorker(chart, w.id, { image: w.image, healthPort: w.healthPort, ...w.scaling }));
  }
  for (const j of d.jobs) workloads.set(j.id, new BatchJob(chart, j.id, { image: j.image, schedule: j.scheduled ? '0 3 * * *' : undefined }));
  for (const e of d.edges) {
    workloads.get(e.caller)!.connectTo(services.get(e.target)!, { env: e.env, format: e.format });
  }
  return chart;
}

/** Builds and synthesizes the description. */
function synthDesc(d: AppDesc): Manifest[] {
  return build(d).toJson();
}

function scalingOf(d: AppDesc, id: string): Scaling {
  return [...d.services, ...d.workers].find(w => w.id === id)!.scaling;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------

const VALID_ID = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

// Realistic words, some of which meet the names and checks the library derives ('prometheus',
// 'ingress', 'to', 'from'; 'token' and 'secret' in env var names): random strings alone would
// almost never hit those.
const WORDS = ['api', 'web', 'cart', 'catalog', 'auth', 'token', 'secret', 'prometheus', 'ingress', 'to', 'from', 'a', 'b', 'x', 'db', 'worker', 'shop', 'v2'];

const idArb: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^[a-z]([-a-z0-9]{0,18}[a-z0-9])?$/),
  fc.constantFrom(...WORDS.filter(w => VALID_ID.test(w))),
  fc.array(fc.constantFrom(...WORDS), { minLength: 2, maxLength: 3 }).map(ws => ws.join('-')),
).filter(id => VALID_ID.test(id) && id.length <= 20);

const appIdArb: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/),
  fc.constantFrom('shop', 'api', 'a', 'hello-world'),
);

// any tag the image grammar accepts except 'latest', or a digest. The arbitraries are built once
// (building one from a regex is slow) and the id is put in by map().
const imageRefArb: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/).filter(t => t !== 'latest').map(tag => `:${tag}`),
  fc.constantFrom(':1.4.2', ':v2.0.0-rc.1', ':2024_01_01'),
  fc.stringMatching(/^[a-f0-9]{64}$/).map(hex => `@sha256:${hex}`),
);

const scalingArb: fc.Arbitrary<Scaling> = fc.oneof(
  fc.record({ replicas: fc.integer({ min: 0, max: 5 }) }),
  fc.record({
    autoscaling: fc.integer({ min: 1, max: 3 }).chain(min => fc.record(
      {
        minReplicas: fc.constant(min),
        maxReplicas: fc.integer({ min, max: 10 }),
        targetCpuUtilization: fc.integer({ min: 1, max: 100 }),
      },
      { requiredKeys: ['minReplicas', 'maxReplicas'] },
    )),
  }),
);

const portArb = fc.integer({ min: 1, max: 65535 });

const serviceBodyArb = fc.record(
  {
    imageRef: imageRefArb,
    protocol: fc.constantFrom('http' as const, 'grpc' as const, 'tcp' as const),
    port: portArb,
    servicePort: portArb,
    scaling: scalingArb,
    route: fc.record({ pathType: fc.constantFrom('Prefix' as const, 'Exact' as const) }, { requiredKeys: [] }),
  },
  { requiredKeys: ['imageRef', 'protocol', 'port', 'scaling'] },
);
const serviceArb = (id: string): fc.Arbitrary<ServiceDesc> =>
  serviceBodyArb.map(({ imageRef, ...rest }) => ({ id, image: `ghcr.io/acme/${id}${imageRef}`, ...rest }));

const workerBodyArb = fc.record(
  { imageRef: imageRefArb, healthPort: portArb, scaling: scalingArb },
  { requiredKeys: ['imageRef', 'scaling'] },
);
const workerArb = (id: string): fc.Arbitrary<WorkerDesc> =>
  workerBodyArb.map(({ imageRef, ...rest }) => ({ id, image: `ghcr.io/acme/${id}${imageRef}`, ...rest }));

const statefulArb = (id: string): fc.Arbitrary<StatefulDesc> => fc.record({
  imageRef: imageRefArb,
  protocol: fc.constantFrom('http' as const, 'grpc' as const, 'tcp' as const),
  port: portArb,
  replicas: fc.integer({ min: 0, max: 4 }),
}).map(({ imageRef, ...rest }) => ({ id, image: `ghcr.io/acme/${id}${imageRef}`, ...rest }));

const jobArb = (id: string): fc.Arbitrary<JobDesc> => fc.record({ imageRef: imageRefArb, scheduled: fc.boolean() })
  .map(({ imageRef, scheduled }) => ({ id, image: `ghcr.io/acme/${id}${imageRef}`, scheduled }));

/** Unique ids, none of them taken, none a stateful service's derived `<id>-headless`. */
const freshIds = (taken: string[], max: number) => fc.uniqueArray(idArb.filter(id => !taken.includes(id) && !id.endsWith('-headless')), { maxLength: max });

const domainArb = fc.tuple(
  fc.array(fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?$/), { minLength: 1, maxLength: 3 }),
  fc.stringMatching(/^[a-z]{2,6}$/),
).map(([labels, tld]) => [...labels, tld].join('.'));

const tlsSecretArb = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/).map(s => `${s}-tls`);

/** A valid app description. */
const idsArb = fc.uniqueArray(idArb.filter(id => !id.endsWith('-headless')), { minLength: 1, maxLength: 6 }).chain(services =>
  freshIds(services, 3).chain(workers =>
    freshIds([...services, ...workers], 2).chain(stateful =>
      freshIds([...services, ...workers, ...stateful], 2).map(jobs => ({ services, workers, stateful, jobs })))));

const rawAppDescArb: fc.Arbitrary<AppDesc> = idsArb.chain(ids => fc.record({
  id: appIdArb,
  services: fc.tuple(...ids.services.map(serviceArb)),
  workers: fc.tuple(...ids.workers.map(workerArb)),
  stateful: fc.tuple(...ids.stateful.map(statefulArb)),
  jobs: fc.tuple(...ids.jobs.map(jobArb)),
  tls: fc.option(fc.tuple(domainArb, fc.option(tlsSecretArb, { nil: undefined })), { nil: undefined }),
}).chain(({ id, services, workers, stateful, jobs, tls }) => {
  const callers = [...services, ...workers, ...stateful, ...jobs].map(w => w.id);
  const targets = [...ids.services, ...ids.stateful];
  // every (caller, target) pair but self-edges, each used at most once
  const pairs = callers.flatMap(caller => targets.filter(target => target !== caller).map(target => ({ caller, target })));
  const edges = fc.shuffledSubarray(pairs, { maxLength: Math.min(10, pairs.length) }).chain(ps => fc.tuple(...ps.map(p => fc.record({
    caller: fc.constant(p.caller),
    target: fc.constant(p.target),
    customEnv: fc.boolean(),
    format: fc.constantFrom(undefined, 'url' as const, 'host:port' as const),
  }))));
  return edges.map((es): AppDesc => ({
    id,
    services: [...services],
    workers: [...workers],
    stateful: [...stateful],
    jobs: [...jobs],
    edges: es.map((e, i) => ({ caller: e.caller, target: e.target, format: e.format, env: e.customEnv ? `DEP_${i}_ADDR` : undefined })),
    domain: tls?.[0],
    tlsSecretName: tls?.[1],
  }));
}));

/** The env var name connectTo() picks by default: each '-' becomes one '_'. */
const defaultEnv = (target: string) => `${target.toUpperCase().replace(/-/g, '_')}_URL`;

const appDescArb = rawAppDescArb;

// ---------------------------------------------------------------------------------------------
// Helpers over manifests
// ---------------------------------------------------------------------------------------------

const RUNS = { numRuns: 100 };

const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
// IANA service name: what container and Service port names must be (at most 15 characters)
const IANA_SVC_NAME = /^(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/;

const STANDARD_LABELS = ['name', 'instance', 'version', 'component', 'part-of', 'managed-by'].map(k => `app.kubernetes.io/${k}`);

function isLabelKey(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  const prefixOk = parts.length === 1 || (DNS1123_SUBDOMAIN.test(parts[0]) && parts[0].length <= 253);
  return prefixOk && QUALIFIED_NAME.test(name) && name.length <= 63;
}

/** Every label map of an object: metadata labels at any depth, matchLabels, Service selectors. */
function labelMaps(o: Manifest): Array<Record<string, string>> {
  const maps: Array<Record<string, string>> = [];
  const walk = (node: any, key: string, parentKey: string) => {
    if (node === null || typeof node !== 'object') return;
    if (key === 'matchLabels' || (key === 'labels' && parentKey === 'metadata')) maps.push(node);
    for (const [k, v] of Object.entries(node)) walk(v, Array.isArray(node) ? key : k, Array.isArray(node) ? parentKey : key);
  };
  walk(o, '', '');
  if (o.kind === 'Service' && o.spec.selector) maps.push(o.spec.selector);
  return maps;
}

/** Whether a label selector (matchLabels only: the library emits no expressions) selects these labels. */
function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}

const CONTROLLERS = ['Deployment', 'StatefulSet', 'Job', 'CronJob'];
/** The pod template of any controller kind. */
const templateOf = (o: Manifest): any => (o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template : o.spec.template);
const podLabels = (d: Manifest): Record<string, string> => templateOf(d).metadata.labels;
/** The workload a controller runs: its name label (a Job's object name ends in a content hash). */
const workloadOf = (o: Manifest): string => podLabels(o)['app.kubernetes.io/name'];
const controllers = (objects: Manifest[]) => objects.filter(o => CONTROLLERS.includes(o.kind));

/** The one controller (Deployment, StatefulSet, Job or CronJob) of a workload. */
function controllerOf(objects: Manifest[], id: string): Manifest {
  const hits = controllers(objects).filter(o => workloadOf(o) === id);
  expect(hits.map(o => `${o.kind}/${workloadOf(o)}`)).toHaveLength(1);
  return hits[0];
}

/** The workloads whose pods a selector picks. */
function selected(objects: Manifest[], selector: Record<string, string> | undefined): string[] {
  return controllers(objects).filter(d => selects(selector, podLabels(d))).map(workloadOf);
}

function one(objects: Manifest[], kind: string, name: string): Manifest {
  const hits = objects.filter(o => o.kind === kind && o.metadata.name === name);
  expect(hits.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([`${kind}/${name}`]);
  return hits[0];
}

/** Whether a NetworkPolicy peer is pods of this namespace that the labels match. */
function peerSelects(peer: any, namespace: string, labels: Record<string, string>): boolean {
  const nsOk = peer.namespaceSelector === undefined || selects(peer.namespaceSelector.matchLabels, { 'kubernetes.io/metadata.name': namespace });
  return peer.ipBlock === undefined && peer.podSelector !== undefined && nsOk && selects(peer.podSelector.matchLabels, labels);
}

// a policy port is a number or the name of the destination container's port
const allowsPort = (rule: any, port: { containerPort: number; name?: string }) =>
  rule.ports === undefined || rule.ports.some((p: any) => (p.port === port.containerPort || p.port === port.name) && (p.protocol ?? 'TCP') === 'TCP');

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

describe('properties of random valid apps', () => {
  test('every valid description builds and synthesizes', () => {
    fc.assert(fc.property(appDescArb, d => {
      const objects = synthDesc(d);
      expect(ofKind(objects, 'Deployment')).toHaveLength(d.services.length + d.workers.length);
      expect(ofKind(objects, 'StatefulSet')).toHaveLength(d.stateful.length);
      expect(ofKind(objects, 'CronJob')).toHaveLength(d.jobs.filter(j => j.scheduled).length);
      expect(ofKind(objects, 'Job')).toHaveLength(d.jobs.filter(j => !j.scheduled).length);
      // a stateful service has a client Service and a headless one
      expect(ofKind(objects, 'Service')).toHaveLength(d.services.length + 2 * d.stateful.length);
    }), RUNS);
  });

  test('1. selectors pick exactly the pods they are meant for', () => {
    fc.assert(fc.property(appDescArb, d => {
      const objects = synthDesc(d);
      for (const s of ofKind(objects, 'Service')) {
        expect(Object.keys(s.spec.selector ?? {}).length).toBeGreaterThan(0);
        expect(selected(objects, s.spec.selector)).toEqual([s.metadata.labels!['app.kubernetes.io/name']]);
      }
      for (const dep of [...ofKind(objects, 'Deployment'), ...ofKind(objects, 'StatefulSet')]) {
        const matchLabels = dep.spec.selector.matchLabels;
        expect(Object.keys(matchLabels).length).toBeGreaterThan(0);
        // the selector is a subset of its own pod labels, and claims no other Deployment's pods
        expect(podLabels(dep)).toMatchObject(matchLabels);
        expect(selected(objects, matchLabels)).toEqual([dep.metadata.name]);
        for (const t of dep.spec.template.spec.topologySpreadConstraints ?? []) {
          expect(selected(objects, t.labelSelector.matchLabels)).toEqual([dep.metadata.name]);
        }
      }
      for (const pdb of ofKind(objects, 'PodDisruptionBudget')) {
        expect(Object.keys(pdb.spec.selector.matchLabels).length).toBeGreaterThan(0);
        expect(selected(objects, pdb.spec.selector.matchLabels)).toEqual([pdb.metadata.name]);
      }
      for (const np of ofKind(objects, 'NetworkPolicy')) {
        const sel = np.spec.podSelector;
        const nonEmpty = Object.keys(sel.matchLabels ?? {}).length > 0 || (sel.matchExpressions ?? []).length > 0;
        if (nonEmpty) expect(selected(objects, sel.matchLabels)).not.toEqual([]);
      }
    }), RUNS);
  });

  test('2. every name, label and port name is one the API server accepts, and no two objects clash', () => {
    fc.assert(fc.property(appDescArb, d => {
      const objects = synthDesc(d);
      // collected and compared once: a failure lists every bad value at once
      const bad: string[] = [];
      const check = (ok: boolean, what: string) => { if (!ok) bad.push(what); };
      const keys = new Set<string>();
      for (const o of objects) {
        const name = o.metadata.name;
        const where = `${o.kind}/${name}`;
        if (o.kind === 'Service') check(DNS1035_LABEL.test(name) && name.length <= 63, `${where}: not an RFC 1035 label`);
        else if (o.kind === 'Namespace') check(DNS1123_LABEL.test(name) && name.length <= 63, `${where}: not an RFC 1123 label`);
        else check(DNS1123_SUBDOMAIN.test(name) && name.length <= 253, `${where}: not an RFC 1123 subdomain`);
        const key = `${o.apiVersion.split('/').slice(0, -1).join('/')}/${o.kind}/${name}`;
        check(!keys.has(key), `${where}: a second object of this kind and name`);
        keys.add(key);
        for (const labels of labelMaps(o)) {
          for (const [k, v] of Object.entries(labels)) {
            check(isLabelKey(k), `${where}: label key '${k}'`);
            check(typeof v === 'string' && LABEL_VALUE.test(v) && v.length <= 63, `${where}: label ${k}=${JSON.stringify(v)}`);
          }
        }
        for (const p of o.kind === 'Service' ? o.spec.ports : []) {
          check(IANA_SVC_NAME.test(p.name) && p.name.length <= 15, `${where}: Service port name '${p.name}'`);
        }
        for (const c of CONTROLLERS.includes(o.kind) ? [...templateOf(o).spec.containers, ...(templateOf(o).spec.initContainers ?? [])] : []) {
          check(DNS1123_LABEL.test(c.name) && c.name.length <= 63, `${where}: container name '${c.name}'`);
          for (const p of c.ports ?? []) check(IANA_SVC_NAME.test(p.name) && p.name.length <= 15, `${where}: container port name '${p.name}'`);
        }
      }
      expect(bad).toEqual([]);
    }), RUNS);
  });

  test('3. autoscaled Deployments leave replicas to exactly one HPA; fixed ones have the given replicas and none', () => {
    fc.assert(fc.property(appDescArb, d => {
      const objects = synthDesc(d);
      const hpas = ofKind(objects, 'HorizontalPodAutoscaler');
      for (const w of [...d.services, ...d.workers]) {
        const dep = one(objects, 'Deployment', w.id);
        const targeting = hpas.filter(h => h.spec.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === w.id);
        const scaling = scalingOf(d, w.id);
        if ('autoscaling' in scaling) {
          expect(dep.spec).not.toHaveProperty('replicas');
          expect(targeting).toHaveLength(1);
          expect(targeting[0].spec).toMatchObject({
            minReplicas: scaling.autoscaling.minReplicas,
            maxReplicas: scaling.autoscaling.maxReplicas,
            metrics: [{ resource: { name: 'cpu', target: { averageUtilization: scaling.autoscaling.targetCpuUtilization ?? 70 } } }],
          });
        } else {
          expect(dep.spec.replicas).toBe(scaling.replicas);
          expect(targeting).toEqual([]);
        }
      }
      // and no HPA targets anything else
      expect(hpas.length).toBe([...d.services, ...d.workers].filter(w => 'autoscaling' in w.scaling).length);
    }), RUNS);
  });

  test('4. two builds of one description give byte-identical YAML, Namespace first', () => {
    fc.assert(fc.property(appDescArb, d => {
      const first = build(d).toJson();
      const second = build(d).toJson();
      expect(Yaml.stringify(...second)).toBe(Yaml.stringify(...first));
      expect(first[0].kind).toBe('Namespace');
      expect(first[0].metadata.name).toBe(d.id);
      expect(ofKind(first, 'Namespace')).toHaveLength(1);
    }), { numRuns: 50 }); // two builds and two YAML renderings a run: the slowest property
  });

  test('5. every connectTo edge gives the caller the address and opens exactly that flow', () => {
    fc.assert(fc.property(appDescArb, d => {
      const objects = synthDesc(d);
      const namespace = d.id;
      const policies = ofKind(objects, 'NetworkPolicy');
      for (const e of d.edges) {
        const caller = controllerOf(objects, e.caller);
        const callerPods = podLabels(caller);
        const targetController = controllerOf(objects, e.target);
        const targetPods = podLabels(targetController);
        const service = one(objects, 'Service', e.target);
        const targetPort: { containerPort: number; name: string } = templateOf(targetController).spec.containers[0].ports[0];
        expect(targetPort.containerPort).toBe([...d.services, ...d.stateful].find(s => s.id === e.target)!.port);

        const env = (templateOf(caller).spec.containers[0].env ?? []) as Array<{ name: string; value?: string }>;
        const envName = e.env ?? defaultEnv(e.target);
        const v = env.find(x => x.name === envName);
        expect({ envName, value: v?.value }).toEqual({ envName, value: expect.stringContaining(`${service.metadata.name}:${service.spec.ports[0].port}`) });
        expect(v!.value).toMatch(new RegExp(`^([a-z]+://)?${service.metadata.name}:${service.spec.ports[0].port}$`));

        const egress = policies.filter(p => p.spec.policyTypes.includes('Egress')
          && selects(p.spec.podSelector.matchLabels, callerPods)
          && (p.spec.egress ?? []).some((r: any) => (r.to ?? []).some((peer: any) => peerSelects(peer, namespace, targetPods)) && allowsPort(r, targetPort)));
        expect({ edge: `${e.caller}->${e.target}`, egress: egress.length > 0 }).toEqual({ edge: `${e.caller}->${e.target}`, egress: true });

        const ingress = policies.filter(p => p.spec.policyTypes.includes('Ingress')
          && selects(p.spec.podSelector.matchLabels, targetPods)
          && (p.spec.ingress ?? []).some((r: any) => (r.from ?? []).some((peer: any) => peerSelects(peer, namespace, callerPods)) && allowsPort(r, targetPort)));
        expect({ edge: `${e.caller}->${e.target}`, ingress: ingress.length > 0 }).toEqual({ edge: `${e.caller}->${e.target}`, ingress: true });
      }
    }), RUNS);
  });

  test('6. every workload is labelled and runs under Pod Security "restricted"', () => {
    fc.assert(fc.property(appDescArb, d => {
      const objects = synthDesc(d);
      for (const w of [...d.services, ...d.workers, ...d.stateful, ...d.jobs]) {
        const dep = controllerOf(objects, w.id);
        for (const labels of [dep.metadata.labels ?? {}, podLabels(dep)]) {
          expect(Object.keys(labels)).toEqual(expect.arrayContaining(STANDARD_LABELS));
          expect(labels).toMatchObject({
            'app.kubernetes.io/name': w.id,
            'app.kubernetes.io/instance': w.id,
            'app.kubernetes.io/part-of': d.id,
            'app.kubernetes.io/managed-by': 'cdk8s-microservices',
          });
          for (const k of STANDARD_LABELS) expect(labels[k]).not.toBe('');
        }
        const pod = templateOf(dep).spec;
        expect(pod.securityContext.runAsNonRoot).toBe(true);
        for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
          expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
          expect(c.securityContext.capabilities.drop).toContain('ALL');
        }
      }
    }), RUNS);
  });

  test('7. applying twice settles: no object holds an empty matchLabels or matchExpressions', () => {
    fc.assert(fc.property(appDescArb, d => {
      const unsettled = synthDesc(d).flatMap(o => unsettledSelectorParts(o).map(p => `${o.kind}/${o.metadata.name}${p}`));
      expect(unsettled).toEqual([]);
    }), RUNS);
  });
});

// ---------------------------------------------------------------------------------------------
// Ids that once made two objects share a name: regressions the random apps rarely reach
// ---------------------------------------------------------------------------------------------

describe('ids that look like derived names', () => {
  const service = (id: string, extra: Partial<ServiceDesc> = {}): ServiceDesc => ({ id, image: `x/${id}:1`, protocol: 'http', port: 8080, scaling: { replicas: 1 }, ...extra });
  const worker = (id: string): WorkerDesc => ({ id, image: `x/${id}:1`, scaling: { replicas: 1 } });
  const app = (services: ServiceDesc[], workers: WorkerDesc[], edges: EdgeDesc[]): AppDesc => ({ id: 'shop', services, workers, stateful: [], jobs: [], edges });

  const cases: Array<[string, AppDesc]> = [
    ['connectTo two services whose ids differ only in a run of "-"',
      app([service('a'), service('a-b'), service('a--b')], [], [{ caller: 'a', target: 'a-b' }, { caller: 'a', target: 'a--b' }])],
    ['connections x -> y-to-z and x-to-y -> z',
      app([service('y-to-z'), service('z')], [worker('x'), worker('x-to-y')], [{ caller: 'x', target: 'y-to-z' }, { caller: 'x-to-y', target: 'z' }])],
    ['a caller named "prometheus"',
      app([service('a')], [worker('prometheus')], [{ caller: 'prometheus', target: 'a' }])],
    ['a caller named "ingress" of a routed service',
      app([service('a', { route: {} })], [worker('ingress')], [{ caller: 'ingress', target: 'a' }])],
  ];

  test.each(cases)('synthesizes %s', (_name, d) => {
    const objects = synthDesc(d);
    const names = objects.filter(o => o.kind === 'NetworkPolicy').map(o => o.metadata.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
