// Progressive delivery groundwork (issue 22): the SLO analysis of a canary (lib/delivery/analysis.ts)
// and the Rollout's canary strategy (lib/delivery/progressive-delivery.ts), before they are wired
// into ObservedService. The promtool tests (test-promtool/delivery.test.ts) run the queries.
import { Chart, Testing } from 'cdk8s';
import * as argo from '../imports/argoproj.io';
import {
  AnalysisGate, CANARY_HASH_ARG, MAX_ANALYZED_NAME, SloAnalysisOptions, analysisStep, canaryPodPattern, defaultPrometheusUrl,
  sloAnalysisGates, sloAnalysisTemplate,
} from '../lib/delivery/analysis';
import {
  ProgressiveDeliveryOptions, canaryRoutingKind, canarySteps, canaryStrategy, resolveProgressiveDelivery, RoutingContext,
} from '../lib/delivery/progressive-delivery';
import { MetricsSource } from '../lib/observability/metrics-source';
import type { SloOptions, WorkloadTelemetry } from '../lib/observability/model';
import { promqlError } from '../lib/observability/promql';
import { resolveSlo, sliErrorRecord, sloRuleGroups } from '../lib/observability/slo';
import { argoRolloutsKinds } from '../lib/rendering/crds';
import { validateManifests } from '../lib/tools/validate';
import { expectConfigError } from './helpers';

const PATH = 'shop/checkout';
const HASH = '5f8d7c9b4';

function options(over: Partial<SloAnalysisOptions> & { sloOptions?: SloOptions } = {}): SloAnalysisOptions {
  const source = over.source ?? MetricsSource.openTelemetry();
  const protocol = over.protocol ?? 'http';
  const name = over.name ?? 'checkout';
  const q = protocol === 'tcp' ? undefined : source.queries({ namespace: 'shop', service: name, protocol });
  const slo = over.slo ?? resolveSlo(PATH, over.sloOptions ?? { availability: 99.9, latency: { threshold: '500ms', percentile: 99 } }, q);
  const { sloOptions: _ignored, ...rest } = over;
  return { name, namespace: 'shop', protocol, source, slo, prometheusUrl: defaultPrometheusUrl(), window: '5m', scrapeInterval: '30s', ...rest };
}

/** The SLO recording rule of one objective over a window, as the service's PrometheusRule holds it. */
function recordedErrorRatio(o: SloAnalysisOptions, objective: 'availability' | 'latency', window: string): string {
  const t: WorkloadTelemetry = {
    app: 'shop', namespace: o.namespace, name: o.name, kind: 'service', container: o.name, runbookBaseUrl: 'https://runbooks.example.com',
    customAlerts: [], replicas: 3, slo: o.slo, queries: o.source.queries({ namespace: o.namespace, service: o.name, protocol: o.protocol }),
  };
  const rule = sloRuleGroups(t).flatMap(g => g.rules).find(r => r.record === sliErrorRecord(window) && r.labels?.slo === `${o.name}-${objective}`);
  if (!rule) throw new Error(`no ${sliErrorRecord(window)} rule for ${objective}`);
  return rule.expr;
}

