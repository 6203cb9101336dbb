// The constructs and synthesis. The tools behind the cdk8s-ms command (validate, diff, helm,
// kustomize) are in './tools', so that synthesizing an app does not load them.
export * from './errors';
export * from './constructs/microservice-app';
export * from './constructs/observed-service';
export * from './constructs/scaled-worker';
export * from './constructs/stateful-service';
export * from './constructs/batch-job';
export * from './pod/pod-props';
export type { ServiceTarget } from './constructs/service-target';
export * from './constructs/workload';
export * from './pod/probes';
export * from './pod/resources';
export * from './pod/security';
export * from './output/synth';
export type { PodsPeer } from './network/network-policy';
export * from './output/graph';
export * from './output/app-readme';
export type { AppContext, AppBuilder } from './tools/cli/load-app';
export { MetricsSource } from './observability/metrics-source';
export type { CustomMetricsOptions, RequestQueries, ServiceSelector } from './observability/metrics-source';
export type { AlertOptions, ResolvedSlo, SloOptions, WorkloadTelemetry } from './observability/model';
export { appOverviewDashboard, grafanaDashboard, dashboardExpressions } from './observability/dashboard';
export type { OverviewOptions } from './observability/dashboard';
export type { DashboardOptions } from './observability/dashboard';
export * from './keda/triggers';
export type { KedaOptions } from './keda/scaled-object';
export type { TrafficOptions, RetryOptions, CircuitBreakerOptions, RateLimitOptions } from './network/mesh/traffic';
export { SAFE_RETRY_ON, IDEMPOTENT_RETRY_ON } from './network/mesh/traffic';
export type { CanaryOptions } from './constructs/canary';
// the JSON shape of a generated binding type: what podTemplate, resources and the objects' props are in
export type { Api } from './rendering/api-shape';
