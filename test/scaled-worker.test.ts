import { ScaledWorker } from '../lib';
import { appEnv, container, find, ofKind, synth, testApp } from './helpers';

describe('ScaledWorker', () => {
  test('creates a Deployment and ServiceAccount but no Service', () => {
    const { shop } = testApp();
    const mailer = new ScaledWorker(shop, 'mailer', { image: 'ghcr.io/acme/mailer:0.9.0' });
    const objects = synth(shop);
    expect(find(objects, 'Deployment', 'mailer').spec.replicas).toBe(1);
    expect(find(objects, 'ServiceAccount', 'mailer').automountServiceAccountToken).toBe(false);
    expect(ofKind(objects, 'Service')).toEqual([]);
    expect(find(objects, 'Deployment', 'mailer').metadata.labels?.['app.kubernetes.io/component']).toBe('worker');
    expect(mailer.deployment?.name).toBe('mailer');
  });

  test('probes liveness with a TCP connect to its health port and has no readiness probe', () => {
    const { shop } = testApp();
    new ScaledWorker(shop, 'mailer', { image: 'x/mailer:1', healthPort: 9090 });
    const c = container(find(synth(shop), 'Deployment', 'mailer'));
    expect(c.ports).toEqual([{ name: 'health', containerPort: 9090, protocol: 'TCP' }]);
    expect(c.livenessProbe).toMatchObject({ tcpSocket: { port: 'health' }, periodSeconds: 10 });
    expect(c.startupProbe).toMatchObject({ tcpSocket: { port: 'health' }, failureThreshold: 30 });
    expect(c.readinessProbe).toBeUndefined();
    expect(find(synth(shop), 'NetworkPolicy', 'mailer.allow-prometheus').spec.ingress[0].ports).toEqual([{ port: 9090, protocol: 'TCP' }]);
  });

  test('probes GET on its health port when the path is declared', () => {
    const { shop } = testApp();
    new ScaledWorker(shop, 'mailer', { image: 'x/mailer:1', healthPort: 9090, probes: { liveness: { httpPath: '/healthz' } } });
    const c = container(find(synth(shop), 'Deployment', 'mailer'));
    expect(c.livenessProbe).toMatchObject({ httpGet: { path: '/healthz', port: 'health' } });
    expect(c.startupProbe).toMatchObject({ httpGet: { path: '/healthz', port: 'health' }, failureThreshold: 30 });
  });

  test('autoscales like a service: no replicas, an HPA, a PDB and spread', () => {
    const { shop } = testApp();
    new ScaledWorker(shop, 'mailer', { image: 'x/mailer:1', autoscaling: { minReplicas: 1, maxReplicas: 20, targetCpuUtilization: 80 } });
    const objects = synth(shop);
    expect(find(objects, 'Deployment', 'mailer').spec).not.toHaveProperty('replicas');
    expect(find(objects, 'HorizontalPodAutoscaler', 'mailer').spec).toMatchObject({ minReplicas: 1, maxReplicas: 20 });
    expect(find(objects, 'PodDisruptionBudget', 'mailer').spec.maxUnavailable).toBe(1);
    expect(find(objects, 'Deployment', 'mailer').spec.template.spec.topologySpreadConstraints).toHaveLength(2);
  });

  test('takes the pod props of ObservedService', () => {
    const { shop } = testApp();
    new ScaledWorker(shop, 'mailer', {
      image: 'x/mailer:1', command: ['/mailer'], args: ['--queue', 'mail'], env: { QUEUE: 'mail' },
      resources: { cpu: '50m', memory: '64Mi' }, probes: { liveness: { command: ['/mailer', 'health'] } },
    });
    const d = find(synth(shop), 'Deployment', 'mailer');
    const c = container(d);
    expect(c).toMatchObject({ command: ['/mailer'], args: ['--queue', 'mail'] });
    expect(appEnv(d)).toEqual([{ name: 'QUEUE', value: 'mail' }]);
    expect(c.resources.requests).toMatchObject({ cpu: '50m', memory: '64Mi' });
    expect(c.livenessProbe.exec.command).toEqual(['/mailer', 'health']);
  });
});
