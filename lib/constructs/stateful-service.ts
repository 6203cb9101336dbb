import { ApiObject } from 'cdk8s';
import * as k8s from '../rendering/kube';
import { Construct } from 'constructs';
import type { ServiceMonitor } from '../../imports/monitoring.coreos.com';
import { checkDuration } from '../durations';
import { MicroserviceConfigError, show } from '../errors';
import { INSTANCE, workloadSelector } from '../labels';
import { authorizationPolicy } from '../network/mesh/istio';
import { allowPolicy, podsPeer } from '../network/network-policy';
import { MicroserviceApp } from './microservice-app';
import { checkObjectName } from '../names';
import { checkMetricsPath, serviceMonitor } from '../observability/monitors';
import { OTEL_PROMETHEUS_PORT, ServiceMetricsOptions, ServiceProtocol, requestQueries, servingPorts } from './observed-service';
import { checkKnownProps, checkPort, propNames } from '../props/checks';
import { WORKLOAD_PROPS } from './workload/props';
import { checkSize, checkSubPath } from '../pod/volumes';
import { checkIstioPort } from '../pod/containers';
import { sizeSlip } from '../props/slips';
import { defaultProbes } from '../pod/probes';
import { MeshCaller, ServiceTarget, serviceAddress } from './service-target';
import { addWarning } from '../warnings';
import { Workload, WorkloadProps } from './workload';

/** The volume every pod of a StatefulService gets a claim of its own for. */
export interface StorageOptions {
  /** The claim's size, a Kubernetes quantity (`'20Gi'`). */
  readonly size: string;
  /** Where the volume is mounted in the main container. */
  readonly mountPath: string;
  /**
   * A directory inside the volume to mount at `mountPath` instead of the volume's root (the
   * mount's `subPath`; the kubelet creates it on first use,
   * https://kubernetes.io/docs/concepts/storage/volumes/#using-subpath): a relative path without
   * '..'. For a database whose data directory must be empty at first start, where a new
   * filesystem's root holds `lost+found` (PostgreSQL's `initdb` refuses it): `'postgres'`.
   * @default - the volume's root
   */
  readonly subPath?: string;
  /** The StorageClass. @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
  /** @default ['ReadWriteOnce'] */
  readonly accessModes?: Array<'ReadWriteOnce' | 'ReadOnlyMany' | 'ReadWriteMany' | 'ReadWriteOncePod'>;
}

/**
 * What happens to the claims (and so the data) when the StatefulSet is deleted or scaled down
 * (`persistentVolumeClaimRetentionPolicy`, on by default since Kubernetes 1.27).
 */
export interface ClaimRetentionOptions {
  /** @default 'Retain' */
  readonly whenDeleted?: 'Retain' | 'Delete';
  /** @default 'Retain' */
  readonly whenScaled?: 'Retain' | 'Delete';
}

export interface StatefulServiceProps extends Omit<WorkloadProps, 'autoscaling' | 'rollingUpdate'> {
  /** The container port. @default 8080 */
  readonly port?: number;
  /** The protocol on `port`: it picks the default probes and the address format. @default 'http' */
  readonly protocol?: ServiceProtocol;
  /** The port of both Services. @default 80 for http, else `port` */
  readonly servicePort?: number;
  /** A volume per pod, kept across restarts and rescheduling (a volumeClaimTemplate). */
  readonly storage: StorageOptions;
  /**
   * Ports on which the set's own pods reach each other (replication, gossip, leader election):
   * network policy (and, in a mesh, authorization) between the pods of this StatefulService
   * only. Like every flow, pod-to-pod traffic inside the set is denied without it.
   * @default - none
   */
  readonly peerPorts?: number[];
  /** The claims after the set is deleted or scaled down. @default { whenDeleted: 'Retain', whenScaled: 'Retain' } */
  readonly claimRetention?: ClaimRetentionOptions;
  /**
   * Where Prometheus scrapes; `false` when the image serves no metrics (a stock database
   * without an exporter sidecar). A port of a sidecar (an exporter) is scraped there.
   * @default - as ObservedService: the port for http, 9464 otherwise
   */
  readonly metrics?: Omit<ServiceMetricsOptions, 'source'> | false;
}

// the id also names `<id>-headless`, and the StatefulSet's controller-revision-hash label is
// `<name>-<10 characters>` (at most 63): so at most 52 characters
const NAME_RESERVE = 11;
const PROTOCOLS: ServiceProtocol[] = ['http', 'grpc', 'tcp'];
const ACCESS_MODES = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'];
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const RETENTION = ['Retain', 'Delete'];
const METRICS_SERVICE_PORT = 'http-metrics';
/** The name of the volumeClaimTemplate: its claims are `data-<id>-<ordinal>`. */
export const STORAGE_VOLUME = 'data';

