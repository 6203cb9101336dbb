/**
 * PromQL checked as Prometheus checks it after parsing, before it runs anything: the value type
 * of every node (scalar, instant vector, range vector, string), the argument count and types of
 * every function, the operands of binary operators and their modifiers, aggregation parameters,
 * subqueries, offset and @ modifiers, the selectors (regular expressions compiled as RE2, no
 * selector that matches every series) and the string escapes.
 *
 * The rules and messages follow Prometheus' parser at commit d15adb9ad7e5d9fbde3a9a8f30200593a5a14d86:
 * - promql/parser/functions.go, the table of functions (`FUNCTIONS` below is a copy of it);
 * - promql/parser/parse.go, `checkAST` (types of operators, calls, aggregations, subqueries,
 *   selectors), `newAggregateExpr`, `addOffset`, `getAtModifierVars`, `newLabelMatcher`;
 * - promql/parser/generated_parser.y, `matrix_selector` and `positive_duration_expr`;
 * - util/strutil/quote.go (string escapes) and model/labels/regexp.go (`NewFastRegexMatcher`:
 *   the regex is parsed with Go's regexp/syntax, Perl flags, and anchored as `^(?s:...)$`).
 * The tree is that of @prometheus-io/lezer-promql, the grammar of the Prometheus UI, which
 * parses what Prometheus parses but checks none of the above.
 *
 * What is checked is what a Prometheus started with default flags accepts: experimental
 * functions, `limitk`/`limit_ratio`, fill modifiers and `anchored`/`smoothed` are refused, as
 * Prometheus refuses them without `--enable-feature`.
 */
import type { parser as PromqlParser } from '@prometheus-io/lezer-promql';
import { AGGREGATORS, BINARY_OPERATORS, COMPARISONS, EXPERIMENTAL_FLAG, EXPRESSIONS, FUNCTIONS, M, S, SET_OPERATORS, STR, V, ValueType, signature } from './promql-functions';
import { durationLiteralSeconds, fullMatch, regexProblem, unquote } from './promql-strings';

export { FUNCTIONS, signature } from './promql-functions';
export type { PromqlFunction, ValueType } from './promql-functions';
export { regexProblem, unquote } from './promql-strings';

type Tree = ReturnType<typeof PromqlParser.parse>;
type Node = Tree['topNode'];

/** One thing Prometheus refuses, at characters `from` to `to` of the expression. */
export interface PromqlFinding {
  readonly from: number;
  readonly to: number;
  /** Prometheus' own words where it has them. */
  readonly message: string;
  /** What to write instead. */
  readonly hint?: string;
}


/** The children of a node that are not comments. */
function children(n: Node): Node[] {
  const out: Node[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) if (c.name !== 'LineComment') out.push(c);
  return out;
}

const isExpr = (n: Node): boolean => EXPRESSIONS.has(n.name);

/** Characters `from` to `to` of the expression. */
interface Span {
  readonly from: number;
  readonly to: number;
}

/** The expression as Prometheus' parser builds it (see `build`). */
type Ast = Span & (
  | { readonly kind: 'number' | 'string' | 'selector'; readonly node: Node }
  | { readonly kind: 'paren' | 'unary'; readonly expr: Ast }
  | { readonly kind: 'offset' | 'at' | 'anchored' | 'smoothed'; readonly expr: Ast }
  | { readonly kind: 'matrix'; readonly expr: Ast; readonly range: Node }
  | { readonly kind: 'subquery'; readonly expr: Ast; readonly range: Node; readonly step?: Node }
  | { readonly kind: 'binary'; readonly lhs: Ast; readonly rhs: Ast; readonly op: Node; readonly bool: boolean; readonly matching?: Node; readonly fill?: Node }
  | { readonly kind: 'call'; readonly id: Node; readonly args: readonly Ast[] }
  | { readonly kind: 'aggregate'; readonly op: string; readonly args: readonly Ast[] }
);
type Of<K extends Ast['kind']> = Ast & { readonly kind: K };

