import { ApiObject } from 'cdk8s';
import * as k8s from '../rendering/kube';
import { Construct } from 'constructs';
import { MicroserviceConfigError, show } from '../errors';
import type { RouteOptions } from './microservice-app';
import { admitPolicyName, anywherePeers, allowPolicy, peersOf } from '../network/network-policy';
import type { ServiceMonitor } from '../../imports/monitoring.coreos.com';
import { checkDuration } from '../durations';
import { MicroserviceApp } from './microservice-app';
import { MetricsSource, RequestQueries, ServiceSelector } from '../observability/metrics-source';
import { checkMetricsPath, serviceMonitor } from '../observability/monitors';
import { checkCustomQueries } from '../observability/custom-queries';
import type { SloOptions, WorkloadTelemetry } from '../observability/model';
import { interpolationWarning, resolveSlo, unreachableAlertWarnings } from '../observability/slo';
import { defaultProbes, undeclaredReadinessWarning } from '../pod/probes';
import { MetricsOptions, Workload, WorkloadProps } from './workload';
import { CanaryOptions, ResolvedCanary, resolveCanary } from './canary';
import { INSTANCE, workloadSelector } from '../labels';
import { AuthorizationRule, Subset, WeightedSubset, authorizationPolicy, destinationRule, httpRouteNames, permissivePort, serviceHost, virtualService } from '../network/mesh/istio';
import { ResolvedTraffic, TrafficOptions, resolveTraffic } from '../network/mesh/traffic';
import { addWarning } from '../warnings';
import type { ServiceProtocol } from '../network/service-protocol';
import { checkIstioPort } from '../pod/containers';
import { checkBoolean, checkKnownProps, checkOneOf, checkPort, propNames } from '../props/checks';
import { TRAFFIC_PROPS } from '../network/mesh/traffic';
import { CANARY_PROPS } from './canary';
import { APP_PROPS } from './app/props';
import { WORKLOAD_PROPS } from './workload/props';
import { MeshCaller, serviceAddress } from './service-target';
import type { AnalysisTemplate, Rollout } from '../../imports/argoproj.io';
import { sloAnalysisTemplate } from '../delivery/analysis';
import {
  CANARY_SUBSET, CanaryRouting, PROGRESSIVE_DELIVERY_PROPS, ProgressiveDeliveryOptions, ResolvedProgressiveDelivery, STABLE_SUBSET, canaryStrategy,
} from '../delivery/progressive-delivery';
import { ownIngressName } from './app/routes';
import { DeliveryPlan, TRACK_SERVICES, planDelivery, trackService } from './service/progressive-delivery';
import { workloadRollout } from './workload/rollout';

/** The application protocol of a service's port. */
export type { ServiceProtocol };

