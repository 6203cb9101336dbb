import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import * as k8s from './rendering/kube';
import { Construct } from 'constructs';
import { MicroserviceConfigError, show } from './errors';
import { checkVersion, parseImage, versionOf } from './image';
import { INSTANCE, NOT_SECRET_ANNOTATION, VERSION, serviceSelector, standardLabels, workloadSelector } from './labels';
import { MicroserviceApp } from './microservice-app';
import { principal } from './mesh/istio';
import { checkEnvName, checkHostname, checkObjectName, upperSnake } from './names';
import { admitPolicyName, allowPolicy, anywherePeers, edgePolicyName, peersOf, podsPeer } from './policy/network-policy';
import { Probe, ProbeOptions, ProbeTarget, renderProbes } from './probes';
import { ResourceOptions, renderResources } from './resources';
import { SecurityOptions, containerSecurityContext, podSecurityContext } from './security';
import type { ServiceTarget } from './service-target';
import { PodProps } from './pod/pod-props';
import { assemblePod } from './pod/assemble';
import { literalEnvMessage, renderFieldEnv } from './pod/env';
import type { RequestQueries } from './observability/metrics-source';
import type { ScrapeEndpoint } from './observability/monitors';
import { checkKnownProps, isCidr } from './props/checks';
import { PROPS } from './props/known';
import { checkPodProps } from './props/pod-props';
import type { AlertOptions, ResolvedSlo, WorkloadTelemetry } from './observability/model';
import { checkAlertOptions } from './observability/alert-options';
import { dashboardConfigMapData, dashboardUid, grafanaDashboard } from './observability/dashboard';
import { dashboardConfigMap, prometheusRule } from './observability/monitors';
import { libraryAlertNames, prometheusRuleGroups } from './observability/rules';
import type { PrometheusRule } from '../imports/monitoring.coreos.com';

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
   * Seconds the preStop hook waits (`sleep`) before the container gets SIGTERM, so that
   * Services, Ingress controllers and kube-proxy stop sending traffic first. The image needs a
   * `sleep` binary on its PATH; 0 removes the hook (then the app must keep serving briefly
   * after SIGTERM by itself).
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
  /** The environment variable. @default '<TARGET_ID>_URL' in upper snake case */
  readonly env?: string;
  /** `url` (`http://catalog:80`) or `host:port` (`catalog:3550`). @default 'url' for http targets, 'host:port' otherwise */
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
  /** Probe overrides. @default - the defaults of the protocol */
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
  /** The container port serving metrics. @default - the service port for http services, 9464 (the OpenTelemetry Prometheus exporter's) for grpc and tcp services, the health port for workers */
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
  /** Prometheus scrapes the pods (false for Jobs: too short-lived to scrape). @default true */
  readonly scraped?: boolean;
  /**
   * `deployment` (default); `job`: the subclass runs the pod template as Jobs, so no Deployment,
   * PDB or HPA; `statefulset`: the subclass makes a StatefulSet of the pod template (PDB and
   * spread as a Deployment's, no HPA).
   */
  readonly controller?: 'deployment' | 'job' | 'statefulset';
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

const DEFAULT_MAX_SURGE = '25%';
const DEFAULT_REVISION_HISTORY = 10;
const DEFAULT_PRESTOP_SECONDS = 5;
const DEFAULT_GRACE_SECONDS = 30;
const DEFAULT_CPU_TARGET = 70;
const DEFAULT_MIN_REPLICAS = 2;
const TMP_SIZE = '256Mi';
/**
 * With a mesh, Prometheus (outside the mesh) cannot scrape through STRICT mTLS: Istio's agent
 * serves the app's metrics merged with the sidecar's in plaintext on 15020, at this path. No
 * container declares 15020, and the Prometheus Operator only discovers declared ports, so the
 * monitors find the pod by the port the injected istio-proxy declares (15090,
 * `http-envoy-prom`) and relabel the address to the pod IP on 15020, as Istio's own Prometheus
 * Operator example does (samples/addons/extras/prometheus-operator.yaml).
 */
export const ISTIO_MERGED_METRICS = { port: 15020, path: '/stats/prometheus', proxyPortName: 'http-envoy-prom' };
// Literal env values whose names look like these are refused (the same words the linters flag).
const SECRET_NAME = /(password|passwd|token|secret|bearer|api[_-]?key|private[_-]?key|aws_secret_access_key)/i;

/**
 * The pods, identity, scaling, disruption budget and connections shared by ObservedService
 * and ScaledWorker (the way aws-ecs-patterns shares a base class among its patterns).
 */
