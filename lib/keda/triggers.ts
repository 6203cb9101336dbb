// Typed builders for the KEDA triggers a queue worker scales on. Each factory checks its options
// and returns a QueueTrigger; `render()` turns it into the plain objects a ScaledObject (or
// ScaledJob) `spec.triggers` entry and a TriggerAuthentication `spec` hold. Metadata names and
// defaults follow the KEDA 2.20 scaler reference (keda.sh/docs/2.20/scalers/...).
//
// Why validation is deferred to `render()` / `validate()`: a trigger is built in user code as an
// argument (`queue: QueueTrigger.kafka({...})`), before the ScaledWorker that owns it exists, so
// a factory cannot know the construct path that every MicroserviceConfigError must name. The
// factories therefore never throw: they record what is wrong, and the owning construct calls
// `validate(this)` (or `render(authName, this)`) in its constructor, which throws a
// MicroserviceConfigError naming that construct, the prop (`queue.<field>`), the bad value and
// the fix. `problems` lists everything found, for tools that want all of it at once.
import { IConstruct } from 'constructs';
import { MicroserviceConfigError, show } from '../errors';
import { promqlError } from '../observability/promql';
import type { TriggerAuthenticationSpec } from '../../imports/keda.sh';
import { kedaKinds } from '../rendering/crds';

/** A key of an existing Secret in the worker's namespace. */
export interface SecretKeyRef {
  /** The Secret's name. */
  readonly secretName: string;
  /** The key in the Secret's data. */
  readonly key: string;
}

/** A ScaledObject/ScaledJob `spec.triggers` entry, as plain data (assignable to both imported types). */
export interface RenderedTrigger {
  readonly type: string;
  readonly name: string;
  /** KEDA reads every metadata value as a string. */
  readonly metadata: { readonly [key: string]: string };
  /** Present exactly when the trigger needs a TriggerAuthentication. */
  readonly authenticationRef?: { readonly name: string };
}

/** One `secretTargetRef` entry: KEDA reads auth parameter `parameter` from Secret `name`, key `key`. */
export interface RenderedSecretTarget {
  readonly parameter: string;
  readonly name: string;
  readonly key: string;
}

/** What `render()` returns. */
export interface RenderedQueueTrigger {
  readonly trigger: RenderedTrigger;
  /** The spec of the TriggerAuthentication named `authName`, when the trigger needs one. */
  readonly authentication?: TriggerAuthenticationSpec;
}

/** Options every trigger takes. */
export interface QueueTriggerOptions {
  /**
   * The trigger's name in the ScaledObject (metric names and `scalingModifiers` refer to it).
   * A lowercase RFC 1123 label; give each trigger of one worker its own.
   * @default - the trigger type (`rabbitmq`, `kafka`, `aws-sqs-queue`, ...)
   */
  readonly name?: string;
}

export interface RabbitMqTriggerOptions extends QueueTriggerOptions {
  /** The queue the worker consumes. */
  readonly queueName: string;
  /** Ready messages one replica should have waiting (KEDA `value`, mode `QueueLength`). @default 20 */
  readonly messagesPerReplica?: number;
  /** Messages that wake the worker from zero: it scales up when there are more than this. @default 0 */
  readonly activationMessages?: number;
  /**
   * The Secret key holding the connection URL (`amqp://user:password@host:5672/vhost`, or the
   * management API's `http://user:password@host:15672/` with protocol `http`). It carries
   * credentials, so it is read from a Secret and never written into the ScaledObject.
   */
  readonly host: SecretKeyRef;
  /** How KEDA reads the queue: AMQP, or the management HTTP API (which also counts unacked messages). @default 'amqp' */
  readonly protocol?: 'amqp' | 'http';
  /** The vhost, overriding the one in the URL. @default - the vhost of the URL */
  readonly vhost?: string;
}

export interface KafkaSaslOptions {
  /** The SASL mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512. */
  readonly mechanism: 'plaintext' | 'scram_sha256' | 'scram_sha512';
  /** The Secret holding the username and password. */
  readonly secretName: string;
  readonly usernameKey: string;
  readonly passwordKey: string;
}

