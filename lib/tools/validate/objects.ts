// Checks of one object at a time that a JSON schema cannot express but the API server (or the
// kubelet, at the worst moment) enforces: name and label syntax, unique names, ports and probes
// that fit together, env var names, quantities, and a few kind-specific invariants.
import { allContainersOf, isWorkload, arrayOf, podLabelsOf, podSpecOf } from './bundle';
import { Doc, Manifest, isObject } from './manifests';
import { FindingList, ruleSet } from './rules';

export const OBJECT_RULES = ruleSet({
  // documents and identity
  'yaml-syntax': { severity: 'error', summary: 'The document is not valid YAML (or repeats a key).', fix: 'Fix the YAML syntax at the reported position.' },
  'not-an-object': { severity: 'error', summary: 'The document is a scalar or a list, not a Kubernetes object.', fix: 'Make the document a mapping with apiVersion, kind and metadata, or remove it.' },
  'missing-kind': { severity: 'error', summary: 'The object has no apiVersion or no kind.', fix: 'Add apiVersion and kind.' },
  'missing-name': { severity: 'error', summary: 'The object has no metadata.name.', fix: 'Add metadata.name.' },
  'duplicate-object': { severity: 'error', summary: 'Two documents define the same object; the later silently replaces the earlier on apply.', fix: 'Rename or remove one of them.' },
  // names, labels, annotations
  'object-name': { severity: 'error', summary: 'The name is not valid for its kind (DNS-1123 subdomain; DNS-1123 label for Namespaces, DNS-1035 label for Services).', fix: 'Use lower-case letters, digits and \'-\' (and \'.\' where allowed), starting and ending with a letter or digit.' },
  'namespace-name': { severity: 'error', summary: 'metadata.namespace is not a valid DNS-1123 label.', fix: 'Use at most 63 lower-case letters, digits and \'-\'.' },
  'label-key': { severity: 'error', summary: 'A label key is not a valid qualified name (optional DNS prefix, \'/\', name of at most 63 characters).', fix: 'Rename the label key.' },
  'label-value': { severity: 'error', summary: 'A label value is not a string of at most 63 alphanumerics, \'-\', \'_\' or \'.\'.', fix: 'Shorten or quote the value, or move it to an annotation.' },
  'annotation-key': { severity: 'error', summary: 'An annotation key is not a valid qualified name.', fix: 'Rename the annotation key.' },
  'annotation-value': { severity: 'error', summary: 'An annotation value is not a string.', fix: 'Quote the value.' },
  // workloads
  'pod-template-missing': { severity: 'error', summary: 'A workload has no pod spec.', fix: 'Add spec.template.spec (spec.jobTemplate.spec.template.spec for a CronJob).' },
  'selector-empty': { severity: 'error', summary: 'A workload selector selects nothing.', fix: 'Give spec.selector.matchLabels the stable labels of the pod template.' },
  'selector-mismatch': { severity: 'error', summary: 'A workload selector does not match its own pod template labels: the API server rejects it.', fix: 'Make every matchLabels entry a label of the pod template.' },
  'container-name': { severity: 'error', summary: 'A container name is not a DNS-1123 label.', fix: 'Use lower-case letters, digits and \'-\'.' },
  'container-duplicate': { severity: 'error', summary: 'Two containers of a pod share a name.', fix: 'Give each container its own name.' },
  'port-name': { severity: 'error', summary: 'A container port name is not an IANA service name (at most 15 lower-case alphanumerics or \'-\', with a letter).', fix: 'Rename the port, for example \'http\' or \'grpc-api\'.' },
  'port-duplicate': { severity: 'error', summary: 'Two ports of a container share a name.', fix: 'Give each port its own name.' },
  'port-number': { severity: 'error', summary: 'A containerPort is not between 1 and 65535.', fix: 'Use a port between 1 and 65535.' },
  'probe-named-port': { severity: 'error', summary: 'A probe refers to a port name the container does not declare.', fix: 'Name the port in the container\'s ports, or use the number.' },
  'probe-path': { severity: 'error', summary: 'An HTTP probe path does not start with \'/\'.', fix: 'Start the path with \'/\'.' },
  'env-name': { severity: 'error', summary: 'An environment variable name has characters the kubelet rejects.', fix: 'Use letters, digits, \'_\', \'-\' and \'.\', not starting with a digit.' },
  'env-duplicate': { severity: 'error', summary: 'A container sets the same environment variable twice; only the last one counts.', fix: 'Remove the duplicate.' },
  'resource-quantity': { severity: 'error', summary: 'A resource request or limit is not a Kubernetes quantity.', fix: 'Use forms like \'250m\', \'0.5\', \'256Mi\' or \'1Gi\' (\'MB\' is not a suffix).' },
  'volume-mount': { severity: 'error', summary: 'A volumeMount names a volume the pod does not have.', fix: 'Add the volume to spec.volumes or fix the name.' },
  // other kinds
  'service-port-unnamed': { severity: 'error', summary: 'A Service with several ports has an unnamed port.', fix: 'Name every port.' },
  'service-port-name': { severity: 'error', summary: 'A Service port name is not a DNS-1123 label of at most 15 characters.', fix: 'Rename the port.' },
  'hpa-replica-range': { severity: 'error', summary: 'An autoscaler has minReplicas below 1 or maxReplicas below minReplicas.', fix: 'Set 1 <= minReplicas <= maxReplicas.' },
  'pdb-budget': { severity: 'error', summary: 'A PodDisruptionBudget needs exactly one of minAvailable and maxUnavailable.', fix: 'Keep one of them (maxUnavailable: 1 lets nodes drain).' },
  'ingress-path-type': { severity: 'error', summary: 'An Ingress path has no pathType.', fix: 'Set pathType: Prefix (or Exact).' },
  'ingress-path': { severity: 'error', summary: 'An Ingress path does not start with \'/\'.', fix: 'Start the path with \'/\'.' },
  // size
  'object-too-large-to-apply': { severity: 'error', summary: 'The object is over the 262144 bytes that client-side `kubectl apply` (and Argo CD by default) can keep in its last-applied-configuration annotation: the apply fails.', fix: 'Split the object (for a dashboard: one per workload), or apply it server-side (`kubectl apply --server-side`).' },
  'configmap-too-large': { severity: 'error', summary: 'The ConfigMap or Secret holds more than 1 MiB, which the API server refuses.', fix: 'Split the data over several objects, or keep it outside the cluster.' },
});
const R = OBJECT_RULES;