/**
 * A service with state on a volume: a StatefulSet whose pods each get a claim of their own, a
 * headless Service (`<id>-headless`) that gives them stable DNS names (`<id>-0.<id>-headless`)
 * and a Service (`<id>`) for clients. Pods are started, updated and stopped one at a time, in
 * order; the claims outlive the set unless `claimRetention` says otherwise. Callers reach it
 * with `connectTo()` like an ObservedService.
 */
export class StatefulService extends Workload implements ServiceTarget {
  public readonly port: number;
  public readonly servicePort: number;
  public readonly protocol: ServiceProtocol;
  /** The name of the container and Service port: the protocol. */
  public readonly portName: string;
  public readonly statefulSet: k8s.KubeStatefulSet;
  /** The Service clients call. */
  public readonly service: k8s.KubeService;
  /** The headless Service that names the pods (`<id>-0.<id>-headless`). */
  public readonly headlessService: k8s.KubeService;
  /** Scrapes the pods, when the app's monitoring is on and `metrics` is not false. */
  public readonly serviceMonitor?: ServiceMonitor;
  /** With a mesh: the callers this service admits. */
  public readonly authorizationPolicy?: ApiObject;
  /** The size of each pod's claim (`storage.size`). */
  public readonly storageSize: string;

  private readonly callers: MeshCaller[] = [];

