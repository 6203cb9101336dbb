import { Construct } from 'constructs';
import { MicroserviceConfigError, show } from './errors';
import { PodMonitor } from '../imports/monitoring.coreos.com';
import { checkDuration } from './durations';
import { checkMetricsPath, podMonitor } from './observability/monitors';
import { MetricsOptions, Workload, WorkloadProps } from './workload';

export interface ScaledWorkerProps extends WorkloadProps {
  /**
   * The port of the worker's health (and metrics) endpoint: liveness probes and Prometheus
   * connect here; no Service exposes it.
   * @default 8080
   */
  readonly healthPort?: number;
  /** Where Prometheus scrapes (a PodMonitor). @default - the health port, '/metrics' */
  readonly metrics?: MetricsOptions;
}

/**
 * A background worker: a Deployment with no Service. It takes the pod props of
 * ObservedService and `connectTo()`, and by default is probed with GET /healthz on `healthPort`
 * (override with `probes`, or `probes: { liveness: false }` for none).
 */
export class ScaledWorker extends Workload {
  /** The container port of the health endpoint, named `health`. */
  public readonly healthPort: number;
  /** Scrapes the worker's pods, when the app's monitoring is on. */
  public readonly podMonitor?: PodMonitor;

  constructor(scope: Construct, id: string, props: ScaledWorkerProps) {
    const path = scope.node.path ? `${scope.node.path}/${id}` : id;
    const healthPort = props.healthPort ?? 8080;
    for (const [prop, v] of [['healthPort', healthPort], ['metrics.port', props.metrics?.port ?? healthPort]] as const) {
      if (!Number.isInteger(v) || v < 1 || v > 65535) throw new MicroserviceConfigError(path, `'${prop}' must be 1-65535, got ${show(v)}`);
    }
    const metricsPort = props.metrics?.port ?? healthPort;
    const separateMetrics = metricsPort !== healthPort;
    super(scope, id, props, {
      component: 'worker',
      defaultReplicas: 1,
      ports: [
        { name: 'health', containerPort: healthPort, protocol: 'TCP' },
        ...(separateMetrics ? [{ name: 'metrics', containerPort: metricsPort, protocol: 'TCP' }] : []),
      ],
      probeTarget: { portName: 'health', portNumber: healthPort },
      // no readiness: nothing routes traffic to a worker
      defaultProbes: { liveness: { httpPath: '/healthz' } },
      metricsPort,
    });
    this.healthPort = healthPort;
    const monitoring = this.app.monitoring;
    if (monitoring) {
      this.podMonitor = podMonitor(this, { name: this.name, namespace: this.app.namespaceName, labels: { ...this.labels, ...monitoring.labels } }, this.selectorLabels, {
        portName: separateMetrics ? 'metrics' : 'health',
        path: checkMetricsPath(this, props.metrics?.path),
        interval: props.metrics?.interval === undefined ? monitoring.scrapeInterval : checkDuration(this, 'metrics.interval', props.metrics.interval),
      });
    }
  }
}
