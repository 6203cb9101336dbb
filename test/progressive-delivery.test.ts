// progressiveDelivery on an ObservedService (issue 22): what a meshed and an ingress-nginx app
// emit (a Rollout over the Deployment's template, the steps, the analysis of the SLO, routing over
// objects that exist, the HPA scaling the Rollout), what is refused, and what `cdk8s-ms validate`
// says of Rollouts. The builders themselves are tested in delivery.test.ts, the queries under
// promtool in test-promtool/delivery.test.ts.
import { AnalysisTemplate, Rollout } from '../imports/argoproj.io';
import { MicroserviceApp, MicroserviceAppProps, ObservedService, ObservedServiceProps, ProgressiveDeliveryOptions, appReadme } from '../lib';
import type { RuleGroup } from '../lib/observability/model';
import { dashboardExpressions } from '../lib/observability/dashboard';
import { validateManifests } from '../lib/tools/validate';
import { Manifest, READY, expectConfigError, find, ofKind, synth, testApp } from './helpers';

const SLO = { availability: 99.9, latency: { threshold: '500ms', percentile: 99 } };
const STEPS: ProgressiveDeliveryOptions = { steps: [10, 25, 50], pause: '5m' };
const POD_LABELS = { 'app.kubernetes.io/name': 'checkout', 'app.kubernetes.io/instance': 'checkout' };
const MESH: MicroserviceAppProps = { mesh: 'istio', domain: 'shop.example.com', tlsSecretName: 'shop-tls' };
const NGINX: MicroserviceAppProps = { domain: 'shop.example.com', tlsSecretName: 'shop-tls', ingressClassName: 'nginx' };

function build(appProps: MicroserviceAppProps, over: Partial<ObservedServiceProps> = {}): { shop: MicroserviceApp; checkout: ObservedService; objects: Manifest[] } {
  const { shop } = testApp('shop', appProps);
  const checkout = new ObservedService(shop, 'checkout', {
    probes: READY,
    image: 'ghcr.io/acme/checkout:2.4.0', route: { path: '/checkout' }, autoscaling: { minReplicas: 3, maxReplicas: 12 },
    slo: SLO, progressiveDelivery: STEPS, ...over,
  });
  const web = new ObservedService(shop, 'web', { image: 'ghcr.io/acme/web:2.0.1', route: { path: '/' }, probes: READY });
  web.connectTo(checkout);
  return { shop, checkout, objects: synth(shop) };
}

/** The objects whose pods carry the service's pod labels: what runs (or holds) its pods. */
function podHolders(objects: Manifest[]): Manifest[] {
  return objects.filter(o => Object.entries(POD_LABELS).every(([k, v]) => o.spec?.template?.metadata?.labels?.[k] === v));
}

function analysisTemplates(rollout: Manifest): string[] {
  return rollout.spec.strategy.canary.steps.filter((s: any) => s.analysis).flatMap((s: any) => s.analysis.templates.map((t: any) => t.templateName));
}

