/**
 * The workload-health alerts of a StatefulService, a BatchJob (Job and CronJob) and a KEDA
 * ScaledJob worker under the real Prometheus rule engine: the rules as the constructs synthesize
 * them (their PrometheusRules), `promtool check rules`, and `promtool test rules` on synthetic
 * kube-state-metrics and kubelet series named as the controllers name their objects.
 */
import { BatchJob, QueueTrigger, ScaledWorker, StatefulService } from '../lib';
import type { RuleGroup } from '../lib/observability/model';
import { dashboardExpressions } from '../lib/observability/dashboard';
import { Manifest, find, synth, testApp } from '../test/helpers';
import { ExpectedAlert, InputSeries, checkRulesWithPromtool, firing, testRulesWithPromtool } from './promtool';

const KSM = 'job="kube-state-metrics", service="kube-state-metrics"';
const KUBELET = 'job="kubelet", service="kubelet", metrics_path="/metrics"';

const WORKLOADS = ['postgres', 'migrate', 'report', 'batch'];

function appObjects(): Manifest[] {
  const { shop } = testApp('shop', { monitoring: { runbookBaseUrl: 'https://runbooks.example.com/shop' } });
  new StatefulService(shop, 'postgres', {
    image: 'docker.io/library/postgres:16.4', port: 5432, protocol: 'tcp', replicas: 3, user: { uid: 999, gid: 999 },
    storage: { size: '100Gi', mountPath: '/var/lib/postgresql/data' },
    probes: { readiness: { command: ['pg_isready'] } },
  });
  new BatchJob(shop, 'migrate', { image: 'ghcr.io/acme/api:2.0.0', command: ['/app/migrate'] });
  new BatchJob(shop, 'report', { image: 'ghcr.io/acme/report:1.0.0', schedule: '0 3 * * *' });
  const queue = QueueTrigger.rabbitmq({ queueName: 'q', messagesPerReplica: 5, host: { secretName: 'r', key: 'url' } });
  new ScaledWorker(shop, 'batch', { image: 'ghcr.io/acme/batch:1.0.0', mode: 'job', queue, autoscaling: { maxReplicas: 5 } });
  return synth(shop);
}

const OBJECTS = appObjects();
const RULES: Record<string, RuleGroup[]> = Object.fromEntries(WORKLOADS.map(n => [n, find(OBJECTS, 'PrometheusRule', n).spec.groups as RuleGroup[]]));
const alertAt = (alertname: string, eval_time: string, exp_alerts: ExpectedAlert[]) => ({ eval_time, alertname, exp_alerts });

describe('promtool check rules', () => {
  test.each(WORKLOADS)('passes on the rules of %s (lint included)', name => {
    checkRulesWithPromtool(RULES[name]);
  });

  test.each([...WORKLOADS, 'shop-overview'])("every query of %s's dashboard parses (as recording rules)", name => {
    const data = find(OBJECTS, 'ConfigMap', `${name}-dashboard`).data as Record<string, string>;
    const exprs = dashboardExpressions(JSON.parse(Object.values(data)[0]));
    expect(exprs.length).toBeGreaterThan(5);
    checkRulesWithPromtool([{ name: 'dashboard', rules: exprs.map((expr, i) => ({ record: `dashboard:expr_${i}`, expr })) }]);
  });
});

