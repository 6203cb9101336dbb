import { IConstruct } from 'constructs';
import { MicroserviceConfigError, show } from '../../errors';
import { TIME_ZONES, TZDATA_VERSION } from './time-zones';

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
  const never = neverFires(fields);
  if (never) {
    const last = Math.min(...[...fieldValues(fields[3], FIELDS[3]).values].map(m => (m === 2 ? 28 : MONTH_DAYS[m - 1])));
    const example = [fields[0], fields[1], String(last), fields[3], fields[4]].join(' ');
    throw new MicroserviceConfigError(scope, `'schedule' ${show(schedule)}: ${never}, so the CronJob would never run (Kubernetes accepts the schedule): choose a day the month has, for example '${example}'`);
  }
  return schedule;
}

// the days a month can have (February: 29, in a leap year)
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The values a field selects, and whether it counts as '*' (robfig/cron's star bit). */
function fieldValues(text: string, f: typeof FIELDS[number]): { values: Set<number>; star: boolean } {
  const values = new Set<number>();
  let star = false;
  const value = (v: string): number => (/^\d+$/.test(v) ? Number(v) : f.names!.indexOf(v.toUpperCase()) + (f.names === MONTHS ? 1 : 0));
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') {
      [lo, hi] = [f.min, f.max];
      // as robfig/cron: '*' and '?' match any value, unless a step above 1 thins them out
      if (step === 1) star = true;
    } else {
      const [a, b] = range.split('-');
      lo = value(a);
      // 'N/step' runs from N to the end of the range
      hi = b !== undefined ? value(b) : stepText !== undefined ? f.max : lo;
    }
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return { values, star };
}

/**
 * Why a valid schedule never fires, or undefined. robfig/cron (the CronJob controller's
 * parser) takes a day of the month and a month that never meet (`0 0 30 2 *`, 31 April), and
 * the CronJob then never runs: with day-of-week '*' a day must match the day of the month, and
 * none of the months has it.
 */
function neverFires(fields: readonly string[]): string | undefined {
  const dom = fieldValues(fields[2], FIELDS[2]);
  const dow = fieldValues(fields[4], FIELDS[4]);
  // either field '*': the other decides alone (both '*': every day); neither: either one matches
  if (dom.star || !dow.star) return undefined;
  const months = [...fieldValues(fields[3], FIELDS[3]).values];
  if (months.some(m => [...dom.values].some(d => d <= MONTH_DAYS[m - 1]))) return undefined;
  const month = (m: number) => MONTHS[m - 1].charAt(0) + MONTHS[m - 1].slice(1).toLowerCase();
  return `day ${[...dom.values].join(', ')} of ${months.map(month).join(', ')} never comes (${months.map(m => `${month(m)} has ${MONTH_DAYS[m - 1] === 29 ? 'at most 29' : MONTH_DAYS[m - 1]} days`).join(', ')})`;
}

/**
 * Why a five-field cron expression that robfig/cron parses never fires (a day the chosen months
 * do not have), or undefined. For other schedulers that use robfig/cron, such as KEDA's cron
 * trigger; the fields must be valid.
 */
export function cronNeverFires(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5 || fields.some((f, i) => fieldProblem(f, { ...FIELDS[i], max: i === 4 ? 7 : FIELDS[i].max }))) return undefined;
  return neverFires(fields);
}

/**
 * Checks an IANA time zone name (`Europe/Berlin`, `UTC`) the way the API server does: Go's
 * time.LoadLocation, which knows the names of the tz database (links included, case-sensitive).
 * The list (time-zones.ts) comes from a tzdata release, not from the runtime's ICU, which still
 * resolves names the database removed (`US/Pacific-New`) and that Kubernetes refuses.
 */
export function checkTimeZone(scope: IConstruct | string, tz: unknown, prop = 'timeZone'): string {
  const fix = "use an IANA name such as 'Europe/Berlin', 'America/New_York' or 'Etc/UTC'";
  if (typeof tz === 'string' && TIME_ZONES.has(tz)) return tz;
  const spelled = typeof tz === 'string' ? [...TIME_ZONES].find(z => z.toLowerCase() === tz.toLowerCase()) : undefined;
  if (spelled !== undefined) {
    throw new MicroserviceConfigError(scope, `'${prop}' ${show(tz)} is spelled ${show(spelled)} in the time zone database (names are case-sensitive)`);
  }
  let alias: string | undefined;
  try {
    alias = typeof tz === 'string' && tz !== 'Local' ? new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone : undefined;
  } catch {
    alias = undefined;
  }
  if (alias !== undefined && TIME_ZONES.has(alias)) {
    // ICU still knows it, the tz database (and so Kubernetes) no longer does
    throw new MicroserviceConfigError(scope, `'${prop}' ${show(tz)} is not in the time zone database (tzdata ${TZDATA_VERSION}; it was removed), so the API server refuses it ("unknown time zone"): use ${show(alias)}`);
  }
  throw new MicroserviceConfigError(scope, `'${prop}' ${show(tz)} is not a known time zone: ${fix}`);
}
