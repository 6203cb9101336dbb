import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MicroserviceConfigError, show } from './errors';
import type { RouteOptions } from './microservice-app';
import { admitPolicyName, anywherePeers, allowPolicy, podsPeer } from './policy/network-policy';
import { ServiceMonitor } from '../imports/monitoring.coreos.com';
import { checkDuration } from './durations';
import { MicroserviceApp } from './microservice-app';
import { MetricsSource, RequestQueries, ServiceSelector } from './observability/metrics-source';
import { checkMetricsPath, serviceMonitor } from './observability/monitors';
import { promqlError } from './observability/promql';
import type { SloOptions } from './observability/model';
import { resolveSlo } from './observability/slo';
import { defaultProbes } from './probes';
import { MetricsOptions, Workload, WorkloadProps } from './workload';
import { CanaryOptions, ResolvedCanary, resolveCanary } from './canary';
import { workloadSelector } from './labels';
import { AuthorizationRule, Subset, authorizationPolicy, destinationRule, permissivePort, serviceHost, virtualService } from './mesh/istio';
import { ResolvedTraffic, TrafficOptions, resolveTraffic } from './mesh/traffic';
import { addWarning } from './warnings';

/** The application protocol of a service's port. */
export type ServiceProtocol = 'http' | 'grpc' | 'tcp';

export interface ObservedServiceProps extends WorkloadProps {
  /** The container port. @default 8080 */
  readonly port?: number;
  /** The protocol on `port`; it picks the default probes and the address format. @default 'http' */
  readonly protocol?: ServiceProtocol;
  /** The port of the Service. @default 80 for http, else `port` */
  readonly servicePort?: number;
  /** `ClusterIP` inside the cluster, `LoadBalancer` for a cloud load balancer. @default 'ClusterIP' */
  readonly serviceType?: 'ClusterIP' | 'LoadBalancer';
  /** A path on the app's Ingress that leads here. @default - not routed */
  readonly route?: RouteOptions;
  /** Where Prometheus scrapes, and which request metrics alerts and dashboards read. @default - see MetricsOptions; OpenTelemetry metric names */
  readonly metrics?: ServiceMetricsOptions;
  /**
   * Timeouts, retries and circuit breaking of calls to this service (with a mesh), and a
   * rate limit at the Ingress. @default - with a mesh: 15 s timeout, 2 retries of 5 s on
   * connect failures, resets and 503/UNAVAILABLE, ejection after 5 errors in a row
   */
  readonly traffic?: TrafficOptions;
  /** Run a new image beside the stable one and send it a share of the traffic. @default - no canary */
  readonly canary?: CanaryOptions;
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
   * The request metrics alerts, SLOs and dashboards are written against.
   * @default - MetricsSource.istio() in an app with `mesh: 'istio'` (every sidecar reports them), else MetricsSource.openTelemetry()
   */
  readonly source?: MetricsSource;
}

/** The OpenTelemetry Prometheus exporter's default port: where grpc and tcp services serve /metrics. */
export const OTEL_PROMETHEUS_PORT = 9464;

const PROTOCOLS: ServiceProtocol[] = ['http', 'grpc', 'tcp'];
// the Service port of a separate metrics port: the http- prefix tells meshes the protocol
const METRICS_SERVICE_PORT = 'http-metrics';

/** The request queries of a service; a custom source's PromQL is parsed here, at synth. */
function requestQueries(path: string, source: MetricsSource | undefined, s: ServiceSelector, meshed: boolean): RequestQueries {
  // in a mesh the sidecars report every request, whether or not the app is instrumented
  const q = (source ?? (meshed ? MetricsSource.istio() : MetricsSource.openTelemetry())).queries(s);
  // the built-in sources write PromQL from checked names: only a custom source's is parsed
  if (source?.kind !== 'custom') return q;
  const samples: Array<[string, string | undefined]> = [
    ['requestRate', q.requestRate('5m')], ['errorRate', q.errorRate('5m')],
    ['fastRequestRate', q.fastRequestRate?.(0.25, '5m')], ['latencyBucket', q.latencyQuantile?.(0.99, '5m')], ['presence', q.presence],
  ];
  for (const [name, expr] of samples) {
    const problem = expr === undefined ? undefined : promqlError(expr);
    if (problem) throw new MicroserviceConfigError(path, `'metrics.source' ${name} is not valid PromQL (${problem}): write it as PromQL with $window for the range, e.g. sum(rate(http_requests_total{job="api"}[$window]))`);
  }
  return q;
}

