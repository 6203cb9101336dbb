import { posix } from 'node:path';
import * as k8s from '../rendering/kube';
import { IConstruct } from 'constructs';
import { MicroserviceConfigError, show } from '../errors';
import { parseQuantity } from './resources';
import { checkDataKey } from '../props/checks';
import type { ClaimMountOptions, SecretFilesOptions } from './pod-props';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// owner and group may read: the pod's fsGroup owns the files, so a non-root uid reads them
const SECRET_FILE_MODE = 0o440;
const DEFAULT_WRITABLE_SIZE = '256Mi';

/** Checks the name of an object the pod refers to (Secret, ConfigMap, claim): a DNS-1123 subdomain. */
export function checkRefName(scope: IConstruct | string, prop: string, v: unknown): string {
  if (typeof v !== 'string' || !DNS1123_SUBDOMAIN.test(v) || v.length > 253) {
    throw new MicroserviceConfigError(scope, `'${prop}' must name an object of the namespace (lowercase letters, digits, '-' and '.'), got ${show(v)}`);
  }
  return v;
}

/** Checks a size such as '20Gi': a Kubernetes quantity above zero. */
export function checkSize(scope: IConstruct | string, prop: string, v: unknown): string {
  const value = typeof v === 'string' ? parseQuantity(v) : undefined;
  if (value === undefined) {
    throw new MicroserviceConfigError(scope, `'${prop}' must be a Kubernetes quantity of bytes such as '20Gi' or '500Mi', got ${show(v)}`);
  }
  if (value <= 0) throw new MicroserviceConfigError(scope, `'${prop}' must be a size above zero (a volume of zero bytes holds nothing; the API server refuses a claim of zero), got ${show(v)}: for example '20Gi' or '500Mi'`);
  return v as string;
}

/**
 * The volumes of a pod and the mounts of its containers, with the paths checked: absolute,
 * not '/', and each mounted once (two volumes on one path hide each other).
 */
export class PodVolumes {
  public readonly volumes: k8s.Volume[] = [];
  public readonly mounts: k8s.VolumeMount[] = [];
  private readonly paths = new Map<string, string>();

  constructor(private readonly scope: IConstruct | string) {}

  /** Adds a volume (undefined: one the pod gets elsewhere, a volumeClaimTemplate) and its mount. */
  public add(prop: string, volume: k8s.Volume | { name: string }, mount: Omit<k8s.VolumeMount, 'name'>, owner = `'${prop}'`): void {
    const path = this.checkPath(prop, mount.mountPath, owner);
    if ('emptyDir' in volume || 'configMap' in volume || 'secret' in volume || 'persistentVolumeClaim' in volume) this.volumes.push(volume as k8s.Volume);
    this.mounts.push({ name: volume.name, ...mount, mountPath: path });
  }

  private checkPath(prop: string, p: unknown, owner: string): string {
    const path = typeof p === 'string' ? posix.normalize(p).replace(/(.)\/+$/, '$1') : '';
    if (!path.startsWith('/') || path === '/') {
      throw new MicroserviceConfigError(this.scope, `'${prop}' must be an absolute path other than '/', got ${show(p)}: for example '/var/lib/app'`);
    }
    const other = this.paths.get(path);
    if (other !== undefined) {
      throw new MicroserviceConfigError(this.scope, `'${prop}' mounts ${show(path)}, which ${other} already mounts: give each volume its own path`);
    }
    this.paths.set(path, owner);
    return path;
  }

  /** `writablePaths`: an emptyDir each. */
  public addWritablePaths(paths: unknown, sizeLimit: unknown): void {
    if (paths === undefined) return;
    if (!Array.isArray(paths)) throw new MicroserviceConfigError(this.scope, `'writablePaths' must be a list of absolute paths, got ${show(paths)}`);
    const size = sizeLimit === undefined ? DEFAULT_WRITABLE_SIZE : checkSize(this.scope, 'writablePathSizeLimit', sizeLimit);
    paths.forEach((p, i) => {
      const name = `writable-${i + 1}`;
      this.add('writablePaths', { name, emptyDir: { sizeLimit: size } }, { mountPath: p });
    });
  }

  /** `claims`: existing PersistentVolumeClaims. */
  public addClaims(claims: ClaimMountOptions[] | undefined): void {
    (claims ?? []).forEach((c, i) => {
      const prop = `claims[${i}]`;
      checkRefName(this.scope, `${prop}.claimName`, c?.claimName);
      if (c.subPath !== undefined && (typeof c.subPath !== 'string' || c.subPath.startsWith('/') || c.subPath.split('/').includes('..'))) {
        throw new MicroserviceConfigError(this.scope, `'${prop}.subPath' must be a relative path inside the volume without '..', got ${show(c.subPath)}`);
      }
      const name = `claim-${i + 1}`;
      this.add(`${prop}.mountPath`, { name, persistentVolumeClaim: { claimName: c.claimName, readOnly: c.readOnly } },
        { mountPath: c.mountPath, readOnly: c.readOnly, subPath: c.subPath });
    });
  }

  /** `secretFiles`: Secrets as read-only files. */
  public addSecretFiles(secrets: SecretFilesOptions[] | undefined): void {
    (secrets ?? []).forEach((s, i) => {
      const prop = `secretFiles[${i}]`;
      checkRefName(this.scope, `${prop}.secretName`, s?.secretName);
      if (s.keys !== undefined && (!Array.isArray(s.keys) || s.keys.length === 0 || s.keys.some(k => typeof k !== 'string' || !/^[-._a-zA-Z0-9]+$/.test(k)))) {
        throw new MicroserviceConfigError(this.scope, `'${prop}.keys' must be a non-empty list of Secret keys (letters, digits, '-', '_', '.'), got ${show(s.keys)}`);
      }
      // each key is also its file name: '..data' is neither (the kubelet's own link)
      s.keys?.forEach((key, j) => checkDataKey(this.scope, `${prop}.keys[${j}]`, key, 'tls.crt'));
      const name = `secret-${i + 1}`;
      this.add(`${prop}.mountPath`, {
        name,
        secret: {
          secretName: s.secretName,
          defaultMode: SECRET_FILE_MODE,
          optional: s.optional,
          items: s.keys?.map(key => ({ key, path: key })),
        },
      }, { mountPath: s.mountPath, readOnly: true });
    });
  }
}