export interface ObservedServiceProps extends WorkloadProps {
  /** The container port. @default 8080 */
  readonly port?: number;
  /** The protocol on `port`; it picks the address format and the check a warning suggests when no probe is declared. @default 'http' */
  readonly protocol?: ServiceProtocol;
  /** The port of the Service. @default 80 for http, else `port` */
  readonly servicePort?: number;
  /** `ClusterIP` inside the cluster, `LoadBalancer` for a cloud load balancer. @default 'ClusterIP' */
  readonly serviceType?: 'ClusterIP' | 'LoadBalancer';
  /** A path on the app's Ingress that leads here. @default - not routed */
  readonly route?: RouteOptions;
  /**
   * Where Prometheus scrapes, and which request metrics alerts and dashboards read. `false`
   * when the app serves no metrics (see ServiceMetricsOptions.scrape): nothing scrapes it.
   * @default - see MetricsOptions; OpenTelemetry metric names
   */
  readonly metrics?: ServiceMetricsOptions | false;
  /**
   * Timeouts, retries and circuit breaking of calls to this service (with a mesh), and a
   * rate limit at the Ingress. @default - with a mesh: 15 s timeout, 2 retries of 5 s on
   * connect failures, resets and 503/UNAVAILABLE, ejection after 5 errors in a row
   */
  readonly traffic?: TrafficOptions;
  /** Run a new image beside the stable one and send it a share of the traffic. @default - no canary */
  readonly canary?: CanaryOptions;
  /**
   * Release every change of the pod template step by step with Argo Rollouts: a `Rollout` runs
   * the pods (the Deployment holds their template), the canary gets each share of requests in
   * `steps` in turn (the mesh's VirtualService and DestinationRule subsets, or ingress-nginx
   * canary Ingresses), and with an `slo` each step is judged on the SLO's own queries over the
   * canary's pods: a canary that spends the error budget faster than the SLO allows is rolled
   * back. Not with `canary` or `rollingUpdate`.
   * @default - a Deployment's rolling update
   */
  readonly progressiveDelivery?: ProgressiveDeliveryOptions;
  /**
   * Service level objectives, measured on the request metrics of `metrics.source`: SLI
   * recording rules, error budget and multi-window multi-burn-rate alerts (page at 14.4x/6x,
   * ticket at 3x/1x) in the service's PrometheusRule, and the budget and burn rate on its
   * dashboard. A latency threshold must be a bucket boundary of the source's histogram.
   * @default - no SLO
   */
  readonly slo?: SloOptions;
}

/** Scraping and request metrics of a service. */
export interface ServiceMetricsOptions extends MetricsOptions {
  /**
   * `false` (what `metrics: false` is short for): the app serves no metrics, so no
   * ServiceMonitor, no NetworkPolicy admitting Prometheus and no `prometheus.io/*` pod
   * annotations (Prometheus would find the target down forever; kube-prometheus-stack's
   * TargetDown fires). The alerts and panels of the Deployment, its pods and containers stay
   * (kube-state-metrics, cAdvisor); those of its requests and an `slo` need request metrics
   * from elsewhere: in an app with `mesh: 'istio'` the sidecar's (the monitor then scrapes only
   * istio-proxy's stats, which Istio's agent serves on 15020 without the app's, and the
   * policy admits Prometheus there), or a `source` such as MetricsSource.custom() over an
   * Ingress controller's metrics. Without either the service has no request alerts or panels.
   * @default true
   */
  readonly scrape?: boolean;
  /**
   * The request metrics alerts, SLOs and dashboards are written against.
   * @default - MetricsSource.istio() in an app with `mesh: 'istio'` (every sidecar reports them), else MetricsSource.openTelemetry()
   */
  readonly source?: MetricsSource;
}

/** The OpenTelemetry Prometheus exporter's default port: where grpc and tcp services serve /metrics. */
export const OTEL_PROMETHEUS_PORT = 9464;

const PROTOCOLS: ServiceProtocol[] = ['http', 'grpc', 'tcp'];

/** What a service's `metrics` says: is the app scraped, does it have request metrics, from its sidecar? */
export interface MetricsPlan {
  readonly options: ServiceMetricsOptions;
  /** Prometheus scrapes the app's own metrics. */
  readonly scraped: boolean;
  /** The service has request metrics (alerts, panels, SLOs). */
  readonly requestMetrics: boolean;
  /** Not the app but its mesh sidecar is scraped, for its request metrics. */
  readonly sidecar: boolean;
}

