// The workload's options for its pod's life: graceful shutdown, the log format collectors
// parse, and configuration files from a ConfigMap.
import { posix } from 'node:path';
import { IConstruct } from 'constructs';
import { MicroserviceConfigError, show } from '../../errors';
import type * as k8s from '../../rendering/kube';
import { LOG_FORMAT_LABEL } from '../../pod/reserved';
import { shellLessImage } from '../../pod/shell-less';
import { addWarning } from '../../warnings';
import type { ConfigFilesOptions, LoggingOptions, ShutdownOptions } from './props';

const DEFAULT_PRESTOP_SECONDS = 5;
const DEFAULT_GRACE_SECONDS = 30;

/** `shutdown` after defaults: the preStop sleep and a grace period that leaves time after it. */
export function checkShutdown(scope: IConstruct, s: ShutdownOptions): Required<ShutdownOptions> {
  const preStop = s.preStopSleepSeconds ?? DEFAULT_PRESTOP_SECONDS;
  const grace = s.terminationGracePeriodSeconds ?? Math.max(DEFAULT_GRACE_SECONDS, preStop + DEFAULT_GRACE_SECONDS / 2);
  if (!Number.isInteger(preStop) || preStop < 0) {
    throw new MicroserviceConfigError(scope, `'shutdown.preStopSleepSeconds' must be a whole number >= 0, got ${show(s.preStopSleepSeconds)}`);
  }
  if (!Number.isInteger(grace) || grace <= preStop) {
    throw new MicroserviceConfigError(scope, `'shutdown.terminationGracePeriodSeconds' (${show(grace)}) must be a whole number above preStopSleepSeconds (${preStop}), or the app gets no time to stop after SIGTERM`);
  }
  return { preStopSleepSeconds: preStop, terminationGracePeriodSeconds: grace };
}

/** The first Kubernetes minor version whose kubelet runs a `sleep` preStop action by default (beta, on; alpha in 1.29). */
export const SLEEP_ACTION_MINOR = 30;

/**
 * The preStop hook that holds SIGTERM back for `seconds` while Services, kube-proxy and Ingress
 * controllers stop sending traffic; none for 0. From Kubernetes 1.30 (`kubernetesVersion`) the
 * kubelet's own `sleep` action, which needs nothing in the image; before, `exec: sleep`, which
 * needs a `sleep` binary: an image known to have none gets a warning, since the hook would fail
 * (a `FailedPreStopHook` event) and SIGTERM come at once.
 */
export function preStopLifecycle(scope: IConstruct, seconds: number, kubernetesVersion: string, image: string): k8s.Container['lifecycle'] {
  if (seconds === 0) return undefined;
  const minor = Number(kubernetesVersion.split('.')[1]);
  if (minor >= SLEEP_ACTION_MINOR) {
    // the 1.28 bindings have no SleepAction: the field is written as the API server reads it
    return { preStop: { sleep: { seconds } } } as unknown as k8s.Container['lifecycle'];
  }
  const shellLess = shellLessImage(image);
  if (shellLess) {
    addWarning(scope, `the preStop hook runs 'sleep ${seconds}', but ${show(image)} is ${shellLess}, which has no sleep binary: the hook fails (a FailedPreStopHook event) and the container gets SIGTERM while traffic still arrives. On a cluster of Kubernetes 1.30 or later set kubernetesVersion: '1.30' (or the cluster's version) on the app, which uses the kubelet's own sleep action; else set shutdown: { preStopSleepSeconds: 0 } and have the app keep serving for a few seconds after SIGTERM`);
  }
  return { preStop: { exec: { command: ['sleep', String(seconds)] } } };
}

/** `config` checked, its files sorted by name (the ConfigMap's data and the checksum are stable). */
export function checkConfig(scope: IConstruct, c: ConfigFilesOptions): { files: Record<string, string>; mountPath?: string } {
  const files = c.files ?? {};
  if (Object.keys(files).length === 0) throw new MicroserviceConfigError(scope, "'config.files' is empty: give at least one file, for example { 'app.yaml': '...' }");
  for (const [name, content] of Object.entries(files)) {
    if (!/^[-._a-zA-Z0-9]+$/.test(name) || name.length > 253) throw new MicroserviceConfigError(scope, `'config.files' has an invalid file name ${show(name)}: use letters, digits, '-', '_' and '.'`);
    if (typeof content !== 'string') throw new MicroserviceConfigError(scope, `'config.files.${name}' must be a string, got ${show(content)}`);
  }
  const mountPath = c.mountPath === undefined ? undefined : posix.normalize(c.mountPath).replace(/(.)\/+$/, '$1');
  if (mountPath !== undefined && (!mountPath.startsWith('/') || mountPath === '/' || mountPath === '/tmp')) {
    throw new MicroserviceConfigError(scope, `'config.mountPath' must be an absolute path other than '/' and '/tmp', got ${show(c.mountPath)}: for example '/etc/app'`);
  }
  return { files: Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), mountPath };
}


/**
 * The pod labels and annotations that node-level log collectors act on: Fluent Bit's
 * `fluentbit.io/parser` (with K8S-Logging.Parser on), the OpenTelemetry Collector's
 * annotation discovery (`io.opentelemetry.discovery.logs/*`, receiver_creator with discovery
 * enabled), and a format label any collector (Vector's kubernetes_logs) can route on.
 */
export function checkLogging(scope: IConstruct, o: LoggingOptions = { format: 'text' }): { labels: Record<string, string>; annotations: Record<string, string> } {
  if (o.format !== 'json' && o.format !== 'text') {
    throw new MicroserviceConfigError(scope, `'logging.format' must be 'json' or 'text', got ${show(o.format)}`);
  }
  const annotations: Record<string, string> = { 'io.opentelemetry.discovery.logs/enabled': 'true' };
  if (o.format === 'json') {
    annotations['fluentbit.io/parser'] = 'json';
    // the list replaces the receiver's default operators, so the container parser comes first
    annotations['io.opentelemetry.discovery.logs/config'] = 'operators:\n  - type: container\n    id: container-parser\n  - type: json_parser\n    parse_from: body\n    on_error: send_quiet\n';
  }
  return { labels: { [LOG_FORMAT_LABEL]: o.format }, annotations };
}
