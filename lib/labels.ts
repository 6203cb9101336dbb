/** The `app.kubernetes.io/managed-by` value of everything this library makes. */
export const MANAGED_BY = 'cdk8s-microservices';

export const NAME = 'app.kubernetes.io/name';
export const INSTANCE = 'app.kubernetes.io/instance';
export const VERSION = 'app.kubernetes.io/version';
export const COMPONENT = 'app.kubernetes.io/component';
export const PART_OF = 'app.kubernetes.io/part-of';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

/** Pod annotation listing the literal env names declared not secret (`envNotSecret`, `addEnv(..., { notSecret })`). */
export const NOT_SECRET_ANNOTATION = 'cdk8s-microservices.io/env-not-secret';

/** What the six recommended labels say about one object. */
export interface LabelValues {
  /** The service or app name: the construct id. */
  readonly name: string;
  /** The object's own instance name: unique in the namespace. */
  readonly instance: string;
  readonly version: string;
  readonly component: string;
  /** The application (the MicroserviceApp id). */
  readonly partOf: string;
}

/**
 * The six `app.kubernetes.io/*` labels, in a fixed order so output is stable: those of an object
 * that runs a version (a workload's controller and its pod template, the app's own objects).
 */
export function standardLabels(v: LabelValues): Record<string, string> {
  return {
    [NAME]: v.name,
    [INSTANCE]: v.instance,
    [VERSION]: v.version,
    [COMPONENT]: v.component,
    [PART_OF]: v.partOf,
    [MANAGED_BY_LABEL]: MANAGED_BY,
  };
}

/**
 * The recommended labels without `app.kubernetes.io/version`, in the same order: those of a
 * workload's objects that run no image (its ServiceAccount, Services, autoscaler, disruption
 * budget, policies, monitors, rules, dashboard), so that a release (a new image tag) leaves them
 * as they are.
 */
export function objectLabels(v: Omit<LabelValues, 'version'>): Record<string, string> {
  const { [VERSION]: _version, ...rest } = standardLabels({ ...v, version: '' });
  return rest;
}

/**
 * Labels that select every pod of a service, whatever its release track: name and part-of
 * never change between releases, so Services and policies selecting on them survive upgrades.
 */
export function serviceSelector(name: string, partOf: string): Record<string, string> {
  return { [NAME]: name, [PART_OF]: partOf };
}

/**
 * The immutable Deployment selector: name and instance. A second track of the same service
 * (a canary) is another instance, so two Deployments never claim the same pods.
 */
export function workloadSelector(name: string, instance: string): Record<string, string> {
  return { [NAME]: name, [INSTANCE]: instance };
}
