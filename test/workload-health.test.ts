import { BatchJob, MicroserviceConfigError, ObservedService, QueueTrigger, ScaledWorker, StatefulService } from '../lib';
import { helmHooks } from '../lib/tools/helm/hooks';
import { dashboardExpressions } from '../lib/observability/dashboard';
import { workloadPodPattern } from '../lib/observability/controllers';
import type { WorkloadTelemetry } from '../lib/observability/model';
import { Manifest, find, ofKind, synth, testApp } from './helpers';

const alertsOf = (rule: Manifest): any[] => rule.spec.groups.flatMap((g: any) => g.rules).filter((r: any) => r.alert);
const alertNames = (rule: Manifest): string[] => alertsOf(rule).map(r => r.alert);
const alert = (rule: Manifest, name: string): any => alertsOf(rule).find(r => r.alert === name);
const dashboardOf = (objects: Manifest[], name: string): any => JSON.parse(Object.values(find(objects, 'ConfigMap', `${name}-dashboard`).data as Record<string, string>)[0]);
const panels = (d: any): any[] => d.panels.flatMap((p: any) => [p, ...(p.panels ?? [])]).filter((p: any) => p.type !== 'row');

function app(props = {}) {
  const { shop } = testApp('shop', { monitoring: { runbookBaseUrl: 'https://runbooks.example.com/shop', grafanaUrl: 'https://grafana.example.com' }, ...props });
  const postgres = new StatefulService(shop, 'postgres', {
    image: 'docker.io/library/postgres:16.4', port: 5432, protocol: 'tcp', replicas: 3, user: { uid: 999, gid: 999 },
    storage: { size: '20Gi', mountPath: '/var/lib/postgresql/data' }, probes: { readiness: { command: ['pg_isready'] } },
  });
  const migrate = new BatchJob(shop, 'migrate', { image: 'ghcr.io/acme/api:2.0.0', command: ['/app/migrate'], activeDeadlineSeconds: 900 });
  const report = new BatchJob(shop, 'report', { image: 'ghcr.io/acme/report:1.0.0', schedule: '0 3 * * *', startingDeadlineSeconds: 600 });
  return { shop, postgres, migrate, report };
}

describe('workload health of a StatefulService', () => {
  test("gets the StatefulSet's alerts, its pods' and its claims', none of a Deployment's, routed by service", () => {
    const { shop } = app();
    const rule = find(synth(shop), 'PrometheusRule', 'postgres');
    expect(alertNames(rule)).toEqual([
      'StatefulSetUnavailable', 'StatefulSetReplicasUnavailable', 'StatefulSetUpdateNotRolledOut', 'StatefulSetGenerationMismatch',
      'PodCrashLooping', 'ContainerOOMKilled', 'ContainerRestartsFrequent',
      'PersistentVolumeAlmostFull', 'PersistentVolumeFillingUp', 'PersistentVolumeClaimPending',
    ]);
    for (const a of alertsOf(rule)) {
      expect(a.labels).toMatchObject({ namespace: 'shop', service: 'postgres' });
      expect(a.annotations.dashboard_url).toBe('https://grafana.example.com/d/shop_postgres');
      expect(a.expr).not.toContain('deployment');
    }
    expect(alert(rule, 'StatefulSetUnavailable')).toMatchObject({ for: '5m', labels: { severity: 'critical' } });
    expect(alert(rule, 'PersistentVolumeAlmostFull')).toMatchObject({ for: '1m', labels: { severity: 'critical' } });
    expect(alert(rule, 'PersistentVolumeFillingUp')).toMatchObject({ for: '1h', labels: { severity: 'warning' } });
    expect(alert(rule, 'StatefulSetUnavailable').expr).toContain('statefulset="postgres"');
    expect(alert(rule, 'PodCrashLooping').expr).toContain('pod=~"postgres-[0-9]+"');
    expect(alert(rule, 'PersistentVolumeFillingUp').expr).toContain('persistentvolumeclaim=~"data-postgres-[0-9]+"');
    expect(alert(rule, 'PersistentVolumeFillingUp').expr).toContain('predict_linear(kubelet_volume_stats_available_bytes{namespace="shop", persistentvolumeclaim=~"data-postgres-[0-9]+"}[6h], 4 * 24 * 3600)) < 0');
  });

  test('an http StatefulService gets the golden-signal alerts too', () => {
    const { shop } = testApp();
    new StatefulService(shop, 'search', { image: 'x/search:1', storage: { size: '1Gi', mountPath: '/data' } });
    const names = alertNames(find(synth(shop), 'PrometheusRule', 'search'));
    expect(names).toEqual(expect.arrayContaining(['ServiceErrorRatioHigh', 'ServiceTrafficStopped', 'StatefulSetUnavailable', 'PersistentVolumeAlmostFull']));
  });

  test("its dashboard shows the StatefulSet's replicas and each claim's volume, and queries none of a Deployment's series", () => {
    const { shop } = app();
    const d = dashboardOf(synth(shop), 'postgres');
    const titles = panels(d).map(p => p.title);
    expect(titles).toEqual(['CPU', 'Memory', 'Replicas', 'Restarts', 'Volume used', 'Volume bytes']);
    const exprs = dashboardExpressions(d).join('\n');
    expect(exprs).toContain('kube_statefulset_status_replicas_ready{namespace="shop", statefulset="postgres"}');
    expect(exprs).toContain('kubelet_volume_stats_used_bytes{namespace="shop", persistentvolumeclaim=~"data-postgres-[0-9]+"}');
    expect(exprs).toContain('pod=~"postgres-[0-9]+", container="postgres"');
    expect(exprs).not.toContain('deployment');
    const used = panels(d).find(p => p.title === 'Volume used');
    expect(used.fieldConfig.defaults.thresholds.steps.map((s: any) => s.value)).toEqual([null, 0.85, 0.97]);
  });
});

