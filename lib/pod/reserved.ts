// The pod labels and annotations a user may not set: those the library writes itself (a user
// value would be silently replaced), those Kubernetes controllers write (the API server refuses
// a template that disagrees), those that switch off what the app relies on (the mesh), and the
// security annotations that Pod Security "restricted" refuses.
import { IConstruct } from 'constructs';
import { MicroserviceConfigError, show } from '../errors';
import { NOT_SECRET_ANNOTATION } from '../labels';

/** The label the library sets from `logging.format`, for log collectors to route on. */
export const LOG_FORMAT_LABEL = 'cdk8s-microservices.io/log-format';

const LIBRARY_SETS = "which the library sets and selects on: set it through the construct's props (version, component) instead";
// the Job controller's labels: the API server adds them to a Job's pod template (the legacy and
// the batch.kubernetes.io/ forms) and refuses a template whose values differ from the Job's
// name and uid, which a template written before the Job exists cannot know
const JOB_CONTROLLER_SETS = 'which the Job controller sets on every pod of a Job (the API server refuses a template whose value differs from the Job\'s name or uid): drop it, and select Job pods by the app.kubernetes.io labels';
const JOB_LABELS = ['job-name', 'controller-uid', 'batch.kubernetes.io/job-name', 'batch.kubernetes.io/controller-uid', 'batch.kubernetes.io/job-completion-index'];
const CONTROLLER_LABELS = ['pod-template-hash', 'controller-revision-hash', 'statefulset.kubernetes.io/pod-name', 'apps.kubernetes.io/pod-index'];
const CONTROLLER_SETS = 'which the workload controller (Deployment or StatefulSet) sets on every pod, replacing the value: drop it';
const ISTIO_INJECT = 'sidecar.istio.io/inject';
const MESH_INJECTS = "which turns Istio's sidecar injection on or off per pod: the app's mesh injects every pod (its mutual TLS, authorization and traffic settings need the sidecar); drop it, or put a workload that must stay outside the mesh in an app without 'mesh'";

/** What a pod's labels and annotations may not set, with why and the fix. */
export interface ReservedPodKeys {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

/**
 * The reserved pod keys of a workload: `libraryLabels` are its own labels, `job` says its pods
 * are a Job's (BatchJob, a ScaledWorker in job mode), `meshed` that the app runs Istio.
 */
export function reservedPodKeys(libraryLabels: Record<string, string>, job: boolean, meshed: boolean): ReservedPodKeys {
  const labels: Record<string, string> = {};
  for (const k of Object.keys(libraryLabels)) labels[k] = LIBRARY_SETS;
  labels[LOG_FORMAT_LABEL] = "which the library sets from 'logging.format': set that instead";
  if (job) for (const k of JOB_LABELS) labels[k] = JOB_CONTROLLER_SETS;
  // the Deployment and StatefulSet controllers' labels, which they set on every pod themselves
  for (const k of CONTROLLER_LABELS) labels[k] = CONTROLLER_SETS;
  const annotations: Record<string, string> = {};
  const sets = "which the library sets: drop it (the library's value would be lost)";
  for (const k of [
    'kubectl.kubernetes.io/default-container', 'checksum/config', 'proxy.istio.io/config', 'sidecar.istio.io/nativeSidecar',
    'prometheus.io/scrape', 'prometheus.io/port', 'prometheus.io/path', 'fluentbit.io/parser',
    'io.opentelemetry.discovery.logs/enabled', 'io.opentelemetry.discovery.logs/config',
  ]) annotations[k] = sets;
  annotations[NOT_SECRET_ANNOTATION] = "which the library sets from 'envNotSecret' and addEnv(..., { notSecret: true }): use those instead";
  annotations['seccomp.security.alpha.kubernetes.io/pod'] = SECCOMP;
  if (meshed) {
    // Istio reads the label (preferred) and the annotation
    labels[ISTIO_INJECT] = MESH_INJECTS;
    annotations[ISTIO_INJECT] = MESH_INJECTS;
    labels['istio.io/rev'] = "which picks the Istio revision that injects the pod: set 'istio.revision' on the app instead (the namespace label follows it)";
  }
  return { labels, annotations };
}

const SECCOMP = "a deprecated seccomp annotation: the library sets securityContext.seccompProfile RuntimeDefault on the pod and every container (Pod Security \"restricted\"), and the API server refuses a pod whose annotation and field disagree: drop it";
const APPARMOR_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';
const SECCOMP_CONTAINER_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

/**
 * The security annotations of a pod that name a container: AppArmor profiles
 * (`container.apparmor.security.beta.kubernetes.io/<container>`) must name a container of the
 * pod and a profile Pod Security "restricted" admits (`runtime/default` or `localhost/<name>`;
 * `unconfined` gets every pod refused), and per-container seccomp annotations are refused as
 * the pod's is. `containers`: the names of the pod's containers.
 */
export function checkSecurityAnnotations(scope: IConstruct | string, prop: string, annotations: Record<string, string>, containers: ReadonlySet<string>): void {
  for (const [key, value] of Object.entries(annotations)) {
    if (key.startsWith(SECCOMP_CONTAINER_PREFIX)) throw new MicroserviceConfigError(scope, `'${prop}' sets ${show(key)}, ${SECCOMP}`);
    if (!key.startsWith(APPARMOR_PREFIX)) continue;
    const container = key.slice(APPARMOR_PREFIX.length);
    if (!containers.has(container)) {
      throw new MicroserviceConfigError(scope, `'${prop}' sets ${show(key)} for container ${show(container)}, which the pod does not have (the API server refuses it): use one of ${[...containers].map(c => `'${APPARMOR_PREFIX}${c}'`).join(', ')}`);
    }
    if (value !== 'runtime/default' && !/^localhost\/\S+$/.test(value)) {
      const why = value === 'unconfined'
        ? 'runs the container without AppArmor, which Pod Security "baseline" and "restricted" forbid: the namespace refuses every pod'
        : 'is no AppArmor profile';
      throw new MicroserviceConfigError(scope, `'${prop}.${key}' ${show(value)} ${why}: use 'runtime/default' (the container runtime's profile, the default) or 'localhost/<profile>' for a profile loaded on the nodes, or drop it`);
    }
  }
}

/**
 * `sidecar.istio.io/inject: 'true'` on a pod of an app without a mesh: the pod would get a
 * sidecar (where Istio runs) without the mutual TLS, policies and ports the library writes for
 * a meshed app.
 */
export function checkInjectOutsideMesh(scope: IConstruct | string, prop: string, values: Record<string, string>, meshed: boolean): void {
  if (!meshed && values[ISTIO_INJECT] === 'true') {
    throw new MicroserviceConfigError(scope, `'${prop}' sets ${show(ISTIO_INJECT)} to 'true' in an app without a mesh: the pod would get an Istio sidecar without the mutual TLS, authorization and ports the library writes for a meshed app; set mesh: 'istio' on the app instead`);
  }
}