/** A gate's error ratio, without the canary's pod matcher and the indentation: what the recording rule measures over all pods. */
function ratioOverAllPods(gate: AnalysisGate, name: string): string {
  const [ratio] = gate.query.split('\n)\nand on ()\n');
  const matcher = `, pod=~"${canaryPodPattern(name)}"`;
  return ratio.replace(/^\(\n/, '').split(matcher).join('').split('\n').map(l => l.replace(/^ {2}/, '')).join('\n');
}

function withHash(text: string): string {
  return text.split(`{{args.${CANARY_HASH_ARG}}}`).join(HASH);
}

describe('the SLO analysis of a canary', () => {
  test.each([
    ['OpenTelemetry http', MetricsSource.openTelemetry(), 'http'],
    ['OpenTelemetry grpc', MetricsSource.openTelemetry(), 'grpc'],
    ['Istio http', MetricsSource.istio(), 'http'],
    ['Istio grpc', MetricsSource.istio(), 'grpc'],
  ] as const)('measures the SLO recording rules\' own error ratios, restricted to the canary\'s pods (%s)', (_name, source, protocol) => {
    // GIVEN a service whose SLO has both objectives, its latency threshold a bucket boundary of the source
    const o = options({ source, protocol, sloOptions: { availability: 99.9, latency: { threshold: '250ms', percentile: 99 } } });
    // WHEN its analysis is built
    const gates = sloAnalysisGates(PATH, o);
    // THEN each gate's ratio is the recording rule's expression over the same window, plus the pod matcher on every selector
    expect(gates.map(g => g.metric)).toEqual(['availability', 'latency']);
    for (const g of gates) {
      expect(ratioOverAllPods(g, 'checkout')).toBe(recordedErrorRatio(o, g.metric, '5m'));
      // every range selector (`...}[5m]`) holds the matcher: the ratio and the request count
      const ranges = g.query.split('}[5m]').length - 1;
      expect(ranges).toBeGreaterThanOrEqual(3);
      expect(g.query.split(`, pod=~"checkout-{{args.${CANARY_HASH_ARG}}}-[bcdfghjklmnpqrstvwxz2456789]{5}"`).length - 1).toBe(ranges);
      expect(promqlError(withHash(g.query))).toBeUndefined();
    }
  });

  test('Istio series are those the serving pod reported (reporter="destination"), selected by its pod name', () => {
    const [availability] = sloAnalysisGates(PATH, options({ source: MetricsSource.istio() }));
    expect(availability.query).toContain(`istio_requests_total{reporter="destination", destination_service_namespace="shop", destination_service_name="checkout", pod=~"checkout-{{args.${CANARY_HASH_ARG}}}-`);
  });

  test('the pod pattern matches the canary ReplicaSet\'s pods only', () => {
    const re = new RegExp(`^(?:${withHash(canaryPodPattern('checkout'))})$`);
    expect(re.test(`checkout-${HASH}-x2v4k`)).toBe(true);
    // the stable ReplicaSet, another workload whose name starts alike, a pod name without the suffix
    for (const other of ['checkout-6c8b9f7d4-x2v4k', `checkout-migrate-${HASH}-x2v4k`, `checkout-${HASH}-x2v4`, `checkout-${HASH}`, `checkout-api-${HASH}-x2v4k`]) {
      expect(re.test(other)).toBe(false);
    }
  });

  test('a measurement succeeds within the error budget, fails above it, and is no verdict without its minimum of requests', () => {
    const [availability, latency] = sloAnalysisGates(PATH, options());
    expect(availability).toMatchObject({
      maxErrorRatio: 0.001, minRequests: 1000,
      successCondition: 'len(result) > 0 && result[0] <= 0.001',
      failureCondition: 'len(result) > 0 && result[0] > 0.001',
    });
    expect(availability.query).toMatch(/\nand on \(\)\n\(\n {2}sum\(rate\(http_server_request_duration_seconds_count\{.*\}\[5m\]\)\) \* 300 >= 1000\n\)$/);
    // 99% within 500ms: 1% may be slower
    expect(latency).toMatchObject({
      maxErrorRatio: 0.01, minRequests: 100,
      successCondition: 'len(result) > 0 && result[0] <= 0.01',
      failureCondition: 'len(result) > 0 && result[0] > 0.01',
    });
    expect(latency.query).toContain('le="0.5"');
  });

  test.each([
    [99.99, 10000, '0.0001'],
    [99.5, 200, '0.005'],
    [99, 100, '0.01'],
    [95, 100, '0.05'],
  ])('availability %d%% is judged on at least %d requests, against %s', (availability, minRequests, budget) => {
    const [gate] = sloAnalysisGates(PATH, options({ sloOptions: { availability } }));
    expect(gate.minRequests).toBe(minRequests);
    expect(gate.successCondition).toBe(`len(result) > 0 && result[0] <= ${budget}`);
    expect(gate.query).toContain(`>= ${minRequests}\n)`);
  });

  test('each measurement covers the window it is given (the pause before the analysis step)', () => {
    const [gate] = sloAnalysisGates(PATH, options({ window: '1h30m' }));
    expect(gate.query).toContain('[1h30m]');
    expect(gate.query).toContain('* 5400 >= 1000');
    expect(gate.query).not.toContain('[5m]');
  });

  test('renders an AnalysisTemplate: the canary-hash argument, one measurement per metric, no failure or inconclusive one tolerated', () => {
    const chart = new Chart(Testing.app(), 'shop');
    const meta = { name: 'checkout', namespace: 'shop', labels: { 'app.kubernetes.io/name': 'checkout' } };
    const template = sloAnalysisTemplate(chart, meta, options({ prometheusUrl: 'http://prometheus.monitoring.svc:9090' }));
    expect(template).toBeInstanceOf(argo.AnalysisTemplate);
    expect(template.node.id).toBe('AnalysisTemplate');
    const [json] = Testing.synth(chart);
    const gates = sloAnalysisGates(PATH, options());
    expect(json).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: meta,
      spec: {
        args: [{ name: CANARY_HASH_ARG }],
        metrics: gates.map(g => ({
          name: g.metric, count: 1, failureLimit: 0, inconclusiveLimit: 0,
          successCondition: g.successCondition, failureCondition: g.failureCondition,
          provider: { prometheus: { address: 'http://prometheus.monitoring.svc:9090', query: g.query } },
        })),
      },
    });
    // the Argo Rollouts 1.9 CRD's schema accepts it
    expect(validateManifests([json]).findings.filter(f => f.rule.startsWith('schema'))).toEqual([]);
  });

  test('the Prometheus address defaults to the Operator\'s prometheus-operated Service in the monitoring namespace', () => {
    expect(defaultPrometheusUrl()).toBe('http://prometheus-operated.monitoring.svc:9090');
    expect(defaultPrometheusUrl('observability')).toBe('http://prometheus-operated.observability.svc:9090');
  });

  test('the analysis step passes the latest ReplicaSet\'s hash', () => {
    expect(analysisStep('checkout')).toEqual({
      analysis: { templates: [{ templateName: 'checkout' }], args: [{ name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } }] },
    });
  });

  describe('fails', () => {
    test('with a custom metrics source, whose PromQL cannot be restricted to pods', () => {
      const source = MetricsSource.custom({ requestRate: 'sum(rate(r[$window]))', errorRate: 'sum(rate(e[$window]))' });
      const slo = resolveSlo(PATH, { availability: 99 }, source.queries({ namespace: 'shop', service: 'checkout', protocol: 'http' }));
      expectConfigError(() => sloAnalysisGates(PATH, options({ source, slo })),
        "[shop/checkout] 'progressiveDelivery.analysis' restricts the SLO's queries to the canary's pods, and a custom metrics source's PromQL cannot be restricted: set 'progressiveDelivery.analysis' to false, or measure the SLO with MetricsSource.openTelemetry() or MetricsSource.istio()");
      expect(() => source.queries({ namespace: 'shop', service: 'checkout', protocol: 'http', pods: 'x' })).toThrow(/cannot be restricted to some pods/);
    });

    test('when the service name is so long that Kubernetes cuts the hash out of its pods\' names', () => {
      const name = 'a'.repeat(MAX_ANALYZED_NAME + 1);
      expect(() => sloAnalysisGates(PATH, options({ name: 'a'.repeat(MAX_ANALYZED_NAME) }))).not.toThrow();
      expectConfigError(() => sloAnalysisGates(PATH, options({ name })),
        `[shop/checkout] 'progressiveDelivery.analysis' finds the canary's pods by name (<name>-<pod-template-hash>-<5 chars>), and Kubernetes cuts the names of pods of a service named longer than 46 characters ('${name}' has 47), hash included: give the service a shorter id, or set 'progressiveDelivery.analysis' to false`);
    });

    test('when the window holds fewer than two scrapes', () => {
      expectConfigError(() => sloAnalysisGates(PATH, options({ window: '45s' })),
        "[shop/checkout] 'progressiveDelivery.pause' '45s' is the window the canary's analysis measures, and rate() needs two scrapes in it (the scrape interval is '30s'): pause at least 60s");
      expect(() => sloAnalysisGates(PATH, options({ window: '60s' }))).not.toThrow();
    });

    test('with a Prometheus address that is no http(s) URL', () => {
      expectConfigError(() => sloAnalysisGates(PATH, options({ prometheusUrl: 'prometheus:9090' })),
        "[shop/checkout] the Prometheus URL of the canary's analysis must be http(s)://host[:port][/path], got 'prometheus:9090'");
    });

    test('for a tcp service, which reports no requests', () => {
      const slo = { window: '30d', availability: 99.9 };
      expectConfigError(() => sloAnalysisGates(PATH, options({ protocol: 'tcp', slo })),
        "[shop/checkout] 'progressiveDelivery.analysis' needs request metrics, and a tcp service reports none: set 'progressiveDelivery.analysis' to false");
    });
  });
});

