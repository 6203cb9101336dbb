// What every workload kind (ObservedService, ScaledWorker, StatefulService, BatchJob) takes
// about its pod beyond the main container: who it runs as, what it may write, which volumes
// and files it sees, the containers beside it, and how it is scheduled and labelled.
import type { Probe } from './probes';
import type { PodField } from './env';
import type { ResourceOptions } from './resources';
import { propNames } from '../props/checks';

/** The uid and gid the pod's containers run as: the image's own non-root user. */
export interface UserOptions {
  /** A uid above 0 (`999` for the official postgres image). */
  readonly uid: number;
  /** The gid; it also owns mounted volumes (`fsGroup`). @default - the uid */
  readonly gid?: number;
}

/** An existing PersistentVolumeClaim mounted into the main container. */
export interface ClaimMountOptions {
  /** The claim's name in the app's namespace. */
  readonly claimName: string;
  /** An absolute path. */
  readonly mountPath: string;
  /** @default false */
  readonly readOnly?: boolean;
  /** A path inside the volume to mount instead of its root. @default - the root */
  readonly subPath?: string;
}

/**
 * A Secret mounted as read-only files (a `secret` volume, mode 0440, readable by the pod's
 * group): the alternative to `secretEnv` that CIS 5.4.1 recommends, since environment variables
 * leak into crash dumps, child processes and `kubectl describe`. The kubelet writes one file per
 * key and updates the files when the Secret changes (the app must read them again to notice).
 */
export interface SecretFilesOptions {
  readonly secretName: string;
  /** The directory the keys appear in, one file per key. */
  readonly mountPath: string;
  /**
   * Which keys become files, and under which names: a list of keys (each file named after its
   * key), or a map of key to file name (`{ 'jwtRS256.key.pub': 'publickey' }`; a file name may
   * be a relative path such as `'certs/ca.crt'`). This is the Secret volume's `items` (key and
   * `path`, https://kubernetes.io/docs/concepts/configuration/secret/#projection-of-secret-keys-to-specific-paths):
   * a key the Secret lacks keeps the pod from starting (unless `optional`), and keys not named
   * are not mounted. File names the kubelet refuses (absolute, a `..` segment, starting with
   * `..` such as `..data`, where it keeps its own symlinks) are refused here.
   * @default - every key of the Secret, each file named after its key
   */
  readonly keys?: string[] | Record<string, string>;
  /** Start the pod even when the Secret (or a key named in `keys`) is missing. @default false */
  readonly optional?: boolean;
}

/** A key of an existing ConfigMap as an environment variable. */
export interface ConfigMapEnvSource {
  readonly configMapName: string;
  readonly key: string;
  /** @default false */
  readonly optional?: boolean;
}

/**
 * A container beside the main one: an init container (runs to completion before it) or a
 * sidecar (runs beside it). It gets the same security context and the same volume mounts as
 * the main container, and its own requests and limits.
 */
export interface ExtraContainerOptions {
  /** A DNS label, unique in the pod. */
  readonly name: string;
  /** Pinned like the main image. */
  readonly image: string;
  /** @default - the image's ENTRYPOINT */
  readonly command?: string[];
  /** @default - the image's CMD */
  readonly args?: string[];
  /** Literal environment variables (never secrets). @default - none */
  readonly env?: Record<string, string>;
  /** Requests and limits. @default - as the main container's defaults */
  readonly resources?: ResourceOptions;
  /**
   * Which of the pod's mount paths it mounts (`'/tmp'`, a `secretFiles` path, the storage
   * path...): least privilege for a container that needs only some of them.
   * @default - every mount of the main container
   */
  readonly mountPaths?: string[];
  /** Ports it listens on (sidecars only), each `{ name, port }`. @default - none */
  readonly ports?: Array<{ readonly name: string; readonly port: number }>;
  /**
   * Probes of a sidecar, on its first port (init containers have none: they run to
   * completion). A sidecar with ports behind a Service needs a readiness probe.
   * @default - none
   */
  readonly probes?: { readonly readiness?: Probe; readonly liveness?: Probe };
}

