// The props of every pod-running construct (WorkloadProps), their options, and what a concrete
// construct tells the shared workload code (WorkloadSpec). Each list of known prop names is typed
// against its interface (PropNames), so adding a prop without listing it, or listing one that
// does not exist, fails to compile.
import * as k8s from '../../rendering/kube';
import type { RequestQueries } from '../../observability/metrics-source';
import type { ResolvedSlo } from '../../observability/model';
import type { PodProps } from '../../pod/pod-props';
import type { Probe, ProbeOptions, ProbeTarget } from '../../pod/probes';
import type { ResourceOptions } from '../../pod/resources';
import type { SecurityOptions } from '../../pod/security';
import type { ServiceAccountOptions } from './service-account';
import { PropNames, propNames } from '../../props/checks';

/** Horizontal autoscaling on resource utilization (autoscaling/v2). */
export interface AutoscalingOptions {
  /** @default 2 */
  readonly minReplicas?: number;
  readonly maxReplicas: number;
  /** Target average CPU utilization in percent of the request. @default 70 (when no memory target is set) */
  readonly targetCpuUtilization?: number;
  /** Target average memory utilization in percent of the request. @default - none */
  readonly targetMemoryUtilization?: number;
}

/** How a rollout replaces pods. */
export interface RollingUpdateOptions {
  /** Pods above the desired count during a rollout: a number or a percentage. @default '25%' */
  readonly maxSurge?: number | string;
  /** Pods below the desired count during a rollout. @default 0 (capacity never drops) */
  readonly maxUnavailable?: number | string;
}

/** Graceful shutdown: how long a terminating pod keeps serving and may take to stop. */
export interface ShutdownOptions {
  /**
   * Seconds the preStop hook waits before the container gets SIGTERM, so that Services,
   * Ingress controllers and kube-proxy stop sending traffic first (the kubelet runs the hook
   * when the pod starts terminating, within the grace period). With the app's
   * `kubernetesVersion` 1.30 or later it is the kubelet's own `sleep` action, which needs
   * nothing in the image; before, `exec: sleep N`, which needs a `sleep` binary on the image's
   * PATH (distroless and scratch images have none: the hook fails and SIGTERM comes at once).
   * 0 removes the hook (then the app must keep serving briefly after SIGTERM by itself).
   * @default 5
   */
  readonly preStopSleepSeconds?: number;
  /** Seconds from the start of termination to SIGKILL, preStop included. @default 30 */
  readonly terminationGracePeriodSeconds?: number;
}

/** An environment variable read from a key of an existing Secret. */
export interface SecretEnvSource {
  readonly secretName: string;
  readonly key: string;
  /** Start the pod even when the Secret or key is missing. @default false */
  readonly optional?: boolean;
}

/** Files mounted read-only from a ConfigMap the construct makes; pods roll when they change. */
export interface ConfigFilesOptions {
  /** File name to content. */
  readonly files: Record<string, string>;
  /** Where the files appear in the container. @default '/etc/<id>' */
  readonly mountPath?: string;
}

/** How `connectTo()` hands the caller the target's address. */
export interface ConnectOptions {
  /**
   * The environment variable of the caller's container that holds the target's address (an
   * `env` entry of the pod: Kubernetes sets it when the container starts, so a changed address
   * needs new pods). `false`: no variable, only the path (the NetworkPolicy egress here and
   * ingress there, and with a mesh the target's AuthorizationPolicy admitting this caller), for
   * an app that is told the address otherwise (a JDBC URL, a connection string from a Secret).
   * @default '<TARGET_ID>_URL' in upper snake case
   */
  readonly env?: string | false;
  /** `url` (`http://catalog:80`) or `host:port` (`catalog:3550`); not with `env: false`. @default 'url' for http targets, 'host:port' otherwise */
  readonly format?: 'url' | 'host:port';
}

/** A destination outside the app: a managed database, a broker, a third-party API. */
export interface ExternalConnectionOptions {
  /**
   * A name for the connection: it names the policy (`<workload>.to-external.<name>`) and the
   * default env var (`<NAME>_URL`).
   */
  readonly name: string;
  /** A DNS name (`db.example.com`, `rabbitmq.messaging.svc`); exclusive with `cidr`. */
  readonly host?: string;
  /** An address range (`10.20.0.0/16`, `203.0.113.7/32`); exclusive with `host`. */
  readonly cidr?: string;
  readonly port: number;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP';
  /** An env var with `host:port`, when `host` is given. @default - `<NAME>_URL` with a host, none with a cidr */
  readonly env?: string;
}

