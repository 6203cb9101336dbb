import { posix } from 'node:path';
import * as k8s from '../rendering/kube';
import { IConstruct } from 'constructs';
import { MicroserviceConfigError, show } from '../errors';
import { parseQuantity } from './resources';
import { checkDataKey, dataKeyProblem } from '../props/checks';
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
      if (c.subPath !== undefined) checkSubPath(this.scope, `${prop}.subPath`, c.subPath);
      const name = `claim-${i + 1}`;
      this.add(`${prop}.mountPath`, { name, persistentVolumeClaim: { claimName: c.claimName, readOnly: c.readOnly } },
        { mountPath: c.mountPath, readOnly: c.readOnly, subPath: c.subPath });
    });
  }

  /** `secretFiles`: Secrets as read-only files, all keys or the ones `keys` names (under their own or given file names). */
  public addSecretFiles(secrets: SecretFilesOptions[] | undefined): void {
    if (secrets !== undefined && !Array.isArray(secrets)) {
      throw new MicroserviceConfigError(this.scope, `'secretFiles' must be a list of { secretName, mountPath, keys? }, got ${show(secrets)}`);
    }
    (secrets ?? []).forEach((s, i) => {
      const prop = `secretFiles[${i}]`;
      checkRefName(this.scope, `${prop}.secretName`, s?.secretName);
      const name = `secret-${i + 1}`;
      this.add(`${prop}.mountPath`, {
        name,
        secret: {
          secretName: s.secretName,
          defaultMode: SECRET_FILE_MODE,
          optional: s.optional,
          items: secretItems(this.scope, `${prop}.keys`, s.keys),
        },
      }, { mountPath: s.mountPath, readOnly: true });
    });
  }
}

/**
 * A key of a Secret's or ConfigMap's data, as the API server checks it (IsConfigMapKey): at
 * most 253 letters, digits, '-', '_' and '.', and neither '.', '..' nor starting with '..'.
 */
export function isDataKey(key: unknown): key is string {
  return dataKeyProblem(key) === undefined;
}


/**
 * A file name inside a volume, as the API server (ValidateLocalNonReservedPath) and the
 * kubelet's atomic writer check a Secret volume item's `path`: relative, no '..' segment, not
 * starting with '..' (the writer keeps `..data` and timestamped `..` directories there), at
 * most 4096 characters and 255 per segment; and, stricter, no empty or '.' segment.
 */
function checkFileName(scope: IConstruct | string, prop: string, file: unknown): string {
  const fail = (why: string) => new MicroserviceConfigError(scope, `'${prop}' must be a file name relative to the mount path${why}, got ${show(file)}: for example 'publickey' or 'certs/ca.crt'`);
  if (typeof file !== 'string' || file === '') throw fail('');
  if (file.startsWith('/')) throw fail(' (not absolute)');
  const segments = file.split('/');
  if (segments.includes('..')) throw fail(" without '..' segments");
  if (segments[0].startsWith('..')) throw fail(" not starting with '..' (the kubelet's own entries, such as ..data, start so)");
  if (segments.some(x => x === '' || x === '.')) throw fail(" without empty or '.' segments");
  if (file.length > 4096 || segments.some(x => x.length > 255)) throw fail(' (at most 4096 characters, 255 per segment)');
  return file;
}

/** A Secret volume's `items`: undefined for every key; a list of keys; a map of key to file name. */
function secretItems(scope: IConstruct | string, prop: string, keys: unknown): Array<{ key: string; path: string }> | undefined {
  if (keys === undefined) return undefined;
  let pairs: Array<[string, string]>;
  if (Array.isArray(keys)) {
    if (keys.length === 0) throw new MicroserviceConfigError(scope, `'${prop}' must name at least one key, got []: drop it to mount every key`);
    pairs = keys.map((k, j) => [checkDataKey(scope, `${prop}[${j}]`, k, 'tls.crt'), k]);
  } else if (keys !== null && typeof keys === 'object') {
    pairs = Object.entries(keys).map(([k, file]) => [checkDataKey(scope, `${prop}['${k}']`, k, 'tls.crt'), checkFileName(scope, `${prop}['${k}']`, file)]);
    if (pairs.length === 0) throw new MicroserviceConfigError(scope, `'${prop}' must map at least one key to a file name, got {}: drop it to mount every key`);
  } else {
    throw new MicroserviceConfigError(scope, `'${prop}' must be a list of keys or a map of key to file name, got ${show(keys)}: for example ['tls.crt'] or { 'jwtRS256.key.pub': 'publickey' }`);
  }
  // two files on one name, or a file where another's directory must be, fail in the kubelet
  const files = new Map<string, string>();
  for (const [key, file] of pairs) {
    const other = files.get(file);
    if (other !== undefined) throw new MicroserviceConfigError(scope, `'${prop}' writes ${show(file)} twice (keys ${show(other)} and ${show(key)}): give each key its own file name`);
    for (const [f, k] of files) {
      if (f.startsWith(`${file}/`) || file.startsWith(`${f}/`)) {
        throw new MicroserviceConfigError(scope, `'${prop}' makes ${show(f.length < file.length ? f : file)} both a file and a directory (keys ${show(k)} and ${show(key)}): rename one`);
      }
    }
    files.set(file, key);
  }
  return pairs.map(([key, path]) => ({ key, path }));
}

/** A path inside a volume to mount instead of its root (`subPath`): relative, without '..' segments. */
export function checkSubPath(scope: IConstruct | string, prop: string, v: unknown): string {
  if (typeof v !== 'string' || v === '' || v.startsWith('/') || v.split('/').includes('..')) {
    throw new MicroserviceConfigError(scope, `'${prop}' must be a relative path inside the volume without '..', got ${show(v)}: for example 'postgres'`);
  }
  return v;
}
