import { isIP } from 'node:net';
import { ApiObject, Chart, Lazy } from 'cdk8s';
import * as k8s from './rendering/kube';
import { Construct, IConstruct } from 'constructs';
import { checkDuration } from './durations';
import { MicroserviceConfigError, show } from './errors';
import { standardLabels } from './labels';
import { checkHostname, checkNamespace } from './names';
import { sortManifests } from './ordering';
import { PodsPeer, allowPolicy, denyAllPolicy, peersOf } from './policy/network-policy';
import { checkAppPeers } from './policy/peers';
import { GatewayOptions, httpRoute } from './gateway';
import { appOverviewDashboard, dashboardConfigMapData } from './observability/dashboard';
import { dashboardConfigMap } from './observability/monitors';
import type { ObservedService } from './observed-service';
import type { Workload } from './workload';
import { allowNothing, principal, strictMtls } from './mesh/istio';
import { addWarning } from './warnings';
import { checkVersion } from './image';
import { checkAnnotations, checkBoolean, checkDnsLabel, checkDnsSubdomain, checkKnownProps, checkLabels } from './props/checks';
import { PROPS } from './props/known';
import { checkOneCdk8s } from './peer-check';
import { appValidated, chartObjects, enableFastSynth } from './fast-synth';


// `<service>.<namespace>`, optionally with `.svc` or `.svc.cluster.local`
const IN_CLUSTER_HOST = /^[a-z]([-a-z0-9]*[a-z0-9])?\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.svc(\.cluster\.local)?)?$/;

/** An http(s) URL without a trailing '/'. */
function checkUrl(scope: IConstruct, prop: string, value: unknown): string {
  if (typeof value !== 'string' || !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(value)) {
    throw new MicroserviceConfigError(scope, `'${prop}' must be an http(s) URL, got ${show(value)}: for example 'https://grafana.example.com'`);
  }
  return value.replace(/\/+$/, '');
}

function checkOtlp(scope: IConstruct, o: OpenTelemetryOptions): { endpoint: string; protocol: 'grpc' | 'http/protobuf' } {
  let url: URL | undefined;
  try {
    url = new URL(o.endpoint);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol) || !url.port || url.pathname.length > 1) {
    throw new MicroserviceConfigError(scope, `'openTelemetry.endpoint' must be an http(s) URL with a port and no path, got ${show(o.endpoint)}: for example 'http://otel-collector.observability:4317'`);
  }
  // egress is allowed to the namespace the host names: only a Service's cluster DNS name names one
  if (!o.collector && !IN_CLUSTER_HOST.test(url.hostname)) {
    const why = isIP(url.hostname.replace(/^\[|\]$/g, '')) ? 'is an IP address, which names no namespace' : 'names no namespace (<service>.<namespace>[.svc[.cluster.local]])';
    throw new MicroserviceConfigError(scope, `'openTelemetry.endpoint' ${show(o.endpoint)} ${why}: use the collector Service's name, or set 'openTelemetry.collector' to the collector's pods so egress to them can be allowed`);
  }
  if (o.protocol !== undefined && o.protocol !== 'grpc' && o.protocol !== 'http/protobuf') {
    throw new MicroserviceConfigError(scope, `'openTelemetry.protocol' must be 'grpc' or 'http/protobuf', got ${show(o.protocol)}`);
  }
  return { endpoint: o.endpoint, protocol: o.protocol ?? (url.port === '4318' ? 'http/protobuf' : 'grpc') };
}

/** The IngressClass Istio's gateway serves (controller `istio.io/ingress-controller`). */
export const ISTIO_INGRESS_CLASS = 'istio';

/**
 * The mesh settings after checks and defaults. Routed traffic must come from a gateway inside
 * the mesh: a controller outside it sends plaintext into STRICT mTLS and has no identity for
 * the AuthorizationPolicies, so nothing would get through.
 */