/**
 * The lezer tree as Prometheus' parser groups it. lezer-promql applies the postfix parts (a
 * range, a subquery, offset, @, anchored, smoothed) to the whole binary or unary expression
 * before them (`a and x offset 1d` as `(a and x) offset 1d`); Prometheus' grammar gives them
 * the highest precedence (generated_parser.y: `%nonassoc OFFSET`, `%right LEFT_BRACKET`, and
 * yacc's shift for @), so they apply to the last operand: `a and (x offset 1d)`.
 */
function build(text: string, n: Node): Ast {
  const inner = (): Ast => build(text, children(n).find(isExpr)!);
  const span = { from: n.from, to: n.to };
  /** A postfix part over `e`, moved onto its last operand. */
  const postfix = (e: Ast, wrap: (operand: Ast) => Ast): Ast => {
    if (e.kind === 'binary') {
      const rhs = postfix(e.rhs, wrap);
      return { ...e, rhs, to: rhs.to };
    }
    if (e.kind === 'unary') {
      const expr = postfix(e.expr, wrap);
      return { ...e, expr, to: expr.to };
    }
    return wrap(e);
  };
  switch (n.name) {
    case 'PromQL': return inner();
    case 'NumberDurationLiteral': return { kind: 'number', node: n, ...span };
    case 'StringLiteral': return { kind: 'string', node: n, ...span };
    case 'VectorSelector': return { kind: 'selector', node: n, ...span };
    case 'ParenExpr': return { kind: 'paren', expr: inner(), ...span };
    case 'UnaryExpr': return { kind: 'unary', expr: inner(), ...span };
    case 'MatrixSelector': {
      const [e, range] = children(n);
      return postfix(build(text, e), operand => ({ kind: 'matrix', expr: operand, range, from: operand.from, to: n.to }));
    }
    case 'SubqueryExpr': {
      const [e, range, step] = children(n);
      return postfix(build(text, e), operand => ({ kind: 'subquery', expr: operand, range, ...(step ? { step } : {}), from: operand.from, to: n.to }));
    }
    case 'OffsetExpr': case 'StepInvariantExpr': case 'AnchoredExpr': case 'SmoothedExpr': {
      const kind = ({ OffsetExpr: 'offset', StepInvariantExpr: 'at', AnchoredExpr: 'anchored', SmoothedExpr: 'smoothed' } as const)[n.name];
      return postfix(inner(), operand => ({ kind, expr: operand, from: operand.from, to: n.to }));
    }
    case 'FunctionCall': {
      const [id, body] = children(n);
      return { kind: 'call', id, args: children(body).filter(isExpr).map(c => build(text, c)), ...span };
    }
    case 'AggregateExpr': {
      const parts = children(n);
      const op = parts.find(c => c.name === 'AggregateOp')!;
      const body = parts.find(c => c.name === 'FunctionCallBody')!;
      return { kind: 'aggregate', op: text.slice(op.from, op.to).toLowerCase(), args: children(body).filter(isExpr).map(c => build(text, c)), ...span };
    }
    case 'BinaryExpr': {
      const parts = children(n);
      const rhsNode = parts[parts.length - 1];
      return {
        kind: 'binary', lhs: build(text, parts[0]), rhs: build(text, rhsNode),
        op: parts.find((c, i) => i > 0 && i < parts.length - 1 && BINARY_OPERATORS.has(c.name))!,
        bool: parts.some(c => c.name === 'BoolModifier'),
        matching: parts.find(c => c.name === 'MatchingModifierClause'),
        fill: parts.find(c => c.name === 'FillModifier'),
        ...span,
      };
    }
    default:
      throw new Error(`unknown PromQL node ${n.name}`);
  }
}

/**
 * The value type of a parsed expression and what Prometheus refuses in it. `tree` is the
 * lezer-promql tree of `text`, without syntax errors.
 */
