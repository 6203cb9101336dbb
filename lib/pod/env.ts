import { IConstruct } from 'constructs';
import { MicroserviceConfigError, show } from '../errors';
import { checkEnvName } from '../names';
import { isQualifiedKey } from '../props/checks';
import * as k8s from '../rendering/kube';
import { addWarning } from '../warnings';

// The environment variables a container's spec may take from the pod itself (the downward API,
// `valueFrom.fieldRef`), as the API server validates them
// (https://kubernetes.io/docs/concepts/workloads/pods/downward-api/#downwardapi-fieldRef).
// `status.hostIPs` needs the PodHostIPs feature gate: alpha (off) in 1.28, on from 1.29.
export const ENV_FIELDS = [
  'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName',
  'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
] as const;

/** A field of the pod the downward API offers to environment variables. */
export type PodField = typeof ENV_FIELDS[number] | `metadata.labels['${string}']` | `metadata.annotations['${string}']`;

// fields the downward API has, but not for env, with what to use instead
const NOT_FOR_ENV: Record<string, string> = {
  'metadata.labels': "all labels are offered only as a downwardAPI volume file: name one label, metadata.labels['<key>']",
  'metadata.annotations': "all annotations are offered only as a downwardAPI volume file: name one annotation, metadata.annotations['<key>']",
  'spec.host': "it is the old name of 'spec.nodeName': use that",
  'spec.restartPolicy': 'the API server offers it to field selectors, not to env',
  'spec.schedulerName': 'the API server offers it to field selectors, not to env',
  'status.phase': 'the API server offers it to field selectors, not to env (and a running container is always Running)',
};
const RESOURCE_FIELD = /^(limits|requests)\.(cpu|memory|ephemeral-storage|hugepages-.+)$/;

/**
 * `fieldEnv`: each variable's field checked as the API server checks `fieldRef.fieldPath`, and
 * rendered as `valueFrom.fieldRef`. `status.hostIPs` is warned about (1.29 or newer).
 */
export function renderFieldEnv(scope: IConstruct, fieldEnv: unknown): k8s.EnvVar[] {
  if (fieldEnv === undefined) return [];
  if (fieldEnv === null || typeof fieldEnv !== 'object' || Array.isArray(fieldEnv)) {
    throw new MicroserviceConfigError(scope, `'fieldEnv' must map variable names to pod fields, got ${show(fieldEnv)}: for example { NAMESPACE: 'metadata.namespace', POD_IP: 'status.podIP' }`);
  }
  return Object.entries(fieldEnv).map(([name, field]) => {
    checkEnvName(scope, 'fieldEnv', name);
    const fieldPath = checkPodField(scope, `fieldEnv.${name}`, field);
    if (fieldPath === 'status.hostIPs') {
      addWarning(scope, `'fieldEnv.${name}' reads status.hostIPs, which needs Kubernetes 1.29 or newer (the PodHostIPs feature gate is alpha and off in 1.28, whose API server refuses the pod): on 1.28 use status.hostIP`);
    }
    return { name, valueFrom: { fieldRef: { fieldPath } } };
  });
}

