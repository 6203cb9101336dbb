import { isIPv4, isIPv6 } from 'node:net';
import { IConstruct } from 'constructs';
import { MicroserviceConfigError, show } from '../errors';

// Checks of user props that every construct shares: unknown names (JavaScript users, `as any`),
// the type of a value, and the syntax the API server or a controller enforces. Each throws the
// library's one-line error naming the construct, the prop, the value and the fix.

type Scope = IConstruct | string;

/** Every prop name of `T`, required and only those: the compiler keeps the list complete. */
export type PropNames<T> = { readonly [K in keyof Required<T>]: true };

/** The names of a props interface, checked by the compiler against it (see PropNames). */
export function propNames<T>(names: PropNames<T>): readonly string[] {
  return Object.keys(names);
}

/**
 * Edit distance with adjacent transpositions (optimal string alignment), case-insensitive: how
 * far a typo is from a known name (`prot` is one swap from `port`).
 */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) => [i, ...Array<number>(y.length).fill(0)]);
  for (let j = 0; j <= y.length; j++) d[0][j] = j;
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[x.length][y.length];
}

/** The known name nearest `name`, when it is near enough to be a typo of it. */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    // a shortened name (`timeout` for `timeoutSeconds`) is near, but a typo is nearer
    const shortened = name.length >= 3 && k.toLowerCase().startsWith(name.toLowerCase());
    const d = Math.min(distance(name, k), shortened ? 1.5 : Infinity);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

/**
 * Fails on a prop that `known` does not name (TypeScript stops these, JavaScript and `as any`
 * do not, and the value would be silently ignored). `prefix` is the path of a nested object
 * (`'autoscaling.'`), empty at the top.
 */