describe('workload health of a BatchJob', () => {
  test("a Job gets JobFailed on its content-named Jobs and OOM kills of its pods, routed by workload", () => {
    const { shop } = app();
    const rule = find(synth(shop), 'PrometheusRule', 'migrate');
    expect(alertNames(rule)).toEqual(['JobFailed', 'ContainerOOMKilled']);
    expect(alert(rule, 'JobFailed')).toMatchObject({ for: '1m', labels: { severity: 'warning', namespace: 'shop', workload: 'migrate' } });
    expect(alert(rule, 'JobFailed').expr).toContain('max by (namespace, job_name) (kube_job_failed{namespace="shop", job_name=~"migrate-[0-9a-f]{10}", condition="true"}) == 1');
    expect(alert(rule, 'JobFailed').expr).toContain('max by (namespace, job_name) (kube_job_status_start_time{namespace="shop", job_name=~"migrate-[0-9a-f]{10}"})');
    expect(alert(rule, 'JobFailed').annotations.description).toContain('activeDeadlineSeconds (900s)');
    expect(alert(rule, 'ContainerOOMKilled').expr).toContain('kube_pod_container_status_terminated_reason{namespace="shop", pod=~"migrate-[0-9a-f]{10}-[bcdfghjklmnpqrstvwxz2456789]{5}", reason="OOMKilled"} offset 15m');
  });

  test('a CronJob gets the failure of its latest run and missed runs past its starting deadline, its Jobs selected by owner', () => {
    const { shop } = app();
    const rule = find(synth(shop), 'PrometheusRule', 'report');
    expect(alertNames(rule)).toEqual(['CronJobLastRunFailed', 'CronJobRunMissed', 'ContainerOOMKilled']);
    expect(alert(rule, 'CronJobLastRunFailed').expr).toContain('kube_job_owner{namespace="shop", owner_kind="CronJob", owner_name="report"}');
    expect(alert(rule, 'CronJobLastRunFailed').expr).toContain('topk by (namespace) (1,');
    expect(alert(rule, 'CronJobRunMissed').expr).toBe('time() - max by (namespace, cronjob) (kube_cronjob_next_schedule_time{namespace="shop", cronjob="report"}) > 600');
    expect(alert(rule, 'CronJobRunMissed').for).toBe('5m');
  });

  test('a runBefore Job has its PrometheusRule and dashboard, which the helm export keeps out of its hooks', () => {
    const { shop } = app();
    const api = new ObservedService(shop, 'api', { image: 'x/api:1' });
    const seed = new BatchJob(shop, 'seed', { image: 'x/seed:1', runBefore: [api] });
    const hooks = helmHooks(shop, o => o.node.path);
    expect(hooks.has(seed.job!.node.path)).toBe(true);
    expect(hooks.has(seed.serviceAccount.node.path)).toBe(true);
    expect(hooks.has(seed.prometheusRule!.node.path)).toBe(false);
    expect(hooks.has(seed.dashboard!.node.path)).toBe(false);
  });

  test('addAlert() works on a BatchJob and refuses the name of one of its library alerts', () => {
    const { shop, report } = app();
    report.addAlert({ name: 'ReportTooOld', expr: 'time() - max(report_last_success_timestamp_seconds) > 2 * 86400', summary: 'No report for two days' });
    expect(alertNames(find(synth(shop), 'PrometheusRule', 'report'))).toContain('ReportTooOld');
    expect(() => report.addAlert({ name: 'CronJobRunMissed', expr: 'vector(1)', summary: 's' })).toThrow(MicroserviceConfigError);
    expect(() => report.addAlert({ name: 'CronJobRunMissed', expr: 'vector(1)', summary: 's' })).toThrow(/already exists/);
  });

  test("a CronJob's dashboard shows runs, durations against its deadline, the last success and the next run, not replicas", () => {
    const { shop } = app();
    const objects = synth(shop);
    const cron = dashboardOf(objects, 'report');
    expect(panels(cron).map(p => p.title)).toEqual(['CPU', 'Memory', 'Runs', 'Run duration', 'Last successful run', 'Next run']);
    const exprs = dashboardExpressions(cron).join('\n');
    expect(exprs).toContain('kube_cronjob_status_last_successful_time{namespace="shop", cronjob="report"}');
    expect(exprs).not.toMatch(/deployment|statefulset/);
    const job = dashboardOf(objects, 'migrate');
    expect(panels(job).map(p => p.title)).toEqual(['CPU', 'Memory', 'Runs', 'Run duration']);
    const duration = panels(job).find(p => p.title === 'Run duration');
    expect(duration.fieldConfig.defaults.thresholds.steps).toEqual([{ color: 'green', value: null }, { color: 'red', value: 900 }]);
  });

  test('with monitoring.rules false there is no rule, with dashboards false no dashboard', () => {
    const { shop } = app({ monitoring: { rules: false, dashboards: false } });
    const objects = synth(shop);
    expect(ofKind(objects, 'PrometheusRule')).toEqual([]);
    expect(ofKind(objects, 'ConfigMap').filter(c => c.metadata.name.endsWith('-dashboard'))).toEqual([]);
  });
});

