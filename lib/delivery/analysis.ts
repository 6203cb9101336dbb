/**
 * The analysis that gates each step of a service's progressive delivery (Argo Rollouts): an
 * AnalysisTemplate whose Prometheus queries are the service's own SLI error ratios, the ones its
 * SLO recording rules and burn-rate alerts use (lib/observability/slo.ts), restricted to the
 * canary's pods. Upstream: https://argo-rollouts.readthedocs.io/en/stable/features/analysis/
 * (arguments, `podTemplateHashValue`, Inconclusive runs, empty results), and the controller's
 * own code (rollout/sync.go, utils/evaluate/evaluate.go, v1.9). In short:
 *
 * - Which pods: Argo Rollouts names a ReplicaSet `<rollout>-<pod-template-hash>` and its pods
 *   `<replicaset>-<5 chars>` (rollout/sync.go), and passes the canary's hash to the analysis
 *   as an argument (`valueFrom.podTemplateHashValue: Latest`). Request metrics carry no hash
 *   label (Istio derives `destination_workload` from the ReplicaSet name minus the hash), but
 *   every series a ServiceMonitor scrapes carries the scraped pod's name in `pod`, and with
 *   `reporter="destination"` Istio's series are scraped from the pod that served the request.
 *   So the queries match `pod=~"<name>-<hash>-<5 chars>"`, which is exact: the suffix
 *   alphabet has no `-`, so no other ReplicaSet's pods match.
 * - The verdict: one measurement per analysis step, over the window the canary just served
 *   (the pause before the step). A metric succeeds when the canary's error ratio is within the
 *   objective's error budget (`<= 1 - availability/100`, or `1 - percentile/100` of requests
 *   slower than the latency threshold) and fails when it is above: a release that, carrying all
 *   traffic, would spend the budget faster than the SLO allows is rolled back. The burn-rate
 *   factors of the alerts (14.4, 6, 3, 1) trade detection time for pages; a canary is judged
 *   once, on a short window, and a factor above 1 would promote a release that misses its SLO.
 * - Too little traffic is no verdict: below a minimum number of requests in the window the
 *   query returns no sample, and both conditions are false (`len(result) > 0 && ...`), which
 *   Argo Rollouts counts as Inconclusive: the rollout pauses for a person to promote or abort.
 *   The minimum is the count at which one failed request alone cannot fail the canary
 *   (`1 / budget`: 1000 requests for 99.9%), and at least 100.
 */
import { Construct } from 'constructs';
import type { AnalysisTemplate, AnalysisTemplateSpec, AnalysisTemplateSpecMetrics, RolloutSpecStrategyCanarySteps } from '../../imports/argoproj.io';
import { MicroserviceConfigError, show } from '../errors';
import { sumOf } from '../observability/alert-rule';
import type { MetricsSource } from '../observability/metrics-source';
import type { ResolvedSlo } from '../observability/model';
import { SAFE_CHAR, regexLiteral } from '../observability/promql';
import { availabilityErrorRatio, durationSeconds, latencyErrorRatio, round } from '../observability/slo';
import type { Api } from '../rendering/api-shape';
import { argoRolloutsKinds } from '../rendering/crds';

/** The AnalysisTemplate argument that receives the canary ReplicaSet's pod-template hash. */
export const CANARY_HASH_ARG = 'canary-hash';

/** The fewest requests a measurement judges, whatever the objective: a ratio of fewer moves in steps above 1%. */
export const MIN_REQUESTS = 100;

/**
 * The longest service name whose pods keep the whole hash in their name: Kubernetes cuts a
 * generated name's prefix (`<replicaset>-`) to 58 characters (63 minus the 5 random ones), and
 * the hash has up to 10 (a 32-bit FNV hash in decimal, safe-encoded one character per digit).
 */
export const MAX_ANALYZED_NAME = 58 - 10 - 2;

/** The Service the Prometheus Operator makes for every Prometheus in a namespace (`prometheus-operated`), on its web port. */
export function defaultPrometheusUrl(prometheusNamespace = 'monitoring'): string {
  return `http://prometheus-operated.${prometheusNamespace}.svc:9090`;
}

