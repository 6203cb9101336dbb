/**
 * A YAML emitter for manifest data (plain objects, arrays, strings, numbers, booleans, null),
 * byte for byte what cdk8s's `Yaml.stringify` writes (the `yaml` package, YAML 1.1 schema,
 * `lineWidth: 0`, `keepUndefined: true`) at a fraction of its cost: `yaml` first builds a node
 * tree of every document, then walks it with a context object copied at every pair.
 *
 * The string rules below are those of `yaml` 2.9.1's `stringifyString` (plain, single- and
 * double-quoted and literal block scalars) with folding off, as `lineWidth: 0` turns it off;
 * which strings must be quoted because they would read back as another type is decided by the
 * `yaml` package's own YAML 1.1 tag patterns. A document this emitter does not model (a class
 * instance, a Map, a bigint, an object reached twice, a bare scalar) is handed to
 * `Yaml.stringify` whole, so the output is always the same. test/manifest-yaml.property.test.ts
 * checks that over random manifests.
 */
import * as path from 'node:path';
import { Yaml } from 'cdk8s';

// the copy of `yaml` that cdk8s's Yaml.stringify uses (cdk8s may bundle its own): its schema
// decides quoting, and loading a second copy would cost startup time
const yaml: typeof import('yaml') = require(require.resolve('yaml', { paths: [path.dirname(require.resolve('cdk8s'))] }));

// cdk8s's own writer, for what the emitter does not model: taken now, as app.synth() puts this
// emitter in its place while it runs (lib/rendering/fast-synth.ts)
const cdk8sStringify = Yaml.stringify;

/** The multi-document YAML of `docs`, exactly as cdk8s `Yaml.stringify(...docs)` writes it. */
export function stringifyManifests(...docs: unknown[]): string {
  const emitter = new Emitter();
  // one allocation for the whole text
  return docs.map(doc => emitter.document(doc)).join('---\n');
}

/** One document, as `Yaml.stringify(doc)` writes it. */
export function stringifyManifest(doc: unknown): string {
  return stringifyManifests(doc);
}

// thrown (never seen outside this file) when a document holds what the emitter does not model
const UNSUPPORTED = new Error('unsupported by the manifest YAML emitter');

// Strings that would read back as null, a bool, a number, a timestamp or a merge key under the
// YAML 1.1 schema cdk8s writes with: taken from the `yaml` package, so both always agree.
let otherTypes: RegExp[] | undefined;
function readsAsOtherType(s: string): boolean {
  otherTypes ??= (() => {
    const schema = new yaml.Document(null, { version: '1.1' }).schema as unknown as {
      tags: Array<{ default?: boolean; tag: string; test?: RegExp }>;
      compat?: Array<{ default?: boolean; tag: string; test?: RegExp }> | null;
    };
    return [...schema.tags, ...(schema.compat ?? [])]
      .filter(t => t.default && t.tag !== 'tag:yaml.org,2002:str' && t.test)
      .map(t => t.test!);
  })();
  for (const re of otherTypes) if (re.test(s)) return true;
  return false;
}

const INDENT_STEP = '  ';
// the indent one step deeper than each indent (an indent is INDENT_STEP repeated): made once,
// not concatenated again at every collection
const DEEPER = new Map<string, string>();
function deeper(indent: string): string {
  let d = DEEPER.get(indent);
  if (d === undefined) DEEPER.set(indent, d = indent + INDENT_STEP);
  return d;
}
const DOUBLE_QUOTED_MIN_MULTI_LINE = 40;
// control characters and lone surrogates: double-quoted with escapes
const NEEDS_ESCAPES = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
// what a plain scalar cannot start with, contain or end with
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;
// characters that never need a second look in a plain scalar
const SIMPLE = /^[A-Za-z0-9_./=+-][A-Za-z0-9_./=+@,:-]*$/;

/**
 * Writes each document into a list of pieces (mostly cached keys and values) joined into one
 * flat string; the list is emptied and used again for the next document. Returning a string per
 * node instead built a rope of millions of string nodes that all stayed alive until the file was
 * written, and most of the garbage collector's time went to copying them. (One list for all
 * documents, joined once, allocates more: joining a million pieces needs room of its own.)
 */
