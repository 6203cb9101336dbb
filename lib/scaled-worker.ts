import { Construct } from 'constructs';
import { MicroserviceConfigError, show } from './errors';
import { Workload, WorkloadProps } from './workload';

export interface ScaledWorkerProps extends WorkloadProps {
  /**
   * The port of the worker's health (and metrics) endpoint: liveness probes and Prometheus
   * connect here; no Service exposes it.
   * @default 8080
   */
  readonly healthPort?: number;
}

/**
 * A background worker: a Deployment with no Service. It takes the pod props of
 * ObservedService and `connectTo()`, and by default is probed with GET /healthz on `healthPort`
 * (override with `probes`, or `probes: { liveness: false }` for none).
 */
export class ScaledWorker extends Workload {
  /** The container port of the health endpoint, named `health`. */
  public readonly healthPort: number;

  constructor(scope: Construct, id: string, props: ScaledWorkerProps) {
    const healthPort = props.healthPort ?? 8080;
    if (!Number.isInteger(healthPort) || healthPort < 1 || healthPort > 65535) {
      throw new MicroserviceConfigError(scope.node.path ? `${scope.node.path}/${id}` : id, `'healthPort' must be 1-65535, got ${show(props.healthPort)}`);
    }
    super(scope, id, props, {
      component: 'worker',
      defaultReplicas: 1,
      ports: [{ name: 'health', containerPort: healthPort, protocol: 'TCP' }],
      probeTarget: { portName: 'health', portNumber: healthPort },
      // no readiness: nothing routes traffic to a worker
      defaultProbes: { liveness: { httpPath: '/healthz' } },
      metricsPort: healthPort,
    });
    this.healthPort = healthPort;
  }
}
