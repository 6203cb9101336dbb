// Security and best-practice policy: the default checks of kube-score, kube-linter, Polaris and
// the Pod Security Standards "restricted" profile, under the rule ids the team's policy-check
// uses, so a finding reads the same whichever tool reported it. Unlike the schema and
// reference checks these have graded severities: an error is something a cluster enforcing the
// policy would reject or an incident waiting to happen; a warning is a default we want kept;
// info is advice.
import { Bundle, allContainersOf, arrayOf, namespaceOf, nameOf, podAnnotationsOf, podLabelsOf, podSpecOf, selects } from './bundle';
import { Doc, Manifest, isObject } from './manifests';
import { FindingList, ruleSet } from './rules';
import { NOT_SECRET_ANNOTATION } from '../../labels';

export const POLICY_RULES = ruleSet({
  // Pod Security Standards (baseline and restricted) and Polaris security checks
  'sc-host': { severity: 'error', summary: 'The pod shares a host namespace (network, PID, IPC) or binds a host port.', fix: 'Remove hostNetwork/hostPID/hostIPC and hostPort; expose the pod through a Service.' },
  'sc-volumes': { severity: 'error', summary: 'The pod uses a volume type Pod Security "restricted" forbids (hostPath and other node-level types).', fix: 'Use configMap, secret, emptyDir, projected, downwardAPI, csi, ephemeral or a PersistentVolumeClaim.' },
  'sc-non-root': { severity: 'error', summary: 'A container may run as root.', fix: 'Set securityContext.runAsNonRoot: true and a non-zero runAsUser.' },
  'sc-privileged': { severity: 'error', summary: 'A container is privileged: it has every capability of the host.', fix: 'Remove securityContext.privileged.' },
  'sc-priv-esc': { severity: 'error', summary: 'A container may gain more privileges than its parent process (setuid binaries).', fix: 'Set securityContext.allowPrivilegeEscalation: false.' },
  'sc-caps': { severity: 'error', summary: 'A container keeps Linux capabilities it does not need.', fix: 'Drop ALL capabilities and add back at most NET_BIND_SERVICE.' },
  'sc-seccomp': { severity: 'error', summary: 'A container runs without a seccomp profile.', fix: 'Set securityContext.seccompProfile.type: RuntimeDefault (on the pod or the container).' },
  'sc-ro-rootfs': { severity: 'warning', summary: 'A container can write to its root filesystem.', fix: 'Set readOnlyRootFilesystem: true and mount an emptyDir where the app writes.' },
  'sc-root-group': { severity: 'warning', summary: 'The pod runs with group 0 (root), which owns many files in most images.', fix: 'Use a non-zero runAsGroup, fsGroup and supplementalGroups.' },
  'sc-high-uid': { severity: 'info', summary: 'A container\'s uid or gid is below 10000 and may coincide with a user of the host.', fix: 'Run as a uid and gid of 10000 or more.' },
  // service accounts
  'sa-automount': { severity: 'warning', summary: 'The pod gets a service-account token it probably never uses.', fix: 'Set automountServiceAccountToken: false on the pod or its ServiceAccount.' },
  'sa-ref': { severity: 'warning', summary: 'The pod runs as the namespace\'s default service account, or as one the bundle does not define.', fix: 'Give each workload its own ServiceAccount, defined beside it.' },
  // secrets
  'no-plain-secrets': { severity: 'error', summary: 'A secret-looking value is written in plain text in the manifest.', fix: 'Move it to a Secret and reference it with valueFrom.secretKeyRef.' },
  // resources
  'res-requests': { severity: 'error', summary: 'A container has no cpu or memory request: the scheduler packs pods blindly.', fix: 'Set resources.requests.cpu and .memory.' },
  'res-mem-limit': { severity: 'error', summary: 'A container has no memory limit: one leak can take the node down.', fix: 'Set resources.limits.memory.' },
  'res-cpu-limit': { severity: 'warning', summary: 'A container has no cpu limit.', fix: 'Set resources.limits.cpu.' },
  'res-ephemeral': { severity: 'warning', summary: 'A container has no ephemeral-storage request or limit: it can fill the node\'s disk.', fix: 'Set requests and limits of ephemeral-storage.' },
  // images
  'img-tag': { severity: 'error', summary: 'An image has no pinned tag (none, or :latest): what runs changes without a change to the manifest.', fix: 'Pin a version tag or a digest.' },
  'img-pull-always': { severity: 'info', summary: 'A container pulls its image on every start: slow restarts and a hard dependency on the registry.', fix: 'Use IfNotPresent with a pinned tag.' },
  // ports
  'port-syntax': { severity: 'warning', summary: 'A container exposes port 22 (SSH) into the pod network.', fix: 'Do not run SSH in containers; use kubectl exec.' },
  // probes
  'probe-readiness': { severity: 'error', summary: 'A container behind a Service has no readiness probe: it gets traffic before it can serve.', fix: 'Add a readinessProbe.' },
  'probe-liveness': { severity: 'warning', summary: 'A long-running container has no liveness probe: a hung process is never restarted.', fix: 'Add a livenessProbe.' },
  'probe-distinct': { severity: 'warning', summary: 'Readiness and liveness probes are the same check: a slow dependency restarts pods instead of draining them.', fix: 'Make liveness a cheaper, more patient check than readiness.' },
  'probe-port': { severity: 'error', summary: 'A probe uses a port the container does not declare.', fix: 'Probe a declared port, preferably by name.' },
  // availability
  'selector-immutable': { severity: 'error', summary: 'A Deployment selector holds a label that changes between releases; selectors are immutable, so the next release cannot be applied.', fix: 'Select on name and instance labels only.' },
  'hpa-no-replicas': { severity: 'error', summary: 'An autoscaled Deployment also sets spec.replicas.', fix: 'Remove spec.replicas; the autoscaler owns it.' },
  'replicas-min': { severity: 'warning', summary: 'A Deployment behind a Service has fewer than 2 replicas: any restart is an outage.', fix: 'Run 2 or more replicas (or minReplicas >= 2).' },
  'strategy': { severity: 'warning', summary: 'A Deployment does not use the RollingUpdate strategy: every rollout is downtime.', fix: 'Use strategy.type RollingUpdate.' },
  'anti-affinity': { severity: 'warning', summary: 'The replicas of a Deployment may all land on one node.', fix: 'Add a topologySpreadConstraint (or pod anti-affinity) over kubernetes.io/hostname or zones.' },
  'topo-spread': { severity: 'info', summary: 'A replicated Deployment has no topologySpreadConstraints.', fix: 'Spread over zones and nodes with topologySpreadConstraints.' },
  'pdb-exists': { severity: 'error', summary: 'A replicated Deployment has no PodDisruptionBudget: a node drain may evict every replica at once.', fix: 'Add a PodDisruptionBudget (maxUnavailable: 1).' },
  'pdb-evictable': { severity: 'error', summary: 'A PodDisruptionBudget allows no voluntary eviction: node drains and cluster upgrades hang.', fix: 'Use maxUnavailable: 1 (or a minAvailable below the replica count).' },
  'pdb-unhealthy': { severity: 'info', summary: 'A PodDisruptionBudget does not set unhealthyPodEvictionPolicy: crash-looping pods can block drains.', fix: 'Set unhealthyPodEvictionPolicy: AlwaysAllow.' },
  'pdb-vs-hpa': { severity: 'error', summary: 'A PodDisruptionBudget requires more available pods than the autoscaler\'s minimum: drains hang once it scales down.', fix: 'Keep minAvailable below minReplicas, or use maxUnavailable.' },
  'hpa-min': { severity: 'warning', summary: 'An autoscaler may scale down to a single pod.', fix: 'Set minReplicas to 2 or more.' },
  'hpa-max-gt-min': { severity: 'warning', summary: 'An autoscaler\'s maxReplicas is not above minReplicas: it cannot scale.', fix: 'Raise maxReplicas above minReplicas.' },
  'keda-owner': { severity: 'error', summary: 'A ScaledObject with only cpu/memory triggers is set to scale to zero, which those triggers cannot do.', fix: 'Set minReplicaCount to 1 or more, or add an event trigger.' },
  // network
  'netpol-cover': { severity: 'error', summary: 'No NetworkPolicy selects the pods of a Deployment: all traffic to and from them is allowed.', fix: 'Add a default-deny policy for the namespace and allow what the pods need.' },
  // metadata
  'std-labels': { severity: 'warning', summary: 'A workload lacks some of the standard app.kubernetes.io labels.', fix: 'Label it (and its pods) with app.kubernetes.io/name, instance, version, component, part-of and managed-by.' },
  // services and ingress
  'svc-type': { severity: 'warning', summary: 'A NodePort Service opens a port on every node.', fix: 'Use ClusterIP behind an Ingress, or LoadBalancer.' },
  'istio-port-name': { severity: 'warning', summary: 'A Service port says neither its protocol prefix (http-, grpc-, tcp-...) nor an appProtocol: meshes and proxies guess.', fix: 'Name the port after its protocol or set appProtocol.' },
  'ingress-tls': { severity: 'warning', summary: 'An Ingress serves plain HTTP only.', fix: 'Add spec.tls with a certificate Secret.' },
  // API versions
  'stable-api': { severity: 'error', summary: 'The object uses a deprecated API version that current clusters no longer serve.', fix: 'Move to the stable apiVersion (apps/v1, networking.k8s.io/v1, policy/v1, autoscaling/v2).' },
});
const R = POLICY_RULES;

