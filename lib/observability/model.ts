import type { RequestQueries } from './metrics-source';

/** Service level objectives of one service, as the user writes them. */
export interface SloOptions {
  /** Percent of requests that must succeed, 0 < x < 100. @default - no availability SLO */
  readonly availability?: number;
  /** Percent of requests (`percentile`, default 99) that must finish within `threshold` (`'300ms'`, `'1s'`). @default - no latency SLO */
  readonly latency?: { readonly threshold: string; readonly percentile?: number };
  /** The SLO window. @default '30d' */
  readonly window?: string;
}

/** An alert of the user's own, added with `addAlert()`. */
export interface AlertOptions {
  /** The alert name, UpperCamelCase (`CheckoutQueueBacklog`). */
  readonly name: string;
  /** PromQL that returns series while the alert should fire. */
  readonly expr: string;
  /** How long the expression must hold. @default '5m' */
  readonly for?: string;
  /** `critical` pages, `warning` opens a ticket, `info` only shows. @default 'warning' */
  readonly severity?: 'critical' | 'warning' | 'info';
  readonly summary: string;
  /** @default - the summary */
  readonly description?: string;
  /** @default - `<runbookBaseUrl>/<name>` */
  readonly runbookUrl?: string;
}

/** An SLO after defaults, with the threshold in seconds. */
export interface ResolvedSlo {
  readonly availability?: number;
  readonly latency?: {
    readonly thresholdSeconds: number;
    readonly threshold: string;
    readonly percentile: number;
    /**
     * The histogram's bucket boundaries (seconds) around a threshold that is none: the requests
     * within it are interpolated linearly inside that bucket, as histogram_quantile() does.
     * @default - the threshold is a boundary: counted exactly
     */
    readonly between?: readonly [number, number];
  };
  /** A PromQL duration (`30d`). */
  readonly window: string;
}

/** What alert, SLO and dashboard generators know about one workload. */
export interface WorkloadTelemetry {
  readonly app: string;
  readonly namespace: string;
  /** The Deployment (and Service) name. */
  readonly name: string;
  readonly kind: 'service' | 'worker';
  /**
   * The controller of the pods, for alerts on its kube-state-metrics series (a CronJob's and a
   * KEDA ScaledJob's pods are those of the Jobs it makes; an Argo Rollouts Rollout's are those
   * of the ReplicaSets it owns). @default 'Deployment'
   */
  readonly controller?: 'Deployment' | 'StatefulSet' | 'Job' | 'CronJob' | 'ScaledJob' | 'Rollout';
  /**
   * The names of a StatefulSet's volumeClaimTemplates: its claims (`<template>-<name>-<ordinal>`)
   * get the volume alerts and panels. @default - none
   */
  readonly claimTemplates?: readonly string[];
  /** A Job's (or each Job's) `activeDeadlineSeconds`: the longest a run may take. @default - none */
  readonly activeDeadlineSeconds?: number;
  /** A CronJob's `startingDeadlineSeconds`: how late a run may start before it counts as missed. @default - none */
  readonly startingDeadlineSeconds?: number;
  /** Request metrics queries; undefined for workers and tcp services (no request metrics). */
  readonly queries?: RequestQueries;
  readonly slo?: ResolvedSlo;
  /** A fixed count, or autoscaling bounds. */
  readonly replicas?: number;
  readonly autoscaling?: { readonly minReplicas: number; readonly maxReplicas: number };
  /** The main container's name (kube-state-metrics `container` label). */
  readonly container: string;
  /** Runbook links are `<runbookBaseUrl>/<AlertName>` for the library's own service alerts. */
  readonly runbookBaseUrl: string;
  /** The user's own alerts. */
  readonly customAlerts: readonly AlertOptions[];
  /**
   * Deployments beside the main one that run the workload's pods (a canary, `<name>-canary`):
   * the workload-health alerts and the dashboard watch them too. @default - none
   */
  readonly tracks?: readonly string[];
  /**
   * The pause of each canary step of a Rollout (`progressiveDelivery.pause`).
   * @default - each step waits to be promoted (or the workload is no Rollout)
   */
  readonly rolloutPause?: string;
  /** The workload's Grafana dashboard (`<grafanaUrl>/d/<uid>`), linked from its alerts. @default - no link */
  readonly dashboardUrl?: string;
}

/** One Prometheus rule (recording or alerting), as PrometheusRule `spec.groups[].rules[]` holds it. */
export interface Rule {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/** A PrometheusRule group. */
export interface RuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly Rule[];
}
