// Likely slips in props the API server accepts: each function returns the warning for a value
// that is valid but probably not what was meant, or undefined. Callers record it with
// addWarning(), so `cdk8s-ms synth` prints it and the output is still written.
import { show } from '../errors';

const QUANTITY = /^(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const DECIMAL_TO_BINARY: Record<string, string> = { k: 'Ki', M: 'Mi', G: 'Gi', T: 'Ti', P: 'Pi', E: 'Ei' };

/**
 * A memory quantity with a decimal suffix (`512M`: 512,000,000 bytes, where `512Mi`, 536,870,912,
 * is the usual meaning), or with `m` (milli: `512m` is half a byte).
 */
export function memorySlip(prop: string, q: unknown): string | undefined {
  const m = typeof q === 'string' ? QUANTITY.exec(q) : null;
  if (!m || m[2] === undefined) return undefined;
  if (m[2] === 'm') return `'${prop}' ${show(q)} is ${m[1]} thousandths of a byte ('m' is milli): write ${show(`${m[1]}Mi`)} for mebibytes`;
  const binary = DECIMAL_TO_BINARY[m[2]];
  if (!binary) return undefined;
  return `'${prop}' ${show(q)} uses a decimal suffix (${m[2]} = 10^${3 * (Object.keys(DECIMAL_TO_BINARY).indexOf(m[2]) + 1)} bytes): ${show(`${m[1]}${binary}`)} (binary, what memory is usually sized in) is likely meant; write ${show(`${m[1]}${binary}`)}, or keep ${show(q)} if decimal units are meant`;
}

/** A size of storage without a unit (`20` is 20 bytes), or in thousandths of a byte (`20m`). */
export function sizeSlip(prop: string, q: unknown): string | undefined {
  const m = typeof q === 'string' ? QUANTITY.exec(q) : null;
  if (!m) return undefined;
  if (m[2] === undefined) return `'${prop}' ${show(q)} has no unit, so it is ${m[1]} bytes: write ${show(`${m[1]}Gi`)} or ${show(`${m[1]}Mi`)}`;
  if (m[2] === 'm') return `'${prop}' ${show(q)} is ${m[1]} thousandths of a byte ('m' is milli): write ${show(`${m[1]}Mi`)} for mebibytes`;
  return undefined;
}

// scheme://user:password@host; a password that is a variable reference is not a literal one
const URL_WITH_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/:@]+):([^\s/@]+)@/i;
const VARIABLE = /^(\$\([A-Za-z_][A-Za-z0-9_]*\)|\$\{[A-Za-z_][A-Za-z0-9_]*\})$/;

/**
 * A password inside a URL in a literal environment variable (`postgres://app:s3cret@db/app`):
 * the value is in plain text in the manifests, the Git history and `kubectl describe`.
 */
export function urlPasswordSlip(prop: string, value: unknown): string | undefined {
  const m = typeof value === 'string' ? URL_WITH_PASSWORD.exec(value) : null;
  if (!m || VARIABLE.test(m[3])) return undefined;
  const masked = (value as string).replace(URL_WITH_PASSWORD, `$1$2:***@`);
  return `'${prop}' holds a password inside a URL (${show(masked)}), in plain text in the manifests and the Git history: put the URL in a Secret and read it with 'secretEnv' (or 'secretFiles')`;
}