// The syntax rules of Kubernetes names (k8s.io/apimachinery/pkg/util/validation).
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const IANA_SERVICE_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?\d+))?$/;

const where = (m: Manifest) => `${m.file}#${m.doc}`;

/**
 * Reports documents that are not usable objects (bad YAML, not a mapping, no apiVersion or
 * kind) and returns the ones that are: only those are checked one by one. Every document that
 * is an object still takes part in the cross-object checks, as it would in a `kubectl apply`.
 */
export function checkDocuments(manifests: readonly Manifest[], findings: FindingList): Manifest[] {
  const usable: Manifest[] = [];
  // the API server keys objects by API group (not version), kind, namespace and name
  const seen = new Map<string, Manifest>();
  for (const m of manifests) {
    if (m.yamlError !== undefined) {
      findings.add(R['yaml-syntax'], m, `not valid YAML: ${m.yamlError}`);
      continue;
    }
    const o = m.object;
    if (!isObject(o)) {
      findings.add(R['not-an-object'], m, `a ${Array.isArray(o) ? 'list' : typeof o}, not a Kubernetes object`);
      continue;
    }
    if (!o.apiVersion || !o.kind) {
      findings.add(R['missing-kind'], m, `the object has no ${!o.apiVersion ? 'apiVersion' : 'kind'}`);
      continue;
    }
    const name = o.metadata?.name;
    if (!name) findings.add(R['missing-name'], m, `${o.kind} has no metadata.name`);
    const key = `${String(o.apiVersion).split('/')[0]}/${o.kind}/${o.metadata?.namespace || ''}/${name}`;
    const first = seen.get(key);
    if (first) findings.add(R['duplicate-object'], m, `${o.kind} '${name}' is defined more than once (first at ${where(first)})`);
    else seen.set(key, m);
    usable.push(m);
  }
  return usable;
}

