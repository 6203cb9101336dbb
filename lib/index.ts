// The constructs and synthesis. The tools behind the cdk8s-ms command (validate, diff, helm,
// kustomize) are in './tools', so that synthesizing an app does not load them. Names are listed
// where a module also holds what only the library uses (its lists of known props).
export * from './errors';
export { DEFAULT_DNS, DEFAULT_INGRESS_CONTROLLER, DEFAULT_ISTIOD, DEFAULT_ISTIO_INGRESS, DEFAULT_ISTIO_INGRESS_ACCOUNT, DEFAULT_PROMETHEUS, ISTIOD_XDS_PORT, ISTIO_INGRESS_CLASS, MicroserviceApp } from './constructs/microservice-app';
export type { IstioOptions, MicroserviceAppProps, MonitoringOptions, OpenTelemetryOptions, ResolvedMesh, ResolvedMonitoring, RouteOptions } from './constructs/microservice-app';
export { ISTIO_RESERVED_PORTS, OTEL_PROMETHEUS_PORT, ObservedService, requestQueries, servingPorts } from './constructs/observed-service';
export type { ObservedServiceProps, ServiceMetricsOptions, ServiceProtocol } from './constructs/observed-service';
export { ScaledWorker } from './constructs/scaled-worker';
export type { JobModeOptions, ScaledWorkerProps } from './constructs/scaled-worker';
export { STORAGE_VOLUME, StatefulService } from './constructs/stateful-service';
export type { ClaimRetentionOptions, StatefulServiceProps, StorageOptions } from './constructs/stateful-service';
export { BatchJob } from './constructs/batch-job';
export type { BatchJobProps } from './constructs/batch-job';
export { POD_PROP_NAMES } from './pod/pod-props';
export type { ClaimMountOptions, ConfigMapEnvSource, ExtraContainerOptions, PodProps, SecretFilesOptions, UserOptions } from './pod/pod-props';
export type { PodField } from './pod/env';
export type { ServiceTarget } from './constructs/service-target';
export * from './constructs/workload';
export { defaultProbes, renderProbe, renderProbes } from './pod/probes';
export type { CommandProbe, GrpcProbe, HttpProbe, Probe, ProbeOptions, ProbeTarget, ProbeTiming, TcpProbe } from './pod/probes';
export { DEFAULT_REQUESTS, LIMIT_FACTOR, parseQuantity, renderResources, scaleQuantity } from './pod/resources';
export type { ResourceLimits, ResourceOptions } from './pod/resources';
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
export type { ProgressiveDeliveryOptions, ResolvedProgressiveDelivery } from './delivery/progressive-delivery';
// the JSON shape of a generated binding type: what podTemplate, resources and the objects' props are in
export type { Api } from './rendering/api-shape';
