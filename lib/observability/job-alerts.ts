/**
 * Alerts on workloads whose pods run to completion: a BatchJob's Job (once per release) or
 * CronJob, and a KEDA ScaledJob's Jobs (a ScaledWorker in `mode: 'job'`). From kube-state-metrics'
 * `kube_job_*` and `kube_cronjob_*` series, as the kubernetes-mixin's KubeJobFailed reads them,
 * with the Jobs selected by name or owner (controllers.ts).
 *
 * No "Job runs too long" alert (the mixin's KubeJobNotCompleted): a BatchJob always has an
 * `activeDeadlineSeconds`, and the Job controller fails a run that exceeds it, so JobFailed
 * says it. A ScaledJob's Jobs have a deadline only with `maxProcessingTime`.
 */
import { MIXIN_RUNBOOKS, alertRule, displayName } from './alert-rule';
import { controllerOf, workloadJobs } from './controllers';
import type { Rule, WorkloadTelemetry } from './model';
import { jobPodAlerts } from './pod-alerts';
import { promqlString } from './promql';

/** How long (seconds from its start) a failed Job of a KEDA ScaledJob keeps its alert: Jobs come and go with the work. */
export const SCALED_JOB_FAILURE_WINDOW_SECONDS = 3600;

export function jobAlerts(t: WorkloadTelemetry): Rule[] {
  const who = displayName(t);
  const kubectl = `kubectl -n ${t.namespace}`;
  const failed = `max by (namespace, job_name) (${workloadJobs(t, 'kube_job_failed', 'condition="true"')}) == 1`;
  const why = `See why: ${kubectl} describe job {{ $labels.job_name }}; ${kubectl} logs job/{{ $labels.job_name }}`;
  // the newest run, not every failed Job still kept (a CronJob's failedJobsHistoryLimit, an
  // earlier release's Job until its ttlSecondsAfterFinished): the alert resolves when a later
  // run starts, instead of lasting until the old Job is deleted
  const newest = `topk by (namespace) (1,\n  max by (namespace, job_name) (${workloadJobs(t, 'kube_job_status_start_time')})\n)`;
  const rules: Rule[] = [];
  switch (controllerOf(t)) {
    case 'Job':
      // the Failed condition is final (backoffLimit or activeDeadlineSeconds reached): no blip
      // to wait out
      rules.push(alertRule(t, {
        name: 'JobFailed',
        expr: `${failed}\nand on (namespace, job_name)\n${newest}`,
        for: '1m',
        severity: 'warning',
        summary: `The latest Job of ${who} failed`,
        description: `Job {{ $labels.job_name }}, the latest run of ${who}, failed: its pods failed backoffLimit + 1 times, or it ran past activeDeadlineSeconds${t.activeDeadlineSeconds ? ` (${t.activeDeadlineSeconds}s)` : ''}. `
          + `Workloads that run after it (runBefore) keep their previous release until a Job of a new release succeeds, which resolves this alert. ${why}`,
        runbookUrl: `${MIXIN_RUNBOOKS}/kubejobfailed`,
      }));
      break;
    case 'CronJob': {
      rules.push(alertRule(t, {
        name: 'CronJobLastRunFailed',
        expr: `${failed}\nand on (namespace, job_name)\n${newest}`,
        for: '1m',
        severity: 'warning',
        summary: `The last run of ${who} failed`,
        description: `Job {{ $labels.job_name }}, the latest run of the CronJob ${who}, failed: its pods failed backoffLimit + 1 times, or it ran past activeDeadlineSeconds${t.activeDeadlineSeconds ? ` (${t.activeDeadlineSeconds}s)` : ''}. `
          + `The next scheduled run resolves this alert if it succeeds; to run it now: ${kubectl} create job --from=cronjob/${t.name} ${t.name}-manual. ${why}`,
        runbookUrl: `${MIXIN_RUNBOOKS}/kubejobfailed`,
      }));
      // kube-state-metrics computes the next run from the last one the controller started; it
      // stays in the past while a run is missed (the previous one still running under
      // concurrencyPolicy Forbid, the starting deadline passed, the controller down). A
      // suspended CronJob has no such series.
      const deadline = t.startingDeadlineSeconds ?? 0;
      const cron = `namespace=${promqlString(t.namespace)}, cronjob=${promqlString(t.name)}`;
      rules.push(alertRule(t, {
        name: 'CronJobRunMissed',
        expr: `time() - max by (namespace, cronjob) (kube_cronjob_next_schedule_time{${cron}}) > ${deadline}`,
        for: '5m',
        severity: 'warning',
        summary: `A scheduled run of ${who} did not start`,
        description: `The CronJob ${who} should have started a run {{ $value | humanizeDuration }} ago${deadline ? `, more than its startingDeadlineSeconds (${deadline}s)` : ''}: `
          + 'the previous run was still active (concurrencyPolicy Forbid), or kube-controller-manager did not schedule it. The run is skipped; the next one is on schedule. '
          + `${kubectl} get cronjob/${t.name} jobs; ${kubectl} describe cronjob/${t.name}`,
        runbookUrl: `${t.runbookBaseUrl}/CronJobRunMissed`,
      }));
      break;
    }
    default: {
      // KEDA starts Jobs as work arrives and keeps failedJobsHistoryLimit failed ones: a failure
      // alerts for an hour from the Job's start, each failed Job its own alert
      const recent = `max by (namespace, job_name) (${workloadJobs(t, 'kube_job_status_start_time')}) > time() - ${SCALED_JOB_FAILURE_WINDOW_SECONDS}`;
      rules.push(alertRule(t, {
        name: 'JobFailed',
        expr: `${failed}\nand on (namespace, job_name)\n${recent}`,
        for: '1m',
        severity: 'warning',
        summary: `A Job of ${who} failed`,
        description: `Job {{ $labels.job_name }}, started by the KEDA ScaledJob ${who} in the last ${SCALED_JOB_FAILURE_WINDOW_SECONDS / 3600}h, failed: its pods failed backoffLimit + 1 times${t.activeDeadlineSeconds ? `, or it ran past maxProcessingTime (${t.activeDeadlineSeconds}s)` : ''}. `
          + `The work it took may be lost or back on the queue, depending on when it acknowledged it. ${why}`,
        runbookUrl: `${MIXIN_RUNBOOKS}/kubejobfailed`,
      }));
    }
  }
  rules.push(...jobPodAlerts(t));
  return rules;
}