describe.each([
  ['an Istio mesh', MESH],
  ['ingress-nginx', NGINX],
])('a service with an SLO released 10%% -> 25%% -> 50%%, 5m each, in %s', (_name, appProps) => {
  const { checkout, objects } = build(appProps);
  const rollout = find(objects, 'Rollout', 'checkout');

  test('is run by one Rollout over its Deployment\'s template: no second set of pods', () => {
    expect(checkout.rollout).toBeInstanceOf(Rollout);
    expect(ofKind(objects, 'Rollout')).toHaveLength(1);
    // one pod template, the Deployment's, which the Rollout references; the Deployment runs no pods of its own
    const holders = podHolders(objects);
    expect(holders.map(o => `${o.kind}/${o.metadata.name}`)).toEqual(['Deployment/checkout']);
    expect(holders[0].spec.replicas).toBeUndefined();
    expect(rollout.spec.workloadRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'checkout', scaleDown: 'progressively' });
    expect(rollout.spec.template).toBeUndefined();
    expect(rollout.spec.selector).toEqual({ matchLabels: POD_LABELS });
    // autoscaled: the HPA sets the Rollout's replicas
    expect(rollout.spec.replicas).toBeUndefined();
    expect(rollout.spec.revisionHistoryLimit).toBe(10);
    expect(ofKind(objects, 'Deployment').map(d => d.metadata.name).sort()).toEqual(['checkout', 'web']);
  });

  test('moves the canary through the weights, pausing 5m and judging each step', () => {
    const steps = rollout.spec.strategy.canary.steps;
    expect(steps.filter((s: any) => s.setWeight !== undefined).map((s: any) => s.setWeight)).toEqual([10, 25, 50]);
    expect(steps.filter((s: any) => s.pause).map((s: any) => s.pause)).toEqual([{ duration: '5m' }, { duration: '5m' }, { duration: '5m' }]);
    expect(steps.map((s: any) => Object.keys(s)[0])).toEqual(['setWeight', 'pause', 'analysis', 'setWeight', 'pause', 'analysis', 'setWeight', 'pause', 'analysis']);
    expect(analysisTemplates(rollout)).toEqual(['checkout', 'checkout', 'checkout']);
  });

  test('judges the canary on the SLO\'s own queries over its pods, against the objective and the latency threshold', () => {
    expect(checkout.analysisTemplate).toBeInstanceOf(AnalysisTemplate);
    const template = find(objects, 'AnalysisTemplate', 'checkout');
    const [availability, latency] = template.spec.metrics;
    expect(availability).toMatchObject({ name: 'availability', successCondition: 'len(result) > 0 && result[0] <= 0.001', failureCondition: 'len(result) > 0 && result[0] > 0.001', failureLimit: 0 });
    expect(latency).toMatchObject({ name: 'latency', successCondition: 'len(result) > 0 && result[0] <= 0.01', failureCondition: 'len(result) > 0 && result[0] > 0.01', failureLimit: 0 });
    const pods = 'pod=~"checkout-{{args.canary-hash}}-[bcdfghjklmnpqrstvwxz2456789]{5}"';
    for (const m of [availability, latency]) {
      expect(m.provider.prometheus.address).toBe('http://prometheus-operated.monitoring.svc:9090');
      expect(m.provider.prometheus.query).toContain(pods);
      expect(m.provider.prometheus.query).toContain('[5m]');
    }
    // the mesh's SLO is on Istio's metrics (threshold in ms), the other on OpenTelemetry's (seconds)
    const meshed = appProps.mesh !== undefined;
    expect(availability.provider.prometheus.query).toContain(meshed ? 'istio_requests_total{reporter="destination"' : 'http_server_request_duration_seconds_count{');
    expect(latency.provider.prometheus.query).toContain(meshed ? 'le=~"500|500\\\\.0"' : 'le="0.5"');
    // a minimum of requests: 1000 for 99.9% availability, 100 for p99 latency
    expect(availability.provider.prometheus.query).toMatch(/\* 300 >= 1000\n\)$/);
    expect(latency.provider.prometheus.query).toMatch(/\* 300 >= 100\n\)$/);
  });

  test('the autoscaler scales the Rollout, and the disruption budget covers stable and canary pods', () => {
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'checkout');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'checkout' });
    expect(hpa.spec.minReplicas).toBe(3);
    expect(find(objects, 'PodDisruptionBudget', 'checkout').spec.selector.matchLabels).toEqual(POD_LABELS);
  });

  test('passes our validator with no finding (routing, analysis and workloadRef names resolve)', () => {
    expect(validateManifests(objects).findings).toEqual([]);
  });

  test('its alerts watch the Rollout\'s ReplicaSets, not the Deployment Argo Rollouts scaled to 0', () => {
    const rules = (find(objects, 'PrometheusRule', 'checkout').spec.groups as RuleGroup[]).flatMap(g => g.rules);
    const alerts = rules.map(r => r.alert).filter(Boolean);
    expect(alerts).toEqual(expect.arrayContaining(['RolloutUnavailable', 'RolloutReplicasUnavailable', 'RolloutAborted', 'RolloutStuck', 'RolloutPaused', 'PodCrashLooping', 'AutoscalerAtMaxReplicas']));
    expect(alerts.filter(a => a!.startsWith('Deployment'))).toEqual([]);
    expect(rules.filter(r => r.expr.includes('kube_deployment_'))).toEqual([]);
    const unavailable = rules.find(r => r.alert === 'RolloutUnavailable')!;
    expect(unavailable.expr).toContain('kube_replicaset_owner{namespace="shop", owner_kind="Rollout", owner_name="checkout"}');
    // steps with a pause end by themselves: a long pause is an inconclusive analysis
    expect(rules.find(r => r.alert === 'RolloutPaused')!.labels!.severity).toBe('warning');
  });

  test('its dashboards show the Rollout\'s ReplicaSets; the app overview has a row per Rollout, and none for the Deployment holding its template', () => {
    const exprs = (name: string) => dashboardExpressions(JSON.parse(Object.values(find(objects, 'ConfigMap', name).data as Record<string, string>)[0]));
    // autoscaled: the ready pods against the autoscaler's desired count and bounds
    expect(exprs('checkout-dashboard').filter(e => e.includes('owner_kind="Rollout", owner_name="checkout"'))).toEqual([
      'sum(kube_replicaset_status_ready_replicas{namespace="shop"} and on (namespace, replicaset) kube_replicaset_owner{namespace="shop", owner_kind="Rollout", owner_name="checkout"})',
    ]);
    expect(exprs('checkout-dashboard').filter(e => e.includes('kube_deployment_'))).toEqual([]);
    const overview = JSON.parse(Object.values(find(objects, 'ConfigMap', 'shop-overview-dashboard').data as Record<string, string>)[0]);
    expect(overview.templating.list.filter((v: any) => v.type === 'query').map((v: any) => [v.name, v.query.query])).toEqual([
      ['workload', 'label_values(kube_deployment_spec_replicas{namespace="shop", deployment!~"checkout"}, deployment)'],
      ['rollout', 'label_values(kube_replicaset_owner{namespace="shop", owner_kind="Rollout"}, owner_name)'],
    ]);
    expect(exprs('shop-overview-dashboard')).toContain('sum(kube_replicaset_status_ready_replicas{namespace="shop"} and on (namespace, replicaset) kube_replicaset_owner{namespace="shop", owner_kind="Rollout", owner_name="$rollout"})');
  });
});