export abstract class Workload extends Construct {
  /** The object name of the Deployment, ServiceAccount and (for services) Service. */
  public readonly name: string;
  /** The app the workload belongs to. */
  public readonly app: MicroserviceApp;
  public readonly serviceAccount: k8s.KubeServiceAccount;
  /** The Deployment; undefined for a worker in `mode: 'job'` (its pods are Jobs). */
  public readonly deployment?: k8s.KubeDeployment;
  /** The pod template of the Deployment (or of the Jobs). */
  public readonly podTemplate: k8s.PodTemplateSpec;
  /** The autoscaler, when `autoscaling` is set. */
  public readonly autoscaler?: k8s.KubeHorizontalPodAutoscalerV2;
  /** Present when there can be two or more pods. */
  public readonly podDisruptionBudget?: k8s.KubePodDisruptionBudget;
  /** The ConfigMap holding `config.files`. */
  public readonly configMap?: k8s.KubeConfigMap;
  /** The six recommended labels of this workload's objects and pods. */
  public readonly labels: Record<string, string>;
  /** Labels that select every pod of this workload, across releases. */
  public readonly selectorLabels: Record<string, string>;
  /** The container image, as given. */
  public readonly image: string;
  /** The fixed pod count, or undefined when autoscaled. */
  public readonly replicas?: number;
  /** The autoscaling bounds after defaults, or undefined for a fixed count. */
  public readonly autoscalingRange?: { readonly minReplicas: number; readonly maxReplicas: number };
  /** The container's requests and limits after defaults. */
  public readonly resources: k8s.ResourceRequirements;
  /** Labels and annotations of the workload's Services, with `serviceLabels`/`serviceAnnotations`. */
  public readonly serviceMetadata: { readonly labels: Record<string, string>; readonly annotations?: Record<string, string> };
  /** The service level objectives after defaults, when `slo` is set. */
  public readonly slo?: ResolvedSlo;
  /** The alerts and SLO rules of this workload, when the app's monitoring and rules are on. */
  public get prometheusRule(): PrometheusRule | undefined {
    return this.rule;
  }
  /** The workload's Grafana dashboard ConfigMap, when the app's dashboards are on. */
  public readonly dashboard?: k8s.KubeConfigMap;

  private readonly env: k8s.EnvVar[] = [];
  // env names the user declared not secret, and the pod annotations that record them
  private readonly notSecret: Set<string>;
  private readonly podAnnotations?: Record<string, string>;
  // what a second Deployment of the same pods (a canary) is built from
  private readonly track: { readonly container: k8s.Container; readonly deploymentSpec: Omit<k8s.DeploymentSpec, 'selector' | 'template'>; readonly spread: boolean; readonly autoscaling?: AutoscalingOptions };
  private readonly connected = new Set<ServiceTarget>();
  private readonly metricsPort: number;
  private readonly spec: WorkloadSpec;
  private readonly customAlerts: AlertOptions[] = [];
  // the Deployments of addTrack() (a canary), watched with the workload's own
  private readonly tracks: string[] = [];
  private rule?: PrometheusRule;

