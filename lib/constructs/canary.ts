import { IConstruct } from 'constructs';
import { MicroserviceConfigError, show } from '../errors';
import { checkVersion, parseImage, versionOf } from '../pod/image';
import { checkIntBound, propNames } from '../props/checks';

/**
 * A second Deployment of a service (`<name>-canary`) running a new image beside the stable
 * one, under the same Service. Promotion: set `image` to the canary's and remove `canary`;
 * rollback: remove `canary`.
 */
export interface CanaryOptions {
  /** The new image, pinned like `image`. */
  readonly image: string;
  /**
   * The share of requests the canary gets, in percent. With a mesh the split is exact (0-100;
   * 0 with `header` is a dark launch; 0 alone is the safe step before raising the weight and
   * before removing the canary); without one it is the canary's share of pods (1-99), which
   * is approximate.
   */
  readonly weight: number;
  /** Requests with this header value always reach the canary (needs a mesh). @default - none */
  readonly header?: { readonly name: string; readonly value: string };
  /**
   * Pods of the canary; with an autoscaled service its `minReplicas`. @default - without a
   * mesh the count that gives the canary the share of pods nearest `weight` (at least 1); with
   * a mesh enough pods that each carries about what a stable pod does, at least 2 (one pod
   * being rescheduled would leave the canary's share of calls with nowhere to go). An
   * autoscaled service's canary autoscales too, on the same targets, up to the same share of
   * `maxReplicas`.
   */
  readonly replicas?: number;
  /** `app.kubernetes.io/version` of the canary pods. @default - the canary image's tag */
  readonly version?: string;
}

/** The canary after checks and defaults. */
export interface ResolvedCanary {
  readonly image: string;
  readonly version: string;
  readonly weight: number;
  readonly header?: { readonly name: string; readonly value: string };
  /** The fixed pod count, or the autoscaling floor. */
  readonly replicas: number;
  /** With an autoscaled service: the canary's own bounds. */
  readonly autoscaling?: { readonly minReplicas: number; readonly maxReplicas: number };
  /** Without a mesh: the canary's share of pods, the split Kubernetes' Service load balancing gives. */
  readonly podShare: number;
}

/** The canary's Deployment, and its instance label: `<service>-canary`. */
export const CANARY_SUFFIX = 'canary';
// a label value's limit (the instance label), and so the Deployment's name
const MAX_LABEL = 63;

/**
 * Checks `canary`; `stablePods` is the stable Deployment's fixed count or autoscaling minimum,
 * `stableMax` its autoscaling maximum when it autoscales; `stable` the service's name and image.
 */
export function resolveCanary(scope: IConstruct | string, c: CanaryOptions, meshed: boolean, stablePods: number, stableMax?: number, stable?: { readonly name: string; readonly image: string }): ResolvedCanary {
  const image = parseImage(scope, c.image, 'canary.image');
  if (stable && (c.image === stable.image || (image.digest !== undefined && image.digest === parseImage(scope, stable.image).digest))) {
    throw new MicroserviceConfigError(scope, `'canary.image' ${show(c.image)} is the stable image ('image'): a canary runs a new release beside the stable one, so both tracks would run the same code and the split would compare nothing. Set it to the image under test, or drop 'canary' (after a promotion, when 'image' took the canary's)`);
  }
  const instance = stable ? `${stable.name}-${CANARY_SUFFIX}` : undefined;
  if (instance !== undefined && instance.length > MAX_LABEL) {
    throw new MicroserviceConfigError(scope, `'canary' makes a Deployment and instance label ${show(instance)} of ${instance.length} characters, over the ${MAX_LABEL} a label value may have (the API server refuses it): shorten the service's id to at most ${MAX_LABEL - CANARY_SUFFIX.length - 1} characters, or drop 'canary'`);
  }
  const [min, max] = meshed ? [0, 100] : [1, 99];
  if (typeof c.weight !== 'number' || !Number.isInteger(c.weight) || c.weight < min || c.weight > max) {
    const why = meshed ? '' : ' (without a mesh the split comes from pod counts, so both tracks need pods)';
    throw new MicroserviceConfigError(scope, `'canary.weight' must be a whole percentage from ${min} to ${max}${why}, got ${show(c.weight)}`);
  }
  if (c.header !== undefined) {
    if (!meshed) throw new MicroserviceConfigError(scope, "'canary.header' needs a mesh (the proxy routes by header): set mesh: 'istio' on the MicroserviceApp, or drop it");
    if (!c.header || typeof c.header.name !== 'string' || !/^[a-z0-9][-a-z0-9]*$/.test(c.header.name) || typeof c.header.value !== 'string' || !c.header.value) {
      throw new MicroserviceConfigError(scope, `'canary.header' must be { name, value } with a lowercase header name, got ${show(c.header)}: for example { name: 'x-canary', value: 'always' }`);
    }
  }
  // pods in proportion to the traffic share: without a mesh that share is the split itself;
  // with one, it keeps the load per pod even
  const proportional = (pods: number) => (c.weight === 100 ? pods : (pods * c.weight) / (100 - c.weight));
  const replicas = c.replicas ?? (meshed ? Math.max(2, Math.ceil(proportional(stablePods))) : Math.max(1, Math.round(proportional(stablePods))));
  if (!Number.isInteger(replicas) || replicas < 1) {
    throw new MicroserviceConfigError(scope, `'canary.replicas' must be a whole number >= 1, got ${show(c.replicas)}`);
  }
  checkIntBound(scope, 'canary.replicas', replicas);
  // the canary follows the stable Deployment's scaling, up to the same share of its ceiling;
  // when that share is no more than its floor, a fixed count is all it needs
  const ceiling = stableMax === undefined ? undefined : Math.ceil(proportional(stableMax));
  const autoscaling = ceiling !== undefined && ceiling > replicas ? { minReplicas: replicas, maxReplicas: ceiling } : undefined;
  const version = checkVersion(scope, 'canary.version', c.version ?? versionOf(image));
  return { image: c.image, version, weight: c.weight, header: c.header, replicas, autoscaling, podShare: Math.round((100 * replicas) / (replicas + stablePods)) };
}

/** The names of CanaryOptions, for checkKnownProps(). */
export const CANARY_PROPS = propNames<CanaryOptions>({ image: true, weight: true, header: true, replicas: true, version: true });