describe('promtool test rules: StatefulService postgres (3 replicas, claims data-postgres-<n>)', () => {
  const g = RULES.postgres;
  const set = (metric: string, values: string): InputSeries => ({ series: `${metric}{${KSM}, namespace="shop", statefulset="postgres"}`, values });
  const owner = { namespace: 'shop', statefulset: 'postgres' };

  test('no ready replica pages after 5 minutes; it stays silent with all three ready', () => {
    testRulesWithPromtool(g, [{
      input_series: [set('kube_statefulset_replicas', '3x20'), set('kube_statefulset_status_replicas_ready', '0x20')],
      alert_rule_test: [
        alertAt('StatefulSetUnavailable', '4m', []),
        alertAt('StatefulSetUnavailable', '7m', [firing(g, 'StatefulSetUnavailable', owner, '0')]),
      ],
    }, {
      input_series: [set('kube_statefulset_replicas', '3x20'), set('kube_statefulset_status_replicas_ready', '3x20')],
      alert_rule_test: [alertAt('StatefulSetUnavailable', '10m', []), alertAt('StatefulSetReplicasUnavailable', '20m', [])],
    }]);
  });

  test('one replica not ready for 15 minutes outside an update warns; during an update (pods being updated) it stays silent', () => {
    testRulesWithPromtool(g, [{
      input_series: [set('kube_statefulset_replicas', '3x40'), set('kube_statefulset_status_replicas_ready', '2x40'), set('kube_statefulset_status_replicas_updated', '3x40')],
      alert_rule_test: [
        // the series start at 0 with no update in sight: the 15 minutes count from there
        alertAt('StatefulSetReplicasUnavailable', '13m', []),
        alertAt('StatefulSetReplicasUnavailable', '30m', [firing(g, 'StatefulSetReplicasUnavailable', owner, '1')]),
        alertAt('StatefulSetUnavailable', '30m', []),
      ],
    }, {
      // an update replacing one pod every 8 minutes: a pod is always not ready, one is always being updated
      input_series: [set('kube_statefulset_replicas', '3x40'), set('kube_statefulset_status_replicas_ready', '2x40'), set('kube_statefulset_status_replicas_updated', '0x7 1x7 2x7 3x7 0x7 1x4')],
      alert_rule_test: [alertAt('StatefulSetReplicasUnavailable', '38m', [])],
    }]);
  });

  test('an update that stops with one of three pods updated warns after 15 minutes; a finished update stays silent', () => {
    const revisions = (current: string, update: string): InputSeries[] => [
      set('kube_statefulset_replicas', '3x40'),
      { series: `kube_statefulset_status_current_revision{${KSM}, namespace="shop", statefulset="postgres", revision="${current}"}`, values: '1x40' },
      { series: `kube_statefulset_status_update_revision{${KSM}, namespace="shop", statefulset="postgres", revision="${update}"}`, values: '1x40' },
    ];
    testRulesWithPromtool(g, [{
      input_series: [...revisions('postgres-6c9f8d7b5', 'postgres-7d4b9c8f6'), set('kube_statefulset_status_replicas_updated', '1x40')],
      alert_rule_test: [
        alertAt('StatefulSetUpdateNotRolledOut', '13m', []),
        alertAt('StatefulSetUpdateNotRolledOut', '25m', [firing(g, 'StatefulSetUpdateNotRolledOut', owner, '1')]),
      ],
    }, {
      input_series: [...revisions('postgres-7d4b9c8f6', 'postgres-7d4b9c8f6'), set('kube_statefulset_status_replicas_updated', '3x40')],
      alert_rule_test: [alertAt('StatefulSetUpdateNotRolledOut', '30m', [])],
    }]);
  });

  test('a spec the controller has not observed for 15 minutes warns', () => {
    testRulesWithPromtool(g, [{
      input_series: [set('kube_statefulset_status_observed_generation', '1x30'), set('kube_statefulset_metadata_generation', '2x30')],
      alert_rule_test: [
        alertAt('StatefulSetGenerationMismatch', '10m', []),
        alertAt('StatefulSetGenerationMismatch', '20m', [firing(g, 'StatefulSetGenerationMismatch', owner, '2')]),
      ],
    }]);
  });

  test('crash looping fires for the pod postgres-1, not for a pod of the Deployment postgres-backup', () => {
    const waiting = (pod: string, container: string): InputSeries => ({
      series: `kube_pod_container_status_waiting_reason{${KSM}, namespace="shop", pod="${pod}", container="${container}", reason="CrashLoopBackOff"}`, values: '1x30',
    });
    testRulesWithPromtool(g, [{
      input_series: [waiting('postgres-1', 'postgres'), waiting('postgres-backup-7d9f8b6c5d-x2x4z', 'backup')],
      alert_rule_test: [alertAt('PodCrashLooping', '20m', [firing(g, 'PodCrashLooping', { namespace: 'shop', pod: 'postgres-1', container: 'postgres' }, '1')])],
    }]);
  });

  const volume = (claim: string, capacity: number, available: string, used: string): InputSeries[] => [
    { series: `kubelet_volume_stats_capacity_bytes{${KUBELET}, namespace="shop", persistentvolumeclaim="${claim}"}`, values: `${capacity}x200` },
    { series: `kubelet_volume_stats_available_bytes{${KUBELET}, namespace="shop", persistentvolumeclaim="${claim}"}`, values: available },
    { series: `kubelet_volume_stats_used_bytes{${KUBELET}, namespace="shop", persistentvolumeclaim="${claim}"}`, values: used },
  ];
  const claim = (name: string) => ({ namespace: 'shop', persistentvolumeclaim: name });

  test('a claim with 2% free pages after a minute; a claim of another StatefulSet (data-postgres-backup-0) with 1% free does not', () => {
    testRulesWithPromtool(g, [{
      input_series: [...volume('data-postgres-0', 100e9, '2e9x10', '98e9x10'), ...volume('data-postgres-backup-0', 100e9, '1e9x10', '99e9x10')],
      alert_rule_test: [alertAt('PersistentVolumeAlmostFull', '5m', [firing(g, 'PersistentVolumeAlmostFull', claim('data-postgres-0'), '2%')])],
    }]);
  });

  test('a claim at 14% free losing 1% of its capacity an hour (full in 14 hours) warns after an hour; one steady at 10% free stays silent', () => {
    // 100 GB, 14 GB free losing 16 MB a minute: at 150m, 11.6 GB free
    testRulesWithPromtool(g, [{
      input_series: [...volume('data-postgres-2', 100e9, '14e9-16e6x180', '86e9+16e6x180'), ...volume('data-postgres-1', 100e9, '10e9x180', '90e9x180')],
      alert_rule_test: [
        alertAt('PersistentVolumeFillingUp', '30m', []),
        alertAt('PersistentVolumeFillingUp', '150m', [firing(g, 'PersistentVolumeFillingUp', claim('data-postgres-2'), '11.6%')]),
        alertAt('PersistentVolumeAlmostFull', '150m', []),
      ],
    }]);
  });

  test('a claim Pending for 15 minutes warns', () => {
    testRulesWithPromtool(g, [{
      input_series: [
        { series: `kube_persistentvolumeclaim_status_phase{${KSM}, namespace="shop", persistentvolumeclaim="data-postgres-0", phase="Pending"}`, values: '1x30' },
        { series: `kube_persistentvolumeclaim_status_phase{${KSM}, namespace="shop", persistentvolumeclaim="data-postgres-0", phase="Bound"}`, values: '0x30' },
        { series: `kube_persistentvolumeclaim_status_phase{${KSM}, namespace="shop", persistentvolumeclaim="data-postgres-1", phase="Pending"}`, values: '0x30' },
      ],
      alert_rule_test: [
        alertAt('PersistentVolumeClaimPending', '10m', []),
        alertAt('PersistentVolumeClaimPending', '20m', [firing(g, 'PersistentVolumeClaimPending', claim('data-postgres-0'), '1')]),
      ],
    }]);
  });
});

