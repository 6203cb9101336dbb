// The app's routes: paths of its one Ingress (a rate-limited service's paths get an Ingress of
// their own), or HTTPRoutes on an existing Gateway. Services are known here only by what routing
// needs of them (RoutedService), so the app does not import the constructs built on it.
import { ApiObject, Chart, Lazy } from 'cdk8s';
import type { IConstruct } from 'constructs';
import * as k8s from '../../rendering/kube';
import { MicroserviceConfigError, show } from '../../errors';
import { checkHostname } from '../../names';
import { GatewayOptions, httpRoute } from '../../network/gateway';
import type { RateLimitOptions } from '../../network/mesh/traffic';
import { addWarning } from '../../warnings';
import { ISTIO_INGRESS_CLASS } from './defaults';
import type { MicroserviceAppProps, ResolvedMesh, RouteOptions } from './props';

/** What routing needs of a service (an ObservedService). */
export interface RoutedService extends IConstruct {
  /** The app the service is in. */
  readonly app: object;
  readonly name: string;
  readonly servicePort: number;
  readonly portName: string;
  readonly traffic: { readonly rateLimit?: Required<RateLimitOptions> };
  readonly canary?: { readonly weight: number; readonly replicas: number };
  /** Argo Rollouts releases the service step by step (`progressiveDelivery`). */
  readonly progressiveDelivery?: { readonly steps: readonly number[] };
  /**
   * With progressive delivery over ingress-nginx: the Service the service's paths lead to
   * (`<name>-stable`, whose selector Argo Rollouts pins to the stable pods). Its paths then get
   * an Ingress of their own, which the controller copies into the canary's.
   * @default - the service's own Service, on the app's Ingress
   */
  readonly stableIngressBackend?: string;
  /** Admits the app's Ingress controller to the service's port. */
  allowIngressController(): void;
}

/** A route of the app, as `routeList` gives it. */
export interface AppRoute {
  /** The host, or undefined for any. */
  readonly host?: string;
  readonly path: string;
  readonly pathType: string;
  readonly service: RoutedService;
}

interface Route extends RouteOptions { readonly service: RoutedService }

/** The name of the Ingress of a service's own paths (a rate-limited one, or one whose canary ingress-nginx routes). */
export function ownIngressName(app: string, service: string): string {
  return `${app}-${service}`;
}

// the services whose paths are on an Ingress of their own: an annotation (a rate limit) holds
// for a whole Ingress, and Argo Rollouts copies every rule of the stable Ingress into the canary's
function hasOwnIngress(s: RoutedService): boolean {
  return s.traffic.rateLimit !== undefined || s.stableIngressBackend !== undefined;
}

/** What routing needs of the app. */
export interface RoutingApp extends IConstruct {
  readonly namespaceName: string;
  readonly domain?: string;
  readonly mesh?: ResolvedMesh;
  appLabels(component: string): Record<string, string>;
}

/** The routes of one app and the Ingresses or HTTPRoutes made for them. */
export class AppRouting {
  private readonly routes: Route[] = [];
  // '' is the app's Ingress; a rate-limited service's routes have an Ingress of their own
  private readonly ingresses = new Map<string, k8s.KubeIngress>();

  constructor(private readonly app: RoutingApp & Chart, private readonly props: MicroserviceAppProps, public readonly httpRoutes: ApiObject[]) {}

  /** The app's Ingress, made by the first route. */
  public get ingress(): k8s.KubeIngress | undefined {
    return this.ingresses.get('');
  }

  /** Every Ingress: the app's, and one per rate-limited or progressively delivered (ingress-nginx) service. */
  public get ingressObjects(): k8s.KubeIngress[] {
    return [...this.ingresses.values()];
  }

  /** The routes: host (undefined for any), path, path type and service. */
  public get routeList(): ReadonlyArray<AppRoute> {
    return this.routes.map(r => ({ host: r.host ?? this.app.domain, path: r.path, pathType: r.pathType ?? 'Prefix', service: r.service }));
  }

