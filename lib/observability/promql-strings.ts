// PromQL string literals and regular expressions as Prometheus reads them: Go's string escapes
// (util/strutil/quote.go) and RE2 regexes anchored as `^(?s:...)$` (model/labels/regexp.go).

/**
 * A PromQL string literal's value, or undefined where Prometheus refuses it: Go's quoting rules
 * (util/strutil/quote.go), in which `"\d"` is no string (only \a \b \f \n \r \t \v \\ \' \" \x \u \U and octal escapes are).
 */
export function unquote(literal: string): string | undefined {
  const n = literal.length;
  if (n < 2) return undefined;
  const quote = literal[0];
  if (literal[n - 1] !== quote) return undefined;
  const body = literal.slice(1, -1);
  if (quote === '`') return body.includes('`') ? undefined : body;
  if (quote !== '"' && quote !== "'") return undefined;
  if (body.includes('\n')) return undefined;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === quote) return undefined;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) return undefined;
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };
    if (e in simple) out += simple[e];
    else if (e === "'" || e === '"') {
      if (e !== quote) return undefined;
      out += e;
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) return undefined;
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) return undefined;
      out += String.fromCodePoint(code);
      i += len;
    } else if (e >= '0' && e <= '7') {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct) || parseInt(oct, 8) > 255) return undefined;
      out += String.fromCharCode(parseInt(oct, 8));
      i += 2;
    } else {
      return undefined;
    }
  }
  return out;
}

type Re2 = typeof import('re2js').RE2JS;
// RE2JS (a JavaScript port of RE2/J, itself a port of Go's regexp/syntax) loads on first use
let re2: Re2 | undefined;
const loadRe2 = (): Re2 => (re2 ??= (require('re2js') as typeof import('re2js')).RE2JS);

/**
 * Where a regular expression does not compile as Prometheus compiles label matchers and
 * label_replace(): Go's regexp (RE2 syntax, Perl flags), which has no lookaround, backreference,
 * possessive quantifier or atomic group. Undefined when it compiles.
 */
export function regexProblem(re: string): { message: string; hint?: string } | undefined {
  try {
    loadRe2().compile(re);
    loadRe2().compile(`^(?s:${re})$`);
    return undefined;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    let hint: string | undefined;
    if (/\(\?<?[=!]/.test(re)) hint = 'RE2 has no lookahead or lookbehind: match the values you want, or use the negative matcher !~ instead of (?!...)';
    else if (/\\[1-9]/.test(re)) hint = 'RE2 has no backreferences: list the values instead';
    else if (/[*+?}]\+/.test(re)) hint = 'RE2 has no possessive quantifiers: drop the second +';
    else if (/\(\?>/.test(re)) hint = 'RE2 has no atomic groups: use (?:...)';
    else if (/invalid escape/.test(message)) hint = 'RE2 knows the escapes of Go\'s regexp/syntax (\\d \\s \\w \\b \\pL \\Q...\\E ...), not \\Z, \\h or \\R';
    return { message, ...(hint ? { hint } : {}) };
  }
}

/** Whether `re`, anchored as Prometheus anchors it, matches all of `value`. */
export function fullMatch(re: string, value: string): boolean {
  return loadRe2().compile(`^(?s:${re})$`).matches(value);
}

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

/** A duration literal (`5m`, `1h30m`) or number of seconds (`300`), in seconds. */
export function durationLiteralSeconds(text: string): number | undefined {
  if (/^[0-9]/.test(text) && /[a-z]$/.test(text) && !/^0x/i.test(text)) {
    let total = 0;
    for (const m of text.matchAll(/([0-9]+)(ms|s|m|h|d|w|y)/g)) total += Number(m[1]) * UNIT_SECONDS[m[2]];
    return total;
  }
  const n = Number(text.replace(/_/g, ''));
  return Number.isNaN(n) ? undefined : n;
}