function resolveMesh(path: string, props: MicroserviceAppProps): ResolvedMesh {
  const istio = props.istio ?? {};
  const trustDomain = istio.trustDomain ?? 'cluster.local';
  // Istio writes `spiffe://` itself; a trust domain is a DNS-like name
  if (typeof trustDomain !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/i.test(trustDomain) || trustDomain.length > 255) {
    throw new MicroserviceConfigError(path, `'istio.trustDomain' must be a trust domain name such as 'cluster.local' (no scheme: Istio adds 'spiffe://' itself), got ${show(trustDomain)}`);
  }
  if (props.ingressClassName !== undefined && props.ingressClassName !== ISTIO_INGRESS_CLASS) {
    throw new MicroserviceConfigError(path, `'ingressClassName' ${show(props.ingressClassName)} is a controller outside the mesh: it would send plaintext into STRICT mutual TLS and has no identity the AuthorizationPolicies admit, so no request gets through. Use '${ISTIO_INGRESS_CLASS}' (Istio's gateway), or 'gateway' with a Gateway that Istio runs`);
  }
  // Istio's gateway serves the Ingress and reads no ingress-nginx annotation
  const ignored = Object.keys(props.ingressAnnotations ?? {}).filter(k => k.startsWith('nginx.ingress.kubernetes.io/'));
  if (ignored.length) {
    throw new MicroserviceConfigError(path, `'ingressAnnotations' ${ignored.map(k => `'${k}'`).join(', ')} ${ignored.length > 1 ? 'are' : 'is'} for ingress-nginx, which Istio's gateway (the mesh's Ingress) ignores: drop ${ignored.length > 1 ? 'them' : 'it'}, and configure the gateway instead`);
  }
  let principals = istio.ingressPrincipals;
  if (principals === undefined) {
    if (props.ingressController !== undefined) {
      throw new MicroserviceConfigError(path, "'ingressController' is set, so with a mesh 'istio.ingressPrincipals' must name that gateway's identity: for example ['cluster.local/ns/istio-ingress/sa/istio-ingress'] for the Helm gateway chart's release 'istio-ingress'");
    }
    principals = props.gateway
      ? [principal(trustDomain, props.gateway.namespace, `${props.gateway.name}-istio`)]
      : [principal(trustDomain, DEFAULT_ISTIO_INGRESS.namespace!, DEFAULT_ISTIO_INGRESS_ACCOUNT)];
  }
  if (!Array.isArray(principals) || principals.length === 0 || principals.some(p => typeof p !== 'string' || !/^[^/\s]+\/ns\/[a-z0-9-]+\/sa\/[a-z0-9.-]+$/.test(p))) {
    throw new MicroserviceConfigError(path, `'istio.ingressPrincipals' must be principals '<trust domain>/ns/<namespace>/sa/<service account>' (no 'spiffe://'), got ${show(principals)}`);
  }
  return { kind: 'istio', trustDomain, controlPlane: istio.controlPlane ?? DEFAULT_ISTIOD, ingressPrincipals: principals };
}