const jobSeries = (metric: string, job: string, values: string, extra = ''): InputSeries => ({ series: `${metric}{${KSM}, namespace="shop", job_name="${job}"${extra}}`, values });
const owned = (job: string, kind: string, owner: string, values = '1x120'): InputSeries =>
  jobSeries('kube_job_owner', job, values, `, owner_kind="${kind}", owner_name="${owner}", owner_is_controller="true"`);
const failedJob = (job: string, values = '1x120'): InputSeries => jobSeries('kube_job_failed', job, values, ', condition="true"');
/** kube_job_status_start_time: the Job started `at` seconds into the test. */
const started = (job: string, at: number): InputSeries => jobSeries('kube_job_status_start_time', job, `${at}x120`);

describe('promtool test rules: BatchJob migrate (a Job named migrate-<10 hex>)', () => {
  const g = RULES.migrate;

  test('its failed Job warns after a minute; a failed Job of migrate-seed (migrate-seed-<hash>) does not', () => {
    testRulesWithPromtool(g, [{
      input_series: [
        started('migrate-3f9c0a1b2c', 0), failedJob('migrate-3f9c0a1b2c', '0x4 1x20'),
        started('migrate-seed-3f9c0a1b2c', 60), failedJob('migrate-seed-3f9c0a1b2c'),
      ],
      alert_rule_test: [
        alertAt('JobFailed', '4m', []),
        alertAt('JobFailed', '10m', [firing(g, 'JobFailed', { namespace: 'shop', job_name: 'migrate-3f9c0a1b2c' }, '1')]),
      ],
    }]);
  });

  test("the failed Job of the previous release, kept until its TTL, stops alerting once the next release's Job started", () => {
    testRulesWithPromtool(g, [{
      input_series: [
        started('migrate-3f9c0a1b2c', 0), failedJob('migrate-3f9c0a1b2c', '1x30'),
        // the next release's Job (another content hash) starts at 10m and runs
        jobSeries('kube_job_status_start_time', 'migrate-7b0d5e2a91', '_x10 600x20'),
      ],
      alert_rule_test: [
        alertAt('JobFailed', '5m', [firing(g, 'JobFailed', { namespace: 'shop', job_name: 'migrate-3f9c0a1b2c' }, '1')]),
        alertAt('JobFailed', '15m', []),
      ],
    }]);
  });

  test('an OOM-killed container of its pod warns for the first 15 minutes, then resolves while the pod is kept', () => {
    const pod = 'migrate-3f9c0a1b2c-x2x4z';
    testRulesWithPromtool(g, [{
      input_series: [{ series: `kube_pod_container_status_terminated_reason{${KSM}, namespace="shop", pod="${pod}", container="migrate", reason="OOMKilled"}`, values: '_x10 1x60' }],
      alert_rule_test: [
        alertAt('ContainerOOMKilled', '9m', []),
        alertAt('ContainerOOMKilled', '15m', [firing(g, 'ContainerOOMKilled', { namespace: 'shop', pod, container: 'migrate' }, '1')]),
        alertAt('ContainerOOMKilled', '40m', []),
      ],
    }]);
  });
});