export interface KafkaTlsOptions {
  /** The Secret holding the certificates (needed when any key below is given). */
  readonly secretName: string;
  /** The CA bundle that signed the brokers' certificates. @default - the system roots */
  readonly caKey?: string;
  /** The client certificate, for mutual TLS; give `keyKey` with it. @default - no client certificate */
  readonly certKey?: string;
  /** The client key, for mutual TLS; give `certKey` with it. @default - no client certificate */
  readonly keyKey?: string;
}

export interface KafkaTriggerOptions extends QueueTriggerOptions {
  /** The brokers to bootstrap from, `host:port` each (an array, or one comma-separated string). */
  readonly bootstrapServers: readonly string[] | string;
  /** The consumer group the worker commits offsets in. */
  readonly consumerGroup: string;
  /** The topic whose lag counts. */
  readonly topic: string;
  /**
   * Total lag (unconsumed messages) one replica should carry. Replicas never exceed the
   * topic's partition count (KEDA's default, idle consumers would get no partition).
   * @default 100
   */
  readonly lagPerReplica?: number;
  /** Lag that wakes the worker from zero: it scales up when the lag is above this. @default 0 */
  readonly activationLag?: number;
  /** Where a consumer group without committed offsets starts; must match the worker's own setting. @default 'latest' */
  readonly offsetResetPolicy?: 'latest' | 'earliest';
  /** SASL authentication. @default - none */
  readonly sasl?: KafkaSaslOptions;
  /** TLS to the brokers: `true` for public CAs, or certificates from a Secret. @default - no TLS */
  readonly tls?: true | KafkaTlsOptions;
}

/** AWS credentials from the pod identity (IRSA / EKS Pod Identity). */
export interface SqsPodIdentityAuth {
  readonly podIdentity: 'aws';
  /** A role KEDA assumes; mutually exclusive with `identityOwner`. @default - see `identityOwner` */
  readonly roleArn?: string;
  /** Whose identity KEDA uses: its operator's, or the worker's ServiceAccount's; mutually exclusive with `roleArn`. @default - KEDA's default, 'keda' */
  readonly identityOwner?: 'keda' | 'workload';
}

/** AWS access keys from a Secret. */
export interface SqsSecretAuth {
  readonly secretName: string;
  readonly accessKeyIdKey: string;
  readonly secretAccessKeyKey: string;
}

export interface SqsTriggerOptions extends QueueTriggerOptions {
  /** `https://sqs.<region>.amazonaws.com/<account>/<queue>` */
  readonly queueUrl: string;
  /** The queue's region; must be the one in `queueUrl`. */
  readonly region: string;
  /** Messages (visible + in flight) one replica should handle. @default 5 */
  readonly messagesPerReplica?: number;
  /** Messages that wake the worker from zero: it scales up when there are more than this. @default 0 */
  readonly activationMessages?: number;
  /** How KEDA authenticates to AWS. */
  readonly auth: SqsPodIdentityAuth | SqsSecretAuth;
}

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

export interface PrometheusTriggerOptions extends QueueTriggerOptions {
  /** The Prometheus HTTP API base URL, `http(s)://host[:port]`. */
  readonly serverAddress: string;
  /** A PromQL query returning one value (wrap it in `sum(...)`): the work waiting. */
  readonly query: string;
  /** The query value one replica should handle (replicas = value / threshold). */
  readonly threshold: number;
  /** The value that wakes the worker from zero: it scales up above this. @default 0 */
  readonly activationThreshold?: number;
}

export interface CronTriggerOptions extends QueueTriggerOptions {
  /** An IANA time zone, such as 'Europe/Berlin' or 'UTC'. */
  readonly timezone: string;
  /** When the window opens: a 5-field cron expression (minute hour day-of-month month day-of-week). */
  readonly start: string;
  /** When the window closes: a 5-field cron expression. */
  readonly end: string;
  /** Replicas to run inside the window. */
  readonly desiredReplicas: number;
}

