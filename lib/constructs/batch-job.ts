import { createHash } from 'node:crypto';
import { ApiObject } from 'cdk8s';
import * as k8s from '../rendering/kube';
import { Construct } from 'constructs';
import { ARGO_HOOK, ARGO_HOOK_DELETE_POLICY, ARGO_SYNC_WAVE, addRunBefore, annotateWave, syncWave } from './batch/run-order';
import { checkSchedule, checkTimeZone } from './batch/schedule';
import { MicroserviceConfigError, show } from '../errors';
import { MicroserviceApp } from './microservice-app';
import { checkObjectName } from '../names';
import { Workload, WorkloadProps } from './workload';
import { checkBoolean, checkIntBound, checkKnownProps, propNames } from '../props/checks';
import { WORKLOAD_PROPS } from './workload/props';

export interface BatchJobProps extends Omit<WorkloadProps, 'replicas' | 'autoscaling' | 'rollingUpdate' | 'revisionHistoryLimit' | 'topologySpread' | 'probes'> {
  /**
   * A cron schedule (`'0 3 * * *'`, `'@daily'`): the job becomes a CronJob. Without one it is a
   * Job that runs once per release.
   * @default - a Job, run once per release
   */
  readonly schedule?: string;
  /** The IANA time zone of `schedule` (`'Europe/Berlin'`). Needs `schedule`. @default - the kube-controller-manager's time zone (usually UTC) */
  readonly timeZone?: string;
  /**
   * Workloads of the same app that roll out only after this Job succeeded (a schema migration
   * before the API). Not with `schedule`. See the README: Argo CD sync waves, Helm hooks.
   * @default - none
   */
  readonly runBefore?: Workload[];
  /** Retries of a failed pod before the Job fails. @default 3 */
  readonly backoffLimit?: number;
  /** The longest a Job may run, retries included, before it is stopped and failed. @default 3600 */
  readonly activeDeadlineSeconds?: number;
  /** A finished Job (and its pods and logs) is deleted this long after it ends (one-off Jobs). @default 86400 */
  readonly ttlSecondsAfterFinished?: number;
  /** What a CronJob does when the previous run has not ended. @default 'Forbid' */
  readonly concurrencyPolicy?: 'Forbid' | 'Replace' | 'Allow';
  /** How late a missed CronJob run may still start; later, it is skipped. @default 300 */
  readonly startingDeadlineSeconds?: number;
  /** Succeeded Jobs a CronJob keeps. @default 3 */
  readonly successfulJobsHistoryLimit?: number;
  /** Failed Jobs a CronJob keeps. @default 3 */
  readonly failedJobsHistoryLimit?: number;
  /** Stop scheduling new runs of a CronJob. @default false */
  readonly suspend?: boolean;
  /**
   * Only `false`, as on every workload kind: a Job's pods are never scraped (too short-lived
   * for Prometheus to find), with or without it; its alerts and panels come from
   * kube-state-metrics (runs, failures, durations) and cAdvisor.
   * @default - not scraped
   */
  readonly metrics?: false;
}

// the Job's name gets '-' and 10 hex digits, and a CronJob's Jobs a timestamp: 52 at most
const NAME_RESERVE = 11;
const HASH_LENGTH = 10;
const CONCURRENCY = ['Forbid', 'Replace', 'Allow'];

/**
 * A Job whose name ends in a hash of everything else in it (`migrate-3f9c0a1b2c`). Jobs are
 * immutable: applying a new template under the old name fails, so each release with another
 * template is a new Job, and an unchanged one stays the same object.
 */
class ContentNamedJob extends k8s.KubeJob {
  constructor(scope: Construct, id: string, private readonly baseName: string, props: k8s.KubeJobProps) {
    super(scope, id, props);
    // ApiObject.name is read by name-clash checks and the helm export: it must be the final name
    Object.defineProperty(this, 'name', { get: () => this.finalName(super.toJson()) });
  }

  public toJson(): any {
    const json = super.toJson();
    return { ...json, metadata: { ...json.metadata, name: this.finalName(json) } };
  }

  private finalName(json: any): string {
    const { name: _name, ...metadata } = json.metadata ?? {};
    const hash = createHash('sha256').update(JSON.stringify({ ...json, metadata })).digest('hex');
    return `${this.baseName}-${hash.slice(0, HASH_LENGTH)}`;
  }
}

// `bits`: the field's type in the Job and CronJob API (backoffLimit is an int32, the deadlines int64)
function wholeNumber(path: string, prop: string, v: unknown, min: number, bits: 32 | 64 = 32): number | undefined {
  if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < min)) throw new MicroserviceConfigError(path, `'${prop}' must be a whole number >= ${min}, got ${show(v)}`);
  checkIntBound(path, prop, v, bits);
  return v as number | undefined;
}

