/**
 * A service's `progressiveDelivery`, as ObservedService wires it: checked before the service's
 * pods exist (the steps, the router, the analysis), then the objects made beside them: with
 * ingress-nginx the stable and canary Services, and the routing the Rollout names. The steps,
 * the router choice and the analysis are in lib/delivery/; the Rollout in ../workload/rollout.ts.
 */
import type { Construct } from 'constructs';
import * as k8s from '../../rendering/kube';
import { MicroserviceConfigError } from '../../errors';
import { INSTANCE } from '../../labels';
import { SloAnalysisOptions, sloAnalysisGates } from '../../delivery/analysis';
import {
  CanaryRouting, ProgressiveDeliveryOptions, ResolvedProgressiveDelivery, canaryRoutingKind, resolveProgressiveDelivery,
} from '../../delivery/progressive-delivery';
import type { MetricsSource } from '../../observability/metrics-source';
import type { ResolvedSlo } from '../../observability/model';
import type { ServiceProtocol } from '../../network/service-protocol';
import type { MicroserviceApp } from '../microservice-app';

/** What a service's progressive delivery depends on, known before its pods are made. */
export interface DeliveryContext {
  readonly app: MicroserviceApp;
  readonly name: string;
  readonly protocol: ServiceProtocol;
  readonly slo?: ResolvedSlo;
  /** The request metrics the SLO (and so the analysis) is measured on. */
  readonly source: MetricsSource;
  /** The service's own scrape interval (`metrics.interval`). @default - the app's */
  readonly scrapeInterval?: string;
  /** The service has a route (`route`). */
  readonly routed: boolean;
  /** Props that cannot go with `progressiveDelivery`, by name, when set. */
  readonly canary: boolean;
  readonly rollingUpdate: boolean;
}

/** `progressiveDelivery` after checks: the steps, the router, and the analysis when it is on. */
export interface DeliveryPlan {
  readonly options: ResolvedProgressiveDelivery;
  readonly routing: CanaryRouting['kind'];
  /** What the AnalysisTemplate is made of; undefined with `analysis: false`. */
  readonly analysis?: SloAnalysisOptions;
}

/** Checks `progressiveDelivery` and what it needs of the service and the app; `path` is the service's construct path. */
export function planDelivery(path: string, pd: ProgressiveDeliveryOptions, c: DeliveryContext): DeliveryPlan {
  const options = resolveProgressiveDelivery(path, pd, { hasSlo: c.slo !== undefined, hasCanary: c.canary });
  if (c.rollingUpdate) {
    throw new MicroserviceConfigError(path, "'rollingUpdate' tunes a Deployment's rolling update, and with 'progressiveDelivery' Argo Rollouts replaces the pods through the canary steps instead: drop 'rollingUpdate'");
  }
  const app = c.app;
  const routing = canaryRoutingKind(path, {
    protocol: c.protocol,
    meshed: app.mesh !== undefined,
    routed: c.routed,
    entry: app.gateway ? { kind: 'gateway' } : { kind: 'ingress', controller: app.ingressController.podLabels?.['app.kubernetes.io/name'], ingressClassName: app.ingressClassName },
  });
  if (!options.analysis) return { options, routing };
  const monitoring = app.monitoring;
  if (!monitoring) {
    throw new MicroserviceConfigError(path, "'progressiveDelivery.analysis' queries Prometheus for the canary's SLI, and the app's monitoring is off: turn monitoring on, or set 'progressiveDelivery.analysis' to false");
  }
  const analysis: SloAnalysisOptions = {
    name: c.name, namespace: app.namespaceName, protocol: c.protocol, source: c.source, slo: c.slo!,
    prometheusUrl: monitoring.prometheusUrl, window: options.analysisWindow, scrapeInterval: c.scrapeInterval ?? monitoring.scrapeInterval,
  };
  // throws what prevents the analysis (a custom metrics source, a name too long, a window without two scrapes)
  sloAnalysisGates(path, analysis);
  return { options, routing, analysis };
}

/** The suffixes (and instance labels) of the Services Argo Rollouts pins to the stable and the canary pods. */
export const TRACK_SERVICES = ['stable', 'canary'] as const;

/**
 * The Service of one track (`<name>-stable`, `<name>-canary`) for ingress-nginx routing: the
 * service's own selector and serving port (the controller adds `rollouts-pod-template-hash` to
 * the selector), another instance label, so that the service's ServiceMonitor (which selects its
 * instance) scrapes each pod once.
 */
export function trackService(scope: Construct, track: typeof TRACK_SERVICES[number], base: {
  readonly name: string; readonly namespace: string; readonly labels: Record<string, string>;
  readonly selector: Record<string, string>; readonly port: k8s.ServicePort;
}): k8s.KubeService {
  const name = `${base.name}-${track}`;
  return new k8s.KubeService(scope, track === 'stable' ? 'StableService' : 'CanaryService', {
    metadata: { name, namespace: base.namespace, labels: { ...base.labels, [INSTANCE]: name } },
    spec: { type: 'ClusterIP', selector: base.selector, ports: [base.port] },
  });
}
