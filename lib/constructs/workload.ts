import { createHash } from 'node:crypto';
import * as k8s from '../rendering/kube';
import { Construct } from 'constructs';
import { MicroserviceConfigError, show } from '../errors';
import { checkVersion, parseImage, versionOf } from '../pod/image';
import { INSTANCE, NOT_SECRET_ANNOTATION, VERSION, objectLabels, serviceSelector, standardLabels, workloadSelector } from '../labels';
import { MicroserviceApp } from './microservice-app';
import { principal } from '../network/mesh/istio';
import { checkHostname, checkObjectName, upperSnake } from '../names';
import { admitPolicyName, allowPolicy, anywherePeers, edgePolicyName, peersOf, podsPeer } from '../network/network-policy';
import { renderProbes } from '../pod/probes';
import { renderResources } from '../pod/resources';
import { containerSecurityContext, podSecurityContext } from '../pod/security';
import type { ServiceTarget } from './service-target';
import { assemblePod } from '../pod/assemble';
import type { ScrapeEndpoint } from '../observability/monitors';
import { checkKnownProps, isCidr } from '../props/checks';
import { checkPodProps } from './workload/check-props';
import type { AlertOptions, ResolvedSlo, WorkloadTelemetry } from '../observability/model';
import { checkAlertOptions } from '../observability/alert-options';
import { dashboardConfigMapData, dashboardUid, grafanaDashboard } from '../observability/dashboard';
import { dashboardConfigMap, prometheusRule } from '../observability/monitors';
import { libraryAlertNames, prometheusRuleGroups } from '../observability/rules';
import type { PrometheusRule } from '../../imports/monitoring.coreos.com';
import { disruptionBudget, spreadConstraints } from './workload/disruption';
import { WorkloadEnv } from './workload/env';
import { renderFieldEnv } from '../pod/env';
import { ISTIO_MERGED_METRICS, meshAnnotations } from './workload/mesh';
import { checkConfig, checkLogging, checkShutdown, preStopLifecycle } from './workload/pod-options';
import { AddEnvOptions, AutoscalingOptions, ConnectOptions, ExternalConnectionOptions, WORKLOAD_PROPS, WorkloadProps, WorkloadSpec } from './workload/props';
import { ROLLOUT_HASH_LABEL, ROLLOUT_SCALE_TARGET } from './workload/rollout';
import { DEFAULT_MIN_REPLICAS, checkRollingUpdate, checkScaling, makeAutoscaler } from './workload/scaling';
import { planServiceAccount } from './workload/service-account';

export type { ServiceAccountOptions } from './workload/service-account';
export type {
  AddEnvOptions, AutoscalingOptions, ConfigFilesOptions, ConnectOptions, ExternalConnectionOptions, LoggingOptions, MetricsOptions,
  RollingUpdateOptions, SecretEnvSource, ShutdownOptions, WorkloadProps, WorkloadSpec,
} from './workload/props';
export { ISTIO_MERGED_METRICS, sidecarProxyConfig } from './workload/mesh';

const DEFAULT_REVISION_HISTORY = 10;
const TMP_SIZE = '256Mi';
/**
 * The pods, identity, scaling, disruption budget and connections shared by ObservedService
 * and ScaledWorker (the way aws-ecs-patterns shares a base class among its patterns).
 */
export abstract class Workload extends Construct {
  /** The object name of the Deployment, ServiceAccount and (for services) Service. */
  public readonly name: string;
  /** The app the workload belongs to. */
  public readonly app: MicroserviceApp;
  /** The ServiceAccount the pods run as: the workload's own, or one it shares (`serviceAccount.name`). */
  public readonly serviceAccount: k8s.KubeServiceAccount;
  /** The name of that ServiceAccount (`spec.serviceAccountName`). */
  public readonly serviceAccountName: string;
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
  /**
   * The recommended labels of this workload's objects that run no image (ServiceAccount,
   * Services, autoscaler, disruption budget, policies, monitors, rules, dashboard): name,
   * instance, component, part-of and managed-by. No version: a release leaves these objects as
   * they are. See `workloadLabels`.
   */
  public readonly labels: Record<string, string>;
  /**
   * The six recommended labels, `app.kubernetes.io/version` included: on the object that runs
   * the image (Deployment, StatefulSet, Job, CronJob, ScaledJob) and on its pod template.
   */
  public readonly workloadLabels: Record<string, string>;
  /** `app.kubernetes.io/version` of the pods: the `version` prop, else the image tag (or the start of its digest). */
  public readonly version: string;
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
  /** The old ReplicaSets kept for rollback (`revisionHistoryLimit` after defaults). */
  protected readonly revisionHistoryLimit: number;
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

