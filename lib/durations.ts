import { IConstruct } from 'constructs';
import { MicroserviceConfigError, show } from './errors';

/** A Prometheus duration: `30s`, `5m`, `1h30m`, `30d`. */
export const PROMETHEUS_DURATION = /^([0-9]+(ms|s|m|h|d|w|y))+$/;

/** Checks a Prometheus duration and returns it. */
export function checkDuration(scope: IConstruct | string, prop: string, value: unknown): string {
  if (typeof value !== 'string' || !PROMETHEUS_DURATION.test(value)) {
    throw new MicroserviceConfigError(scope, `'${prop}' must be a Prometheus duration such as '30s', '5m' or '1h', got ${show(value)}`);
  }
  return value;
}