  protected constructor(scope: Construct, id: string, props: WorkloadProps, spec: WorkloadSpec) {
    super(scope, id);
    this.app = MicroserviceApp.of(scope, id, new.target.name);
    this.spec = spec;
    checkObjectName(this, 'the id', id);
    checkPodProps(this, props);
    this.name = id;
    const image = parseImage(this, props.image);
    const version = checkVersion(this, 'version', props.version ?? versionOf(image));
    const namespace = this.app.namespaceName;
    const partOf = this.app.node.id;
    this.labels = standardLabels({ name: id, instance: id, version, component: props.component ?? spec.component, partOf });
    this.selectorLabels = serviceSelector(id, partOf);
    this.metricsPort = spec.metricsPort;
    const metadata = { name: id, namespace, labels: this.labels };

    // every prop is checked before the first child exists: a bad prop leaves no half-built workload
    const replicas = this.checkScaling(props, spec);
    this.notSecret = new Set(props.envNotSecret ?? []);
    const monitoring = this.app.monitoring;
    if (spec.slo && !(monitoring?.rules || monitoring?.dashboards)) {
      throw new MicroserviceConfigError(this, `'slo' needs the app's PrometheusRules (its alerts) or dashboards (its error budget), and the app makes neither (${monitoring ? 'monitoring.rules and monitoring.dashboards are false' : 'monitoring is off'}): turn them on, or drop 'slo'`);
    }
    this.slo = spec.slo;
    this.addLiteralEnv(props.env ?? {});
    this.addSecretEnv(props.secretEnv ?? {});
    for (const v of renderFieldEnv(this, props.fieldEnv)) this.pushEnv('fieldEnv', v);
    this.addTelemetryEnv(id);
    const logging = checkLogging(this, props.logging);
    const config = props.config ? this.checkConfig(props.config) : undefined;
    const shutdown = this.checkShutdown(props.shutdown ?? {});
    const rollingUpdate = this.checkRollingUpdate(props.rollingUpdate ?? {});
    const revisionHistoryLimit = props.revisionHistoryLimit ?? DEFAULT_REVISION_HISTORY;
    if (!Number.isInteger(revisionHistoryLimit) || revisionHistoryLimit < 0) {
      throw new MicroserviceConfigError(this, `'revisionHistoryLimit' must be a whole number >= 0, got ${show(props.revisionHistoryLimit)}: keep a few for \`kubectl rollout undo\`, for example 10`);
    }
    const resources = renderResources(this, props.resources);
    this.image = props.image;
    this.resources = resources;
    if (props.autoscaling) {
      this.autoscalingRange = { minReplicas: props.autoscaling.minReplicas ?? (spec.externalScaler ? 0 : DEFAULT_MIN_REPLICAS), maxReplicas: props.autoscaling.maxReplicas };
    } else {
      this.replicas = replicas;
    }
    const probes = renderProbes(this, spec.probeTarget, spec.defaultProbes, props.probes);
    const job = spec.controller === 'job';
    const pod = assemblePod(this, props, {
      id, job, hasService: spec.hasService === true, ports: spec.ports, claimTemplateMounts: spec.claimTemplateMounts ?? [],
      tmpSize: TMP_SIZE, config: config ? { mountPath: config.mountPath ?? `/etc/${id}` } : undefined,
      labels: this.labels,
    });
    for (const [name, s] of Object.entries(pod.configMapEnv)) this.pushEnv('configMapEnv', { name, valueFrom: { configMapKeyRef: s } });
    this.serviceMetadata = pod.serviceMetadata;

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata, automountServiceAccountToken: props.automountServiceAccountToken ?? false,
    });

    const annotations: Record<string, string> = { ...pod.annotations, 'kubectl.kubernetes.io/default-container': id, ...logging.annotations, ...this.meshAnnotations(spec, shutdown) };
    this.podAnnotations = annotations;
    this.markNotSecret();
    if (config) {
      const files = config.files;
      this.configMap = new k8s.KubeConfigMap(this, 'ConfigMap', { metadata: { ...metadata, name: `${id}-config` }, data: files });
      // a new checksum changes the pod template, so a config change rolls the pods
      annotations['checksum/config'] = createHash('sha256').update(JSON.stringify(Object.entries(files))).digest('hex');
    }

    const container: k8s.Container = {
      name: id,
      image: props.image,
      imagePullPolicy: 'IfNotPresent',
      command: props.command,
      args: props.args,
      ports: spec.ports.length ? spec.ports : undefined,
      env: this.env,
      envFrom: pod.envFrom,
      resources,
      securityContext: containerSecurityContext(pod.security),
      ...probes,
      lifecycle: shutdown.preStopSleepSeconds > 0
        ? { preStop: { exec: { command: ['sleep', String(shutdown.preStopSleepSeconds)] } } }
        : undefined,
      volumeMounts: pod.mounts,
    };

    const selector = workloadSelector(id, id);
    const manyPods = !job && (props.autoscaling !== undefined || replicas >= 2);
    const deploymentSpec = {
      // an autoscaled Deployment leaves replicas to the autoscaler: a value here would reset
      // the live count on every apply
      replicas: props.autoscaling ? undefined : replicas,
      revisionHistoryLimit,
      strategy: { type: 'RollingUpdate', rollingUpdate },
    };
    this.track = { container, deploymentSpec, spread: props.topologySpread !== false, autoscaling: spec.externalScaler ? undefined : props.autoscaling };
    this.podTemplate = {
      metadata: { labels: { ...pod.labels, ...this.labels, ...logging.labels }, annotations },
      spec: {
        serviceAccountName: id,
        automountServiceAccountToken: props.automountServiceAccountToken ?? false,
        // service links put one env var per Service of the namespace into every pod
        enableServiceLinks: false,
        // a large volume is re-owned on every start unless its root already has the group
        securityContext: { ...podSecurityContext(pod.security), fsGroupChangePolicy: pod.persistent ? 'OnRootMismatch' : undefined },
        terminationGracePeriodSeconds: shutdown.terminationGracePeriodSeconds,
        // a Job's pod ends; a failed one is replaced by the Job (backoffLimit), not restarted in place
        restartPolicy: job ? 'Never' : undefined,
        imagePullSecrets: pod.imagePullSecrets,
        priorityClassName: pod.priorityClassName,
        initContainers: pod.initContainers,
        containers: [container, ...pod.sidecars],
        volumes: pod.volumes,
        nodeSelector: props.nodeSelector,
        tolerations: props.tolerations,
        affinity: props.affinity,
        topologySpreadConstraints: manyPods && props.topologySpread !== false ? spreadConstraints(selector, spec.controller !== 'statefulset') : undefined,
      },
    };
    if (!job && spec.controller !== 'statefulset') {
      this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
        metadata,
        spec: { ...deploymentSpec, selector: { matchLabels: selector }, template: this.podTemplate },
      });
    }

    if (props.autoscaling && !spec.externalScaler) this.autoscaler = this.makeAutoscaler(this, metadata, props.autoscaling);
    if (manyPods) this.podDisruptionBudget = disruptionBudget(this, 'PodDisruptionBudget', metadata, selector);
    this.app._registerWorkload(this);
    // every controller has its alerts and panels: a Deployment's, a StatefulSet's, Jobs'
    if (monitoring?.rules) this.ensureRule();
    if (monitoring?.dashboards) {
      this.dashboard = dashboardConfigMap(this, { name: `${id}-dashboard`, namespace, labels: { ...this.labels, ...monitoring.labels } },
        () => dashboardConfigMapData(`${namespace}-${id}`, grafanaDashboard(this.app.node.id, namespace, [this.telemetry()], { title: `${this.app.node.id}/${id}`, uid: this.dashboardUid })));
    }
    if (this.app.prometheus && spec.scraped !== false) {
      allowPolicy(this, 'AllowPrometheus', {
        name: admitPolicyName(id, 'prometheus'), namespace, labels: this.labels, podSelector: this.selectorLabels,
        direction: 'Ingress', peers: peersOf(this.app.prometheus), ports: [{ port: this.app.mesh ? ISTIO_MERGED_METRICS.port : this.metricsPort }],
      });
    }
  }

  /** The kind of the object that runs the pods: what kube-state-metrics reports them under. */
  protected get controllerKind(): NonNullable<WorkloadTelemetry['controller']> {
    return this.spec.controller === 'statefulset' ? 'StatefulSet' : this.spec.controller === 'job' ? 'Job' : 'Deployment';
  }

  /** What the alerts and panels of a Job's workload know of its deadlines. @default - none */
  protected get jobDeadlines(): Pick<WorkloadTelemetry, 'activeDeadlineSeconds' | 'startingDeadlineSeconds'> {
    return {};
  }

  /** The mesh identity of the pods (their ServiceAccount's), as AuthorizationPolicies name it. */
  public get principal(): string {
    return principal(this.app.mesh?.trustDomain ?? 'cluster.local', this.app.namespaceName, this.name);
  }

  /** Where a monitor scrapes: the named metrics port, or with a mesh Istio's merged metrics. */
  protected scrapeTarget(portName: string): Pick<ScrapeEndpoint, 'port' | 'path' | 'viaContainerPort'> {
    if (!this.app.mesh) return { port: portName, path: this.spec.metricsPath };
    return {
      port: ISTIO_MERGED_METRICS.proxyPortName,
      path: ISTIO_MERGED_METRICS.path,
      viaContainerPort: { containerPort: ISTIO_MERGED_METRICS.proxyPortName, addressPort: ISTIO_MERGED_METRICS.port },
    };
  }

  /**
   * A second Deployment of the same pods with another image (`<id>-<suffix>`, instance label
   * `<id>-<suffix>`, a disruption budget from 2 pods): selected by the workload's Services and
   * policies, not by its Deployment. A number is a fixed pod count; bounds give the track an
   * autoscaler of its own on the workload's utilization targets (the stable one scales only
   * the stable Deployment). Returns the Deployment.
   */
  protected addTrack(suffix: string, image: string, version: string, scaling: number | { readonly minReplicas: number; readonly maxReplicas: number }): k8s.KubeDeployment {
    const instance = `${this.name}-${suffix}`;
    const selector = workloadSelector(this.name, instance);
    const labels = { ...this.labels, [INSTANCE]: instance, [VERSION]: version };
    const metadata = { name: instance, namespace: this.app.namespaceName, labels };
    const scope = new Construct(this, `Track-${suffix}`);
    const autoscaled = typeof scaling !== 'number';
    if (autoscaled && !this.track.autoscaling) throw new Error(`addTrack: bounds need an autoscaled workload (${this.node.path})`);
    const manyPods = autoscaled || scaling >= 2;
    this.tracks.push(instance);
    const deployment = new k8s.KubeDeployment(scope, 'Deployment', {
      metadata,
      spec: {
        ...this.track.deploymentSpec,
        replicas: autoscaled ? undefined : scaling,
        selector: { matchLabels: selector },
        template: {
          // the env array and annotations are shared: connectTo() after this still reaches both tracks
          metadata: { labels: { ...this.podTemplate.metadata!.labels, [INSTANCE]: instance, [VERSION]: version }, annotations: this.podTemplate.metadata!.annotations },
          spec: {
            ...this.podTemplate.spec!,
            containers: [{ ...this.track.container, image }, ...this.podTemplate.spec!.containers.slice(1)],
            topologySpreadConstraints: manyPods && this.track.spread ? spreadConstraints(selector) : undefined,
          },
        },
      },
    });
    if (autoscaled) this.makeAutoscaler(scope, metadata, { ...this.track.autoscaling!, ...scaling });
    if (manyPods) disruptionBudget(scope, 'PodDisruptionBudget', metadata, selector);
    return deployment;
  }

  // Istio: hold the app until the sidecar can carry its calls, keep the sidecar as long as the
  // app may run, and say where the app's metrics are so the agent merges them into its
  // plaintext endpoint
  private meshAnnotations(spec: WorkloadSpec, shutdown: Required<ShutdownOptions>): Record<string, string> {
    if (!this.app.mesh) return {};
    return {
      // a Job's pod ends when its main container does: a classic sidecar never exits, so the
      // proxy runs as a native sidecar (an init container with restartPolicy Always) instead,
      // stopped by the kubelet only after the app ended: no drain to wait for, which would only
      // hold the Job (and what runs after it) back by the grace period
      ...(spec.controller === 'job'
        ? { 'proxy.istio.io/config': JSON.stringify({ holdApplicationUntilProxyStarts: true }), 'sidecar.istio.io/nativeSidecar': 'true' }
        : { 'proxy.istio.io/config': JSON.stringify(sidecarProxyConfig(shutdown)) }),
      ...(spec.scraped !== false ? { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(spec.metricsPort), 'prometheus.io/path': spec.metricsPath } : {}),
    };
  }

  /** What alert, SLO and dashboard generators know about this workload. */
  public telemetry(): WorkloadTelemetry {
    const monitoring = this.app.monitoring;
    return {
      app: this.app.node.id,
      namespace: this.app.namespaceName,
      name: this.name,
      kind: this.spec.component === 'worker' || this.spec.controller === 'job' ? 'worker' : 'service',
      controller: this.controllerKind,
      queries: this.spec.queries,
      slo: this.slo,
      replicas: this.replicas,
      autoscaling: this.autoscalingRange,
      container: this.name,
      runbookBaseUrl: monitoring?.runbookBaseUrl ?? '',
      customAlerts: [...this.customAlerts],
      tracks: [...this.tracks],
      claimTemplates: this.spec.claimTemplateMounts?.map(m => m.name),
      ...this.jobDeadlines,
      dashboardUrl: monitoring?.dashboards ? `${monitoring.grafanaUrl ?? ''}/d/${this.dashboardUid}` : undefined,
    };
  }

  /**
   * Adds an alert of your own to the workload's PrometheusRule, with the labels every alert of
   * the library carries (`severity`, `namespace`, `service` or `workload`) and the runbook and
   * dashboard links. Checked at once: the name (UpperCamelCase, not one of the library's alerts
   * or one added before), the PromQL, `for` and the annotation templates.
   */
  public addAlert(options: AlertOptions): this {
    const monitoring = this.app.monitoring;
    if (!monitoring?.rules) {
      throw new MicroserviceConfigError(this, `addAlert(${show(options?.name)}): the app makes no PrometheusRules (${monitoring ? 'monitoring.rules is false' : 'monitoring is off'}), so the alert would go nowhere: turn them on, or drop the alert`);
    }
    const taken = new Set([...libraryAlertNames(this.telemetry()), ...this.customAlerts.map(a => a.name)]);
    this.customAlerts.push(checkAlertOptions(this, options, taken));
    this.ensureRule();
    return this;
  }

  /** The uid of the workload's Grafana dashboard: `<namespace>_<name>` (a DNS label has no '_', so no two clash). */
  private get dashboardUid(): string {
    return dashboardUid(`${this.app.namespaceName}_${this.name}`);
  }

  // one PrometheusRule per workload, named after it: its size does not grow with the app, and
  // removing the workload removes its alerts
  private ensureRule(): void {
    if (this.rule) return;
    const monitoring = this.app.monitoring!;
    this.rule = prometheusRule(this, { name: this.name, namespace: this.app.namespaceName, labels: { ...this.labels, ...monitoring.ruleLabels } },
      () => prometheusRuleGroups(this.telemetry()));
  }

  /** The services this workload calls, in the order connectTo() first named them. */
  public get connections(): ServiceTarget[] {
    return [...this.connected];
  }

  /**
   * Lets this workload call `target`: an environment variable with the target's address and
   * network policy for exactly that traffic (egress here, ingress there).
   */
  public connectTo(target: ServiceTarget, options: ConnectOptions = {}): void {
    // a worker or a job (anything without a Service) has no address to call
    if (!target || typeof (target as Partial<ServiceTarget>).address !== 'function' || typeof (target as Partial<ServiceTarget>).portName !== 'string') {
      const what = target instanceof Workload ? `'${(target as Workload).node.id}', a ${(target as Workload).constructor.name} with no Service` : show(target);
      throw new MicroserviceConfigError(this, `connectTo() needs a workload with a Service to call (an ObservedService or a StatefulService), got ${what}: connect the other way round, or give it a queue or a Service`);
    }
    checkKnownProps(this, options, PROPS.connect, `connectTo(${target.node.id}) options.`);
    const format = options.format ?? (target.protocol === 'http' ? 'url' : 'host:port');
    if (format !== 'url' && format !== 'host:port') {
      throw new MicroserviceConfigError(this, `connectTo(${target.node.id}): 'format' must be 'url' or 'host:port', got ${show(format)}`);
    }
    const envName = options.env ?? `${upperSnake(target.node.id)}_URL`;
    if (target.app.mesh && !this.app.mesh) {
      throw new MicroserviceConfigError(this, `connectTo(${target.node.id}): '${target.node.id}' is in the mesh of app '${target.app.node.id}', which accepts mutual TLS only, but this workload's app has no mesh: set mesh: 'istio' on app '${this.app.node.id}' too`);
    }
    this.pushEnv('connectTo.env', { name: envName, value: target.address(format, this.app) });
    if (this.connected.has(target)) return;
    this.connected.add(target);
    target._admitCaller(this);
    const sameApp = target.app === this.app;
    allowPolicy(this, `AllowTo-${target.app.node.id}-${target.node.id}`, {
      name: edgePolicyName(this.name, 'to', target.name, sameApp ? undefined : target.app.namespaceName),
      namespace: this.app.namespaceName, labels: this.labels, podSelector: this.selectorLabels, direction: 'Egress',
      peers: [podsPeer({ namespace: sameApp ? undefined : target.app.namespaceName, podLabels: target.selectorLabels })],
      // by name: the policy follows the container port if it changes, on every track of the target
      ports: [{ port: target.portName }],
    });
    allowPolicy(target, `AllowFrom-${this.app.node.id}-${this.node.id}`, {
      name: edgePolicyName(target.name, 'from', this.name, sameApp ? undefined : this.app.namespaceName),
      namespace: target.app.namespaceName, labels: target.labels, podSelector: target.selectorLabels, direction: 'Ingress',
      peers: [podsPeer({ namespace: sameApp ? undefined : this.app.namespaceName, podLabels: this.selectorLabels })],
      ports: [{ port: target.portName }],
    });
  }

  /**
   * Lets this workload reach a destination outside the app. A `cidr` is allowed exactly. A
   * `host` in the cluster (`<service>.<namespace>[.svc[.cluster.local]]`) becomes that
   * namespace's pods; any other host any address on the port, because NetworkPolicy has no
   * DNS names (give a `cidr` for a tighter rule; a mesh's ServiceEntry can pin the name).
   */
  public connectToExternal(o: ExternalConnectionOptions): void {
    const what = `connectToExternal(${show(o?.name)})`;
    checkKnownProps(this, o, PROPS.external, `${what} options.`);
    if (!o || typeof o.name !== 'string' || !/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(o.name) || o.name.length > 63) {
      throw new MicroserviceConfigError(this, `${what}: 'name' must be a lowercase DNS label such as 'orders-db'`);
    }
    if ((o.host === undefined) === (o.cidr === undefined)) {
      throw new MicroserviceConfigError(this, `${what}: give exactly one of 'host' and 'cidr', got ${o.host === undefined ? 'neither' : 'both'}`);
    }
    if (typeof o.port === 'string') throw new MicroserviceConfigError(this, `${what}: 'port' must be a number, got ${show(o.port)}: write it without quotes`);
    if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) throw new MicroserviceConfigError(this, `${what}: 'port' must be 1-65535, got ${show(o.port)}`);
    if (o.protocol !== undefined && o.protocol !== 'TCP' && o.protocol !== 'UDP') throw new MicroserviceConfigError(this, `${what}: 'protocol' must be 'TCP' or 'UDP', got ${show(o.protocol)}`);
    if (o.env !== undefined && o.cidr !== undefined) throw new MicroserviceConfigError(this, `${what}: 'env' needs 'host': a CIDR is no address to connect to`);
    let peers: k8s.NetworkPolicyPeer[];
    if (o.cidr !== undefined) {
      if (!isCidr(o.cidr)) throw new MicroserviceConfigError(this, `${what}: 'cidr' ${show(o.cidr)} is not an IPv4 or IPv6 CIDR such as '10.20.0.0/16'`);
      peers = [{ ipBlock: { cidr: o.cidr } }];
    } else {
      checkHostname(this, 'connectToExternal.host', o.host!);
      const inCluster = /^[a-z0-9-]+\.([a-z0-9-]+)(\.svc(\.cluster\.local)?)?$/.exec(o.host!);
      peers = inCluster ? [podsPeer({ namespace: inCluster[1] })] : anywherePeers();
      this.pushEnv('connectToExternal.env', { name: o.env ?? `${upperSnake(o.name)}_URL`, value: `${o.host}:${o.port}` });
    }
    allowPolicy(this, `AllowToExternal-${o.name}`, {
      name: `${this.name}.to-external.${o.name}`, namespace: this.app.namespaceName, labels: this.labels,
      podSelector: this.selectorLabels, direction: 'Egress', peers, ports: [{ port: o.port, protocol: o.protocol ?? 'TCP' }],
    });
  }

  /** Adds a literal environment variable (never a secret: use the `secretEnv` prop). */
  public addEnv(name: string, value: string, options: AddEnvOptions = {}): void {
    checkKnownProps(this, options, ['notSecret'], 'addEnv options.');
    if (options.notSecret) {
      this.notSecret.add(name);
      this.markNotSecret();
    }
    this.addLiteral('addEnv', name, value);
  }

  private addLiteral(prop: string, name: string, value: string): void {
    if (typeof value !== 'string') throw new MicroserviceConfigError(this, literalEnvMessage(prop, name, value));
    if (SECRET_NAME.test(name) && !this.notSecret.has(name)) {
      const how = prop === 'addEnv' ? `addEnv('${name}', value, { notSecret: true })` : `envNotSecret: ['${name}']`;
      throw new MicroserviceConfigError(this, `'${prop}' ${show(name)} looks like a secret but holds a literal value: put it in a Secret and use secretEnv: { ${name}: { secretName, key } }; if it is no secret, say so with ${how}`);
    }
    this.pushEnv(prop, { name, value });
  }

  // the names declared not secret, on the pod template, for `cdk8s-ms validate` and reviewers
  private markNotSecret(): void {
    if (!this.podAnnotations || this.notSecret.size === 0) return;
    this.podAnnotations[NOT_SECRET_ANNOTATION] = [...this.notSecret].sort().join(',');
  }

  private pushEnv(prop: string, v: k8s.EnvVar): void {
    checkEnvName(this, prop, v.name);
    if (this.env.some(e => e.name === v.name)) {
      throw new MicroserviceConfigError(this, `'${prop}' sets ${show(v.name)} a second time: each environment variable must have one source (rename one, for example with connectTo(target, { env: 'OTHER_NAME' }))`);
    }
    this.env.push(v);
  }

  // OpenTelemetry SDKs read their identity and exporter from these; a variable the user set
  // already wins. Pod, namespace, node and version come from the downward API, so they are
  // true for each pod (the version follows the pod's label through a rollout).
  private addTelemetryEnv(id: string): void {
    const has = (n: string) => this.env.some(e => e.name === n);
    const field = (name: string, fieldPath: string) => {
      if (!has(name)) this.pushEnv('telemetry', { name, valueFrom: { fieldRef: { fieldPath } } });
    };
    field('OTEL_RESOURCE_ATTRIBUTES_POD_NAME', 'metadata.name');
    field('OTEL_RESOURCE_ATTRIBUTES_NAMESPACE_NAME', 'metadata.namespace');
    field('OTEL_RESOURCE_ATTRIBUTES_NODE_NAME', 'spec.nodeName');
    field('OTEL_RESOURCE_ATTRIBUTES_SERVICE_VERSION', "metadata.labels['app.kubernetes.io/version']");
    const literal = (name: string, value: string) => {
      if (!has(name)) this.pushEnv('telemetry', { name, value });
    };
    literal('OTEL_SERVICE_NAME', id);
    literal('OTEL_RESOURCE_ATTRIBUTES', [
      `service.namespace=${this.app.node.id}`,
      'service.version=$(OTEL_RESOURCE_ATTRIBUTES_SERVICE_VERSION)',
      'k8s.namespace.name=$(OTEL_RESOURCE_ATTRIBUTES_NAMESPACE_NAME)',
      'k8s.pod.name=$(OTEL_RESOURCE_ATTRIBUTES_POD_NAME)',
      'k8s.node.name=$(OTEL_RESOURCE_ATTRIBUTES_NODE_NAME)',
      // the OpenTelemetry k8s resource attribute of the controller (a Job's name is per release)
      ...(this.spec.controller === 'job' ? [] : [`k8s.${this.spec.controller ?? 'deployment'}.name=${id}`]),
    ].join(','));
    if (this.app.otlp) {
      literal('OTEL_EXPORTER_OTLP_ENDPOINT', this.app.otlp.endpoint);
      literal('OTEL_EXPORTER_OTLP_PROTOCOL', this.app.otlp.protocol);
    }
  }

  private addLiteralEnv(env: Record<string, string>): void {
    for (const [name, value] of Object.entries(env)) this.addLiteral('env', name, value);
  }

  private addSecretEnv(env: Record<string, SecretEnvSource>): void {
    for (const [name, s] of Object.entries(env)) {
      if (!s || typeof s.secretName !== 'string' || typeof s.key !== 'string' || !s.secretName || !s.key) {
        throw new MicroserviceConfigError(this, `'secretEnv.${name}' must name a Secret and a key, got ${show(s)}: for example { secretName: 'db', key: 'password' }`);
      }
      this.pushEnv('secretEnv', { name, valueFrom: { secretKeyRef: { name: s.secretName, key: s.key, optional: s.optional } } });
    }
  }

  private checkScaling(props: WorkloadProps, spec: WorkloadSpec): number {
    const defaultReplicas = spec.defaultReplicas;
    if (props.replicas !== undefined && props.autoscaling !== undefined) {
      throw new MicroserviceConfigError(this, `'replicas' (${props.replicas}) and 'autoscaling' are exclusive: keep 'autoscaling' and drop 'replicas', or the reverse`);
    }
    const replicas = props.replicas ?? defaultReplicas;
    if (!Number.isInteger(replicas) || replicas < 0) {
      throw new MicroserviceConfigError(this, `'replicas' must be a whole number >= 0, got ${show(props.replicas)}`);
    }
    const a = props.autoscaling;
    if (a) {
      // an HPA cannot scale to zero; an event-driven scaler (KEDA) can
      const floor = spec.externalScaler ? 0 : 1;
      const min = a.minReplicas ?? (spec.externalScaler ? 0 : DEFAULT_MIN_REPLICAS);
      if (!Number.isInteger(min) || min < floor) {
        const fix = floor === 1 ? ': only a queue-driven ScaledWorker (queue) can scale to zero' : '';
        throw new MicroserviceConfigError(this, `'autoscaling.minReplicas' must be a whole number >= ${floor}, got ${show(a.minReplicas)}${fix}`);
      }
      if (!Number.isInteger(a.maxReplicas) || a.maxReplicas < min) {
        throw new MicroserviceConfigError(this, `'autoscaling.maxReplicas' (${show(a.maxReplicas)}) must be a whole number >= minReplicas (${min}): raise maxReplicas or lower minReplicas`);
      }
      for (const k of ['targetCpuUtilization', 'targetMemoryUtilization'] as const) {
        const v = a[k];
        if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)) {
          throw new MicroserviceConfigError(this, `'autoscaling.${k}' must be a positive whole percentage of the request, got ${show(v)}: for example 70`);
        }
      }
    }
    return replicas;
  }

  private checkRollingUpdate(r: RollingUpdateOptions): k8s.RollingUpdateDeployment {
    // a surge may exceed 100% (twice the pods during a rollout); unavailability may not
    const value = (prop: string, v: number | string, maxPercent: number) => {
      if ((typeof v === 'number' && Number.isInteger(v) && v >= 0) || (typeof v === 'string' && /^\d+%$/.test(v) && parseInt(v, 10) <= maxPercent)) {
        return typeof v === 'number' ? v : v;
      }
      const range = maxPercent === Infinity ? "such as '25%'" : `from '0%' to '${maxPercent}%'`;
      throw new MicroserviceConfigError(this, `'rollingUpdate.${prop}' must be a whole number >= 0 or a percentage ${range}, got ${show(v)}`);
    };
    const surge = r.maxSurge ?? DEFAULT_MAX_SURGE;
    const unavailable = r.maxUnavailable ?? 0;
    if (parseInt(String(surge), 10) === 0 && parseInt(String(unavailable), 10) === 0) {
      throw new MicroserviceConfigError(this, "'rollingUpdate' has maxSurge and maxUnavailable both 0, so a rollout could never start: set maxSurge to 1 (or '25%')");
    }
    return { maxSurge: value('maxSurge', surge, Infinity), maxUnavailable: value('maxUnavailable', unavailable, 100) };
  }

  private checkShutdown(s: ShutdownOptions): Required<ShutdownOptions> {
    const preStop = s.preStopSleepSeconds ?? DEFAULT_PRESTOP_SECONDS;
    const grace = s.terminationGracePeriodSeconds ?? Math.max(DEFAULT_GRACE_SECONDS, preStop + DEFAULT_GRACE_SECONDS / 2);
    if (!Number.isInteger(preStop) || preStop < 0) {
      throw new MicroserviceConfigError(this, `'shutdown.preStopSleepSeconds' must be a whole number >= 0, got ${show(s.preStopSleepSeconds)}`);
    }
    if (!Number.isInteger(grace) || grace <= preStop) {
      throw new MicroserviceConfigError(this, `'shutdown.terminationGracePeriodSeconds' (${show(grace)}) must be a whole number above preStopSleepSeconds (${preStop}), or the app gets no time to stop after SIGTERM`);
    }
    return { preStopSleepSeconds: preStop, terminationGracePeriodSeconds: grace };
  }

  private checkConfig(c: ConfigFilesOptions): { files: Record<string, string>; mountPath?: string } {
    const files = c.files ?? {};
    if (Object.keys(files).length === 0) throw new MicroserviceConfigError(this, "'config.files' is empty: give at least one file, for example { 'app.yaml': '...' }");
    for (const [name, content] of Object.entries(files)) {
      if (!/^[-._a-zA-Z0-9]+$/.test(name) || name.length > 253) throw new MicroserviceConfigError(this, `'config.files' has an invalid file name ${show(name)}: use letters, digits, '-', '_' and '.'`);
      if (typeof content !== 'string') throw new MicroserviceConfigError(this, `'config.files.${name}' must be a string, got ${show(content)}`);
    }
    const mountPath = c.mountPath === undefined ? undefined : posix.normalize(c.mountPath).replace(/(.)\/+$/, '$1');
    if (mountPath !== undefined && (!mountPath.startsWith('/') || mountPath === '/' || mountPath === '/tmp')) {
      throw new MicroserviceConfigError(this, `'config.mountPath' must be an absolute path other than '/' and '/tmp', got ${show(c.mountPath)}: for example '/etc/app'`);
    }
    return { files: Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), mountPath };
  }

  // the Deployment it scales has the name in `metadata`
  private makeAutoscaler(scope: Construct, metadata: k8s.ObjectMeta, a: AutoscalingOptions): k8s.KubeHorizontalPodAutoscalerV2 {
    // With a mesh the pod also runs istio-proxy, whose requests are not ours: a `Resource`
    // target would average the app with its sidecar. `ContainerResource` (autoscaling/v2,
    // HPAContainerMetrics: beta and on by default since Kubernetes 1.27, GA in 1.30) measures the
    // app container alone.
    const metric = (name: string, target: number): k8s.MetricSpecV2 => (this.app.mesh
      ? { type: 'ContainerResource', containerResource: { name, container: this.name, target: { type: 'Utilization', averageUtilization: target } } }
      : { type: 'Resource', resource: { name, target: { type: 'Utilization', averageUtilization: target } } });
    const metrics: k8s.MetricSpecV2[] = [];
    const cpu = a.targetCpuUtilization ?? (a.targetMemoryUtilization === undefined ? DEFAULT_CPU_TARGET : undefined);
    if (cpu !== undefined) metrics.push(metric('cpu', cpu));
    if (a.targetMemoryUtilization !== undefined) metrics.push(metric('memory', a.targetMemoryUtilization));
    return new k8s.KubeHorizontalPodAutoscalerV2(scope, 'Autoscaler', {
      metadata,
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: metadata.name! },
        minReplicas: a.minReplicas ?? DEFAULT_MIN_REPLICAS,
        maxReplicas: a.maxReplicas,
        metrics,
        behavior: {
          // scale up at the Kubernetes pace, scale down slowly: a brief lull must not shed
          // capacity that the next burst needs
          scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] },
        },
      },
    });
  }
}