describe('with Istio', () => {
  const { objects } = build(MESH);
  const rollout = find(objects, 'Rollout', 'checkout');

  test('the Rollout names the service\'s own VirtualService routes and DestinationRule subsets', () => {
    const istio = rollout.spec.strategy.canary.trafficRouting.istio;
    expect(istio).toEqual({
      virtualService: { name: 'checkout', routes: ['safe-methods', 'default'] },
      destinationRule: { name: 'checkout', canarySubsetName: 'canary', stableSubsetName: 'stable' },
    });
    const vs = find(objects, 'VirtualService', istio.virtualService.name);
    for (const name of istio.virtualService.routes) {
      const route = vs.spec.http.find((h: any) => h.name === name);
      // both subsets on every route, weight 0 kept: the controller has a destination to move
      expect(route.route.map((r: any) => [r.destination.subset, r.weight])).toEqual([['stable', 100], ['canary', 0]]);
    }
    expect(vs.spec.http.map((h: any) => h.name)).toEqual(istio.virtualService.routes);
    const dr = find(objects, 'DestinationRule', istio.destinationRule.name);
    // the same pods: the controller adds each ReplicaSet's rollouts-pod-template-hash
    expect(dr.spec.subsets).toEqual([{ name: 'stable', labels: POD_LABELS }, { name: 'canary', labels: POD_LABELS }]);
    expect(rollout.spec.strategy.canary.canaryService).toBeUndefined();
  });

  test('no stable or canary Service: the mesh splits by subset', () => {
    expect(ofKind(objects, 'Service').map(s => s.metadata.name)).toEqual(['checkout', 'web']);
  });

  test('pods spread per ReplicaSet of the Rollout', () => {
    const spread = find(objects, 'Deployment', 'checkout').spec.template.spec.topologySpreadConstraints;
    expect(spread.map((c: any) => c.matchLabelKeys)).toEqual([['rollouts-pod-template-hash'], ['rollouts-pod-template-hash']]);
  });

  test('warns that requests through the Ingress reach the canary by pod count', () => {
    const { checkout } = build(MESH);
    const warnings = checkout.node.metadata.filter(m => m.type === 'cdk8s-microservices:warning').map(m => m.data);
    expect(warnings).toContain("the canary's shares of requests (10, 25, 50%) hold for calls inside the mesh; requests through the Ingress reach stable and canary pods by pod count (about 9%, 20%, 33%): bind a VirtualService to the gateway for an exact split there");
  });
});

