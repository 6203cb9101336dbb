// The KEDA triggers a worker scales on: QueueTrigger (queue-trigger.ts), whose factories live
// by trigger family (queues, redis, metrics, cron), and the types they take and render.
export { QueueTrigger } from './queue-trigger';
export type { QueueTriggerOptions, SecretKeyRef } from './options';
export type { RenderedQueueTrigger, RenderedSecretTarget, RenderedTrigger } from './rendered';
export type {
  KafkaSaslOptions, KafkaTlsOptions, KafkaTriggerOptions, RabbitMqTriggerOptions, SqsPodIdentityAuth, SqsSecretAuth, SqsTriggerOptions,
} from './queues';
export type { RedisListTriggerOptions, RedisStreamTriggerOptions } from './redis';
export type { PrometheusTriggerOptions } from './metrics';
export type { CronTriggerOptions } from './cron';
