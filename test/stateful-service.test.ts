import { warningsOf } from '../lib/warnings';
import { JsonPatch } from 'cdk8s';
import { validateManifests } from '../lib/tools/validate';
import { BatchJob, ObservedService, ScaledWorker, StatefulService, StatefulServiceProps } from '../lib';
import { find, ofKind, synth, testApp } from './helpers';

const PG = 'docker.io/library/postgres:16.4';
const STORAGE = { size: '20Gi', mountPath: '/var/lib/postgresql/data' };

function postgres(props: Partial<StatefulServiceProps> = {}, appProps = {}) {
  const { shop } = testApp('shop', appProps);
  const db = new StatefulService(shop, 'postgres', { image: PG, port: 5432, protocol: 'tcp', storage: STORAGE, ...props });
  return { shop, db };
}

describe('StatefulService', () => {
  test('creates a StatefulSet with a claim per pod mounted at storage.mountPath, ordered updates and claims retained', () => {
    const { shop } = postgres({ storage: { ...STORAGE, storageClassName: 'standard' }, user: { uid: 999, gid: 999 } });
    const objects = synth(shop);
    const set = find(objects, 'StatefulSet', 'postgres');
    expect(set.spec).toMatchObject({
      serviceName: 'postgres-headless',
      replicas: 1,
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      selector: { matchLabels: { 'app.kubernetes.io/name': 'postgres', 'app.kubernetes.io/instance': 'postgres' } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'standard', resources: { requests: { storage: '20Gi' } } } }],
    });
    const pod = set.spec.template.spec;
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/postgresql/data' });
    // the claim is not a pod volume: the StatefulSet controller adds it per pod
    expect(pod.volumes.map((v: any) => v.name)).not.toContain('data');
    expect(pod.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, fsGroup: 999, runAsNonRoot: true, fsGroupChangePolicy: 'OnRootMismatch' });
    expect(ofKind(objects, 'Deployment')).toEqual([]);
    expect(ofKind(objects, 'PodDisruptionBudget')).toEqual([]);
  });

  test('creates a headless Service that publishes not-ready pods and a client Service, both on the named port', () => {
    const objects = synth(postgres().shop);
    const headless = find(objects, 'Service', 'postgres-headless');
    expect(headless.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    expect(headless.spec.ports).toEqual([{ name: 'tcp', port: 5432, targetPort: 'tcp', protocol: 'TCP', appProtocol: 'tcp' }]);
    const client = find(objects, 'Service', 'postgres');
    expect(client.spec.type).toBe('ClusterIP');
    expect(client.spec.ports[0]).toEqual(headless.spec.ports[0]);
    expect(client.spec.clusterIP).toBeUndefined();
    expect(headless.spec.selector).toEqual(client.spec.selector);
    // the ServiceMonitor picks the client Service only, so each pod is scraped once
    const monitor = find(objects, 'ServiceMonitor', 'postgres').spec.selector.matchLabels;
    expect(ofKind(objects, 'Service').filter(svc => Object.entries(monitor).every(([k, v]) => svc.metadata.labels?.[k] === v)).map(svc => svc.metadata.name)).toEqual(['postgres']);
  });

  test('creates a PodDisruptionBudget and a spread that counts every pod when replicas >= 2', () => {
    const objects = synth(postgres({ replicas: 3 }).shop);
    expect(find(objects, 'PodDisruptionBudget', 'postgres').spec).toMatchObject({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/instance': 'postgres' } } });
    const spread = find(objects, 'StatefulSet', 'postgres').spec.template.spec.topologySpreadConstraints;
    expect(spread.map((t: any) => t.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
    // a StatefulSet's pods have no pod-template-hash label
    for (const t of spread) expect(t.matchLabelKeys).toBeUndefined();
  });

  test('deletes claims on scale-down or deletion only when asked to', () => {
    const set = find(synth(postgres({ claimRetention: { whenScaled: 'Delete' } }).shop), 'StatefulSet', 'postgres');
    expect(set.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Delete' });
  });

  test('is a connectTo() target of every workload kind: env, and policy on both sides', () => {
    // GIVEN a service, a worker and a job calling the database
    const { shop, db } = postgres();
    const callers = [
      new ObservedService(shop, 'api', { image: 'ghcr.io/acme/api:1.0.0' }),
      new ScaledWorker(shop, 'indexer', { image: 'ghcr.io/acme/indexer:1.0.0' }),
      new BatchJob(shop, 'report', { image: 'ghcr.io/acme/report:1.0.0', schedule: '@daily' }),
    ];
    for (const c of callers) c.connectTo(db);
    const objects = synth(shop);
    for (const c of callers) {
      // THEN each gets the address and an egress policy, and the database an ingress policy
      expect(find(objects, 'NetworkPolicy', `${c.name}.to.postgres`).spec.egress[0]).toMatchObject({ ports: [{ port: 'tcp' }], to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'postgres' } } }] });
      expect(find(objects, 'NetworkPolicy', `postgres.from.${c.name}`).spec.ingress[0]).toMatchObject({ ports: [{ port: 'tcp' }], from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': c.name } } }] });
    }
    const report = find(objects, 'CronJob', 'report').spec.jobTemplate.spec.template.spec.containers[0];
    expect(report.env).toContainEqual({ name: 'POSTGRES_URL', value: 'postgres:5432' });
    expect(db.podAddress(0)).toBe('postgres-0.postgres-headless.shop.svc:5432');
  });

  test('can call other services itself', () => {
    const { shop, db } = postgres();
    db.connectTo(new ObservedService(shop, 'vault', { image: 'ghcr.io/acme/vault:1.0.0' }));
    expect(find(synth(shop), 'NetworkPolicy', 'postgres.to.vault')).toBeDefined();
  });

  test('with a mesh, admits exactly its callers by mesh identity', () => {
    const { shop, db } = postgres({}, { mesh: 'istio' });
    new ObservedService(shop, 'api', { image: 'ghcr.io/acme/api:1.0.0' }).connectTo(db);
    const policy = find(synth(shop), 'AuthorizationPolicy', 'postgres');
    expect(policy.spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'postgres', 'app.kubernetes.io/part-of': 'shop' } },
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/api'] } }], to: [{ operation: { ports: ['5432'] } }] }],
    });
  });

  test('is scraped through a ServiceMonitor on a sidecar exporter port, and not at all with metrics: false', () => {
    const exporter = { name: 'exporter', image: 'quay.io/prometheuscommunity/postgres-exporter:v0.15.0', ports: [{ name: 'metrics', port: 9187 }] };
    const objects = synth(postgres({ sidecars: [exporter], metrics: { port: 9187 } }).shop);
    const set = find(objects, 'StatefulSet', 'postgres');
    expect(set.spec.template.spec.containers.map((c: any) => c.ports.map((p: any) => p.containerPort))).toEqual([[5432], [9187]]);
    expect(find(objects, 'Service', 'postgres').spec.ports[1]).toMatchObject({ name: 'http-metrics', port: 9187, targetPort: 'metrics' });
    expect(find(objects, 'ServiceMonitor', 'postgres').spec.endpoints[0]).toMatchObject({ port: 'http-metrics' });
    expect(find(objects, 'NetworkPolicy', 'postgres.allow-prometheus').spec.ingress[0].ports).toEqual([{ port: 9187, protocol: 'TCP' }]);

    const off = synth(postgres({ metrics: false }).shop);
    expect(ofKind(off, 'ServiceMonitor')).toEqual([]);
    expect(off.some(o => o.metadata.name === 'postgres.allow-prometheus')).toBe(false);
  });
});