describe('with ingress-nginx', () => {
  const { objects } = build(NGINX);
  const rollout = find(objects, 'Rollout', 'checkout');
  const canary = rollout.spec.strategy.canary;

  test('the Rollout names a stable Ingress of the service\'s own and the stable and canary Services', () => {
    expect(canary.trafficRouting).toEqual({ nginx: { stableIngress: 'shop-checkout' } });
    expect([canary.stableService, canary.canaryService]).toEqual(['checkout-stable', 'checkout-canary']);
    for (const name of [canary.stableService, canary.canaryService]) {
      const svc = find(objects, 'Service', name);
      expect(svc.spec.selector).toEqual(find(objects, 'Service', 'checkout').spec.selector);
      expect(svc.spec.ports.map((p: any) => p.name)).toEqual(['http']);
      expect(svc.metadata.labels?.['app.kubernetes.io/instance']).toBe(name);
    }
    const ingress = find(objects, 'Ingress', canary.trafficRouting.nginx.stableIngress);
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.spec.rules).toEqual([{ host: 'shop.example.com', http: { paths: [{ path: '/checkout', pathType: 'Prefix', backend: { service: { name: 'checkout-stable', port: { name: 'http' } } } }] } }]);
    // the app's Ingress keeps the other services' paths: the controller copies every rule of the stable one
    expect(find(objects, 'Ingress', 'shop').spec.rules[0].http.paths.map((p: any) => p.backend.service.name)).toEqual(['web']);
  });

  test('the ServiceMonitor selects the service\'s own Service only: each pod scraped once', () => {
    const monitor = find(objects, 'ServiceMonitor', 'checkout');
    expect(monitor.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'checkout', 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/instance': 'checkout' });
    const selected = ofKind(objects, 'Service').filter(s => Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => s.metadata.labels?.[k] === v));
    expect(selected.map(s => s.metadata.name)).toEqual(['checkout']);
  });

  test('no mesh object', () => {
    expect(ofKind(objects, 'VirtualService')).toEqual([]);
    expect(ofKind(objects, 'DestinationRule')).toEqual([]);
  });
});

