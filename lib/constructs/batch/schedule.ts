import { IConstruct } from 'constructs';
import { MicroserviceConfigError, show } from '../../errors';

// The grammar Kubernetes' CronJob controller parses (robfig/cron's standard parser): five
// fields, or one of the descriptors. `TZ=` inside the schedule is refused since 1.27: use timeZone.
const DESCRIPTORS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const FIELDS: ReadonlyArray<{ readonly name: string; readonly min: number; readonly max: number; readonly names?: string[]; readonly question?: boolean }> = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31, question: true },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day of week', min: 0, max: 6, names: DAYS, question: true },
];

/** Why one field of a cron schedule is wrong, or undefined when it is right. */
function fieldProblem(text: string, f: typeof FIELDS[number]): string | undefined {
  const value = (v: string): number | undefined => {
    if (/^\d+$/.test(v)) return Number(v);
    const i = f.names?.indexOf(v.toUpperCase()) ?? -1;
    return i < 0 ? undefined : i + (f.names === MONTHS ? 1 : 0);
  };
  for (const part of text.split(',')) {
    const [range, step, extra] = part.split('/');
    if (extra !== undefined || (step !== undefined && !/^[1-9]\d*$/.test(step))) return `the step in ${show(part)} must be a whole number above 0`;
    if (range === '*' || (range === '?' && f.question)) continue;
    const [lo, hi, more] = range.split('-');
    const a = value(lo);
    const b = hi === undefined ? a : value(hi);
    if (more !== undefined || a === undefined || b === undefined) return `${show(part)} is not a number${f.names ? ', a name' : ''} or a range`;
    if (a < f.min || b > f.max || a > b) return `${show(part)} is outside ${f.min}-${f.max}`;
  }
  return undefined;
}

/** Checks a CronJob schedule the way the API server does, and returns it. */
export function checkSchedule(scope: IConstruct | string, schedule: unknown): string {
  const fix = "use five fields 'minute hour day-of-month month day-of-week', for example '0 3 * * *' (03:00 every day), or a descriptor such as '@daily'";
  if (typeof schedule !== 'string' || schedule.trim() === '') throw new MicroserviceConfigError(scope, `'schedule' must be a cron schedule, got ${show(schedule)}: ${fix}`);
  if (/^\s*(CRON_)?TZ=/.test(schedule)) throw new MicroserviceConfigError(scope, `'schedule' ${show(schedule)} sets a time zone, which Kubernetes refuses in the schedule: move it to 'timeZone'`);
  if (schedule.startsWith('@')) {
    if (DESCRIPTORS.includes(schedule)) return schedule;
    throw new MicroserviceConfigError(scope, `'schedule' ${show(schedule)} is not a cron descriptor: use one of ${DESCRIPTORS.join(', ')}`);
  }
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5) throw new MicroserviceConfigError(scope, `'schedule' ${show(schedule)} has ${fields.length} fields, not 5: ${fix}`);
  fields.forEach((text, i) => {
    const problem = fieldProblem(text, FIELDS[i]);
    if (problem) throw new MicroserviceConfigError(scope, `'schedule' ${show(schedule)}: the ${FIELDS[i].name} field ${problem}: ${fix}`);
  });
  return schedule;
}

/**
 * Checks an IANA time zone name (`Europe/Berlin`, `UTC`) against the time zone database the
 * runtime has; the API server checks it against Go's, which has the same names. Names are
 * case-sensitive there, so `europe/berlin` is refused with the right spelling.
 */
export function checkTimeZone(scope: IConstruct | string, tz: unknown): string {
  const fix = "use an IANA name such as 'Europe/Berlin', 'America/New_York' or 'Etc/UTC'";
  let resolved: string | undefined;
  try {
    resolved = typeof tz === 'string' && tz !== 'Local' && /^[A-Za-z][-+_A-Za-z0-9]*(\/[-+_A-Za-z0-9]+)*$/.test(tz)
      ? new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone : undefined;
  } catch {
    resolved = undefined;
  }
  if (resolved === undefined) throw new MicroserviceConfigError(scope, `'timeZone' ${show(tz)} is not a known time zone: ${fix}`);
  if (resolved !== tz && resolved.toLowerCase() === (tz as string).toLowerCase()) {
    throw new MicroserviceConfigError(scope, `'timeZone' ${show(tz)} is spelled ${show(resolved)} in the time zone database (names are case-sensitive)`);
  }
  return tz as string;
}
