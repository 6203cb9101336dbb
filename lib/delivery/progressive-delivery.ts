/**
 * `progressiveDelivery` of a service: its options, and the canary strategy of the Argo Rollouts
 * `Rollout` that runs the service instead of a Deployment (argoproj.io/v1alpha1, Argo Rollouts
 * 1.9). Each weight is a step: `setWeight`, `pause`, then (with analysis) an analysis step that
 * judges the canary on the SLO's own queries (./analysis.ts). After the last step the controller
 * promotes the canary to 100%; a failed analysis aborts (traffic back to stable), an
 * inconclusive one pauses until a person promotes or aborts.
 *
 * Upstream: https://argo-rollouts.readthedocs.io/en/stable/features/canary/ (steps, pause
 * durations in s/m/h), .../features/traffic-management/istio/ (subset-level splitting),
 * .../features/traffic-management/nginx/ (stable Ingress, canary and stable Services).
 */
import type { RolloutSpecStrategyCanary, RolloutSpecStrategyCanarySteps } from '../../imports/argoproj.io';
import { MicroserviceConfigError, show } from '../errors';
import { checkKnownProps, propNames } from '../props/checks';
import type { Api } from '../rendering/api-shape';
import { analysisStep } from './analysis';

/** Release every change of a service step by step (Argo Rollouts canary). */
export interface ProgressiveDeliveryOptions {
  /**
   * The canary's share of requests at each step, in percent: whole numbers from 1 to 99,
   * ascending (`[10, 25, 50]`). After the last step the new release gets all requests.
   */
  readonly steps: number[];
  /**
   * How long each step lasts before it is judged (or before the next one, without analysis):
   * a duration in hours, minutes and seconds (`'5m'`, `'1h30m'`).
   * @default - each step waits until someone promotes it (`kubectl argo rollouts promote <name>`)
   */
  readonly pause?: string;
  /**
   * Judge the canary after each step on the SLO's own queries over its pods, and abort (traffic
   * back to the stable release) when it spends the error budget faster than the SLO allows.
   * @default - true when the service has an `slo`
   */
  readonly analysis?: boolean;
}

/** The known names of ProgressiveDeliveryOptions, for unknown-prop errors. */
export const PROGRESSIVE_DELIVERY_PROPS = propNames<ProgressiveDeliveryOptions>({ steps: true, pause: true, analysis: true });

/** `progressiveDelivery` after checks and defaults. */
export interface ResolvedProgressiveDelivery {
  readonly steps: readonly number[];
  /** @default - indefinite pauses */
  readonly pause?: string;
  readonly analysis: boolean;
  /** The window each analysis measures: the pause, or DEFAULT_ANALYSIS_WINDOW with indefinite pauses. */
  readonly analysisWindow: string;
}

/** What an analysis after an indefinite pause measures: the last five minutes. */
export const DEFAULT_ANALYSIS_WINDOW = '5m';

/**
 * A pause both Argo Rollouts (Go's time.ParseDuration, or bare seconds) and PromQL (the window
 * of the analysis) read: hours, minutes and seconds, in that order.
 */
const PAUSE = /^(?=[0-9])([0-9]+h)?([0-9]+m)?([0-9]+s)?$/;

/** What a service's progressive delivery depends on. */
export interface ProgressiveDeliveryContext {
  /** The service has an `slo`. */
  readonly hasSlo: boolean;
  /** The service has a manual `canary`, which `progressiveDelivery` replaces. */
  readonly hasCanary: boolean;
}

/** Checks `progressiveDelivery` and applies its defaults; `path` is the construct path for errors. */
export function resolveProgressiveDelivery(path: string, pd: ProgressiveDeliveryOptions, ctx: ProgressiveDeliveryContext): ResolvedProgressiveDelivery {
  const fail = (message: string): never => {
    throw new MicroserviceConfigError(path, message);
  };
  checkKnownProps(path, pd, PROGRESSIVE_DELIVERY_PROPS, 'progressiveDelivery.');
  if (ctx.hasCanary) {
    fail("'canary' and 'progressiveDelivery' both release a new image beside the stable one: use one. With 'progressiveDelivery' a new 'image' is the release, and Argo Rollouts moves it through the steps; remove 'canary'");
  }
  const steps = pd.steps;
  if (!Array.isArray(steps) || steps.length === 0) fail(`'progressiveDelivery.steps' must be a non-empty list of canary weights in percent, such as [10, 25, 50], got ${show(steps)}`);
  steps.forEach((w, i) => {
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 1 || w > 99) {
      fail(`'progressiveDelivery.steps' must hold whole percentages from 1 to 99 (after the last step the release gets 100%), got ${show(w)} at index ${i}`);
    }
    if (i > 0 && w <= steps[i - 1]) fail(`'progressiveDelivery.steps' must ascend, got ${show(w)} after ${show(steps[i - 1])}: for example [10, 25, 50]`);
  });
  if (pd.pause !== undefined && (typeof pd.pause !== 'string' || !PAUSE.test(pd.pause) || /^(0+[hms])+$/.test(pd.pause))) {
    fail(`'progressiveDelivery.pause' must be a duration in hours, minutes and seconds such as '5m' or '1h30m' (Argo Rollouts reads no days), got ${show(pd.pause)}; leave it out to wait for 'kubectl argo rollouts promote' at each step`);
  }
  if (pd.analysis !== undefined && typeof pd.analysis !== 'boolean') fail(`'progressiveDelivery.analysis' must be true or false, got ${show(pd.analysis)}`);
  if (pd.analysis === true && !ctx.hasSlo) {
    fail("'progressiveDelivery.analysis' judges the canary against the service's SLO, and it has none: set 'slo' (for example { availability: 99.9 }), or leave 'analysis' out");
  }
  return {
    steps: [...steps],
    pause: pd.pause,
    analysis: pd.analysis ?? ctx.hasSlo,
    analysisWindow: pd.pause ?? DEFAULT_ANALYSIS_WINDOW,
  };
}

