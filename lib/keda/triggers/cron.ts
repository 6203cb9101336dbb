// A schedule: replicas inside a time window.
import { show } from '../../errors';
import { Check, TriggerDefinition } from './check';
import type { QueueTriggerOptions } from './options';

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

/** A schedule (KEDA `cron`): `desiredReplicas` between `start` and `end`, in `timezone`. */
export function cron(options: CronTriggerOptions): TriggerDefinition {
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
  return {
    type: 'cron', name: o.name, check: c,
    metadata: {
      timezone,
      start,
      end,
      desiredReplicas: c.positiveInt('desiredReplicas', o.desiredReplicas, 'the replicas to run inside the window, for example 2'),
    },
  };
}