/**
 * A KEDA trigger a worker scales on. Build one with a static factory
 * (`QueueTrigger.rabbitmq({...})`, `.kafka`, `.sqs`, `.redisList`, `.redisStream`,
 * `.prometheus`, `.cron`); its owner validates it and renders it into the ScaledObject.
 *
 * Every trigger offered here is event driven: it measures work waiting outside the pods, so
 * it can wake a worker from zero replicas. KEDA's `cpu` and `memory` triggers are deliberately
 * not offered: they measure pods that exist, so they cannot scale from zero, and on a worker
 * they duplicate the HPA the ScaledObject already manages.
 */
export abstract class QueueTrigger {
  /** RabbitMQ queue length (KEDA `rabbitmq`, mode `QueueLength`); the connection URL comes from a Secret. */
  public static rabbitmq(options: RabbitMqTriggerOptions): QueueTrigger {
    const c = new Check();
    const o = c.object('', options, "{ queueName: 'emails', host: { secretName: 'rabbitmq', key: 'url' } }");
    const protocol = o.protocol ?? 'amqp';
    c.oneOf('protocol', protocol, ['amqp', 'http']);
    const metadata: Record<string, string> = {
      queueName: c.text('queueName', o.queueName, "the queue the worker consumes, for example 'emails'"),
      mode: 'QueueLength',
      value: c.positiveInt('messagesPerReplica', o.messagesPerReplica ?? 20, 'the ready messages one replica should have waiting, for example 20'),
      activationValue: c.nonNegativeInt('activationMessages', o.activationMessages ?? 0, 'the messages that must wait before a worker wakes from zero, usually 0'),
      protocol,
    };
    if (o.vhost !== undefined) metadata.vhostName = c.text('vhost', o.vhost, "the vhost name, for example '/' or 'orders'");
    const host = c.secretKey('host', o.host, 'the Secret key holding the amqp:// URL');
    return new BuiltTrigger('rabbitmq', o.name, c, metadata, { secretTargetRef: [{ parameter: 'host', ...host }] });
  }