describe('progressiveDelivery also', () => {
  test('gives a fixed-count service\'s Rollout the count, and no analysis without an SLO', () => {
    const { objects, checkout } = build(NGINX, { autoscaling: undefined, replicas: 3, slo: undefined });
    const rollout = find(objects, 'Rollout', 'checkout');
    expect(rollout.spec.replicas).toBe(3);
    expect(find(objects, 'Deployment', 'checkout').spec.replicas).toBeUndefined();
    expect(analysisTemplates(rollout)).toEqual([]);
    expect(ofKind(objects, 'AnalysisTemplate')).toEqual([]);
    expect(checkout.analysisTemplate).toBeUndefined();
    // our validator counts the Rollout's replicas for the Deployment whose template it runs
    expect(validateManifests(objects).findings).toEqual([]);
  });

  test('waits for promotion at each step without a pause, and measures the last 5 minutes', () => {
    const { objects } = build(MESH, { progressiveDelivery: { steps: [20, 60] } });
    const steps = find(objects, 'Rollout', 'checkout').spec.strategy.canary.steps;
    expect(steps.filter((s: any) => s.pause)).toEqual([{ pause: {} }, { pause: {} }]);
    expect(find(objects, 'AnalysisTemplate', 'checkout').spec.metrics[0].provider.prometheus.query).toContain('[5m]');
    const paused = (find(objects, 'PrometheusRule', 'checkout').spec.groups as RuleGroup[]).flatMap(g => g.rules).find(r => r.alert === 'RolloutPaused')!;
    expect(paused.labels!.severity).toBe('info');
  });

  test('queries the Prometheus of monitoring.prometheusUrl', () => {
    const { objects } = build({ ...MESH, monitoring: { prometheusUrl: 'http://prometheus.observability.svc:9090/' } });
    expect(find(objects, 'AnalysisTemplate', 'checkout').spec.metrics[0].provider.prometheus.address).toBe('http://prometheus.observability.svc:9090');
    const { objects: other } = build({ ...MESH, monitoring: { prometheusNamespace: 'observability' } });
    expect(find(other, 'AnalysisTemplate', 'checkout').spec.metrics[0].provider.prometheus.address).toBe('http://prometheus-operated.observability.svc:9090');
  });

  test('leaves services without it as they were', () => {
    const { objects } = build(NGINX, { progressiveDelivery: undefined });
    expect(ofKind(objects, 'Rollout')).toEqual([]);
    expect(find(objects, 'HorizontalPodAutoscaler', 'checkout').spec.scaleTargetRef.kind).toBe('Deployment');
    expect(find(objects, 'ServiceMonitor', 'checkout').spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'checkout', 'app.kubernetes.io/part-of': 'shop' });
    expect(ofKind(objects, 'Ingress').map(i => i.metadata.name)).toEqual(['shop']);
  });

  test('is told in the app README: the steps, the prerequisites, how to watch, promote and abort', () => {
    const { shop } = build(MESH);
    const readme = appReadme(shop);
    expect(readme).toContain('`ghcr.io/acme/checkout:2.4.0` (released 10% → 25% → 50%, 5m each, judged on its SLO)');
    for (const line of [
      '## Progressive delivery',
      'the Argo Rollouts controller (1.9, with its CRDs)',
      'kubectl argo rollouts -n shop get rollout checkout -w',
      'kubectl argo rollouts -n shop promote checkout',
      'kubectl argo rollouts -n shop abort checkout',
      "jqPathExpressions: ['.spec.http[].route[].weight']",
    ]) expect(readme).toContain(line);
  });
});