/** What every pod-running construct takes. */
export interface WorkloadProps extends SecurityOptions, PodProps {
  /** The container image, pinned by a tag other than `latest` or by a digest. */
  readonly image: string;
  /** A fixed number of pods; not with `autoscaling`. @default 2 for services, 1 for workers */
  readonly replicas?: number;
  /** Scale between bounds on utilization; not with `replicas`. @default - fixed `replicas` */
  readonly autoscaling?: AutoscalingOptions;
  /** Requests and limits. @default - 100m cpu, 128Mi memory, 256Mi ephemeral storage; limits twice that */
  readonly resources?: ResourceOptions;
  /**
   * Literal environment variables (never secrets: use `secretEnv`). A name that looks like a
   * secret's (`*PASSWORD*`, `*_TOKEN`, `*SECRET*`, `*API_KEY*`...) is refused unless listed in
   * `envNotSecret`. @default - none
   */
  readonly env?: Record<string, string>;
  /**
   * Names in `env` that look like secrets but are not (`TOKEN_TTL`, `PASSWORD_MIN_LENGTH`): their
   * literal values are allowed. Each must be a name of `env`.
   * @default - none
   */
  readonly envNotSecret?: string[];
  /** Environment variables from existing Secrets. @default - none */
  readonly secretEnv?: Record<string, SecretEnvSource>;
  /** Configuration files mounted from a ConfigMap. @default - none */
  readonly config?: ConfigFilesOptions;
  /** Overrides the image's entrypoint. @default - the image's ENTRYPOINT */
  readonly command?: string[];
  /** Arguments. @default - the image's CMD */
  readonly args?: string[];
  /**
   * The main container's readiness, liveness and startup probes.
   * @default - a TCP connect to the serving port (a worker's `healthPort`; none without one), and a synth warning naming what to declare
   */
  readonly probes?: ProbeOptions;
  /** Rollout pace. @default - maxSurge '25%', maxUnavailable 0 */
  readonly rollingUpdate?: RollingUpdateOptions;
  /** Old ReplicaSets kept for `kubectl rollout undo`. @default 10 */
  readonly revisionHistoryLimit?: number;
  /** Graceful shutdown. @default - 5 s preStop sleep, 30 s grace period */
  readonly shutdown?: ShutdownOptions;
  /** Schedule only on nodes with these labels. @default - any node */
  readonly nodeSelector?: Record<string, string>;
  /** Tolerations of node taints. @default - none */
  readonly tolerations?: k8s.Toleration[];
  /** Node and pod affinity. @default - none (spreading comes from topology spread constraints) */
  readonly affinity?: k8s.Affinity;
  /** Spread pods across zones and nodes when there can be two or more. @default true */
  readonly topologySpread?: boolean;
  /** `app.kubernetes.io/component`. @default 'service' or 'worker' */
  readonly component?: string;
  /** `app.kubernetes.io/version`. @default - the image tag (or the start of its digest) */
  readonly version?: string;
  /** Mount a service-account token (only for pods that call the Kubernetes API). @default false */
  readonly automountServiceAccountToken?: boolean;
  /**
   * The ServiceAccount the pods run as (`spec.serviceAccountName`): its name, to share one
   * account between workloads, and its annotations (cloud credentials: GKE Workload Identity,
   * EKS IAM roles for service accounts). See ServiceAccountOptions.
   * @default - an account of the workload's own, named after it, without annotations
   */
  readonly serviceAccount?: ServiceAccountOptions;
  /** How the container logs, for node-level collectors to parse. @default { format: 'text' } */
  readonly logging?: LoggingOptions;
}

/** Options of `addEnv()`. */
export interface AddEnvOptions {
  /** The name looks like a secret's (`TOKEN_TTL`) but the value is none: allow it as a literal. @default false */
  readonly notSecret?: boolean;
}

/** How a workload's logs are parsed by node-level collectors (Fluent Bit, Vector, OpenTelemetry Collector). */
export interface LoggingOptions {
  /** `json`: one JSON object per line, parsed into fields; `text`: lines kept as they are. */
  readonly format: 'json' | 'text';
}

/** Where Prometheus scrapes a workload. */
export interface MetricsOptions {
  /** The container port serving metrics. @default - the service port for http services, 9464 (the OpenTelemetry Prometheus exporter's) for grpc and tcp services, the health port (else 8080) for workers */
  readonly port?: number;
  /** @default '/metrics' */
  readonly path?: string;
  /** @default - the app's monitoring.scrapeInterval ('30s') */
  readonly interval?: string;
}

