// What a trigger renders into: the ScaledObject/ScaledJob `spec.triggers` entry and the
// TriggerAuthentication `spec` it refers to.
import type { TriggerAuthenticationSpec } from '../../../imports/keda.sh';

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