/** The per-object checks of every usable object. */
export function checkObjects(objects: readonly Manifest[], findings: FindingList): void {
  for (const m of objects) {
    const o = m.object;
    checkNames(m, findings);
    checkLabels(m, findings, o.metadata?.labels, 'metadata.labels');
    checkAnnotations(m, findings);
    if (isWorkload(o)) checkWorkload(m, findings);
    else if (o.kind === 'Service') checkServicePorts(m, findings);
    else if (o.kind === 'HorizontalPodAutoscaler') checkAutoscalerRange(m, findings);
    else if (o.kind === 'PodDisruptionBudget') checkDisruptionBudget(m, findings);
    else if (o.kind === 'Ingress') checkIngressPaths(m, findings);
    checkSize(m, findings);
  }
}

/** What `kubectl apply` keeps of an object: its JSON in an annotation limited to 256 KiB (all annotations together). */
export const LAST_APPLIED_LIMIT = 262144;
/** The data an API server accepts in one ConfigMap or Secret (core.MaxSecretSize). */
export const CONFIGMAP_DATA_LIMIT = 1048576;

// Client-side apply stores the object as JSON in kubectl.kubernetes.io/last-applied-configuration;
// the API server sums the keys and values of a ConfigMap's data and binaryData (ValidateConfigMap)
function checkSize(m: Manifest, findings: FindingList): void {
  const o = m.object;
  const bytes = Buffer.byteLength(JSON.stringify(o));
  if (bytes > LAST_APPLIED_LIMIT) {
    findings.add(R['object-too-large-to-apply'], m, `${o.kind} '${o.metadata?.name}' is ${bytes} bytes as JSON, over the ${LAST_APPLIED_LIMIT} bytes \`kubectl apply\` can keep in its last-applied-configuration annotation`);
  }
  if (o.kind !== 'ConfigMap' && o.kind !== 'Secret') return;
  let data = 0;
  for (const field of ['data', 'stringData', 'binaryData']) {
    const entries = isObject(o[field]) ? Object.entries(o[field] as Record<string, unknown>) : [];
    // a Secret's data and any binaryData are base64 in the manifest: the API server counts the decoded bytes
    const decoded = field === 'binaryData' || (o.kind === 'Secret' && field === 'data');
    for (const [k, v] of entries) data += Buffer.byteLength(k) + (decoded ? Math.floor(String(v).length * 3 / 4) : Buffer.byteLength(String(v)));
  }
  if (data > CONFIGMAP_DATA_LIMIT) findings.add(R['configmap-too-large'], m, `${o.kind} '${o.metadata?.name}' holds ${data} bytes of data, over the API server's limit of ${CONFIGMAP_DATA_LIMIT} (1 MiB)`, '/data');
}

function checkNames(m: Manifest, findings: FindingList): void {
  const { kind, metadata } = m.object;
  const name = metadata?.name;
  if (name) {
    // Services become DNS names (and env var prefixes), Namespaces become DNS labels
    const [re, max, what] = kind === 'Service' ? [DNS1035_LABEL, 63, 'a DNS-1035 label']
      : kind === 'Namespace' ? [DNS1123_LABEL, 63, 'a DNS-1123 label']
        : [DNS1123_SUBDOMAIN, 253, 'a DNS-1123 subdomain'];
    const s = String(name);
    if (!re.test(s) || s.length > max) findings.add(R['object-name'], m, `${kind} name '${s}' is not ${what} of at most ${max} characters`, '/metadata/name');
  }
  const ns = metadata?.namespace;
  if (ns && (!DNS1123_LABEL.test(String(ns)) || String(ns).length > 63)) findings.add(R['namespace-name'], m, `namespace '${ns}' is not a DNS-1123 label`, '/metadata/namespace');
}

/** Whether a label or annotation key is a qualified name: `[prefix/]name`, prefix a DNS subdomain. */
function isQualifiedName(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  const prefix = parts.length === 2 ? parts[0] : undefined;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) return false;
  return name.length <= 63 && QUALIFIED_NAME.test(name);
}

