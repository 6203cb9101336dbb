// What every trigger factory takes: the options all of them share, and a Secret key to read
// credentials from (credentials never go into a ScaledObject).

/** A key of an existing Secret in the worker's namespace. */
export interface SecretKeyRef {
  /** The Secret's name. */
  readonly secretName: string;
  /** The key in the Secret's data. */
  readonly key: string;
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
