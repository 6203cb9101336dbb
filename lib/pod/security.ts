import * as k8s from '../rendering/kube';

/**
 * The uid and gid containers run as. Above 10000 so they match no user of the host or of
 * common base images (kube-score's advice); images must not need a particular uid.
 */
export const DEFAULT_UID = 10001;
export const DEFAULT_GID = 10001;

export interface SecurityOptions {
  /** The uid the container runs as. @default 10001 */
  readonly runAsUser?: number;
  /** The gid the container runs as, and the group that owns mounted volumes. @default 10001 */
  readonly runAsGroup?: number;
}

/** Pod Security "restricted" at the pod level. */
export function podSecurityContext(o: SecurityOptions = {}): k8s.PodSecurityContext {
  const gid = o.runAsGroup ?? DEFAULT_GID;
  return {
    runAsNonRoot: true,
    runAsUser: o.runAsUser ?? DEFAULT_UID,
    runAsGroup: gid,
    fsGroup: gid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Pod Security "restricted" per container, plus a read-only root filesystem. */
export function containerSecurityContext(o: SecurityOptions = {}): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: o.runAsUser ?? DEFAULT_UID,
    runAsGroup: o.runAsGroup ?? DEFAULT_GID,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