export function checkPromqlTree(text: string, tree: Tree): { type?: ValueType; findings: PromqlFinding[] } {
  const findings: PromqlFinding[] = [];
  const src = (n: Span): string => text.slice(n.from, n.to);
  const fail = (n: Span, message: string, hint?: string): undefined => {
    findings.push({ from: n.from, to: n.to, message, ...(hint ? { hint } : {}) });
    return undefined;
  };

  /** The type of an expression, checking it and everything below it. */
  const typeOf = (n: Ast): ValueType | undefined => {
    switch (n.kind) {
      case 'number': return S;
      case 'string':
        stringValue(n.node);
        return STR;
      case 'paren': return typeOf(n.expr);
      case 'selector':
        vectorSelector(n.node);
        return V;
      case 'matrix': return matrixSelector(n);
      case 'subquery': return subquery(n);
      case 'offset': case 'at': case 'anchored': case 'smoothed':
        return modifier(n);
      case 'unary': {
        const t = typeOf(n.expr);
        if (t && t !== S && t !== V) fail(n, `unary expression only allowed on expressions of type scalar or instant vector, got ${t}`);
        return t;
      }
      case 'call': return call(n);
      case 'aggregate': return aggregation(n);
      case 'binary': return binary(n);
    }
  };

  /** A string literal's value as Prometheus reads it (util/strutil/quote.go), or undefined when it refuses the escapes. */
  const stringValue = (n: Node): string | undefined => {
    const raw = src(n);
    const value = unquote(raw);
    if (value === undefined) {
      const bad = /\\[^abfnrtv\\'"xuU0-7]/.exec(raw)?.[0];
      fail(n, `error unquoting string ${raw}: invalid syntax`, bad
        ? `'${bad}' is no escape sequence in a PromQL string: double the backslash (${raw.replace(/\\(?=[^abfnrtv\\'"xuU0-7])/g, '\\\\')}) or quote with backticks (\`${raw.slice(1, -1)}\`)`
        : 'close the string with the quote it opens with, and escape that quote inside it with a backslash');
    }
    return value;
  };

  const vectorSelector = (n: Node): void => {
    const parts = children(n);
    const name = parts.find(c => c.name === 'Identifier');
    const matchers = children(parts.find(c => c.name === 'LabelMatchers') ?? n).filter(c => c.name !== 'Identifier');
    let nonEmpty = name !== undefined;
    let names = name ? 1 : 0;
    for (const m of matchers) {
      if (m.name === 'QuotedLabelName') {
        // `{"my.metric"}`: the metric name, quoted
        stringValue(m.firstChild!);
        names++;
        nonEmpty = true;
        continue;
      }
      const [labelNode, opNode, valueNode] = children(m);
      if (!labelNode || !opNode || !valueNode) continue;
      const label = labelNode.name === 'QuotedLabelName' ? stringValue(labelNode.firstChild!) : src(labelNode);
      const op = src(opNode);
      const value = stringValue(valueNode);
      if (label === '__name__') names++;
      if (value === undefined) {
        nonEmpty = true;
        continue;
      }
      let matchesEmpty: boolean;
      if (op === '=~' || op === '!~') {
        const problem = regexProblem(value);
        if (problem) {
          fail(m, `the regular expression ${src(valueNode)} of label ${label} does not compile as RE2 (Go's regexp, which Prometheus uses): ${problem.message}`, problem.hint);
          nonEmpty = true;
          continue;
        }
        const full = fullMatch(value, '');
        matchesEmpty = op === '=~' ? full : !full;
      } else {
        matchesEmpty = op === '=' ? value === '' : value !== '';
      }
      if (!matchesEmpty) nonEmpty = true;
    }
    if (names > 1) fail(n, 'metric name must not be set twice', `name the metric once: ${name ? `${src(name)}{...}` : '{__name__="..."}'}`);
    if (!nonEmpty) {
      fail(n, 'vector selector must contain at least one non-empty matcher',
        'a selector whose every matcher matches the empty value would select every series: name the metric, or match a label with a value that is not empty');
    }
  };

  /** The offset and @ modifiers over an expression: the expression they apply to, and how many of each. */
  const modifiers = (n: Ast): { base: Ast; offsets: number; ats: number } => {
    let base = n;
    let offsets = 0;
    let ats = 0;
    for (;;) {
      if (base.kind === 'offset') offsets++;
      else if (base.kind === 'at') ats++;
      else if (base.kind !== 'anchored' && base.kind !== 'smoothed') return { base, offsets, ats };
      base = (base as Of<'offset'>).expr;
    }
  };

  const matrixSelector = (n: Of<'matrix'>): ValueType => {
    const inner = n.expr;
    const rangeText = src(n.range);
    const { base, offsets, ats } = modifiers(inner);
    if (base.kind !== 'selector') {
      const fnName = base.kind === 'call' ? src(base.id) : undefined;
      fail(n, `ranges only allowed for vector selectors, got ${src(inner)}`, base.kind === 'matrix'
        ? 'one range is enough: write the selector with one [range]'
        : `take a range of a series selector, such as x[5m]; for the range of an expression use a subquery, such as ${inner.kind === 'paren' ? src(inner) : `(${src(inner)})`}[5m:1m]${fnName && /^(rate|irate|increase|delta|idelta|deriv)$/.test(fnName) ? `, or give ${fnName}() its selector directly` : ''}`);
      typeOf(inner);
    } else if (offsets > 0) {
      fail(n, 'no offset modifiers allowed before range', `write the offset after the range: ${src(base)}[${rangeText}] offset ...`);
    } else if (ats > 0) {
      fail(n, 'no @ modifiers allowed before range', `write the @ modifier after the range: ${src(base)}[${rangeText}] @ ...`);
    } else {
      typeOf(inner);
    }
    positiveDuration(n.range);
    return M;
  };

  const subquery = (n: Of<'subquery'>): ValueType => {
    const t = typeOf(n.expr);
    if (t && t !== V) fail(n, `subquery is only allowed on instant vector, got ${t} instead`, t === M ? `a range vector has its range already: drop the ${src(n).slice(src(n.expr).length)}` : undefined);
    positiveDuration(n.range);
    if (n.step) positiveDuration(n.step);
    return M;
  };

  /** A range or a subquery step: a duration above 0. */
  const positiveDuration = (d: Node | undefined): void => {
    if (!d || d.name !== 'DurationExpr') return;
    const parts = children(d);
    if (parts.length !== 1 || parts[0].name !== 'NumberDurationLiteralInDurationContext') return; // a duration expression
    const seconds = durationLiteralSeconds(src(parts[0]));
    if (seconds !== undefined && seconds <= 0) fail(d, 'duration must be greater than 0', 'use a range such as 5m');
  };

  /** `x offset 5m`, `x @ end()`, `x anchored`: on a selector or a subquery, each once. */
  const modifier = (n: Of<'offset' | 'at' | 'anchored' | 'smoothed'>): ValueType | undefined => {
    const t = typeOf(n.expr);
    if (n.kind === 'anchored' || n.kind === 'smoothed') {
      return fail(n, `${n.kind} modifier is experimental and not enabled`, 'Prometheus refuses it unless started with --enable-feature=promql-extended-range-selectors');
    }
    const { base, offsets, ats } = modifiers(n.expr);
    const what = n.kind === 'offset' ? 'offset modifier' : '@ modifier';
    if (!['selector', 'matrix', 'subquery'].includes(base.kind)) {
      const example = n.kind === 'offset' ? 'offset 1h' : '@ end()';
      return fail(n, `${what} must be preceded by an instant vector selector or range vector selector or a subquery`,
        `put it on the selector inside: such as rate(x[5m] ${example}), not rate(x[5m]) ${example}`);
    }
    if (n.kind === 'offset' && offsets > 0) fail(n, 'offset may not be set multiple times', 'add the offsets into one');
    if (n.kind === 'at' && ats > 0) fail(n, '@ <timestamp> may not be set multiple times', 'keep one @ modifier');
    return t;
  };

  const call = (n: Of<'call'>): ValueType | undefined => {
    const name = src(n.id);
    const args = n.args;
    const f = FUNCTIONS[name];
    if (!f) {
      args.forEach(typeOf);
      return fail(n.id, `unknown function with name ${name}`);
    }
    if (f.experimental) fail(n.id, `function ${name} is not enabled`, `${name}() is experimental: Prometheus refuses it unless started with ${EXPERIMENTAL_FLAG}`);
    const sig = `${name} takes ${signature(name, f).slice(name.length)}`;
    const required = f.variadic === 0 ? f.args.length : f.args.length - 1;
    if (f.variadic === 0 && args.length !== required) {
      fail(n, `expected ${required} argument(s) in call to function ${name}, got ${args.length}`, callHint(name, args.map(src)) ?? sig);
    } else if (f.variadic !== 0 && args.length < required) {
      fail(n, `expected at least ${required} argument(s) in call to function ${name}, got ${args.length}`, callHint(name, args.map(src)) ?? sig);
    } else if (f.variadic > 0 && args.length > required + f.variadic) {
      fail(n, `expected at most ${required + f.variadic} argument(s) in call to function ${name}, got ${args.length}`, sig);
    }
    args.forEach((arg, i) => {
      if (i >= f.args.length && f.variadic === 0) {
        typeOf(arg);
        return;
      }
      const want = f.args[Math.min(i, f.args.length - 1)];
      const t = typeOf(arg);
      if (t && t !== want) fail(arg, `expected type ${want} in call to function ${name}, got ${t}`, typeHint(name, want, t, arg.kind, src(arg)) ?? sig);
    });
    // the regular expression of label_replace compiles at every evaluation, and fails it when it does not
    const re = args[4];
    if (name === 'label_replace' && re?.kind === 'string') {
      const value = unquote(src(re));
      const problem = value === undefined ? undefined : regexProblem(value);
      if (problem) fail(re, `invalid regular expression in label_replace(): ${problem.message}`, problem.hint);
    }
    return f.returns;
  };

  const aggregation = (n: Of<'aggregate'>): ValueType => {
    const { op, args } = n;
    const a = AGGREGATORS[op] ?? {};
    const example = a.param === STR ? '"value"' : op === 'quantile' ? '0.99' : '5';
    if (a.experimental) {
      fail(n, `${op}() is experimental and must be enabled with ${EXPERIMENTAL_FLAG}`, op === 'limitk' ? 'use topk() or bottomk()' : undefined);
      return V;
    }
    if (args.length === 0) {
      fail(n, 'no arguments for aggregate expression provided', a.param ? `${op} takes a parameter and an instant vector: ${op}(${example}, x)` : `such as ${op}(x)`);
      return V;
    }
    const wanted = a.param ? 2 : 1;
    if (args.length !== wanted) {
      fail(n, `wrong number of arguments for aggregate expression provided, expected ${wanted}, got ${args.length}`, a.param
        ? `${op} takes its parameter first: ${op}(${example}, ${src(args[args.length - 1])})`
        : `${op} takes one instant vector: ${op}(...)${args.length > 1 ? `; to ${op} several, join them with an operator` : ''}`);
      args.forEach(typeOf);
      return V;
    }
    const expr = args[wanted - 1];
    const t = typeOf(expr);
    if (t && t !== V) {
      const plain = src(expr).replace(/\[[^\]]*\]$/, '');
      fail(expr, `expected type instant vector in aggregation expression, got ${t}`, t === M
        ? `aggregate a function of the range, such as ${op}(rate(${src(expr)}))${a.param ? '' : ` or ${op}(${plain})`}${FUNCTIONS[`${op}_over_time`] ? `, or ${op}_over_time(${src(expr)}) for each series over time` : ''}`
        : t === S ? `aggregate an instant vector; a scalar is one value already${a.param ? '' : ` (vector(${src(expr)}) makes it a vector)`}` : undefined);
    }
    if (a.param) {
      const p = args[0];
      const pt = typeOf(p);
      if (pt && pt !== a.param) {
        fail(p, `expected type ${a.param} in aggregation parameter, got ${pt}`,
          a.param === STR ? `count_values takes the name of the output label as a string: count_values("value", ${src(expr)})` : `${op} takes a number first: ${op}(${example}, ${src(expr)})`);
      }
    }
    return V;
  };

  const binary = (n: Of<'binary'>): ValueType | undefined => {
    const { lhs, rhs, matching, fill, bool } = n;
    const op = n.op.name;
    const opText = src(n.op).toLowerCase();
    const lt = typeOf(lhs);
    const rt = typeOf(rhs);
    if (fill) fail(fill, 'binop fill modifiers are experimental and not enabled', 'Prometheus refuses them unless started with --enable-feature=promql-binop-fill-modifiers: use `or` to fill missing series');
    if (bool && !COMPARISONS.has(op)) fail(n.op, 'bool modifier can only be used on comparison operators', `drop bool after ${opText}`);
    if (COMPARISONS.has(op) && !bool && lt === S && rt === S) {
      fail(n.op, 'comparisons between scalars must use BOOL modifier', `write ${src(lhs)} ${opText} bool ${src(rhs)} (0 or 1), or compare an instant vector such as vector(...)`);
    }
    const grouping: { on: boolean; labels: string[]; group?: string; include: string[] } = { on: false, labels: [], include: [] };
    if (matching) {
      let seenGroup = false;
      for (const c of children(matching)) {
        if (c.name === 'On') grouping.on = true;
        else if (c.name === 'GroupLeft' || c.name === 'GroupRight') {
          grouping.group = src(c).toLowerCase();
          seenGroup = true;
        } else if (c.name === 'GroupingLabels') {
          const labels = children(c).map(l => (l.name === 'QuotedLabelName' ? unquote(src(l.firstChild!)) ?? src(l) : src(l)));
          if (seenGroup) grouping.include = labels;
          else grouping.labels = labels;
        }
      }
      if (grouping.on) {
        for (const l of grouping.labels) {
          if (grouping.include.includes(l)) fail(matching, `label ${l} must not occur in ON and GROUP clause at once`, `on() lists the labels that match, ${grouping.group}() the extra labels to copy: name ${l} in one of them`);
        }
      }
    }
    for (const [side, t] of [[lhs, lt], [rhs, rt]] as const) {
      if (t && t !== S && t !== V) {
        fail(side, `binary expression must contain only scalar and instant vector types, got ${t}`,
          t === M ? `take a function of the range first, such as rate(${src(side)})` : 'a string cannot be an operand');
      }
    }
    const vectors = lt === V && rt === V;
    if (lt && rt && !vectors && matching && grouping.labels.length > 0) {
      fail(n, 'vector matching only allowed between instant vectors', `drop ${src(matching)}: with a scalar every series matches`);
    } else if (vectors && SET_OPERATORS.has(op) && grouping.group) {
      fail(n, `no grouping allowed for ${opText} operation`, `${opText} is many-to-many: drop ${grouping.group}(...)`);
    }
    if ((lt === S || rt === S) && SET_OPERATORS.has(op)) {
      fail(n, `set operator ${opText} not allowed in binary scalar expression`, `${opText} works on instant vectors: make the scalar one with vector(...)`);
    }
    if (!lt || !rt) return undefined;
    return lt === S && rt === S ? S : V;
  };

  const type = typeOf(build(text, tree.topNode));
  return { type, findings };
}