function checkLabels(m: Manifest, findings: FindingList, labels: Doc, field: string): void {
  if (!isObject(labels)) return;
  for (const [key, value] of Object.entries(labels)) {
    if (!isQualifiedName(key)) findings.add(R['label-key'], m, `${field} key '${key}' is not a valid label key`);
    if (typeof value !== 'string' || value.length > 63 || (value !== '' && !QUALIFIED_NAME.test(value))) {
      findings.add(R['label-value'], m, `${field} value ${JSON.stringify(value)} of '${key}' is not a valid label value`);
    }
  }
}

function checkAnnotations(m: Manifest, findings: FindingList): void {
  const annotations = m.object.metadata?.annotations;
  if (!isObject(annotations)) return;
  for (const [key, value] of Object.entries(annotations)) {
    if (!isQualifiedName(key)) findings.add(R['annotation-key'], m, `annotation key '${key}' is not a valid qualified name`);
    if (typeof value !== 'string') findings.add(R['annotation-value'], m, `annotation '${key}' is ${JSON.stringify(value)}, not a string`);
  }
}

function checkWorkload(m: Manifest, findings: FindingList): void {
  const o = m.object;
  const spec = podSpecOf(o);
  if (!isObject(spec)) {
    findings.add(R['pod-template-missing'], m, `${o.kind} '${o.metadata?.name}' has no pod spec`);
    return;
  }
  const podLabels = podLabelsOf(o);
  if (o.kind !== 'Pod') checkLabels(m, findings, podLabels, 'pod template labels');
  // Jobs get their selector generated; everything else must select its own pods
  if (!['Pod', 'Job', 'CronJob'].includes(o.kind)) {
    const matchLabels = isObject(o.spec?.selector?.matchLabels) ? o.spec.selector.matchLabels : {};
    if (!Object.keys(matchLabels).length && !o.spec?.selector?.matchExpressions) {
      findings.add(R['selector-empty'], m, `${o.kind} '${o.metadata?.name}' has an empty selector`, '/spec/selector');
    }
    for (const [k, v] of Object.entries(matchLabels)) {
      if (podLabels[k] !== v) findings.add(R['selector-mismatch'], m, `selector ${k}=${v} does not match the pod template labels`, '/spec/selector/matchLabels');
    }
  }
  const containerNames = new Set<string>();
  // a StatefulSet's volumeClaimTemplates are volumes of each of its pods (a claim per pod)
  const claimTemplates = o.kind === 'StatefulSet' ? arrayOf(o.spec?.volumeClaimTemplates).map(t => t?.metadata?.name) : [];
  const volumes = new Set([...arrayOf(spec.volumes).map(v => v?.name), ...claimTemplates]);
  for (const c of allContainersOf(spec).filter(isObject)) {
    if (!DNS1123_LABEL.test(c.name ?? '')) findings.add(R['container-name'], m, `container name '${c.name}' is not a DNS-1123 label`);
    if (containerNames.has(c.name)) findings.add(R['container-duplicate'], m, `two containers are named '${c.name}'`);
    containerNames.add(c.name);
    checkContainerPorts(m, findings, c);
    checkProbeTargets(m, findings, c);
    checkEnvNames(m, findings, c);
    checkQuantities(m, findings, c);
    for (const mount of arrayOf(c.volumeMounts)) {
      if (!volumes.has(mount?.name)) findings.add(R['volume-mount'], m, `container '${c.name}' mounts volume '${mount?.name}', which the pod does not have`);
    }
  }
}

function checkContainerPorts(m: Manifest, findings: FindingList, c: Doc): void {
  const names = new Set<string>();
  for (const p of arrayOf(c.ports)) {
    if (p?.name !== undefined) {
      if (String(p.name).length > 15 || !IANA_SERVICE_NAME.test(String(p.name))) findings.add(R['port-name'], m, `container '${c.name}' port name '${p.name}' is not an IANA service name`);
      if (names.has(p.name)) findings.add(R['port-duplicate'], m, `container '${c.name}' has two ports named '${p.name}'`);
      names.add(p.name);
    }
    if (!(p?.containerPort > 0 && p?.containerPort < 65536)) findings.add(R['port-number'], m, `container '${c.name}' containerPort ${p?.containerPort} is not between 1 and 65535`);
  }
}