describe('progressiveDelivery is refused', () => {
  const service = (appProps: MicroserviceAppProps, over: Partial<ObservedServiceProps>) => () => {
    const { shop } = testApp('shop', appProps);
    return new ObservedService(shop, 'checkout', { image: 'ghcr.io/acme/checkout:2.4.0', slo: SLO, progressiveDelivery: STEPS, probes: READY, ...over });
  };

  test('beside a manual canary', () => {
    expectConfigError(service(MESH, { canary: { image: 'ghcr.io/acme/checkout:2.5.0', weight: 10 } }),
      "[shop/checkout] 'canary' and 'progressiveDelivery' both release a new image beside the stable one: use one. With 'progressiveDelivery' a new 'image' is the release, and Argo Rollouts moves it through the steps; remove 'canary'");
  });

  test('for a routed service of an app behind a Gateway', () => {
    expectConfigError(service({ gateway: { name: 'public', namespace: 'gateways' } }, { route: { path: '/checkout' } }),
      "[shop/checkout] 'progressiveDelivery' without a mesh splits the service's requests at its Ingress (ingress-nginx), and the app routes through a Gateway: Argo Rollouts' Gateway API support is a plugin not wired here yet; set mesh: 'istio' on the app, or release with 'canary'");
  });

  test('for a routed service behind another Ingress controller', () => {
    expectConfigError(service({ ingressClassName: 'traefik', ingressController: { namespace: 'traefik', podLabels: { 'app.kubernetes.io/name': 'traefik' } } }, { route: { path: '/checkout' } }),
      "[shop/checkout] 'progressiveDelivery' without a mesh splits the service's requests with ingress-nginx canary annotations, and the app's Ingress controller is class 'traefik' of 'traefik': other controllers are not supported yet; use ingress-nginx, set mesh: 'istio' on the app, or release with 'canary'");
  });

  test('with rollingUpdate, which only a Deployment reads', () => {
    expectConfigError(service(MESH, { rollingUpdate: { maxSurge: 1 } }),
      "[shop/checkout] 'rollingUpdate' tunes a Deployment's rolling update, and with 'progressiveDelivery' Argo Rollouts replaces the pods through the canary steps instead: drop 'rollingUpdate'");
  });

  test('with a misspelt option', () => {
    expect(service(MESH, { progressiveDelivery: { steps: [10], pauses: '5m' } as any })).toThrow("[shop/checkout] 'progressiveDelivery.pauses' is not a known prop: did you mean 'progressiveDelivery.pause'?");
  });

  test('with analysis measuring a custom metrics source', () => {
    const { MetricsSource } = require('../lib') as typeof import('../lib');
    const source = MetricsSource.custom({ requestRate: 'sum(rate(r_total{service="checkout"}[$window]))', errorRate: 'sum(rate(e_total{service="checkout"}[$window]))' });
    expectConfigError(service(NGINX, { slo: { availability: 99.9 }, metrics: { source } }),
      "[shop/checkout] 'progressiveDelivery.analysis' restricts the SLO's queries to the canary's pods, and a custom metrics source's PromQL cannot be restricted: set 'progressiveDelivery.analysis' to false, or measure the SLO with MetricsSource.openTelemetry() or MetricsSource.istio()");
    expect(service(NGINX, { slo: { availability: 99.9 }, metrics: { source }, progressiveDelivery: { ...STEPS, analysis: false } })).not.toThrow();
  });

  test('with analysis in an app whose monitoring is off', () => {
    expectConfigError(service({ ...NGINX, monitoring: { enabled: false } }, {}),
      "[shop/checkout] 'progressiveDelivery.analysis' queries Prometheus for the canary's SLI, and the app's monitoring is off: turn monitoring on, or set 'progressiveDelivery.analysis' to false");
  });

  test('with a monitoring.prometheusUrl that is no URL', () => {
    expectConfigError(() => testApp('shop', { monitoring: { prometheusUrl: 'prometheus:9090' } }),
      "[shop] 'monitoring.prometheusUrl' must be an http(s) URL of Prometheus's HTTP API, without query or fragment, got 'prometheus:9090': for example 'http://prometheus-operated.monitoring.svc:9090'");
  });

  test('for a service without a mesh routed after it was made', () => {
    const { shop } = testApp('shop', NGINX);
    const checkout = new ObservedService(shop, 'checkout', { image: 'ghcr.io/acme/checkout:2.4.0', progressiveDelivery: STEPS, probes: READY });
    shop.addRoute(checkout, { path: '/checkout' });
    expect(() => synth(shop)).toThrow("'progressiveDelivery' splits a routed service's requests at its own Ingress, made with the service: 'checkout' was routed later with addRoute(), so give it its first path in its 'route' prop instead");
  });
});

