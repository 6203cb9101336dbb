import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { gatewayApiKinds } from '../rendering/crds';
import { propNames } from '../props/checks';

/** An existing Gateway (Gateway API) that the app's routes attach to instead of an Ingress. */
export interface GatewayOptions {
  /** The Gateway's name. */
  readonly name: string;
  /** The Gateway's namespace; its listener must allow routes from the app's namespace. */
  readonly namespace: string;
  /** A listener of the Gateway. @default - every listener that admits the route */
  readonly sectionName?: string;
}

/** One path of an HTTPRoute, to a Service port. */
export interface GatewayRoute {
  readonly path: string;
  readonly pathType: 'Prefix' | 'Exact';
  readonly serviceName: string;
  readonly servicePort: number;
}

/**
 * An HTTPRoute (gateway.networking.k8s.io/v1) for one host, attached to the Gateway; its rules
 * are read at synth time, so routes added later are in it.
 */
export function httpRoute(scope: Construct, id: string, meta: { name: string; namespace: string; labels: Record<string, string> },
  gateway: GatewayOptions, host: string | undefined, routes: () => GatewayRoute[]): ApiObject {
  const { HttpRoute } = gatewayApiKinds();
  return new HttpRoute(scope, id, {
    metadata: meta,
    spec: {
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: gateway.name, namespace: gateway.namespace, sectionName: gateway.sectionName }],
      hostnames: host ? [host] : undefined,
      rules: Lazy.any({
        produce: () => routes().map(r => ({
          matches: [{ path: { type: r.pathType === 'Exact' ? 'Exact' : 'PathPrefix', value: r.path } }],
          backendRefs: [{ name: r.serviceName, port: r.servicePort }],
        })),
      }) as any,
    },
  });
}

/** The names of GatewayOptions, for checkKnownProps(). */
export const GATEWAY_PROPS = propNames<GatewayOptions>({ name: true, namespace: true, sectionName: true });
