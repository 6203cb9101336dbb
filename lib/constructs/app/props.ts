// The props of MicroserviceApp, their options, and what they resolve to. Each list of known prop
// names is typed against its interface (PropNames), so the compiler keeps it complete.
import type { PodsPeer } from '../../network/network-policy';
import type { GatewayOptions } from '../../network/gateway';
import { propNames } from '../../props/checks';

/** Where Prometheus runs, so that the namespace's policy lets it scrape. */
export interface MonitoringOptions {
  /**
   * Monitor every workload: ServiceMonitors/PodMonitors, a PrometheusRule per workload, a
   * Grafana dashboard, and network policy that lets Prometheus scrape. @default true
   */
  readonly enabled?: boolean;
  /**
   * Labels on monitors, rules and dashboards, for the Prometheus that should pick them up
   * (kube-prometheus-stack selects by its Helm release name).
   * @default { release: 'kube-prometheus-stack' }
   */
  readonly prometheusLabels?: Record<string, string>;
  /**
   * A PrometheusRule per workload: golden-signal, workload-health and SLO alerts, SLO recording
   * rules and the alerts of `addAlert()`. @default true
   */
  readonly rules?: boolean;
  /**
   * Labels on the PrometheusRules, for a Prometheus whose `ruleSelector` differs from its
   * `serviceMonitorSelector` (kube-prometheus-stack uses `release: <release>` for both).
   * @default - the prometheusLabels
   */
  readonly ruleLabels?: Record<string, string>;
  /**
   * Grafana's URL, so that every alert's `dashboard_url` annotation is a link.
   * @default - the annotation is the path in Grafana (`/d/<uid>`)
   */
  readonly grafanaUrl?: string;
  /** How often Prometheus scrapes. @default '30s' */
  readonly scrapeInterval?: string;
  /** Runbook links of the library's service alerts are `<runbookBaseUrl>/<AlertName>`. @default 'https://runbooks.example.com/<app id>' */
  readonly runbookBaseUrl?: string;
  /**
   * Grafana dashboards in ConfigMaps the Grafana sidecar loads (label `grafana_dashboard: "1"`):
   * one per workload and an app overview. @default true
   */
  readonly dashboards?: boolean;
  /** The namespace Prometheus runs in. @default 'monitoring' */
  readonly prometheusNamespace?: string;
  /**
   * Prometheus's HTTP API as the Argo Rollouts controller reaches it: where the analysis of a
   * service's `progressiveDelivery` queries the canary's SLI.
   * @default - `http://prometheus-operated.<prometheusNamespace>.svc:9090`, the Service the
   * Prometheus Operator makes for the Prometheus servers of a namespace
   */
  readonly prometheusUrl?: string;
  /** Labels of the Prometheus pods. @default { 'app.kubernetes.io/name': 'prometheus' } */
  readonly prometheusPodLabels?: Record<string, string>;
  /** Address ranges admitted to scrape besides the Prometheus pods (a scraper outside the cluster): `ipBlock` peers, see PodsPeer.cidrs. @default - none */
  readonly prometheusCidrs?: string[];
}

export interface MicroserviceAppProps {
  /** The namespace that holds the whole app. @default - the construct id */
  readonly namespace?: string;
  /** The host name of the app's Ingress. @default - routes match any host */
  readonly domain?: string;
  /**
   * A `kubernetes.io/tls` Secret for `domain`; requires `domain`. With `mesh: 'istio'` Istio's
   * gateway serves the Ingress and reads the Secret from its own namespace (`istio-system`),
   * not the app's: create it there.
   * @default - no TLS
   */
  readonly tlsSecretName?: string;
  /**
   * The IngressClass. With `mesh: 'istio'` only `istio` (an IngressClass whose controller is
   * `istio.io/ingress-controller`, which the cluster must have): a controller outside the mesh
   * cannot pass STRICT mutual TLS or the AuthorizationPolicies.
   * @default - the cluster's default class; with a mesh 'istio'
   */
  readonly ingressClassName?: string;
  /**
   * Attach routes to an existing Gateway (Gateway API HTTPRoutes) instead of making an
   * Ingress; TLS is then the Gateway's. Not with `tlsSecretName`, `ingressClassName` or
   * `ingressAnnotations`. Set `ingressController` to the Gateway's proxy pods.
   * @default - an Ingress
   */
  readonly gateway?: GatewayOptions;
  /** Annotations on the Ingress (controller settings). @default - none */
  readonly ingressAnnotations?: Record<string, string>;
  /**
   * The pods of the Ingress controller, admitted to routed services by network policy.
   * @default { namespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } }
   */
  readonly ingressController?: PodsPeer;
  /**
   * The cluster DNS pods every pod may query on port 53.
   * @default { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } }
   */
  readonly dns?: PodsPeer;
  /** Prometheus scraping. @default - scraping from the 'monitoring' namespace is allowed */
  readonly monitoring?: MonitoringOptions;
  /** `app.kubernetes.io/version` of the app-wide objects (Namespace, Ingress, policies). @default 'unversioned' */
  readonly version?: string;
  /**
   * Where OpenTelemetry SDKs export traces, metrics and logs: every pod gets
   * `OTEL_EXPORTER_OTLP_ENDPOINT`, and egress to the collector is allowed.
   * @default - no endpoint (pods still get OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES)
   */
  readonly openTelemetry?: OpenTelemetryOptions;
  /**
   * Run the app in a service mesh: Istio sidecar injection, STRICT mutual TLS, an
   * AuthorizationPolicy per service admitting only its declared callers, a DestinationRule
   * (connection limits, outlier detection) and a VirtualService (timeout, retries, canary
   * split) per service. The namespace enforces Pod Security "restricted", so the cluster
   * needs the Istio CNI plugin (the sidecar's init container would need NET_ADMIN).
   * @default - no mesh
   */
  readonly mesh?: 'istio';
  /** Istio settings; needs `mesh: 'istio'`. @default - see IstioOptions */
  readonly istio?: IstioOptions;
  /**
   * The Kubernetes minor version of the cluster the app runs on, `'1.28'` to `'1.36'` (a patch,
   * `'1.30.4'`, is allowed and ignored). It picks what the output may use: from `'1.30'` the
   * preStop hook is the kubelet's own `sleep` action (beta and on by default in 1.30, GA in
   * 1.34), which needs no `sleep` binary in the image; before, it runs `sleep` in the container.
   * An API server older than the version given refuses or drops what it does not know.
   * @default '1.28'
   */
  readonly kubernetesVersion?: string;
}

