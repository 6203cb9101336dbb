import { IConstruct } from 'constructs';

/**
 * A mistake in the props or calls of a construct, found before anything is written.
 *
 * The message always names the construct path, the prop, the bad value and the fix:
 * `[shop/catalog] 'port' must be 1-65535, got 70000`.
 */
export class MicroserviceConfigError extends Error {
  /** `scope` is the construct, or its path when the construct does not exist yet. */
  constructor(scope: IConstruct | string, message: string) {
    super(`[${typeof scope === 'string' ? scope : scope.node.path}] ${message}`);
    this.name = 'MicroserviceConfigError';
  }
}

/** Shows a user value the way they wrote it, for error messages. */
export function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === undefined) return 'undefined';
  return JSON.stringify(value);
}