// environment variable and ConfigMap keys that hold credentials when they hold literals
const SECRET_LIKE = /(password|passwd|token|secret|bearer|api[_-]?key|private[_-]?key|aws_secret_access_key)/i;
const STANDARD_LABELS = ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/version', 'app.kubernetes.io/component', 'app.kubernetes.io/part-of', 'app.kubernetes.io/managed-by'];
// the labels the pods themselves must carry too: tools group pods by them
const POD_LABELS = ['app.kubernetes.io/name', 'app.kubernetes.io/instance'];
const RESTRICTED_VOLUME_TYPES = ['configMap', 'downwardAPI', 'emptyDir', 'projected', 'secret', 'csi', 'persistentVolumeClaim', 'ephemeral', 'image'];
const SPREAD_TOPOLOGY_KEYS = ['kubernetes.io/hostname', 'topology.kubernetes.io/zone', 'topology.kubernetes.io/region'];
const PROTOCOL_PORT_NAME = /^(http|http2|https|grpc|grpc-web|tcp|tls|udp|mongo|mysql|redis)(-.*)?$/;
const DEPRECATED_API = /^(extensions\/v1beta1|apps\/v1beta[12]|policy\/v1beta1|autoscaling\/v2beta[12]|networking\.k8s\.io\/v1beta1)$/;
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;

