import { Testing } from 'cdk8s';
import { MicroserviceApp, ObservedService, ScaledWorker } from '../lib';
import { appEnv, find, ofKind, synth, testApp } from './helpers';

describe('connectTo', () => {
  test('gives the caller <TARGET>_URL as a URL for http targets and host:port for grpc', () => {
    const { shop } = testApp();
    const web = new ObservedService(shop, 'web', { image: 'x/web:1' });
    const cart = new ObservedService(shop, 'cart', { image: 'x/cart:1' });
    const catalog = new ObservedService(shop, 'product-catalog', { image: 'x/catalog:1', protocol: 'grpc', port: 3550 });
    web.connectTo(cart);
    web.connectTo(catalog);
    web.connectTo(catalog, { env: 'PRODUCT_CATALOG_SERVICE_ADDR', format: 'host:port' });
    web.connectTo(cart, { env: 'CART_ADDR', format: 'host:port' });
    expect(appEnv(find(synth(shop), 'Deployment', 'web'))).toEqual([
      { name: 'CART_URL', value: 'http://cart:80' },
      { name: 'PRODUCT_CATALOG_URL', value: 'product-catalog:3550' },
      { name: 'PRODUCT_CATALOG_SERVICE_ADDR', value: 'product-catalog:3550' },
      { name: 'CART_ADDR', value: 'cart:80' },
    ]);
  });

  test('allows exactly that traffic: egress from the caller and ingress to the target on the container port', () => {
    // GIVEN
    const { shop } = testApp();
    const web = new ObservedService(shop, 'web', { image: 'x/web:1' });
    const catalog = new ObservedService(shop, 'catalog', { image: 'x/catalog:1', protocol: 'grpc', port: 3550 });
    // WHEN: twice, as the DESIGN snippet does
    web.connectTo(catalog);
    web.connectTo(catalog, { env: 'PRODUCT_CATALOG_SERVICE_ADDR', format: 'host:port' });
    const objects = synth(shop);
    // THEN: one pair of policies per edge
    const webPods = { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/part-of': 'shop' };
    const catalogPods = { 'app.kubernetes.io/name': 'catalog', 'app.kubernetes.io/part-of': 'shop' };
    expect(find(objects, 'NetworkPolicy', 'web.to.catalog').spec).toEqual({
      podSelector: { matchLabels: webPods },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: catalogPods } }], ports: [{ port: 3550, protocol: 'TCP' }] }],
    });
    expect(find(objects, 'NetworkPolicy', 'catalog.from.web').spec).toEqual({
      podSelector: { matchLabels: catalogPods },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: webPods } }], ports: [{ port: 3550, protocol: 'TCP' }] }],
    });
    expect(ofKind(objects, 'NetworkPolicy').filter(p => /\.(to|from)\.(web|catalog)$/.test(p.metadata.name))).toHaveLength(2);
  });

  test('lets a worker call a service', () => {
    const { shop } = testApp();
    const api = new ObservedService(shop, 'api', { image: 'x/api:1' });
    const mailer = new ScaledWorker(shop, 'mailer', { image: 'x/mailer:1' });
    mailer.connectTo(api);
    const objects = synth(shop);
    expect(appEnv(find(objects, 'Deployment', 'mailer'))).toEqual([{ name: 'API_URL', value: 'http://api:80' }]);
    expect(find(objects, 'NetworkPolicy', 'mailer.to.api').spec.egress[0].ports).toEqual([{ port: 8080, protocol: 'TCP' }]);
    expect(find(objects, 'NetworkPolicy', 'api.from.mailer').spec.ingress[0].from[0].podSelector.matchLabels['app.kubernetes.io/name']).toBe('mailer');
  });

  test('reaches a service of another app through its namespace', () => {
    const app = Testing.app();
    const shop = new MicroserviceApp(app, 'shop');
    const billing = new MicroserviceApp(app, 'billing', { namespace: 'billing-prod' });
    const web = new ObservedService(shop, 'web', { image: 'x/web:1' });
    const invoices = new ObservedService(billing, 'invoices', { image: 'x/invoices:1' });
    web.connectTo(invoices);
    expect(appEnv(find(synth(shop), 'Deployment', 'web'))).toEqual([{ name: 'INVOICES_URL', value: 'http://invoices.billing-prod:80' }]);
    expect(find(synth(shop), 'NetworkPolicy', 'web.to.billing-prod.invoices').spec.egress[0].to[0].namespaceSelector)
      .toEqual({ matchLabels: { 'kubernetes.io/metadata.name': 'billing-prod' } });
    const ingress = find(synth(billing), 'NetworkPolicy', 'invoices.from.shop.web');
    expect(ingress.metadata.namespace).toBe('billing-prod');
    expect(ingress.spec.ingress[0].from[0].namespaceSelector).toEqual({ matchLabels: { 'kubernetes.io/metadata.name': 'shop' } });
  });
});