  private readonly env: WorkloadEnv;
  // the pod annotations that record the env names the user declared not secret
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
    const account = planServiceAccount(this, this.app, id, props.serviceAccount);
    this.serviceAccountName = account.name;
    this.name = id;
    const image = parseImage(this, props.image);
    const version = checkVersion(this, 'version', props.version ?? versionOf(image));
    const namespace = this.app.namespaceName;
    const partOf = this.app.node.id;
    const component = props.component ?? spec.component;
    this.version = version;
    this.workloadLabels = standardLabels({ name: id, instance: id, version, component, partOf });
    this.labels = objectLabels({ name: id, instance: id, component, partOf });
    this.selectorLabels = serviceSelector(id, partOf);
    this.metricsPort = spec.metricsPort;
    const metadata = { name: id, namespace, labels: this.labels };

    // every prop is checked before the first child exists: a bad prop leaves no half-built workload
    const replicas = checkScaling(this, props, spec);
    this.env = new WorkloadEnv(this, new Set(props.envNotSecret ?? []));
    const monitoring = this.app.monitoring;
    if (spec.slo && !(monitoring?.rules || monitoring?.dashboards)) {
      throw new MicroserviceConfigError(this, `'slo' needs the app's PrometheusRules (its alerts) or dashboards (its error budget), and the app makes neither (${monitoring ? 'monitoring.rules and monitoring.dashboards are false' : 'monitoring is off'}): turn them on, or drop 'slo'`);
    }
    this.slo = spec.slo;
    this.env.addLiterals(props.env ?? {});
    this.env.addSecrets(props.secretEnv ?? {});
    for (const v of renderFieldEnv(this, props.fieldEnv)) this.env.push('fieldEnv', v);
    this.env.addTelemetry(id, this.app.node.id, spec.controller, this.app.otlp);
    const logging = checkLogging(this, props.logging);
    const config = props.config ? checkConfig(this, props.config) : undefined;
    const shutdown = checkShutdown(this, props.shutdown ?? {});
    const rollingUpdate = checkRollingUpdate(this, props.rollingUpdate ?? {});
    const revisionHistoryLimit = props.revisionHistoryLimit ?? DEFAULT_REVISION_HISTORY;
    if (!Number.isInteger(revisionHistoryLimit) || revisionHistoryLimit < 0) {
      throw new MicroserviceConfigError(this, `'revisionHistoryLimit' must be a whole number >= 0, got ${show(props.revisionHistoryLimit)}: keep a few for \`kubectl rollout undo\`, for example 10`);
    }
    const resources = renderResources(this, props.resources);
    this.revisionHistoryLimit = revisionHistoryLimit;
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
      labels: this.workloadLabels, objectLabels: this.labels, meshed: this.app.mesh !== undefined,
    });
    for (const [name, s] of Object.entries(pod.configMapEnv)) this.env.push('configMapEnv', { name, valueFrom: { configMapKeyRef: s } });
    this.serviceMetadata = pod.serviceMetadata;

    this.serviceAccount = account.create(this, { metadata, automountServiceAccountToken: props.automountServiceAccountToken ?? false });

    const annotations: Record<string, string> = { ...pod.annotations, 'kubectl.kubernetes.io/default-container': id, ...logging.annotations, ...(this.app.mesh ? meshAnnotations(spec, shutdown) : {}) };
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
      env: this.env.vars,
      envFrom: pod.envFrom,
      resources,
      securityContext: containerSecurityContext(pod.security),
      ...probes,
      lifecycle: preStopLifecycle(this, shutdown.preStopSleepSeconds, this.app.kubernetesVersion, props.image),
      volumeMounts: pod.mounts,
    };

    const selector = workloadSelector(id, id);
    const manyPods = !job && (props.autoscaling !== undefined || replicas >= 2);
    const deploymentSpec = {
      // an autoscaled Deployment leaves replicas to the autoscaler: a value here would reset
      // the live count on every apply; under a Rollout the Rollout has them (./workload/rollout.ts)
      replicas: props.autoscaling || spec.rollout ? undefined : replicas,
      revisionHistoryLimit,
      strategy: { type: 'RollingUpdate', rollingUpdate },
    };
    this.track = { container, deploymentSpec, spread: props.topologySpread !== false, autoscaling: spec.externalScaler ? undefined : props.autoscaling };
    this.podTemplate = {
      metadata: { labels: { ...pod.labels, ...this.workloadLabels, ...logging.labels }, annotations },
      spec: {
        serviceAccountName: account.name,
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
        topologySpreadConstraints: manyPods && props.topologySpread !== false ? spreadConstraints(selector, spec.controller !== 'statefulset', spec.rollout ? ROLLOUT_HASH_LABEL : undefined) : undefined,
      },
    };
    if (!job && spec.controller !== 'statefulset') {
      this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
        metadata: { ...metadata, labels: this.workloadLabels },
        spec: { ...deploymentSpec, selector: { matchLabels: selector }, template: this.podTemplate },
      });
    }

    if (props.autoscaling && !spec.externalScaler) {
      this.autoscaler = makeAutoscaler(this, metadata, props.autoscaling, this.app.mesh ? this.name : undefined, spec.rollout ? ROLLOUT_SCALE_TARGET : undefined);
    }
    if (manyPods) this.podDisruptionBudget = disruptionBudget(this, 'PodDisruptionBudget', metadata, selector);
    this.app._registerWorkload(this);
    // every controller has its alerts and panels: a Deployment's, a StatefulSet's, Jobs'
    if (monitoring?.rules) this.ensureRule();
    if (monitoring?.dashboards) {
      this.dashboard = dashboardConfigMap(this, { name: `${id}-dashboard`, namespace, labels: { ...this.labels, ...monitoring.labels } },
        () => dashboardConfigMapData(`${namespace}-${id}`, grafanaDashboard(this.app.node.id, namespace, [this.telemetry()], { title: `${this.app.node.id}/${id}`, uid: this.dashboardUid })));
    }
    if (this.app.prometheus && (spec.scraped !== false || spec.sidecarMetrics)) {
      allowPolicy(this, 'AllowPrometheus', {
        name: admitPolicyName(id, 'prometheus'), namespace, labels: this.labels, podSelector: this.selectorLabels,
        direction: 'Ingress', peers: peersOf(this.app.prometheus), ports: [{ port: this.app.mesh ? ISTIO_MERGED_METRICS.port : this.metricsPort }],
      });
    }
  }

  /** The kind of the object that runs the pods: what kube-state-metrics reports them under. */
  protected get controllerKind(): NonNullable<WorkloadTelemetry['controller']> {
    if (this.spec.rollout) return 'Rollout';
    return this.spec.controller === 'statefulset' ? 'StatefulSet' : this.spec.controller === 'job' ? 'Job' : 'Deployment';
  }

  /** What the alerts and panels of a Job's workload know of its deadlines. @default - none */
  protected get jobDeadlines(): Pick<WorkloadTelemetry, 'activeDeadlineSeconds' | 'startingDeadlineSeconds'> {
    return {};
  }

  /**
   * The mesh identity of the pods (their ServiceAccount's), as AuthorizationPolicies name it:
   * every workload sharing the account has the same.
   */
  public get principal(): string {
    return principal(this.app.mesh?.trustDomain ?? 'cluster.local', this.app.namespaceName, this.serviceAccountName);
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
    // the version on the Deployment and its pods only, as on the workload's own
    const metadata = { name: instance, namespace: this.app.namespaceName, labels: { ...this.labels, [INSTANCE]: instance } };
    const scope = new Construct(this, `Track-${suffix}`);
    const autoscaled = typeof scaling !== 'number';
    if (autoscaled && !this.track.autoscaling) throw new Error(`addTrack: bounds need an autoscaled workload (${this.node.path})`);
    const manyPods = autoscaled || scaling >= 2;
    this.tracks.push(instance);
    const deployment = new k8s.KubeDeployment(scope, 'Deployment', {
      metadata: { ...metadata, labels: { ...this.workloadLabels, [INSTANCE]: instance, [VERSION]: version } },
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
    if (autoscaled) makeAutoscaler(scope, metadata, { ...this.track.autoscaling!, ...scaling }, this.app.mesh ? this.name : undefined);
    if (manyPods) disruptionBudget(scope, 'PodDisruptionBudget', metadata, selector);
    return deployment;
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
   * Lets this workload call `target`: an environment variable with the target's address
   * (none with `env: false`) and network policy for exactly that traffic (egress here, ingress
   * there), and in a mesh the target's AuthorizationPolicy admits this workload's identity.
   */
  public connectTo(target: ServiceTarget, options: ConnectOptions = {}): void {
    // a worker or a job (anything without a Service) has no address to call
    if (!target || typeof (target as Partial<ServiceTarget>).address !== 'function' || typeof (target as Partial<ServiceTarget>).portName !== 'string') {
      const what = target instanceof Workload ? `'${(target as Workload).node.id}', a ${(target as Workload).constructor.name} with no Service` : show(target);
      throw new MicroserviceConfigError(this, `connectTo() needs a workload with a Service to call (an ObservedService or a StatefulService), got ${what}: connect the other way round, or give it a queue or a Service`);
    }
    checkKnownProps(this, options, WORKLOAD_PROPS.connect, `connectTo(${target.node.id}) options.`);
    const format = options.format ?? (target.protocol === 'http' ? 'url' : 'host:port');
    if (format !== 'url' && format !== 'host:port') {
      throw new MicroserviceConfigError(this, `connectTo(${target.node.id}): 'format' must be 'url' or 'host:port', got ${show(format)}`);
    }
    if (options.env !== undefined && options.env !== false && typeof options.env !== 'string') {
      throw new MicroserviceConfigError(this, `connectTo(${target.node.id}): 'env' must be the name of an environment variable, or false for none, got ${show(options.env)}`);
    }
    if (options.env === false && options.format !== undefined) {
      throw new MicroserviceConfigError(this, `connectTo(${target.node.id}): 'format' formats the address variable, and 'env: false' asks for none: drop 'format', or name the variable`);
    }
    if (target.app.mesh && !this.app.mesh) {
      throw new MicroserviceConfigError(this, `connectTo(${target.node.id}): '${target.node.id}' is in the mesh of app '${target.app.node.id}', which accepts mutual TLS only, but this workload's app has no mesh: set mesh: 'istio' on app '${this.app.node.id}' too`);
    }
    if (options.env !== false) this.env.push('connectTo.env', { name: options.env ?? `${upperSnake(target.node.id)}_URL`, value: target.address(format, this.app) });
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
    checkKnownProps(this, o, WORKLOAD_PROPS.external, `${what} options.`);
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
      this.env.push('connectToExternal.env', { name: o.env ?? `${upperSnake(o.name)}_URL`, value: `${o.host}:${o.port}` });
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
      this.env.notSecret.add(name);
      this.markNotSecret();
    }
    this.env.addLiteral('addEnv', name, value);
  }

  // the names declared not secret, on the pod template, for `cdk8s-ms validate` and reviewers
  private markNotSecret(): void {
    if (!this.podAnnotations || this.env.notSecret.size === 0) return;
    this.podAnnotations[NOT_SECRET_ANNOTATION] = [...this.env.notSecret].sort().join(',');
  }


}