  /** Kafka consumer-group lag (KEDA `kafka`). */
  public static kafka(options: KafkaTriggerOptions): QueueTrigger {
    const c = new Check();
    const o = c.object('', options, "{ bootstrapServers: ['kafka:9092'], consumerGroup: 'mailer', topic: 'emails' }");
    const servers = typeof o.bootstrapServers === 'string' ? o.bootstrapServers.split(',').map(s => s.trim())
      : Array.isArray(o.bootstrapServers) ? o.bootstrapServers : undefined;
    if (servers === undefined || servers.length === 0 || servers.every(s => s === '')) {
      c.fail('bootstrapServers', `must list at least one broker, got ${show(o.bootstrapServers)}: give 'host:port' addresses, for example ['kafka-0.kafka:9092', 'kafka-1.kafka:9092']`);
    } else {
      servers.forEach(s => c.hostPort('bootstrapServers', s, "'kafka-0.kafka.messaging.svc:9092'"));
    }
    const offsetResetPolicy = o.offsetResetPolicy ?? 'latest';
    c.oneOf('offsetResetPolicy', offsetResetPolicy, ['latest', 'earliest']);
    const metadata: Record<string, string> = {
      bootstrapServers: (servers ?? []).join(','),
      consumerGroup: c.text('consumerGroup', o.consumerGroup, "the worker's consumer group, for example 'mailer'"),
      topic: c.text('topic', o.topic, "the topic the worker consumes, for example 'emails'"),
      lagThreshold: c.positiveInt('lagPerReplica', o.lagPerReplica ?? 100, 'the lag one replica should carry, for example 100'),
      activationLagThreshold: c.nonNegativeInt('activationLag', o.activationLag ?? 0, 'the lag that wakes a worker from zero, usually 0'),
      offsetResetPolicy,
    };
    const refs: RenderedSecretTarget[] = [];
    if (o.sasl !== undefined) {
      const sasl = c.object('sasl', o.sasl, "{ mechanism: 'scram_sha512', secretName: 'kafka-user', usernameKey: 'username', passwordKey: 'password' }");
      c.oneOf('sasl.mechanism', sasl.mechanism, ['plaintext', 'scram_sha256', 'scram_sha512']);
      // the mechanism and TLS switch are not secret: they go in the trigger metadata, which
      // KEDA prefers over the TriggerAuthentication, so no Secret has to hold them
      metadata.sasl = String(sasl.mechanism);
      const name = c.secretName('sasl.secretName', sasl.secretName);
      refs.push({ parameter: 'username', name, key: c.key('sasl.usernameKey', sasl.usernameKey) });
      refs.push({ parameter: 'password', name, key: c.key('sasl.passwordKey', sasl.passwordKey) });
    }
    if (o.tls !== undefined) {
      metadata.tls = 'enable';
      if (o.tls !== true) {
        const tls = c.object('tls', o.tls, "true, or { secretName: 'kafka-tls', caKey: 'ca.crt' }");
        const name = c.secretName('tls.secretName', tls.secretName);
        if ((tls.certKey === undefined) !== (tls.keyKey === undefined)) {
          c.fail(tls.certKey === undefined ? 'tls.certKey' : 'tls.keyKey', 'is missing: a client certificate needs both \'tls.certKey\' and \'tls.keyKey\' (or neither, for server-only TLS)');
        }
        if (tls.caKey === undefined && tls.certKey === undefined && tls.keyKey === undefined) {
          c.fail('tls', `names Secret ${show(tls.secretName)} but no key in it: give 'caKey' and/or 'certKey' with 'keyKey', or use 'tls: true' for brokers with public certificates`);
        }
        if (tls.caKey !== undefined) refs.push({ parameter: 'ca', name, key: c.key('tls.caKey', tls.caKey) });
        if (tls.certKey !== undefined) refs.push({ parameter: 'cert', name, key: c.key('tls.certKey', tls.certKey) });
        if (tls.keyKey !== undefined) refs.push({ parameter: 'key', name, key: c.key('tls.keyKey', tls.keyKey) });
      }
    }
    return new BuiltTrigger('kafka', o.name, c, metadata, refs.length ? { secretTargetRef: refs } : undefined);
  }

