import { Testing } from 'cdk8s';
import { MicroserviceApp, MicroserviceConfigError, ObservedService, ScaledWorker } from '../lib';
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

  test('allows exactly that traffic: egress from the caller and ingress to the target on the named container port', () => {
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
      egress: [{ to: [{ podSelector: { matchLabels: catalogPods } }], ports: [{ port: 'grpc', protocol: 'TCP' }] }],
    });
    expect(find(objects, 'NetworkPolicy', 'catalog.from.web').spec).toEqual({
      podSelector: { matchLabels: catalogPods },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: webPods } }], ports: [{ port: 'grpc', protocol: 'TCP' }] }],
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
    expect(find(objects, 'NetworkPolicy', 'mailer.to.api').spec.egress[0].ports).toEqual([{ port: 'http', protocol: 'TCP' }]);
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

describe('connectTo with env: false', () => {
  test('makes the path and, in a mesh, the admission, without an address variable', () => {
    const { shop } = testApp('shop', { mesh: 'istio' });
    const ledger = new ObservedService(shop, 'ledger', { image: 'x/ledger:1', env: { SPRING_DATASOURCE_URL: 'jdbc:postgresql://ledger-db:5432/postgresdb' } });
    const db = new ObservedService(shop, 'ledger-db', { image: 'x/db:1', protocol: 'tcp', port: 5432 });
    ledger.connectTo(db, { env: false });
    const objects = synth(shop);
    // no LEDGER_DB_URL: the app's own JDBC URL is all it reads
    expect(appEnv(find(objects, 'Deployment', 'ledger'))).toEqual([{ name: 'SPRING_DATASOURCE_URL', value: 'jdbc:postgresql://ledger-db:5432/postgresdb' }]);
    expect(find(objects, 'NetworkPolicy', 'ledger.to.ledger-db').spec.egress[0].ports).toEqual([{ port: 'tcp', protocol: 'TCP' }]);
    expect(find(objects, 'NetworkPolicy', 'ledger-db.from.ledger').spec.ingress[0].ports).toEqual([{ port: 'tcp', protocol: 'TCP' }]);
    expect(find(objects, 'AuthorizationPolicy', 'ledger-db').spec.rules).toEqual([
      { from: [{ source: { principals: ['cluster.local/ns/shop/sa/ledger'] } }], to: [{ operation: { ports: ['5432'] } }] },
    ]);
    expect(ledger.connections).toEqual([db]);
  });

  test('a later connectTo() of the same target can still name a variable, and the policies stay one pair', () => {
    const { shop } = testApp();
    const web = new ObservedService(shop, 'web', { image: 'x/web:1' });
    const api = new ObservedService(shop, 'api', { image: 'x/api:1' });
    web.connectTo(api, { env: false });
    web.connectTo(api, { env: 'API_ADDR', format: 'host:port' });
    const objects = synth(shop);
    expect(appEnv(find(objects, 'Deployment', 'web'))).toEqual([{ name: 'API_ADDR', value: 'api:80' }]);
    expect(ofKind(objects, 'NetworkPolicy').map(p => p.metadata.name).filter(n => n.includes('.to.') || n.includes('.from.')).sort()).toEqual(['api.from.web', 'web.to.api']);
  });

  test.each([
    ['a format without a variable', { env: false, format: 'host:port' }, "[shop/web] connectTo(api): 'format' formats the address variable, and 'env: false' asks for none: drop 'format', or name the variable"],
    ['env: true', { env: true }, "[shop/web] connectTo(api): 'env' must be the name of an environment variable, or false for none, got true"],
  ])('refuses %s', (_what, options, message) => {
    const { shop } = testApp();
    const web = new ObservedService(shop, 'web', { image: 'x/web:1' });
    const api = new ObservedService(shop, 'api', { image: 'x/api:1' });
    expect(() => web.connectTo(api, options as any)).toThrow(message);
    expect(() => web.connectTo(api, options as any)).toThrow(MicroserviceConfigError);
  });
});