/** Runs every policy over the bundle. */
export function checkPolicies(bundle: Bundle, findings: FindingList): void {
  for (const w of bundle.workloads) {
    checkPodSecurity(w, findings);
    checkServiceAccount(bundle, w, findings);
    for (const c of allContainersOf(podSpecOf(w.object)).filter(isObject)) {
      checkContainerSecurity(w, c, findings);
      checkContainerResources(w, c, findings);
      checkContainerImage(w, c, findings);
      checkPlainSecretsInEnv(w, c, findings);
    }
    if (!['Job', 'CronJob', 'Pod'].includes(w.object.kind)) checkProbes(bundle, w, findings);
    if (w.object.kind === 'Deployment' || w.object.kind === 'Rollout') {
      checkAvailability(bundle, w, findings);
      checkNetworkPolicyCoverage(bundle, w, findings);
    }
    checkStandardLabels(w, findings);
  }
  checkAutoscalers(bundle, findings);
  checkServicesAndIngress(bundle, findings);
  checkPlainSecretsInConfigMaps(bundle, findings);
  for (const m of bundle.objects) {
    if (DEPRECATED_API.test(m.object.apiVersion)) findings.add(R['stable-api'], m, `apiVersion ${m.object.apiVersion} is deprecated and no longer served`, '/apiVersion');
  }
}