  constructor(scope: Construct, id: string, props: StatefulServiceProps) {
    const path = scope.node.path ? `${scope.node.path}/${id}` : id;
    checkObjectName(path, 'the id', id, NAME_RESERVE);
    for (const k of ['autoscaling', 'rollingUpdate', 'canary', 'route', 'traffic'] as const) {
      if ((props as any)[k] !== undefined) throw new MicroserviceConfigError(path, unsupported(k));
    }
    checkKnownProps(path, props, STATEFUL_PROPS.stateful);
    checkKnownProps(path, props.storage, STATEFUL_PROPS.storage, 'storage.');
    checkKnownProps(path, props.claimRetention, STATEFUL_PROPS.claimRetention, 'claimRetention.');
    if (props.metrics !== false) checkKnownProps(path, props.metrics, WORKLOAD_PROPS.metrics, 'metrics.');
    const protocol = props.protocol ?? 'http';
    if (!PROTOCOLS.includes(protocol)) throw new MicroserviceConfigError(path, `'protocol' must be one of ${PROTOCOLS.join(', ')}, got ${show(protocol)}`);
    const port = checkPort(path, 'port', props.port ?? 8080);
    const servicePort = checkPort(path, 'servicePort', props.servicePort ?? (protocol === 'http' ? 80 : port));
    const storage = checkStorage(path, props.storage);
    const retention = props.claimRetention ?? {};
    for (const k of ['whenDeleted', 'whenScaled'] as const) {
      if (retention[k] !== undefined && !RETENTION.includes(retention[k]!)) throw new MicroserviceConfigError(path, `'claimRetention.${k}' must be 'Retain' or 'Delete', got ${show(retention[k])}`);
    }
    const scraped = props.metrics !== false;
    const metrics = props.metrics === false ? {} : props.metrics ?? {};
    const metricsPort = checkPort(path, 'metrics.port', metrics.port ?? (protocol === 'http' ? port : OTEL_PROMETHEUS_PORT));
    if (scraped && metricsPort !== port && metricsPort === servicePort) {
      // the Service would list the port twice (the service's and `http-metrics`): the API server refuses it
      throw new MicroserviceConfigError(path, `'metrics.port' ${metricsPort} is also the service port ('servicePort'): the Service would have two ports ${metricsPort}, which the API server refuses ("duplicate entries for key [port=${metricsPort}]"). Serve metrics on the container port (${port}), or choose another metrics port or servicePort`);
    }
    // an exporter sidecar's port: scraped where it is, not declared on the main container
    const sidecarMetrics = (props.sidecars ?? []).flatMap(c => c?.ports ?? []).find(p => p?.port === metricsPort);
    const separateMetrics = scraped && metricsPort !== port && !sidecarMetrics;
    const peerPorts = props.peerPorts ?? [];
    if (!Array.isArray(peerPorts) || peerPorts.length > 0 && new Set(peerPorts).size !== peerPorts.length) {
      throw new MicroserviceConfigError(path, `'peerPorts' must be a list of distinct ports, got ${show(props.peerPorts)}: for example [5432] for streaming replication`);
    }
    peerPorts.forEach((p, i) => checkPort(path, `peerPorts[${i}]`, p));
    const app = MicroserviceApp.of(scope, id, 'StatefulService');
    if (app.mesh) {
      checkIstioPort(path, 'port', port);
      if (scraped) checkIstioPort(path, 'metrics.port', metricsPort);
      peerPorts.forEach((p, i) => checkIstioPort(path, `peerPorts[${i}]`, p));
    }
    super(scope, id, props, {
      component: props.component ?? 'stateful',
      defaultReplicas: 1,
      controller: 'statefulset',
      hasService: true,
      scraped,
      ports: servingPorts(protocol, port, separateMetrics ? metricsPort : undefined),
      probeTarget: { portName: protocol, portNumber: port },
      defaultProbes: defaultProbes(protocol),
      metricsPort,
      metricsPath: checkMetricsPath(path, metrics.path),
      queries: protocol === 'tcp' ? undefined : requestQueries(path, undefined, { namespace: app.namespaceName, service: id, protocol }, app.mesh !== undefined),
      claimTemplateMounts: [{ prop: 'storage.mountPath', name: STORAGE_VOLUME, mountPath: storage.mountPath, subPath: storage.subPath }],
    });
    this.protocol = protocol;
    this.port = port;
    this.portName = protocol;
    this.servicePort = servicePort;
    this.storageSize = storage.size;
    const slip = sizeSlip('storage.size', storage.size);
    if (slip) addWarning(this, slip);
    if (protocol === 'tcp' && props.probes?.readiness === undefined) {
      addWarning(this, "readiness is a TCP connect, like liveness: a store that accepts connections before it can serve (recovery, replay) gets traffic too early, and the linters flag identical probes. Give probes.readiness a command that checks readiness, e.g. { command: ['pg_isready', '--host=127.0.0.1'] } for PostgreSQL or ['redis-cli', 'ping'] for Redis");
    }

    const namespace = this.app.namespaceName;
    const metricsTarget = sidecarMetrics?.name ?? 'metrics';
    const servicePorts: k8s.ServicePort[] = [
      { name: protocol, port: servicePort, targetPort: protocol, protocol: 'TCP', appProtocol: protocol },
      ...(scraped && metricsPort !== port ? [{ name: METRICS_SERVICE_PORT, port: metricsPort, targetPort: metricsTarget, protocol: 'TCP', appProtocol: 'http' }] : []),
    ];
    const headlessName = `${id}-headless`;
    // its own instance label: the ServiceMonitor selects the client Service only (one scrape per pod)
    this.headlessService = new k8s.KubeService(this, 'HeadlessService', {
      metadata: { name: headlessName, namespace, ...this.serviceMetadata, labels: { ...this.serviceMetadata.labels, [INSTANCE]: headlessName } },
      spec: {
        clusterIP: 'None',
        selector: this.selectorLabels,
        // peers find each other by DNS before they are ready (a replica joining its primary)
        publishNotReadyAddresses: true,
        ports: servicePorts.slice(0, 1),
      },
    });
    this.service = new k8s.KubeService(this, 'Service', {
      metadata: { name: id, namespace, ...this.serviceMetadata },
      spec: { type: 'ClusterIP', selector: this.selectorLabels, ports: servicePorts },
    });
    const selector = workloadSelector(id, id);
    this.statefulSet = new k8s.KubeStatefulSet(this, 'StatefulSet', {
      metadata: { name: id, namespace, labels: this.labels },
      spec: {
        serviceName: headlessName,
        replicas: this.replicas,
        revisionHistoryLimit: props.revisionHistoryLimit ?? 10,
        selector: { matchLabels: selector },
        // one pod at a time, each ready before the next: a clustered store keeps its quorum
        podManagementPolicy: 'OrderedReady',
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: retention.whenDeleted ?? 'Retain', whenScaled: retention.whenScaled ?? 'Retain' },
        template: this.podTemplate,
        volumeClaimTemplates: [{
          metadata: { name: STORAGE_VOLUME, labels: this.labels },
          spec: {
            accessModes: storage.accessModes ?? ['ReadWriteOnce'],
            storageClassName: storage.storageClassName,
            resources: { requests: { storage: storage.size } },
          },
        }],
      },
    });
    const monitoring = this.app.monitoring;
    if (monitoring && scraped) {
      this.serviceMonitor = serviceMonitor(this, { name: id, namespace, labels: { ...this.labels, ...monitoring.labels } }, { ...this.selectorLabels, [INSTANCE]: id }, {
        ...this.scrapeTarget(metricsPort !== port ? METRICS_SERVICE_PORT : protocol),
        interval: metrics.interval === undefined ? monitoring.scrapeInterval : checkDuration(this, 'metrics.interval', metrics.interval),
      });
    }
    if (peerPorts.length) {
      // the set's pods to the set's pods, on these ports, each side; the middle segment is no
      // edge's (`to`, `from`), so these names never meet a connectTo() policy
      const rule = { namespace, labels: this.labels, podSelector: this.selectorLabels, peers: [podsPeer({ podLabels: this.selectorLabels })], ports: peerPorts.map(p => ({ port: p })) };
      allowPolicy(this, 'AllowPeersIn', { ...rule, name: `${id}.peers.in`, direction: 'Ingress' });
      allowPolicy(this, 'AllowPeersOut', { ...rule, name: `${id}.peers.out`, direction: 'Egress' });
    }
    if (this.app.mesh) {
      this.authorizationPolicy = authorizationPolicy(this, { name: id, namespace, labels: this.labels }, this.selectorLabels, () => [
        ...(this.callers.length ? [{ principals: this.callers.map(c => c.principal), port }] : []),
        ...peerPorts.map(p => ({ principals: [this.principal], port: p })),
      ]);
    }
  }

  /** @internal Called by connectTo(): the caller's identity is admitted by the AuthorizationPolicy. */
  public _admitCaller(caller: MeshCaller): void {
    this.callers.push(caller);
  }

  /** The address callers use: `postgres:5432` (`postgres.shop:5432` from another app), or a URL. */
  public address(format: 'url' | 'host:port', from?: MicroserviceApp): string {
    return serviceAddress(this, this.servicePort, format, from);
  }

  /** The stable DNS name of one pod, for clients that must reach a given replica (the primary). */
  public podAddress(ordinal: number): string {
    if (!Number.isInteger(ordinal) || ordinal < 0 || (this.replicas !== undefined && ordinal >= this.replicas)) {
      throw new MicroserviceConfigError(this, `podAddress(${show(ordinal)}): there are pods 0 to ${(this.replicas ?? 1) - 1}`);
    }
    return `${this.name}-${ordinal}.${this.name}-headless.${this.app.namespaceName}.svc:${this.servicePort}`;
  }
}