describe('progressiveDelivery', () => {
  const resolve = (pd: ProgressiveDeliveryOptions, hasSlo = true, hasCanary = false) => resolveProgressiveDelivery(PATH, pd, { hasSlo, hasCanary });

  test('analysis is on with an SLO and off without one; indefinite pauses are measured over 5m', () => {
    expect(resolve({ steps: [10, 25, 50], pause: '5m' })).toEqual({ steps: [10, 25, 50], pause: '5m', analysis: true, analysisWindow: '5m' });
    expect(resolve({ steps: [10, 25, 50], pause: '10m' }, false)).toMatchObject({ analysis: false, analysisWindow: '10m' });
    expect(resolve({ steps: [20] })).toEqual({ steps: [20], pause: undefined, analysis: true, analysisWindow: '5m' });
    expect(resolve({ steps: [20], analysis: false })).toMatchObject({ analysis: false });
  });

  test('each weight is a setWeight, a pause and, with analysis, an analysis step', () => {
    const pd = resolve({ steps: [10, 25, 50], pause: '5m' });
    const analysis = analysisStep('checkout');
    expect(canarySteps(pd, 'checkout')).toEqual([
      { setWeight: 10 }, { pause: { duration: '5m' } }, analysis,
      { setWeight: 25 }, { pause: { duration: '5m' } }, analysis,
      { setWeight: 50 }, { pause: { duration: '5m' } }, analysis,
    ]);
    expect(canarySteps(resolve({ steps: [10, 50] }))).toEqual([{ setWeight: 10 }, { pause: {} }, { setWeight: 50 }, { pause: {} }]);
  });

  test('with Istio the controller moves the weights of the service\'s VirtualService routes between its DestinationRule\'s subsets', () => {
    const pd = resolve({ steps: [10, 25, 50], pause: '5m' });
    expect(canaryStrategy(pd, { kind: 'istio', virtualService: 'checkout', routes: ['safe-methods', 'default'], destinationRule: 'checkout' }, 'checkout')).toEqual({
      steps: canarySteps(pd, 'checkout'),
      trafficRouting: {
        istio: {
          virtualService: { name: 'checkout', routes: ['safe-methods', 'default'] },
          destinationRule: { name: 'checkout', canarySubsetName: 'canary', stableSubsetName: 'stable' },
        },
      },
    });
  });

  test('with ingress-nginx the controller adds a canary Ingress beside the stable one, leading to the canary Service', () => {
    const pd = resolve({ steps: [10], pause: '5m' });
    expect(canaryStrategy(pd, { kind: 'nginx', stableIngress: 'shop-checkout', stableService: 'checkout-stable', canaryService: 'checkout-canary' })).toEqual({
      steps: canarySteps(pd),
      canaryService: 'checkout-canary',
      stableService: 'checkout-stable',
      trafficRouting: { nginx: { stableIngress: 'shop-checkout' } },
    });
    expect(canaryStrategy(pd, { kind: 'replicas' })).toEqual({ steps: canarySteps(pd) });
  });

  test('a Rollout with the strategy and the HPA-friendly workloadRef passes the Argo Rollouts 1.9 CRD schema', () => {
    const chart = new Chart(Testing.app(), 'shop');
    const pd = resolve({ steps: [10, 25, 50], pause: '5m' });
    new (argoRolloutsKinds().Rollout)(chart, 'Rollout', {
      metadata: { name: 'checkout', namespace: 'shop' },
      spec: {
        selector: { matchLabels: { 'app.kubernetes.io/name': 'checkout', 'app.kubernetes.io/instance': 'checkout' } },
        workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'checkout', scaleDown: 'progressively' },
        strategy: { canary: canaryStrategy(pd, { kind: 'istio', virtualService: 'checkout', routes: ['default'], destinationRule: 'checkout' }, 'checkout') },
      },
    });
    const objects = Testing.synth(chart);
    expect(objects[0]).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', spec: { strategy: { canary: { steps: expect.any(Array) } } } });
    expect(validateManifests(objects).findings.filter(f => f.rule.startsWith('schema'))).toEqual([]);
  });

  describe('fails', () => {
    test.each([
      [{ steps: [] }, "'progressiveDelivery.steps' must be a non-empty list of canary weights in percent, such as [10, 25, 50], got []"],
      [{ steps: [10, 100] }, "'progressiveDelivery.steps' must hold whole percentages from 1 to 99 (after the last step the release gets 100%), got 100 at index 1"],
      [{ steps: [0] }, "'progressiveDelivery.steps' must hold whole percentages from 1 to 99 (after the last step the release gets 100%), got 0 at index 0"],
      [{ steps: [12.5] }, "'progressiveDelivery.steps' must hold whole percentages from 1 to 99 (after the last step the release gets 100%), got 12.5 at index 0"],
      [{ steps: [25, 10] }, "'progressiveDelivery.steps' must ascend, got 10 after 25: for example [10, 25, 50]"],
      [{ steps: [10], pause: '1d' }, "'progressiveDelivery.pause' must be a duration in hours, minutes and seconds such as '5m' or '1h30m' (Argo Rollouts reads no days), got '1d'; leave it out to wait for 'kubectl argo rollouts promote' at each step"],
      [{ steps: [10], pause: '0s' }, "'progressiveDelivery.pause' must be a duration in hours, minutes and seconds such as '5m' or '1h30m' (Argo Rollouts reads no days), got '0s'; leave it out to wait for 'kubectl argo rollouts promote' at each step"],
      [{ steps: [10], pause: '30m1h' }, "'progressiveDelivery.pause' must be a duration in hours, minutes and seconds such as '5m' or '1h30m' (Argo Rollouts reads no days), got '30m1h'; leave it out to wait for 'kubectl argo rollouts promote' at each step"],
      [{ steps: [10], analysis: 'yes' }, "'progressiveDelivery.analysis' must be true or false, got 'yes'"],
      [{ steps: [10], pauses: '5m' }, "'progressiveDelivery.pauses' is not a known prop: did you mean 'progressiveDelivery.pause'?"],
    ] as Array<[any, string]>)('on %j', (pd, message) => {
      let error: Error | undefined;
      try {
        resolve(pd);
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message.startsWith(`[${PATH}] ${message}`)).toBe(true);
    });

    test('with analysis and no SLO', () => {
      expectConfigError(() => resolve({ steps: [10], analysis: true }, false),
        "[shop/checkout] 'progressiveDelivery.analysis' judges the canary against the service's SLO, and it has none: set 'slo' (for example { availability: 99.9 }), or leave 'analysis' out");
    });

    test('beside a manual canary', () => {
      expectConfigError(() => resolve({ steps: [10] }, true, true),
        "[shop/checkout] 'canary' and 'progressiveDelivery' both release a new image beside the stable one: use one. With 'progressiveDelivery' a new 'image' is the release, and Argo Rollouts moves it through the steps; remove 'canary'");
    });
  });

  describe('routing', () => {
    const ctx = (over: Partial<RoutingContext>): RoutingContext => ({ protocol: 'http', meshed: false, routed: true, entry: { kind: 'ingress', controller: 'ingress-nginx', ingressClassName: 'nginx' }, ...over });

    test('is Istio in a mesh, ingress-nginx for a routed service without one, and pod counts otherwise', () => {
      expect(canaryRoutingKind(PATH, ctx({ meshed: true, entry: { kind: 'ingress', controller: 'istio', ingressClassName: 'istio' } }))).toBe('istio');
      expect(canaryRoutingKind(PATH, ctx({}))).toBe('nginx');
      expect(canaryRoutingKind(PATH, ctx({ entry: { kind: 'ingress', controller: 'ingress-nginx' } }))).toBe('nginx');
      expect(canaryRoutingKind(PATH, ctx({ routed: false }))).toBe('replicas');
    });

    test('refuses a Gateway, another Ingress controller and tcp until they are supported', () => {
      expectConfigError(() => canaryRoutingKind(PATH, ctx({ entry: { kind: 'gateway' } })),
        "[shop/checkout] 'progressiveDelivery' without a mesh splits the service's requests at its Ingress (ingress-nginx), and the app routes through a Gateway: Argo Rollouts' Gateway API support is a plugin not wired here yet; set mesh: 'istio' on the app, or release with 'canary'");
      expectConfigError(() => canaryRoutingKind(PATH, ctx({ entry: { kind: 'ingress', controller: 'traefik', ingressClassName: 'traefik' } })),
        "[shop/checkout] 'progressiveDelivery' without a mesh splits the service's requests with ingress-nginx canary annotations, and the app's Ingress controller is class 'traefik' of 'traefik': other controllers are not supported yet; use ingress-nginx, set mesh: 'istio' on the app, or release with 'canary'");
      expectConfigError(() => canaryRoutingKind(PATH, ctx({ protocol: 'tcp', meshed: true })),
        "[shop/checkout] 'progressiveDelivery' splits requests by HTTP route, and a tcp service has none (Argo Rollouts splits TCP only between two Services, not supported here): serve 'http' or 'grpc', or release with 'canary'");
    });
  });
});
