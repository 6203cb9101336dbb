import { ApiObject, Chart } from 'cdk8s';
import * as k8s from '../rendering/kube';
import { Construct, IConstruct } from 'constructs';
import { checkDuration } from '../durations';
import { MicroserviceConfigError, show } from '../errors';
import { standardLabels } from '../labels';
import { checkHostname, checkNamespace } from '../names';
import { sortManifests } from '../rendering/ordering';
import { PodsPeer, allowPolicy, denyAllPolicy, peersOf } from '../network/network-policy';
import type { GatewayOptions } from '../network/gateway';
import { appOverviewDashboard, dashboardConfigMapData } from '../observability/dashboard';
import { dashboardConfigMap } from '../observability/monitors';
import type { WorkloadTelemetry } from '../observability/model';
import { allowNothing, strictMtls } from '../network/mesh/istio';
import { checkOneCdk8s } from './peer-check';
import { appValidated, chartObjects, enableFastSynth } from '../rendering/fast-synth';
import { checkAppProps, checkKubernetesVersion, checkOtlp, checkOwnNamespace, checkUrl, resolveMesh } from './app/check-props';
import { DEFAULT_DNS, DEFAULT_INGRESS_CONTROLLER, DEFAULT_ISTIO_INGRESS, DEFAULT_PROMETHEUS, ISTIOD_XDS_PORT } from './app/defaults';
import { defaultPrometheusUrl } from '../delivery/analysis';
import type { MicroserviceAppProps, ResolvedMesh, ResolvedMonitoring, RouteOptions } from './app/props';
import { AppRoute, AppRouting, RoutedService } from './app/routes';

export * from './app/defaults';
export type { IstioOptions, MicroserviceAppProps, MonitoringOptions, OpenTelemetryOptions, ResolvedMesh, ResolvedMonitoring, RouteOptions } from './app/props';
export type { AppRoute, RoutedService } from './app/routes';

/** What the app needs of each of its workloads (a Workload): what its dashboards show. */
export interface AppWorkload {
  telemetry(): WorkloadTelemetry;
}

/** The namespace label that turns on sidecar injection, by the default or a given revision. */
function injectionLabel(revision: string | undefined): Record<string, string> {
  return revision === undefined ? { 'istio-injection': 'enabled' } : { 'istio.io/rev': revision };
}


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
  /** The cluster's Kubernetes version, `'1.<minor>'` (`kubernetesVersion`, default '1.28'). */
  public readonly kubernetesVersion: string;
  /** The service mesh, when `mesh` is set. */
  public readonly mesh?: ResolvedMesh;
  /** The Gateway routes attach to, when the app uses one instead of an Ingress. */
  public readonly gateway?: GatewayOptions;

  /** The HTTPRoutes, when the app routes through a Gateway. */
  public readonly httpRoutes: ApiObject[] = [];
  private readonly workloads: AppWorkload[] = [];
  private readonly routing: AppRouting;

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
    this.routing = new AppRouting(this, props, this.httpRoutes);
    this.namespaceName = namespace;
    const byNamespace = APPS_OF_ROOT.get(this.node.root) ?? new Map<string, MicroserviceApp[]>();
    byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), this]);
    APPS_OF_ROOT.set(this.node.root, byNamespace);
    this.domain = props.domain;
    this.ingressClassName = props.ingressClassName;
    this.gateway = props.gateway;
    this.version = props.version ?? 'unversioned';
    this.kubernetesVersion = checkKubernetesVersion(path, props.kubernetesVersion);
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
        prometheusUrl: (monitoring.prometheusUrl ?? defaultPrometheusUrl(this.prometheus.namespace!)).replace(/\/+$/, ''),
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
        const rollouts = this.workloads.map(w => w.telemetry()).filter(t => t.controller === 'Rollout').map(t => t.name);
        return dashboardConfigMapData(`${namespace}-overview`, appOverviewDashboard(id, namespace, {
          sloRecords: rules, statefulSets: c.has('StatefulSet'), jobs: c.has('Job') || c.has('CronJob') || c.has('ScaledJob'), rollouts,
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
  public _registerWorkload(w: AppWorkload): void {
    this.workloads.push(w);
  }

  /** The app's Ingress, made by the first route. */
  public get ingress(): k8s.KubeIngress | undefined {
    return this.routing.ingress;
  }

  /** Every Ingress: the app's, and one per rate-limited or progressively delivered (ingress-nginx) service. */
  public get ingressObjects(): k8s.KubeIngress[] {
    return this.routing.ingressObjects;
  }

  /** The Ingress routes: host (undefined for any), path, path type and service. */
  public get routeList(): ReadonlyArray<AppRoute> {
    return this.routing.routeList;
  }

  /** The six recommended labels for an app-wide object. */
  public appLabels(component: string): Record<string, string> {
    return standardLabels({ name: this.node.id, instance: this.node.id, version: this.version, component, partOf: this.node.id });
  }

  /**
   * Routes a path of the app's Ingress to a service. Called by ObservedService for its
   * `route` prop; call it for more paths.
   */
  public addRoute(service: RoutedService, route: RouteOptions): void {
    this.routing.add(service, route);
  }

  /** Kubernetes objects of this chart, in the order `kubectl apply` needs. */
  public toJson(): any[] {
    // inside app.synth(), cdk8s has just validated the whole App and resolved its dependencies:
    // Chart.toJson() would do both again for every chart (lib/rendering/fast-synth.ts)
    return sortManifests(appValidated(this) ? chartObjects(this) : super.toJson());
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
