import { MicroserviceConfigError, ObservedService } from '../lib';
import { find, ofKind, synth, testApp } from './helpers';

describe('Gateway API routes', () => {
  test('attach HTTPRoutes to an existing Gateway instead of making an Ingress', () => {
    // GIVEN an app routed through a shared Gateway
    const { shop } = testApp('shop', { domain: 'shop.example.com', gateway: { name: 'public', namespace: 'gateways', sectionName: 'https' } });
    // WHEN two services are routed, one of them on its own host
    new ObservedService(shop, 'web', { image: 'x/web:1', route: { path: '/' } });
    new ObservedService(shop, 'api', { image: 'x/api:1', port: 9000, route: { path: '/api', pathType: 'Exact' } });
    new ObservedService(shop, 'admin', { image: 'x/admin:1', route: { path: '/', host: 'admin.example.com' } });
    const objects = synth(shop);
    // THEN
    expect(ofKind(objects, 'Ingress')).toEqual([]);
    const parentRefs = [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'gateways', sectionName: 'https' }];
    expect(find(objects, 'HTTPRoute', 'shop')).toMatchObject({
      apiVersion: 'gateway.networking.k8s.io/v1',
      spec: {
        parentRefs,
        hostnames: ['shop.example.com'],
        rules: [
          { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'web', port: 80 }] },
          { matches: [{ path: { type: 'Exact', value: '/api' } }], backendRefs: [{ name: 'api', port: 80 }] },
        ],
      },
    });
    expect(find(objects, 'HTTPRoute', 'shop-1').spec).toMatchObject({ parentRefs, hostnames: ['admin.example.com'], rules: [{ backendRefs: [{ name: 'admin', port: 80 }] }] });
    // the Gateway's namespace is admitted to routed services
    expect(find(objects, 'NetworkPolicy', 'web.allow-ingress').spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateways' } }, podSelector: {} },
    ]);
    expect(shop.httpRoutes).toHaveLength(2);
  });

  test('fails when a Gateway is combined with Ingress settings', () => {
    const build = () => testApp('shop', { domain: 'shop.example.com', tlsSecretName: 'tls', gateway: { name: 'public', namespace: 'gateways' } });
    expect(build).toThrow(MicroserviceConfigError);
    expect(build).toThrow("[shop] 'gateway' and 'tlsSecretName' are exclusive: with a Gateway, TLS and the class are the Gateway's; drop it");
  });
});
