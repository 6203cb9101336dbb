import { IConstruct } from 'constructs';
import { MicroserviceConfigError, show } from './errors';

// Kubernetes naming rules (apimachinery validation): Service names are RFC 1035 labels,
// namespaces RFC 1123 labels; both at most 63 characters.
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const HOSTNAME = /^(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]([-a-z0-9]*[a-z0-9])?$/;
// Kubernetes accepts these env var names (validation.IsEnvVarName).
const ENV_VAR = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

const MAX_LABEL = 63;

/**
 * Checks an id that becomes a Deployment/Service name: an RFC 1035 label, because a Service
 * name must be one. `reserve` keeps room for suffixes the library adds (`-canary`).
 */
export function checkObjectName(scope: IConstruct | string, prop: string, name: string, reserve = 0): void {
  const max = MAX_LABEL - reserve;
  if (!DNS1035_LABEL.test(name) || name.length > max) {
    throw new MicroserviceConfigError(scope, `${prop} ${show(name)} is not a valid name: use at most ${max} lowercase letters, digits and '-', starting with a letter and ending with a letter or digit (for example 'catalog' or 'order-api')`);
  }
}

/** Checks a namespace name: an RFC 1123 label. */
export function checkNamespace(scope: IConstruct | string, name: string): void {
  if (!DNS1123_LABEL.test(name) || name.length > MAX_LABEL) {
    throw new MicroserviceConfigError(scope, `'namespace' ${show(name)} is not a valid namespace: use at most ${MAX_LABEL} lowercase letters, digits and '-', starting and ending with a letter or digit (for example 'shop')`);
  }
}

/** Checks a DNS host name for an Ingress rule (a leading `*.` wildcard is allowed). */
export function checkHostname(scope: IConstruct | string, prop: string, host: string): void {
  const labelsOk = host.split('.').every(l => l.length <= MAX_LABEL);
  if (!HOSTNAME.test(host) || host.length > 253 || !labelsOk) {
    throw new MicroserviceConfigError(scope, `'${prop}' ${show(host)} is not a host name: use a lowercase DNS name such as 'shop.example.com' (no scheme, port or path)`);
  }
}

/** Checks an environment variable name the way the API server does. */
export function checkEnvName(scope: IConstruct | string, prop: string, name: string): void {
  if (!ENV_VAR.test(name)) {
    throw new MicroserviceConfigError(scope, `'${prop}' has an invalid environment variable name ${show(name)}: use letters, digits, '_', '-' and '.', not starting with a digit (for example 'LOG_LEVEL')`);
  }
}

/**
 * `order-api` -> `ORDER_API`: the default env var prefix for a connection. Each '-' becomes
 * one '_', so two ids never share a prefix (`a-b` and `a--b` differ).
 */
export function upperSnake(id: string): string {
  return id.replace(/-/g, '_').toUpperCase();
}
