import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MicroserviceConfigError, show } from './errors';
import type { MicroserviceApp, RouteOptions } from './microservice-app';
import { admitPolicyName, anywherePeers, allowPolicy, podsPeer } from './policy/network-policy';
import { defaultProbes } from './probes';
import { Workload, WorkloadProps } from './workload';

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
}

const PROTOCOLS: ServiceProtocol[] = ['http', 'grpc', 'tcp'];

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

  constructor(scope: Construct, id: string, props: ObservedServiceProps) {
    // checked before super(): the ports and probes of the pod depend on them
    const path = scope.node.path ? `${scope.node.path}/${id}` : id;
    const protocol = props.protocol ?? 'http';
    if (!PROTOCOLS.includes(protocol)) {
      throw new MicroserviceConfigError(path, `'protocol' must be one of ${PROTOCOLS.join(', ')}, got ${show(protocol)}`);
    }
    const port = checkPort(path, 'port', props.port ?? 8080);
    const servicePort = checkPort(path, 'servicePort', props.servicePort ?? (protocol === 'http' ? 80 : port));
    const serviceType = props.serviceType ?? 'ClusterIP';
    if (serviceType !== 'ClusterIP' && serviceType !== 'LoadBalancer') {
      throw new MicroserviceConfigError(path, `'serviceType' must be 'ClusterIP' or 'LoadBalancer', got ${show(serviceType)}`);
    }
    super(scope, id, props, {
      component: 'service',
      defaultReplicas: 2,
      ports: [{ name: protocol, containerPort: port, protocol: 'TCP' }],
      probeTarget: { portName: protocol, portNumber: port },
      defaultProbes: defaultProbes(protocol),
      metricsPort: port,
    });
    this.protocol = protocol;
    this.port = port;
    this.portName = protocol;
    this.servicePort = servicePort;

    this.service = new k8s.KubeService(this, 'Service', {
      metadata: { name: this.name, namespace: this.app.namespaceName, labels: this.labels },
      spec: {
        type: serviceType,
        selector: this.selectorLabels,
        ports: [{
          name: protocol,
          port: this.servicePort,
          targetPort: k8s.IntOrString.fromString(protocol),
          protocol: 'TCP',
          appProtocol: protocol,
        }],
      },
    });
    if (serviceType === 'LoadBalancer') {
      // a cloud load balancer forwards client (or node) addresses: admit any source on the port
      allowPolicy(this, 'AllowLoadBalancer', {
        name: admitPolicyName(this.name, 'load-balancer'), namespace: this.app.namespaceName, labels: this.labels,
        podSelector: this.selectorLabels, direction: 'Ingress', peers: anywherePeers(), ports: [{ port }],
      });
    }
    if (props.route) this.app.addRoute(this, props.route);
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
      podSelector: this.selectorLabels, direction: 'Ingress', peers: [podsPeer(this.app.ingressController)], ports: [{ port: this.port }],
    });
  }
}
