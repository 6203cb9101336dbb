import { IConstruct } from 'constructs';
import { MicroserviceConfigError, show } from './errors';
/** The `app.kubernetes.io/managed-by` value of everything this library makes. */
export const MANAGED_BY = 'cdk8s-microservices';

export const NAME = 'app.kubernetes.io/name';
export const INSTANCE = 'app.kubernetes.io/instance';
export const VERSION = 'app.kubernetes.io/version';
export const COMPONENT = 'app.kubernetes.io/component';
export const PART_OF = 'app.kubernetes.io/part-of';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

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

/** The six `app.kubernetes.io/*` labels, in a fixed order so output is stable. */
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

/** Labels as the API server takes them: qualified names, values of at most 63 safe characters. */
export function checkLabels(scope: IConstruct, prop: string, labels: Record<string, string>): Record<string, string> {
  if (labels === null || typeof labels !== 'object') throw new MicroserviceConfigError(scope, `'${prop}' must be an object of labels such as { release: 'kube-prometheus-stack' }, got ${show(labels)}`);
  for (const [k, v] of Object.entries(labels)) {
    const [prefix, name] = k.includes('/') ? [k.slice(0, k.indexOf('/')), k.slice(k.indexOf('/') + 1)] : [undefined, k];
    const validName = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(name) && name.length <= 63;
    const validPrefix = prefix === undefined || (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(prefix) && prefix.length <= 253);
    if (!validName || !validPrefix) throw new MicroserviceConfigError(scope, `'${prop}' has the label key ${show(k)}, which is not a qualified name (an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' or '.')`);
    if (typeof v !== 'string' || !/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/.test(v) || v.length > 63) {
      throw new MicroserviceConfigError(scope, `'${prop}.${k}' must be a label value (at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit), got ${show(v)}`);
    }
  }
  return labels;
}
