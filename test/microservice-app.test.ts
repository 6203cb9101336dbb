import { MicroserviceApp, ObservedService } from '../lib';
import { find, ofKind, synth, testApp } from './helpers';

describe('MicroserviceApp', () => {
  test('owns a Namespace that enforces Pod Security "restricted"', () => {
    const { shop } = testApp('shop');
    const ns = find(synth(shop), 'Namespace', 'shop');
    expect(ns.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'v1.28',
      'app.kubernetes.io/part-of': 'shop',
      'app.kubernetes.io/managed-by': 'cdk8s-microservices',
    });
    expect(shop.namespaceName).toBe('shop');
  });

  test('uses the namespace prop when given and puts every object in it', () => {
    const { shop } = testApp('shop', { namespace: 'shop-prod' });
    new ObservedService(shop, 'web', { image: 'x/web:1' });
    const objects = synth(shop);
    expect(find(objects, 'Namespace', 'shop-prod')).toBeDefined();
    for (const o of objects.filter(x => x.kind !== 'Namespace')) expect(o.metadata.namespace).toBe('shop-prod');
  });

  test('denies all traffic by default and allows DNS to the cluster resolver', () => {
    const { shop } = testApp();
    const objects = synth(shop);
    expect(find(objects, 'NetworkPolicy', 'default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(find(objects, 'NetworkPolicy', 'allow-dns').spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
      }],
    });
  });

  test('orders objects so kubectl apply works in one pass, Namespace first', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'web', { image: 'x/web:1', route: { path: '/' }, autoscaling: { maxReplicas: 4 } });
    const kinds = synth(shop).map(o => o.kind);
    expect(kinds[0]).toBe('Namespace');
    const first = (k: string) => kinds.indexOf(k);
    expect(first('ServiceAccount')).toBeLessThan(first('Deployment'));
    expect(first('Service')).toBeLessThan(first('Deployment'));
    expect(first('Deployment')).toBeLessThan(first('HorizontalPodAutoscaler'));
    expect(first('Service')).toBeLessThan(first('Ingress'));
  });

  test('makes no Ingress until a service is routed', () => {
    const { shop } = testApp('shop', { domain: 'shop.example.com' });
    new ObservedService(shop, 'web', { image: 'x/web:1' });
    expect(ofKind(synth(shop), 'Ingress')).toEqual([]);
    expect(shop.ingress).toBeUndefined();
  });

  test('routes paths of one Ingress with TLS and class, and admits the Ingress controller', () => {
    // GIVEN
    const { shop } = testApp('shop', { domain: 'shop.example.com', tlsSecretName: 'shop-tls', ingressClassName: 'nginx' });
    // WHEN
    const web = new ObservedService(shop, 'web', { image: 'x/web:1', route: { path: '/' } });
    new ObservedService(shop, 'api', { image: 'x/api:1', port: 9000, route: { path: '/api', pathType: 'Exact' } });
    shop.addRoute(web, { path: '/static' });
    const objects = synth(shop);
    // THEN
    expect(ofKind(objects, 'Ingress')).toHaveLength(1);
    expect(find(objects, 'Ingress', 'shop').spec).toEqual({
      ingressClassName: 'nginx',
      rules: [{
        host: 'shop.example.com',
        http: {
          paths: [
            { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } },
            { path: '/api', pathType: 'Exact', backend: { service: { name: 'api', port: { name: 'http' } } } },
            { path: '/static', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } },
          ],
        },
      }],
      tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
    });
    expect(find(objects, 'NetworkPolicy', 'web.allow-ingress').spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } }],
      ports: [{ port: 'http', protocol: 'TCP' }],
    }]);
    // by the container port's name, which is 9000 here
    expect(find(objects, 'NetworkPolicy', 'api.allow-ingress').spec.ingress[0].ports).toEqual([{ port: 'http', protocol: 'TCP' }]);
    expect(find(objects, 'Deployment', 'api').spec.template.spec.containers[0].ports[0]).toEqual({ name: 'http', containerPort: 9000, protocol: 'TCP' });
  });

  test('admits an Ingress controller from the namespace and labels the user configures', () => {
    const { shop } = testApp('shop', { ingressController: { namespace: 'traefik', podLabels: { 'app.kubernetes.io/name': 'traefik' } } });
    new ObservedService(shop, 'web', { image: 'x/web:1', route: { path: '/' } });
    expect(find(synth(shop), 'NetworkPolicy', 'web.allow-ingress').spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'traefik' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'traefik' } } },
    ]);
  });

  test('gives a route on its own host a rule of its own, sharing the TLS Secret', () => {
    const { shop } = testApp('shop', { domain: 'shop.example.com', tlsSecretName: 'shop-tls' });
    new ObservedService(shop, 'web', { image: 'x/web:1', route: { path: '/' } });
    new ObservedService(shop, 'admin', { image: 'x/admin:1', route: { path: '/', host: 'admin.example.com' } });
    const ingress = find(synth(shop), 'Ingress', 'shop');
    expect(ingress.spec.rules.map((r: any) => r.host)).toEqual(['shop.example.com', 'admin.example.com']);
    expect(ingress.spec.tls).toEqual([{ hosts: ['shop.example.com', 'admin.example.com'], secretName: 'shop-tls' }]);
  });

  test('allows no Prometheus scraping when monitoring is disabled', () => {
    const { shop } = testApp('shop', { monitoring: { enabled: false } });
    new ObservedService(shop, 'web', { image: 'x/web:1' });
    expect(synth(shop).filter(o => o.metadata.name.endsWith('.allow-prometheus'))).toEqual([]);
  });

  test('admits Prometheus from the namespace and labels the user configures', () => {
    const { shop } = testApp('shop', { monitoring: { prometheusNamespace: 'observability', prometheusPodLabels: { app: 'prom' } } });
    new ObservedService(shop, 'web', { image: 'x/web:1' });
    expect(find(synth(shop), 'NetworkPolicy', 'web.allow-prometheus').spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } }, podSelector: { matchLabels: { app: 'prom' } } },
    ]);
  });

  test('fails with the cause when the App comes from another copy of cdk8s (a peer dependency installed twice)', () => {
    // GIVEN a second copy of cdk8s, as npm nests one when the project's version does not fit
    let OtherApp: typeof import('cdk8s').App | undefined;
    jest.isolateModules(() => { OtherApp = require('cdk8s').App; });
    const app = new OtherApp!();
    // THEN the error names the cause and the fix, instead of failing later inside cdk8s
    expect(() => new MicroserviceApp(app, 'shop')).toThrow(/^\[shop\] the cdk8s App comes from another copy of cdk8s than the one cdk8s-microservices loads \(.*\): cdk8s is a peer dependency, so the project must have exactly one; 'npm ls cdk8s' shows the copies/);
  });
});