export function checkKnownProps(scope: Scope, value: unknown, known: readonly string[], prefix = ''): void {
  if (value === undefined) return;
  const what = prefix ? `'${prefix.replace(/\.$/, '')}'` : 'the props';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new MicroserviceConfigError(scope, `${what} must be an object, got ${show(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const near = nearestName(key, known);
    throw new MicroserviceConfigError(scope, `'${prefix}${key}' is not a known prop${near ? `: did you mean '${prefix}${near}'?` : `: use one of ${known.map(k => `'${k}'`).join(', ')}`}`);
  }
}

/** A number in a range (whole unless `fraction`); a string of digits says to drop the quotes. */
export function checkNumber(scope: Scope, prop: string, value: unknown, o: { min?: number; max?: number; fraction?: boolean } = {}): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    const quoted = typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()) ? `: write ${value.trim()} without quotes` : '';
    throw new MicroserviceConfigError(scope, `'${prop}' must be a number, got ${show(value)}${quoted}`);
  }
  const min = o.min ?? -Infinity;
  const max = o.max ?? Infinity;
  if ((!o.fraction && !Number.isInteger(value)) || value < min || value > max) {
    const range = max === Infinity ? `>= ${min}` : `from ${min} to ${max}`;
    throw new MicroserviceConfigError(scope, `'${prop}' must be a ${o.fraction ? '' : 'whole '}number ${range}, got ${show(value)}`);
  }
  return value;
}

/** A TCP/UDP port number. */
export function checkPort(scope: Scope, prop: string, value: unknown): number {
  if (typeof value === 'number' && (!Number.isInteger(value) || value < 1 || value > 65535)) {
    throw new MicroserviceConfigError(scope, `'${prop}' must be 1-65535, got ${show(value)}`);
  }
  return checkNumber(scope, prop, value, { min: 1, max: 65535 });
}

/** The largest value of an int32 field of the Kubernetes API (replicas, backoffLimit, history limits...). */
export const INT32_MAX = 2147483647;
/** The largest whole number a JSON number carries exactly: the bound of int64 fields written from JavaScript. */
export const INT64_SAFE_MAX = Number.MAX_SAFE_INTEGER;

/**
 * The upper bound of a whole-number field the API server stores as int32 (or int64): a larger
 * value is refused at apply time ("cannot unmarshal number ... into Go struct field"), after the
 * GitOps commit. Values that are no whole numbers are left to the prop's own check.
 */
export function checkIntBound(scope: Scope, prop: string, value: unknown, bits: 32 | 64 = 32): void {
  const max = bits === 32 ? INT32_MAX : INT64_SAFE_MAX;
  if (typeof value === 'number' && Number.isFinite(value) && value > max) {
    throw new MicroserviceConfigError(scope, `'${prop}' must be at most ${max} (the API server stores it as a ${bits}-bit integer), got ${show(value)}`);
  }
}

/** A boolean prop: `'true'` or `'no'` as a string is refused (the API server expects a boolean), never read as true. */
export function checkBoolean(scope: Scope, prop: string, value: unknown): void {
  if (value === undefined || typeof value === 'boolean') return;
  const quoted = typeof value === 'string' && /^(true|false)$/i.test(value.trim()) ? `: write ${value.trim().toLowerCase()} without quotes` : '';
  throw new MicroserviceConfigError(scope, `'${prop}' must be true or false, got ${show(value)}${quoted}`);
}

/**
 * Every boolean prop at `paths` of `props`, with one check (checkBoolean). A path is dotted;
 * `name[]` walks each item of a list, `*` each value of a map: `'claims[].readOnly'`,
 * `'configMapEnv.*.optional'`. Values of the wrong shape on the way are left to their own checks.
 */
export function checkBooleanProps(scope: Scope, props: unknown, paths: readonly string[]): void {
  const walk = (value: unknown, parts: readonly string[], at: string): void => {
    if (parts.length === 0) return checkBoolean(scope, at, value);
    if (value === null || typeof value !== 'object') return;
    const [part, ...rest] = parts;
    const join = (key: string) => (at ? `${at}.${key}` : key);
    if (part === '*') {
      for (const [k, v] of Object.entries(value)) walk(v, rest, join(k));
    } else if (part.endsWith('[]')) {
      const list = (value as Record<string, unknown>)[part.slice(0, -2)];
      if (Array.isArray(list)) list.forEach((item, i) => walk(item, rest, `${join(part.slice(0, -2))}[${i}]`));
    } else {
      walk((value as Record<string, unknown>)[part], rest, join(part));
    }
  };
  for (const path of paths) walk(props, path.split('.'), '');
}

export function checkStringArray(scope: Scope, prop: string, value: unknown): void {
  if (value !== undefined && (!Array.isArray(value) || value.some(v => typeof v !== 'string'))) {
    throw new MicroserviceConfigError(scope, `'${prop}' must be a list of strings, got ${show(value)}: quote numbers, for example ['--port', '8080']`);
  }
}

// apimachinery's validation: DNS-1123 subdomains name Secrets, ConfigMaps and IngressClasses
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// a label name, or the part of a label key after the prefix; label values too, or empty
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** The name of an object such as a Secret, ConfigMap or IngressClass. */
export function checkDnsSubdomain(scope: Scope, prop: string, value: unknown, example: string): string {
  if (typeof value !== 'string' || !DNS1123_SUBDOMAIN.test(value) || value.length > 253) {
    throw new MicroserviceConfigError(scope, `'${prop}' must be a Kubernetes object name (lowercase letters, digits, '-' and '.', at most 253), got ${show(value)}: for example '${example}'`);
  }
  return value;
}

/** A namespace or other RFC 1123 label. */
export function checkDnsLabel(scope: Scope, prop: string, value: unknown, example: string): string {
  if (typeof value !== 'string' || !DNS1123_LABEL.test(value) || value.length > 63) {
    throw new MicroserviceConfigError(scope, `'${prop}' must be a DNS label (at most 63 lowercase letters, digits and '-'), got ${show(value)}: for example '${example}'`);
  }
  return value;
}

/** A label or annotation key: an optional DNS-1123 subdomain prefix and '/', then a name of at most 63 characters. */
export function isQualifiedKey(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  const prefixOk = parts.length === 1 || (DNS1123_SUBDOMAIN.test(parts[0]) && parts[0].length <= 253);
  return prefixOk && name.length <= 63 && QUALIFIED_NAME.test(name);
}

/**
 * Keys that user labels or annotations must not set, each with why and what to do instead:
 * `{ 'job-name': 'which the Job controller sets on every pod of a Job: drop it' }`. A plain list
 * says the library sets and selects on them.
 */
export type ReservedKeys = readonly string[] | Readonly<Record<string, string>>;

// the reason a map of reserved keys gives for `key` (a plain list has its own message)
function reservedReason(reserved: ReservedKeys, key: string): string | undefined {
  if (Array.isArray(reserved)) return undefined;
  return Object.prototype.hasOwnProperty.call(reserved, key) ? (reserved as Record<string, string>)[key] : undefined;
}

function isReservedList(reserved: ReservedKeys, key: string): boolean {
  return Array.isArray(reserved) && reserved.includes(key);
}

/**
 * Labels (selector or metadata) the way the API server validates them. `reserved`: keys the
 * library sets and selects on (`app.kubernetes.io/*`), which user labels must not replace, or
 * a map of such keys to why and the fix.
 */
export function checkLabels(scope: Scope, prop: string, labels: unknown, reserved: ReservedKeys = []): Record<string, string> {
  if (labels === undefined) return {};
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) throw new MicroserviceConfigError(scope, `'${prop}' must be an object of labels, got ${show(labels)}`);
  for (const [k, v] of Object.entries(labels)) {
    if (!isQualifiedKey(k)) throw new MicroserviceConfigError(scope, `'${prop}' has an invalid label key ${show(k)}: use an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' and '.', for example 'app.kubernetes.io/name'`);
    if (isReservedList(reserved, k)) throw new MicroserviceConfigError(scope, `'${prop}' sets ${show(k)}, which the library sets and selects on: set it through the construct's props (version, component) instead`);
    const reason = reservedReason(reserved, k);
    if (reason !== undefined) throw new MicroserviceConfigError(scope, `'${prop}' sets ${show(k)}, ${reason}`);
    if (typeof v !== 'string' || v.length > 63 || (v !== '' && !QUALIFIED_NAME.test(v))) {
      throw new MicroserviceConfigError(scope, `'${prop}.${k}' must be a label value (a string of at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit), got ${show(v)}: put longer text in an annotation`);
    }
  }
  return labels as Record<string, string>;
}

/**
 * The API server's limit on all annotations of one object together, keys and values
 * (apimachinery's TotalAnnotationSizeLimitB, 256 KiB).
 */
export const ANNOTATIONS_SIZE_LIMIT = 256 * 1024;

/**
 * Annotations: qualified keys (the API server lowercases a key before checking it), string
 * values, at most `sizeLimit` bytes in all; `reserved`: keys the library sets itself, or a map
 * of such keys to why and the fix.
 */
export function checkAnnotations(scope: Scope, prop: string, annotations: unknown, reserved: ReservedKeys = [], sizeLimit = ANNOTATIONS_SIZE_LIMIT): Record<string, string> {
  if (annotations === undefined) return {};
  if (annotations === null || typeof annotations !== 'object' || Array.isArray(annotations)) throw new MicroserviceConfigError(scope, `'${prop}' must be an object of annotations, got ${show(annotations)}`);
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) {
    if (!isQualifiedKey(k.toLowerCase())) throw new MicroserviceConfigError(scope, `'${prop}' has an invalid annotation key ${show(k)}: use an optional DNS prefix and '/', then a name, for example 'nginx.ingress.kubernetes.io/proxy-body-size'`);
    if (isReservedList(reserved, k)) throw new MicroserviceConfigError(scope, `'${prop}' sets ${show(k)}, which the library sets: drop it (the library's value would be lost)`);
    const reason = reservedReason(reserved, k);
    if (reason !== undefined) throw new MicroserviceConfigError(scope, `'${prop}' sets ${show(k)}, ${reason}`);
    if (typeof v !== 'string') throw new MicroserviceConfigError(scope, `'${prop}.${k}' must be a string, got ${show(v)}: quote numbers and booleans`);
    size += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (size > sizeLimit) {
    const library = ANNOTATIONS_SIZE_LIMIT - sizeLimit;
    const kept = library > 0 ? ` (the API server's ${ANNOTATIONS_SIZE_LIMIT} for all annotations of an object, less ${library} kept for the library's own)` : ' (the API server\'s limit for all annotations of an object)';
    throw new MicroserviceConfigError(scope, `'${prop}' has ${size} bytes of keys and values, over the ${sizeLimit} allowed${kept}: move large data to a ConfigMap and mount it with 'config' or 'configMapEnv'`);
  }
  return annotations as Record<string, string>;
}

// apimachinery's IsConfigMapKey: the keys of a Secret's or ConfigMap's data
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * Why `key` cannot be a key of a Secret's or ConfigMap's data, as the API server checks it
 * (IsConfigMapKey: at most 253 letters, digits, '-', '_' and '.'; not '.' or '..', and not
 * starting with '..', which the kubelet's atomic writer uses for its own `..data` link), or
 * undefined when it can. `charset` says the problem is the characters or the length.
 */
export function dataKeyProblem(key: unknown): { readonly charset: boolean; readonly reason: string } | undefined {
  if (typeof key !== 'string' || key === '' || key.length > 253 || !DATA_KEY.test(key)) return { charset: true, reason: "at most 253 letters, digits, '-', '_' and '.'" };
  if (key === '.' || key === '..') return { charset: false, reason: `a key must not be '${key}'` };
  if (key.startsWith('..')) return { charset: false, reason: "a key must not start with '..' (the kubelet keeps its own '..data' link in the volume)" };
  return undefined;
}

/** A Secret or ConfigMap data key (see dataKeyProblem), with the fix. */
export function checkDataKey(scope: Scope, prop: string, key: unknown, example = 'password', kind: 'Secret' | 'ConfigMap' = 'Secret'): string {
  const problem = dataKeyProblem(key);
  if (problem?.charset) throw new MicroserviceConfigError(scope, `'${prop}' must be a ${kind} data key (letters, digits, '-', '_' and '.'), got ${show(key)}: for example '${example}'`);
  if (problem) throw new MicroserviceConfigError(scope, `'${prop}' must be a ${kind} data key, got ${show(key)}: ${problem.reason}, and the API server refuses it; for example '${example}'`);
  return key as string;
}

/**
 * Why `path` cannot be the file a Secret or ConfigMap volume item is written to (the API
 * server's validateLocalNonReservedPath: relative, no '..' element, not starting with '..'), or
 * undefined when it can.
 */
export function itemPathProblem(path: unknown): string | undefined {
  if (typeof path !== 'string' || path === '') return 'must be a non-empty relative path';
  if (path.startsWith('/')) return 'must be relative to the mount path';
  if (path.split('/').includes('..')) return "must not contain '..'";
  if (path.startsWith('..')) return "must not start with '..' (the kubelet keeps its own '..data' link in the volume)";
  return undefined;
}

/** The file a volume item is written to, relative to the mount (see itemPathProblem), with the fix. */
export function checkItemPath(scope: Scope, prop: string, path: unknown, example = 'tls.crt'): string {
  const problem = itemPathProblem(path);
  if (problem) throw new MicroserviceConfigError(scope, `'${prop}' ${show(path)} is no file name under the mount: a path ${problem}; for example '${example}'`);
  return path as string;
}

/** An IPv4 or IPv6 CIDR, parsed the way the API server does (net.ParseCIDR). */
export function isCidr(value: unknown): boolean {
  return parseCidr(value) !== undefined;
}

/** A parsed CIDR: its family, prefix length, address and the network (the address without host bits). */
export interface Cidr {
  readonly family: 4 | 6;
  readonly prefix: number;
  readonly address: bigint;
  readonly network: bigint;
}

/**
 * An IPv4 or IPv6 CIDR as Go's net.ParseCIDR reads it (what the API server validates a
 * NetworkPolicy's `ipBlock.cidr` with): an address, '/', a prefix length within the family's
 * bits. No IPv6 zone (`%eth0`) and no IPv4 octet with a leading zero (read as decimal by older
 * parsers, as octal by others). Undefined when it is not one.
 */
export function parseCidr(value: unknown): Cidr | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^([^/%]+)\/(\d{1,3})$/.exec(value);
  if (!m) return undefined;
  const prefix = Number(m[2]);
  const family = isIPv4(m[1]) ? 4 : isIPv6(m[1]) ? 6 : undefined;
  if (family === undefined || prefix > (family === 4 ? 32 : 128)) return undefined;
  const width = family === 4 ? 32 : 128;
  const address = family === 4 ? ipv4Value(m[1]) : ipv6Value(m[1]);
  const hostBits = BigInt(width - prefix);
  const network = (address >> hostBits) << hostBits;
  return { family, prefix, address, network };
}

function ipv4Value(ip: string): bigint {
  return ip.split('.').reduce((v, octet) => (v << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6Value(ip: string): bigint {
  // an embedded IPv4 address (`::ffff:1.2.3.4`) is the last two groups
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  let text = ip;
  if (v4) {
    const n = ipv4Value(v4[1]);
    text = `${ip.slice(0, -v4[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return all.reduce((v, g) => (v << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** A CIDR's text in canonical form: the network address (host bits zero) and the prefix. */
export function formatCidr(c: Pick<Cidr, 'family' | 'prefix'>, address: bigint): string {
  if (c.family === 4) return `${[24n, 16n, 8n, 0n].map(s => String((address >> s) & 0xffn)).join('.')}/${c.prefix}`;
  const groups = Array.from({ length: 8 }, (_, i) => ((address >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  // the longest run of two or more zero groups becomes '::' (RFC 5952)
  let best = { at: -1, length: 0 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.length && j - i >= 2) best = { at: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const text = best.at < 0 ? groups.join(':')
    : `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.length).join(':')}`;
  return `${text}/${c.prefix}`;
}

/** One of the given strings. */
export function checkOneOf<T extends string>(scope: Scope, prop: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new MicroserviceConfigError(scope, `'${prop}' must be one of ${allowed.map(a => `'${a}'`).join(', ')}, got ${show(value)}`);
  }
  return value as T;
}