/** What a concrete construct tells the shared workload code. */
export interface WorkloadSpec {
  readonly component: string;
  readonly defaultReplicas: number;
  /**
   * Another controller scales the Deployment (KEDA): no HorizontalPodAutoscaler is made, and
   * `autoscaling.minReplicas` may be 0, which is then its default.
   */
  readonly externalScaler?: boolean;
  /**
   * Prometheus scrapes the app's own metrics (false for Jobs, too short-lived to scrape, and
   * for `metrics: false`): the pods get the `prometheus.io/*` annotations in a mesh. @default true
   */
  readonly scraped?: boolean;
  /**
   * The app is not scraped, but its mesh sidecar is: its request metrics (the alerts, panels
   * and SLOs of `queries`) come from istio-proxy, whose stats Istio's agent serves on 15020
   * whether or not the app serves any. @default false
   */
  readonly sidecarMetrics?: boolean;
  /**
   * `deployment` (default); `job`: the subclass runs the pod template as Jobs, so no Deployment,
   * PDB or HPA; `statefulset`: the subclass makes a StatefulSet of the pod template (PDB and
   * spread as a Deployment's, no HPA).
   */
  readonly controller?: 'deployment' | 'job' | 'statefulset';
  /**
   * An Argo Rollouts `Rollout` runs the pods (a service's `progressiveDelivery`): the Deployment
   * holds the pod template without `replicas` (the Rollout's `workloadRef`), the autoscaler
   * scales the Rollout, alerts and panels watch the Rollout's ReplicaSets. @default false
   */
  readonly rollout?: boolean;
  /** The workload has a Service (so `serviceLabels` and `serviceAnnotations` apply). @default false */
  readonly hasService?: boolean;
  /** Volumes the controller provides (a StatefulSet's volumeClaimTemplates), mounted into the main container. @default - none */
  readonly claimTemplateMounts?: ReadonlyArray<{ readonly prop: string; readonly name: string; readonly mountPath: string; readonly subPath?: string }>;
  readonly ports: k8s.ContainerPort[];
  /** The port probes connect to. */
  readonly probeTarget: ProbeTarget;
  readonly defaultProbes: { readiness?: Probe; liveness: Probe };
  /** The container port Prometheus scrapes. */
  readonly metricsPort: number;
  /** The URL path of the metrics. */
  readonly metricsPath: string;
  /** Request metrics of a service; undefined for workers and tcp services. */
  readonly queries?: RequestQueries;
  /** The service level objectives, checked against `queries`. @default - none */
  readonly slo?: ResolvedSlo;
}

const WORKLOAD: PropNames<WorkloadProps> = {
  image: true, replicas: true, autoscaling: true, resources: true, env: true, envNotSecret: true, secretEnv: true, config: true,
  command: true, args: true, probes: true, rollingUpdate: true, revisionHistoryLimit: true, shutdown: true, nodeSelector: true,
  tolerations: true, affinity: true, topologySpread: true, component: true, version: true, automountServiceAccountToken: true, serviceAccount: true,
  logging: true, runAsUser: true, runAsGroup: true,
  // the pod (lib/pod)
  user: true, writablePaths: true, writablePathSizeLimit: true, claims: true, secretFiles: true, configMapEnv: true, fieldEnv: true,
  envFromConfigMaps: true, initContainers: true, sidecars: true, imagePullSecrets: true, priorityClassName: true,
  podLabels: true, podAnnotations: true, serviceLabels: true, serviceAnnotations: true,
};
// the workload props a controller kind does not take, left out of its list
const { autoscaling: _a, rollingUpdate: _r, ...STATEFUL_WORKLOAD } = WORKLOAD;
const { replicas: _j1, autoscaling: _j2, rollingUpdate: _j3, revisionHistoryLimit: _j4, topologySpread: _j5, probes: _j6, ...JOB_WORKLOAD } = WORKLOAD;

/** The names of WorkloadProps (for each controller kind) and of its options, for checkKnownProps(). */
export const WORKLOAD_PROPS = {
  /** Every workload prop: what a Deployment's constructs spread into their own lists. */
  deployment: WORKLOAD,
  /** Less autoscaling and rollingUpdate (a StatefulSet has neither). */
  statefulSet: STATEFUL_WORKLOAD,
  /** Less what runs pods for ever (replicas, autoscaling, rollout, spread, probes). */
  job: JOB_WORKLOAD,
  autoscaling: propNames<AutoscalingOptions>({ minReplicas: true, maxReplicas: true, targetCpuUtilization: true, targetMemoryUtilization: true }),
  rollingUpdate: propNames<RollingUpdateOptions>({ maxSurge: true, maxUnavailable: true }),
  shutdown: propNames<ShutdownOptions>({ preStopSleepSeconds: true, terminationGracePeriodSeconds: true }),
  secretEnv: propNames<SecretEnvSource>({ secretName: true, key: true, optional: true }),
  config: propNames<ConfigFilesOptions>({ files: true, mountPath: true }),
  connect: propNames<ConnectOptions>({ env: true, format: true }),
  external: propNames<ExternalConnectionOptions>({ name: true, host: true, cidr: true, port: true, protocol: true, env: true }),
  logging: propNames<LoggingOptions>({ format: true }),
  metrics: propNames<MetricsOptions>({ port: true, path: true, interval: true }),
} as const;
