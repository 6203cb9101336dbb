import { IConstruct } from 'constructs';
import * as k8s from '../rendering/kube';
import { MicroserviceConfigError, show } from '../errors';
import { propNames } from '../props/checks';
import { memorySlip, sizeSlip } from '../props/slips';
import { addWarning } from '../warnings';

/** Upper bounds for one container; each one absent is derived from its request. */
export interface ResourceLimits {
  /** CPU limit, a Kubernetes quantity (`'500m'`, `'1'`). @default - twice the cpu request */
  readonly cpu?: string;
  /** Memory limit (`'512Mi'`). @default - twice the memory request */
  readonly memory?: string;
  /** Ephemeral storage limit (`'1Gi'`). @default - twice the ephemeral-storage request */
  readonly ephemeralStorage?: string;
}

/** Requests (what the scheduler reserves) and limits of the main container. */
export interface ResourceOptions {
  /** CPU request. @default '100m' */
  readonly cpu?: string;
  /** Memory request. @default '128Mi' */
  readonly memory?: string;
  /** Ephemeral storage request: logs, the writable /tmp and the image's writable layer. @default '256Mi' */
  readonly ephemeralStorage?: string;
  /** Limits. @default - each limit is twice its request */
  readonly limits?: ResourceLimits;
}

export const DEFAULT_REQUESTS = { cpu: '100m', memory: '128Mi', ephemeralStorage: '256Mi' } as const;
/** Derived limits are this many times the request: room for bursts, a bound on noisy neighbours. */
export const LIMIT_FACTOR = 2;

// The quantity grammar of k8s.io/apimachinery/pkg/api/resource (decimal SI, binary SI, exponent).
const QUANTITY = /^(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const MULTIPLIER: Record<string, number> = {
  '': 1, 'n': 1e-9, 'u': 1e-6, 'm': 1e-3, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'P': 1e15, 'E': 1e18,
  'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40, 'Pi': 2 ** 50, 'Ei': 2 ** 60,
};

/** The value of a quantity in base units (cores, bytes), or undefined when it is malformed. */
export function parseQuantity(q: string): number | undefined {
  const m = QUANTITY.exec(q);
  if (!m) return undefined;
  const suffix = m[2] ?? '';
  const factor = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : MULTIPLIER[suffix];
  return Number(m[1]) * factor;
}

/** `'256Mi'` x 2 -> `'512Mi'`: keeps the user's unit so the output reads like their input. */
export function scaleQuantity(q: string, factor: number): string {
  const m = QUANTITY.exec(q)!;
  const suffix = m[2] ?? '';
  if (/^[eE]/.test(suffix)) return String(parseQuantity(q)! * factor);
  return `${Number((Number(m[1]) * factor).toPrecision(12))}${suffix}`;
}

const HINT: Record<string, string> = {
  cpu: "cores or millicores such as '250m' or '1'",
  memory: "bytes with a binary suffix such as '256Mi' or '1Gi'",
  ephemeralStorage: "bytes with a binary suffix such as '256Mi' or '1Gi'",
};

function checkQuantity(scope: IConstruct, prop: string, kind: string, q: unknown): number {
  const value = typeof q === 'string' ? parseQuantity(q) : undefined;
  if (value === undefined || value <= 0) {
    throw new MicroserviceConfigError(scope, `'${prop}' ${show(q)} is not a valid Kubernetes quantity: use ${HINT[kind]}`);
  }
  return value;
}

/** Requests and limits after defaults, checked; the shape the container spec takes. */
export function renderResources(scope: IConstruct, opts: ResourceOptions = {}, prop = 'resources'): k8s.ResourceRequirements {
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  for (const kind of ['cpu', 'memory', 'ephemeralStorage'] as const) {
    const request = opts[kind] ?? DEFAULT_REQUESTS[kind];
    const requestValue = checkQuantity(scope, `${prop}.${kind}`, kind, request);
    const limit = opts.limits?.[kind] ?? scaleQuantity(request, LIMIT_FACTOR);
    const limitValue = checkQuantity(scope, `${prop}.limits.${kind}`, kind, limit);
    if (limitValue < requestValue) {
      throw new MicroserviceConfigError(scope, `'${prop}.limits.${kind}' ${show(limit)} is below the request ${show(request)}: raise the limit or lower the request (a limit below the request is rejected by the API server)`);
    }
    // valid, but likely not meant: '512M' of memory, a size without a unit
    for (const [at, q] of [[`${prop}.${kind}`, opts[kind]], [`${prop}.limits.${kind}`, opts.limits?.[kind]]] as const) {
      const slip = kind === 'cpu' || q === undefined ? undefined : (kind === 'memory' ? memorySlip(at, q) : undefined) ?? sizeSlip(at, q);
      if (slip) addWarning(scope, slip);
    }
    const key = kind === 'ephemeralStorage' ? 'ephemeral-storage' : kind;
    requests[key] = request;
    limits[key] = limit;
  }
  return { requests, limits };
}

/** The names of ResourceOptions and ResourceLimits, for checkKnownProps(). */
export const RESOURCE_PROPS = {
  resources: propNames<ResourceOptions>({ cpu: true, memory: true, ephemeralStorage: true, limits: true }),
  limits: propNames<ResourceLimits>({ cpu: true, memory: true, ephemeralStorage: true }),
} as const;
