// the PromQL grammar loads on first use: most apps never parse PromQL at synth
let promqlParser: typeof import('@prometheus-io/lezer-promql').parser | undefined;

/**
 * Where PromQL fails to parse, as `error at 12: ...expr...`, or undefined when it parses. The
 * Prometheus project's own grammar: what passes here is what Prometheus will load.
 */
export function promqlError(expr: string): string | undefined {
  if (expr.trim() === '') return 'it is empty';
  let at: number | undefined;
  promqlParser ??= (require('@prometheus-io/lezer-promql') as typeof import('@prometheus-io/lezer-promql')).parser;
  promqlParser.parse(expr).iterate({
    enter: n => {
      if (n.type.isError && at === undefined) at = n.from;
    },
  });
  if (at === undefined) return undefined;
  return `it does not parse at character ${at + 1}: ${expr.slice(Math.max(0, at - 15), at)}>>>${expr.slice(at, at + 15)}`;
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