/** Unknown names, and values the API server or a controller would refuse, in the app's props. */
function checkAppProps(path: string, props: MicroserviceAppProps): void {
  checkKnownProps(path, props, PROPS.app);
  const nested: Array<[unknown, readonly string[], string]> = [
    [props.monitoring, PROPS.monitoring, 'monitoring.'],
    [props.istio, PROPS.istio, 'istio.'],
    [props.openTelemetry, PROPS.openTelemetry, 'openTelemetry.'],
    [props.gateway, PROPS.gateway, 'gateway.'],
  ];
  for (const [value, known, prefix] of nested) checkKnownProps(path, value, known, prefix);
  checkAppPeers(path, props);
  if (props.tlsSecretName !== undefined) checkDnsSubdomain(path, 'tlsSecretName', props.tlsSecretName, 'shop-tls');
  if (props.ingressClassName !== undefined) checkDnsSubdomain(path, 'ingressClassName', props.ingressClassName, 'nginx');
  checkAnnotations(path, 'ingressAnnotations', props.ingressAnnotations);
  if (props.version !== undefined) checkVersion(path, 'version', props.version);
  if (props.gateway) {
    checkDnsSubdomain(path, 'gateway.name', props.gateway.name, 'public');
    checkDnsLabel(path, 'gateway.namespace', props.gateway.namespace, 'gateways');
    if (props.gateway.sectionName !== undefined) checkDnsSubdomain(path, 'gateway.sectionName', props.gateway.sectionName, 'https');
  }
  const m = props.monitoring ?? {};
  checkBoolean(path, 'monitoring.enabled', m.enabled);
  checkBoolean(path, 'monitoring.dashboards', m.dashboards);
  checkLabels(path, 'monitoring.prometheusLabels', m.prometheusLabels);
  checkLabels(path, 'monitoring.prometheusPodLabels', m.prometheusPodLabels);
  checkLabels(path, 'monitoring.ruleLabels', m.ruleLabels);
  checkBoolean(path, 'monitoring.rules', m.rules);
  if (m.prometheusNamespace !== undefined) checkDnsLabel(path, 'monitoring.prometheusNamespace', m.prometheusNamespace, 'monitoring');
  if (m.runbookBaseUrl !== undefined && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(String(m.runbookBaseUrl))) {
    throw new MicroserviceConfigError(path, `'monitoring.runbookBaseUrl' must be an http(s) URL, got ${show(m.runbookBaseUrl)}: for example 'https://runbooks.example.com/shop'`);
  }
}

/** Namespaces of the cluster itself, which the app's default-deny policy would cut off. */
const SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease', 'default'];

/**
 * The app's namespace gets a default-deny policy for every pod in it: it must be the app's
 * own, not the cluster's or a namespace of the infrastructure the app talks to.
 */
function checkOwnNamespace(path: string, namespace: string, props: MicroserviceAppProps): void {
  const fix = `give the app a namespace of its own, for example '${path.split('/').pop()}-app'`;
  if (SYSTEM_NAMESPACES.includes(namespace)) {
    throw new MicroserviceConfigError(path, `'namespace' ${show(namespace)} is shared with the cluster's own workloads, which the app's default-deny network policy would cut off (cluster DNS in kube-system): ${fix}`);
  }
  const monitoringOn = props.monitoring?.enabled !== false;
  const infrastructure: Array<[string, string | undefined]> = [
    ['the cluster DNS (dns)', (props.dns ?? DEFAULT_DNS).namespace],
    ['Prometheus (monitoring.prometheusNamespace)', monitoringOn ? props.monitoring?.prometheusNamespace ?? DEFAULT_PROMETHEUS.namespace : undefined],
    ['the Ingress controller (ingressController)', props.ingressController?.namespace ?? (props.gateway ? props.gateway.namespace : props.mesh ? DEFAULT_ISTIO_INGRESS.namespace : DEFAULT_INGRESS_CONTROLLER.namespace)],
    ["Istio's control plane (istio.controlPlane)", props.mesh ? (props.istio?.controlPlane ?? DEFAULT_ISTIOD).namespace : undefined],
  ];
  for (const [what, ns] of infrastructure) {
    if (ns === namespace) throw new MicroserviceConfigError(path, `'namespace' ${show(namespace)} is where ${what} runs, which the app's default-deny network policy would cut off: ${fix}`);
  }
}

/** The namespace label that turns on sidecar injection, by the default or a given revision. */
function injectionLabel(revision: string | undefined): Record<string, string> {
  return revision === undefined ? { 'istio-injection': 'enabled' } : { 'istio.io/rev': revision };
}

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

interface Route extends RouteOptions { readonly service: ObservedService }