/**
 * The pod's ProxyConfig (annotation `proxy.istio.io/config`). On SIGTERM the sidecar stops
 * taking inbound connections but keeps carrying outbound calls, and Envoy is killed after
 * `terminationDrainDuration` (Istio's default 5 s): with the app's own 5 s preStop sleep, the
 * app would get SIGTERM just as its proxy goes, and every call it makes while shutting down
 * (flushes, acks, deregistration) would fail. A drain as long as the grace period keeps the
 * sidecar for as long as the app may run; the kubelet stops both at the end of it.
 */
export function sidecarProxyConfig(shutdown: Required<ShutdownOptions>): Record<string, unknown> {
  return { holdApplicationUntilProxyStarts: true, terminationDrainDuration: `${shutdown.terminationGracePeriodSeconds}s` };
}

const LOG_FORMAT_LABEL = 'cdk8s-microservices.io/log-format';

/**
 * The pod labels and annotations that node-level log collectors act on: Fluent Bit's
 * `fluentbit.io/parser` (with K8S-Logging.Parser on), the OpenTelemetry Collector's
 * annotation discovery (`io.opentelemetry.discovery.logs/*`, receiver_creator with discovery
 * enabled), and a format label any collector (Vector's kubernetes_logs) can route on.
 */
function checkLogging(scope: Construct, o: LoggingOptions = { format: 'text' }): { labels: Record<string, string>; annotations: Record<string, string> } {
  if (o.format !== 'json' && o.format !== 'text') {
    throw new MicroserviceConfigError(scope, `'logging.format' must be 'json' or 'text', got ${show(o.format)}`);
  }
  const annotations: Record<string, string> = { 'io.opentelemetry.discovery.logs/enabled': 'true' };
  if (o.format === 'json') {
    annotations['fluentbit.io/parser'] = 'json';
    // the list replaces the receiver's default operators, so the container parser comes first
    annotations['io.opentelemetry.discovery.logs/config'] = 'operators:\n  - type: container\n    id: container-parser\n  - type: json_parser\n    parse_from: body\n    on_error: send_quiet\n';
  }
  return { labels: { [LOG_FORMAT_LABEL]: o.format }, annotations };
}

/** One pod at a time may go: drains proceed, capacity drops by at most one pod. */
function disruptionBudget(scope: Construct, id: string, metadata: k8s.ObjectMeta, selector: Record<string, string>): k8s.KubePodDisruptionBudget {
  return new k8s.KubePodDisruptionBudget(scope, id, {
    metadata,
    spec: {
      maxUnavailable: 1,
      selector: { matchLabels: selector },
      // a pod that is not ready serves nothing: let drains evict it
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  });
}

/** Zones first, then nodes; ScheduleAnyway so a small or tainted cluster still schedules. */
function spreadConstraints(selector: Record<string, string>, byRevision = true): k8s.TopologySpreadConstraint[] {
  return ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map(topologyKey => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: selector },
    // spread each revision on its own, so a rollout does not count the pods it replaces (a
    // StatefulSet replaces its pods in place, one at a time: all of them count)
    matchLabelKeys: byRevision ? ['pod-template-hash'] : undefined,
  }));
}
