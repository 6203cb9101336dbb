// The checks every trigger factory runs on its options (see queue-trigger.ts for why they
// record problems instead of throwing), and the definition a factory returns.
import { show } from '../../errors';
import type { TriggerAuthenticationSpec } from '../../../imports/keda.sh';
import type { SecretKeyRef } from './options';

/**
 * What a factory makes of its options: the trigger's type, name, metadata and authentication,
 * with the Check that holds what is wrong with them. QueueTrigger builds the trigger from it.
 */
export interface TriggerDefinition {
  readonly type: string;
  readonly name: string | undefined;
  readonly check: Check;
  readonly metadata: Record<string, string>;
  /** @default - no TriggerAuthentication */
  readonly authentication?: TriggerAuthenticationSpec;
  /** @default true */
  readonly scalesFromZero?: boolean;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// what the API server accepts as a Secret data key (validation.IsConfigMapKey)
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*):(?<port>[0-9]{1,5})$/;

/** The fields of a cron expression: name, range, and the names allowed in it. */
const CRON_FIELDS: ReadonlyArray<{ name: string; min: number; max: number; names?: readonly string[] }> = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

/** Collects the problems of one trigger's options; every check returns the value to render. */
export class Check {
  readonly problems: string[] = [];

  fail(field: string, message: string): void {
    this.problems.push(`'queue${field ? `.${field}` : ''}' ${message}`);
  }

  /** The options object itself (or a nested one); an empty object stands in for a missing one. */
  object<T extends object>(field: string, v: T | undefined, example: string): T {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v;
    this.fail(field, `must be an object, got ${show(v)}: for example ${example}`);
    return {} as T;
  }

  text(field: string, v: unknown, fix: string): string {
    if (typeof v === 'string' && v.trim() !== '') return v;
    this.fail(field, `must be a non-empty string, got ${show(v)}: give ${fix}`);
    return '';
  }

  oneOf(field: string, v: unknown, allowed: readonly string[]): void {
    if (typeof v === 'string' && allowed.includes(v)) return;
    this.fail(field, `must be one of ${allowed.map(a => `'${a}'`).join(', ')}, got ${show(v)}`);
  }

  positiveInt(field: string, v: unknown, fix: string): string {
    if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) return String(v);
    this.fail(field, `must be a positive integer, got ${show(v)}: give ${fix}`);
    return '';
  }

  nonNegativeInt(field: string, v: unknown, fix: string): string {
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
    this.fail(field, `must be an integer of 0 or more, got ${show(v)}: give ${fix}`);
    return '';
  }

  positiveNumber(field: string, v: unknown, fix: string): string {
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) return String(v);
    this.fail(field, `must be a number above 0, got ${show(v)}: give ${fix}`);
    return '';
  }

  nonNegativeNumber(field: string, v: unknown, fix: string): string {
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return String(v);
    this.fail(field, `must be a number of 0 or more, got ${show(v)}: give ${fix}`);
    return '';
  }

  hostPort(field: string, v: unknown, example: string): string {
    if (typeof v === 'string') {
      const m = HOST_PORT.exec(v);
      const port = Number(m?.groups?.port);
      if (port >= 1 && port <= 65535) return v;
    }
    this.fail(field, `must be host:port, got ${show(v)}: give a host name or IP and a port 1-65535, for example ${example}`);
    return typeof v === 'string' ? v : '';
  }

  secretName(field: string, v: unknown): string {
    if (typeof v === 'string' && DNS1123_SUBDOMAIN.test(v) && v.length <= 253) return v;
    this.fail(field, `must name a Secret, got ${show(v)}: use the name of an existing Secret in the worker's namespace (lowercase letters, digits, '-' and '.')`);
    return typeof v === 'string' ? v : '';
  }

  key(field: string, v: unknown): string {
    if (typeof v === 'string' && SECRET_KEY.test(v) && v.length <= 253) return v;
    this.fail(field, `must be a key of the Secret, got ${show(v)}: use letters, digits, '-', '_' and '.' (for example 'password')`);
    return typeof v === 'string' ? v : '';
  }

  secretKey(field: string, v: SecretKeyRef | undefined, what: string): { name: string; key: string } {
    const ref = this.object(field, v, `{ secretName: 'rabbitmq', key: 'url' } (${what})`);
    return { name: this.secretName(`${field}.secretName`, ref.secretName), key: this.key(`${field}.key`, ref.key) };
  }

  timezone(field: string, v: string): void {
    let canonical: string | undefined;
    try {
      canonical = new Intl.DateTimeFormat('en-US', { timeZone: v }).resolvedOptions().timeZone;
    } catch {
      canonical = undefined;
    }
    if (canonical === undefined || v.includes(' ')) {
      this.fail(field, `${show(v)} is not an IANA time zone: use a name such as 'Europe/Berlin', 'America/New_York' or 'UTC'`);
    } else if (canonical !== v && canonical.toLowerCase() === v.toLowerCase()) {
      // Intl ignores case; KEDA (Go's time.LoadLocation) reads zoneinfo files, which do not
      this.fail(field, `${show(v)} is not spelt as the IANA name: use '${canonical}'`);
    }
  }

  cron(field: string, v: string): void {
    const fields = v.trim().split(/\s+/);
    if (fields.length !== 5) {
      this.fail(field, `${show(v)} must have 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}: for example '0 8 * * 1-5'`);
      return;
    }
    fields.forEach((f, i) => {
      const spec = CRON_FIELDS[i];
      if (!f.split(',').every(part => cronPartOk(part, spec))) {
        this.fail(field, `${show(v)} has an invalid ${spec.name} field ${show(f)}: use *, a value ${spec.min}-${spec.max}${spec.names ? ` or a name (${spec.names[0]}...)` : ''}, a range a-b, a list a,b or a step */n`);
      }
    });
  }
}

function cronPartOk(part: string, spec: (typeof CRON_FIELDS)[number]): boolean {
  const m = /^(\*|\?|([0-9]+|[A-Za-z]{3})(?:-([0-9]+|[A-Za-z]{3}))?)(?:\/([0-9]+))?$/.exec(part);
  if (!m) return false;
  if (m[1] === '?' && spec.name !== 'day of month' && spec.name !== 'day of week') return false;
  const value = (s: string | undefined): number | undefined => {
    if (s === undefined) return undefined;
    if (/^[0-9]+$/.test(s)) return Number(s);
    const i = spec.names?.indexOf(s.toUpperCase()) ?? -1;
    return i < 0 ? NaN : i + (spec.name === 'month' ? 1 : 0);
  };
  const from = value(m[2]);
  const to = value(m[3]);
  const inRange = (n: number | undefined) => n === undefined || (n >= spec.min && n <= spec.max);
  if (!inRange(from) || !inRange(to)) return false;
  if (from !== undefined && to !== undefined && to < from) return false;
  if (m[4] !== undefined && Number(m[4]) < 1) return false;
  return true;
}