export const DEFAULT_INGRESS_CONTROLLER: PodsPeer = { namespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } };
export const DEFAULT_DNS: PodsPeer = { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } };
export const DEFAULT_PROMETHEUS: PodsPeer = { namespace: 'monitoring', podLabels: { 'app.kubernetes.io/name': 'prometheus' } };
export const DEFAULT_ISTIOD: PodsPeer = { namespace: 'istio-system', podLabels: { app: 'istiod' } };
/**
 * With a mesh, routed traffic comes through Istio's ingress gateway (it holds a mesh identity):
 * the one `istioctl install` makes. The Helm `gateway` chart labels its pods `istio: <release
 * name without 'istio-'>` (`istio: ingress` for a release `istio-ingress`) and runs them as the
 * release's service account: set `ingressController` and `istio.ingressPrincipals` for it.
 */
export const DEFAULT_ISTIO_INGRESS: PodsPeer = { namespace: 'istio-system', podLabels: { istio: 'ingressgateway' } };
/** The service account of the ingress gateway `istioctl install` makes. */
export const DEFAULT_ISTIO_INGRESS_ACCOUNT = 'istio-ingressgateway-service-account';
/** The port sidecars fetch configuration and certificates from istiod on. */
export const ISTIOD_XDS_PORT = 15012;

const APP_SYMBOL = Symbol.for('cdk8s-microservices.MicroserviceApp');
// the apps of each construct tree by namespace, so that checking namespaces does not walk the tree
const APPS_OF_ROOT = new WeakMap<IConstruct, Map<string, MicroserviceApp[]>>();

/**
 * One application in one namespace: a cdk8s Chart that owns the Namespace (Pod Security
 * "restricted" enforced), a default-deny network policy with DNS allowed, and the one Ingress
 * its services' routes share.
 */
export class MicroserviceApp extends Chart {
  /** The MicroserviceApp a construct is in (itself included), or undefined. */
  public static find(scope: IConstruct): MicroserviceApp | undefined {
    for (let s: IConstruct | undefined = scope; s; s = s.node.scope) {
      if ((s as any)[APP_SYMBOL]) return s as MicroserviceApp;
    }
    return undefined;
  }

  /**
   * The MicroserviceApp that `scope` is in, or that a new construct `id` of class `kind` in
   * `scope` will be in; throws a clear error when there is none.
   */
  public static of(scope: IConstruct, id?: string, kind = 'ObservedService'): MicroserviceApp {
    const app = MicroserviceApp.find(scope);
    if (!app) {
      const path = id === undefined ? scope.node.path : scope.node.path ? `${scope.node.path}/${id}` : id;
      id ??= scope.node.id;
      throw new MicroserviceConfigError(path, `must be created inside a MicroserviceApp: new ${kind}(app, '${id}', ...) where app = new MicroserviceApp(...)`);
    }
    return app;
  }

  /** The namespace name. */
  public readonly namespaceName: string;
  /** The Namespace object. */
  public readonly namespaceObject: k8s.KubeNamespace;
  /** Denies all ingress and egress in the namespace; every allowed flow has its own policy. */
  public readonly defaultDenyPolicy: k8s.KubeNetworkPolicy;
  /** Allows every pod to query the cluster DNS. */
  public readonly dnsPolicy: k8s.KubeNetworkPolicy;
  /** The app's domain, if any. */
  public readonly domain?: string;
  /** The Ingress class as given (with a mesh the Ingress is 'istio' when unset). */
  public readonly ingressClassName?: string;
  /** The Ingress controller pods admitted to routed services. */
  public readonly ingressController: PodsPeer;
  /** The Prometheus pods allowed to scrape, or undefined when monitoring is off. */
  public readonly prometheus?: PodsPeer;
  /** Monitoring settings, or undefined when monitoring is off. */
  public readonly monitoring?: ResolvedMonitoring;
  /** The OTLP endpoint and protocol the pods export to, if any. */
  public readonly otlp?: { readonly endpoint: string; readonly protocol: 'grpc' | 'http/protobuf' };
  /**
   * The app's overview dashboard ConfigMap (`<app>-overview-dashboard`), when monitoring and
   * dashboards are on; each workload has its own (`dashboard` of the workload).
   */
  public readonly dashboard?: k8s.KubeConfigMap;
  /** `app.kubernetes.io/version` of the app-wide objects. */
  public readonly version: string;
  /** The service mesh, when `mesh` is set. */
  public readonly mesh?: ResolvedMesh;
  /** The Gateway routes attach to, when the app uses one instead of an Ingress. */
  public readonly gateway?: GatewayOptions;

