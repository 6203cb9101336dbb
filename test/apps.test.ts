import * as fs from 'node:fs';
import * as path from 'node:path';
import { Testing, Yaml } from 'cdk8s';
import { renderApp, renderAppFiles } from '../lib';
import { EXAMPLE_APPS, NOT_IN_DIST, buildExamples } from '../apps';
import { validateManifests } from '../lib/tools/index';
import { find, synth, unsettledSelectorParts } from './helpers';

const DIST = path.join(__dirname, '..', 'dist');

function renderExamples() {
  const app = Testing.app();
  buildExamples(app);
  return renderApp(app);
}

describe('example apps', () => {
  test.each(Object.keys(EXAMPLE_APPS))('%s matches its snapshot', name => {
    const app = Testing.app();
    const chart = EXAMPLE_APPS[name](app);
    expect(Yaml.stringify(...chart.toJson())).toMatchSnapshot();
  });

  test('dist/ holds exactly what apps/ synthesizes now (run `npm run synth` and commit when this fails)', () => {
    const expected = buildExamples(Testing.app()).flatMap(a => renderAppFiles(a));
    const present = (fs.readdirSync(DIST, { recursive: true }) as string[]).filter(f => fs.statSync(path.join(DIST, f)).isFile()).sort();
    // and the record of what synth wrote there, which lets the next synth replace it
    expect(present).toEqual([...expected.map(f => f.path), '.cdk8s-ms-synth@cdk8s-microservices.sha256'].sort());
    for (const f of expected) expect(fs.readFileSync(path.join(DIST, f.path), 'utf8')).toBe(f.content);
    expect(fs.readFileSync(path.join(DIST, '.cdk8s-ms-synth@cdk8s-microservices.sha256'), 'utf8').trim().split('\n').map(l => l.split('  ')[1])).toEqual(expected.map(f => f.path).sort());
  });

  test.each(Object.keys(NOT_IN_DIST))('%s (not in dist/ yet) passes cdk8s-ms validate with no error or warning', name => {
    const findings = validateManifests(EXAMPLE_APPS[name](Testing.app()).toJson()).findings;
    expect(findings.filter(f => f.severity !== 'info')).toEqual([]);
  });

  test.each(Object.keys(EXAMPLE_APPS))('%s settles on apply: no empty matchLabels or matchExpressions', name => {
    const objects = EXAMPLE_APPS[name](Testing.app()).toJson();
    expect(objects.flatMap(o => unsettledSelectorParts(o).map(p => `${o.kind}/${o.metadata.name}${p}`))).toEqual([]);
  });

  test('synthesizing twice gives byte-identical output', () => {
    expect(renderExamples()).toEqual(renderExamples());
  });

  test('app-service runs 3 replicas on port 5000 behind a LoadBalancer on port 80', () => {
    const objects = synth(EXAMPLE_APPS['app-service'](Testing.app()));
    const deployment = find(objects, 'Deployment', 'app-service');
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.template.spec.containers[0].ports).toEqual([{ name: 'http', containerPort: 5000, protocol: 'TCP' }]);
    expect(find(objects, 'Service', 'app-service').spec).toMatchObject({ type: 'LoadBalancer', ports: [{ port: 80, targetPort: 'http' }] });
  });

  test('myapp runs myimage:v2 on port 5000 with maxSurge 1 and maxUnavailable 0', () => {
    const objects = synth(EXAMPLE_APPS.myapp(Testing.app()));
    const deployment = find(objects, 'Deployment', 'myapp');
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    expect(deployment.spec.template.spec.containers[0]).toMatchObject({ image: 'myimage:v2', ports: [{ containerPort: 5000 }] });
  });

  test('hello-world probes /healthz and /readiness and is routed from chart-example.local with TLS', () => {
    const objects = synth(EXAMPLE_APPS['hello-world'](Testing.app()));
    const c = find(objects, 'Deployment', 'hello-world').spec.template.spec.containers[0];
    expect(c.image).toMatch(/nginx.*:\d+\.\d+\.\d+/);
    expect(c.livenessProbe.httpGet.path).toBe('/healthz');
    expect(c.readinessProbe.httpGet.path).toBe('/readiness');
    const ingress = find(objects, 'Ingress', 'hello-world');
    expect(ingress.spec.rules[0].host).toBe('chart-example.local');
    expect(ingress.spec.tls).toEqual([{ hosts: ['chart-example.local'], secretName: 'chart-example-tls' }]);
    // the mounted nginx config really serves both probe paths
    expect(find(objects, 'ConfigMap', 'hello-world-config').data['default.conf']).toMatch(/location = \/healthz[\s\S]*location = \/readiness/);
  });

  test('shop wires web to catalog, cart and checkout, and checkout to payments', () => {
    const objects = synth(EXAMPLE_APPS.shop(Testing.app()));
    const egress = objects.filter(o => o.kind === 'NetworkPolicy' && /\.to\./.test(o.metadata.name)).map(o => o.metadata.name).sort();
    expect(egress).toEqual(['checkout.to.payments', 'web.to.cart', 'web.to.catalog', 'web.to.checkout']);
    expect(find(objects, 'Ingress', 'shop').spec.rules[0].http.paths[0]).toMatchObject({ path: '/', backend: { service: { name: 'web' } } });
    const protocols = new Set(objects.filter(o => o.kind === 'Service').map(o => o.spec.ports[0].name));
    expect(protocols).toEqual(new Set(['http', 'grpc']));
    expect(objects.some(o => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === 'catalog')).toBe(true);
    expect(find(objects, 'Deployment', 'cart').spec.replicas).toBe(3);
    expect(find(objects, 'ConfigMap', 'payments-config')).toBeDefined();
    expect(objects.filter(o => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === 'worker').map(o => o.metadata.name)).toEqual(['mailer']);
  });
});