/** Reads `metrics` (an object, or false: the app serves none) of a service. */
export function metricsPlan(path: string, metrics: unknown, protocol: ServiceProtocol, meshed: boolean): MetricsPlan {
  if (metrics !== undefined && metrics !== false && (metrics === null || typeof metrics !== 'object' || Array.isArray(metrics))) {
    throw new MicroserviceConfigError(path, `'metrics' must be an object, or false when the app serves no metrics, got ${show(metrics)}`);
  }
  const options = (metrics === false ? {} : metrics ?? {}) as ServiceMetricsOptions;
  checkBoolean(path, 'metrics.scrape', options.scrape);
  const scraped = metrics !== false && options.scrape !== false;
  const scrapeProp = (['port', 'path', 'interval'] as const).find(k => options[k] !== undefined);
  if (!scraped && scrapeProp) {
    throw new MicroserviceConfigError(path, `'metrics.${scrapeProp}' says where Prometheus scrapes the app, and 'metrics.scrape' is false (the app serves no metrics): drop it, or drop 'scrape: false'`);
  }
  const source = options.source;
  const requestMetrics = protocol !== 'tcp' && (scraped || meshed || source !== undefined);
  return { options, scraped, requestMetrics, sidecar: !scraped && meshed && requestMetrics && (source === undefined || source.kind === 'istio') };
}

/**
 * The error of an `slo` on a service that serves no metrics and has none from elsewhere (the
 * SLO would be measured on series that never exist), with the ways out.
 */
export function unmeasuredSloMessage(app: string): string {
  return `'slo' needs the service's request metrics, and it has none: 'metrics' is false (the app serves none) and app '${app}' has no mesh whose sidecars would report its requests. Set mesh: 'istio' on the app, give metrics: { scrape: false, source: MetricsSource.custom({...}) } with request metrics from elsewhere (an Ingress controller's, a load balancer's), serve metrics and drop 'metrics: false', or drop 'slo'`;
}

// the Service port of a separate metrics port: the http- prefix tells meshes the protocol
const METRICS_SERVICE_PORT = 'http-metrics';

/** The request queries of a service; a custom source's PromQL is parsed here, at synth. */
export function requestQueries(path: string, source: MetricsSource | undefined, s: ServiceSelector, meshed: boolean): RequestQueries {
  // in a mesh the sidecars report every request, whether or not the app is instrumented
  const q = (source ?? (meshed ? MetricsSource.istio() : MetricsSource.openTelemetry())).queries(s);
  // the built-in sources write PromQL from checked names: only a custom source's is parsed
  if (source?.kind !== 'custom') return q;
  checkCustomQueries(path, q);
  return q;
}

/**
 * Ports the injected istio-proxy listens on or intercepts (Istio's "Ports used by Istio"): an
 * app port among them clashes with the sidecar.
 */
export const ISTIO_RESERVED_PORTS = [15000, 15001, 15004, 15006, 15008, 15009, 15020, 15021, 15053, 15090];

/** The service's own props and nested options: unknown names, and ports Kubernetes or Istio would refuse. */
function checkServiceProps(path: string, props: ObservedServiceProps): void {
  checkKnownProps(path, props, SERVICE_PROPS.service);
  const nested: Array<[unknown, readonly string[], string]> = [
    [props.route, APP_PROPS.route, 'route.'],
    // false or a non-object: metricsPlan() says what 'metrics' may be
    [props.metrics !== null && typeof props.metrics === 'object' ? props.metrics : undefined, SERVICE_PROPS.serviceMetrics, 'metrics.'],
    [props.traffic, TRAFFIC_PROPS.traffic, 'traffic.'],
    [props.traffic?.retries || undefined, TRAFFIC_PROPS.retries, 'traffic.retries.'],
    [props.traffic?.circuitBreaker || undefined, TRAFFIC_PROPS.circuitBreaker, 'traffic.circuitBreaker.'],
    [props.traffic?.rateLimit, TRAFFIC_PROPS.rateLimit, 'traffic.rateLimit.'],
    [props.canary, CANARY_PROPS, 'canary.'],
    [props.canary?.header, ['name', 'value'], 'canary.header.'],
    [props.progressiveDelivery, PROGRESSIVE_DELIVERY_PROPS, 'progressiveDelivery.'],
  ];
  for (const [value, known, prefix] of nested) checkKnownProps(path, value, known, prefix);
  if (props.route?.pathType !== undefined) checkOneOf(path, 'route.pathType', props.route.pathType, ['Prefix', 'Exact']);
}