  /** AWS SQS queue length, visible plus in-flight messages (KEDA `aws-sqs-queue`). */
  public static sqs(options: SqsTriggerOptions): QueueTrigger {
    const c = new Check();
    const o = c.object('', options, "{ queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/emails', region: 'eu-west-1', auth: { podIdentity: 'aws' } }");
    const region = c.text('region', o.region, "the queue's AWS region, for example 'eu-west-1'");
    if (region && !AWS_REGION.test(region)) c.fail('region', `${show(region)} is not an AWS region: use a region code such as 'eu-west-1' or 'us-east-1'`);
    const queueUrl = c.text('queueUrl', o.queueUrl, "the queue's URL, for example 'https://sqs.eu-west-1.amazonaws.com/123456789012/emails'");
    if (queueUrl) {
      const m = SQS_URL.exec(queueUrl);
      if (!m) {
        c.fail('queueUrl', `${show(queueUrl)} is not an SQS queue URL: use https://sqs.<region>.amazonaws.com/<12-digit account>/<queue name>, as the SQS console shows it`);
      } else if (region && AWS_REGION.test(region) && m[1] !== region) {
        c.fail('region', `${show(region)} does not match the region of 'queue.queueUrl' (${show(m[1])}): use '${m[1]}', or fix the URL`);
      }
    }
    const metadata = {
      queueURL: queueUrl,
      queueLength: c.positiveInt('messagesPerReplica', o.messagesPerReplica ?? 5, 'the messages one replica should handle, for example 5'),
      activationQueueLength: c.nonNegativeInt('activationMessages', o.activationMessages ?? 0, 'the messages that wake a worker from zero, usually 0'),
      awsRegion: region,
    };
    const auth = c.object('auth', o.auth, "{ podIdentity: 'aws' } or { secretName: 'aws', accessKeyIdKey: 'id', secretAccessKeyKey: 'secret' }");
    let authentication: TriggerAuthenticationSpec;
    if ('podIdentity' in auth) {
      const a = auth as SqsPodIdentityAuth;
      c.oneOf('auth.podIdentity', a.podIdentity, ['aws']);
      if (a.roleArn !== undefined && a.identityOwner !== undefined) {
        c.fail('auth.roleArn', "and 'queue.auth.identityOwner' are mutually exclusive in KEDA: give one of them");
      }
      if (a.roleArn !== undefined && !ROLE_ARN.test(String(a.roleArn))) {
        c.fail('auth.roleArn', `${show(a.roleArn)} is not an IAM role ARN: use arn:aws:iam::<12-digit account>:role/<name>`);
      }
      if (a.identityOwner !== undefined) c.oneOf('auth.identityOwner', a.identityOwner, ['keda', 'workload']);
      authentication = {
        podIdentity: {
          provider: kedaKinds().bindings.TriggerAuthenticationSpecPodIdentityProvider.AWS,
          ...(a.roleArn !== undefined ? { roleArn: a.roleArn } : {}),
          ...(a.identityOwner !== undefined ? { identityOwner: a.identityOwner === 'workload' ? kedaKinds().bindings.TriggerAuthenticationSpecPodIdentityIdentityOwner.WORKLOAD : kedaKinds().bindings.TriggerAuthenticationSpecPodIdentityIdentityOwner.KEDA } : {}),
        },
      };
    } else {
      const a = auth as SqsSecretAuth;
      const name = c.secretName('auth.secretName', a.secretName);
      authentication = {
        secretTargetRef: [
          { parameter: 'awsAccessKeyID', name, key: c.key('auth.accessKeyIdKey', a.accessKeyIdKey) },
          { parameter: 'awsSecretAccessKey', name, key: c.key('auth.secretAccessKeyKey', a.secretAccessKeyKey) },
        ],
      };
    }
    return new BuiltTrigger('aws-sqs-queue', o.name, c, metadata, authentication);
  }

  /** Redis list length (KEDA `redis`). */
  public static redisList(options: RedisListTriggerOptions): QueueTrigger {
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
    return new BuiltTrigger('redis', o.name, c, metadata, password ? { secretTargetRef: [{ parameter: 'password', ...password }] } : undefined);
  }

  /** Redis stream consumer group: pending entries, or lag to scale from zero (KEDA `redis-streams`). */
  public static redisStream(options: RedisStreamTriggerOptions): QueueTrigger {
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
    return new BuiltTrigger('redis-streams', o.name, c, metadata, password ? { secretTargetRef: [{ parameter: 'password', ...password }] } : undefined, lagMode);
  }

