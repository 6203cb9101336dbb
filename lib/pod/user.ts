import { IConstruct } from 'constructs';
import { MicroserviceConfigError, show } from '../errors';
import { SecurityOptions } from './security';
import type { UserOptions } from './pod-props';

// the largest id the kernel takes (uid_t is 32 bits, and -1 means "unset")
const MAX_ID = 2 ** 31 - 1;

function checkId(scope: IConstruct | string, prop: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_ID) {
    const fix = v === 0 ? ": 0 is root, which Pod Security \"restricted\" forbids: use the image's non-root user (for example 999 for postgres, 101 for nginx-unprivileged)" : '';
    throw new MicroserviceConfigError(scope, `'${prop}' must be a whole number from 1 to ${MAX_ID}, got ${show(v)}${fix}`);
  }
  return v;
}

/**
 * The uid and gid of the pod from `user` (or the older `runAsUser`/`runAsGroup`, exclusive with
 * it); undefined fields take the library's defaults in security.ts.
 */
export function resolveUser(scope: IConstruct | string, user: UserOptions | undefined, legacy: SecurityOptions): SecurityOptions {
  if (legacy.runAsUser !== undefined) checkId(scope, 'runAsUser', legacy.runAsUser);
  if (legacy.runAsGroup !== undefined) checkId(scope, 'runAsGroup', legacy.runAsGroup);
  if (user === undefined) return legacy;
  if (legacy.runAsUser !== undefined || legacy.runAsGroup !== undefined) {
    throw new MicroserviceConfigError(scope, "'user' and 'runAsUser'/'runAsGroup' are exclusive: keep 'user: { uid, gid }' and drop the others");
  }
  if (user === null || typeof user !== 'object') throw new MicroserviceConfigError(scope, `'user' must be { uid, gid }, got ${show(user)}`);
  const uid = checkId(scope, 'user.uid', user.uid);
  const gid = user.gid === undefined ? uid : checkId(scope, 'user.gid', user.gid);
  return { runAsUser: uid, runAsGroup: gid };
}