/**
 * `traffic.rateLimit` is written as ingress-nginx annotations, which every other controller
 * ignores (Istio's gateway, traefik, a Gateway's implementation): refused unless the app's
 * Ingress controller is ingress-nginx.
 */
function checkRateLimitController(path: string, app: MicroserviceApp): void {
  const fix = 'rate-limit in that controller instead (for Istio, a local rate limit EnvoyFilter on the gateway), and drop it';
  if (app.gateway) throw new MicroserviceConfigError(path, `'traffic.rateLimit' is set through Ingress (ingress-nginx) annotations, but the app routes through a Gateway: ${fix}`);
  if (app.mesh) throw new MicroserviceConfigError(path, `'traffic.rateLimit' is set through ingress-nginx annotations, which Istio's gateway (the mesh's Ingress) ignores: ${fix}`);
  const controller = app.ingressController.podLabels?.['app.kubernetes.io/name'];
  const cls = app.ingressClassName;
  if (controller !== 'ingress-nginx' || (cls !== undefined && !cls.includes('nginx'))) {
    throw new MicroserviceConfigError(path, `'traffic.rateLimit' is set through ingress-nginx annotations, but the app's Ingress controller is ${cls !== undefined ? `class ${show(cls)}` : ''}${cls !== undefined && controller !== 'ingress-nginx' ? ', ' : ''}${controller !== 'ingress-nginx' ? `the pods ${show(app.ingressController.podLabels ?? {})}` : ''}, which would ignore them: ${fix}`);
  }
}

/** The main container's ports: the service's, named after its protocol, and a metrics port of its own if any. */
export function servingPorts(protocol: ServiceProtocol, port: number, metricsPort?: number): k8s.ContainerPort[] {
  return [
    { name: protocol, containerPort: port, protocol: 'TCP' },
    ...(metricsPort !== undefined ? [{ name: 'metrics', containerPort: metricsPort, protocol: 'TCP' }] : []),
  ];
}

/**
 * A long-running service behind a Service: Deployment, ServiceAccount, Service, optional
 * autoscaler, disruption budget, network policy for its callers and an optional Ingress route.
 */
export class ObservedService extends Workload {
  /** The container port. */
  public readonly port: number;
  /** The Service port. */
  public readonly servicePort: number;
  public readonly protocol: ServiceProtocol;
  /** The name of the container and Service port: the protocol (`http`, `grpc`, `tcp`). */
  public readonly portName: string;
  public readonly service: k8s.KubeService;
  /** A service always has a Deployment: it runs the pods, or with `progressiveDelivery` holds their template for the Rollout. */
  public declare readonly deployment: k8s.KubeDeployment;
  /** Scrapes the service, when the app's monitoring is on and there is something to scrape (see `metrics`). */
  public readonly serviceMonitor?: ServiceMonitor;
  /** Traffic settings after defaults. */
  public readonly traffic: ResolvedTraffic;
  /** The canary after defaults, when `canary` is set. */
  public readonly canary?: ResolvedCanary;
  /** The canary's Deployment (`<name>-canary`). */
  public readonly canaryDeployment?: k8s.KubeDeployment;
  /** With a mesh: the callers this service admits. */
  public readonly authorizationPolicy?: ApiObject;
  /** With a mesh: connection limits, outlier detection and the stable and canary subsets. */
  public readonly destinationRule?: ApiObject;
  /** With a mesh: timeout, retries and canary split (http and grpc, or any protocol with a canary). */
  public readonly virtualService?: ApiObject;
  /** `progressiveDelivery` after defaults. */
  public readonly progressiveDelivery?: ResolvedProgressiveDelivery;
  /** With `progressiveDelivery`: the Argo Rollouts Rollout that runs the pods of the Deployment's template. */
  public readonly rollout?: Rollout;
  /** With `progressiveDelivery` and an `slo`: the analysis that judges each step on the SLO's queries. */
  public readonly analysisTemplate?: AnalysisTemplate;
  /** With `progressiveDelivery` over ingress-nginx: the Services Argo Rollouts pins to the stable and the canary pods. */
  public readonly stableService?: k8s.KubeService;
  public readonly canaryService?: k8s.KubeService;