function checkPodField(scope: IConstruct, prop: string, field: unknown): string {
  const offered = `${ENV_FIELDS.map(f => `'${f}'`).join(', ')}, metadata.labels['<key>'] or metadata.annotations['<key>']`;
  if (typeof field !== 'string') {
    throw new MicroserviceConfigError(scope, `'${prop}' must be a field of the pod as a string, got ${show(field)}: one of ${offered}`);
  }
  if ((ENV_FIELDS as readonly string[]).includes(field)) return field;
  // the API server's SplitMaybeSubscriptedPath: `<path>['<subscript>']`
  const sub = /^(.+)\['(.*)'\]$/.exec(field);
  if (sub && (sub[1] === 'metadata.labels' || sub[1] === 'metadata.annotations')) {
    const annotation = sub[1] === 'metadata.annotations';
    // annotation keys are checked lowercased, label keys as they are
    const key = annotation ? sub[2].toLowerCase() : sub[2];
    if (!isQualifiedKey(key)) {
      throw new MicroserviceConfigError(scope, `'${prop}' names ${annotation ? 'an annotation' : 'a label'} ${show(sub[2])} that is not a valid key: an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' and '.', for example ${sub[1]}['app.kubernetes.io/version']`);
    }
    return field;
  }
  const why = NOT_FOR_ENV[field] ?? (sub ? `only metadata.labels and metadata.annotations take a ['<key>'] subscript` : undefined)
    ?? (RESOURCE_FIELD.test(field) ? "it is a container's resource (resourceFieldRef), which fieldEnv does not offer: give the value in 'env', the container's resources are fixed" : undefined);
  throw new MicroserviceConfigError(scope, `'${prop}' ${show(field)} is not a field the downward API offers to environment variables${why ? `: ${why}` : ''}; use one of ${offered}`);
}

/**
 * What to say about a literal env value that is not a string: a `valueFrom` source points to the
 * prop that renders it (`fieldEnv`, `secretEnv`, `configMapEnv`), numbers and booleans to quotes.
 */
export function literalEnvMessage(prop: string, name: string, value: unknown): string {
  const source = value !== null && typeof value === 'object' ? ((value as any).valueFrom ?? value) : undefined;
  const has = (k: string) => source !== null && typeof source === 'object' && k in source;
  const got = `'${prop}.${name}' must be a string, got ${show(value)}`;
  if (has('fieldRef')) {
    const path = (source as any).fieldRef?.fieldPath;
    return `${got}: a value from the pod's own fields (the downward API) goes in fieldEnv: { ${name}: ${show(typeof path === 'string' ? path : 'metadata.namespace')} }`;
  }
  if (has('secretKeyRef')) return `${got}: a key of a Secret goes in secretEnv: { ${name}: { secretName, key } }`;
  if (has('configMapKeyRef')) return `${got}: a key of a ConfigMap goes in configMapEnv: { ${name}: { configMapName, key } }`;
  if (has('resourceFieldRef')) return `${got}: a container's resources (resourceFieldRef) are not offered; give the value itself, for example '2' for GOMAXPROCS with a cpu limit of 2`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${got}: quote numbers and booleans, for example '${String(value)}'`;
  return `${got}: a literal value; fieldEnv, secretEnv and configMapEnv take values from the pod, Secrets and ConfigMaps`;
}

/** `env` values: strings only, with the message that names the right prop for anything else. */
export function checkLiteralEnv(scope: IConstruct | string, prop: string, env: unknown): void {
  if (env === undefined) return;
  if (env === null || typeof env !== 'object' || Array.isArray(env)) {
    throw new MicroserviceConfigError(scope, `'${prop}' must map variable names to string values, got ${show(env)}: for example { LOG_LEVEL: 'info' }`);
  }
  for (const [name, value] of Object.entries(env)) {
    if (typeof value !== 'string') throw new MicroserviceConfigError(scope, literalEnvMessage(prop, name, value));
  }
}

/**
 * One source per variable across `env`, `fieldEnv`, `secretEnv` and `configMapEnv`: a name in
 * two of them would be listed twice in the container's env, where the later entry silently wins.
 */
export function checkEnvSources(scope: IConstruct | string, sources: Record<'env' | 'fieldEnv' | 'secretEnv' | 'configMapEnv', unknown>): void {
  const owner = new Map<string, string>();
  for (const [prop, vars] of Object.entries(sources)) {
    if (vars === null || typeof vars !== 'object' || Array.isArray(vars)) continue; // each prop's own check names it
    for (const name of Object.keys(vars)) {
      const other = owner.get(name);
      if (other !== undefined) {
        throw new MicroserviceConfigError(scope, `'${prop}.${name}' is also set by '${other}.${name}': each environment variable has one source; drop one of them`);
      }
      owner.set(name, prop);
    }
  }
}