  /** A Prometheus query's value (KEDA `prometheus`); the query must parse as PromQL. */
  public static prometheus(options: PrometheusTriggerOptions): QueueTrigger {
    const c = new Check();
    const o = c.object('', options, "{ serverAddress: 'http://prometheus.monitoring:9090', query: 'sum(queue_depth)', threshold: 10 }");
    const serverAddress = c.text('serverAddress', o.serverAddress, "the Prometheus URL, for example 'http://prometheus-operated.monitoring.svc:9090'");
    if (serverAddress) {
      let url: URL | undefined;
      try {
        url = new URL(serverAddress);
      } catch {
        url = undefined;
      }
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
        c.fail('serverAddress', `${show(serverAddress)} is not an http(s) URL: use the Prometheus base URL, for example 'http://prometheus-operated.monitoring.svc:9090'`);
      } else if (url.username || url.password) {
        c.fail('serverAddress', `${show(serverAddress)} holds credentials, which would be stored in plain text in the ScaledObject: use a Prometheus reachable without them, for example inside the cluster`);
      }
    }
    const query = c.text('query', o.query, "a PromQL query returning one value, for example 'sum(rabbitmq_queue_messages_ready)'");
    if (query) {
      const problem = promqlError(query);
      if (problem) c.fail('query', `${show(query)} is not valid PromQL: ${problem}`);
    }
    return new BuiltTrigger('prometheus', o.name, c, {
      serverAddress,
      query,
      threshold: c.positiveNumber('threshold', o.threshold, 'the query value one replica should handle, for example 10'),
      activationThreshold: c.nonNegativeNumber('activationThreshold', o.activationThreshold ?? 0, 'the value that wakes a worker from zero, usually 0'),
    });
  }

  /** A schedule (KEDA `cron`): `desiredReplicas` between `start` and `end`, in `timezone`. */
  public static cron(options: CronTriggerOptions): QueueTrigger {
    const c = new Check();
    const o = c.object('', options, "{ timezone: 'Europe/Berlin', start: '0 8 * * 1-5', end: '0 18 * * 1-5', desiredReplicas: 2 }");
    const timezone = c.text('timezone', o.timezone, "an IANA time zone, for example 'Europe/Berlin' or 'UTC'");
    if (timezone) c.timezone('timezone', timezone);
    const start = c.text('start', o.start, "a 5-field cron expression, for example '0 8 * * 1-5'");
    const end = c.text('end', o.end, "a 5-field cron expression, for example '0 18 * * 1-5'");
    if (start) c.cron('start', start);
    if (end) c.cron('end', end);
    if (start && end && start.trim().split(/\s+/).join(' ') === end.trim().split(/\s+/).join(' ')) {
      c.fail('end', `${show(end)} is the same as 'queue.start': KEDA rejects a window that opens and closes at once; give the time the window closes`);
    }
    return new BuiltTrigger('cron', o.name, c, {
      timezone,
      start,
      end,
      desiredReplicas: c.positiveInt('desiredReplicas', o.desiredReplicas, 'the replicas to run inside the window, for example 2'),
    });
  }

  /** The KEDA trigger type (`rabbitmq`, `kafka`, `aws-sqs-queue`, `redis`, `redis-streams`, `prometheus`, `cron`). */
  public readonly type: string;
  /** The trigger's name in the ScaledObject: the `name` option, or the type. */
  public readonly name: string;
  /**
   * Always true: the trigger measures work outside the pods, so it can drive scaling to and
   * from zero. (CPU and memory triggers, which cannot, are not offered.)
   */
  public readonly eventDriven = true as const;
  /**
   * Whether the trigger can wake a worker that runs no replica. False only for a Redis stream
   * scaled on pending entries, which exist only while a consumer runs: its owner should refuse
   * `minReplicas: 0` with it.
   */
  public readonly scalesFromZero: boolean;
  /** Everything wrong with the options, each `'queue.<field>' ...: fix`; empty when valid. */
  public readonly problems: readonly string[];

  protected constructor(type: string, name: string | undefined, problems: readonly string[], scalesFromZero: boolean) {
    this.type = type;
    this.name = name ?? type;
    this.problems = problems;
    this.scalesFromZero = scalesFromZero;
  }

  /**
   * Throws a MicroserviceConfigError naming `scope` (the owning construct, or its path) for the
   * first problem of the options; does nothing when they are valid.
   */
  public validate(scope: IConstruct | string): void {
    if (this.problems.length > 0) throw new MicroserviceConfigError(scope, this.problems[0]);
  }

  /**
   * The ScaledObject/ScaledJob trigger entry and, when the trigger needs credentials, the
   * TriggerAuthentication spec; the entry then refers to it as `authName`. Validates first.
   * @param authName the name of the TriggerAuthentication the owner creates from `authentication`
   * @param scope the owning construct (or its path), named by a configuration error
   */
  public render(authName: string, scope: IConstruct | string): RenderedQueueTrigger {
    this.validate(scope);
    return this.build(authName);
  }

  /** The rendered objects of valid options. */
  protected abstract build(authName: string): RenderedQueueTrigger;
}

