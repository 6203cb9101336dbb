// Message brokers' queues: RabbitMQ queue length, Kafka consumer-group lag, AWS SQS queue length.
import { show } from '../../errors';
import type { TriggerAuthenticationSpec } from '../../../imports/keda.sh';
import { kedaKinds } from '../../rendering/crds';
import { Check, TriggerDefinition } from './check';
import type { QueueTriggerOptions, SecretKeyRef } from './options';
import type { RenderedSecretTarget } from './rendered';

const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
// https://sqs.<region>.amazonaws.com[.cn]/<account>/<name>; names are 1-80 characters, '.fifo' included
const SQS_URL = /^https:\/\/sqs\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?\/\d{12}\/(?=[A-Za-z0-9_.-]{1,80}$)[A-Za-z0-9_-]+(?:\.fifo)?$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

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

/** RabbitMQ queue length (KEDA `rabbitmq`, mode `QueueLength`); the connection URL comes from a Secret. */
export function rabbitmq(options: RabbitMqTriggerOptions): TriggerDefinition {
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
  return { type: 'rabbitmq', name: o.name, check: c, metadata, authentication: { secretTargetRef: [{ parameter: 'host', ...host }] } };
}

/** Kafka consumer-group lag (KEDA `kafka`). */
export function kafka(options: KafkaTriggerOptions): TriggerDefinition {
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
  return { type: 'kafka', name: o.name, check: c, metadata, authentication: refs.length ? { secretTargetRef: refs } : undefined };
}

/** AWS SQS queue length, visible plus in-flight messages (KEDA `aws-sqs-queue`). */
export function sqs(options: SqsTriggerOptions): TriggerDefinition {
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
  return { type: 'aws-sqs-queue', name: o.name, check: c, metadata, authentication };
}