class Emitter {
  // yaml writes an object met twice in a document as an anchor and aliases: not modelled
  private seen = new Set<object>();
  private readonly out: string[] = [];
  // single-line scalars do not depend on their indent: most keys and values repeat
  private static readonly valueCache = new Map<string, string>();
  private static readonly keyCache = new Map<string, string>();
  private static readonly topKeyCache = new Map<string, string>();

  /** One document, with its final newline; what the emitter does not model goes to cdk8s's writer. */
  public document(doc: unknown): string {
    if (doc === undefined) return '\n';
    if (doc !== null && typeof doc === 'object') {
      this.seen = new Set();
      try {
        this.node(doc, '', true);
        this.out.push('\n');
        return this.out.join('');
      } catch (e) {
        if (e !== UNSUPPORTED) throw e;
      } finally {
        this.out.length = 0;
      }
    }
    return cdk8sStringify(doc);
  }

  /**
   * A collection or scalar at `indent` (the indent of the collection's own lines); `top` is
   * true for the document's root.
   */
  private node(v: unknown, indent: string, top = false): void {
    const out = this.out;
    if (v === null || v === undefined) {
      out.push('null');
      return;
    }
    switch (typeof v) {
      case 'string':
        if (top) unsupported();
        out.push(this.value(v, indent));
        return;
      case 'number':
        out.push(number(v));
        return;
      case 'boolean':
        out.push(v ? 'true' : 'false');
        return;
      case 'object': break;
      default: unsupported();
    }
    const o = v as object;
    if (this.seen.has(o)) unsupported();
    this.seen.add(o);
    if (Array.isArray(o)) {
      this.seq(o, indent);
      return;
    }
    const proto = Object.getPrototypeOf(o);
    // a class instance, or an object with its own toJSON(), is not plain data
    if ((proto !== Object.prototype && proto !== null) || typeof (o as { toJSON?: unknown }).toJSON === 'function') unsupported();
    this.map(o as Record<string, unknown>, indent, top);
  }

  private seq(items: unknown[], indent: string): void {
    const out = this.out;
    if (items.length === 0) {
      out.push('[]');
      return;
    }
    const itemIndent = deeper(indent);
    for (let i = 0; i < items.length; i++) {
      if (i > 0) out.push('\n', indent);
      out.push('- ');
      this.node(items[i], itemIndent);
    }
  }

  private map(o: Record<string, unknown>, indent: string, top: boolean): void {
    const out = this.out;
    const keys = Object.keys(o);
    if (keys.length === 0) {
      out.push('{}');
      return;
    }
    const inner = deeper(indent);
    for (let i = 0; i < keys.length; i++) {
      if (i > 0) out.push('\n', indent);
      const k = keys[i];
      out.push(this.key(k, top));
      const v = o[k];
      // a non-empty collection starts on the next line; [] and {} stay on the key's line
      if (v !== null && typeof v === 'object' && !isEmpty(v)) out.push(':\n', inner);
      else out.push(': ');
      this.node(v, inner);
    }
  }

  private key(k: string, top: boolean): string {
    const cache = top ? Emitter.topKeyCache : Emitter.keyCache;
    let s = cache.get(k);
    if (s === undefined) {
      // the key's context indent is the map's plus one step: at the root that is one step
      s = scalar(k, top ? INDENT_STEP : `${INDENT_STEP}${INDENT_STEP}`, true);
      // longer implicit keys are written as explicit `? key` entries
      if (s.length > 1024) unsupported();
      cache.set(k, s);
    }
    return s;
  }

  private value(v: string, indent: string): string {
    if (v.includes('\n')) return scalar(v, indent, false);
    let s = Emitter.valueCache.get(v);
    if (s === undefined) {
      s = scalar(v, indent, false);
      if (Emitter.valueCache.size < 100_000) Emitter.valueCache.set(v, s);
    }
    return s;
  }
}

/** An empty array or object: written `[]` or `{}` on its key's line. */
function isEmpty(v: object): boolean {
  if (Array.isArray(v)) return v.length === 0;
  for (const _ in v) return false;
  return true;
}

function unsupported(): never {
  throw UNSUPPORTED;
}