/** The Rollout's steps: for each weight `setWeight`, `pause`, and the analysis step when a template is given. */
export function canarySteps(pd: ResolvedProgressiveDelivery, analysisTemplate?: string): Array<Api<RolloutSpecStrategyCanarySteps>> {
  return pd.steps.flatMap(weight => [
    { setWeight: weight },
    { pause: pd.pause !== undefined ? { duration: pd.pause } : {} },
    ...(analysisTemplate !== undefined ? [analysisStep(analysisTemplate)] : []),
  ]);
}

/** The stable and canary subsets of the service's DestinationRule, which Argo Rollouts labels with each ReplicaSet's hash. */
export const STABLE_SUBSET = 'stable';
export const CANARY_SUBSET = 'canary';

/**
 * How the canary's share of requests is enforced:
 * - `istio`: the service's own VirtualService (its routes, which must each name both subsets,
 *   stable at weight 100 and canary at 0) and DestinationRule (subsets `stable` and `canary`);
 *   the controller rewrites the weights and adds the `rollouts-pod-template-hash` label to
 *   each subset.
 * - `nginx`: an Ingress of the service's own whose paths lead to `stableService`; the
 *   controller creates `<rollout>-<ingress>-canary` beside it, with the canary annotations,
 *   leading to `canaryService`, and adds the hash to both Services' selectors.
 * - `replicas`: no router: the controller approximates each weight by the canary's share of
 *   pods (Services balance over all of them).
 */
export type CanaryRouting =
  | { readonly kind: 'istio'; readonly virtualService: string; readonly routes: readonly string[]; readonly destinationRule: string }
  | { readonly kind: 'nginx'; readonly stableIngress: string; readonly stableService: string; readonly canaryService: string }
  | { readonly kind: 'replicas' };

/** The Rollout's `spec.strategy.canary`. */
export function canaryStrategy(pd: ResolvedProgressiveDelivery, routing: CanaryRouting, analysisTemplate?: string): Api<RolloutSpecStrategyCanary> {
  const steps = canarySteps(pd, analysisTemplate);
  switch (routing.kind) {
    case 'istio':
      return {
        steps,
        trafficRouting: {
          istio: {
            virtualService: { name: routing.virtualService, routes: [...routing.routes] },
            destinationRule: { name: routing.destinationRule, canarySubsetName: CANARY_SUBSET, stableSubsetName: STABLE_SUBSET },
          },
        },
      };
    case 'nginx':
      return {
        steps,
        canaryService: routing.canaryService,
        stableService: routing.stableService,
        trafficRouting: { nginx: { stableIngress: routing.stableIngress } },
      };
    default:
      return { steps };
  }
}

/** Where a service's requests come from and through what, for choosing its canary routing. */
export interface RoutingContext {
  readonly protocol: 'http' | 'grpc' | 'tcp';
  /** The app runs Istio sidecars. */
  readonly meshed: boolean;
  /** The service has a route on the app's entry point. */
  readonly routed: boolean;
  /** The app's entry point: an Ingress (and its controller's `app.kubernetes.io/name`), or a Gateway API Gateway. */
  readonly entry: { readonly kind: 'ingress'; readonly controller?: string; readonly ingressClassName?: string } | { readonly kind: 'gateway' };
}

/**
 * Which router splits the canary's requests, or an error for the ones not wired here yet: with
 * the mesh Istio (exact for calls between sidecars; requests through the mesh's gateway reach
 * both ReplicaSets by pod count, as with today's `canary`, unless a VirtualService binds the
 * gateway); without it ingress-nginx for a routed service (exact at the Ingress; in-cluster
 * callers of the Service reach both by pod count); an unrouted service without a mesh by pod
 * counts only.
 */
export function canaryRoutingKind(path: string, c: RoutingContext): CanaryRouting['kind'] {
  const fail = (message: string): never => {
    throw new MicroserviceConfigError(path, message);
  };
  if (c.protocol === 'tcp') {
    fail("'progressiveDelivery' splits requests by HTTP route, and a tcp service has none (Argo Rollouts splits TCP only between two Services, not supported here): serve 'http' or 'grpc', or release with 'canary'");
  }
  if (c.meshed) return 'istio';
  if (c.routed && c.entry.kind === 'gateway') {
    fail("'progressiveDelivery' without a mesh splits the service's requests at its Ingress (ingress-nginx), and the app routes through a Gateway: Argo Rollouts' Gateway API support is a plugin not wired here yet; set mesh: 'istio' on the app, or release with 'canary'");
  }
  if (c.routed && c.entry.kind === 'ingress') {
    const cls = c.entry.ingressClassName;
    if (c.entry.controller !== 'ingress-nginx' || (cls !== undefined && !cls.includes('nginx'))) {
      fail(`'progressiveDelivery' without a mesh splits the service's requests with ingress-nginx canary annotations, and the app's Ingress controller is ${cls !== undefined ? `class ${show(cls)} of ` : ''}${show(c.entry.controller ?? 'unknown')}: other controllers are not supported yet; use ingress-nginx, set mesh: 'istio' on the app, or release with 'canary'`);
    }
    return 'nginx';
  }
  return 'replicas';
}