describe('storage.subPath', () => {
  test('mounts that directory of each pod\'s claim at the mount path, in the main container and in sidecars that mount it', () => {
    const { shop } = postgres({
      storage: { ...STORAGE, size: '1Gi', subPath: 'postgres' },
      sidecars: [{ name: 'backup', image: 'ghcr.io/acme/backup:1.0.0', mountPaths: ['/var/lib/postgresql/data'] }],
    });
    const set = find(synth(shop), 'StatefulSet', 'postgres');
    const [main, backup] = set.spec.template.spec.containers;
    expect(main.volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/postgresql/data', subPath: 'postgres' });
    expect(backup.volumeMounts).toEqual([{ name: 'data', mountPath: '/var/lib/postgresql/data', subPath: 'postgres' }]);
    // the claim itself is the whole volume: the subPath is only where it is mounted from
    expect(set.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    expect(set.spec.volumeClaimTemplates[0].spec).not.toHaveProperty('subPath');
    // a nested directory is a relative path too
    const nested = find(synth(postgres({ storage: { ...STORAGE, subPath: 'pg/16' } }).shop), 'StatefulSet', 'postgres');
    expect(nested.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/postgresql/data', subPath: 'pg/16' });
  });

  test('without it, the claim\'s root is mounted (no subPath field)', () => {
    const set = find(synth(postgres().shop), 'StatefulSet', 'postgres');
    expect(set.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/postgresql/data' });
  });

  test.each([
    ['a path that leaves the volume', '../etc'],
    ['a .. segment', 'pg/../../etc'],
    ['an absolute path', '/postgres'],
    ['an empty path', ''],
    ['a number', 5],
  ])('refuses %s', (_what, subPath) => {
    expect(() => postgres({ storage: { ...STORAGE, subPath: subPath as any } }))
      .toThrow(`[shop/postgres] 'storage.subPath' must be a relative path inside the volume without '..', got ${typeof subPath === 'string' ? `'${subPath}'` : subPath}: for example 'postgres'`);
  });
});

describe('StatefulService names', () => {
  test('fails at synth, naming both constructs, when another service takes the headless name', () => {
    const { shop } = postgres();
    new ObservedService(shop, 'postgres-headless', { image: 'ghcr.io/acme/x:1.0.0' });
    expect(() => synth(shop)).toThrow("[shop] two Service objects would both be named 'postgres-headless' (shop/postgres/HeadlessService and shop/postgres-headless/Service): give one of the constructs another id");
  });
});

describe('the escape hatch', () => {
  test('a JSON patch on an exposed object reaches the output, and validate judges the patched result', () => {
    // GIVEN a database whose StatefulSet is patched twice: a field the props lack, then a broken pod
    const { shop, db } = postgres({ metrics: false });
    db.statefulSet.addJsonPatch(JsonPatch.add('/spec/minReadySeconds', 10));
    expect(find(synth(shop), 'StatefulSet', 'postgres').spec.minReadySeconds).toBe(10);
    expect(validateManifests(synth(shop)).findings.filter(f => f.severity === 'error')).toEqual([]);
    db.statefulSet.addJsonPatch(JsonPatch.remove('/spec/template/spec/containers/0/securityContext'));
    // THEN validate reports what the patch broke
    const rules = validateManifests(synth(shop)).findings.filter(f => f.object.includes('postgres')).map(f => f.rule);
    expect(rules).toEqual(expect.arrayContaining(['sc-priv-esc', 'sc-ro-rootfs', 'sc-caps']));
  });
});

describe('peerPorts', () => {
  test('lets the set reach itself on exactly those ports, and in a mesh admits its own identity there', () => {
    const { shop, db } = postgres({ replicas: 3, peerPorts: [5432, 7000] }, { mesh: 'istio' });
    new ObservedService(shop, 'api', { image: 'ghcr.io/acme/api:1.0.0' }).connectTo(db);
    const objects = synth(shop);
    const self = { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'postgres', 'app.kubernetes.io/part-of': 'shop' } } };
    const ports = [{ port: 5432, protocol: 'TCP' }, { port: 7000, protocol: 'TCP' }];
    expect(find(objects, 'NetworkPolicy', 'postgres.peers.in').spec).toMatchObject({ policyTypes: ['Ingress'], ingress: [{ from: [self], ports }] });
    expect(find(objects, 'NetworkPolicy', 'postgres.peers.out').spec).toMatchObject({ policyTypes: ['Egress'], egress: [{ to: [self], ports }] });
    expect(find(objects, 'AuthorizationPolicy', 'postgres').spec.rules).toEqual([
      { from: [{ source: { principals: ['cluster.local/ns/shop/sa/api'] } }], to: [{ operation: { ports: ['5432'] } }] },
      { from: [{ source: { principals: ['cluster.local/ns/shop/sa/postgres'] } }], to: [{ operation: { ports: ['5432'] } }] },
      { from: [{ source: { principals: ['cluster.local/ns/shop/sa/postgres'] } }], to: [{ operation: { ports: ['7000'] } }] },
    ]);
  });
});

describe('probes of a tcp StatefulService', () => {
  test('warns when readiness is left a plain TCP connect, and not when a readiness check is given', () => {
    const plain = postgres();
    expect(warningsOf(plain.shop)).toEqual([expect.stringMatching(/^\[shop\/postgres\] readiness is a TCP connect, like liveness/)]);
    const checked = postgres({ probes: { readiness: { command: ['pg_isready', '--host=127.0.0.1'] } } });
    expect(warningsOf(checked.shop)).toEqual([]);
    expect(find(synth(checked.shop), 'StatefulSet', 'postgres').spec.template.spec.containers[0].readinessProbe.exec.command).toEqual(['pg_isready', '--host=127.0.0.1']);
  });
});
