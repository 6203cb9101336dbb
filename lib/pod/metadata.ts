import { IConstruct } from 'constructs';
import { MicroserviceConfigError, show } from '../errors';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** A label or annotation key as the API server reads it: `[prefix/]name`. */
function isQualifiedKey(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  const prefixOk = parts.length === 1 || (DNS1123_SUBDOMAIN.test(parts[0]) && parts[0].length <= 253);
  return prefixOk && QUALIFIED_NAME.test(name) && name.length <= 63;
}

/**
 * Checks user labels: valid keys and values, and none of the keys the library sets (the
 * `app.kubernetes.io/*` labels name and select the workload; changing one would break selectors).
 */
export function checkLabels(scope: IConstruct | string, prop: string, labels: unknown, reserved: readonly string[]): Record<string, string> {
  if (labels === undefined) return {};
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) throw new MicroserviceConfigError(scope, `'${prop}' must be a map of label keys to values, got ${show(labels)}`);
  for (const [k, v] of Object.entries(labels)) {
    if (!isQualifiedKey(k)) throw new MicroserviceConfigError(scope, `'${prop}' has an invalid label key ${show(k)}: use [prefix/]name, the name at most 63 letters, digits, '-', '_' or '.'`);
    if (reserved.includes(k)) throw new MicroserviceConfigError(scope, `'${prop}' sets ${show(k)}, which the library sets and selects on: set it through the construct's props (version, component) instead`);
    if (typeof v !== 'string' || !LABEL_VALUE.test(v) || v.length > 63) throw new MicroserviceConfigError(scope, `'${prop}.${k}' must be at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit, got ${show(v)}: put longer text in an annotation`);
  }
  return labels as Record<string, string>;
}

/** Checks user annotations: valid keys, string values, none of the keys the library sets. */
export function checkAnnotations(scope: IConstruct | string, prop: string, annotations: unknown, reserved: readonly string[]): Record<string, string> {
  if (annotations === undefined) return {};
  if (annotations === null || typeof annotations !== 'object' || Array.isArray(annotations)) throw new MicroserviceConfigError(scope, `'${prop}' must be a map of annotation keys to strings, got ${show(annotations)}`);
  for (const [k, v] of Object.entries(annotations)) {
    if (!isQualifiedKey(k)) throw new MicroserviceConfigError(scope, `'${prop}' has an invalid annotation key ${show(k)}: use [prefix/]name`);
    if (reserved.includes(k)) throw new MicroserviceConfigError(scope, `'${prop}' sets ${show(k)}, which the library sets: drop it (the library's value would be lost)`);
    if (typeof v !== 'string') throw new MicroserviceConfigError(scope, `'${prop}.${k}' must be a string, got ${show(v)}: quote numbers and booleans`);
  }
  return annotations as Record<string, string>;
}
