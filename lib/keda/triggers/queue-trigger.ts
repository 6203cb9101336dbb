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
import { MicroserviceConfigError, show } from '../../errors';
import type { TriggerAuthenticationSpec } from '../../../imports/keda.sh';
import type { TriggerDefinition } from './check';
import * as queues from './queues';
import type { KafkaTriggerOptions, RabbitMqTriggerOptions, SqsTriggerOptions } from './queues';
import * as redis from './redis';
import type { RedisListTriggerOptions, RedisStreamTriggerOptions } from './redis';
import * as metrics from './metrics';
import type { PrometheusTriggerOptions } from './metrics';
import * as cron from './cron';
import type { CronTriggerOptions } from './cron';
import type { RenderedQueueTrigger, RenderedTrigger } from './rendered';

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
    return new BuiltTrigger(queues.rabbitmq(options));
  }

  /** Kafka consumer-group lag (KEDA `kafka`). */
  public static kafka(options: KafkaTriggerOptions): QueueTrigger {
    return new BuiltTrigger(queues.kafka(options));
  }

  /** AWS SQS queue length, visible plus in-flight messages (KEDA `aws-sqs-queue`). */
  public static sqs(options: SqsTriggerOptions): QueueTrigger {
    return new BuiltTrigger(queues.sqs(options));
  }

  /** Redis list length (KEDA `redis`). */
  public static redisList(options: RedisListTriggerOptions): QueueTrigger {
    return new BuiltTrigger(redis.redisList(options));
  }

  /** Redis stream consumer group: pending entries, or lag to scale from zero (KEDA `redis-streams`). */
  public static redisStream(options: RedisStreamTriggerOptions): QueueTrigger {
    return new BuiltTrigger(redis.redisStream(options));
  }

  /** A Prometheus query's value (KEDA `prometheus`); the query must parse as PromQL. */
  public static prometheus(options: PrometheusTriggerOptions): QueueTrigger {
    return new BuiltTrigger(metrics.prometheus(options));
  }

  /** A schedule (KEDA `cron`): `desiredReplicas` between `start` and `end`, in `timezone`. */
  public static cron(options: CronTriggerOptions): QueueTrigger {
    return new BuiltTrigger(cron.cron(options));
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

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A trigger whose metadata and auth were computed (and checked) by a factory. */
class BuiltTrigger extends QueueTrigger {
  private readonly metadata: Record<string, string>;
  private readonly authentication?: TriggerAuthenticationSpec;

  constructor({ type, name, check, metadata, authentication, scalesFromZero = true }: TriggerDefinition) {
    if (name !== undefined && (typeof name !== 'string' || !DNS1123_LABEL.test(name) || name.length > 63)) {
      check.fail('name', `must be a lowercase RFC 1123 label, got ${show(name)}: use at most 63 lowercase letters, digits and '-' (for example 'emails')`);
    }
    super(type, name, check.problems, scalesFromZero);
    this.metadata = metadata;
    this.authentication = authentication;
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
