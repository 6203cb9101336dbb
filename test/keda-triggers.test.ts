import { Chart, Testing } from 'cdk8s';
import { ScaledJobSpecTriggers, ScaledObject, ScaledObjectSpecTriggers, TriggerAuthentication, TriggerAuthenticationSpec } from '../imports/keda.sh';
import { MicroserviceConfigError } from '../lib/errors';
import { QueueTrigger, RenderedQueueTrigger } from '../lib/keda/triggers';
import { validateManifests } from '../lib/tools/validate';
import { SCHEMA_RULES } from '../lib/tools/validate/schema';

const SCOPE = 'shop/mailer';
const AUTH = 'mailer-queue';
const render = (t: QueueTrigger): RenderedQueueTrigger => t.render(AUTH, SCOPE);

/** A regex matching exactly `message`. */
const exactly = (message: string): RegExp => new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`);

const SQS_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/emails';

describe('QueueTrigger.rabbitmq', () => {
  test('renders queue length scaling with the AMQP URL from a Secret', () => {
    const t = QueueTrigger.rabbitmq({ queueName: 'emails', messagesPerReplica: 50, activationMessages: 3, host: { secretName: 'rabbitmq', key: 'url' }, protocol: 'http', vhost: 'orders' });
    expect(render(t)).toEqual({
      trigger: {
        type: 'rabbitmq',
        name: 'rabbitmq',
        metadata: { queueName: 'emails', mode: 'QueueLength', value: '50', activationValue: '3', protocol: 'http', vhostName: 'orders' },
        authenticationRef: { name: AUTH },
      },
      authentication: { secretTargetRef: [{ parameter: 'host', name: 'rabbitmq', key: 'url' }] },
    });
  });

  test('defaults to 20 messages per replica, activation at 0 and AMQP, without a vhost', () => {
    const t = QueueTrigger.rabbitmq({ queueName: 'emails', host: { secretName: 'rabbitmq', key: 'url' } });
    expect(render(t).trigger.metadata).toEqual({ queueName: 'emails', mode: 'QueueLength', value: '20', activationValue: '0', protocol: 'amqp' });
  });
});

describe('QueueTrigger.kafka', () => {
  test('renders lag scaling with SASL and mutual TLS from Secrets', () => {
    const t = QueueTrigger.kafka({
      bootstrapServers: ['kafka-0.kafka:9092', 'kafka-1.kafka:9092'],
      consumerGroup: 'mailer',
      topic: 'emails',
      lagPerReplica: 500,
      activationLag: 10,
      offsetResetPolicy: 'earliest',
      sasl: { mechanism: 'scram_sha512', secretName: 'kafka-user', usernameKey: 'user', passwordKey: 'pass' },
      tls: { secretName: 'kafka-tls', caKey: 'ca.crt', certKey: 'tls.crt', keyKey: 'tls.key' },
    });
    expect(render(t)).toEqual({
      trigger: {
        type: 'kafka',
        name: 'kafka',
        metadata: {
          bootstrapServers: 'kafka-0.kafka:9092,kafka-1.kafka:9092',
          consumerGroup: 'mailer',
          topic: 'emails',
          lagThreshold: '500',
          activationLagThreshold: '10',
          offsetResetPolicy: 'earliest',
          sasl: 'scram_sha512',
          tls: 'enable',
        },
        authenticationRef: { name: AUTH },
      },
      authentication: {
        secretTargetRef: [
          { parameter: 'username', name: 'kafka-user', key: 'user' },
          { parameter: 'password', name: 'kafka-user', key: 'pass' },
          { parameter: 'ca', name: 'kafka-tls', key: 'ca.crt' },
          { parameter: 'cert', name: 'kafka-tls', key: 'tls.crt' },
          { parameter: 'key', name: 'kafka-tls', key: 'tls.key' },
        ],
      },
    });
  });

  test('defaults to lag 100 per replica, activation 0, latest, and no authentication', () => {
    const t = QueueTrigger.kafka({ bootstrapServers: 'kafka-0:9092, kafka-1:9092', consumerGroup: 'mailer', topic: 'emails' });
    expect(render(t)).toEqual({
      trigger: {
        type: 'kafka',
        name: 'kafka',
        metadata: { bootstrapServers: 'kafka-0:9092,kafka-1:9092', consumerGroup: 'mailer', topic: 'emails', lagThreshold: '100', activationLagThreshold: '0', offsetResetPolicy: 'latest' },
      },
    });
  });

  test('tls: true enables TLS with the system roots and needs no TriggerAuthentication', () => {
    const r = render(QueueTrigger.kafka({ bootstrapServers: ['kafka:9093'], consumerGroup: 'mailer', topic: 'emails', tls: true }));
    expect(r.trigger.metadata.tls).toBe('enable');
    expect(r.trigger.authenticationRef).toBeUndefined();
    expect(r.authentication).toBeUndefined();
  });
});

describe('QueueTrigger.sqs', () => {
  test('renders queue length scaling with the AWS pod identity', () => {
    const t = QueueTrigger.sqs({ queueUrl: SQS_URL, region: 'eu-west-1', messagesPerReplica: 10, activationMessages: 1, auth: { podIdentity: 'aws', identityOwner: 'workload' } });
    expect(render(t)).toEqual({
      trigger: {
        type: 'aws-sqs-queue',
        name: 'aws-sqs-queue',
        metadata: { queueURL: SQS_URL, queueLength: '10', activationQueueLength: '1', awsRegion: 'eu-west-1' },
        authenticationRef: { name: AUTH },
      },
      authentication: { podIdentity: { provider: 'aws', identityOwner: 'workload' } },
    });
  });

  test('defaults to 5 messages per replica and reads access keys from a Secret', () => {
    const t = QueueTrigger.sqs({ queueUrl: SQS_URL, region: 'eu-west-1', auth: { secretName: 'aws-creds', accessKeyIdKey: 'id', secretAccessKeyKey: 'secret' } });
    expect(render(t)).toEqual({
      trigger: {
        type: 'aws-sqs-queue',
        name: 'aws-sqs-queue',
        metadata: { queueURL: SQS_URL, queueLength: '5', activationQueueLength: '0', awsRegion: 'eu-west-1' },
        authenticationRef: { name: AUTH },
      },
      authentication: {
        secretTargetRef: [
          { parameter: 'awsAccessKeyID', name: 'aws-creds', key: 'id' },
          { parameter: 'awsSecretAccessKey', name: 'aws-creds', key: 'secret' },
        ],
      },
    });
  });

  test('passes a role ARN to the pod identity, and accepts FIFO queues', () => {
    const fifo = 'https://sqs.us-east-1.amazonaws.com/123456789012/orders.fifo';
    const r = render(QueueTrigger.sqs({ queueUrl: fifo, region: 'us-east-1', auth: { podIdentity: 'aws', roleArn: 'arn:aws:iam::123456789012:role/mailer' } }));
    expect(r.authentication).toEqual({ podIdentity: { provider: 'aws', roleArn: 'arn:aws:iam::123456789012:role/mailer' } });
    expect(r.trigger.metadata.queueURL).toBe(fifo);
  });
});

describe('QueueTrigger.redisList', () => {
  test('renders list length scaling with a password, TLS and a database', () => {
    const t = QueueTrigger.redisList({ address: 'redis.cache.svc:6379', listName: 'emails', lengthPerReplica: 8, activationLength: 2, databaseIndex: 3, password: { secretName: 'redis', key: 'password' }, tls: true, name: 'backlog' });
    expect(render(t)).toEqual({
      trigger: {
        type: 'redis',
        name: 'backlog',
        metadata: { address: 'redis.cache.svc:6379', listName: 'emails', listLength: '8', activationListLength: '2', databaseIndex: '3', enableTLS: 'true' },
        authenticationRef: { name: AUTH },
      },
      authentication: { secretTargetRef: [{ parameter: 'password', name: 'redis', key: 'password' }] },
    });
  });

  test('defaults to length 5 per replica, activation 0, no TLS and no authentication', () => {
    expect(render(QueueTrigger.redisList({ address: '10.0.0.7:6379', listName: 'emails' }))).toEqual({
      trigger: { type: 'redis', name: 'redis', metadata: { address: '10.0.0.7:6379', listName: 'emails', listLength: '5', activationListLength: '0' } },
    });
  });
});

describe('QueueTrigger.redisStream', () => {
  test('renders pending-entries scaling with a password, and cannot wake a worker at zero', () => {
    const t = QueueTrigger.redisStream({ address: 'redis:6379', stream: 'emails', consumerGroup: 'mailer', pendingPerReplica: 20, activationPending: 4, password: { secretName: 'redis', key: 'pw' } });
    expect(render(t)).toEqual({
      trigger: {
        type: 'redis-streams',
        name: 'redis-streams',
        metadata: { address: 'redis:6379', stream: 'emails', consumerGroup: 'mailer', pendingEntriesCount: '20', activationLagCount: '4' },
        authenticationRef: { name: AUTH },
      },
      authentication: { secretTargetRef: [{ parameter: 'password', name: 'redis', key: 'pw' }] },
    });
    expect(t.scalesFromZero).toBe(false);
  });

  test('defaults to 5 pending entries per replica and activation 0', () => {
    expect(render(QueueTrigger.redisStream({ address: 'redis:6379', stream: 'emails', consumerGroup: 'mailer' }))).toEqual({
      trigger: { type: 'redis-streams', name: 'redis-streams', metadata: { address: 'redis:6379', stream: 'emails', consumerGroup: 'mailer', pendingEntriesCount: '5', activationLagCount: '0' } },
    });
  });

  test('lagPerReplica scales on consumer-group lag, which wakes a worker at zero', () => {
    const t = QueueTrigger.redisStream({ address: 'redis:6379', stream: 'emails', consumerGroup: 'mailer', lagPerReplica: 10 });
    expect(render(t).trigger.metadata).toEqual({ address: 'redis:6379', stream: 'emails', consumerGroup: 'mailer', lagCount: '10', activationLagCount: '0' });
    expect(t.scalesFromZero).toBe(true);
  });
});

describe('QueueTrigger.prometheus', () => {
  test('renders a query with its thresholds as strings', () => {
    const t = QueueTrigger.prometheus({ serverAddress: 'http://prometheus-operated.monitoring.svc:9090', query: 'sum(rabbitmq_queue_messages_ready{queue="emails"})', threshold: 12.5, activationThreshold: 1 });
    expect(render(t)).toEqual({
      trigger: {
        type: 'prometheus',
        name: 'prometheus',
        metadata: { serverAddress: 'http://prometheus-operated.monitoring.svc:9090', query: 'sum(rabbitmq_queue_messages_ready{queue="emails"})', threshold: '12.5', activationThreshold: '1' },
      },
    });
  });

  test('defaults the activation threshold to 0', () => {
    const t = QueueTrigger.prometheus({ serverAddress: 'https://prom.example.com', query: 'sum(jobs_waiting)', threshold: 10 });
    expect(render(t).trigger.metadata.activationThreshold).toBe('0');
  });
});

describe('QueueTrigger.cron', () => {
  test('renders a schedule window', () => {
    const t = QueueTrigger.cron({ timezone: 'Europe/Berlin', start: '0 8 * * 1-5', end: '30 18 * * MON-FRI', desiredReplicas: 3 });
    expect(render(t)).toEqual({
      trigger: { type: 'cron', name: 'cron', metadata: { timezone: 'Europe/Berlin', start: '0 8 * * 1-5', end: '30 18 * * MON-FRI', desiredReplicas: '3' } },
    });
  });
});

describe('every trigger', () => {
  const all = (): QueueTrigger[] => [
    QueueTrigger.rabbitmq({ queueName: 'emails', host: { secretName: 'rabbitmq', key: 'url' } }),
    QueueTrigger.kafka({ bootstrapServers: ['kafka:9092'], consumerGroup: 'mailer', topic: 'emails' }),
    QueueTrigger.sqs({ queueUrl: SQS_URL, region: 'eu-west-1', auth: { podIdentity: 'aws' } }),
    QueueTrigger.redisList({ address: 'redis:6379', listName: 'emails' }),
    QueueTrigger.redisStream({ address: 'redis:6379', stream: 'emails', consumerGroup: 'mailer', lagPerReplica: 5 }),
    QueueTrigger.prometheus({ serverAddress: 'http://prometheus:9090', query: 'sum(jobs)', threshold: 5 }),
    QueueTrigger.cron({ timezone: 'UTC', start: '0 8 * * *', end: '0 18 * * *', desiredReplicas: 1 }),
  ];

  test('is event driven, has no problems, and takes its name from the type unless given one', () => {
    for (const t of all()) {
      expect(t.eventDriven).toBe(true);
      expect(t.problems).toEqual([]);
      expect(t.name).toBe(t.type);
      expect(() => t.validate(SCOPE)).not.toThrow();
      expect(render(t).trigger.name).toBe(t.type);
    }
    expect(QueueTrigger.cron({ timezone: 'UTC', start: '0 8 * * *', end: '0 18 * * *', desiredReplicas: 1, name: 'office-hours' }).name).toBe('office-hours');
  });

  test('renders objects the imported KEDA types accept', () => {
    // compile-time: a rendered trigger fits a ScaledObject and a ScaledJob, its auth a TriggerAuthentication
    const r = render(all()[0]);
    const so: ScaledObjectSpecTriggers = r.trigger;
    const sj: ScaledJobSpecTriggers = r.trigger;
    const auth: TriggerAuthenticationSpec | undefined = r.authentication;
    expect([so.type, sj.type, auth?.secretTargetRef?.length]).toEqual(['rabbitmq', 'rabbitmq', 1]);
  });

  test('pass the strict KEDA 2.20 CRD schema as a ScaledObject and TriggerAuthentication', () => {
    // GIVEN every trigger, with and without authentication, in one chart
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop', disableResourceNameHashes: true });
    const triggers = [
      ...all(),
      QueueTrigger.kafka({
        bootstrapServers: ['kafka:9092'], consumerGroup: 'mailer', topic: 'emails', name: 'kafka-secure',
        sasl: { mechanism: 'plaintext', secretName: 'kafka-user', usernameKey: 'u', passwordKey: 'p' },
        tls: { secretName: 'kafka-tls', caKey: 'ca.crt' },
      }),
      QueueTrigger.sqs({ queueUrl: SQS_URL, region: 'eu-west-1', name: 'sqs-keys', auth: { secretName: 'aws', accessKeyIdKey: 'id', secretAccessKeyKey: 'key' } }),
      QueueTrigger.redisList({ address: 'redis:6379', listName: 'emails', name: 'redis-secure', password: { secretName: 'redis', key: 'pw' }, tls: true, databaseIndex: 1 }),
    ];
    triggers.forEach((t, i) => {
      const { trigger, authentication } = t.render(`auth-${i}`, SCOPE);
      new ScaledObject(chart, `so-${i}`, { metadata: { name: `mailer-${i}` }, spec: { scaleTargetRef: { name: 'mailer' }, minReplicaCount: 0, triggers: [trigger] } });
      if (authentication) new TriggerAuthentication(chart, `auth-${i}`, { metadata: { name: `auth-${i}` }, spec: authentication });
    });
    // WHEN the synthesized objects are validated
    const objects = chart.toJson();
    const findings = validateManifests(objects).findings.filter(f => schemaRule(f.rule));
    // THEN the imported classes dropped nothing (they serialize only the fields they know)
    triggers.forEach((t, i) => {
      const { trigger, authentication } = t.render(`auth-${i}`, SCOPE);
      expect(objects.find(o => o.kind === 'ScaledObject' && o.metadata.name === `mailer-${i}`).spec.triggers).toEqual([trigger]);
      expect(objects.find(o => o.kind === 'TriggerAuthentication' && o.metadata.name === `auth-${i}`)?.spec).toEqual(authentication);
    });
    // AND every ScaledObject and TriggerAuthentication was checked, and none breaks the schema
    expect(objects.filter(o => o.kind === 'ScaledObject')).toHaveLength(triggers.length);
    expect(objects.filter(o => o.kind === 'TriggerAuthentication')).toHaveLength(5);
    expect(findings).toEqual([]);
  });

  test('the schema check used above does catch a trigger KEDA would reject', () => {
    // GIVEN a trigger whose metadata value is a number, not a string
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop', disableResourceNameHashes: true });
    new ScaledObject(chart, 'so', { metadata: { name: 'mailer' }, spec: { scaleTargetRef: { name: 'mailer' }, triggers: [{ type: 'redis', metadata: { listLength: 5 } as any }] } });
    // THEN the same filter reports it
    expect(validateManifests(chart.toJson()).findings.filter(f => schemaRule(f.rule)).map(f => f.rule)).toEqual(['schema-invalid-value']);
  });
});

const SCHEMA_RULE_IDS = new Set(Object.values(SCHEMA_RULES).map(r => r.id));
const schemaRule = (id: string) => SCHEMA_RULE_IDS.has(id);

describe('validation', () => {
  const rabbit = { queueName: 'emails', host: { secretName: 'rabbitmq', key: 'url' } };
  const kafka = { bootstrapServers: ['kafka:9092'], consumerGroup: 'mailer', topic: 'emails' };
  const sqs = { queueUrl: SQS_URL, region: 'eu-west-1', auth: { podIdentity: 'aws' as const } };
  const stream = { address: 'redis:6379', stream: 'emails', consumerGroup: 'mailer' };
  const prom = { serverAddress: 'http://prometheus:9090', query: 'sum(jobs)', threshold: 5 };
  const cron = { timezone: 'Europe/Berlin', start: '0 8 * * 1-5', end: '0 18 * * 1-5', desiredReplicas: 2 };

  const cases: Array<[string, () => QueueTrigger, string]> = [
    ['a missing queue name', () => QueueTrigger.rabbitmq({ ...rabbit, queueName: '' }),
      "'queue.queueName' must be a non-empty string, got '': give the queue the worker consumes, for example 'emails'"],
    ['zero messages per replica', () => QueueTrigger.rabbitmq({ ...rabbit, messagesPerReplica: 0 }),
      "'queue.messagesPerReplica' must be a positive integer, got 0: give the ready messages one replica should have waiting, for example 20"],
    ['a fractional activation', () => QueueTrigger.rabbitmq({ ...rabbit, activationMessages: 1.5 }),
      "'queue.activationMessages' must be an integer of 0 or more, got 1.5: give the messages that must wait before a worker wakes from zero, usually 0"],
    ['an unknown protocol', () => QueueTrigger.rabbitmq({ ...rabbit, protocol: 'amqps' as any }),
      "'queue.protocol' must be one of 'amqp', 'http', got 'amqps'"],
    ['a missing host secret', () => QueueTrigger.rabbitmq({ queueName: 'emails' } as any),
      "'queue.host' must be an object, got undefined: for example { secretName: 'rabbitmq', key: 'url' } (the Secret key holding the amqp:// URL)"],
    ['an invalid Secret name', () => QueueTrigger.rabbitmq({ ...rabbit, host: { secretName: 'RabbitMQ', key: 'url' } }),
      "'queue.host.secretName' must name a Secret, got 'RabbitMQ': use the name of an existing Secret in the worker's namespace (lowercase letters, digits, '-' and '.')"],
    ['an invalid Secret key', () => QueueTrigger.rabbitmq({ ...rabbit, host: { secretName: 'rabbitmq', key: 'amqp url' } }),
      "'queue.host.key' must be a key of the Secret, got 'amqp url': use letters, digits, '-', '_' and '.' (for example 'password')"],
    ['an invalid trigger name', () => QueueTrigger.rabbitmq({ ...rabbit, name: 'Emails' }),
      "'queue.name' must be a lowercase RFC 1123 label, got 'Emails': use at most 63 lowercase letters, digits and '-' (for example 'emails')"],
    ['no bootstrap server', () => QueueTrigger.kafka({ ...kafka, bootstrapServers: [] }),
      "'queue.bootstrapServers' must list at least one broker, got []: give 'host:port' addresses, for example ['kafka-0.kafka:9092', 'kafka-1.kafka:9092']"],
    ['a bootstrap server without a port', () => QueueTrigger.kafka({ ...kafka, bootstrapServers: 'kafka:9092,kafka-1' }),
      "'queue.bootstrapServers' must be host:port, got 'kafka-1': give a host name or IP and a port 1-65535, for example 'kafka-0.kafka.messaging.svc:9092'"],
    ['a bootstrap server port out of range', () => QueueTrigger.kafka({ ...kafka, bootstrapServers: ['kafka:99999'] }),
      "'queue.bootstrapServers' must be host:port, got 'kafka:99999': give a host name or IP and a port 1-65535, for example 'kafka-0.kafka.messaging.svc:9092'"],
    ['a missing consumer group', () => QueueTrigger.kafka({ ...kafka, consumerGroup: '  ' }),
      "'queue.consumerGroup' must be a non-empty string, got '  ': give the worker's consumer group, for example 'mailer'"],
    ['a missing topic', () => QueueTrigger.kafka({ ...kafka, topic: undefined } as any),
      "'queue.topic' must be a non-empty string, got undefined: give the topic the worker consumes, for example 'emails'"],
    ['a negative lag per replica', () => QueueTrigger.kafka({ ...kafka, lagPerReplica: -5 }),
      "'queue.lagPerReplica' must be a positive integer, got -5: give the lag one replica should carry, for example 100"],
    ['an unknown offset reset policy', () => QueueTrigger.kafka({ ...kafka, offsetResetPolicy: 'oldest' as any }),
      "'queue.offsetResetPolicy' must be one of 'latest', 'earliest', got 'oldest'"],
    ['an unknown SASL mechanism', () => QueueTrigger.kafka({ ...kafka, sasl: { mechanism: 'gssapi' as any, secretName: 'k', usernameKey: 'u', passwordKey: 'p' } }),
      "'queue.sasl.mechanism' must be one of 'plaintext', 'scram_sha256', 'scram_sha512', got 'gssapi'"],
    ['a client certificate without its key', () => QueueTrigger.kafka({ ...kafka, tls: { secretName: 'kafka-tls', certKey: 'tls.crt' } }),
      "'queue.tls.keyKey' is missing: a client certificate needs both 'tls.certKey' and 'tls.keyKey' (or neither, for server-only TLS)"],
    ['a TLS Secret without keys', () => QueueTrigger.kafka({ ...kafka, tls: { secretName: 'kafka-tls' } }),
      "'queue.tls' names Secret 'kafka-tls' but no key in it: give 'caKey' and/or 'certKey' with 'keyKey', or use 'tls: true' for brokers with public certificates"],
    ['a queue URL that is not SQS', () => QueueTrigger.sqs({ ...sqs, queueUrl: 'https://example.com/emails' }),
      "'queue.queueUrl' 'https://example.com/emails' is not an SQS queue URL: use https://sqs.<region>.amazonaws.com/<12-digit account>/<queue name>, as the SQS console shows it"],
    ['a plain http SQS URL', () => QueueTrigger.sqs({ ...sqs, queueUrl: 'http://sqs.eu-west-1.amazonaws.com/123456789012/emails' }),
      "'queue.queueUrl' 'http://sqs.eu-west-1.amazonaws.com/123456789012/emails' is not an SQS queue URL: use https://sqs.<region>.amazonaws.com/<12-digit account>/<queue name>, as the SQS console shows it"],
    ['a region not matching the URL', () => QueueTrigger.sqs({ ...sqs, region: 'us-east-1' }),
      "'queue.region' 'us-east-1' does not match the region of 'queue.queueUrl' ('eu-west-1'): use 'eu-west-1', or fix the URL"],
    ['a malformed region', () => QueueTrigger.sqs({ ...sqs, region: 'Ireland' }),
      "'queue.region' 'Ireland' is not an AWS region: use a region code such as 'eu-west-1' or 'us-east-1'"],
    ['a role ARN with an identity owner', () => QueueTrigger.sqs({ ...sqs, auth: { podIdentity: 'aws', roleArn: 'arn:aws:iam::123456789012:role/x', identityOwner: 'workload' } }),
      "'queue.auth.roleArn' and 'queue.auth.identityOwner' are mutually exclusive in KEDA: give one of them"],
    ['a malformed role ARN', () => QueueTrigger.sqs({ ...sqs, auth: { podIdentity: 'aws', roleArn: 'mailer-role' } }),
      "'queue.auth.roleArn' 'mailer-role' is not an IAM role ARN: use arn:aws:iam::<12-digit account>:role/<name>"],
    ['an access-key Secret without the secret key', () => QueueTrigger.sqs({ ...sqs, auth: { secretName: 'aws', accessKeyIdKey: 'id' } as any }),
      "'queue.auth.secretAccessKeyKey' must be a key of the Secret, got undefined: use letters, digits, '-', '_' and '.' (for example 'password')"],
    ['a Redis address with a scheme', () => QueueTrigger.redisList({ address: 'redis://redis:6379', listName: 'emails' }),
      "'queue.address' must be host:port, got 'redis://redis:6379': give a host name or IP and a port 1-65535, for example 'redis.cache.svc:6379'"],
    ['a missing list name', () => QueueTrigger.redisList({ address: 'redis:6379', listName: '' }),
      "'queue.listName' must be a non-empty string, got '': give the list the worker pops from, for example 'emails'"],
    ['a negative database index', () => QueueTrigger.redisList({ address: 'redis:6379', listName: 'emails', databaseIndex: -1 }),
      "'queue.databaseIndex' must be an integer of 0 or more, got -1: give the Redis database number, for example 0"],
    ['a missing stream', () => QueueTrigger.redisStream({ ...stream, stream: '' }),
      "'queue.stream' must be a non-empty string, got '': give the stream's key, for example 'emails'"],
    ['pending and lag targets together', () => QueueTrigger.redisStream({ ...stream, pendingPerReplica: 5, lagPerReplica: 5 }),
      "'queue.lagPerReplica' and 'queue.pendingPerReplica' are mutually exclusive: give 'lagPerReplica' to scale from zero on undelivered entries, or 'pendingPerReplica' to scale on unacknowledged ones"],
    ['a Prometheus address without a scheme', () => QueueTrigger.prometheus({ ...prom, serverAddress: 'prometheus:9090' }),
      "'queue.serverAddress' 'prometheus:9090' is not an http(s) URL: use the Prometheus base URL, for example 'http://prometheus-operated.monitoring.svc:9090'"],
    ['a Prometheus address with credentials', () => QueueTrigger.prometheus({ ...prom, serverAddress: 'https://admin:hunter2@prom.example.com' }),
      "'queue.serverAddress' 'https://admin:hunter2@prom.example.com' holds credentials, which would be stored in plain text in the ScaledObject: use a Prometheus reachable without them, for example inside the cluster"],
    ['a query that is not PromQL', () => QueueTrigger.prometheus({ ...prom, query: 'sum(jobs' }),
      "'queue.query' 'sum(jobs' is not valid PromQL: it does not parse at character 9: sum(jobs>>>"],
    ['a zero threshold', () => QueueTrigger.prometheus({ ...prom, threshold: 0 }),
      "'queue.threshold' must be a number above 0, got 0: give the query value one replica should handle, for example 10"],
    ['a threshold given as a string', () => QueueTrigger.prometheus({ ...prom, threshold: '10' as any }),
      "'queue.threshold' must be a number above 0, got '10': give the query value one replica should handle, for example 10"],
    ['a cron expression with 6 fields', () => QueueTrigger.cron({ ...cron, start: '0 0 8 * * 1-5' }),
      "'queue.start' '0 0 8 * * 1-5' must have 5 fields (minute hour day-of-month month day-of-week), got 6: for example '0 8 * * 1-5'"],
    ['an hour out of range', () => QueueTrigger.cron({ ...cron, end: '0 24 * * 1-5' }),
      "'queue.end' '0 24 * * 1-5' has an invalid hour field '24': use *, a value 0-23, a range a-b, a list a,b or a step */n"],
    ['an unknown day name', () => QueueTrigger.cron({ ...cron, end: '0 18 * * MON-FRX' }),
      "'queue.end' '0 18 * * MON-FRX' has an invalid day of week field 'MON-FRX': use *, a value 0-7 or a name (SUN...), a range a-b, a list a,b or a step */n"],
    ['the same start and end', () => QueueTrigger.cron({ ...cron, end: '0  8 * * 1-5' }),
      "'queue.end' '0  8 * * 1-5' is the same as 'queue.start': KEDA rejects a window that opens and closes at once; give the time the window closes"],
    ['an empty time zone', () => QueueTrigger.cron({ ...cron, timezone: '' }),
      "'queue.timezone' must be a non-empty string, got '': give an IANA time zone, for example 'Europe/Berlin' or 'UTC'"],
    ['an unknown time zone', () => QueueTrigger.cron({ ...cron, timezone: 'Europe/Atlantis' }),
      "'queue.timezone' 'Europe/Atlantis' is not an IANA time zone: use a name such as 'Europe/Berlin', 'America/New_York' or 'UTC'"],
    ['a time zone in the wrong case', () => QueueTrigger.cron({ ...cron, timezone: 'europe/berlin' }),
      "'queue.timezone' 'europe/berlin' is not spelt as the IANA name: use 'Europe/Berlin'"],
    ['zero desired replicas', () => QueueTrigger.cron({ ...cron, desiredReplicas: 0 }),
      "'queue.desiredReplicas' must be a positive integer, got 0: give the replicas to run inside the window, for example 2"],
  ];

  test.each(cases)('fails on %s, naming the construct, the prop, the value and the fix', (_what, build, message) => {
    // GIVEN options the factory accepts without throwing (it has no construct path yet)
    const t = build();
    expect(t.problems[0]).toBe(message);
    // THEN validate() and render() throw the same MicroserviceConfigError with the owner's path
    expect(() => t.validate(SCOPE)).toThrow(MicroserviceConfigError);
    expect(() => t.validate(SCOPE)).toThrow(exactly(`[${SCOPE}] ${message}`));
    expect(() => t.render(AUTH, SCOPE)).toThrow(exactly(`[${SCOPE}] ${message}`));
  });

  test('names the construct path when given the construct itself', () => {
    const chart = Testing.chart();
    const t = QueueTrigger.rabbitmq({ ...rabbit, queueName: '' });
    expect(() => t.validate(chart)).toThrow(`[${chart.node.path}] 'queue.queueName' must be a non-empty string`);
  });

  test('lists every problem, not only the first', () => {
    const t = QueueTrigger.kafka({ bootstrapServers: 'kafka', consumerGroup: '', topic: 'emails', lagPerReplica: 0 });
    expect(t.problems).toEqual([
      "'queue.bootstrapServers' must be host:port, got 'kafka': give a host name or IP and a port 1-65535, for example 'kafka-0.kafka.messaging.svc:9092'",
      "'queue.consumerGroup' must be a non-empty string, got '': give the worker's consumer group, for example 'mailer'",
      "'queue.lagPerReplica' must be a positive integer, got 0: give the lag one replica should carry, for example 100",
    ]);
  });
});
