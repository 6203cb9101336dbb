// Bank of Anthos (apps/bank-of-anthos.ts), a real app nobody here wrote: its network policy
// admits exactly its call edges (evaluated with Kubernetes semantics), it asks nothing of the
// images they do not serve (no /metrics, the probes they answer), and the pod features it needs
// come out as upstream's manifests have them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { EXAMPLE_APPS } from '../apps';
import { warningsOf } from '../lib/warnings';
import { Manifest, find, ofKind } from './helpers';
import { NetworkPolicy, Pod, allowed } from './netpol-evaluator';

function bank() {
  const app = EXAMPLE_APPS['bank-of-anthos'](Testing.app());
  return { app, objects: app.toJson() as Manifest[] };
}

const SERVICES = ['frontend', 'userservice', 'contacts', 'balancereader', 'ledgerwriter', 'transactionhistory'];
const DATABASES = ['accounts-db', 'ledger-db'];
const WORKLOADS = [...SERVICES, ...DATABASES, 'loadgenerator'];

/** Upstream's 12 call edges (kubernetes-manifests/: the address variables each workload reads). */
const EDGES: Array<[string, string]> = [
  ['frontend', 'userservice'], ['frontend', 'contacts'], ['frontend', 'balancereader'], ['frontend', 'transactionhistory'], ['frontend', 'ledgerwriter'],
  ['ledgerwriter', 'balancereader'],
  ['userservice', 'accounts-db'], ['contacts', 'accounts-db'],
  ['balancereader', 'ledger-db'], ['ledgerwriter', 'ledger-db'], ['transactionhistory', 'ledger-db'],
  ['loadgenerator', 'frontend'],
];

/** The object that runs a workload's pods. */
function controller(objects: Manifest[], name: string): Manifest {
  return objects.find(o => ['Deployment', 'StatefulSet'].includes(o.kind) && o.metadata.name === name)!;
}

function pod(objects: Manifest[], name: string, ip: string): Pod {
  const t = controller(objects, name).spec.template;
  return { name, namespace: 'bank-of-anthos', labels: t.metadata.labels, ports: t.spec.containers.flatMap((c: any) => c.ports ?? []), ip };
}

function env(objects: Manifest[], name: string): Record<string, any> {
  const c = controller(objects, name).spec.template.spec.containers[0];
  return Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));
}

