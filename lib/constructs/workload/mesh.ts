// A workload's pods in the Istio mesh: the sidecar's ProxyConfig and where Prometheus finds the
// app's metrics through it.
import type { ShutdownOptions, WorkloadSpec } from './props';

/**
 * With a mesh, Prometheus (outside the mesh) cannot scrape through STRICT mTLS: Istio's agent
 * serves the app's metrics merged with the sidecar's in plaintext on 15020, at this path. No
 * container declares 15020, and the Prometheus Operator only discovers declared ports, so the
 * monitors find the pod by the port the injected istio-proxy declares (15090,
 * `http-envoy-prom`) and relabel the address to the pod IP on 15020, as Istio's own Prometheus
 * Operator example does (samples/addons/extras/prometheus-operator.yaml).
 */
export const ISTIO_MERGED_METRICS = { port: 15020, path: '/stats/prometheus', proxyPortName: 'http-envoy-prom' };

/**
 * The pod's ProxyConfig (annotation `proxy.istio.io/config`). On SIGTERM the sidecar stops
 * taking inbound connections but keeps carrying outbound calls, and Envoy is killed after
 * `terminationDrainDuration` (Istio's default 5 s): with the app's own 5 s preStop sleep, the
 * app would get SIGTERM just as its proxy goes, and every call it makes while shutting down
 * (flushes, acks, deregistration) would fail. A drain as long as the grace period keeps the
 * sidecar for as long as the app may run; the kubelet stops both at the end of it.
 */
export function sidecarProxyConfig(shutdown: Required<ShutdownOptions>): Record<string, unknown> {
  return { holdApplicationUntilProxyStarts: true, terminationDrainDuration: `${shutdown.terminationGracePeriodSeconds}s` };
}

// Istio: hold the app until the sidecar can carry its calls, keep the sidecar as long as the
// app may run, and say where the app's metrics are so the agent merges them into its
// plaintext endpoint
export function meshAnnotations(spec: WorkloadSpec, shutdown: Required<ShutdownOptions>): Record<string, string> {
  return {
    // a Job's pod ends when its main container does: a classic sidecar never exits, so the
    // proxy runs as a native sidecar (an init container with restartPolicy Always) instead,
    // stopped by the kubelet only after the app ended: no drain to wait for, which would only
    // hold the Job (and what runs after it) back by the grace period
    ...(spec.controller === 'job'
      ? { 'proxy.istio.io/config': JSON.stringify({ holdApplicationUntilProxyStarts: true }), 'sidecar.istio.io/nativeSidecar': 'true' }
      : { 'proxy.istio.io/config': JSON.stringify(sidecarProxyConfig(shutdown)) }),
    ...(spec.scraped !== false ? { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(spec.metricsPort), 'prometheus.io/path': spec.metricsPath } : {}),
  };
}