  private readonly callers: MeshCaller[] = [];

  constructor(scope: Construct, id: string, props: ObservedServiceProps) {
    // checked before super(): the ports and probes of the pod depend on them
    const path = scope.node.path ? `${scope.node.path}/${id}` : id;
    checkServiceProps(path, props);
    const protocol = props.protocol ?? 'http';
    if (!PROTOCOLS.includes(protocol)) {
      throw new MicroserviceConfigError(path, `'protocol' must be one of ${PROTOCOLS.join(', ')}, got ${show(protocol)}`);
    }
    const port = checkPort(path, 'port', props.port ?? 8080);
    const app = MicroserviceApp.of(scope, id, 'ObservedService');
    const plan = metricsPlan(path, props.metrics, protocol, app.mesh !== undefined);
    const metrics = plan.options;
    const metricsPort = plan.scraped ? checkPort(path, 'metrics.port', metrics.port ?? (protocol === 'http' ? port : OTEL_PROMETHEUS_PORT)) : port;
    const queries = plan.requestMetrics ? requestQueries(path, metrics.source, { namespace: app.namespaceName, service: id, protocol }, app.mesh !== undefined) : undefined;
    if (props.slo !== undefined && !queries && protocol !== 'tcp') throw new MicroserviceConfigError(path, unmeasuredSloMessage(app.node.id));
    const slo = props.slo === undefined ? undefined : resolveSlo(path, props.slo, queries);
    const separateMetrics = metricsPort !== port;
    const servicePort = checkPort(path, 'servicePort', props.servicePort ?? (protocol === 'http' ? 80 : port));
    if (separateMetrics && metricsPort === servicePort) {
      // the Service would list the port twice (the service's and `http-metrics`): the API server refuses it
      throw new MicroserviceConfigError(path, `'metrics.port' ${metricsPort} is also the service port ('servicePort'): the Service would have two ports ${metricsPort}. Serve metrics on the container port (${port}), or choose another metrics port`);
    }
    if (app.mesh) {
      for (const [prop, p] of [['port', port], ['metrics.port', metricsPort]] as const) {
        checkIstioPort(path, prop, p);
      }
    }
    const serviceType = props.serviceType ?? 'ClusterIP';
    if (serviceType !== 'ClusterIP' && serviceType !== 'LoadBalancer') {
      throw new MicroserviceConfigError(path, `'serviceType' must be 'ClusterIP' or 'LoadBalancer', got ${show(serviceType)}`);
    }
    const meshed = app.mesh !== undefined;
    const traffic = resolveTraffic(path, protocol, props.traffic, meshed);
    if (traffic.rateLimit) checkRateLimitController(path, app);
    // the stable Deployment's pods, or its autoscaling floor: what a canary's share is of
    const stablePods = props.replicas ?? props.autoscaling?.minReplicas ?? 2;
    const delivery = props.progressiveDelivery === undefined ? undefined : planDelivery(path, props.progressiveDelivery, {
      app, name: id, protocol, slo, source: metrics.source ?? (meshed ? MetricsSource.istio() : MetricsSource.openTelemetry()),
      scrapeInterval: metrics.interval, routed: props.route !== undefined, canary: props.canary !== undefined, rollingUpdate: props.rollingUpdate !== undefined,
    });
    const canary = props.canary === undefined ? undefined : resolveCanary(path, props.canary, meshed, stablePods, props.autoscaling?.maxReplicas, { name: id, image: props.image });
    super(scope, id, props, {
      component: 'service',
      hasService: true,
      defaultReplicas: 2,
      ports: servingPorts(protocol, port, separateMetrics ? metricsPort : undefined),
      probeTarget: { portName: protocol, portNumber: port },
      defaultProbes: defaultProbes(protocol),
      scraped: plan.scraped,
      sidecarMetrics: plan.sidecar,
      metricsPort,
      metricsPath: checkMetricsPath(path, metrics.path),
      queries,
      slo,
      rollout: delivery !== undefined,
    });
    const probeWarning = undeclaredReadinessWarning(protocol, props.probes);
    if (probeWarning) addWarning(this, probeWarning);
    const approximate = slo?.latency && interpolationWarning(slo.latency);
    if (approximate) addWarning(this, approximate);
    for (const w of slo ? unreachableAlertWarnings(slo) : []) addWarning(this, w);
    this.protocol = protocol;
    this.port = port;
    this.portName = protocol;
    this.servicePort = servicePort;
    this.traffic = traffic;
    this.canary = canary;
    this.progressiveDelivery = delivery?.options;

    const servingPort: k8s.ServicePort = { name: protocol, port: this.servicePort, targetPort: protocol, protocol: 'TCP', appProtocol: protocol };
    this.service = new k8s.KubeService(this, 'Service', {
      metadata: { name: this.name, namespace: this.app.namespaceName, ...this.serviceMetadata },
      spec: {
        type: serviceType,
        selector: this.selectorLabels,
        ports: [
          servingPort,
          // a separate metrics port is on the Service too: ServiceMonitors scrape Service ports
          ...(separateMetrics ? [{ name: METRICS_SERVICE_PORT, port: metricsPort, targetPort: 'metrics', protocol: 'TCP', appProtocol: 'http' }] : []),
        ],
      },
    });
    if (delivery?.routing === 'nginx') {
      const base = { name: this.name, namespace: this.app.namespaceName, labels: this.serviceMetadata.labels, selector: this.selectorLabels, port: servingPort };
      [this.stableService, this.canaryService] = TRACK_SERVICES.map(track => trackService(this, track, base));
    }
    const monitoring = this.app.monitoring;
    if (monitoring && (plan.scraped || plan.sidecar)) {
      // with a stable and a canary Service beside it, the monitor selects the service's own
      // Service (its instance): each pod scraped once
      const monitored = this.stableService ? { ...this.selectorLabels, [INSTANCE]: this.name } : this.selectorLabels;
      this.serviceMonitor = serviceMonitor(this, { name: this.name, namespace: this.app.namespaceName, labels: { ...this.labels, ...monitoring.labels } }, monitored, {
        ...this.scrapeTarget(separateMetrics ? METRICS_SERVICE_PORT : protocol),
        interval: metrics.interval === undefined ? monitoring.scrapeInterval : checkDuration(this, 'metrics.interval', metrics.interval),
      });
    }
    if (serviceType === 'LoadBalancer') {
      // a cloud load balancer forwards client (or node) addresses: admit any source on the port
      allowPolicy(this, 'AllowLoadBalancer', {
        name: admitPolicyName(this.name, 'load-balancer'), namespace: this.app.namespaceName, labels: this.labels,
        podSelector: this.selectorLabels, direction: 'Ingress', peers: anywherePeers(), ports: [{ port: protocol }],
      });
    }
    if (canary) {
      this.canaryDeployment = this.addTrack('canary', canary.image, canary.version, canary.autoscaling ?? canary.replicas);
      if (meshed && canary.weight === 0 && !canary.header) {
        addWarning(this, "the canary runs but gets no calls (weight 0): a step between adding it and raising the weight, or between lowering it and removing the canary, so that no route names a subset its DestinationRule lacks");
      }
      if (!meshed) {
        addWarning(this, `the canary split is approximate: without a mesh the Service balances connections over all pods, so the canary gets about ${canary.podShare}% (${canary.replicas} of ${canary.replicas + stablePods} pods${props.autoscaling ? ' at the autoscalers\' floors' : ''}) where ${canary.weight}% was asked; long-lived connections (gRPC, keep-alive) skew it further. Set mesh: 'istio' on the app for an exact split`);
      }
    }
    if (meshed) {
      const mesh = this.meshPolicy(serviceType === 'LoadBalancer');
      this.authorizationPolicy = mesh.authorizationPolicy;
      this.destinationRule = mesh.destinationRule;
      this.virtualService = mesh.virtualService;
    }
    if (delivery) [this.analysisTemplate, this.rollout] = this.addRollout(delivery);
    if (props.route) this.app.addRoute(this, props.route);
    if (traffic.rateLimit) {
      this.node.addValidation({
        validate: () => (this.app.routeList.some(r => r.service === this) ? [] : [`'traffic.rateLimit' limits requests at the Ingress, but '${id}' has no route: add 'route', or drop it`]),
      });
    }
  }

