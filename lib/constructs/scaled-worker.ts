import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { ScaledJob, ScaledObject, TriggerAuthentication } from '../../imports/keda.sh';
import { KEDA_PROPS, KedaOptions, scaledJob, scaledObject } from '../keda/scaled-object';
import { QueueTrigger } from '../keda/triggers';
import { checkIntBound, checkKnownProps, checkPort, propNames } from '../props/checks';
import { checkIstioPort } from '../pod/containers';
import { portProbes, undeclaredWorkerLivenessWarning } from '../pod/probes';
import { addWarning } from '../warnings';
import { checkTimeZone, cronNeverFires } from './batch/schedule';
import { WORKLOAD_PROPS } from './workload/props';
import { MicroserviceConfigError, show } from '../errors';
import type { PodMonitor } from '../../imports/monitoring.coreos.com';
import { checkDuration } from '../durations';
import { checkMetricsPath, podMonitor } from '../observability/monitors';
import { MicroserviceApp } from './microservice-app';
import { MetricsOptions, Workload, WorkloadProps } from './workload';

export interface ScaledWorkerProps extends WorkloadProps {
  /**
   * The port the worker serves its health (and metrics) on, declared as the container port
   * `health`: the probes and Prometheus connect here; no Service exposes it. Without it the
   * worker declares no health port, and has no probe unless `probes` gives a command.
   * @default - none: nothing is assumed about the worker (a synth warning says what to declare)
   */
  readonly healthPort?: number;
  /**
   * Where Prometheus scrapes (a PodMonitor). `false` when the worker serves no metrics: no
   * PodMonitor, no NetworkPolicy admitting Prometheus, no `prometheus.io/*` pod annotations,
   * and no metrics port; its alerts and panels come from kube-state-metrics and cAdvisor (the
   * Deployment, its pods and containers), as they do for every worker.
   * @default - the health port (else 8080), '/metrics'
   */
  readonly metrics?: MetricsOptions | false;
  /**
   * Scale on the work waiting, with KEDA: one trigger or several (`QueueTrigger.rabbitmq(...)`,
   * `.kafka`, `.sqs`, `.redisList`, `.redisStream`, `.prometheus`, `.cron`). Needs
   * `autoscaling: { maxReplicas }`; `minReplicas` defaults to 0 (scale to zero when idle), and
   * `targetCpuUtilization` adds a cpu trigger beside the queue ones. No HPA of the library's.
   * @default - no queue: fixed replicas, or an HPA on cpu
   */
  readonly queue?: QueueTrigger | QueueTrigger[];
  /** KEDA settings. @default - see KedaOptions */
  readonly keda?: KedaOptions;
  /**
   * The longest a unit of work may take: the grace period becomes preStop + this + 15 s, so a
   * worker scaled down or drained finishes its message after SIGTERM (stop taking new work on
   * SIGTERM). `'90s'`, `'5m'`, `'1h'`.
   * @default - the default grace period (30 s)
   */
  readonly maxProcessingTime?: string;
  /**
   * `deployment`: long-running pods that take message after message. `job`: run-to-completion
   * work, a KEDA ScaledJob starts Jobs as work arrives (at most `autoscaling.maxReplicas` at
   * once), each pod ending when its work is done and killed after `maxProcessingTime`. Needs
   * `queue`. A job worker has no Deployment, disruption budget or PodMonitor (its pods are too
   * short-lived to scrape), and no probes unless given.
   * @default 'deployment'
   */
  readonly mode?: 'deployment' | 'job';
  /** Job settings for `mode: 'job'`. @default - see JobModeOptions */
  readonly job?: JobModeOptions;
}

/** How a job-mode worker's Jobs are run and kept. */
export interface JobModeOptions {
  /** Retries of a failed Job's pod. @default 3 */
  readonly backoffLimit?: number;
  /** Finished Jobs kept for inspection. @default 5 */
  readonly successfulJobsHistoryLimit?: number;
  /** Failed Jobs kept for inspection. @default 5 */
  readonly failedJobsHistoryLimit?: number;
}

// where a worker without a health port serves its metrics: the health port's old default
const DEFAULT_METRICS_PORT = 8080;

// time a worker gets beyond its longest message: SIGTERM handling, acking, closing connections
const PROCESSING_BUFFER_SECONDS = 15;

