// The prop names of every public props and options interface, for checkKnownProps(). Each list
// is typed against its interface (PropNames), so adding a prop without listing it here, or
// listing one that does not exist, fails to compile.
import type { CanaryOptions } from '../canary';
import type { KedaOptions } from '../keda/scaled-object';
import type { GatewayOptions } from '../gateway';
import type { CircuitBreakerOptions, RateLimitOptions, RetryOptions, TrafficOptions } from '../mesh/traffic';
import type { IstioOptions, MicroserviceAppProps, MonitoringOptions, OpenTelemetryOptions, RouteOptions } from '../microservice-app';
import type { ObservedServiceProps, ServiceMetricsOptions } from '../observed-service';
import type { PodsPeer } from '../policy/network-policy';
import type { ProbeOptions } from '../probes';
import type { ResourceLimits, ResourceOptions } from '../resources';
import type { JobModeOptions, ScaledWorkerProps } from '../scaled-worker';
import type { BatchJobProps } from '../batch-job';
import type { ClaimMountOptions, ConfigMapEnvSource, ExtraContainerOptions, SecretFilesOptions, UserOptions } from '../pod/pod-props';
import type { ClaimRetentionOptions, StatefulServiceProps, StorageOptions } from '../stateful-service';
import type {
  AutoscalingOptions, ConfigFilesOptions, ConnectOptions, ExternalConnectionOptions, LoggingOptions, MetricsOptions,
  RollingUpdateOptions, SecretEnvSource, ShutdownOptions, WorkloadProps,
} from '../workload';
import { PropNames, propNames } from './checks';

const WORKLOAD: PropNames<WorkloadProps> = {
  image: true, replicas: true, autoscaling: true, resources: true, env: true, envNotSecret: true, secretEnv: true, config: true,
  command: true, args: true, probes: true, rollingUpdate: true, revisionHistoryLimit: true, shutdown: true, nodeSelector: true,
  tolerations: true, affinity: true, topologySpread: true, component: true, version: true, automountServiceAccountToken: true,
  logging: true, runAsUser: true, runAsGroup: true,
  // the pod (lib/pod)
  user: true, writablePaths: true, writablePathSizeLimit: true, claims: true, secretFiles: true, configMapEnv: true, fieldEnv: true,
  envFromConfigMaps: true, initContainers: true, sidecars: true, imagePullSecrets: true, priorityClassName: true,
  podLabels: true, podAnnotations: true, serviceLabels: true, serviceAnnotations: true,
};
// the workload props a controller kind does not take, left out of its list
const { autoscaling: _a, rollingUpdate: _r, ...STATEFUL_WORKLOAD } = WORKLOAD;
const { replicas: _j1, autoscaling: _j2, rollingUpdate: _j3, revisionHistoryLimit: _j4, topologySpread: _j5, probes: _j6, ...JOB_WORKLOAD } = WORKLOAD;