  /** @internal Called by connectTo(): the caller's identity is admitted by the AuthorizationPolicy. */
  public _admitCaller(caller: MeshCaller): void {
    this.callers.push(caller);
  }

  // Istio objects of the service: who may call it, how callers' proxies treat it, and the split
  private meshPolicy(loadBalanced: boolean): { authorizationPolicy: ApiObject; destinationRule?: ApiObject; virtualService?: ApiObject } {
    const mesh = this.app.mesh!;
    const namespace = this.app.namespaceName;
    const meta = { name: this.name, namespace, labels: this.labels };
    const rules = (): AuthorizationRule[] => [
      ...(this.callers.length ? [{ principals: this.callers.map(c => c.principal), port: this.port }] : []),
      ...(this.app.routeList.some(r => r.service === this)
        ? [{ principals: mesh.ingressPrincipals, port: this.port }]
        : []),
      // a cloud load balancer's traffic has no mesh identity
      ...(loadBalanced ? [{ port: this.port }] : []),
    ];
    if (loadBalanced) permissivePort(this, meta, this.selectorLabels, this.port);
    const policy = authorizationPolicy(this, meta, this.selectorLabels, rules);
    const host = serviceHost(this.name, namespace);
    // Routes always name a subset, and `stable` always exists: a canary then moves through
    // steps that each keep Istio's make-before-break rule (a DestinationRule defines a subset
    // before any route names it, and outlives the last route naming it): add it at weight 0
    // (the DestinationRule gains `canary`, routes unchanged), raise the weight (routes only),
    // back to 0 (routes only), remove it (the DestinationRule loses `canary`).
    // With progressive delivery both subsets always exist, on the same pods: Argo Rollouts adds
    // each ReplicaSet's `rollouts-pod-template-hash` to their labels and moves the weights of
    // every route, which name both subsets (stable 100, canary 0) so that it has one to move.
    const pods = workloadSelector(this.name, this.name);
    const subsets: Subset[] = this.progressiveDelivery
      ? [{ name: STABLE_SUBSET, labels: pods }, { name: CANARY_SUBSET, labels: pods }]
      : [{ name: 'stable', labels: pods }, ...(this.canary ? [{ name: 'canary', labels: workloadSelector(this.name, `${this.name}-canary`) }] : [])];
    const destination = destinationRule(this, meta, host, this.traffic, subsets);
    const c = this.canary;
    const split: WeightedSubset[] = this.progressiveDelivery ? [{ subset: STABLE_SUBSET, weight: 100 }, { subset: CANARY_SUBSET, weight: 0 }]
      : c ? [{ subset: 'stable', weight: 100 - c.weight }, { subset: 'canary', weight: c.weight }].filter(s => s.weight > 0) : [{ subset: 'stable' }];
    const virtual = this.protocol !== 'tcp' || c ? virtualService(this, meta, {
      host, port: this.servicePort, tcp: this.protocol === 'tcp', traffic: this.traffic, split,
      headerRoute: c?.header ? { ...c.header, subset: 'canary' } : undefined,
    }) : undefined;
    return { authorizationPolicy: policy, destinationRule: destination, virtualService: virtual };
  }

