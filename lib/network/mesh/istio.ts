import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { istioNetworkingKinds as net, istioSecurityKinds as sec } from '../../rendering/crds';
import type { ResolvedTraffic } from './traffic';

interface Meta {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

/** The SPIFFE identity Istio gives pods of a ServiceAccount: what AuthorizationPolicies match. */
export function principal(trustDomain: string, namespace: string, serviceAccount: string): string {
  return `${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/** The cluster-local DNS name of a Service: unambiguous in VirtualServices and DestinationRules from any namespace. */
export function serviceHost(name: string, namespace: string): string {
  return `${name}.${namespace}.svc.cluster.local`;
}

/** Mutual TLS for every pod of the namespace; plaintext is refused. */
export function strictMtls(scope: Construct, meta: Meta): ApiObject {
  const { PeerAuthentication, bindings: { PeerAuthenticationSpecMtlsMode } } = sec();
  return new PeerAuthentication(scope, 'PeerAuthentication', { metadata: meta, spec: { mtls: { mode: PeerAuthenticationSpecMtlsMode.STRICT } } });
}

/**
 * Lets plaintext reach one port of a workload (traffic from a cloud load balancer cannot
 * present a mesh certificate); the rest of the pod stays STRICT.
 */
export function permissivePort(scope: Construct, meta: Meta, selector: Record<string, string>, port: number): ApiObject {
  const { PeerAuthentication, bindings: { PeerAuthenticationSpecMtlsMode, PeerAuthenticationSpecPortLevelMtlsMode } } = sec();
  return new PeerAuthentication(scope, 'PeerAuthentication', {
    metadata: meta,
    spec: {
      selector: { matchLabels: selector },
      mtls: { mode: PeerAuthenticationSpecMtlsMode.STRICT },
      portLevelMtls: { [String(port)]: { mode: PeerAuthenticationSpecPortLevelMtlsMode.PERMISSIVE } },
    },
  });
}

/**
 * Istio's recommended baseline: an ALLOW policy that matches nothing, so a workload without
 * a policy of its own takes no requests (workers), and each service's policy is the only
 * way in.
 */
export function allowNothing(scope: Construct, meta: Meta): ApiObject {
  const { AuthorizationPolicy } = sec();
  return new AuthorizationPolicy(scope, 'AllowNothing', { metadata: meta, spec: {} });
}

/** Who may call a service's port: mesh identities, or a namespace's identities, or anyone (`from` empty). */
export interface AuthorizationRule {
  readonly principals?: string[];
  readonly namespaces?: string[];
  readonly port: number;
}

/**
 * The callers a service admits, read at synth time (connectTo() may run after the service is
 * made). No rules: an ALLOW policy that matches nothing, so every request is denied.
 */
export function authorizationPolicy(scope: Construct, meta: Meta, selector: Record<string, string>, rules: () => AuthorizationRule[]): ApiObject {
  const { AuthorizationPolicy, bindings: { AuthorizationPolicySpecAction } } = sec();
  return new AuthorizationPolicy(scope, 'AuthorizationPolicy', {
    metadata: meta,
    spec: {
      selector: { matchLabels: selector },
      action: AuthorizationPolicySpecAction.ALLOW,
      rules: Lazy.any({
        produce: () => {
          const r = rules().map(({ principals, namespaces, port }) => ({
            from: principals || namespaces ? [{ source: { principals, namespaces } }] : undefined,
            to: [{ operation: { ports: [String(port)] } }],
          }));
          return r.length ? r : undefined;
        },
      }) as any,
    },
  });
}

/** A DestinationRule subset: the pods of one Deployment of the service. */
export interface Subset {
  readonly name: string;
  readonly labels: Record<string, string>;
}

/** Connection pool limits and outlier detection (the circuit breaker) for every caller's proxy. */
export function destinationRule(scope: Construct, meta: Meta, host: string, traffic: ResolvedTraffic, subsets: Subset[]): ApiObject {
  const { DestinationRule } = net();
  const cb = traffic.circuitBreaker;
  return new DestinationRule(scope, 'DestinationRule', {
    metadata: meta,
    spec: {
      host,
      trafficPolicy: cb ? {
        connectionPool: {
          tcp: { maxConnections: cb.maxConnections, connectTimeout: cb.connectTimeout },
          http: { http1MaxPendingRequests: cb.maxPendingRequests, http2MaxRequests: cb.maxRequests },
        },
        outlierDetection: {
          consecutive5xxErrors: cb.consecutiveErrors,
          interval: cb.interval,
          baseEjectionTime: cb.baseEjectionTime,
          maxEjectionPercent: cb.maxEjectionPercent,
        },
      } : undefined,
      subsets: subsets.length ? subsets.map(s => ({ name: s.name, labels: s.labels })) : undefined,
    },
  });
}

/** One weighted destination of a route. */
export interface WeightedSubset {
  readonly subset?: string;
  readonly weight?: number;
}

/**
 * The names of the http routes virtualService() makes, in their order: `header` (a canary's
 * header route), `safe-methods` (GET and HEAD, when they retry on more), `default`.
 */
export function httpRouteNames(traffic: ResolvedTraffic, header: boolean): string[] {
  return [...(header ? ['header'] : []), ...(traffic.retries && traffic.retries.safeMethodsRetryOn ? ['safe-methods'] : []), 'default'];
}

/** Timeout, retries and (with a canary) the weighted split of every call to the service. */
export function virtualService(scope: Construct, meta: Meta, o: {
  readonly host: string;
  readonly port: number;
  readonly tcp: boolean;
  readonly traffic: ResolvedTraffic;
  readonly split: WeightedSubset[];
  /** Requests with this header go to this subset, whatever the weights. */
  readonly headerRoute?: { readonly name: string; readonly value: string; readonly subset: string };
}): ApiObject {
  const { VirtualService } = net();
  const destination = (subset?: string) => ({ host: o.host, port: { number: o.port }, subset });
  const route = o.split.map(s => ({ destination: destination(s.subset), weight: s.weight }));
  if (o.tcp) {
    return new VirtualService(scope, 'VirtualService', { metadata: meta, spec: { hosts: [o.host], tcp: [{ route }] } });
  }
  const retries = o.traffic.retries;
  const policy = (retryOn?: string) => ({
    timeout: o.traffic.timeout,
    retries: retries ? { attempts: retries.attempts, perTryTimeout: retries.perTryTimeout, retryOn: retryOn ?? retries.retryOn } : { attempts: 0 },
  });
  const header = o.headerRoute;
  const routes: Record<string, object> = {
    header: header ? { match: [{ headers: { [header.name]: { exact: header.value } } }], route: [{ destination: destination(header.subset) }], ...policy() } : {},
    // GET and HEAD are safe methods (RFC 9110): retried after the request may have reached the app too
    'safe-methods': { match: [{ method: { exact: 'GET' } }, { method: { exact: 'HEAD' } }], route, ...policy(retries?.safeMethodsRetryOn) },
    'default': { route, ...policy() },
  };
  return new VirtualService(scope, 'VirtualService', {
    metadata: meta,
    spec: { hosts: [o.host], http: httpRouteNames(o.traffic, header !== undefined).map(name => ({ name, ...routes[name] })) },
  });
}