// ---------------------------------------------------------------------------------------------

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// what the API server accepts as a Secret data key (validation.IsConfigMapKey)
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*):(?<port>[0-9]{1,5})$/;
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
// https://sqs.<region>.amazonaws.com[.cn]/<account>/<name>; names are 1-80 characters, '.fifo' included
const SQS_URL = /^https:\/\/sqs\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?\/\d{12}\/(?=[A-Za-z0-9_.-]{1,80}$)[A-Za-z0-9_-]+(?:\.fifo)?$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/** The fields of a cron expression: name, range, and the names allowed in it. */
const CRON_FIELDS: ReadonlyArray<{ name: string; min: number; max: number; names?: readonly string[] }> = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

/** Collects the problems of one trigger's options; every check returns the value to render. */
class Check {
  readonly problems: string[] = [];

  fail(field: string, message: string): void {
    this.problems.push(`'queue${field ? `.${field}` : ''}' ${message}`);
  }

  /** The options object itself (or a nested one); an empty object stands in for a missing one. */
  object<T extends object>(field: string, v: T | undefined, example: string): T {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v;
    this.fail(field, `must be an object, got ${show(v)}: for example ${example}`);
    return {} as T;
  }

  text(field: string, v: unknown, fix: string): string {
    if (typeof v === 'string' && v.trim() !== '') return v;
    this.fail(field, `must be a non-empty string, got ${show(v)}: give ${fix}`);
    return '';
  }

  oneOf(field: string, v: unknown, allowed: readonly string[]): void {
    if (typeof v === 'string' && allowed.includes(v)) return;
    this.fail(field, `must be one of ${allowed.map(a => `'${a}'`).join(', ')}, got ${show(v)}`);
  }

  positiveInt(field: string, v: unknown, fix: string): string {
    if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) return String(v);
    this.fail(field, `must be a positive integer, got ${show(v)}: give ${fix}`);
    return '';
  }

  nonNegativeInt(field: string, v: unknown, fix: string): string {
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
    this.fail(field, `must be an integer of 0 or more, got ${show(v)}: give ${fix}`);
    return '';
  }

  positiveNumber(field: string, v: unknown, fix: string): string {
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) return String(v);
    this.fail(field, `must be a number above 0, got ${show(v)}: give ${fix}`);
    return '';
  }

  nonNegativeNumber(field: string, v: unknown, fix: string): string {
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return String(v);
    this.fail(field, `must be a number of 0 or more, got ${show(v)}: give ${fix}`);
    return '';
  }

  hostPort(field: string, v: unknown, example: string): string {
    if (typeof v === 'string') {
      const m = HOST_PORT.exec(v);
      const port = Number(m?.groups?.port);
      if (port >= 1 && port <= 65535) return v;
    }
    this.fail(field, `must be host:port, got ${show(v)}: give a host name or IP and a port 1-65535, for example ${example}`);
    return typeof v === 'string' ? v : '';
  }

  secretName(field: string, v: unknown): string {
    if (typeof v === 'string' && DNS1123_SUBDOMAIN.test(v) && v.length <= 253) return v;
    this.fail(field, `must name a Secret, got ${show(v)}: use the name of an existing Secret in the worker's namespace (lowercase letters, digits, '-' and '.')`);
    return typeof v === 'string' ? v : '';
  }

  key(field: string, v: unknown): string {
    if (typeof v === 'string' && SECRET_KEY.test(v) && v.length <= 253) return v;
    this.fail(field, `must be a key of the Secret, got ${show(v)}: use letters, digits, '-', '_' and '.' (for example 'password')`);
    return typeof v === 'string' ? v : '';
  }

  secretKey(field: string, v: SecretKeyRef | undefined, what: string): { name: string; key: string } {
    const ref = this.object(field, v, `{ secretName: 'rabbitmq', key: 'url' } (${what})`);
    return { name: this.secretName(`${field}.secretName`, ref.secretName), key: this.key(`${field}.key`, ref.key) };
  }

  timezone(field: string, v: string): void {
    let canonical: string | undefined;
    try {
      canonical = new Intl.DateTimeFormat('en-US', { timeZone: v }).resolvedOptions().timeZone;
    } catch {
      canonical = undefined;
    }
    if (canonical === undefined || v.includes(' ')) {
      this.fail(field, `${show(v)} is not an IANA time zone: use a name such as 'Europe/Berlin', 'America/New_York' or 'UTC'`);
    } else if (canonical !== v && canonical.toLowerCase() === v.toLowerCase()) {
      // Intl ignores case; KEDA (Go's time.LoadLocation) reads zoneinfo files, which do not
      this.fail(field, `${show(v)} is not spelt as the IANA name: use '${canonical}'`);
    }
  }

  cron(field: string, v: string): void {
    const fields = v.trim().split(/\s+/);
    if (fields.length !== 5) {
      this.fail(field, `${show(v)} must have 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}: for example '0 8 * * 1-5'`);
      return;
    }
    fields.forEach((f, i) => {
      const spec = CRON_FIELDS[i];
      if (!f.split(',').every(part => cronPartOk(part, spec))) {
        this.fail(field, `${show(v)} has an invalid ${spec.name} field ${show(f)}: use *, a value ${spec.min}-${spec.max}${spec.names ? ` or a name (${spec.names[0]}...)` : ''}, a range a-b, a list a,b or a step */n`);
      }
    });
  }
}

