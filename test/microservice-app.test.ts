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

  test('an Ingress without TLS has no tls field at all (not an empty list)', () => {
    for (const props of [{ domain: 'shop.example.com' }, {}]) {
      const { shop } = testApp('shop', props);
      new ObservedService(shop, 'web', { image: 'x/web:1', route: { path: '/' } });
      const ingress = find(synth(shop), 'Ingress', 'shop');
      expect(ingress.spec).not.toHaveProperty('tls');
      expect(Object.keys(ingress.spec)).toEqual(['rules']);
    }
  });
});

describe('address ranges (cidrs) beside namespace and podLabels on every network peer', () => {
  const GKE_LB = ['35.191.0.0/16', '130.211.0.0/22'];

  test('an ingressController with only cidrs admits those ranges and no pods', () => {
    const { shop } = testApp('shop', { ingressController: { cidrs: GKE_LB } });
    new ObservedService(shop, 'web', { image: 'x/web:1', route: { path: '/' } });
    expect(find(synth(shop), 'NetworkPolicy', 'web.allow-ingress').spec.ingress).toEqual([{
      from: [{ ipBlock: { cidr: '35.191.0.0/16' } }, { ipBlock: { cidr: '130.211.0.0/22' } }],
      ports: [{ port: 'http', protocol: 'TCP' }],
    }]);
  });

  test('namespace or podLabels with cidrs admit the pods and the ranges, IPv4 and IPv6', () => {
    const { shop } = testApp('shop', {
      ingressController: { namespace: 'ingress-nginx', cidrs: ['35.191.0.0/16', '2600:2d00:1:b029::/64'] },
      dns: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, cidrs: ['169.254.20.10/32'] },
      monitoring: { prometheusCidrs: ['10.128.0.0/20'] },
    });
    new ObservedService(shop, 'web', { image: 'x/web:1', route: { path: '/' } });
    const objects = synth(shop);
    expect(find(objects, 'NetworkPolicy', 'web.allow-ingress').spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: {} },
      { ipBlock: { cidr: '35.191.0.0/16' } },
      { ipBlock: { cidr: '2600:2d00:1:b029::/64' } },
    ]);
    expect(find(objects, 'NetworkPolicy', 'allow-dns').spec.egress).toEqual([{
      to: [
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } },
        { ipBlock: { cidr: '169.254.20.10/32' } },
      ],
      ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
    }]);
    // Prometheus: its default pods and the range
    expect(find(objects, 'NetworkPolicy', 'web.allow-prometheus').spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } },
      { ipBlock: { cidr: '10.128.0.0/20' } },
    ]);
  });

  test("istiod and the OpenTelemetry collector take cidrs too (egress: the mesh's AuthorizationPolicies govern inbound only)", () => {
    const { shop } = testApp('shop', {
      mesh: 'istio', istio: { controlPlane: { cidrs: ['10.0.0.2/32'] } },
      openTelemetry: { endpoint: 'http://otel.example.com:4317', collector: { cidrs: ['203.0.113.0/24'] } },
    });
    const objects = synth(shop);
    expect(find(objects, 'NetworkPolicy', 'allow-istiod').spec.egress[0].to).toEqual([{ ipBlock: { cidr: '10.0.0.2/32' } }]);
    expect(find(objects, 'NetworkPolicy', 'allow-otel-collector').spec.egress[0].to).toEqual([{ ipBlock: { cidr: '203.0.113.0/24' } }]);
  });

  test.each([
    ['a bare address', { dns: { cidrs: ['169.254.20.10'] } }, "[shop] 'dns.cidrs[0]' '169.254.20.10' is not an IPv4 or IPv6 CIDR: add the prefix length, '169.254.20.10/32' for the one address"],
    ['a bare IPv6 address', { dns: { cidrs: ['fd00::a'] } }, "[shop] 'dns.cidrs[0]' 'fd00::a' is not an IPv4 or IPv6 CIDR: add the prefix length, 'fd00::a/128' for the one address"],
    ['a prefix beyond the family', { ingressController: { cidrs: ['10.0.0.0/33'] } }, "[shop] 'ingressController.cidrs[0]' '10.0.0.0/33' is not an IPv4 or IPv6 CIDR: an address, '/' and a prefix length, for example '169.254.20.10/32' or 'fd00::/8' (no IPv6 zone, no leading zeros in IPv4 octets)"],
    ['an IPv6 zone (Go refuses it)', { ingressController: { cidrs: ['fe80::1%eth0/64'] } }, "[shop] 'ingressController.cidrs[0]' 'fe80::1%eth0/64' is not an IPv4 or IPv6 CIDR: an address, '/' and a prefix length, for example '169.254.20.10/32' or 'fd00::/8' (no IPv6 zone, no leading zeros in IPv4 octets)"],
    ['a leading zero', { ingressController: { cidrs: ['010.0.0.0/8'] } }, "[shop] 'ingressController.cidrs[0]' '010.0.0.0/8' is not an IPv4 or IPv6 CIDR: an address, '/' and a prefix length, for example '169.254.20.10/32' or 'fd00::/8' (no IPv6 zone, no leading zeros in IPv4 octets)"],
    ['host bits', { ingressController: { cidrs: ['35.191.1.2/16'] } }, "[shop] 'ingressController.cidrs[0]' '35.191.1.2/16' has host bits set, which network plugins read differently (the range, the one address, or not at all): write '35.191.0.0/16' for the range or '35.191.1.2/32' for the address"],
    ['IPv6 host bits', { dns: { cidrs: ['2001:db8::1/64'] } }, "[shop] 'dns.cidrs[0]' '2001:db8::1/64' has host bits set, which network plugins read differently (the range, the one address, or not at all): write '2001:db8::/64' for the range or '2001:db8::1/128' for the address"],
    ['a range twice', { dns: { cidrs: ['10.0.0.0/8', '10.0.0.0/8'] } }, "[shop] 'dns.cidrs[1]' '10.0.0.0/8' is the range of 'dns.cidrs[0]' again: list each range once"],
    ['an empty list', { dns: { cidrs: [] } }, "[shop] 'dns.cidrs' must be a non-empty list of CIDRs, got []: for example ['35.191.0.0/16', '130.211.0.0/22']"],
    ['a string', { dns: { cidrs: '10.0.0.0/8' as any } }, "[shop] 'dns.cidrs' must be a non-empty list of CIDRs, got '10.0.0.0/8': for example ['35.191.0.0/16', '130.211.0.0/22']"],
    ['a typo of cidrs', { dns: { cidr: ['10.0.0.0/8'] } as any }, "[shop] 'dns.cidr' is not a known prop: did you mean 'dns.cidrs'?"],
    ['prometheusCidrs with monitoring off', { monitoring: { enabled: false, prometheusCidrs: ['10.0.0.0/8'] } }, "[shop] 'monitoring.prometheusCidrs' has nothing to admit: monitoring is off (monitoring.enabled: false), so no policy lets Prometheus scrape; drop it, or turn monitoring on"],
    ['a bad prometheusCidrs', { monitoring: { prometheusCidrs: ['10.0.0.0/8x'] } }, "[shop] 'monitoring.prometheusCidrs[0]' '10.0.0.0/8x' is not an IPv4 or IPv6 CIDR: an address, '/' and a prefix length, for example '169.254.20.10/32' or 'fd00::/8' (no IPv6 zone, no leading zeros in IPv4 octets)"],
    ['ingress cidrs in the mesh', { mesh: 'istio' as const, ingressController: { namespace: 'istio-system', cidrs: ['35.191.0.0/16'] } },
      "[shop] 'ingressController.cidrs' cannot reach a routed service in the mesh: traffic from an address range carries no mesh identity, so the service's sidecar (STRICT mutual TLS) and its AuthorizationPolicy (which admits only the ingress gateway's principals, istio.ingressPrincipals) refuse it. Point the load balancer at the mesh's ingress gateway (admitted in its own namespace), or drop 'cidrs'"],
  ])('refuses %s', (_what, props, message) => {
    expect(() => testApp('shop', props as any)).toThrow(message);
    try {
      testApp('shop', props as any);
    } catch (e) {
      expect((e as Error).message).toBe(message);
    }
  });
});

describe('MicroserviceApp (continued)', () => {
  test('fails with the cause when the App comes from another copy of cdk8s (a peer dependency installed twice)', () => {
    // GIVEN a second copy of cdk8s, as npm nests one when the project's version does not fit
    let OtherApp: typeof import('cdk8s').App | undefined;
    jest.isolateModules(() => { OtherApp = require('cdk8s').App; });
    const app = new OtherApp!();
    // THEN the error names the cause and the fix, instead of failing later inside cdk8s
    expect(() => new MicroserviceApp(app, 'shop')).toThrow(/^\[shop\] the cdk8s App comes from another copy of cdk8s than the one cdk8s-microservices loads \(.*\): cdk8s is a peer dependency, so the project must have exactly one; 'npm ls cdk8s' shows the copies/);
  });
});
