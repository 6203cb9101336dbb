import { checkPromqlTree, type PromqlFinding, type ValueType } from './promql-types';

// the PromQL grammar loads on first use: most apps never parse PromQL at synth
let promqlParser: typeof import('@prometheus-io/lezer-promql').parser | undefined;

/** What Prometheus makes of an expression: where it refuses it, else the type of its result. */
export interface PromqlCheck {
  /** `it does not parse at character 12: ...`, or what Prometheus refuses and what to write; undefined when it loads. */
  readonly problem?: string;
  /** The value type of the result; undefined when it does not parse. */
  readonly type?: ValueType;
}

/**
 * Checks PromQL as Prometheus loads it: the Prometheus project's own grammar (lezer-promql),
 * then the checks Prometheus' parser makes after parsing (promql-types.ts: types, function
 * arguments, operators, modifiers, regular expressions as RE2, string escapes).
 */
export function checkPromql(expr: string): PromqlCheck {
  if (expr.trim() === '') return { problem: 'it is empty' };
  let at: number | undefined;
  promqlParser ??= (require('@prometheus-io/lezer-promql') as typeof import('@prometheus-io/lezer-promql')).parser;
  const tree = promqlParser.parse(expr);
  tree.iterate({
    enter: n => {
      if (n.type.isError && at === undefined) at = n.from;
    },
  });
  if (at !== undefined) {
    return { problem: `it does not parse at character ${at + 1}: ${expr.slice(Math.max(0, at - 15), at)}>>>${expr.slice(at, at + 15)}` };
  }
  const { type, findings } = checkPromqlTree(expr, tree);
  return findings.length ? { problem: describeFinding(expr, findings[0]), type } : { type };
}

/**
 * Where Prometheus refuses PromQL, as `it does not parse at character 12: ...` or `Prometheus
 * refuses it: <its message> at character 6 ('x'); <the fix>`; undefined when it loads.
 */
export function promqlError(expr: string): string | undefined {
  return checkPromql(expr).problem;
}

/** A finding for a message: Prometheus' words, where, and the fix. */
export function describeFinding(expr: string, f: PromqlFinding): string {
  const at = expr.slice(f.from, f.to);
  const shown = at.length > 60 ? `${at.slice(0, 57)}...` : at;
  return `Prometheus refuses it: ${f.message}, at character ${f.from + 1} (${shown})${f.hint ? `; ${f.hint}` : ''}`;
}

// Kubernetes' name-suffix alphabet (no vowels, no 0, 1, 3): what ReplicaSet and pod suffixes use
export const SAFE_CHAR = '[bcdfghjklmnpqrstvwxz2456789]';

/**
 * A regular expression matching exactly the pods of Deployment `name` (or of any of `names`):
 * `<name>-<pod-template-hash>-<5 chars>`. The hash and suffix use an alphabet without vowels, so
 * the pods of a Job or Deployment named `<name>-migrate` (or `<name>-api`) never match.
 */
export function podNamePattern(...names: string[]): string {
  const escaped = names.map(regexLiteral);
  return `${escaped.length === 1 ? escaped[0] : `(?:${escaped.join('|')})`}-${POD_SUFFIX}`;
}

/** A label matcher for any of `names`: `label="a"`, or `label=~"a|b"` for several. */
export function anyOf(label: string, names: readonly string[]): string {
  return names.length === 1 ? `${label}=${promqlString(names[0])}` : `${label}=~${promqlString(names.map(regexLiteral).join('|'))}`;
}

/** `text` as a regular expression matching it literally. */
export function regexLiteral(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** What follows `<deployment>-` in the name of its pods: the pod-template-hash and the pod's own suffix. */
export const POD_SUFFIX = `${SAFE_CHAR}{1,10}-${SAFE_CHAR}{5}`;

/** A PromQL double-quoted string literal. */
export function promqlString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
