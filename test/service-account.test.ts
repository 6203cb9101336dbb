// `serviceAccount: { name?, annotations? }` on every workload kind: one shared ServiceAccount per
// name, its annotations agreed on, the pods' serviceAccountName and mesh principals following it;
// network policy stays per workload, and a warning says when sharing widens an AuthorizationPolicy.
import { Testing } from 'cdk8s';
import { BatchJob, MicroserviceApp, ObservedService, ScaledWorker, StatefulService } from '../lib';
import { warningsOf } from '../lib/warnings';
import { Manifest, READY, expectConfigError, find, ofKind, synth, testApp } from './helpers';
import { NetworkPolicy, Pod, allowed } from './netpol-evaluator';

const IMAGE = 'ghcr.io/acme/app:1.0.0';
const GKE = { 'iam.gke.io/gcp-service-account': 'bank@acme-prod.iam.gserviceaccount.com' };
const EKS = { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/bank' };
const BANK = { name: 'bank', annotations: GKE };

/** The pod spec of whatever runs a workload's pods. */
function podSpec(objects: Manifest[], name: string): any {
  const o = objects.find(x => x.metadata.name === name && ['Deployment', 'StatefulSet'].includes(x.kind))
    ?? objects.find(x => x.kind === 'CronJob' && x.metadata.name === name)
    ?? objects.find(x => x.kind === 'Job' && x.metadata.name.startsWith(`${name}-`));
  if (!o) throw new Error(`no controller of ${name}`);
  return (o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template : o.spec.template).spec;
}

/** Four workload kinds naming the account `bank`, and one with its own. */
function bank(props: { mesh?: boolean; without?: string } = {}) {
  const { shop } = testApp('shop', props.mesh ? { mesh: 'istio' } : {});
  const make: Record<string, () => unknown> = {
    frontend: () => new ObservedService(shop, 'frontend', { image: IMAGE, serviceAccount: BANK, probes: READY }),
    loadgen: () => new ScaledWorker(shop, 'loadgen', { image: IMAGE, serviceAccount: BANK, probes: { liveness: false } }),
    cache: () => new StatefulService(shop, 'cache', { image: IMAGE, storage: { size: '1Gi', mountPath: '/data' }, serviceAccount: BANK, probes: READY }),
    report: () => new BatchJob(shop, 'report', { image: IMAGE, schedule: '0 3 * * *', serviceAccount: BANK }),
  };
  for (const [name, build] of Object.entries(make)) if (name !== props.without) build();
  const api = new ObservedService(shop, 'api', { image: IMAGE, probes: READY });
  return { shop, api };
}

describe('a shared ServiceAccount', () => {
  test('is one object with the annotations, and every pod that names it runs as it', () => {
    const { shop } = bank();
    const objects = synth(shop);
    const accounts = ofKind(objects, 'ServiceAccount');
    expect(accounts.map(a => a.metadata.name).sort()).toEqual(['api', 'bank']);
    const account = find(objects, 'ServiceAccount', 'bank');
    expect(account.metadata.annotations).toEqual(GKE);
    expect(account.metadata.namespace).toBe('shop');
    expect(account.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'bank', 'app.kubernetes.io/component': 'service-account', 'app.kubernetes.io/part-of': 'shop' });
    // no token from the account: each pod says for itself (the pod's field wins)
    expect(account.automountServiceAccountToken).toBe(false);
    for (const name of ['frontend', 'loadgen', 'cache', 'report']) {
      expect(podSpec(objects, name).serviceAccountName).toBe('bank');
      expect(podSpec(objects, name).automountServiceAccountToken).toBe(false);
    }
    expect(podSpec(objects, 'api').serviceAccountName).toBe('api');
  });

  test('is the same object on every workload, and is kept under the app: removing one workload keeps it for the others', () => {
    const { shop } = bank();
    const frontend = shop.node.findChild('frontend') as ObservedService;
    const loadgen = shop.node.findChild('loadgen') as ScaledWorker;
    expect(frontend.serviceAccount).toBe(loadgen.serviceAccount);
    expect(frontend.serviceAccountName).toBe('bank');
    expect(frontend.serviceAccount.node.scope).toBe(shop);
    // whichever workload made it first, each app without one of them still has the same account
    const whole = find(synth(shop), 'ServiceAccount', 'bank');
    for (const without of ['frontend', 'loadgen', 'cache', 'report']) {
      expect(find(synth(bank({ without }).shop), 'ServiceAccount', 'bank')).toEqual(whole);
    }
  });

  test('in a mesh: the principal is the account\'s, and a target admits it', () => {
    const { shop, api } = bank({ mesh: true });
    const frontend = shop.node.findChild('frontend') as ObservedService;
    frontend.connectTo(api);
    expect(frontend.principal).toBe('cluster.local/ns/shop/sa/bank');
    expect((shop.node.findChild('loadgen') as ScaledWorker).principal).toBe('cluster.local/ns/shop/sa/bank');
    expect(find(synth(shop), 'AuthorizationPolicy', 'api').spec.rules).toEqual([
      { from: [{ source: { principals: ['cluster.local/ns/shop/sa/bank'] } }], to: [{ operation: { ports: ['8080'] } }] },
    ]);
  });

  test('in a mesh, widening an AuthorizationPolicy is warned about at synth, naming the workloads; network policy stays exact', () => {
    const { shop, api } = bank({ mesh: true });
    const frontend = shop.node.findChild('frontend') as ObservedService;
    expect(warningsOf(shop)).toEqual([]);
    frontend.connectTo(api);
    const objects = synth(shop);
    synth(shop); // read before or after synth, once
    expect(warningsOf(shop)).toEqual([
      "[shop/ServiceAccount-bank] 'frontend', 'loadgen', 'cache', 'report' share the ServiceAccount 'bank', so the mesh sees them as one identity (cluster.local/ns/shop/sa/bank): "
      + "the AuthorizationPolicy of 'shop/api' admits 'frontend' (connectTo) and so 'loadgen', 'cache', 'report' too, which never connect to it. "
      + "Network policy still admits only 'frontend'; for exact mesh admission give them a ServiceAccount of their own",
    ]);
    // the network policy admits the frontend's pods only: the others share an account, not labels
    const policies = ofKind(objects, 'NetworkPolicy') as unknown as NetworkPolicy[];
    const pod = (name: string): Pod => {
      const o = objects.find(x => x.metadata.name === name && ['Deployment', 'StatefulSet'].includes(x.kind))!;
      return { name, namespace: 'shop', labels: o.spec.template.metadata.labels, ports: o.spec.template.spec.containers[0].ports };
    };
    expect(allowed(policies, pod('frontend'), pod('api'), 8080)).toBe(true);
    expect(allowed(policies, pod('loadgen'), pod('api'), 8080)).toBe(false);
    expect(allowed(policies, pod('cache'), pod('api'), 8080)).toBe(false);
  });

  test('the warning follows the connections made later, read with or without a synth', () => {
    const { shop, api } = bank({ mesh: true, without: 'report' });
    const [frontend, loadgen, cache] = ['frontend', 'loadgen', 'cache'].map(id => shop.node.findChild(id) as ObservedService);
    frontend.connectTo(api);
    expect(warningsOf(shop)).toEqual([expect.stringContaining("admits 'frontend' (connectTo) and so 'loadgen', 'cache' too")]);
    loadgen.connectTo(api);
    expect(warningsOf(shop)).toEqual([expect.stringContaining("admits 'frontend', 'loadgen' (connectTo) and so 'cache' too, which never connect to it. Network policy still admits only 'frontend', 'loadgen'; for exact mesh admission give it a ServiceAccount of its own")]);
    cache.connectTo(api);
    expect(warningsOf(shop)).toEqual([]);
  });

  test('no warning without a mesh, or when every sharer calls the target', () => {
    const plain = bank();
    (plain.shop.node.findChild('frontend') as ObservedService).connectTo(plain.api);
    synth(plain.shop);
    expect(warningsOf(plain.shop)).toEqual([]);
    const { shop } = testApp('shop', { mesh: 'istio' });
    const api = new ObservedService(shop, 'api', { image: IMAGE, probes: READY });
    new ObservedService(shop, 'a', { image: IMAGE, serviceAccount: { name: 'callers' }, probes: READY }).connectTo(api);
    new ObservedService(shop, 'b', { image: IMAGE, serviceAccount: { name: 'callers' }, probes: READY }).connectTo(api);
    synth(shop);
    expect(warningsOf(shop)).toEqual([]);
  });

  test('annotations that differ are refused, naming both workloads', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'frontend', { image: IMAGE, serviceAccount: BANK, probes: READY });
    new ObservedService(shop, 'userservice', { image: IMAGE, serviceAccount: BANK, probes: READY });
    expectConfigError(() => new ObservedService(shop, 'contacts', { image: IMAGE, serviceAccount: { name: 'bank', annotations: EKS }, probes: READY }),
      "[shop/contacts] 'serviceAccount.annotations' {\"eks.amazonaws.com/role-arn\":\"arn:aws:iam::111122223333:role/bank\"} differ from {\"iam.gke.io/gcp-service-account\":\"bank@acme-prod.iam.gserviceaccount.com\"}, "
      + "which 'frontend', 'userservice' give the ServiceAccount 'bank' they share with this workload: one account has one set of annotations; give them all the same, or give this workload an account of its own");
    expectConfigError(() => new ObservedService(shop, 'ledger', { image: IMAGE, serviceAccount: { name: 'bank' }, probes: READY }),
      "[shop/ledger] 'serviceAccount.annotations' {} differ from {\"iam.gke.io/gcp-service-account\":\"bank@acme-prod.iam.gserviceaccount.com\"}, "
      + "which 'frontend', 'userservice' give the ServiceAccount 'bank' they share with this workload: one account has one set of annotations; give them all the same, or give this workload an account of its own");
  });

  test('a name that is a workload\'s own account is refused, whichever comes first', () => {
    const first = testApp();
    new ObservedService(first.shop, 'bank', { image: IMAGE, probes: READY });
    expectConfigError(() => new ObservedService(first.shop, 'frontend', { image: IMAGE, serviceAccount: { name: 'bank' }, probes: READY }),
      "[shop/frontend] 'serviceAccount.name' 'bank' is the ServiceAccount that workload 'bank' has of its own: give it serviceAccount: { name: 'bank' } too to share it, or choose another name");
    const second = testApp();
    new ObservedService(second.shop, 'frontend', { image: IMAGE, serviceAccount: { name: 'bank' }, probes: READY });
    expectConfigError(() => new ObservedService(second.shop, 'bank', { image: IMAGE, probes: READY }),
      "[shop/bank] its own ServiceAccount would be named 'bank', the account 'frontend' share ('serviceAccount.name'): set serviceAccount: { name: 'bank' } here to share it too, or give the others another name");
    // naming it on both shares it
    const both = testApp();
    new ObservedService(both.shop, 'bank', { image: IMAGE, serviceAccount: { name: 'bank' }, probes: READY });
    new ObservedService(both.shop, 'frontend', { image: IMAGE, serviceAccount: { name: 'bank' }, probes: READY });
    expect(ofKind(synth(both.shop), 'ServiceAccount').map(a => a.metadata.name)).toEqual(['bank']);
  });

  test('accounts of two apps are apart: the same name in each is an account of each namespace', () => {
    const app = Testing.app();
    const a = new MicroserviceApp(app, 'shop');
    const b = new MicroserviceApp(app, 'billing');
    new ObservedService(a, 'web', { image: IMAGE, serviceAccount: { name: 'runner', annotations: GKE }, probes: READY });
    new ObservedService(b, 'web', { image: IMAGE, serviceAccount: { name: 'runner', annotations: EKS }, probes: READY });
    expect(find(synth(a), 'ServiceAccount', 'runner').metadata).toMatchObject({ namespace: 'shop', annotations: GKE });
    expect(find(synth(b), 'ServiceAccount', 'runner').metadata).toMatchObject({ namespace: 'billing', annotations: EKS });
  });
});