/** What the analysis of one service's canary is made of. */
export interface SloAnalysisOptions {
  /** The service: its Rollout's name, so its pods are `<name>-<hash>-<5 chars>`. */
  readonly name: string;
  readonly namespace: string;
  readonly protocol: 'http' | 'grpc' | 'tcp';
  /** Where the SLO's request metrics come from (the one its alerts use). */
  readonly source: MetricsSource;
  readonly slo: ResolvedSlo;
  /** Prometheus's HTTP API, as the Argo Rollouts controller reaches it: `http://prometheus-operated.monitoring.svc:9090`. */
  readonly prometheusUrl: string;
  /**
   * A Prometheus duration: how far back each measurement looks, the pause before the analysis
   * step (what the canary served at that step's weight).
   */
  readonly window: string;
  /** The monitors' scrape interval (`30s`): a window must hold two scrapes for rate() to see a counter move. */
  readonly scrapeInterval: string;
  /** The prop a bad window came from, for errors. @default 'progressiveDelivery.pause' */
  readonly windowProp?: string;
}

/** One gate of the analysis, as tests and docs read it. */
export interface AnalysisGate {
  /** The metric name: `availability` or `latency`. */
  readonly metric: 'availability' | 'latency';
  /** The canary's error ratio above which it fails: the objective's error budget. */
  readonly maxErrorRatio: number;
  /** The fewest requests in the window for a verdict; fewer is inconclusive. */
  readonly minRequests: number;
  /** PromQL: the canary's error ratio, or no sample with fewer than `minRequests` requests. `{{args.canary-hash}}` stands for the hash. */
  readonly query: string;
  /** Argo Rollouts conditions (expr-lang, over `result`, the query's sample values). */
  readonly successCondition: string;
  readonly failureCondition: string;
}

/** A regular expression for the pods of the Rollout `name`'s ReplicaSet whose hash the argument holds. */
export function canaryPodPattern(name: string): string {
  return `${regexLiteral(name)}-{{args.${CANARY_HASH_ARG}}}-${SAFE_CHAR}{5}`;
}

/** A ratio (0 < x < 1) as a plain decimal, `0.001`, and `0.0000001` where JavaScript writes `1e-7`. */
function decimal(x: number): string {
  const s = String(round(x));
  const m = /^([0-9])(?:\.([0-9]+))?e-([0-9]+)$/.exec(s);
  return m ? `0.${'0'.repeat(Number(m[3]) - 1)}${m[1]}${m[2] ?? ''}` : s;
}

/** `text` with every line indented by two spaces. */
function indent(text: string): string {
  return text.split('\n').map(l => `  ${l}`).join('\n');
}