  private readonly props: MicroserviceAppProps;
  private readonly routes: Route[] = [];
  private readonly workloads: Workload[] = [];
  // '' is the app's Ingress; a rate-limited service's routes have an Ingress of their own
  private readonly ingresses = new Map<string, k8s.KubeIngress>();
  /** The HTTPRoutes, when the app routes through a Gateway. */
  public readonly httpRoutes: ApiObject[] = [];

  constructor(scope: Construct, id: string, props: MicroserviceAppProps = {}) {
    // checked before super(): a bad prop must not leave a half-built chart in the app
    const path = scope.node.path ? `${scope.node.path}/${id}` : id;
    checkOneCdk8s(path, scope);
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(id) || id.length > 63) {
      throw new MicroserviceConfigError(path, `the id ${show(id)} is not a valid app name (it names the Ingress and the 'app.kubernetes.io/part-of' label): use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit (for example 'shop')`);
    }
    checkAppProps(path, props);
    const namespace = props.namespace ?? id;
    checkNamespace(path, namespace);
    checkOwnNamespace(path, namespace, props);
    if (props.domain !== undefined) checkHostname(path, 'domain', props.domain);
    if (props.gateway) {
      const clash = (['tlsSecretName', 'ingressClassName', 'ingressAnnotations'] as const).filter(k => props[k] !== undefined);
      if (clash.length) throw new MicroserviceConfigError(path, `'gateway' and ${clash.map(k => `'${k}'`).join(', ')} are exclusive: with a Gateway, TLS and the class are the Gateway's; drop ${clash.length > 1 ? 'them' : 'it'}`);
      if (!props.gateway.name || !props.gateway.namespace) throw new MicroserviceConfigError(path, `'gateway' needs 'name' and 'namespace' of an existing Gateway, got ${show(props.gateway)}`);
    }
    if (props.istio !== undefined && props.mesh === undefined) {
      throw new MicroserviceConfigError(path, "'istio' needs mesh: 'istio': add it, or drop 'istio'");
    }
    if (props.mesh !== undefined && props.mesh !== 'istio') {
      throw new MicroserviceConfigError(path, `'mesh' must be 'istio', got ${show(props.mesh)}`);
    }
    const revision = props.istio?.revision;
    if (revision !== undefined && (typeof revision !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(revision) || revision.length > 63)) {
      throw new MicroserviceConfigError(path, `'istio.revision' must be an Istio revision name (lowercase letters, digits and '-'), got ${show(revision)}: for example '1-30-0'`);
    }
    if (props.tlsSecretName !== undefined && props.domain === undefined) {
      throw new MicroserviceConfigError(path, `'tlsSecretName' ${show(props.tlsSecretName)} needs 'domain': the certificate is for a host name`);
    }
    super(scope, id, { namespace, disableResourceNameHashes: true });
    Object.defineProperty(this, APP_SYMBOL, { value: true });
    enableFastSynth(this);
    this.props = props;
    this.namespaceName = namespace;
    const byNamespace = APPS_OF_ROOT.get(this.node.root) ?? new Map<string, MicroserviceApp[]>();
    byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), this]);
    APPS_OF_ROOT.set(this.node.root, byNamespace);
    this.domain = props.domain;
    this.ingressClassName = props.ingressClassName;
    this.gateway = props.gateway;
    this.version = props.version ?? 'unversioned';
    // a Gateway's proxies usually run in its namespace; say where when they do not
    this.ingressController = props.ingressController
      ?? (props.gateway ? { namespace: props.gateway.namespace } : props.mesh ? DEFAULT_ISTIO_INGRESS : DEFAULT_INGRESS_CONTROLLER);
    if (props.mesh) this.mesh = resolveMesh(path, props);
    const monitoring = props.monitoring ?? {};
    if (monitoring.enabled !== false) {
      this.prometheus = {
        namespace: monitoring.prometheusNamespace ?? DEFAULT_PROMETHEUS.namespace,
        podLabels: monitoring.prometheusPodLabels ?? DEFAULT_PROMETHEUS.podLabels,
        cidrs: monitoring.prometheusCidrs,
      };
      // checked with the other props, before super()
      const labels = monitoring.prometheusLabels ?? { release: 'kube-prometheus-stack' };
      this.monitoring = {
        prometheus: this.prometheus,
        labels,
        scrapeInterval: checkDuration(this, 'monitoring.scrapeInterval', monitoring.scrapeInterval ?? '30s'),
        runbookBaseUrl: checkUrl(this, 'monitoring.runbookBaseUrl', monitoring.runbookBaseUrl ?? `https://runbooks.example.com/${id}`),
        dashboards: monitoring.dashboards ?? true,
        rules: monitoring.rules ?? true,
        ruleLabels: monitoring.ruleLabels ?? labels,
        grafanaUrl: monitoring.grafanaUrl === undefined ? undefined : checkUrl(this, 'monitoring.grafanaUrl', monitoring.grafanaUrl),
      };
    }
    if (props.openTelemetry) this.otlp = checkOtlp(this, props.openTelemetry);

    this.namespaceObject = new k8s.KubeNamespace(this, 'Namespace', {
      metadata: {
        name: namespace,
        labels: {
          ...this.appLabels('namespace'),
          // Pod Security admission rejects any pod of the namespace that is not "restricted"
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'v1.28',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
          ...(this.mesh ? injectionLabel(props.istio?.revision) : {}),
        },
      },
    });
    this.defaultDenyPolicy = denyAllPolicy(this, 'DefaultDeny', namespace, this.appLabels('network-policy'));
    this.dnsPolicy = allowPolicy(this, 'AllowDns', {
      name: 'allow-dns', namespace, labels: this.appLabels('network-policy'),
      podSelector: {}, direction: 'Egress',
      peers: peersOf(props.dns ?? DEFAULT_DNS),
      ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
    });
    if (this.mesh) {
      // sidecars that cannot reach istiod get no configuration or certificate: no pod starts
      allowPolicy(this, 'AllowIstiod', {
        name: 'allow-istiod', namespace, labels: this.appLabels('network-policy'),
        podSelector: {}, direction: 'Egress', peers: peersOf(this.mesh.controlPlane), ports: [{ port: ISTIOD_XDS_PORT }],
      });
      strictMtls(this, { name: 'default', namespace, labels: this.appLabels('mesh-policy') });
      allowNothing(this, { name: 'allow-nothing', namespace, labels: this.appLabels('mesh-policy') });
    }
    // thrown rather than returned, so the caller gets the same error class as for bad props
    if (this.otlp) {
      const url = new URL(this.otlp.endpoint);
      allowPolicy(this, 'AllowOtelCollector', {
        name: 'allow-otel-collector', namespace, labels: this.appLabels('network-policy'),
        podSelector: {}, direction: 'Egress',
        peers: peersOf(props.openTelemetry!.collector ?? { namespace: url.hostname.split('.')[1] }),
        ports: [{ port: Number(url.port) }],
      });
    }
    if (this.monitoring?.dashboards) {
      // the same size whatever the number of workloads: the API server keeps a ConfigMap under
      // 1 MiB and `kubectl apply` an object under 256 KiB (see Workload.dashboard for the rest)
      // at synth: rows for StatefulSets and a count of failed Jobs only when the app has them
      const rules = this.monitoring.rules;
      const controllers = () => new Set(this.workloads.map(w => w.telemetry().controller));
      const overview = () => {
        const c = controllers();
        return dashboardConfigMapData(`${namespace}-overview`, appOverviewDashboard(id, namespace, {
          sloRecords: rules, statefulSets: c.has('StatefulSet'), jobs: c.has('Job') || c.has('CronJob') || c.has('ScaledJob'),
        }));
      };
      this.dashboard = dashboardConfigMap(this, { name: `${id}-overview-dashboard`, namespace, labels: { ...this.appLabels('dashboard'), ...this.monitoring.labels } }, overview);
    }
    this.node.addValidation({
      validate: () => {
        const clashes = this.nameClashes();
        if (clashes.length) throw new MicroserviceConfigError(this, clashes.join('; '));
        return [];
      },
    });
  }

  /** @internal Called by every workload of the app, for dashboards and tools. */
  public _registerWorkload(w: Workload): void {
    this.workloads.push(w);
  }

  /** The app's Ingress, made by the first route. */
  public get ingress(): k8s.KubeIngress | undefined {
    return this.ingresses.get('');
  }

  /** Every Ingress: the app's, and one per rate-limited service. */
  public get ingressObjects(): k8s.KubeIngress[] {
    return [...this.ingresses.values()];
  }

  /** The Ingress routes: host (undefined for any), path, path type and service. */
  public get routeList(): ReadonlyArray<{ readonly host?: string; readonly path: string; readonly pathType: string; readonly service: ObservedService }> {
    return this.routes.map(r => ({ host: r.host ?? this.domain, path: r.path, pathType: r.pathType ?? 'Prefix', service: r.service }));
  }

  /** The six recommended labels for an app-wide object. */
  public appLabels(component: string): Record<string, string> {
    return standardLabels({ name: this.node.id, instance: this.node.id, version: this.version, component, partOf: this.node.id });
  }

  /**
   * Routes a path of the app's Ingress to a service. Called by ObservedService for its
   * `route` prop; call it for more paths.
   */
  public addRoute(service: ObservedService, route: RouteOptions): void {
    if (service.app !== this) {
      throw new MicroserviceConfigError(service, `cannot be routed by the Ingress of app '${this.node.id}': an Ingress reaches Services of its own namespace only; route it with its own app's addRoute()`);
    }
    const path = route.path;
    if (typeof path !== 'string' || !path.startsWith('/')) {
      throw new MicroserviceConfigError(service, `'route.path' must start with '/', got ${show(path)}: for example '/' or '/api'`);
    }
    if (route.host !== undefined) checkHostname(service, 'route.host', route.host);
    const host = route.host ?? this.domain;
    const pathType = route.pathType ?? 'Prefix';
    const claimed = this.routes.find(r => (r.host ?? this.domain) === host && r.path === path);
    if (claimed) {
      throw new MicroserviceConfigError(service, `'route.path' ${show(path)}${host ? ` on ${host}` : ''} is already routed to '${claimed.service.node.id}': choose another path or host`);
    }
    if (this.mesh && service.canary && !this.routes.some(r => r.service === service)) {
      // Ingress and Gateway traffic is routed by the gateway to the Service's pods, not by the
      // service's VirtualService (which binds the mesh's sidecars only)
      addWarning(service, `the canary's ${service.canary.weight}% split holds for calls inside the mesh; requests through the Ingress reach both tracks by pod count (${service.canary.replicas} canary pods): bind a VirtualService to the gateway for an exact split there`);
    }
    this.routes.push({ ...route, pathType, service });
    service.allowIngressController();
    if (this.props.gateway) {
      this.attachToGateway(this.props.gateway, host);
      return;
    }
    this.addToIngress(service);
  }

  /** Kubernetes objects of this chart, in the order `kubectl apply` needs. */
  public toJson(): any[] {
    // inside app.synth(), cdk8s has just validated the whole App and resolved its dependencies:
    // Chart.toJson() would do both again for every chart (lib/fast-synth.ts)
    return sortManifests(appValidated(this) ? chartObjects(this) : super.toJson());
  }

  // one HTTPRoute per host: hostnames apply to every rule of a route
  private attachToGateway(gateway: GatewayOptions, host: string | undefined): void {
    const index = [...new Set(this.routes.map(r => r.host ?? this.domain))].indexOf(host);
    const id = index === 0 ? 'HttpRoute' : `HttpRoute${index}`;
    if (this.node.tryFindChild(id)) return;
    const name = index === 0 ? this.node.id : `${this.node.id}-${index}`;
    this.httpRoutes.push(httpRoute(this, id, { name, namespace: this.namespaceName, labels: this.appLabels('route') }, gateway, host,
      () => this.routes.filter(r => (r.host ?? this.domain) === host).map(r => ({ path: r.path, pathType: r.pathType!, serviceName: r.service.name, servicePort: r.service.servicePort }))));
  }

  // A rate limit is an annotation, which holds for a whole Ingress: a rate-limited service's
  // paths get an Ingress of their own (controllers merge Ingresses of one host).
  private addToIngress(service: ObservedService): void {
    const limit = service.traffic.rateLimit;
    const key = limit ? service.name : '';
    if (this.ingresses.has(key)) return;
    const routes = () => this.routes.filter(r => (limit ? r.service === service : !r.service.traffic.rateLimit));
    const annotations = limit ? {
      ...this.props.ingressAnnotations,
      'nginx.ingress.kubernetes.io/limit-rps': String(limit.requestsPerSecond),
      'nginx.ingress.kubernetes.io/limit-burst-multiplier': String(limit.burstMultiplier),
    } : this.props.ingressAnnotations;
    this.ingresses.set(key, new k8s.KubeIngress(this, limit ? `Ingress-${service.name}` : 'Ingress', {
      metadata: { name: limit ? `${this.node.id}-${service.name}` : this.node.id, namespace: this.namespaceName, labels: this.appLabels('ingress'), annotations },
      // read at synth time: routes added later are in it
      spec: Lazy.any({ produce: () => this.ingressSpec(routes()) }) as any,
    }));
  }

  private ingressSpec(routes: Route[]): k8s.IngressSpec {
    const hosts = [...new Set(routes.map(r => r.host ?? this.domain))];
    const rules: k8s.IngressRule[] = hosts.map(host => ({
      host,
      http: {
        paths: routes.filter(r => (r.host ?? this.domain) === host).map(r => ({
          path: r.path,
          pathType: r.pathType!,
          backend: { service: { name: r.service.name, port: { name: r.service.portName } } },
        })),
      },
    }));
    const tlsHosts = hosts.filter((h): h is string => h !== undefined);
    const tls = this.props.tlsSecretName && tlsHosts.length ? [{ hosts: tlsHosts, secretName: this.props.tlsSecretName }] : undefined;
    return { ingressClassName: this.props.ingressClassName ?? (this.mesh ? ISTIO_INGRESS_CLASS : undefined), rules, tls };
  }

  // two objects of one kind and name would overwrite each other on apply
  private nameClashes(): string[] {
    const errors: string[] = [];
    const seen = new Map<string, string>();
    for (const c of this.node.findAll()) {
      if (!(c instanceof ApiObject) || Chart.of(c) !== this) continue;
      const key = `${c.apiGroup}/${c.kind}/${c.name}`;
      const other = seen.get(key);
      if (other) errors.push(`two ${c.kind} objects would both be named '${c.name}' (${other} and ${c.node.path}): give one of the constructs another id`);
      else seen.set(key, c.node.path);
    }
    for (const other of APPS_OF_ROOT.get(this.node.root)?.get(this.namespaceName) ?? []) {
      if (other !== this && other.node.path < this.node.path) {
        errors.push(`'namespace' '${this.namespaceName}' is also the namespace of the app ${other.node.path}: give each MicroserviceApp its own namespace`);
      }
    }
    return errors;
  }
}
