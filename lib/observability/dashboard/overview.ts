// The overview dashboard of an app: alerts, SLO budgets and failed Jobs of its namespace, then a
// repeated row per Deployment (and StatefulSet, and Argo Rollouts Rollout).
import { POD_SUFFIX, regexLiteral } from '../promql';
import { ERROR_BUDGET_REMAINING_RECORD } from '../slo';
import { DATASOURCE, GRID_WIDTH, Panel, PanelSpec, dashboardModel, dashboardUid } from './json-model';
import { panel, stat } from './panels';
import { str } from './queries';
import { cpuPanel, memoryPanel, restartsPanel } from './pod-panels';
import { deploymentReplicasPanel, rolloutReplicasPanel } from './deployment-panels';
import { statefulSetReplicasPanel } from './statefulset-panels';

/** What an app's overview shows beyond its Deployments. */
export interface OverviewOptions {
  /** The app's PrometheusRules record SLO error budgets: a panel of them beside the alerts. */
  readonly sloRecords: boolean;
  /** The app has StatefulSets: a second repeated row, one per StatefulSet. @default false */
  readonly statefulSets?: boolean;
  /** The app runs Jobs (BatchJobs, job-mode workers): a count of failed Jobs beside the alerts. @default false */
  readonly jobs?: boolean;
  /**
   * The names of the app's Argo Rollouts Rollouts (services with `progressiveDelivery`): a row per
   * Rollout, and their Deployments (which only hold the pod template) left out of the Deployment rows.
   * @default - none
   */
  readonly rollouts?: readonly string[];
}

/**
 * The overview of an app, the same size however many workloads it has: the alerts firing and
 * the SLO error budgets left (from the recorded series of the PrometheusRules) of the whole
 * namespace (and its failed Jobs, when it runs any), then one row per Deployment that Grafana
 * repeats for each value of the `workload` variable (the namespace's Deployments, from
 * kube-state-metrics) with its CPU, memory, replicas and restarts, and likewise one row per
 * StatefulSet (`statefulset` variable) when the app has any. Each workload's own dashboard
 * (menu at the top) has its request metrics, SLOs, volumes and runs.
 */
export function appOverviewDashboard(app: string, namespace: string, options: OverviewOptions): Record<string, unknown> {
  const ns = `namespace=${str(namespace)}`;
  const firing = stat('Alerts firing', `Alerts of namespace ${namespace} firing now, by alert and workload.`, GRID_WIDTH, 'none', [
    { expr: `sum by (alertname, service, workload, severity) (ALERTS{${ns}, alertstate="firing"})`, legendFormat: '{{alertname}} {{service}}{{workload}} ({{severity}})' },
  ], [{ color: 'green', value: null }, { color: 'red', value: 1 }], 0);
  // no series is the good case here: say so instead of Grafana's "No data"
  (firing.body.fieldConfig as { defaults: Record<string, unknown> }).defaults.noValue = 'none';
  const top: PanelSpec[] = [firing];
  if (options.sloRecords) {
    top.push(stat('SLO error budget left', `Share of each SLO's error budget not yet spent over its window (${ERROR_BUDGET_REMAINING_RECORD}); below 0 the SLO is missed.`, GRID_WIDTH, 'percentunit', [
      { expr: `${ERROR_BUDGET_REMAINING_RECORD}{${ns}}`, legendFormat: '{{slo}}' },
    ], [{ color: 'red', value: null }, { color: 'orange', value: 0 }, { color: 'green', value: 0.25 }], 1));
  }
  if (options.jobs) {
    top.push(stat('Failed Jobs kept', `Failed Jobs of namespace ${namespace} not yet deleted (by their TTL or their CronJob's or ScaledJob's history limit); the alerts say which failure is current.`, GRID_WIDTH, 'none', [
      { expr: `count(kube_job_failed{${ns}, condition="true"} == 1) or vector(0)`, legendFormat: 'failed' },
    ], [{ color: 'green', value: null }, { color: 'orange', value: 1 }], 0));
  }
  // Grafana fills in the variable in queries and descriptions of each repeated row
  const rollouts = options.rollouts ?? [];
  const notRollouts = rollouts.length ? `, deployment!~${str(rollouts.map(regexLiteral).join('|'))}` : '';
  const repeated = [{
    variable: 'workload', label: 'Workload', of: 'Deployment', values: `label_values(kube_deployment_spec_replicas{${ns}${notRollouts}}, deployment)`,
    // a Deployment's pods and main container, whichever Deployment the repeated row stands for
    pods: `${ns}, pod=~"$workload-${POD_SUFFIX}", container="$workload"`,
    replicas: deploymentReplicasPanel(`${ns}, deployment="$workload"`),
  }];
  if (options.statefulSets) {
    repeated.push({
      variable: 'statefulset', label: 'StatefulSet', of: 'StatefulSet', values: `label_values(kube_statefulset_replicas{${ns}}, statefulset)`,
      pods: `${ns}, pod=~"$statefulset-[0-9]+", container="$statefulset"`,
      replicas: statefulSetReplicasPanel(`${ns}, statefulset="$statefulset"`),
    });
  }
  if (rollouts.length) {
    repeated.push({
      variable: 'rollout', label: 'Rollout', of: 'Rollout', values: `label_values(kube_replicaset_owner{${ns}, owner_kind="Rollout"}, owner_name)`,
      // a Rollout's pods are named as a Deployment's: <name>-<hash>-<5 chars>
      pods: `${ns}, pod=~"$rollout-${POD_SUFFIX}", container="$rollout"`,
      replicas: rolloutReplicasPanel(ns, '"$rollout"'),
    });
  }
  const panels: Panel[] = [];
  let id = 0;
  let x = 0;
  for (const spec of top) {
    const w = GRID_WIDTH / top.length;
    panels.push(panel({ ...spec, w }, ++id, { h: 6, w, x, y: 0 }));
    x += w;
  }
  let y = 6;
  for (const r of repeated) {
    const name = `$${r.variable}`;
    panels.push({ id: ++id, type: 'row', title: name, gridPos: { h: 1, w: GRID_WIDTH, x: 0, y }, collapsed: false, panels: [], repeat: r.variable });
    x = 0;
    for (const spec of [cpuPanel(r.pods, name), memoryPanel(r.pods, name), r.replicas, restartsPanel(r.pods, name)]) {
      panels.push(panel(spec, ++id, { h: 8, w: spec.w, x, y: y + 1 }));
      x += spec.w;
    }
    y += 9;
  }
  const kinds = ['Deployment', ...(options.statefulSets ? ['StatefulSet'] : []), ...(rollouts.length ? ['Rollout'] : [])];
  const rows = `every ${kinds.length > 1 ? `${kinds.slice(0, -1).join(', ')} and ${kinds[kinds.length - 1]}` : 'Deployment'}`;
  const each = kinds.length > 1 ? 'one row each' : 'one row per Deployment';
  return dashboardModel({
    app, title: `${app} overview`, uid: dashboardUid(namespace),
    description: `Alerts, SLO error budgets, and the resources and replicas of ${rows} of the ${app} app in namespace ${namespace} (${each}); each workload's dashboard has its request metrics and SLOs. Generated by cdk8s-microservices.`,
    panels,
    variables: repeated.map(r => ({
      // every one at first: one row each
      current: { selected: true, text: ['All'], value: ['$__all'] }, datasource: DATASOURCE, definition: r.values,
      hide: 0, includeAll: true, label: r.label, multi: true, name: r.variable, options: [],
      query: { qryType: 1, query: r.values, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
      refresh: 2, regex: '', skipUrlSync: false, sort: 1, type: 'query',
    })),
  });
}