  // The Rollout that runs the Deployment's pod template, and the analysis of its steps, over the
  // router chosen before the pods were made: the service's own VirtualService and DestinationRule
  // (made by meshPolicy()), or its own Ingress and the stable and canary Services.
  private addRollout(d: DeliveryPlan): [AnalysisTemplate | undefined, Rollout] {
    const meta = { name: this.name, namespace: this.app.namespaceName, labels: this.labels };
    const analysis = d.analysis && sloAnalysisTemplate(this, meta, d.analysis);
    const routing: CanaryRouting = d.routing === 'istio'
      ? { kind: 'istio', virtualService: this.name, routes: httpRouteNames(this.traffic, false), destinationRule: this.name }
      : d.routing === 'nginx'
        ? { kind: 'nginx', stableIngress: ownIngressName(this.app.node.id, this.name), stableService: this.stableService!.name, canaryService: this.canaryService!.name }
        : { kind: 'replicas' };
    const rollout = workloadRollout(this, {
      // the Rollout runs the image: it carries the version, as the Deployment does
      metadata: { ...meta, labels: this.workloadLabels }, selector: workloadSelector(this.name, this.name), replicas: this.autoscalingRange ? undefined : this.replicas,
      revisionHistoryLimit: this.revisionHistoryLimit, canary: canaryStrategy(d.options, routing, analysis?.name),
    });
    if (d.routing === 'replicas') {
      addWarning(this, `Argo Rollouts approximates each step's share (${d.options.steps.join(', ')}%) by the canary's share of pods: without a mesh or a route nothing splits requests. Set mesh: 'istio' on the app for an exact split`);
      // the router was chosen at construction: a route added later would leave the Ingress without its canary
      this.node.addValidation({
        validate: () => (this.app.routeList.some(r => r.service === this)
          ? [`'progressiveDelivery' splits a routed service's requests at its own Ingress, made with the service: '${this.name}' was routed later with addRoute(), so give it its first path in its 'route' prop instead`]
          : []),
      });
    }
    return [analysis, rollout];
  }

