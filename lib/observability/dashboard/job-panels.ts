// The panels of pods that end (Jobs, CronJobs, ScaledJobs): their runs and how long they take, and
// a CronJob's last and next run.
import { workloadJobs } from '../controllers';
import type { WorkloadTelemetry } from '../model';
import type { PanelSpec } from './json-model';
import { fixedColor, stat, timeseries, withOverrides } from './panels';
import { str } from './queries';

/** Pods running now, and the finished Jobs kube-state-metrics still sees (the history the controller keeps). */
export function jobRunsPanel(w: WorkloadTelemetry): PanelSpec {
  const spec = timeseries('Runs', 'Pods of the Jobs running now, and the finished Jobs still kept (by ttlSecondsAfterFinished or the history limits), succeeded and failed.', 6, 'none', [
    { expr: `sum(${workloadJobs(w, 'kube_job_status_active')}) or vector(0)`, legendFormat: 'running pods' },
    { expr: `count(${workloadJobs(w, 'kube_job_complete', 'condition="true"')} == 1) or vector(0)`, legendFormat: 'succeeded' },
    { expr: `count(${workloadJobs(w, 'kube_job_failed', 'condition="true"')} == 1) or vector(0)`, legendFormat: 'failed' },
  ]);
  return withOverrides(spec, [fixedColor('succeeded', 'green'), fixedColor('failed', 'red')]);
}

/** Start to completion of each succeeded Job, against the deadline that fails a run. */
export function jobDurationPanel(w: WorkloadTelemetry): PanelSpec {
  const deadline = w.activeDeadlineSeconds;
  return timeseries('Run duration', `How long each succeeded Job took, start to completion${deadline !== undefined ? `; the line is activeDeadlineSeconds (${deadline}s), past which a run is failed` : ''}.`, 6, 's', [
    { expr: `max by (job_name) (${workloadJobs(w, 'kube_job_status_completion_time')})\n- on (job_name)\nmax by (job_name) (${workloadJobs(w, 'kube_job_status_start_time')})`, legendFormat: '{{job_name}}' },
  ], deadline, 'red');
}

/** When the CronJob last succeeded, and when it runs next. */
export function cronJobPanels(w: WorkloadTelemetry): PanelSpec[] {
  const cron = `namespace=${str(w.namespace)}, cronjob=${str(w.name)}`;
  return [
    stat('Last successful run', 'Time since a run of the CronJob last succeeded.', 12, 's', [
      { expr: `time() - max(kube_cronjob_status_last_successful_time{${cron}})`, legendFormat: 'ago' },
    ], [{ color: 'green', value: null }], 0),
    stat('Next run', 'Time until the next scheduled run; negative while a run is overdue (see CronJobRunMissed). None while suspended.', 12, 's', [
      { expr: `max(kube_cronjob_next_schedule_time{${cron}}) - time()`, legendFormat: 'in' },
    ], [{ color: 'red', value: null }, { color: 'green', value: 0 }], 0),
  ];
}