describe('serviceAccount without a name', () => {
  test('annotates the workload\'s own account', () => {
    const { shop } = testApp();
    new ScaledWorker(shop, 'uploader', { image: IMAGE, serviceAccount: { annotations: EKS } });
    const objects = synth(shop);
    expect(find(objects, 'ServiceAccount', 'uploader').metadata.annotations).toEqual(EKS);
    expect(podSpec(objects, 'uploader').serviceAccountName).toBe('uploader');
  });

  test('by default: an account of its own, unannotated', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'web', { image: IMAGE, probes: READY });
    const account = find(synth(shop), 'ServiceAccount', 'web');
    expect(account.metadata.annotations).toBeUndefined();
    expect(account.automountServiceAccountToken).toBe(false);
  });
});

describe('serviceAccount refused', () => {
  test.each([
    ['a name that is no object name', { name: 'Bank_SA' }, "[shop/web] 'serviceAccount.name' must be a Kubernetes object name (lowercase letters, digits, '-' and '.', at most 253), got 'Bank_SA': for example 'bank-of-anthos'"],
    ['an annotation value that is no string', { annotations: { 'iam.gke.io/gcp-service-account': 42 } }, "[shop/web] 'serviceAccount.annotations.iam.gke.io/gcp-service-account' must be a string, got 42: quote numbers and booleans"],
    ['an annotation key that is none', { annotations: { 'iam.gke.io/': 'x' } }, "[shop/web] 'serviceAccount.annotations' has an invalid annotation key 'iam.gke.io/': use an optional DNS prefix and '/', then a name, for example 'nginx.ingress.kubernetes.io/proxy-body-size'"],
    ['an unknown prop', { role: 'x' }, "[shop/web] 'serviceAccount.role' is not a known prop: use one of 'name', 'annotations'"],
  ])('%s', (_what, serviceAccount, message) => {
    const { shop } = testApp();
    expectConfigError(() => new ObservedService(shop, 'web', { image: IMAGE, serviceAccount: serviceAccount as any, probes: READY }), message);
  });
});