describe('cdk8s-ms validate on Rollouts', () => {
  const { objects } = build(NGINX);
  const edit = (change: (o: Manifest) => void, kind = 'Rollout', name = 'checkout'): Manifest[] => {
    const copy: Manifest[] = JSON.parse(JSON.stringify(objects));
    change(find(copy, kind, name));
    return copy;
  };
  const rules = (bundle: Manifest[]) => validateManifests(bundle).findings.map(f => `${f.rule} ${f.object}: ${f.message}`);

  test('finds what a Rollout names and the bundle lacks', () => {
    expect(rules(edit(r => { r.spec.workloadRef.name = 'checkout-v2'; }))).toContain("rollout-workload-ref Rollout/shop/checkout: workloadRef Deployment/checkout-v2 is not a Deployment of namespace 'shop'");
    expect(rules(edit(r => { r.spec.strategy.canary.canaryService = 'checkout-preview'; }))).toContain("rollout-service Rollout/shop/checkout: canaryService 'checkout-preview' is not a Service of namespace 'shop'");
    expect(rules(edit(r => { r.spec.strategy.canary.trafficRouting.nginx.stableIngress = 'shop'; }))).toContain("rollout-ingress Rollout/shop/checkout: stableIngress 'shop' is an Ingress with no path to stableService 'checkout-stable'");
    expect(rules(edit(r => { r.spec.strategy.canary.steps[2].analysis.templates[0].templateName = 'checkout-slo'; }))).toContain("rollout-analysis Rollout/shop/checkout: AnalysisTemplate 'checkout-slo' is not in the bundle");
    expect(rules(edit(r => { r.spec.selector.matchLabels['app.kubernetes.io/instance'] = 'other'; }))).toEqual([expect.stringMatching(/^rollout-selector Rollout\/shop\/checkout: selector \{app.kubernetes.io\/instance=other, /)]);
  });

  test('finds a VirtualService route or DestinationRule subset the controller could not use', () => {
    const { objects: meshed } = build(MESH);
    const change = (kind: string, f: (o: Manifest) => void) => {
      const copy: Manifest[] = JSON.parse(JSON.stringify(meshed));
      f(find(copy, kind, 'checkout'));
      return rules(copy).filter(r => r.startsWith('rollout-'));
    };
    expect(change('VirtualService', vs => { vs.spec.http[1].route.pop(); })).toEqual(["rollout-virtualservice Rollout/shop/checkout: route 'default' of VirtualService 'checkout' has no canary destination for the controller to weigh"]);
    expect(change('VirtualService', vs => { vs.spec.http[0].name = 'reads'; })).toEqual(["rollout-virtualservice Rollout/shop/checkout: VirtualService 'checkout' has no http route 'safe-methods'"]);
    expect(change('DestinationRule', dr => { dr.spec.subsets.pop(); })).toEqual(["rollout-destinationrule Rollout/shop/checkout: DestinationRule 'checkout' has no subset 'canary'"]);
  });

  test('warns of a Deployment that runs pods beside the Rollout running its template', () => {
    expect(rules(edit(d => { d.spec.replicas = 3; }, 'Deployment'))).toEqual(["rollout-ref-replicas Deployment/shop/checkout: Deployment 'checkout' runs 3 pod(s) of its own beside those of Rollout 'checkout', whose template it holds"]);
    expect(rules(edit(d => { d.spec.replicas = 0; }, 'Deployment'))).toEqual([]);
  });

  test('takes a Rollout with a pod template of its own for a workload (Services, budgets and policies select it)', () => {
    const copy: Manifest[] = JSON.parse(JSON.stringify(objects)).filter((o: Manifest) => !(o.kind === 'Deployment' && o.metadata.name === 'checkout'));
    const deployment = find(objects, 'Deployment', 'checkout');
    const rollout = find(copy, 'Rollout', 'checkout');
    delete rollout.spec.workloadRef;
    rollout.spec.template = deployment.spec.template;
    expect(rules(copy)).toEqual([]);
    // and checks its pod template as a Deployment's
    delete rollout.spec.template.spec.containers[0].readinessProbe;
    expect(rules(copy)).toContain("probe-readiness Rollout/shop/checkout: container 'checkout' is behind a Service but has no readinessProbe");
  });
});