/**
 * Run-to-completion work: a Job (once per release, optionally before other workloads roll
 * out) or, with `schedule`, a CronJob. The pod has the defaults of every workload, no probes,
 * no Service and no preStop wait; `connectTo()` lets it call services.
 */
export class BatchJob extends Workload {
  /** The Job, when there is no schedule. */
  public readonly job?: k8s.KubeJob;
  /** The CronJob, with a schedule. */
  public readonly cronJob?: k8s.KubeCronJob;
  /** The workloads that roll out after this Job succeeded. */
  public readonly runBefore: readonly Workload[];
  /** The cron schedule, if any. */
  public readonly schedule?: string;
  private readonly deadlines: { readonly active: number; readonly starting: number };

  constructor(scope: Construct, id: string, props: BatchJobProps) {
    const path = scope.node.path ? `${scope.node.path}/${id}` : id;
    checkObjectName(path, 'the id', id, NAME_RESERVE);
    for (const k of ['replicas', 'autoscaling', 'rollingUpdate', 'revisionHistoryLimit', 'topologySpread', 'probes'] as const) {
      if ((props as any)[k] !== undefined) throw new MicroserviceConfigError(path, `'${k}' is not supported on a BatchJob: a Job runs one pod to completion, and its exit code is its health; drop it`);
    }
    checkKnownProps(path, props, BATCH_JOB_PROPS);
    if (props.metrics !== undefined && props.metrics !== false) {
      throw new MicroserviceConfigError(path, `'metrics' can only be false on a BatchJob, got ${show(props.metrics)}: a Job's pods end too soon for Prometheus to scrape them, so nothing scrapes them; push what a run measures to a Pushgateway or an OpenTelemetry collector instead`);
    }
    const schedule = props.schedule === undefined ? undefined : checkSchedule(path, props.schedule);
    if (props.timeZone !== undefined) {
      if (schedule === undefined) throw new MicroserviceConfigError(path, "'timeZone' needs 'schedule': it is the time zone of the schedule");
      checkTimeZone(path, props.timeZone);
    }
    const cronOnly = ['concurrencyPolicy', 'startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit', 'suspend'] as const;
    if (schedule === undefined) {
      const given = cronOnly.find(k => props[k] !== undefined);
      if (given) throw new MicroserviceConfigError(path, `'${given}' needs 'schedule': it is a CronJob setting`);
    }
    if (props.concurrencyPolicy !== undefined && !CONCURRENCY.includes(props.concurrencyPolicy)) {
      throw new MicroserviceConfigError(path, `'concurrencyPolicy' must be one of ${CONCURRENCY.join(', ')}, got ${show(props.concurrencyPolicy)}`);
    }
    checkBoolean(path, 'suspend', props.suspend);
    const backoffLimit = wholeNumber(path, 'backoffLimit', props.backoffLimit, 0) ?? 3;
    const activeDeadlineSeconds = wholeNumber(path, 'activeDeadlineSeconds', props.activeDeadlineSeconds, 1, 64) ?? 3600;
    const ttl = wholeNumber(path, 'ttlSecondsAfterFinished', props.ttlSecondsAfterFinished, 0);
    if (ttl !== undefined && schedule !== undefined) throw new MicroserviceConfigError(path, "'ttlSecondsAfterFinished' is for one-off Jobs: a CronJob keeps successfulJobsHistoryLimit and failedJobsHistoryLimit Jobs");
    const startingDeadlineSeconds = wholeNumber(path, 'startingDeadlineSeconds', props.startingDeadlineSeconds, 1, 64) ?? 300;
    const successfulJobsHistoryLimit = wholeNumber(path, 'successfulJobsHistoryLimit', props.successfulJobsHistoryLimit, 0) ?? 3;
    const failedJobsHistoryLimit = wholeNumber(path, 'failedJobsHistoryLimit', props.failedJobsHistoryLimit, 0) ?? 3;
    const app = MicroserviceApp.of(scope, id, 'BatchJob');
    const runBefore = checkRunBefore(path, app, props.runBefore, schedule);

    super(scope, id, { ...props, shutdown: { preStopSleepSeconds: 0, ...props.shutdown }, probes: { liveness: false } }, {
      component: props.component ?? (schedule ? 'cronjob' : 'job'),
      defaultReplicas: 1,
      controller: 'job',
      scraped: false,
      ports: [],
      probeTarget: { portName: 'none', portNumber: 1 },
      defaultProbes: { liveness: { tcp: true } },
      metricsPort: 0,
      metricsPath: '/metrics',
    });
    this.runBefore = runBefore;
    this.schedule = schedule;
    this.deadlines = { active: activeDeadlineSeconds, starting: startingDeadlineSeconds };
    const metadata = { name: id, namespace: this.app.namespaceName, labels: this.workloadLabels };
    const jobSpec = { backoffLimit, activeDeadlineSeconds, template: this.podTemplate };

    if (schedule === undefined) {
      // an Argo CD Sync hook: deleted and re-created on every sync, never pruned or re-created
      // when its TTL deletes it (a plain resource would be: OutOfSync, then run again)
      const annotations: Record<string, string> = { [ARGO_HOOK]: 'Sync', [ARGO_HOOK_DELETE_POLICY]: 'BeforeHookCreation' };
      this.job = new ContentNamedJob(this, 'Job', id, {
        metadata: { ...metadata, annotations },
        spec: { ...jobSpec, ttlSecondsAfterFinished: ttl ?? 86400 },
      });
      if (runBefore.length) {
        addRunBefore(this.app, this, runBefore);
        annotateWave(this.app, this, [this.job]);
        for (const t of runBefore) annotateWave(this.app, t, controllersOf(t));
      } else {
        this.job.metadata.addAnnotation(ARGO_SYNC_WAVE, '0');
      }
    } else {
      this.cronJob = new k8s.KubeCronJob(this, 'CronJob', {
        metadata,
        spec: {
          schedule,
          timeZone: props.timeZone,
          // a run that overlaps the previous one would work on the same data twice
          concurrencyPolicy: props.concurrencyPolicy ?? 'Forbid',
          startingDeadlineSeconds,
          successfulJobsHistoryLimit,
          failedJobsHistoryLimit,
          suspend: props.suspend,
          jobTemplate: { metadata: { labels: this.workloadLabels }, spec: jobSpec },
        },
      });
    }
  }