/** The pod props every workload takes (on top of the image, command, env and resources). */
export interface PodProps {
  /**
   * The image's own non-root user: `runAsUser`/`runAsGroup` and `fsGroup`, so mounted volumes
   * are writable by it. Exclusive with `runAsUser`/`runAsGroup`. Pod Security "restricted"
   * still holds: runAsNonRoot, and uid 0 is refused.
   * @default { uid: 10001, gid: 10001 }
   */
  readonly user?: UserOptions;
  /**
   * Directories the app writes to besides `/tmp` (the root filesystem is read-only): each gets
   * an emptyDir, lost when the pod goes. Use `storage` (StatefulService) or `claims` for data
   * that must survive the pod.
   * @default - none
   */
  readonly writablePaths?: string[];
  /** Size limit of each writable path's emptyDir. @default '256Mi' */
  readonly writablePathSizeLimit?: string;
  /** Existing PersistentVolumeClaims to mount. @default - none */
  readonly claims?: ClaimMountOptions[];
  /** Secrets mounted as read-only files. @default - none */
  readonly secretFiles?: SecretFilesOptions[];
  /** Environment variables from keys of existing ConfigMaps. @default - none */
  readonly configMapEnv?: Record<string, ConfigMapEnvSource>;
  /**
   * Environment variables from the pod's own fields, the downward API
   * (https://kubernetes.io/docs/concepts/workloads/pods/downward-api/): `valueFrom.fieldRef`,
   * which the kubelet resolves when the container starts (the value does not change while it
   * runs). Each field is one the API server offers to env: `metadata.name`,
   * `metadata.namespace`, `metadata.uid`, `metadata.labels['<key>']`,
   * `metadata.annotations['<key>']`, `spec.nodeName`, `spec.serviceAccountName`,
   * `status.hostIP`, `status.hostIPs` (Kubernetes 1.29+), `status.podIP`, `status.podIPs`.
   * A name may have one source: not also in `env`, `secretEnv` or `configMapEnv`.
   * @default - none (the OpenTelemetry variables the library sets read the pod name, namespace, node and version this way)
   */
  readonly fieldEnv?: Record<string, PodField>;
  /**
   * Every key of existing ConfigMaps as an environment variable (`envFrom`), optionally with a
   * prefix. Keys that are no valid variable names are skipped by the kubelet; variables set
   * explicitly (`env`, `secretEnv`, `configMapEnv`, `connectTo`) win over them.
   * @default - none
   */
  readonly envFromConfigMaps?: Array<{ readonly configMapName: string; readonly prefix?: string; readonly optional?: boolean }>;
  /** Init containers, run in order before the main container starts. @default - none */
  readonly initContainers?: ExtraContainerOptions[];
  /** Containers that run beside the main one (not on a BatchJob: its pod would never end). @default - none */
  readonly sidecars?: ExtraContainerOptions[];
  /** Secrets of type `kubernetes.io/dockerconfigjson` for pulling private images. @default - none */
  readonly imagePullSecrets?: string[];
  /** A PriorityClass of the cluster. @default - the cluster's default priority */
  readonly priorityClassName?: string;
  /** Extra labels on the pods (not the selector: selectors never change). @default - none */
  readonly podLabels?: Record<string, string>;
  /** Extra annotations on the pods. @default - none */
  readonly podAnnotations?: Record<string, string>;
  /** Extra labels on the Services. @default - none */
  readonly serviceLabels?: Record<string, string>;
  /** Extra annotations on the Services (cloud load balancer settings). @default - none */
  readonly serviceAnnotations?: Record<string, string>;
}

/** The names of the PodProps keys: what the pod pieces check and render. */
export const POD_PROP_NAMES: ReadonlyArray<keyof PodProps> = [
  'user', 'writablePaths', 'writablePathSizeLimit', 'claims', 'secretFiles', 'configMapEnv', 'fieldEnv', 'envFromConfigMaps', 'initContainers', 'sidecars',
  'imagePullSecrets', 'priorityClassName', 'podLabels', 'podAnnotations', 'serviceLabels', 'serviceAnnotations',
];

/** The names of the pod's options, for checkKnownProps(). */
export const POD_PROPS = {
  user: propNames<UserOptions>({ uid: true, gid: true }),
  claim: propNames<ClaimMountOptions>({ claimName: true, mountPath: true, readOnly: true, subPath: true }),
  secretFiles: propNames<SecretFilesOptions>({ secretName: true, mountPath: true, keys: true, optional: true }),
  configMapEnv: propNames<ConfigMapEnvSource>({ configMapName: true, key: true, optional: true }),
  container: propNames<ExtraContainerOptions>({
    name: true, image: true, command: true, args: true, env: true, resources: true, mountPaths: true, ports: true, probes: true,
  }),
} as const;