// the text of small whole numbers (ports, replicas, seconds): made once each
const SMALL_INTS: string[] = [];
const SMALL_INT_LIMIT = 65536;

function number(n: number): string {
  if (Number.isInteger(n) && n >= 0 && n < SMALL_INT_LIMIT && !Object.is(n, -0)) return (SMALL_INTS[n] ??= String(n));
  if (Number.isNaN(n)) return '.nan';
  if (!Number.isFinite(n)) return n < 0 ? '-.inf' : '.inf';
  return Object.is(n, -0) ? '-0' : JSON.stringify(n);
}

/** A string scalar; `indent` is the context indent `yaml` would have (never empty here). */
function scalar(value: string, indent: string, implicitKey: boolean): string {
  // `yaml` takes the string '<<' for its YAML 1.1 merge key tag, which writes it bare
  if (value === '<<') return value;
  if (SIMPLE.test(value) && !value.endsWith(':') && !readsAsOtherType(value) && !(value.length === 1 && value === '-')) {
    // the common case, decided without the full rules: no indicator, space, quote or newline
    if (!(implicitKey && indent === INDENT_STEP && DOCUMENT_MARKER.test(value))) return value;
  }
  if (NEEDS_ESCAPES.test(value)) return doubleQuoted(value, indent, implicitKey);
  return plain(value, indent, implicitKey);
}

function plain(value: string, indent: string, implicitKey: boolean): string {
  const multiLine = value.includes('\n');
  if (implicitKey && multiLine) return quoted(value, indent, implicitKey);
  if (NOT_PLAIN.test(value)) {
    return implicitKey || !multiLine ? quoted(value, indent, implicitKey) : block(value, indent, implicitKey);
  }
  if (!implicitKey && multiLine) return block(value, indent, implicitKey);
  if (DOCUMENT_MARKER.test(value) && implicitKey && indent === INDENT_STEP) return quoted(value, indent, implicitKey);
  // single-line from here: no newline to indent
  return readsAsOtherType(value) ? quoted(value, indent, implicitKey) : value;
}

function quoted(value: string, indent: string, implicitKey: boolean): string {
  const hasDouble = value.includes('"');
  const hasSingle = value.includes("'");
  return hasDouble && !hasSingle ? singleQuoted(value, indent, implicitKey) : doubleQuoted(value, indent, implicitKey);
}

function singleQuoted(value: string, indent: string, implicitKey: boolean): string {
  if ((implicitKey && value.includes('\n')) || /[ \t]\n|\n[ \t]/.test(value)) return doubleQuoted(value, indent, implicitKey);
  return `'${value.replace(/'/g, "''").replace(/\n+/g, `$&\n${indent}`)}'`;
}

const SHORT_ESCAPES: Record<string, string> = {
  '0000': '\\0', '0007': '\\a', '000b': '\\v', '001b': '\\e', '0085': '\\N', '00a0': '\\_', '2028': '\\L', '2029': '\\P',
};

function doubleQuoted(value: string, indent: string, implicitKey: boolean): string {
  const json = JSON.stringify(value);
  let str = '';
  let start = 0;
  for (let i = 0, ch = json[i]; ch; ch = json[++i]) {
    if (ch === ' ' && json[i + 1] === '\\' && json[i + 2] === 'n') {
      // a space before a newline is escaped, or folding would eat it
      str += `${json.slice(start, i)}\\ `;
      i += 1;
      start = i;
      ch = '\\';
    }
    if (ch !== '\\') continue;
    const next = json[i + 1];
    if (next === 'u') {
      str += json.slice(start, i);
      const code = json.substr(i + 2, 4);
      str += SHORT_ESCAPES[code] ?? (code.startsWith('00') ? `\\x${code.substr(2)}` : json.substr(i, 6));
      i += 5;
      start = i + 1;
    } else if (next === 'n') {
      if (implicitKey || json[i + 2] === '"' || json.length < DOUBLE_QUOTED_MIN_MULTI_LINE) {
        i += 1;
      } else {
        // a line break in a double-quoted scalar: folding eats the first newline
        str += `${json.slice(start, i)}\n\n`;
        while (json[i + 2] === '\\' && json[i + 3] === 'n' && json[i + 4] !== '"') {
          str += '\n';
          i += 2;
        }
        str += indent;
        // a space after a newline is escaped, or folding would eat it
        if (json[i + 2] === ' ') str += '\\';
        i += 1;
        start = i + 1;
      }
    } else {
      i += 1;
    }
  }
  return start ? str + json.slice(start) : json;
}

