import { Lazy } from 'cdk8s';
import * as k8s from '../rendering/kube';
import { Construct, IConstruct } from 'constructs';
import { PodMonitorSpecPodMetricsEndpointsRelabelingsAction, ServiceMonitorSpecEndpointsRelabelingsAction } from '../../imports/monitoring.coreos.com';
import type { PodMonitor, PrometheusRule, ServiceMonitor } from '../../imports/monitoring.coreos.com';
import { monitoringKinds } from '../rendering/crds';
import { MicroserviceConfigError, show } from '../errors';
import type { RuleGroup } from './model';

/** Checks `metrics.path`: an absolute URL path. */
export function checkMetricsPath(scope: IConstruct | string, path: string | undefined): string {
  const p = path ?? '/metrics';
  if (typeof p !== 'string' || !/^\/[^\s?#]*$/.test(p)) {
    throw new MicroserviceConfigError(scope, `'metrics.path' must be a URL path starting with '/', got ${show(p)}: for example '/metrics'`);
  }
  return p;
}

/** Where and how often Prometheus scrapes a workload. */
export interface ScrapeEndpoint {
  /** A port name: a Service port for a ServiceMonitor, a container port for a PodMonitor. */
  readonly port: string;
  readonly path: string;
  readonly interval: string;
  /**
   * Find the target by a container port that the pod declares (`containerPort`, which need
   * not be a Service port), then scrape the pod IP on `addressPort` instead. The Operator
   * only discovers ports that a container declares, so a port no container declares (Istio's
   * merged metrics on 15020) is reached this way.
   */
  readonly viaContainerPort?: { readonly containerPort: string; readonly addressPort: number };
}

/**
 * Relabelings that point `__address__` at the pod IP and `port`: IPv4 as `ip:port`, IPv6 as
 * `[ip]:port` (Prometheus regexes are anchored; an address that neither matches is left as it was).
 */
export function podAddressRelabelings(port: number): Array<{ sourceLabels: string[]; regex: string; replacement: string; targetLabel: string }> {
  return [
    { sourceLabels: ['__meta_kubernetes_pod_ip'], regex: '([0-9.]+)', replacement: `$1:${port}`, targetLabel: '__address__' },
    { sourceLabels: ['__meta_kubernetes_pod_ip'], regex: '(.+:.+)', replacement: `[$1]:${port}`, targetLabel: '__address__' },
  ];
}

interface MonitorMetadata {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

/** A ServiceMonitor that selects one Service by its stable labels and scrapes one named port. */
export function serviceMonitor(scope: Construct, meta: MonitorMetadata, selector: Record<string, string>, ep: ScrapeEndpoint): ServiceMonitor {
  return new (monitoringKinds().ServiceMonitor)(scope, 'ServiceMonitor', {
    metadata: meta,
    spec: {
      selector: { matchLabels: selector },
      namespaceSelector: { matchNames: [meta.namespace] },
      endpoints: [{
        ...(ep.viaContainerPort
          ? {
            targetPort: ep.viaContainerPort.containerPort,
            relabelings: podAddressRelabelings(ep.viaContainerPort.addressPort).map(r => ({ ...r, action: ServiceMonitorSpecEndpointsRelabelingsAction.REPLACE })),
          }
          : { port: ep.port }),
        path: ep.path, interval: ep.interval, scheme: 'http' as any,
      }],
    },
  });
}

/** A PodMonitor for pods that no Service fronts (workers). */
export function podMonitor(scope: Construct, meta: MonitorMetadata, selector: Record<string, string>, ep: ScrapeEndpoint): PodMonitor {
  return new (monitoringKinds().PodMonitor)(scope, 'PodMonitor', {
    metadata: meta,
    spec: {
      selector: { matchLabels: selector },
      namespaceSelector: { matchNames: [meta.namespace] },
      podMetricsEndpoints: [{
        ...(ep.viaContainerPort
          ? {
            port: ep.viaContainerPort.containerPort,
            relabelings: podAddressRelabelings(ep.viaContainerPort.addressPort).map(r => ({ ...r, action: PodMonitorSpecPodMetricsEndpointsRelabelingsAction.REPLACE })),
          }
          : { port: ep.port }),
        path: ep.path, interval: ep.interval, scheme: 'http' as any,
      }],
    },
  });
}

/**
 * A PrometheusRule whose groups are computed at synth time, so alerts added after the
 * construct (`addAlert()`) are in it.
 */
export function prometheusRule(scope: Construct, meta: MonitorMetadata, groups: () => readonly RuleGroup[]): PrometheusRule {
  return new (monitoringKinds().PrometheusRule)(scope, 'PrometheusRule', {
    metadata: meta,
    spec: {
      groups: Lazy.any({
        produce: () => groups().map(g => ({
          name: g.name,
          interval: g.interval,
          rules: g.rules.map(r => ({ ...r, expr: r.expr })),
        })),
      }) as any,
    },
  });
}

/** The ConfigMap the Grafana sidecar loads dashboards from (label `grafana_dashboard: "1"`). */
export function dashboardConfigMap(scope: Construct, meta: MonitorMetadata, data: () => Record<string, string>): k8s.KubeConfigMap {
  return new k8s.KubeConfigMap(scope, 'Dashboard', {
    metadata: { ...meta, labels: { ...meta.labels, grafana_dashboard: '1' } },
    data: Lazy.any({ produce: data }) as any,
  });
}