describe('the app overview', () => {
  test('repeats a row per StatefulSet beside the one per Deployment, and counts failed Jobs beside the alerts, when the app has them', () => {
    const { shop } = app();
    const overview = JSON.parse(find(synth(shop), 'ConfigMap', 'shop-overview-dashboard').data['shop-overview-dashboard.json']);
    expect(overview.templating.list.map((v: any) => v.name)).toEqual(['datasource', 'workload', 'statefulset']);
    expect(overview.templating.list[2].definition).toBe('label_values(kube_statefulset_replicas{namespace="shop"}, statefulset)');
    const rows = overview.panels.filter((p: any) => p.type === 'row');
    expect(rows.map((r: any) => [r.repeat, r.gridPos.y])).toEqual([['workload', 6], ['statefulset', 15]]);
    const top = overview.panels.filter((p: any) => p.gridPos.y === 0);
    expect(top.map((p: any) => [p.title, p.gridPos.w])).toEqual([['Alerts firing', 8], ['SLO error budget left', 8], ['Failed Jobs kept', 8]]);
    const exprs = dashboardExpressions(overview).join('\n');
    expect(exprs).toContain('pod=~"$statefulset-[0-9]+", container="$statefulset"');
    expect(exprs).toContain('kube_statefulset_status_replicas_ready{namespace="shop", statefulset="$statefulset"}');
  });
});

describe('workload health of a ScaledWorker in job mode', () => {
  test('gets JobFailed on the Jobs its KEDA ScaledJob owns, with the deadline of maxProcessingTime', () => {
    const { shop } = testApp();
    const queue = QueueTrigger.rabbitmq({ queueName: 'q', messagesPerReplica: 5, host: { secretName: 'r', key: 'url' } });
    new ScaledWorker(shop, 'batch', { image: 'x/b:1', mode: 'job', queue, autoscaling: { maxReplicas: 5 }, maxProcessingTime: '10m' });
    const objects = synth(shop);
    const rule = find(objects, 'PrometheusRule', 'batch');
    expect(alert(rule, 'JobFailed').expr).toContain('owner_kind="ScaledJob", owner_name="batch"');
    expect(alert(rule, 'JobFailed').expr).toContain('> time() - 3600');
    expect(alert(rule, 'JobFailed').annotations.description).toContain('maxProcessingTime (600s)');
    expect(panels(dashboardOf(objects, 'batch')).map(p => p.title)).toEqual(['CPU', 'Memory', 'Runs', 'Run duration']);
  });
});

describe('workloadPodPattern', () => {
  const t = (name: string, controller: WorkloadTelemetry['controller']): WorkloadTelemetry => ({
    app: 'shop', namespace: 'shop', name, kind: 'worker', controller, container: name, runbookBaseUrl: '', customAlerts: [],
  });
  test.each<[WorkloadTelemetry['controller'], string[], string[]]>([
    ['Deployment', ['api-5d8f7c9b4-x2k7p'], ['api-0', 'api-migrate-5d8f7c9b4-x2k7p']],
    ['StatefulSet', ['api-0', 'api-12'], ['api-5d8f7c9b4-x2k7p', 'api-backup-0', 'api-0-x']],
    ['Job', ['api-3f9c0a1b2c-x2k7p'], ['api-seed-3f9c0a1b2c-x2k7p', 'api-29001440-x2k7p']],
    ['CronJob', ['api-29001440-x2k7p'], ['api-3f9c0a1b2c-x2k7p', 'api-weekly-29001440-x2k7p']],
    ['ScaledJob', ['api-q9w8r-x2k7p'], ['api-29001440-x2k7p', 'api-0']],
  ])('%s: matches the pods it names, not those of another controller or workload', (controller, yes, no) => {
    const re = new RegExp(`^(?:${workloadPodPattern(t('api', controller))})$`);
    for (const pod of yes) expect([pod, re.test(pod)]).toEqual([pod, true]);
    for (const pod of no) expect([pod, re.test(pod)]).toEqual([pod, false]);
  });
});