function cronPartOk(part: string, spec: (typeof CRON_FIELDS)[number]): boolean {
  const m = /^(\*|\?|([0-9]+|[A-Za-z]{3})(?:-([0-9]+|[A-Za-z]{3}))?)(?:\/([0-9]+))?$/.exec(part);
  if (!m) return false;
  if (m[1] === '?' && spec.name !== 'day of month' && spec.name !== 'day of week') return false;
  const value = (s: string | undefined): number | undefined => {
    if (s === undefined) return undefined;
    if (/^[0-9]+$/.test(s)) return Number(s);
    const i = spec.names?.indexOf(s.toUpperCase()) ?? -1;
    return i < 0 ? NaN : i + (spec.name === 'month' ? 1 : 0);
  };
  const from = value(m[2]);
  const to = value(m[3]);
  const inRange = (n: number | undefined) => n === undefined || (n >= spec.min && n <= spec.max);
  if (!inRange(from) || !inRange(to)) return false;
  if (from !== undefined && to !== undefined && to < from) return false;
  if (m[4] !== undefined && Number(m[4]) < 1) return false;
  return true;
}

/** A trigger whose metadata and auth were computed (and checked) by a factory. */
class BuiltTrigger extends QueueTrigger {
  constructor(
    type: string,
    name: string | undefined,
    check: Check,
    private readonly metadata: Record<string, string>,
    private readonly authentication?: TriggerAuthenticationSpec,
    scalesFromZero = true,
  ) {
    if (name !== undefined && (typeof name !== 'string' || !DNS1123_LABEL.test(name) || name.length > 63)) {
      check.fail('name', `must be a lowercase RFC 1123 label, got ${show(name)}: use at most 63 lowercase letters, digits and '-' (for example 'emails')`);
    }
    super(type, name, check.problems, scalesFromZero);
  }

  protected build(authName: string): RenderedQueueTrigger {
    const trigger: RenderedTrigger = {
      type: this.type,
      name: this.name,
      metadata: { ...this.metadata },
      ...(this.authentication ? { authenticationRef: { name: authName } } : {}),
    };
    if (!this.authentication) return { trigger };
    return {
      trigger,
      authentication: {
        ...(this.authentication.secretTargetRef ? { secretTargetRef: this.authentication.secretTargetRef.map(r => ({ ...r })) } : {}),
        ...(this.authentication.podIdentity ? { podIdentity: { ...this.authentication.podIdentity } } : {}),
      },
    };
  }
}