describe('connectToExternal', () => {
  test('allows egress to a CIDR on one port, and nothing else', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'orders', { image: 'x/o:1' }).connectToExternal({ name: 'orders-db', cidr: '10.20.0.0/16', port: 5432 });
    const objects = synth(shop);
    expect(find(objects, 'NetworkPolicy', 'orders.to-external.orders-db').spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'orders', 'app.kubernetes.io/part-of': 'shop' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '10.20.0.0/16' } }], ports: [{ port: 5432, protocol: 'TCP' }] }],
    });
    expect(appEnv(find(objects, 'Deployment', 'orders'))).toEqual([]);
  });

  test('turns an in-cluster host into its namespace, and gives the address as env', () => {
    const { shop } = testApp();
    new ScaledWorker(shop, 'mailer', { image: 'x/m:1' }).connectToExternal({ name: 'rabbitmq', host: 'rabbitmq.messaging.svc', port: 5672, env: 'AMQP_ADDR' });
    const objects = synth(shop);
    expect(find(objects, 'NetworkPolicy', 'mailer.to-external.rabbitmq').spec.egress).toEqual([{
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'messaging' } }, podSelector: {} }],
      ports: [{ port: 5672, protocol: 'TCP' }],
    }]);
    expect(appEnv(find(objects, 'Deployment', 'mailer'))).toEqual([{ name: 'AMQP_ADDR', value: 'rabbitmq.messaging.svc:5672' }]);
  });

  test('allows any address on the port for an outside host name (NetworkPolicy has no DNS names)', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'pay', { image: 'x/p:1' }).connectToExternal({ name: 'stripe', host: 'api.stripe.com', port: 443 });
    const objects = synth(shop);
    expect(find(objects, 'NetworkPolicy', 'pay.to-external.stripe').spec.egress[0].to).toEqual([{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }]);
    expect(appEnv(find(objects, 'Deployment', 'pay'))).toEqual([{ name: 'STRIPE_URL', value: 'api.stripe.com:443' }]);
  });

  test.each([
    ['neither host nor cidr', { name: 'db', port: 5432 }, "[shop/api] connectToExternal('db'): give exactly one of 'host' and 'cidr', got neither"],
    ['both host and cidr', { name: 'db', host: 'db.example.com', cidr: '10.0.0.0/8', port: 5432 }, "[shop/api] connectToExternal('db'): give exactly one of 'host' and 'cidr', got both"],
    ['a bad cidr', { name: 'db', cidr: '10.0.0.0/33', port: 5432 }, "[shop/api] connectToExternal('db'): 'cidr' '10.0.0.0/33' is not an IPv4 or IPv6 CIDR such as '10.20.0.0/16'"],
    ['a port out of range', { name: 'db', cidr: '10.0.0.0/8', port: 0 }, "[shop/api] connectToExternal('db'): 'port' must be 1-65535, got 0"],
    ['a bad name', { name: 'Orders_DB', cidr: '10.0.0.0/8', port: 5432 }, "[shop/api] connectToExternal('Orders_DB'): 'name' must be a lowercase DNS label such as 'orders-db'"],
    ['env with a cidr', { name: 'db', cidr: '10.0.0.0/8', port: 5432, env: 'DB' }, "[shop/api] connectToExternal('db'): 'env' needs 'host': a CIDR is no address to connect to"],
    ['a host with a scheme', { name: 'db', host: 'https://db.example.com', port: 5432 }, "[shop/api] 'connectToExternal.host' 'https://db.example.com' is not a host name: use a lowercase DNS name such as 'shop.example.com' (no scheme, port or path)"],
  ] as const)('fails on %s', (_what, o, message) => {
    const { shop } = testApp();
    const api = new ObservedService(shop, 'api', { image: 'x/a:1' });
    expect(() => api.connectToExternal(o as any)).toThrow(MicroserviceConfigError);
    expect(() => api.connectToExternal(o as any)).toThrow(message);
  });
});