function checkPort(scope: Construct | string, prop: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) {
    throw new MicroserviceConfigError(scope, `'${prop}' must be 1-65535, got ${show(v)}`);
  }
  return v;
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
  /** A service always runs as a Deployment. */
  public declare readonly deployment: k8s.KubeDeployment;
  /** Scrapes the service, when the app's monitoring is on. */
  public readonly serviceMonitor?: ServiceMonitor;
  /** Traffic settings after defaults. */
  public readonly traffic: ResolvedTraffic;
  /** The canary after defaults, when `canary` is set. */
  public readonly canary?: ResolvedCanary;
  /** The canary's Deployment (`<name>-canary`). */
  public readonly canaryDeployment?: k8s.KubeDeployment;
  /** With a mesh: the callers this service admits. */
  public readonly authorizationPolicy?: ApiObject;
  /** With a mesh: connection limits, outlier detection and canary subsets. */
  public readonly destinationRule?: ApiObject;
  /** With a mesh: timeout, retries and canary split (http and grpc, or any protocol with a canary). */
  public readonly virtualService?: ApiObject;

  private readonly callers: Workload[] = [];

  constructor(scope: Construct, id: string, props: ObservedServiceProps) {
    // checked before super(): the ports and probes of the pod depend on them
    const path = scope.node.path ? `${scope.node.path}/${id}` : id;
    const protocol = props.protocol ?? 'http';
    if (!PROTOCOLS.includes(protocol)) {
      throw new MicroserviceConfigError(path, `'protocol' must be one of ${PROTOCOLS.join(', ')}, got ${show(protocol)}`);
    }
    const port = checkPort(path, 'port', props.port ?? 8080);
    const metricsPort = checkPort(path, 'metrics.port', props.metrics?.port ?? (protocol === 'http' ? port : OTEL_PROMETHEUS_PORT));
    const app = MicroserviceApp.of(scope, id, 'ObservedService');
    const queries = protocol === 'tcp' ? undefined : requestQueries(path, props.metrics?.source, { namespace: app.namespaceName, service: id, protocol }, app.mesh !== undefined);
    const slo = props.slo === undefined ? undefined : resolveSlo(path, props.slo, queries);
    const separateMetrics = metricsPort !== port;
    const servicePort = checkPort(path, 'servicePort', props.servicePort ?? (protocol === 'http' ? 80 : port));
    const serviceType = props.serviceType ?? 'ClusterIP';
    if (serviceType !== 'ClusterIP' && serviceType !== 'LoadBalancer') {
      throw new MicroserviceConfigError(path, `'serviceType' must be 'ClusterIP' or 'LoadBalancer', got ${show(serviceType)}`);
    }
    const meshed = app.mesh !== undefined;
    const traffic = resolveTraffic(path, protocol, props.traffic, meshed);
    if (traffic.rateLimit && app.gateway) {
      throw new MicroserviceConfigError(path, "'traffic.rateLimit' is set through Ingress (ingress-nginx) annotations, but the app routes through a Gateway: rate-limit at the Gateway's implementation instead, and drop it");
    }
    // the stable Deployment's pods, or its autoscaling floor: what a canary's share is of
    const stablePods = props.replicas ?? props.autoscaling?.minReplicas ?? 2;
    const canary = props.canary === undefined ? undefined : resolveCanary(path, props.canary, meshed, stablePods);
    super(scope, id, props, {
      component: 'service',
      defaultReplicas: 2,
      ports: [
        { name: protocol, containerPort: port, protocol: 'TCP' },
        ...(separateMetrics ? [{ name: 'metrics', containerPort: metricsPort, protocol: 'TCP' }] : []),
      ],
      probeTarget: { portName: protocol, portNumber: port },
      defaultProbes: defaultProbes(protocol),
      metricsPort,
      metricsPath: checkMetricsPath(path, props.metrics?.path),
      queries,
      slo,
    });
    this.protocol = protocol;
    this.port = port;
    this.portName = protocol;
    this.servicePort = servicePort;
    this.traffic = traffic;
    this.canary = canary;

    this.service = new k8s.KubeService(this, 'Service', {
      metadata: { name: this.name, namespace: this.app.namespaceName, labels: this.labels },
      spec: {
        type: serviceType,
        selector: this.selectorLabels,
        ports: [
          { name: protocol, port: this.servicePort, targetPort: k8s.IntOrString.fromString(protocol), protocol: 'TCP', appProtocol: protocol },
          // a separate metrics port is on the Service too: ServiceMonitors scrape Service ports
          ...(separateMetrics ? [{ name: METRICS_SERVICE_PORT, port: metricsPort, targetPort: k8s.IntOrString.fromString('metrics'), protocol: 'TCP', appProtocol: 'http' }] : []),
        ],
      },
    });
    const monitoring = this.app.monitoring;
    if (monitoring) {
      this.serviceMonitor = serviceMonitor(this, { name: this.name, namespace: this.app.namespaceName, labels: { ...this.labels, ...monitoring.labels } }, this.selectorLabels, {
        ...this.scrapeTarget(separateMetrics ? METRICS_SERVICE_PORT : protocol),
        interval: props.metrics?.interval === undefined ? monitoring.scrapeInterval : checkDuration(this, 'metrics.interval', props.metrics.interval),
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
      this.canaryDeployment = this.addTrack('canary', canary.image, canary.version, canary.replicas);
      if (!meshed) {
        addWarning(this, `the canary split is approximate: without a mesh the Service balances connections over all pods, so the canary gets about ${canary.podShare}% (${canary.replicas} of ${canary.replicas + stablePods} pods${props.autoscaling ? ', less as the stable Deployment scales up' : ''}) where ${canary.weight}% was asked; long-lived connections (gRPC, keep-alive) skew it further. Set mesh: 'istio' on the app for an exact split`);
      }
    }
    if (meshed) {
      const mesh = this.meshPolicy(serviceType === 'LoadBalancer');
      this.authorizationPolicy = mesh.authorizationPolicy;
      this.destinationRule = mesh.destinationRule;
      this.virtualService = mesh.virtualService;
    }
    if (props.route) this.app.addRoute(this, props.route);
    if (traffic.rateLimit) {
      this.node.addValidation({
        validate: () => (this.app.routeList.some(r => r.service === this) ? [] : [`'traffic.rateLimit' limits requests at the Ingress, but '${id}' has no route: add 'route', or drop it`]),
      });
    }
  }

  /** @internal Called by connectTo(): the caller's identity is admitted by the AuthorizationPolicy. */
  public _admitCaller(caller: Workload): void {
    this.callers.push(caller);
  }

  // Istio objects of the service: who may call it, how callers' proxies treat it, and the split
  private meshPolicy(loadBalanced: boolean): { authorizationPolicy: ApiObject; destinationRule?: ApiObject; virtualService?: ApiObject } {
    const mesh = this.app.mesh!;
    const namespace = this.app.namespaceName;
    const meta = { name: this.name, namespace, labels: this.labels };
    const ingress = this.app.ingressController;
    const rules = (): AuthorizationRule[] => [
      ...(this.callers.length ? [{ principals: this.callers.map(c => c.principal), port: this.port }] : []),
      ...(this.app.routeList.some(r => r.service === this)
        ? [mesh.ingressPrincipals ? { principals: mesh.ingressPrincipals, port: this.port } : { namespaces: [ingress.namespace ?? namespace], port: this.port }]
        : []),
      // a cloud load balancer's traffic has no mesh identity
      ...(loadBalanced ? [{ port: this.port }] : []),
    ];
    if (loadBalanced) permissivePort(this, meta, this.selectorLabels, this.port);
    const policy = authorizationPolicy(this, meta, this.selectorLabels, rules);
    const host = serviceHost(this.name, namespace);
    const subsets: Subset[] = this.canary
      ? [{ name: 'stable', labels: workloadSelector(this.name, this.name) }, { name: 'canary', labels: workloadSelector(this.name, `${this.name}-canary`) }]
      : [];
    const destination = this.traffic.circuitBreaker || subsets.length ? destinationRule(this, meta, host, this.traffic, subsets) : undefined;
    const c = this.canary;
    const split = c ? [{ subset: 'stable', weight: 100 - c.weight }, { subset: 'canary', weight: c.weight }].filter(s => s.weight > 0) : [{}];
    const virtual = this.protocol !== 'tcp' || c ? virtualService(this, meta, {
      host, port: this.servicePort, tcp: this.protocol === 'tcp', traffic: this.traffic, split,
      headerRoute: c?.header ? { ...c.header, subset: 'canary' } : undefined,
    }) : undefined;
    return { authorizationPolicy: policy, destinationRule: destination, virtualService: virtual };
  }

  /** The address callers use: `http://catalog:80` or `catalog:3550` (`catalog.shop:3550` from another app). */
  public address(format: 'url' | 'host:port', from?: MicroserviceApp): string {
    const host = from && from !== this.app ? `${this.name}.${this.app.namespaceName}` : this.name;
    const hostPort = `${host}:${this.servicePort}`;
    // gRPC is HTTP/2: its URL scheme is http
    return format === 'url' ? `${this.protocol === 'tcp' ? 'tcp' : 'http'}://${hostPort}` : hostPort;
  }

  /** Admits the app's Ingress controller to this service's port (once, whatever the number of routes). */
  public allowIngressController(): void {
    if (this.node.tryFindChild('AllowIngressController')) return;
    allowPolicy(this, 'AllowIngressController', {
      name: admitPolicyName(this.name, 'ingress'), namespace: this.app.namespaceName, labels: this.labels,
      podSelector: this.selectorLabels, direction: 'Ingress', peers: [podsPeer(this.app.ingressController)], ports: [{ port: this.portName }],
    });
  }
}