describe('promtool test rules: BatchJob report (a CronJob, startingDeadlineSeconds 300)', () => {
  const g = RULES.report;

  test('the latest run failing warns; an older failed run kept in the history does not once a later run started', () => {
    testRulesWithPromtool(g, [{
      // report-29000000 failed; report-29001440 (a day later) failed too: the newest counts
      input_series: [
        owned('report-29000000', 'CronJob', 'report'), started('report-29000000', 60), failedJob('report-29000000'),
        owned('report-29001440', 'CronJob', 'report'), started('report-29001440', 120), failedJob('report-29001440'),
      ],
      alert_rule_test: [alertAt('CronJobLastRunFailed', '5m', [firing(g, 'CronJobLastRunFailed', { namespace: 'shop', job_name: 'report-29001440' }, '1')])],
    }, {
      // the failed run is older than a run that succeeded (or is still running)
      input_series: [
        owned('report-29000000', 'CronJob', 'report'), started('report-29000000', 60), failedJob('report-29000000'),
        owned('report-29001440', 'CronJob', 'report'), started('report-29001440', 120), failedJob('report-29001440', '0x120'),
        // the newest failure of another CronJob
        owned('report-weekly-29001500', 'CronJob', 'report-weekly'), started('report-weekly-29001500', 180), failedJob('report-weekly-29001500'),
      ],
      alert_rule_test: [alertAt('CronJobLastRunFailed', '5m', [])],
    }]);
  });

  test('a run not started 5 minutes (its starting deadline) after it was due warns 5 minutes later; a run due in the future does not', () => {
    const next = (values: string): InputSeries => ({ series: `kube_cronjob_next_schedule_time{${KSM}, namespace="shop", cronjob="report"}`, values });
    testRulesWithPromtool(g, [{
      // due at 600s (10m), never started: 300s late at 15m, firing from 20m
      input_series: [next('600x40')],
      alert_rule_test: [
        alertAt('CronJobRunMissed', '18m', []),
        alertAt('CronJobRunMissed', '25m', [firing(g, 'CronJobRunMissed', { namespace: 'shop', cronjob: 'report' }, '15m 0s')]),
      ],
    }, {
      input_series: [next('86400x40')],
      alert_rule_test: [alertAt('CronJobRunMissed', '30m', [])],
    }]);
  });
});