/** The hint for a call with too few or too many arguments of functions people mix up. */
function callHint(name: string, args: string[]): string | undefined {
  if (name === 'histogram_quantile' && args.length === 1) return `histogram_quantile takes the quantile first: histogram_quantile(0.99, ${args[0]})`;
  if (name === 'quantile_over_time' && args.length === 1) return `quantile_over_time takes the quantile first: quantile_over_time(0.99, ${args[0]})`;
  if (name === 'predict_linear' && args.length === 1) return `predict_linear takes the seconds ahead as well: predict_linear(${args[0]}, 3600)`;
  return undefined;
}

/** What to write when an argument has the wrong type. */
function typeHint(name: string, want: ValueType, got: ValueType, kind: string, text: string): string | undefined {
  if (want === M && got === V) {
    return kind === 'selector'
      ? `give the selector a range: ${name}(${text}[5m])`
      : `${name}() takes a range vector: a selector with a range such as x[5m], or a subquery such as (${text})[5m:1m]`;
  }
  if (want === V && got === M) {
    if (FUNCTIONS[`${name}_over_time`]) return `${name}_over_time(${text}) is ${name}() over a range`;
    return `take a function of the range first, such as ${name}(rate(${text}))${kind === 'matrix' ? `, or drop the range: ${name}(${text.replace(/\[[^\]]*\]$/, '')})` : ''}`;
  }
  if (want === S && got === V) return `a scalar is a number, or scalar(${text}) of a one-series vector`;
  if (want === V && got === S) return `vector(${text}) makes an instant vector of a scalar`;
  if (want === STR) return `quote it: "${text.replace(/"/g, '')}"`;
  return undefined;
}