  /** What alert, SLO and dashboard generators know about this service, with its canary steps' pause. */
  public telemetry(): WorkloadTelemetry {
    return this.progressiveDelivery ? { ...super.telemetry(), rolloutPause: this.progressiveDelivery.pause } : super.telemetry();
  }

  /** With progressive delivery over ingress-nginx: the Service the service's Ingress paths lead to (`<name>-stable`). */
  public get stableIngressBackend(): string | undefined {
    return this.stableService?.name;
  }

  /** The address callers use: `http://catalog:80` or `catalog:3550` (`catalog.shop:3550` from another app). */
  public address(format: 'url' | 'host:port', from?: MicroserviceApp): string {
    return serviceAddress(this, this.servicePort, format, from);
  }

  /** Admits the app's Ingress controller to this service's port (once, whatever the number of routes). */
  public allowIngressController(): void {
    if (this.node.tryFindChild('AllowIngressController')) return;
    allowPolicy(this, 'AllowIngressController', {
      name: admitPolicyName(this.name, 'ingress'), namespace: this.app.namespaceName, labels: this.labels,
      podSelector: this.selectorLabels, direction: 'Ingress', peers: peersOf(this.app.ingressController), ports: [{ port: this.portName }],
    });
  }
}

/** The names of ObservedServiceProps and its own options, for checkKnownProps(). */
export const SERVICE_PROPS = {
  service: propNames<ObservedServiceProps>({
    ...WORKLOAD_PROPS.deployment, port: true, protocol: true, servicePort: true, serviceType: true, route: true, metrics: true, traffic: true, canary: true, slo: true,
    progressiveDelivery: true,
  }),
  serviceMetrics: propNames<ServiceMetricsOptions>({ port: true, path: true, interval: true, source: true, scrape: true }),
} as const;
