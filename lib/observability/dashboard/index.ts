/**
 * The Grafana dashboard of one app: a row per workload with its golden signals, its resources
 * against requests and limits, its replicas against the autoscaler's bounds, its restarts and,
 * for services with an SLO, the error budget left. Pure functions of the telemetry model; the
 * constructs put the JSON in a ConfigMap the Grafana sidecar loads (`grafana_dashboard: "1"`).
 *
 * Every panel queries the `${datasource}` template variable (any Prometheus data source),
 * and range windows are Grafana's `$__rate_interval` / `$__range`; `dashboardExpressions()`
 * gives the same PromQL with those replaced, for promtool and parser checks.
 *
 * Resource series come from cAdvisor (`container_cpu_usage_seconds_total`,
 * `container_memory_working_set_bytes`) and kube-state-metrics, as kube-prometheus-stack
 * scrapes them (`namespace`, `pod`, `container` labels).
 */
export { DASHBOARD_SCHEMA_VERSION, DASHBOARD_TIME_RANGE, appDashboardLinks, dashboardConfigMapData, dashboardUid } from './json-model';
export { DASHBOARD_RATE_INTERVAL, dashboardExpressions } from './expressions';
export { MAX_OPEN_ROWS, grafanaDashboard } from './workload-dashboard';
export type { DashboardOptions } from './workload-dashboard';
export { appOverviewDashboard } from './overview';
export type { OverviewOptions } from './overview';
