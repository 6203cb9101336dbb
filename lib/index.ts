// The constructs and synthesis. The tools behind the cdk8s-ms command (validate, diff, helm,
// kustomize) are in './tools', so that synthesizing an app does not load them.
export * from './errors';
export * from './microservice-app';
export * from './observed-service';
export * from './scaled-worker';
export * from './workload';
export * from './probes';
export * from './resources';
export * from './security';
export * from './synth';
export type { PodsPeer } from './policy/network-policy';
export * from './graph';
export * from './app-readme';
export type { AppContext, AppBuilder } from './cli/load-app';
export { MetricsSource } from './observability/metrics-source';
export type { CustomMetricsOptions, RequestQueries, ServiceSelector } from './observability/metrics-source';
export type { AlertOptions, ResolvedSlo, SloOptions, WorkloadTelemetry } from './observability/model';
export { appOverviewDashboard, grafanaDashboard, dashboardExpressions } from './observability/dashboard';
export type { DashboardOptions } from './observability/dashboard';
export * from './keda/triggers';
export type { KedaOptions } from './keda/scaled-object';
