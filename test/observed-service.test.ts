import { ObservedService } from '../lib';
import { appEnv, container, find, ofKind, synth, testApp } from './helpers';

describe('ObservedService', () => {
  test('creates a ServiceAccount, Deployment, Service and PodDisruptionBudget named after the id', () => {
    // GIVEN
    const { shop } = testApp();
    // WHEN
    const svc = new ObservedService(shop, 'catalog', { image: 'ghcr.io/acme/catalog:1.4.2' });
    const objects = synth(shop);
    // THEN
    for (const kind of ['ServiceAccount', 'Deployment', 'Service', 'PodDisruptionBudget']) {
      expect(find(objects, kind, 'catalog').metadata.namespace).toBe('shop');
    }
    expect(svc.deployment.name).toBe('catalog');
    expect(svc.service.name).toBe('catalog');
    expect(svc.serviceAccount.name).toBe('catalog');
    expect(svc.autoscaler).toBeUndefined();
  });

  test('labels the Deployment and the pod template with the six recommended labels, every other object with all but the version', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'catalog', { image: 'ghcr.io/acme/catalog:1.4.2' });
    const expected = {
      'app.kubernetes.io/name': 'catalog',
      'app.kubernetes.io/instance': 'catalog',
      'app.kubernetes.io/component': 'service',
      'app.kubernetes.io/part-of': 'shop',
      'app.kubernetes.io/managed-by': 'cdk8s-microservices',
    };
    const versioned = {
      'app.kubernetes.io/name': 'catalog',
      'app.kubernetes.io/instance': 'catalog',
      'app.kubernetes.io/version': '1.4.2',
      'app.kubernetes.io/component': 'service',
      'app.kubernetes.io/part-of': 'shop',
      'app.kubernetes.io/managed-by': 'cdk8s-microservices',
    };
    const objects = synth(shop).filter(o => o.metadata.labels?.['app.kubernetes.io/name'] === 'catalog');
    expect(objects.length).toBeGreaterThanOrEqual(5);
    // monitoring objects also carry the label the Prometheus release selects them by, the
    // dashboard the one the Grafana sidecar loads by
    const selectedBy = { release: 'kube-prometheus-stack' };
    const extra = (o: { kind: string; metadata: { name: string } }) => (['ServiceMonitor', 'PrometheusRule'].includes(o.kind) ? selectedBy
      : o.metadata.name === 'catalog-dashboard' ? { ...selectedBy, grafana_dashboard: '1' } : {});
    for (const o of objects.filter(x => x.kind !== 'Deployment')) expect(o.metadata.labels).toEqual({ ...expected, ...extra(o) });
    const deployment = find(objects, 'Deployment', 'catalog');
    // the version only where the image runs: a release changes the Deployment and nothing else
    expect(deployment.metadata.labels).toEqual(versioned);
    expect(deployment.spec.template.metadata.labels).toEqual({ ...versioned, 'cdk8s-microservices.io/log-format': 'text' });
  });

  test('selects pods only by labels that never change between releases', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'catalog', { image: 'ghcr.io/acme/catalog:1.4.2' });
    const objects = synth(shop);
    const deployment = find(objects, 'Deployment', 'catalog');
    expect(deployment.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'catalog', 'app.kubernetes.io/instance': 'catalog' });
    expect(find(objects, 'Service', 'catalog').spec.selector).toEqual({ 'app.kubernetes.io/name': 'catalog', 'app.kubernetes.io/part-of': 'shop' });
  });

  test('runs under Pod Security "restricted" with a read-only root and a writable /tmp', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'catalog', { image: 'ghcr.io/acme/catalog:1.4.2' });
    const pod = find(synth(shop), 'Deployment', 'catalog').spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe('catalog');
    expect(pod.containers[0].securityContext).toMatchObject({
      allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] },
    });
    expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
  });

  test('sets requests and derives limits for cpu, memory and ephemeral storage', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'a', { image: 'x/a:1' });
    new ObservedService(shop, 'b', { image: 'x/b:1', resources: { cpu: '250m', memory: '256Mi', limits: { memory: '1Gi' } } });
    const objects = synth(shop);
    expect(container(find(objects, 'Deployment', 'a')).resources).toEqual({
      requests: { 'cpu': '100m', 'memory': '128Mi', 'ephemeral-storage': '256Mi' },
      limits: { 'cpu': '200m', 'memory': '256Mi', 'ephemeral-storage': '512Mi' },
    });
    expect(container(find(objects, 'Deployment', 'b')).resources).toEqual({
      requests: { 'cpu': '250m', 'memory': '256Mi', 'ephemeral-storage': '256Mi' },
      limits: { 'cpu': '500m', 'memory': '1Gi', 'ephemeral-storage': '512Mi' },
    });
  });

  test.each(['http', 'grpc', 'tcp'] as const)('probes a %s service with a TCP connect to its named port by default: no path or health service assumed', protocol => {
    const { shop } = testApp();
    new ObservedService(shop, 'svc', { image: 'x/svc:1', port: 3550, protocol });
    const c = container(find(synth(shop), 'Deployment', 'svc'));
    // grpc and tcp serve metrics on the OpenTelemetry Prometheus exporter's port
    const metrics = protocol === 'http' ? [] : [{ name: 'metrics', containerPort: 9464, protocol: 'TCP' }];
    expect(c.ports).toEqual([{ name: protocol, containerPort: 3550, protocol: 'TCP' }, ...metrics]);
    const tcp = { tcpSocket: { port: protocol } };
    expect(c.readinessProbe).toEqual({ ...tcp, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3, successThreshold: 1 });
    expect(c.livenessProbe).toEqual({ ...tcp, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3, successThreshold: 1 });
    expect(c.startupProbe).toEqual({ ...tcp, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 30, successThreshold: 1 });
  });

  test('readiness and liveness differ in timing: readiness reacts fast, liveness is patient', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'web', { image: 'x/web:1' });
    const c = container(find(synth(shop), 'Deployment', 'web'));
    expect(c.readinessProbe).toMatchObject({ periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 });
    expect(c.livenessProbe).toMatchObject({ periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 });
  });

  test('uses the probes the user gives instead of the defaults', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'catalog', {
      image: 'x/catalog:1', protocol: 'grpc', port: 8080,
      probes: { readiness: { command: ['/bin/grpc_health_probe', '-addr=:8080'], periodSeconds: 7 }, liveness: false, startup: false },
    });
    const c = container(find(synth(shop), 'Deployment', 'catalog'));
    expect(c.readinessProbe).toMatchObject({ exec: { command: ['/bin/grpc_health_probe', '-addr=:8080'] }, periodSeconds: 7 });
    expect(c.livenessProbe).toBeUndefined();
    expect(c.startupProbe).toBeUndefined();
  });

  test('exposes http on Service port 80 and other protocols on their own port, with protocol-named ports', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'web', { image: 'x/web:1' });
    new ObservedService(shop, 'catalog', { image: 'x/catalog:1', protocol: 'grpc', port: 3550 });
    const objects = synth(shop);
    expect(find(objects, 'Service', 'web').spec).toMatchObject({ type: 'ClusterIP', ports: [{ name: 'http', port: 80, targetPort: 'http', appProtocol: 'http' }] });
    expect(find(objects, 'Service', 'catalog').spec.ports).toEqual([
      { name: 'grpc', port: 3550, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'grpc' },
      { name: 'http-metrics', port: 9464, targetPort: 'metrics', protocol: 'TCP', appProtocol: 'http' },
    ]);
  });

  test('a LoadBalancer service admits any source address on its port', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'api', { image: 'x/api:1', port: 5000, serviceType: 'LoadBalancer' });
    const objects = synth(shop);
    expect(find(objects, 'Service', 'api').spec.type).toBe('LoadBalancer');
    expect(find(objects, 'NetworkPolicy', 'api.allow-load-balancer').spec).toMatchObject({
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }], ports: [{ port: 'http', protocol: 'TCP' }] }],
    });
  });

  test('shuts down gracefully: preStop sleep within the grace period', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'a', { image: 'x/a:1' });
    new ObservedService(shop, 'b', { image: 'x/b:1', shutdown: { preStopSleepSeconds: 20, terminationGracePeriodSeconds: 60 } });
    new ObservedService(shop, 'c', { image: 'x/c:1', shutdown: { preStopSleepSeconds: 0 } });
    const objects = synth(shop);
    const a = find(objects, 'Deployment', 'a').spec.template.spec;
    expect(a.terminationGracePeriodSeconds).toBe(30);
    expect(a.containers[0].lifecycle).toEqual({ preStop: { exec: { command: ['sleep', '5'] } } });
    const b = find(objects, 'Deployment', 'b').spec.template.spec;
    expect(b.terminationGracePeriodSeconds).toBe(60);
    expect(b.containers[0].lifecycle.preStop.exec.command).toEqual(['sleep', '20']);
    expect(container(find(objects, 'Deployment', 'c')).lifecycle).toBeUndefined();
  });

  test('rolls out without losing capacity and keeps old ReplicaSets for rollback', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'a', { image: 'x/a:1' });
    new ObservedService(shop, 'b', { image: 'x/b:1', rollingUpdate: { maxSurge: 1, maxUnavailable: '10%' }, revisionHistoryLimit: 3 });
    const objects = synth(shop);
    expect(find(objects, 'Deployment', 'a').spec).toMatchObject({ revisionHistoryLimit: 10, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } } });
    expect(find(objects, 'Deployment', 'b').spec).toMatchObject({ revisionHistoryLimit: 3, strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: '10%' } } });
  });

  test('an autoscaled Deployment omits replicas and gets an autoscaling/v2 HPA', () => {
    const { shop } = testApp();
    const svc = new ObservedService(shop, 'catalog', { image: 'x/catalog:1', autoscaling: { minReplicas: 3, maxReplicas: 10, targetCpuUtilization: 60, targetMemoryUtilization: 80 } });
    const objects = synth(shop);
    expect(find(objects, 'Deployment', 'catalog').spec).not.toHaveProperty('replicas');
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'catalog');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'catalog' },
      minReplicas: 3, maxReplicas: 10,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } },
      ],
    });
    expect(svc.autoscaler).toBeDefined();
  });

  test('autoscaling defaults to 2 replicas at least and a 70% CPU target', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'catalog', { image: 'x/catalog:1', autoscaling: { maxReplicas: 5 } });
    expect(find(synth(shop), 'HorizontalPodAutoscaler', 'catalog').spec).toMatchObject({
      minReplicas: 2, metrics: [{ resource: { name: 'cpu', target: { averageUtilization: 70 } } }],
    });
  });

  test('creates a PodDisruptionBudget and topology spread when replicas >= 2', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'two', { image: 'x/two:1', replicas: 2 });
    const objects = synth(shop);
    expect(find(objects, 'PodDisruptionBudget', 'two').spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'two', 'app.kubernetes.io/instance': 'two' } },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
    const spread = find(objects, 'Deployment', 'two').spec.template.spec.topologySpreadConstraints;
    expect(spread.map((t: any) => t.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
    expect(spread.every((t: any) => t.maxSkew === 1 && t.whenUnsatisfiable === 'ScheduleAnyway')).toBe(true);
  });

  test('creates no PodDisruptionBudget or spread for a single replica', () => {
    const { shop } = testApp();
    const svc = new ObservedService(shop, 'one', { image: 'x/one:1', replicas: 1 });
    const objects = synth(shop);
    expect(ofKind(objects, 'PodDisruptionBudget')).toEqual([]);
    expect(find(objects, 'Deployment', 'one').spec.replicas).toBe(1);
    expect(find(objects, 'Deployment', 'one').spec.template.spec).not.toHaveProperty('topologySpreadConstraints');
    expect(svc.podDisruptionBudget).toBeUndefined();
  });

  test('places pods with nodeSelector, tolerations and affinity', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'gpu', {
      image: 'x/gpu:1',
      nodeSelector: { 'node.kubernetes.io/instance-type': 'g5.xlarge' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }] }] } } },
    });
    const pod = find(synth(shop), 'Deployment', 'gpu').spec.template.spec;
    expect(pod.nodeSelector).toEqual({ 'node.kubernetes.io/instance-type': 'g5.xlarge' });
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key).toBe('kubernetes.io/arch');
  });

  test('passes env literals, secret references, command and args to the container', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'api', {
      image: 'x/api:1', command: ['/app/api'], args: ['--verbose'],
      env: { LOG_LEVEL: 'info' },
      secretEnv: { DB_PASSWORD: { secretName: 'db', key: 'password' } },
    });
    const d = find(synth(shop), 'Deployment', 'api');
    const c = container(d);
    expect(c.command).toEqual(['/app/api']);
    expect(c.args).toEqual(['--verbose']);
    expect(appEnv(d)).toEqual([
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
    ]);
  });

  test('addEnv adds a literal after construction and refuses secret-looking names', () => {
    const { shop } = testApp();
    const api = new ObservedService(shop, 'api', { image: 'x/api:1', env: { A: '1' } });
    api.addEnv('FEATURE_FLAGS', 'search,reviews');
    expect(appEnv(find(synth(shop), 'Deployment', 'api'))).toEqual([{ name: 'A', value: '1' }, { name: 'FEATURE_FLAGS', value: 'search,reviews' }]);
    expect(() => api.addEnv('API_KEY', 'abc')).toThrow("[shop/api] 'addEnv' 'API_KEY' looks like a secret but holds a literal value: put it in a Secret and use secretEnv: { API_KEY: { secretName, key } }; if it is no secret, say so with addEnv('API_KEY', value, { notSecret: true })");
  });

  test('mounts config files from a ConfigMap and rolls pods when they change', () => {
    const checksum = (content: string) => {
      const { shop } = testApp();
      new ObservedService(shop, 'api', { image: 'x/api:1', config: { files: { 'app.yaml': content } } });
      const objects = synth(shop);
      expect(find(objects, 'ConfigMap', 'api-config').data).toEqual({ 'app.yaml': content });
      const pod = find(objects, 'Deployment', 'api').spec.template;
      expect(pod.spec.volumes).toContainEqual({ name: 'config', configMap: { name: 'api-config' } });
      expect(pod.spec.containers[0].volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/api', readOnly: true });
      return pod.metadata.annotations['checksum/config'];
    };
    expect(checksum('a: 1\n')).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum('a: 1\n')).toBe(checksum('a: 1\n'));
    expect(checksum('a: 2\n')).not.toBe(checksum('a: 1\n'));
  });

  test('labels the version from a digest when the image has no tag', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'api', { image: `x/api@sha256:${'ab'.repeat(32)}` });
    expect(find(synth(shop), 'Deployment', 'api').metadata.labels?.['app.kubernetes.io/version']).toBe('sha256-abababababab');
  });

  test('lets Prometheus scrape the service port from the monitoring namespace', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'api', { image: 'x/api:1', port: 9000 });
    expect(find(synth(shop), 'NetworkPolicy', 'api.allow-prometheus').spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/part-of': 'shop' } },
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }],
        ports: [{ port: 9000, protocol: 'TCP' }],
      }],
    });
  });
});