/** Where the Istio control plane and ingress gateway are. */
export interface IstioOptions {
  /** The mesh's trust domain, the start of every principal. @default 'cluster.local' */
  readonly trustDomain?: string;
  /**
   * The Istio revision that injects the sidecars (canary upgrades of the control plane): the
   * namespace gets `istio.io/rev: <revision>` instead of `istio-injection: enabled`.
   * @default - the default revision
   */
  readonly revision?: string;
  /**
   * The istiod pods, which sidecars reach on port 15012 for configuration and certificates.
   * @default { namespace: 'istio-system', podLabels: { app: 'istiod' } }
   */
  readonly controlPlane?: PodsPeer;
  /**
   * Identities of the ingress gateway admitted to routed services (`<trust domain>/ns/<namespace>/sa/<service account>`).
   * Needed when `ingressController` is set: the library cannot know that gateway's service account.
   * @default - with an Ingress, the gateway `istioctl install` makes
   * (`<trust domain>/ns/istio-system/sa/istio-ingressgateway-service-account`); with a `gateway`,
   * the deployment Istio makes for it (`<trust domain>/ns/<gateway namespace>/sa/<gateway name>-istio`)
   */
  readonly ingressPrincipals?: string[];
}

/** The mesh settings after defaults. */
export interface ResolvedMesh {
  readonly kind: 'istio';
  readonly trustDomain: string;
  readonly controlPlane: PodsPeer;
  readonly ingressPrincipals: string[];
}

/** The OpenTelemetry Collector the app's SDKs export to. */
export interface OpenTelemetryOptions {
  /** The OTLP endpoint, e.g. `http://otel-collector.observability:4317`. */
  readonly endpoint: string;
  /** `grpc` (port 4317) or `http/protobuf` (port 4318). @default - from the port: 4318 is http/protobuf, else grpc */
  readonly protocol?: 'grpc' | 'http/protobuf';
  /**
   * The collector pods, admitted by egress policy on the endpoint's port.
   * @default - the namespace named in the endpoint host (`<service>.<namespace>`), any pod
   */
  readonly collector?: PodsPeer;
}

/** Monitoring settings after defaults. */
export interface ResolvedMonitoring {
  readonly prometheus: PodsPeer;
  readonly labels: Record<string, string>;
  readonly scrapeInterval: string;
  readonly runbookBaseUrl: string;
  readonly dashboards: boolean;
  readonly rules: boolean;
  readonly ruleLabels: Record<string, string>;
  readonly grafanaUrl?: string;
  /** Prometheus's HTTP API, for the analysis of progressive delivery. */
  readonly prometheusUrl: string;
}

/** A path on the app's Ingress that leads to a service. */
export interface RouteOptions {
  /** The path, starting with '/'. */
  readonly path: string;
  /** How the path matches. @default 'Prefix' */
  readonly pathType?: 'Prefix' | 'Exact';
  /** A host other than the app's domain (it shares the app's TLS Secret). @default - the app's `domain` */
  readonly host?: string;
}

/** The names of MicroserviceAppProps and its options, for checkKnownProps(). */
export const APP_PROPS = {
  app: propNames<MicroserviceAppProps>({
    namespace: true, domain: true, tlsSecretName: true, ingressClassName: true, gateway: true, ingressAnnotations: true,
    ingressController: true, dns: true, monitoring: true, version: true, openTelemetry: true, mesh: true, istio: true,
    kubernetesVersion: true,
  }),
  monitoring: propNames<MonitoringOptions>({
    enabled: true, prometheusLabels: true, scrapeInterval: true, runbookBaseUrl: true, dashboards: true, prometheusNamespace: true, prometheusPodLabels: true,
    rules: true, ruleLabels: true, grafanaUrl: true, prometheusUrl: true, prometheusCidrs: true,
  }),
  istio: propNames<IstioOptions>({ trustDomain: true, revision: true, controlPlane: true, ingressPrincipals: true }),
  openTelemetry: propNames<OpenTelemetryOptions>({ endpoint: true, protocol: true, collector: true }),
  route: propNames<RouteOptions>({ path: true, pathType: true, host: true }),
} as const;