  /** Routes a path to a service: see MicroserviceApp.addRoute(). */
  public add(service: RoutedService, route: RouteOptions): void {
    if (service.app !== this.app) {
      throw new MicroserviceConfigError(service, `cannot be routed by the Ingress of app '${this.app.node.id}': an Ingress reaches Services of its own namespace only; route it with its own app's addRoute()`);
    }
    const path = route.path;
    if (typeof path !== 'string' || !path.startsWith('/')) {
      throw new MicroserviceConfigError(service, `'route.path' must start with '/', got ${show(path)}: for example '/' or '/api'`);
    }
    if (route.host !== undefined) checkHostname(service, 'route.host', route.host);
    const host = route.host ?? this.app.domain;
    const pathType = route.pathType ?? 'Prefix';
    const claimed = this.routes.find(r => (r.host ?? this.app.domain) === host && r.path === path);
    if (claimed) {
      throw new MicroserviceConfigError(service, `'route.path' ${show(path)}${host ? ` on ${host}` : ''} is already routed to '${claimed.service.node.id}': choose another path or host`);
    }
    if (this.app.mesh && service.canary && !this.routes.some(r => r.service === service)) {
      // Ingress and Gateway traffic is routed by the gateway to the Service's pods, not by the
      // service's VirtualService (which binds the mesh's sidecars only)
      addWarning(service, `the canary's ${service.canary.weight}% split holds for calls inside the mesh; requests through the Ingress reach both tracks by pod count (${service.canary.replicas} canary pods): bind a VirtualService to the gateway for an exact split there`);
    }
    if (this.app.mesh && service.progressiveDelivery && !this.routes.some(r => r.service === service)) {
      // the stable ReplicaSet stays at full size during the steps (no dynamicStableScale): a
      // canary at weight w runs about w% as many pods
      const shares = service.progressiveDelivery.steps.map(w => `${Math.round((100 * w) / (100 + w))}%`).join(', ');
      addWarning(service, `the canary's shares of requests (${service.progressiveDelivery.steps.join(', ')}%) hold for calls inside the mesh; requests through the Ingress reach stable and canary pods by pod count (about ${shares}): bind a VirtualService to the gateway for an exact split there`);
    }
    this.routes.push({ ...route, pathType, service });
    service.allowIngressController();
    if (this.props.gateway) {
      this.attachToGateway(this.props.gateway, host);
      return;
    }
    this.addToIngress(service);
  }

  // one HTTPRoute per host: hostnames apply to every rule of a route
  private attachToGateway(gateway: GatewayOptions, host: string | undefined): void {
    const index = [...new Set(this.routes.map(r => r.host ?? this.app.domain))].indexOf(host);
    const id = index === 0 ? 'HttpRoute' : `HttpRoute${index}`;
    if (this.app.node.tryFindChild(id)) return;
    const name = index === 0 ? this.app.node.id : `${this.app.node.id}-${index}`;
    this.httpRoutes.push(httpRoute(this.app, id, { name, namespace: this.app.namespaceName, labels: this.app.appLabels('route') }, gateway, host,
      () => this.routes.filter(r => (r.host ?? this.app.domain) === host).map(r => ({ path: r.path, pathType: r.pathType!, serviceName: r.service.name, servicePort: r.service.servicePort }))));
  }

  // A rate limit is an annotation, which holds for a whole Ingress, and Argo Rollouts makes a
  // progressively delivered service's canary Ingress from every rule of its stable one: such a
  // service's paths get an Ingress of their own (controllers merge Ingresses of one host).
  private addToIngress(service: RoutedService): void {
    const limit = service.traffic.rateLimit;
    const own = hasOwnIngress(service);
    const key = own ? service.name : '';
    if (this.ingresses.has(key)) return;
    const routes = () => this.routes.filter(r => (own ? r.service === service : !hasOwnIngress(r.service)));
    const annotations = limit ? {
      ...this.props.ingressAnnotations,
      'nginx.ingress.kubernetes.io/limit-rps': String(limit.requestsPerSecond),
      'nginx.ingress.kubernetes.io/limit-burst-multiplier': String(limit.burstMultiplier),
    } : this.props.ingressAnnotations;
    this.ingresses.set(key, new k8s.KubeIngress(this.app, own ? `Ingress-${service.name}` : 'Ingress', {
      metadata: { name: own ? ownIngressName(this.app.node.id, service.name) : this.app.node.id, namespace: this.app.namespaceName, labels: this.app.appLabels('ingress'), annotations },
      // read at synth time: routes added later are in it
      spec: Lazy.any({ produce: () => this.ingressSpec(routes()) }) as any,
    }));
  }

  private ingressSpec(routes: Route[]): k8s.IngressSpec {
    const hosts = [...new Set(routes.map(r => r.host ?? this.app.domain))];
    const rules: k8s.IngressRule[] = hosts.map(host => ({
      host,
      http: {
        paths: routes.filter(r => (r.host ?? this.app.domain) === host).map(r => ({
          path: r.path,
          pathType: r.pathType!,
          backend: { service: { name: r.service.stableIngressBackend ?? r.service.name, port: { name: r.service.portName } } },
        })),
      },
    }));
    const tlsHosts = hosts.filter((h): h is string => h !== undefined);
    const tls = this.props.tlsSecretName && tlsHosts.length ? [{ hosts: tlsHosts, secretName: this.props.tlsSecretName }] : undefined;
    return { ingressClassName: this.props.ingressClassName ?? (this.app.mesh ? ISTIO_INGRESS_CLASS : undefined), rules, tls };
  }
}