export const PROPS = {
  app: propNames<MicroserviceAppProps>({
    namespace: true, domain: true, tlsSecretName: true, ingressClassName: true, gateway: true, ingressAnnotations: true,
    ingressController: true, dns: true, monitoring: true, version: true, openTelemetry: true, mesh: true, istio: true,
  }),
  monitoring: propNames<MonitoringOptions>({
    enabled: true, prometheusLabels: true, scrapeInterval: true, runbookBaseUrl: true, dashboards: true, prometheusNamespace: true, prometheusPodLabels: true,
    rules: true, ruleLabels: true, grafanaUrl: true, prometheusCidrs: true,
  }),
  istio: propNames<IstioOptions>({ trustDomain: true, revision: true, controlPlane: true, ingressPrincipals: true }),
  openTelemetry: propNames<OpenTelemetryOptions>({ endpoint: true, protocol: true, collector: true }),
  gateway: propNames<GatewayOptions>({ name: true, namespace: true, sectionName: true }),
  podsPeer: propNames<PodsPeer>({ namespace: true, podLabels: true, cidrs: true }),
  route: propNames<RouteOptions>({ path: true, pathType: true, host: true }),
  service: propNames<ObservedServiceProps>({
    ...WORKLOAD, port: true, protocol: true, servicePort: true, serviceType: true, route: true, metrics: true, traffic: true, canary: true, slo: true,
  }),
  worker: propNames<ScaledWorkerProps>({
    ...WORKLOAD, healthPort: true, metrics: true, queue: true, keda: true, maxProcessingTime: true, mode: true, job: true,
  }),
  stateful: propNames<StatefulServiceProps>({
    ...STATEFUL_WORKLOAD, port: true, protocol: true, servicePort: true, storage: true, peerPorts: true, claimRetention: true, metrics: true,
  }),
  batchJob: propNames<BatchJobProps>({
    ...JOB_WORKLOAD, schedule: true, timeZone: true, runBefore: true, backoffLimit: true, activeDeadlineSeconds: true,
    ttlSecondsAfterFinished: true, concurrencyPolicy: true, startingDeadlineSeconds: true, successfulJobsHistoryLimit: true,
    failedJobsHistoryLimit: true, suspend: true,
  }),
  storage: propNames<StorageOptions>({ size: true, mountPath: true, storageClassName: true, accessModes: true, subPath: true }),
  claimRetention: propNames<ClaimRetentionOptions>({ whenDeleted: true, whenScaled: true }),
  user: propNames<UserOptions>({ uid: true, gid: true }),
  claim: propNames<ClaimMountOptions>({ claimName: true, mountPath: true, readOnly: true, subPath: true }),
  secretFiles: propNames<SecretFilesOptions>({ secretName: true, mountPath: true, keys: true, optional: true }),
  configMapEnv: propNames<ConfigMapEnvSource>({ configMapName: true, key: true, optional: true }),
  container: propNames<ExtraContainerOptions>({
    name: true, image: true, command: true, args: true, env: true, resources: true, mountPaths: true, ports: true, probes: true,
  }),
  autoscaling: propNames<AutoscalingOptions>({ minReplicas: true, maxReplicas: true, targetCpuUtilization: true, targetMemoryUtilization: true }),
  resources: propNames<ResourceOptions>({ cpu: true, memory: true, ephemeralStorage: true, limits: true }),
  limits: propNames<ResourceLimits>({ cpu: true, memory: true, ephemeralStorage: true }),
  rollingUpdate: propNames<RollingUpdateOptions>({ maxSurge: true, maxUnavailable: true }),
  shutdown: propNames<ShutdownOptions>({ preStopSleepSeconds: true, terminationGracePeriodSeconds: true }),
  secretEnv: propNames<SecretEnvSource>({ secretName: true, key: true, optional: true }),
  config: propNames<ConfigFilesOptions>({ files: true, mountPath: true }),
  connect: propNames<ConnectOptions>({ env: true, format: true }),
  external: propNames<ExternalConnectionOptions>({ name: true, host: true, cidr: true, port: true, protocol: true, env: true }),
  logging: propNames<LoggingOptions>({ format: true }),
  metrics: propNames<MetricsOptions>({ port: true, path: true, interval: true }),
  serviceMetrics: propNames<ServiceMetricsOptions>({ port: true, path: true, interval: true, source: true }),
  probes: propNames<ProbeOptions>({ readiness: true, liveness: true, startup: true }),
  traffic: propNames<TrafficOptions>({ timeout: true, retries: true, idempotent: true, circuitBreaker: true, rateLimit: true }),
  retries: propNames<RetryOptions>({ attempts: true, perTryTimeout: true, retryOn: true }),
  circuitBreaker: propNames<CircuitBreakerOptions>({
    consecutiveErrors: true, interval: true, baseEjectionTime: true, maxEjectionPercent: true, maxConnections: true,
    maxPendingRequests: true, maxRequests: true, connectTimeout: true,
  }),
  rateLimit: propNames<RateLimitOptions>({ requestsPerSecond: true, burstMultiplier: true }),
  canary: propNames<CanaryOptions>({ image: true, weight: true, header: true, replicas: true, version: true }),
  keda: propNames<KedaOptions>({ pollingInterval: true, cooldownPeriod: true, fallbackReplicas: true, fallbackFailureThreshold: true }),
  job: propNames<JobModeOptions>({ backoffLimit: true, successfulJobsHistoryLimit: true, failedJobsHistoryLimit: true }),
} as const;