function checkProbeTargets(m: Manifest, findings: FindingList, c: Doc): void {
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    const pr = c[probe];
    const port = pr?.httpGet?.port ?? pr?.tcpSocket?.port ?? pr?.grpc?.port;
    if (typeof port === 'string' && !arrayOf(c.ports).some(p => p?.name === port)) {
      findings.add(R['probe-named-port'], m, `${probe} of '${c.name}' uses port '${port}', which the container does not name`);
    }
    const probePath = pr?.httpGet?.path;
    if (probePath && !String(probePath).startsWith('/')) findings.add(R['probe-path'], m, `${probe} of '${c.name}' has path '${probePath}', which does not start with '/'`);
  }
}

function checkEnvNames(m: Manifest, findings: FindingList, c: Doc): void {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const e of arrayOf(c.env)) {
    if (!ENV_NAME.test(e?.name ?? '')) findings.add(R['env-name'], m, `container '${c.name}' env name '${e?.name}' is not a valid variable name`);
    if (seen.has(e?.name)) repeated.add(e?.name);
    seen.add(e?.name);
  }
  if (repeated.size) findings.add(R['env-duplicate'], m, `container '${c.name}' sets ${[...repeated].join(', ')} more than once`);
}

function checkQuantities(m: Manifest, findings: FindingList, c: Doc): void {
  for (const bound of ['requests', 'limits']) {
    const values = c.resources?.[bound];
    if (!isObject(values)) continue;
    for (const [resource, value] of Object.entries(values)) {
      if ((typeof value === 'string' || typeof value === 'number') && !QUANTITY.test(String(value))) {
        findings.add(R['resource-quantity'], m, `container '${c.name}' resources.${bound}.${resource} '${value}' is not a valid quantity`);
      }
    }
  }
}

function checkServicePorts(m: Manifest, findings: FindingList): void {
  const ports = arrayOf(m.object.spec?.ports);
  // endpoints of a multi-port Service are told apart by port name
  if (ports.length > 1 && ports.some(p => !p?.name)) findings.add(R['service-port-unnamed'], m, 'a Service with several ports must name every port');
  for (const p of ports) {
    if (p?.name && (!DNS1123_LABEL.test(String(p.name)) || String(p.name).length > 15)) findings.add(R['service-port-name'], m, `port name '${p.name}' is not a DNS-1123 label of at most 15 characters`);
  }
}

function checkAutoscalerRange(m: Manifest, findings: FindingList): void {
  const s = m.object.spec ?? {};
  const min = s.minReplicas ?? 1;
  if (min < 1) findings.add(R['hpa-replica-range'], m, `minReplicas ${min} is below 1`, '/spec/minReplicas');
  if (s.maxReplicas < min) findings.add(R['hpa-replica-range'], m, `maxReplicas ${s.maxReplicas} is below minReplicas ${min}`, '/spec/maxReplicas');
}

function checkDisruptionBudget(m: Manifest, findings: FindingList): void {
  const s = m.object.spec ?? {};
  const hasMin = s.minAvailable !== undefined;
  const hasMax = s.maxUnavailable !== undefined;
  if (hasMin === hasMax) findings.add(R['pdb-budget'], m, hasMin ? 'sets both minAvailable and maxUnavailable' : 'sets neither minAvailable nor maxUnavailable', '/spec');
}

function checkIngressPaths(m: Manifest, findings: FindingList): void {
  arrayOf(m.object.spec?.rules).forEach((rule, r) => arrayOf(rule?.http?.paths).forEach((p, i) => {
    const at = `/spec/rules/${r}/http/paths/${i}`;
    if (!p?.pathType) findings.add(R['ingress-path-type'], m, `path '${p?.path ?? ''}' has no pathType`, at);
    if (p?.path && !String(p.path).startsWith('/')) findings.add(R['ingress-path'], m, `path '${p.path}' does not start with '/'`, at);
  }));
}
