// Redis: a list's length, and a stream's consumer group (pending entries or lag).
import { show } from '../../errors';
import { Check, TriggerDefinition } from './check';
import type { QueueTriggerOptions, SecretKeyRef } from './options';

export interface RedisListTriggerOptions extends QueueTriggerOptions {
  /** `host:port` of the Redis server. */
  readonly address: string;
  /** The list the worker pops from. */
  readonly listName: string;
  /** List length one replica should handle. @default 5 */
  readonly lengthPerReplica?: number;
  /** Length that wakes the worker from zero: it scales up when the list is longer than this. @default 0 */
  readonly activationLength?: number;
  /** The Redis database. @default - KEDA's default, 0 */
  readonly databaseIndex?: number;
  /** The Secret key holding the Redis password. @default - no password */
  readonly password?: SecretKeyRef;
  /** Connect with TLS (KEDA `enableTLS`). @default false */
  readonly tls?: boolean;
}

export interface RedisStreamTriggerOptions extends QueueTriggerOptions {
  /** `host:port` of the Redis server. */
  readonly address: string;
  /** The stream's key. */
  readonly stream: string;
  /** The consumer group the worker reads the stream in. */
  readonly consumerGroup: string;
  /**
   * Pending entries (delivered to a consumer, not yet acknowledged) one replica should carry.
   * Pending entries exist only while a consumer runs, so this cannot wake a worker at zero
   * replicas: use `lagPerReplica` to scale to zero. Mutually exclusive with `lagPerReplica`.
   * @default 5 when `lagPerReplica` is not given
   */
  readonly pendingPerReplica?: number;
  /**
   * Consumer-group lag (entries not yet delivered to the group) one replica should carry: the
   * one redis-streams mode that scales from zero (Redis 7+). Mutually exclusive with `pendingPerReplica`.
   * @default - scale on pending entries
   */
  readonly lagPerReplica?: number;
  /** The count (pending or lag) that activates the worker: it scales up above this (KEDA `activationLagCount`). @default 0 */
  readonly activationPending?: number;
  /** The Secret key holding the Redis password. @default - no password */
  readonly password?: SecretKeyRef;
}

/** Redis list length (KEDA `redis`). */
export function redisList(options: RedisListTriggerOptions): TriggerDefinition {
  const c = new Check();
  const o = c.object('', options, "{ address: 'redis:6379', listName: 'emails' }");
  const metadata: Record<string, string> = {
    address: c.hostPort('address', o.address, "'redis.cache.svc:6379'"),
    listName: c.text('listName', o.listName, "the list the worker pops from, for example 'emails'"),
    listLength: c.positiveInt('lengthPerReplica', o.lengthPerReplica ?? 5, 'the list length one replica should handle, for example 5'),
    activationListLength: c.nonNegativeInt('activationLength', o.activationLength ?? 0, 'the length that wakes a worker from zero, usually 0'),
  };
  if (o.databaseIndex !== undefined) metadata.databaseIndex = c.nonNegativeInt('databaseIndex', o.databaseIndex, 'the Redis database number, for example 0');
  if (o.tls !== undefined && typeof o.tls !== 'boolean') c.fail('tls', `must be true or false, got ${show(o.tls)}`);
  if (o.tls === true) metadata.enableTLS = 'true';
  const password = o.password === undefined ? undefined : c.secretKey('password', o.password, 'the Secret key holding the Redis password');
  return { type: 'redis', name: o.name, check: c, metadata, authentication: password ? { secretTargetRef: [{ parameter: 'password', ...password }] } : undefined };
}

/** Redis stream consumer group: pending entries, or lag to scale from zero (KEDA `redis-streams`). */
export function redisStream(options: RedisStreamTriggerOptions): TriggerDefinition {
  const c = new Check();
  const o = c.object('', options, "{ address: 'redis:6379', stream: 'emails', consumerGroup: 'mailer' }");
  const metadata: Record<string, string> = {
    address: c.hostPort('address', o.address, "'redis.cache.svc:6379'"),
    stream: c.text('stream', o.stream, "the stream's key, for example 'emails'"),
    consumerGroup: c.text('consumerGroup', o.consumerGroup, "the worker's consumer group, for example 'mailer'"),
  };
  if (o.pendingPerReplica !== undefined && o.lagPerReplica !== undefined) {
    c.fail('lagPerReplica', "and 'queue.pendingPerReplica' are mutually exclusive: give 'lagPerReplica' to scale from zero on undelivered entries, or 'pendingPerReplica' to scale on unacknowledged ones");
  }
  const lagMode = o.lagPerReplica !== undefined;
  if (lagMode) {
    metadata.lagCount = c.positiveInt('lagPerReplica', o.lagPerReplica, 'the undelivered entries one replica should carry, for example 5');
  } else {
    metadata.pendingEntriesCount = c.positiveInt('pendingPerReplica', o.pendingPerReplica ?? 5, 'the unacknowledged entries one replica should carry, for example 5');
  }
  metadata.activationLagCount = c.nonNegativeInt('activationPending', o.activationPending ?? 0, 'the count that activates the worker, usually 0');
  const password = o.password === undefined ? undefined : c.secretKey('password', o.password, 'the Secret key holding the Redis password');
  return {
    type: 'redis-streams', name: o.name, check: c, metadata,
    authentication: password ? { secretTargetRef: [{ parameter: 'password', ...password }] } : undefined, scalesFromZero: lagMode,
  };
}
