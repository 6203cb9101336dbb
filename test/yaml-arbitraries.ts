import fc from 'fast-check';

// Random manifest data for the YAML emitter's tests (test/manifest-yaml.property.test.ts,
// test/fast-synth.test.ts): strings that YAML reads as something else, need quotes or escapes,
// or span lines.

// Strings that stress the quoting rules of YAML 1.1 (what cdk8s writes).
const TRICKY = [
  '', ' ', 'yes', 'no', 'on', 'off', 'y', 'n', 'Y', 'N', 'YES', 'Off', 'true', 'False', 'TRUE', '~', 'null', 'Null', 'NULL',
  '0', '0123', '0o17', '0x1F', '0b101', '1e3', '1E-3', '.5', '5.', '-1', '+1', '1_000', '12:30:00', '190:20:30.15',
  '2024-01-01', '2001-12-14t21:59:43.10-05:00', '<<', '.inf', '-.Inf', '.nan', '1.0.0', '30s', '250m', '256Mi',
  ' leading', 'trailing ', 'a: b', 'a:b', 'key:', ':', 'a #b', 'a#b', '#', '#x', '- x', '-', '--', '?', '? x', '?x',
  '---', '--- x', '...', '...x', '%x', '@x', '`x', '!x', '&a', '*a', '|x', '>x', '[x]', '{x}', 'a,b', ',',
  '"double"', "'single'", 'it\'s "both"', 'say "hi"', "it's",
  'multi\nline', 'multi\nline\n', 'trail\n\n', 'trail\n\n\n', '\nlead', '\n\nlead', '  indented\nx', ' a\nb', 'x\n  ', 'x\n\t',
  'a \nb', 'a\n b', 'a\n\nb', '\n', '\n\n', 'tab\there', '\t', '\tlead', 'a\r\nb', '\r', 'x\n---\ny', '---\nx', '%YAML\nx',
  '\x07bell', '\x00nul', '\x1b[0m', '\x7f', '\u0085', '\u00a0nbsp', '\u2028', 'é', '日本語', '😀', '\ud800', 'a\udc00b',
  'http://example.com:8080/path?q=1#frag', 'sum(rate(x{job="a"}[5m]))', '{{pod}}', '${datasource}', '$(VAR)',
  'a'.repeat(120), 'word '.repeat(40), `${'long line '.repeat(12)}\n${'x'.repeat(100)}`, 'k'.repeat(1100),
];
const PIECES = ['a', 'Z', '0', '9', ' ', '  ', '\n', '\t', ':', '#', '-', '?', "'", '"', '\\', ',', '[', '{', '}', '|', '>', '%', '@', '`', '!', '&', '*', '.', '~', 'é', '😀', '\u2028', '\x01'];

export const text = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TRICKY) },
  { weight: 3, arbitrary: fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }).map(a => a.join('')) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom(...TRICKY), { minLength: 2, maxLength: 3 }).map(a => a.join('')) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 10 }) },
);
const scalar = fc.oneof(
  { weight: 6, arbitrary: text },
  { weight: 2, arbitrary: fc.integer({ min: -100000, max: 100000 }) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, 1e21, 1.5e-7, Number.MAX_SAFE_INTEGER, NaN, Infinity, -Infinity, 0.1) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined) },
);
export const { value } = fc.letrec<{ value: unknown; map: Record<string, unknown>; list: unknown[] }>(tie => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('map'), tie('list')),
  map: fc.dictionary(text, tie('value'), { maxKeys: 5 }),
  list: fc.array(tie('value'), { maxLength: 4 }),
}));
// a manifest-like document: a map (or, rarely, a list) at the root
export const manifest = fc.oneof(
  { weight: 5, arbitrary: fc.record({ apiVersion: fc.constant('v1'), kind: text, metadata: fc.record({ name: text, labels: fc.dictionary(text, text, { maxKeys: 4 }) }), spec: fc.dictionary(text, value, { maxKeys: 4 }) }) },
  { weight: 2, arbitrary: fc.dictionary(text, value, { maxKeys: 6 }) },
  { weight: 1, arbitrary: fc.array(value, { maxLength: 4 }) },
);