function seconds(path: string, prop: string, value: string): number {
  const m = /^(\d+)(s|m|h)$/.exec(value);
  if (!m || Number(m[1]) === 0) throw new MicroserviceConfigError(path, `'${prop}' must be a duration of whole seconds, minutes or hours such as '90s', '5m' or '1h', got ${show(value)}`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'];
}

// the KEDA and Job fields these go to are int32
function positiveInt(path: string, prop: string, v: unknown): void {
  if (v !== undefined && (!Number.isInteger(v) || (v as number) < 1)) throw new MicroserviceConfigError(path, `'${prop}' must be a whole number >= 1, got ${show(v)}`);
  checkIntBound(path, prop, v);
}

/**
 * What KEDA cannot do with the worker's triggers and bounds: a cron trigger's replicas above
 * `maxReplicas` (KEDA caps them, so the schedule never gets what it asks for), a cron window
 * that never opens or a time zone Go does not know (KEDA's cron scaler uses robfig/cron and
 * time.LoadLocation, as the CronJob controller does), and utilization targets on Jobs: KEDA's
 * cpu and memory scalers apply to ScaledObjects only, "not to Scaling Jobs"
 * (https://keda.sh/docs/scalers/cpu/, https://keda.sh/docs/scalers/memory/).
 */
function checkKedaBounds(path: string, triggers: readonly QueueTrigger[], autoscaling: NonNullable<ScaledWorkerProps['autoscaling']>, jobMode: boolean): void {
  for (const t of triggers) {
    if (t.type !== 'cron') continue;
    const m = t.render(t.name, path).trigger.metadata;
    const desired = Number(m.desiredReplicas);
    if (desired > autoscaling.maxReplicas) {
      throw new MicroserviceConfigError(path, `'queue' cron trigger ${show(t.name)} asks for desiredReplicas ${desired}, above autoscaling.maxReplicas (${autoscaling.maxReplicas}): KEDA never scales past maxReplicas, so the window would get ${autoscaling.maxReplicas}; lower desiredReplicas or raise maxReplicas`);
    }
    checkTimeZone(path, m.timezone, 'queue.timezone');
    const never = cronNeverFires(m.start);
    if (never) throw new MicroserviceConfigError(path, `'queue.start' ${show(m.start)} of cron trigger ${show(t.name)}: ${never}, so the window would never open: choose a day the month has`);
  }
  if (jobMode) {
    const target = (['targetCpuUtilization', 'targetMemoryUtilization'] as const).find(k => autoscaling[k] !== undefined);
    if (target) {
      throw new MicroserviceConfigError(path, `'autoscaling.${target}' cannot scale a worker in 'mode: job': KEDA's cpu and memory scalers apply to ScaledObjects only, not to ScaledJobs (each Job runs one unit of work to completion; https://keda.sh/docs/scalers/cpu/). Drop it and scale on the queue, or use 'mode: deployment'`);
    }
  }
}

/**
 * A background worker: a Deployment with no Service. It takes the pod props of
 * ObservedService and `connectTo()`. Its liveness probe is a TCP connect to `healthPort` when
 * one is given, none otherwise (declare one with `probes`).
 */
export class ScaledWorker extends Workload {
  /** The container port of the health endpoint, named `health`; undefined without `healthPort`. */
  public readonly healthPort?: number;
  /** Scrapes the worker's pods, when the app's monitoring is on and `metrics` is not false. */
  public readonly podMonitor?: PodMonitor;
  /** The KEDA ScaledJob, for a worker in `mode: 'job'`. */
  public readonly scaledJob?: ScaledJob;
  /** The KEDA ScaledObject, for a queue-driven worker. */
  public readonly scaledObject?: ScaledObject;
  /** The TriggerAuthentications of triggers that read Secrets. */
  public readonly triggerAuthentications: TriggerAuthentication[] = [];
  // each Job's activeDeadlineSeconds in `mode: 'job'` (maxProcessingTime), for its alerts
  private jobDeadline?: number;

  constructor(scope: Construct, id: string, props: ScaledWorkerProps) {
    const path = scope.node.path ? `${scope.node.path}/${id}` : id;
    checkKnownProps(path, props, WORKER_PROPS.worker);
    if (props.metrics !== false && props.metrics !== undefined && (props.metrics === null || typeof props.metrics !== 'object' || Array.isArray(props.metrics))) {
      throw new MicroserviceConfigError(path, `'metrics' must be an object, or false when the worker serves no metrics, got ${show(props.metrics)}`);
    }
    const metrics = props.metrics === false ? undefined : props.metrics;
    checkKnownProps(path, metrics, WORKLOAD_PROPS.metrics, 'metrics.');
    // a worker in mode: job serves metrics perhaps, but its pods are too short-lived to scrape
    const scraped = props.metrics !== false && props.mode !== 'job';
    checkKnownProps(path, props.keda, KEDA_PROPS, 'keda.');
    checkKnownProps(path, props.job, WORKER_PROPS.job, 'job.');
    const healthPort = props.healthPort === undefined ? undefined : checkPort(path, 'healthPort', props.healthPort);
    const metricsPort = props.metrics !== false ? checkPort(path, 'metrics.port', metrics?.port ?? healthPort ?? DEFAULT_METRICS_PORT) : healthPort ?? DEFAULT_METRICS_PORT;
    const separateMetrics = props.metrics !== false && metricsPort !== healthPort;
    const needPort = healthPort === undefined ? portProbes(props.probes) : [];
    if (needPort.length) {
      throw new MicroserviceConfigError(path, `'${needPort[0]}' connects to the worker's health port, but it declares none: set 'healthPort' to the port the worker serves it on, or give a command probe`);
    }
    const triggers = props.queue === undefined ? [] : Array.isArray(props.queue) ? props.queue : [props.queue];
    if (props.queue !== undefined) {
      if (triggers.length === 0) throw new MicroserviceConfigError(path, "'queue' is empty: give at least one trigger, for example QueueTrigger.rabbitmq({ ... })");
      if (!props.autoscaling) throw new MicroserviceConfigError(path, "'queue' needs 'autoscaling: { maxReplicas }' (and not 'replicas'): the bounds KEDA scales between");
      for (const t of triggers) t.validate(path);
      if ((props.autoscaling.minReplicas ?? 0) === 0 && !triggers.some(t => t.scalesFromZero)) {
        throw new MicroserviceConfigError(path, "'autoscaling.minReplicas' is 0 but no trigger can wake a worker from zero (pending entries of a Redis stream exist only while a consumer runs): set minReplicas to 1, or scale on lagPerReplica");
      }
      const names = triggers.map(t => t.name);
      const twice = names.find((n, i) => names.indexOf(n) !== i);
      if (twice) throw new MicroserviceConfigError(path, `'queue' has two triggers named ${show(twice)}: give one a 'name'`);
      checkKedaBounds(path, triggers, props.autoscaling, props.mode === 'job');
    } else if (props.keda) {
      throw new MicroserviceConfigError(path, "'keda' needs 'queue': KEDA settings apply to queue-driven scaling");
    }
    positiveInt(path, 'keda.pollingInterval', props.keda?.pollingInterval);
    positiveInt(path, 'keda.cooldownPeriod', props.keda?.cooldownPeriod);
    positiveInt(path, 'keda.fallbackFailureThreshold', props.keda?.fallbackFailureThreshold);
    if (props.keda?.fallbackReplicas !== false) positiveInt(path, 'keda.fallbackReplicas', props.keda?.fallbackReplicas);
    const jobMode = props.mode === 'job';
    if (props.mode !== undefined && props.mode !== 'deployment' && props.mode !== 'job') {
      throw new MicroserviceConfigError(path, `'mode' must be 'deployment' or 'job', got ${show(props.mode)}`);
    }
    if (jobMode && triggers.length === 0) throw new MicroserviceConfigError(path, "'mode: job' needs 'queue': Jobs are started by the work that arrives");
    if (!jobMode && props.job) throw new MicroserviceConfigError(path, "'job' settings need 'mode: job'");
    positiveInt(path, 'job.successfulJobsHistoryLimit', props.job?.successfulJobsHistoryLimit);
    positiveInt(path, 'job.failedJobsHistoryLimit', props.job?.failedJobsHistoryLimit);
    if (props.job?.backoffLimit !== undefined && (!Number.isInteger(props.job.backoffLimit) || props.job.backoffLimit < 0)) {
      throw new MicroserviceConfigError(path, `'job.backoffLimit' must be a whole number >= 0, got ${show(props.job.backoffLimit)}`);
    }
    checkIntBound(path, 'job.backoffLimit', props.job?.backoffLimit);
    if (MicroserviceApp.of(scope, id, 'ScaledWorker').mesh) {
      if (healthPort !== undefined) checkIstioPort(path, 'healthPort', healthPort);
      if (props.metrics !== false) checkIstioPort(path, 'metrics.port', metricsPort);
    }
    // a Job's pod ends by itself: no traffic to drain, so no preStop wait unless asked for
    let shutdown = jobMode ? { preStopSleepSeconds: 0, ...props.shutdown } : props.shutdown;
    if (props.maxProcessingTime !== undefined) {
      const preStop = shutdown?.preStopSleepSeconds ?? 5;
      const needed = preStop + seconds(path, 'maxProcessingTime', props.maxProcessingTime) + PROCESSING_BUFFER_SECONDS;
      const given = props.shutdown?.terminationGracePeriodSeconds;
      if (given !== undefined && given < needed) {
        throw new MicroserviceConfigError(path, `'shutdown.terminationGracePeriodSeconds' (${given}) is shorter than preStop + maxProcessingTime + ${PROCESSING_BUFFER_SECONDS} s (${needed}): drop it to get ${needed}, or raise it`);
      }
      shutdown = { ...shutdown, terminationGracePeriodSeconds: given ?? needed };
    }
    // without a health port nothing can be probed but a command the user gives
    const probes = jobMode || healthPort === undefined ? { liveness: false as const, ...props.probes } : props.probes;
    super(scope, id, { ...props, shutdown, probes }, {
      externalScaler: triggers.length > 0,
      controller: jobMode ? 'job' : 'deployment',
      scraped,
      component: 'worker',
      defaultReplicas: 1,
      ports: [
        ...(healthPort !== undefined ? [{ name: 'health', containerPort: healthPort, protocol: 'TCP' }] : []),
        // a job's pods are not scraped: their metrics port only when asked for
        ...(separateMetrics && (!jobMode || metrics?.port !== undefined) ? [{ name: 'metrics', containerPort: metricsPort, protocol: 'TCP' }] : []),
      ],
      // without healthPort only command probes are taken (checked above), which need no port
      probeTarget: { portName: 'health', portNumber: healthPort ?? 0 },
      // no readiness: nothing routes traffic to a worker; nothing assumed about its paths
      defaultProbes: { liveness: { tcp: true } },
      metricsPort,
      metricsPath: checkMetricsPath(path, metrics?.path),
    });
    this.healthPort = healthPort;
    const probeWarning = jobMode ? undefined : undeclaredWorkerLivenessWarning(healthPort, props.probes);
    if (probeWarning) addWarning(this, probeWarning);
    if (jobMode) {
      const range = this.autoscalingRange!;
      this.jobDeadline = props.maxProcessingTime === undefined ? undefined : seconds(path, 'maxProcessingTime', props.maxProcessingTime);
      const made = scaledJob(this, { name: this.name, namespace: this.app.namespaceName, labels: this.labels }, {
        // the ScaledJob holds the pod template and runs the image: it has the version label
        controllerLabels: this.workloadLabels,
        triggers, template: this.podTemplate, maxReplicas: range.maxReplicas, minReplicas: range.minReplicas,
        activeDeadlineSeconds: this.jobDeadline,
        backoffLimit: props.job?.backoffLimit ?? 3,
        successfulJobsHistoryLimit: props.job?.successfulJobsHistoryLimit ?? 5,
        failedJobsHistoryLimit: props.job?.failedJobsHistoryLimit ?? 5,
        pollingInterval: props.keda?.pollingInterval ?? 30,
      });
      this.scaledJob = made.scaledJob;
      this.triggerAuthentications = made.authentications;
    } else if (triggers.length > 0) {
      const range = this.autoscalingRange!;
      const fallback = props.keda?.fallbackReplicas ?? Math.max(1, Math.ceil(range.maxReplicas / 2));
      if (fallback !== false && fallback > range.maxReplicas) {
        throw new MicroserviceConfigError(this, `'keda.fallbackReplicas' (${fallback}) is above autoscaling.maxReplicas (${range.maxReplicas}): lower it`);
      }
      const made = scaledObject(this, { name: this.name, namespace: this.app.namespaceName, labels: this.labels }, {
        triggers, cpuUtilization: props.autoscaling?.targetCpuUtilization, memoryUtilization: props.autoscaling?.targetMemoryUtilization,
        // with a mesh the pod has an istio-proxy container too: scale on the worker's own cpu
        cpuContainer: this.app.mesh ? this.name : undefined,
        minReplicas: range.minReplicas, maxReplicas: range.maxReplicas,
        keda: {
          pollingInterval: props.keda?.pollingInterval ?? 30,
          cooldownPeriod: props.keda?.cooldownPeriod ?? 300,
          fallbackFailureThreshold: props.keda?.fallbackFailureThreshold ?? 3,
          fallbackReplicas: fallback,
        },
      });
      this.scaledObject = made.scaledObject;
      this.triggerAuthentications = made.authentications;
      // KEDA owns the HPA of this Deployment: a second one would fight it on every sync
      kedaScaledWorkers(this.app).push(this);
    }
    const monitoring = this.app.monitoring;
    if (monitoring && scraped) {
      this.podMonitor = podMonitor(this, { name: this.name, namespace: this.app.namespaceName, labels: { ...this.labels, ...monitoring.labels } }, this.selectorLabels, {
        ...this.scrapeTarget(separateMetrics ? 'metrics' : 'health'),
        interval: metrics?.interval === undefined ? monitoring.scrapeInterval : checkDuration(this, 'metrics.interval', metrics.interval),
      });
    }
  }

  /** A worker in `mode: 'job'` runs its pods as the Jobs of a KEDA ScaledJob. */
  protected get controllerKind(): 'Deployment' | 'ScaledJob' {
    return this.scaledJob ? 'ScaledJob' : 'Deployment';
  }

  protected get jobDeadlines(): { activeDeadlineSeconds?: number } {
    return this.scaledJob ? { activeDeadlineSeconds: this.jobDeadline } : {};
  }
}

// The KEDA-scaled workers of each app, checked together by one validation of the app: the
// app's autoscalers are rendered once per synthesis, not once per worker.
const KEDA_SCALED_WORKERS = new WeakMap<MicroserviceApp, ScaledWorker[]>();

function kedaScaledWorkers(app: MicroserviceApp): ScaledWorker[] {
  let workers = KEDA_SCALED_WORKERS.get(app);
  if (!workers) {
    const list: ScaledWorker[] = [];
    workers = list;
    KEDA_SCALED_WORKERS.set(app, list);
    app.node.addValidation({
      validate: () => {
        checkCompetingAutoscalers(app, list);
        return [];
      },
    });
  }
  return workers;
}

/** Fails, naming the first such worker, when an HPA scales a Deployment that KEDA scales. */
function checkCompetingAutoscalers(app: MicroserviceApp, workers: readonly ScaledWorker[]): void {
  const scaling = new Map<string, ApiObject[]>();
  for (const c of app.node.findAll()) {
    if (!(c instanceof ApiObject) || c.kind !== 'HorizontalPodAutoscaler') continue;
    const target = (c.toJson() as any).spec?.scaleTargetRef?.name;
    if (typeof target === 'string') scaling.set(target, [...(scaling.get(target) ?? []), c]);
  }
  for (const w of workers) {
    const hpas = scaling.get(w.name) ?? [];
    if (hpas.length) {
      throw new MicroserviceConfigError(w, hpas.map(h => `the HorizontalPodAutoscaler at ${h.node.path} also scales '${w.name}', which KEDA scales through its ScaledObject: remove it (KEDA makes its own HPA)`).join('; '));
    }
  }
}

/** The names of ScaledWorkerProps and its own options, for checkKnownProps(). */
export const WORKER_PROPS = {
  worker: propNames<ScaledWorkerProps>({
    ...WORKLOAD_PROPS.deployment, healthPort: true, metrics: true, queue: true, keda: true, maxProcessingTime: true, mode: true, job: true,
  }),
  job: propNames<JobModeOptions>({ backoffLimit: true, successfulJobsHistoryLimit: true, failedJobsHistoryLimit: true }),
} as const;