function checkPodSecurity(w: Manifest, findings: FindingList): void {
  const spec = podSpecOf(w.object) ?? {};
  const psc = spec.securityContext ?? {};
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) if (spec[field]) findings.add(R['sc-host'], w, `${field} is true`);
  for (const v of arrayOf(spec.volumes)) {
    const type = Object.keys(v ?? {}).find(k => k !== 'name');
    if (!RESTRICTED_VOLUME_TYPES.includes(type ?? '')) findings.add(R['sc-volumes'], w, `volume '${v?.name}' is of type ${type}, which Pod Security "restricted" forbids`);
  }
  if (psc.runAsGroup === 0 || psc.fsGroup === 0 || arrayOf(psc.supplementalGroups).includes(0)) findings.add(R['sc-root-group'], w, 'the pod runs with group 0 (runAsGroup, fsGroup or supplementalGroups)');
}

function checkContainerSecurity(w: Manifest, c: Doc, findings: FindingList): void {
  const psc = podSpecOf(w.object)?.securityContext ?? {};
  const sc = c.securityContext ?? {};
  // a container setting wins over the pod setting
  const effective = (key: string) => sc[key] ?? psc[key];
  const name = `container '${c.name}'`;
  if (effective('runAsNonRoot') !== true) findings.add(R['sc-non-root'], w, `${name} does not set runAsNonRoot: true`);
  if (effective('runAsUser') === 0) findings.add(R['sc-non-root'], w, `${name} runs as uid 0`);
  if (sc.privileged) findings.add(R['sc-privileged'], w, `${name} is privileged`);
  if (sc.allowPrivilegeEscalation !== false) findings.add(R['sc-priv-esc'], w, `${name} does not set allowPrivilegeEscalation: false`);
  if (sc.readOnlyRootFilesystem !== true) findings.add(R['sc-ro-rootfs'], w, `${name} has a writable root filesystem`);
  const drop = arrayOf(sc.capabilities?.drop);
  const add = arrayOf(sc.capabilities?.add);
  if (!drop.includes('ALL')) findings.add(R['sc-caps'], w, `${name} does not drop ALL capabilities`);
  if (add.some(cap => cap !== 'NET_BIND_SERVICE')) findings.add(R['sc-caps'], w, `${name} adds capabilities ${add.join(', ')}`);
  const seccomp = sc.seccompProfile?.type ?? psc.seccompProfile?.type;
  if (!['RuntimeDefault', 'Localhost'].includes(seccomp)) findings.add(R['sc-seccomp'], w, `${name} has no RuntimeDefault or Localhost seccomp profile`);
  const uid = effective('runAsUser');
  const gid = effective('runAsGroup');
  if (!(uid >= 10000 && gid >= 10000)) findings.add(R['sc-high-uid'], w, `${name} runs as uid ${uid ?? '(image default)'} and gid ${gid ?? '(image default)'}, not both >= 10000`);
  for (const p of arrayOf(c.ports)) {
    if (p?.hostPort) findings.add(R['sc-host'], w, `${name} binds hostPort ${p.hostPort}`);
    if (p?.containerPort === 22) findings.add(R['port-syntax'], w, `${name} exposes port 22 (SSH)`);
  }
}

function checkServiceAccount(bundle: Bundle, w: Manifest, findings: FindingList): void {
  const spec = podSpecOf(w.object) ?? {};
  const ns = namespaceOf(w.object);
  const saName = spec.serviceAccountName;
  const sa = bundle.find('ServiceAccount', saName, ns);
  // the pod setting wins; without one the ServiceAccount's applies; the default is to mount
  if (spec.automountServiceAccountToken !== false && sa?.object.automountServiceAccountToken !== false) {
    findings.add(R['sa-automount'], w, 'the service-account token is mounted into the pods');
  }
  if (!saName || saName === 'default') findings.add(R['sa-ref'], w, 'the pods run as the default service account');
  else if (!sa) findings.add(R['sa-ref'], w, `serviceAccountName '${saName}' is not defined in the bundle`);
}

// names the author declared not secret (`envNotSecret`) are listed in a pod annotation

function checkPlainSecretsInEnv(w: Manifest, c: Doc, findings: FindingList): void {
  const declared = podAnnotationsOf(w.object)[NOT_SECRET_ANNOTATION];
  const notSecret = new Set(typeof declared === 'string' ? declared.split(',') : []);
  for (const e of arrayOf(c.env)) {
    if (e?.value !== undefined && SECRET_LIKE.test(e?.name) && !notSecret.has(e.name)) findings.add(R['no-plain-secrets'], w, `container '${c.name}' env ${e.name} holds a literal value`);
  }
}