// newlines at the end of a block that are followed by more text
const BLOCK_END_NEWLINES = /(^|(?<!\n))\n+(?!\n|$)/g;

/** A literal block scalar (`|`): with line folding off, `yaml` never writes a folded one. */
function block(value: string, indent: string, implicitKey: boolean): string {
  // a block cannot end in white space unless its last line has text
  if (endsWithBlankLine(value)) return quoted(value, indent, implicitKey);
  let endStart: number;
  for (endStart = value.length; endStart > 0; --endStart) {
    const ch = value[endStart - 1];
    if (ch !== '\n' && ch !== '\t' && ch !== ' ') break;
  }
  let end = value.substring(endStart);
  const endNlPos = end.indexOf('\n');
  let chomp: string;
  if (endNlPos === -1) chomp = '-'; // strip
  else if (value === end || endNlPos !== end.length - 1) chomp = '+'; // keep
  else chomp = ''; // clip
  if (end) {
    value = value.slice(0, -end.length);
    if (end[end.length - 1] === '\n') end = end.slice(0, -1);
    end = end.replace(BLOCK_END_NEWLINES, `$&${indent}`);
  }
  // an indentation indicator when the text starts with a space
  let startWithSpace = false;
  let startEnd: number;
  let startNlPos = -1;
  for (startEnd = 0; startEnd < value.length; ++startEnd) {
    const ch = value[startEnd];
    if (ch === ' ') startWithSpace = true;
    else if (ch === '\n') startNlPos = startEnd;
    else break;
  }
  let start = value.substring(0, startNlPos < startEnd ? startNlPos + 1 : startEnd);
  if (start) {
    value = value.substring(start.length);
    start = start.replace(/\n+/g, `$&${indent}`);
  }
  const header = (startWithSpace ? '2' : '') + chomp;
  return `|${header}\n${indent}${start}${indentLines(value, indent)}${end}`;
}

const LARGE_TEXT = 1 << 20;
const NEWLINE = 0x0a;

/**
 * `s.replace(/\n+/g, `$&${indent}`)`: `indent` after every run of line breaks. Megabytes of text
 * (a dashboard of a thousand services is 27 MB) are copied through a buffer instead, since the
 * regular expression's replace holds several times the size of the text while it works.
 */
function indentLines(s: string, indent: string): string {
  if (s.length < LARGE_TEXT) return s.replace(/\n+/g, `$&${indent}`);
  // UTF-8 never uses the byte 0x0a inside a multi-byte character; the text has no lone
  // surrogates (those are written double-quoted, never as a block)
  const src = Buffer.from(s, 'utf8');
  const pad = Buffer.from(indent, 'utf8');
  const runEnd = (i: number) => {
    let j = i + 1;
    while (src[j] === NEWLINE) j++;
    return j;
  };
  let runs = 0;
  for (let i = src.indexOf(NEWLINE); i !== -1; i = src.indexOf(NEWLINE, runEnd(i))) runs++;
  const out = Buffer.allocUnsafe(src.length + runs * pad.length);
  let o = 0;
  let copied = 0;
  for (let i = src.indexOf(NEWLINE); i !== -1; i = src.indexOf(NEWLINE, copied)) {
    const end = runEnd(i);
    o += src.copy(out, o, copied, end);
    o += pad.copy(out, o);
    copied = end;
  }
  o += src.copy(out, o, copied);
  return out.toString('utf8', 0, o);
}

/** `/\n[\t ]+$/.test(s)` without scanning the whole string (a dashboard is megabytes). */
function endsWithBlankLine(s: string): boolean {
  let i = s.length;
  while (i > 0 && (s[i - 1] === ' ' || s[i - 1] === '\t')) i--;
  return i < s.length && i > 0 && s[i - 1] === '\n';
}