  protected get controllerKind(): 'Job' | 'CronJob' {
    return this.schedule === undefined ? 'Job' : 'CronJob';
  }

  protected get jobDeadlines(): { activeDeadlineSeconds: number; startingDeadlineSeconds?: number } {
    return { activeDeadlineSeconds: this.deadlines.active, startingDeadlineSeconds: this.schedule === undefined ? undefined : this.deadlines.starting };
  }

  /** The sync wave (Argo CD) and hook weight (Helm) of the Job: above every Job that runs before it. */
  public get wave(): number {
    return syncWave(this.app, this);
  }
}

/** The objects that start a workload's pods: what a sync wave orders. */
function controllersOf(w: Workload): ApiObject[] {
  const kinds = ['Deployment', 'StatefulSet', 'Job', 'CronJob'];
  return w.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && kinds.includes(c.kind));
}

function checkRunBefore(path: string, app: MicroserviceApp, list: unknown, schedule: string | undefined): Workload[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new MicroserviceConfigError(path, `'runBefore' must be a list of workloads, got ${show(list)}`);
  if (schedule !== undefined && list.length) throw new MicroserviceConfigError(path, "'runBefore' is for a Job that runs once per release, not a scheduled one: drop 'schedule' or 'runBefore'");
  list.forEach((w, i) => {
    if (!(w instanceof Workload)) throw new MicroserviceConfigError(path, `'runBefore[${i}]' must be a workload of this app (an ObservedService, ScaledWorker, StatefulService or BatchJob), got ${show(w)}`);
    if (w.app !== app) {
      throw new MicroserviceConfigError(path, `'runBefore[${i}]' is '${w.node.path}' of app '${w.app.node.id}': a Job can only hold back workloads of its own app (they sync together); move the Job to that app`);
    }
    if (w instanceof BatchJob && w.schedule !== undefined) throw new MicroserviceConfigError(path, `'runBefore[${i}]' is the CronJob '${w.name}': a schedule does not roll out, so nothing can run before it`);
  });
  const names = list.map(w => (w as Workload).name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new MicroserviceConfigError(path, `'runBefore' names '${twice}' twice`);
  return list as Workload[];
}

/** The names of BatchJobProps, for checkKnownProps(). */
export const BATCH_JOB_PROPS = propNames<BatchJobProps>({
  ...WORKLOAD_PROPS.job, schedule: true, timeZone: true, runBefore: true, backoffLimit: true, activeDeadlineSeconds: true,
  ttlSecondsAfterFinished: true, concurrencyPolicy: true, startingDeadlineSeconds: true, successfulJobsHistoryLimit: true,
  failedJobsHistoryLimit: true, suspend: true, metrics: true,
});
