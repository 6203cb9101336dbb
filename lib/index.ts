// The constructs and synthesis. The tools behind the cdk8s-ms command (validate, diff, helm,
// kustomize) are in './tools', so that synthesizing an app does not load them.
export * from './errors';
export * from './microservice-app';
export * from './observed-service';
export * from './scaled-worker';
export * from './stateful-service';
export * from './batch-job';
export * from './pod/pod-props';
export type { PodField } from './pod/env';
export type { ServiceTarget } from './service-target';
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
export type { OverviewOptions } from './observability/dashboard';
export type { DashboardOptions } from './observability/dashboard';
export * from './keda/triggers';
export type { KedaOptions } from './keda/scaled-object';
export type { TrafficOptions, RetryOptions, CircuitBreakerOptions, RateLimitOptions } from './mesh/traffic';
export { SAFE_RETRY_ON, IDEMPOTENT_RETRY_ON } from './mesh/traffic';
export type { CanaryOptions } from './canary';
// the JSON shape of a generated binding type: what podTemplate, resources and the objects' props are in
export type { Api } from './rendering/api-shape';