function unsupported(prop: string): string {
  switch (prop) {
    case 'autoscaling': return "'autoscaling' is not supported on a StatefulService: each pod owns a volume, so set 'replicas' to the count the data layout needs";
    case 'rollingUpdate': return "'rollingUpdate' is not supported on a StatefulService: its pods are replaced one at a time, highest ordinal first";
    case 'canary': return "'canary' is not supported on a StatefulService: two tracks cannot share the pods' volumes";
    default: return `'${prop}' is not supported on a StatefulService: it is an ObservedService prop`;
  }
}

// the claim as the API server validates it (ValidatePersistentVolumeClaimSpec): the class a
// DNS subdomain, known access modes, ReadWriteOncePod alone, a size above zero
function checkStorage(path: string, s: StorageOptions | undefined): StorageOptions {
  if (!s || typeof s !== 'object') throw new MicroserviceConfigError(path, `'storage' is required: { size: '20Gi', mountPath: '/var/lib/app' }, got ${show(s)}`);
  checkSize(path, 'storage.size', s.size);
  if (s.subPath !== undefined) checkSubPath(path, 'storage.subPath', s.subPath);
  if (s.storageClassName !== undefined && (typeof s.storageClassName !== 'string' || !DNS1123_SUBDOMAIN.test(s.storageClassName) || s.storageClassName.length > 253)) {
    throw new MicroserviceConfigError(path, `'storage.storageClassName' must name a StorageClass (a DNS subdomain: lowercase letters, digits, '-' and '.', each part between dots starting and ending with a letter or digit), got ${show(s.storageClassName)}: for example 'premium-rwo'`);
  }
  if (s.accessModes !== undefined && (!Array.isArray(s.accessModes) || s.accessModes.length === 0 || s.accessModes.some(m => !ACCESS_MODES.includes(m)))) {
    throw new MicroserviceConfigError(path, `'storage.accessModes' must be a non-empty list of ${ACCESS_MODES.join(', ')}, got ${show(s.accessModes)}`);
  }
  if (s.accessModes?.includes('ReadWriteOncePod') && s.accessModes.length > 1) {
    throw new MicroserviceConfigError(path, `'storage.accessModes' combines ReadWriteOncePod with other modes, got ${show(s.accessModes)}: the API server refuses ReadWriteOncePod with any other mode (the claim of each pod would never be made, and the StatefulSet would hang); use ['ReadWriteOncePod'] alone, or drop it`);
  }
  return s;
}

/** The names of StatefulServiceProps and its own options, for checkKnownProps(). */
export const STATEFUL_PROPS = {
  stateful: propNames<StatefulServiceProps>({
    ...WORKLOAD_PROPS.statefulSet, port: true, protocol: true, servicePort: true, storage: true, peerPorts: true, claimRetention: true, metrics: true,
  }),
  storage: propNames<StorageOptions>({ size: true, mountPath: true, storageClassName: true, accessModes: true, subPath: true }),
  claimRetention: propNames<ClaimRetentionOptions>({ whenDeleted: true, whenScaled: true }),
} as const;
