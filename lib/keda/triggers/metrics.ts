// Metrics: the value of a Prometheus query. (KEDA's cpu and memory triggers are not offered,
// see QueueTrigger.)
import { show } from '../../errors';
import { promqlError } from '../../observability/promql';
import { Check, TriggerDefinition } from './check';
import type { QueueTriggerOptions } from './options';

export interface PrometheusTriggerOptions extends QueueTriggerOptions {
  /** The Prometheus HTTP API base URL, `http(s)://host[:port]`. */
  readonly serverAddress: string;
  /** A PromQL query returning one value (wrap it in `sum(...)`): the work waiting. */
  readonly query: string;
  /** The query value one replica should handle (replicas = value / threshold). */
  readonly threshold: number;
  /** The value that wakes the worker from zero: it scales up above this. @default 0 */
  readonly activationThreshold?: number;
}

/** A Prometheus query's value (KEDA `prometheus`); the query must parse as PromQL. */
export function prometheus(options: PrometheusTriggerOptions): TriggerDefinition {
  const c = new Check();
  const o = c.object('', options, "{ serverAddress: 'http://prometheus.monitoring:9090', query: 'sum(queue_depth)', threshold: 10 }");
  const serverAddress = c.text('serverAddress', o.serverAddress, "the Prometheus URL, for example 'http://prometheus-operated.monitoring.svc:9090'");
  if (serverAddress) {
    let url: URL | undefined;
    try {
      url = new URL(serverAddress);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
      c.fail('serverAddress', `${show(serverAddress)} is not an http(s) URL: use the Prometheus base URL, for example 'http://prometheus-operated.monitoring.svc:9090'`);
    } else if (url.username || url.password) {
      c.fail('serverAddress', `${show(serverAddress)} holds credentials, which would be stored in plain text in the ScaledObject: use a Prometheus reachable without them, for example inside the cluster`);
    }
  }
  const query = c.text('query', o.query, "a PromQL query returning one value, for example 'sum(rabbitmq_queue_messages_ready)'");
  if (query) {
    const problem = promqlError(query);
    if (problem) c.fail('query', `${show(query)} is not valid PromQL: ${problem}`);
  }
  return {
    type: 'prometheus', name: o.name, check: c,
    metadata: {
      serverAddress,
      query,
      threshold: c.positiveNumber('threshold', o.threshold, 'the query value one replica should handle, for example 10'),
      activationThreshold: c.nonNegativeNumber('activationThreshold', o.activationThreshold ?? 0, 'the value that wakes a worker from zero, usually 0'),
    },
  };
}
