import { BatchJob, ObservedService, QueueTrigger, ScaledWorker, StatefulService } from '../lib';
import { appReadme } from '../lib/output/app-readme';
import { prerequisites } from '../lib/output/prerequisites';
import { testApp } from './helpers';

// The generated app README's "Before the first apply": what the cluster must have (CRDs,
// controllers) and the objects the app names but does not create, read from the objects.
describe('prerequisites of an app', () => {
  test('lists every Secret, ConfigMap, claim, PriorityClass, StorageClass and IngressClass the app names but does not create', () => {
    // GIVEN an app whose workloads name objects made elsewhere
    const { shop } = testApp('shop', { domain: 'shop.example.com', tlsSecretName: 'shop-tls', ingressClassName: 'nginx' });
    new ObservedService(shop, 'web', {
      image: 'x/web:1',
      route: { path: '/' },
      secretEnv: { API_TOKEN: { secretName: 'web-secrets', key: 'token' } },
      configMapEnv: { FEATURES: { configMapName: 'features', key: 'flags', optional: true } },
      imagePullSecrets: ['ghcr-pull'],
      priorityClassName: 'business-critical',
      claims: [{ claimName: 'shared-assets', mountPath: '/assets', readOnly: true }],
    });
    new StatefulService(shop, 'db', {
      image: 'x/db:1', port: 5432, protocol: 'tcp',
      storage: { size: '1Gi', mountPath: '/data', storageClassName: 'fast-ssd' },
      secretFiles: [{ secretName: 'db-password', mountPath: '/run/secrets/db' }],
      imagePullSecrets: ['ghcr-pull'],
    });
    new BatchJob(shop, 'report', { image: 'x/report:1', schedule: '0 3 * * *', envFromConfigMaps: [{ configMapName: 'report-settings' }] });
    // WHEN the prerequisites are read from its objects
    const p = prerequisites(shop, shop.toJson());
    // THEN each is listed once, with everything that names it, and nothing the app makes itself
    expect(p.named.map(n => `${n.kind} ${n.namespace ?? '-'} ${n.name}: ${n.namedBy.join('; ')}`)).toEqual([
      'Secret shop db-password: StatefulSet/db (volume)',
      'Secret shop ghcr-pull: Deployment/web (imagePullSecrets); StatefulSet/db (imagePullSecrets)',
      'Secret shop shop-tls: Ingress/shop (tls)',
      'Secret shop web-secrets: Deployment/web (env)',
      'ConfigMap shop features: Deployment/web (optional env)',
      'ConfigMap shop report-settings: CronJob/report (envFrom)',
      'PersistentVolumeClaim shop shared-assets: Deployment/web (volume)',
      'PriorityClass - business-critical: Deployment/web (priorityClassName)',
      'StorageClass - fast-ssd: StatefulSet/db (storageClassName)',
      'IngressClass - nginx: Ingress/shop (ingressClassName)',
    ]);
    // the ConfigMaps the app creates (config files, dashboards) are not listed
    expect(p.named.filter(n => n.kind === 'ConfigMap').map(n => n.name)).toEqual(['features', 'report-settings']);
  });

  test('names the CRDs and controllers by what the objects need: monitoring, KEDA, the Ingress controller', () => {
    const { shop } = testApp('shop', { domain: 'shop.example.com', tlsSecretName: 'shop-tls', monitoring: { prometheusNamespace: 'observability' } });
    new ObservedService(shop, 'web', { image: 'x/web:1', route: { path: '/' }, autoscaling: { minReplicas: 2, maxReplicas: 4 } });
    new ScaledWorker(shop, 'mailer', { image: 'x/mailer:1', autoscaling: { maxReplicas: 5 }, queue: QueueTrigger.rabbitmq({ queueName: 'mail', messagesPerReplica: 20, host: { secretName: 'rabbitmq', key: 'amqp-url' } }) });
    const p = prerequisites(shop, shop.toJson());
    const row = (kind: string) => p.requirements.find(r => r.kinds.includes(kind));
    expect(row('ServiceMonitor')?.what).toContain("the Prometheus Operator's CRDs (`monitoring.coreos.com/v1`), and a Prometheus (pods `app.kubernetes.io/name=prometheus` in namespace `observability`) selecting `release=kube-prometheus-stack`");
    expect(row('ScaledObject')).toMatchObject({ kinds: ['ScaledObject', 'TriggerAuthentication'], without: '`kubectl apply` refuses the kind' });
    expect(row('Ingress')?.what).toContain('an Ingress controller (the default IngressClass): pods `app.kubernetes.io/name=ingress-nginx` in namespace `ingress-nginx`, which');
    expect(row('HorizontalPodAutoscaler')?.what).toContain('metrics-server');
    expect(row('NetworkPolicy')?.without).toBe('the policies are accepted and do nothing');
    // what apply refuses comes first
    expect(p.requirements.map(r => r.without.startsWith('`kubectl apply` refuses'))).toEqual([true, true, false, false, false, false]);
    expect(p.named.map(n => n.name)).toEqual(['rabbitmq', 'shop-tls']);
  });

  test('an Ingress controller admitted by address ranges is named by them', () => {
    const { shop } = testApp('shop', { domain: 'shop.example.com', tlsSecretName: 'shop-tls', ingressController: { cidrs: ['35.191.0.0/16', '130.211.0.0/22'] } });
    new ObservedService(shop, 'web', { image: 'x/web:1', route: { path: '/' } });
    const p = prerequisites(shop, shop.toJson());
    expect(p.requirements.find(r => r.kinds.includes('Ingress'))?.what).toContain('an Ingress controller (the default IngressClass): addresses `35.191.0.0/16`, `130.211.0.0/22`, which');
  });

  test('a Gateway app needs the Gateway API CRDs and a listener that admits its namespace; the Gateway is named, not created', () => {
    const { shop } = testApp('shop', { domain: 'shop.example.com', gateway: { name: 'public', namespace: 'gateways', sectionName: 'https' } });
    new ObservedService(shop, 'web', { image: 'x/web:1', route: { path: '/' } });
    const p = prerequisites(shop, shop.toJson());
    expect(p.requirements.find(r => r.kinds.includes('HTTPRoute'))?.what).toContain('the Gateway `gateways/public`, its listener `https` admitting routes from namespace `shop`');
    expect(p.requirements.some(r => r.kinds.includes('Ingress'))).toBe(false);
    expect(p.named).toEqual([{ kind: 'Gateway', namespace: 'gateways', name: 'public', namedBy: ['HTTPRoute/shop (parentRefs)'] }]);
  });

  test('with a mesh, the Ingress certificate is named in the gateway\'s namespace, and Istio is required', () => {
    const { shop } = testApp('shop', { domain: 'shop.example.com', tlsSecretName: 'shop-tls', mesh: 'istio' });
    new ObservedService(shop, 'web', { image: 'x/web:1', route: { path: '/' } });
    const p = prerequisites(shop, shop.toJson());
    expect(p.named.find(n => n.name === 'shop-tls')).toMatchObject({ kind: 'Secret', namespace: 'istio-system' });
    expect(p.requirements.find(r => r.kinds.includes('PeerAuthentication'))?.what).toContain('Istio');
  });

  test('the app README has the section, before the deploy command', () => {
    const { shop } = testApp('shop', { domain: 'shop.example.com', tlsSecretName: 'shop-tls' });
    new ObservedService(shop, 'web', { image: 'x/web:1', route: { path: '/' }, priorityClassName: 'stateful-high' });
    const readme = appReadme(shop);
    expect(readme.indexOf('## Before the first apply')).toBeGreaterThan(0);
    expect(readme.indexOf('## Before the first apply')).toBeLessThan(readme.indexOf('## Deploy'));
    expect(readme).toContain('| PriorityClass | (cluster) | `stateful-high` | Deployment/web (priorityClassName) |');
    expect(readme).toContain('| Secret | shop | `shop-tls` | Ingress/shop (tls) |');
  });
});