describe('Bank of Anthos', () => {
  test('its network policy admits exactly the 12 call edges, on the serving port, and nothing else between its pods', () => {
    const { objects } = bank();
    const policies = ofKind(objects, 'NetworkPolicy') as unknown as NetworkPolicy[];
    const pods = Object.fromEntries(WORKLOADS.map((w, i) => [w, pod(objects, w, `10.0.0.${i + 1}`)]));
    const ports = [...new Set([...Object.values(pods).flatMap(p => (p.ports ?? []).map(c => c.containerPort)), 5432, 8080, 9090, 9464])];
    const admitted: string[] = [];
    for (const src of WORKLOADS) {
      for (const dst of WORKLOADS) {
        for (const port of ports) if (allowed(policies, pods[src], pods[dst], port)) admitted.push(`${src} -> ${dst}:${port}`);
      }
    }
    const serving = (w: string) => (DATABASES.includes(w) ? 5432 : 8080);
    expect(admitted.sort()).toEqual(EDGES.map(([s, d]) => `${s} -> ${d}:${serving(d)}`).sort());
  });

  test('from outside: the load balancer reaches the frontend only, DNS is open to every pod, and Prometheus reaches nothing (nothing serves /metrics)', () => {
    const { objects } = bank();
    const policies = ofKind(objects, 'NetworkPolicy') as unknown as NetworkPolicy[];
    const client: Pod = { name: 'client', namespace: '', labels: {}, ip: '203.0.113.9', external: true };
    const prometheus: Pod = { name: 'prometheus', namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' }, ip: '10.9.0.1' };
    const dns: Pod = { name: 'coredns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, ip: '10.96.0.10' };
    for (const [i, w] of WORKLOADS.entries()) {
      const p = pod(objects, w, `10.0.0.${i + 1}`);
      expect(allowed(policies, client, p, 8080)).toBe(w === 'frontend');
      // the load balancer's policy admits any address to the frontend, Prometheus's too; no policy admits Prometheus itself
      expect(allowed(policies, prometheus, p, 8080)).toBe(w === 'frontend');
      expect(allowed(policies, prometheus, p, 5432) || allowed(policies, prometheus, p, 9464)).toBe(false);
      expect(allowed(policies, p, dns, 53, 'UDP')).toBe(true);
      expect(allowed(policies, p, client, 443)).toBe(false);
    }
  });

  test('nothing scrapes it, and no alert or panel reads request metrics it does not have', () => {
    const { objects } = bank();
    expect(objects.filter(o => o.metadata.name.endsWith('allow-prometheus'))).toEqual([]);
    expect(ofKind(objects, 'ServiceMonitor')).toEqual([]);
    expect(ofKind(objects, 'PodMonitor')).toEqual([]);
    for (const w of WORKLOADS) {
      expect(Object.keys(controller(objects, w).spec.template.metadata.annotations ?? {}).filter(k => k.startsWith('prometheus.io/'))).toEqual([]);
      const rules = find(objects, 'PrometheusRule', w).spec.groups.flatMap((g: any) => g.rules);
      expect(rules.map((r: any) => r.expr).join('\n')).not.toMatch(/http_server_request_duration_seconds|rpc_server_duration|istio_request/);
    }
  });

  test('its services are probed on the paths they serve, its databases with pg_isready, and nothing on /readyz, /healthz or /metrics', () => {
    const { objects } = bank();
    const probes = (w: string) => {
      const c = controller(objects, w).spec.template.spec.containers[0];
      return { readiness: c.readinessProbe, liveness: c.livenessProbe, startup: c.startupProbe };
    };
    for (const w of SERVICES) expect(probes(w).readiness.httpGet).toEqual({ path: '/ready', port: 'http' });
    for (const w of ['balancereader', 'transactionhistory']) {
      expect(probes(w).liveness.httpGet).toEqual({ path: '/healthy', port: 'http' });
      expect(probes(w).startup).toMatchObject({ httpGet: { path: '/healthy', port: 'http' }, periodSeconds: 10, failureThreshold: 30 });
    }
    expect(probes('accounts-db').readiness.exec.command).toEqual(['pg_isready', '--host=127.0.0.1', '--username=accounts-admin', '--dbname=accounts-db']);
    expect(probes('ledger-db').readiness.exec.command).toEqual(['pg_isready', '--host=127.0.0.1', '--username=admin', '--dbname=postgresdb']);
    // the load generator serves nothing: no HTTP or TCP probe, only a command, and no readiness (no Service)
    const loadgen = probes('loadgenerator');
    expect(loadgen.readiness).toBeUndefined();
    expect(loadgen.liveness.exec.command).toEqual(['sh', '-c', 'kill -0 1']);
    expect(JSON.stringify(loadgen)).not.toMatch(/httpGet|tcpSocket|grpc/);
    const text = JSON.stringify(objects);
    expect(text).not.toMatch(/\/readyz|\/healthz|"\/metrics"/);
  });

  test('the six app services share the ServiceAccount with the Workload Identity binding; the databases and the load generator have their own', () => {
    const { objects } = bank();
    const account = find(objects, 'ServiceAccount', 'bank-of-anthos');
    expect(account.metadata.annotations).toEqual({ 'iam.gke.io/gcp-service-account': 'gke-workload-development@bank-of-anthos-ci.iam.gserviceaccount.com' });
    for (const w of SERVICES) expect(controller(objects, w).spec.template.spec.serviceAccountName).toBe('bank-of-anthos');
    for (const w of [...DATABASES, 'loadgenerator']) expect(controller(objects, w).spec.template.spec.serviceAccountName).toBe(w);
    expect(ofKind(objects, 'ServiceAccount').map(a => a.metadata.name).sort()).toEqual(['accounts-db', 'bank-of-anthos', 'ledger-db', 'loadgenerator']);
  });

  test('the pod features upstream uses: key-to-file Secret items, the namespace from the downward API, the data under a subPath, addresses only where the app reads one', () => {
    const { objects } = bank();
    const volumes = (w: string) => controller(objects, w).spec.template.spec.volumes;
    expect(volumes('userservice')).toContainEqual(expect.objectContaining({
      secret: expect.objectContaining({ secretName: 'jwt-key', items: [{ key: 'jwtRS256.key', path: 'privatekey' }, { key: 'jwtRS256.key.pub', path: 'publickey' }] }),
    }));
    expect(volumes('frontend')).toContainEqual(expect.objectContaining({ secret: expect.objectContaining({ secretName: 'jwt-key', items: [{ key: 'jwtRS256.key.pub', path: 'publickey' }] }) }));
    for (const w of ['balancereader', 'ledgerwriter', 'transactionhistory']) {
      expect(env(objects, w).NAMESPACE).toEqual({ fieldRef: { fieldPath: 'metadata.namespace' } });
      expect(env(objects, w).SPRING_DATASOURCE_URL).toBe('jdbc:postgresql://ledger-db:5432/postgresdb');
      expect(env(objects, w).SPRING_DATASOURCE_PASSWORD).toEqual({ secretKeyRef: { name: 'ledger-db', key: 'password' } });
      expect(env(objects, w)).not.toHaveProperty('LEDGER_DB_URL');
    }
    for (const w of ['userservice', 'contacts']) {
      expect(env(objects, w).ACCOUNTS_DB_URI).toEqual({ secretKeyRef: { name: 'accounts-db', key: 'uri' } });
      expect(env(objects, w)).not.toHaveProperty('ACCOUNTS_DB_URL');
    }
    expect(env(objects, 'frontend')).toMatchObject({
      USERSERVICE_API_ADDR: 'userservice:80', CONTACTS_API_ADDR: 'contacts:80', BALANCES_API_ADDR: 'balancereader:80',
      HISTORY_API_ADDR: 'transactionhistory:80', TRANSACTIONS_API_ADDR: 'ledgerwriter:80',
    });
    expect(env(objects, 'ledgerwriter').BALANCES_API_ADDR).toBe('balancereader:80');
    expect(env(objects, 'loadgenerator').FRONTEND_ADDR).toBe('frontend:80');
    for (const db of DATABASES) {
      const set = find(objects, 'StatefulSet', db);
      expect(set.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/postgresql/data', subPath: 'postgres' });
      expect(env(objects, db).PGDATA).toBe('/var/lib/postgresql/data/pgdata');
    }
    expect(find(objects, 'Service', 'frontend').spec.type).toBe('LoadBalancer');
  });

  test('is written without an escape hatch, and synthesizes without a warning', () => {
    const source = fs.readFileSync(path.join(__dirname, '..', 'apps', 'bank-of-anthos.ts'), 'utf8');
    expect(source).not.toMatch(/JsonPatch|addOverride|ApiObject|\.node\.(children|findChild|findAll)|addJsonPatch/);
    const { app } = bank();
    expect(warningsOf(app)).toEqual([]);
  });
});