/** The gates of a service's SLO (availability first), over its canary's pods; throws what prevents them. */
export function sloAnalysisGates(path: string, o: SloAnalysisOptions): AnalysisGate[] {
  const fail = (message: string): never => {
    throw new MicroserviceConfigError(path, message);
  };
  if (o.source.kind === 'custom') {
    fail("'progressiveDelivery.analysis' restricts the SLO's queries to the canary's pods, and a custom metrics source's PromQL cannot be restricted: set 'progressiveDelivery.analysis' to false, or measure the SLO with MetricsSource.openTelemetry() or MetricsSource.istio()");
  }
  if (o.protocol === 'tcp') fail("'progressiveDelivery.analysis' needs request metrics, and a tcp service reports none: set 'progressiveDelivery.analysis' to false");
  if (o.name.length > MAX_ANALYZED_NAME) {
    fail(`'progressiveDelivery.analysis' finds the canary's pods by name (<name>-<pod-template-hash>-<5 chars>), and Kubernetes cuts the names of pods of a service named longer than ${MAX_ANALYZED_NAME} characters (${show(o.name)} has ${o.name.length}), hash included: give the service a shorter id, or set 'progressiveDelivery.analysis' to false`);
  }
  const windowProp = o.windowProp ?? 'progressiveDelivery.pause';
  const seconds = durationSeconds(o.window);
  const scrape = durationSeconds(o.scrapeInterval);
  if (seconds === undefined) fail(`'${windowProp}' must be a duration such as '5m' or '1h30m' (the window the canary's analysis measures), got ${show(o.window)}`);
  if (scrape !== undefined && seconds! < 2 * scrape) {
    fail(`'${windowProp}' ${show(o.window)} is the window the canary's analysis measures, and rate() needs two scrapes in it (the scrape interval is ${show(o.scrapeInterval)}): pause at least ${2 * scrape}s`);
  }
  if (!/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(o.prometheusUrl)) {
    fail(`the Prometheus URL of the canary's analysis must be http(s)://host[:port][/path], got ${show(o.prometheusUrl)}`);
  }

  const q = o.source.queries({ namespace: o.namespace, service: o.name, protocol: o.protocol, pods: canaryPodPattern(o.name) });
  const requests = `${sumOf(q.requestRate(o.window))} * ${seconds}`;
  const gate = (metric: AnalysisGate['metric'], budget: number, errorRatio: string): AnalysisGate => {
    const minRequests = Math.max(MIN_REQUESTS, Math.ceil(round(1 / budget)));
    const max = decimal(budget);
    return {
      metric, maxErrorRatio: budget, minRequests,
      query: `(\n${indent(errorRatio)}\n)\nand on ()\n(\n  ${requests} >= ${minRequests}\n)`,
      successCondition: `len(result) > 0 && result[0] <= ${max}`,
      failureCondition: `len(result) > 0 && result[0] > ${max}`,
    };
  };
  const gates: AnalysisGate[] = [];
  if (o.slo.availability !== undefined) gates.push(gate('availability', round(1 - o.slo.availability / 100), availabilityErrorRatio(q, o.window)));
  if (o.slo.latency) {
    if (!q.fastRequestRate) fail("'slo.latency' needs a latency histogram, and the service's metrics source has none: remove 'slo.latency'");
    gates.push(gate('latency', round(1 - o.slo.latency.percentile / 100), latencyErrorRatio(q, o.slo.latency, o.window)));
  }
  if (gates.length === 0) fail("'progressiveDelivery.analysis' needs an objective ('slo.availability' or 'slo.latency'): set 'slo', or set 'progressiveDelivery.analysis' to false");
  return gates;
}

/** The AnalysisTemplate's spec: the canary-hash argument and one metric per gate, measured once per analysis step. */
export function sloAnalysisSpec(path: string, o: SloAnalysisOptions): Api<AnalysisTemplateSpec> {
  const metrics: Array<Api<AnalysisTemplateSpecMetrics>> = sloAnalysisGates(path, o).map(g => ({
    name: g.metric,
    // one measurement (no interval) over the whole window: no failure, and no inconclusive
    // measurement, is tolerated; Prometheus errors are retried (consecutiveErrorLimit, 4 by default)
    count: 1,
    failureLimit: 0,
    inconclusiveLimit: 0,
    successCondition: g.successCondition,
    failureCondition: g.failureCondition,
    provider: { prometheus: { address: o.prometheusUrl, query: g.query } },
  }));
  return { args: [{ name: CANARY_HASH_ARG }], metrics };
}

/** Object metadata, as the constructs pass it. */
export interface AnalysisMetadata {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

/** The service's AnalysisTemplate (child id `AnalysisTemplate`). */
export function sloAnalysisTemplate(scope: Construct, meta: AnalysisMetadata, o: SloAnalysisOptions): AnalysisTemplate {
  return new (argoRolloutsKinds().AnalysisTemplate)(scope, 'AnalysisTemplate', { metadata: meta, spec: sloAnalysisSpec(scope.node.path, o) });
}

/** The Rollout step that runs the analysis on the latest ReplicaSet (the canary). */
export function analysisStep(templateName: string): Api<RolloutSpecStrategyCanarySteps> {
  return {
    analysis: {
      templates: [{ templateName }],
      args: [{ name: CANARY_HASH_ARG, valueFrom: { podTemplateHashValue: 'Latest' } }],
    },
  };
}