describe('promtool test rules: ScaledWorker batch in job mode (Jobs of a KEDA ScaledJob)', () => {
  const g = RULES.batch;

  test('a Job of its ScaledJob that failed warns for an hour from its start; a failed Job of another owner does not', () => {
    testRulesWithPromtool(g, [{
      input_series: [
        owned('batch-x7k2p', 'ScaledJob', 'batch', '1x90'), jobSeries('kube_job_status_start_time', 'batch-x7k2p', '60x90'), failedJob('batch-x7k2p', '0x3 1x86'),
        // a Job named like one of batch's, made by something else
        owned('batch-q9w8r', 'CronJob', 'batch', '1x90'), jobSeries('kube_job_status_start_time', 'batch-q9w8r', '60x90'), failedJob('batch-q9w8r', '1x90'),
      ],
      alert_rule_test: [
        alertAt('JobFailed', '10m', [firing(g, 'JobFailed', { namespace: 'shop', job_name: 'batch-x7k2p' }, '1')]),
        alertAt('JobFailed', '65m', []),
      ],
    }]);
  });
});

describe('promtool test rules: what the new dashboard panels compute', () => {
  const panelExpr = (workload: string, title: string): string => {
    const d = JSON.parse(Object.values(find(OBJECTS, 'ConfigMap', `${workload}-dashboard`).data as Record<string, string>)[0]);
    const all = d.panels.flatMap((p: any) => [p, ...(p.panels ?? [])]);
    return dashboardExpressions({ ...d, panels: all.filter((p: any) => p.title === title) })[0];
  };

  test("Volume used is each of the StatefulService's claims' used share; another set's claim is left out", () => {
    testRulesWithPromtool([], [{
      input_series: [
        { series: `kubelet_volume_stats_used_bytes{${KUBELET}, namespace="shop", persistentvolumeclaim="data-postgres-0"}`, values: '25e9x10' },
        { series: `kubelet_volume_stats_capacity_bytes{${KUBELET}, namespace="shop", persistentvolumeclaim="data-postgres-0"}`, values: '100e9x10' },
        { series: `kubelet_volume_stats_used_bytes{${KUBELET}, namespace="shop", persistentvolumeclaim="data-postgres-backup-0"}`, values: '1e9x10' },
        { series: `kubelet_volume_stats_capacity_bytes{${KUBELET}, namespace="shop", persistentvolumeclaim="data-postgres-backup-0"}`, values: '100e9x10' },
      ],
      promql_expr_test: [{ expr: panelExpr('postgres', 'Volume used'), eval_time: '5m', exp_samples: [{ labels: '{persistentvolumeclaim="data-postgres-0"}', value: 0.25 }] }],
    }]);
  });

  test("Run duration is start to completion of each of the CronJob's succeeded Jobs", () => {
    testRulesWithPromtool([], [{
      input_series: [
        owned('report-29000000', 'CronJob', 'report'), started('report-29000000', 60),
        jobSeries('kube_job_status_completion_time', 'report-29000000', '660x120'),
        // a Job of another CronJob
        owned('report-weekly-29000000', 'CronJob', 'report-weekly'), started('report-weekly-29000000', 60),
        jobSeries('kube_job_status_completion_time', 'report-weekly-29000000', '90x120'),
      ],
      promql_expr_test: [{ expr: panelExpr('report', 'Run duration'), eval_time: '5m', exp_samples: [{ labels: '{job_name="report-29000000"}', value: 600 }] }],
    }]);
  });
});