function checkPlainSecretsInConfigMaps(bundle: Bundle, findings: FindingList): void {
  for (const cm of bundle.ofKind('ConfigMap')) {
    for (const [key, value] of Object.entries(isObject(cm.object.data) ? cm.object.data : {})) {
      // a structured file (JSON/YAML flow) that merely mentions a token is configuration, not a secret
      if (SECRET_LIKE.test(key) && typeof value === 'string' && value.length > 0 && !/^\s*[{[]/.test(value)) {
        findings.add(R['no-plain-secrets'], cm, `key '${key}' looks like a secret`, `/data/${key}`);
      }
    }
  }
}

function checkContainerResources(w: Manifest, c: Doc, findings: FindingList): void {
  const requests = c.resources?.requests ?? {};
  const limits = c.resources?.limits ?? {};
  const name = `container '${c.name}'`;
  const missingRequests = ['cpu', 'memory'].filter(r => !requests[r]);
  if (missingRequests.length) findings.add(R['res-requests'], w, `${name} has no ${missingRequests.join(' or ')} request`);
  if (!limits.memory) findings.add(R['res-mem-limit'], w, `${name} has no memory limit`);
  if (!limits.cpu) findings.add(R['res-cpu-limit'], w, `${name} has no cpu limit`);
  const missingStorage = [requests, limits].map((bound, i) => (bound['ephemeral-storage'] ? undefined : ['request', 'limit'][i])).filter(Boolean);
  if (missingStorage.length) findings.add(R['res-ephemeral'], w, `${name} has no ephemeral-storage ${missingStorage.join(' or ')}`);
}

function checkContainerImage(w: Manifest, c: Doc, findings: FindingList): void {
  const image = String(c.image ?? '');
  // the tag is after the last ':' of the last path segment (a registry port is not a tag)
  const lastSegment = image.split('/').pop() ?? '';
  const pinned = image.includes('@sha256:') || (lastSegment.includes(':') && !image.endsWith(':latest'));
  if (!pinned) findings.add(R['img-tag'], w, `container '${c.name}' image '${image}' is not pinned to a tag or digest`);
  if (c.imagePullPolicy === 'Always') findings.add(R['img-pull-always'], w, `container '${c.name}' pulls its image on every start`);
}

function checkProbes(bundle: Bundle, w: Manifest, findings: FindingList): void {
  const behindService = bundle.servicesSelecting(podLabelsOf(w.object), namespaceOf(w.object)).length > 0;
  for (const c of arrayOf(podSpecOf(w.object)?.containers).filter(isObject)) {
    const name = `container '${c.name}'`;
    if (behindService && !c.readinessProbe) findings.add(R['probe-readiness'], w, `${name} is behind a Service but has no readinessProbe`);
    if (!c.livenessProbe) findings.add(R['probe-liveness'], w, `${name} has no livenessProbe`);
    if (c.livenessProbe && c.readinessProbe && sameCheck(c.livenessProbe, c.readinessProbe)) findings.add(R['probe-distinct'], w, `${name} readiness and liveness probes are the same check`);
    for (const probe of PROBES) {
      const pr = c[probe];
      const port = pr?.httpGet?.port ?? pr?.tcpSocket?.port ?? pr?.grpc?.port;
      if (port !== undefined && !arrayOf(c.ports).some(p => p?.containerPort === port || p?.name === port)) {
        findings.add(R['probe-port'], w, `${probe} of '${c.name}' uses port ${port}, which the container does not declare`);
      }
    }
  }
}

/** Whether two probes run the same check, whatever their timing. */
function sameCheck(a: Doc, b: Doc): boolean {
  const timing = new Set(['failureThreshold', 'periodSeconds', 'initialDelaySeconds', 'timeoutSeconds', 'successThreshold', 'terminationGracePeriodSeconds']);
  const check = (p: Doc) => canonical(Object.fromEntries(Object.entries(p).filter(([k]) => !timing.has(k))));
  return isObject(a) && isObject(b) && check(a) === check(b);
}

/** JSON with sorted keys, so that key order does not make two equal values differ. */
function canonical(v: Doc): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) return `{${Object.keys(v).sort().map(k => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

/** The replica floor of a workload (or Rollout) an autoscaler (HPA or KEDA) manages, if one does. */
function autoscaledMinimum(bundle: Bundle, w: Manifest): number | undefined {
  const ns = namespaceOf(w.object);
  // a ScaledObject's target kind defaults to Deployment
  const targets = (m: Manifest) => m.object.spec?.scaleTargetRef?.name === nameOf(w.object) && (m.object.spec?.scaleTargetRef?.kind ?? 'Deployment') === w.object.kind
    && namespaceOf(m.object) === ns;
  const hpa = bundle.ofKind('HorizontalPodAutoscaler').find(targets);
  if (hpa) return hpa.object.spec.minReplicas ?? 1;
  const so = bundle.ofKind('ScaledObject').find(targets);
  if (so) return so.object.spec.minReplicaCount ?? 0;
  return undefined;
}

function checkAvailability(bundle: Bundle, w: Manifest, findings: FindingList): void {
  const o = w.object;
  const spec = podSpecOf(o) ?? {};
  const labels = podLabelsOf(o);
  const selector = isObject(o.spec?.selector?.matchLabels) ? o.spec.selector.matchLabels : {};
  if (Object.keys(selector).some(k => /version|revision|hash/i.test(k))) findings.add(R['selector-immutable'], w, 'the selector holds a label that changes between releases (selectors are immutable)', '/spec/selector');
  // a Deployment whose template a Rollout runs (workloadRef) has the Rollout's pods: its count,
  // its autoscaler; its own replicas are the Rollout checks' (./rollouts.ts)
  const rollout = bundle.rolloutRunning(w);
  const scaled = rollout ?? w;
  const minimum = autoscaledMinimum(bundle, scaled);
  if (!rollout && minimum !== undefined && o.spec?.replicas !== undefined) findings.add(R['hpa-no-replicas'], w, `spec.replicas (${o.spec.replicas}) is set although an autoscaler manages the replicas`, '/spec/replicas');
  const replicas: number = minimum ?? scaled.object.spec?.replicas ?? 1;
  const behindService = bundle.servicesSelecting(labels, namespaceOf(o)).length > 0;
  if (behindService && replicas < 2) findings.add(R['replicas-min'], w, `only ${replicas} replica(s) behind a Service`);
  // a Rollout's strategy is canary or blueGreen, no type
  if (o.kind === 'Deployment' && !rollout && (o.spec?.strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') findings.add(R['strategy'], w, `strategy is ${o.spec.strategy.type}, not RollingUpdate`, '/spec/strategy');
  if (replicas < 2) return;

  const antiAffinity = spec.affinity?.podAntiAffinity;
  const terms = [
    ...arrayOf(antiAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    ...arrayOf(antiAffinity?.preferredDuringSchedulingIgnoredDuringExecution).map(t => t?.podAffinityTerm),
  ];
  const spreadConstraints = arrayOf(spec.topologySpreadConstraints);
  const spreads = spreadConstraints.some(t => t?.maxSkew > 0 && t?.topologyKey && selects(t?.labelSelector?.matchLabels, labels));
  const repels = terms.some(t => SPREAD_TOPOLOGY_KEYS.includes(t?.topologyKey) && selects(t?.labelSelector?.matchLabels, labels));
  if (!spreads && !repels) findings.add(R['anti-affinity'], w, `${replicas} replicas may all land on one node (no anti-affinity or topology spread over its pods)`);
  if (!spreadConstraints.length) findings.add(R['topo-spread'], w, 'no topologySpreadConstraints');

  const pdb = bundle.ofKind('PodDisruptionBudget').find(p => namespaceOf(p.object) === namespaceOf(o) && selects(p.object.spec?.selector?.matchLabels, labels));
  if (!pdb) {
    findings.add(R['pdb-exists'], w, `${replicas} replicas and no PodDisruptionBudget`);
    return;
  }
  const { minAvailable, maxUnavailable, unhealthyPodEvictionPolicy } = pdb.object.spec;
  if (maxUnavailable === 0 || maxUnavailable === '0%' || minAvailable === '100%' || (typeof minAvailable === 'number' && minAvailable >= replicas)) {
    findings.add(R['pdb-evictable'], pdb, `allows no eviction of the ${replicas} pods of ${o.kind} '${nameOf(o)}' (node drains hang)`);
  }
  if (!unhealthyPodEvictionPolicy) findings.add(R['pdb-unhealthy'], pdb, 'unhealthyPodEvictionPolicy is not set');
}

function checkNetworkPolicyCoverage(bundle: Bundle, w: Manifest, findings: FindingList): void {
  const labels = podLabelsOf(w.object);
  const covered = bundle.ofKind('NetworkPolicy').some(np => {
    if (namespaceOf(np.object) !== namespaceOf(w.object)) return false;
    const podSelector = np.object.spec?.podSelector;
    // an empty selector (or one without matchLabels) is taken to cover every pod of the namespace
    return !isObject(podSelector) || !Object.keys(podSelector).length || !isObject(podSelector.matchLabels) || !Object.keys(podSelector.matchLabels).length
      || selects(podSelector.matchLabels, labels);
  });
  if (!covered) findings.add(R['netpol-cover'], w, 'no NetworkPolicy selects these pods');
}

function checkStandardLabels(w: Manifest, findings: FindingList): void {
  const meta = isObject(w.object.metadata?.labels) ? w.object.metadata.labels : {};
  const pod = podLabelsOf(w.object);
  const missing = STANDARD_LABELS.filter(l => !(l in meta) || (POD_LABELS.includes(l) && !(l in pod)));
  if (missing.length) findings.add(R['std-labels'], w, `missing standard labels ${missing.join(', ')}`);
}

function checkAutoscalers(bundle: Bundle, findings: FindingList): void {
  for (const hpa of bundle.ofKind('HorizontalPodAutoscaler')) {
    const min = hpa.object.spec?.minReplicas ?? 1;
    const max = hpa.object.spec?.maxReplicas;
    if (min < 2) findings.add(R['hpa-min'], hpa, `minReplicas ${min} < 2`, '/spec/minReplicas');
    if (!(max > min)) findings.add(R['hpa-max-gt-min'], hpa, `maxReplicas ${max} is not greater than minReplicas ${min}`, '/spec/maxReplicas');
    const ns = namespaceOf(hpa.object);
    const target = bundle.workloads.find(x => nameOf(x.object) === hpa.object.spec?.scaleTargetRef?.name && namespaceOf(x.object) === ns);
    const pdb = target && bundle.ofKind('PodDisruptionBudget').find(p => namespaceOf(p.object) === ns && selects(p.object.spec?.selector?.matchLabels, podLabelsOf(target.object)));
    const minAvailable = pdb?.object.spec?.minAvailable;
    if (pdb && typeof minAvailable === 'number' && minAvailable > min) findings.add(R['pdb-vs-hpa'], pdb, `minAvailable ${minAvailable} exceeds minReplicas ${min} of HorizontalPodAutoscaler '${nameOf(hpa.object)}'`);
  }
  for (const so of bundle.ofKind('ScaledObject')) {
    const resourceOnly = arrayOf(so.object.spec?.triggers).every(t => ['cpu', 'memory'].includes(t?.type));
    if (resourceOnly && so.object.spec?.minReplicaCount === 0) findings.add(R['keda-owner'], so, 'cpu/memory triggers cannot scale to zero (minReplicaCount: 0)', '/spec/minReplicaCount');
  }
}

function checkServicesAndIngress(bundle: Bundle, findings: FindingList): void {
  for (const svc of bundle.ofKind('Service')) {
    if (svc.object.spec?.type === 'NodePort') findings.add(R['svc-type'], svc, 'NodePort Service', '/spec/type');
    arrayOf(svc.object.spec?.ports).forEach((p, i) => {
      const name = String(p?.name ?? '');
      if (!p?.appProtocol && !PROTOCOL_PORT_NAME.test(name)) findings.add(R['istio-port-name'], svc, `port '${name || p?.port}' has no protocol prefix or appProtocol`, `/spec/ports/${i}`);
    });
  }
  for (const ing of bundle.ofKind('Ingress')) {
    if (!arrayOf(ing.object.spec?.tls).length) findings.add(R['ingress-tls'], ing, 'no TLS', '/spec/tls');
  }
}
