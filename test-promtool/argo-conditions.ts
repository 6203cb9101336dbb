/**
 * Argo Rollouts' verdict on one measurement, for tests: its `successCondition` and
 * `failureCondition` evaluated on a Prometheus result the way the controller does
 * (utils/evaluate/evaluate.go, v1.9): a vector query gives `result`, the list of its sample
 * values; each condition is an expr-lang expression over it; then
 *
 * - failure condition true: Failed;
 * - neither true: Inconclusive;
 * - success condition true: Successful;
 * - an expression that fails to evaluate (`result[0]` of an empty result): Error.
 *
 * The evaluator covers the expr-lang subset the library's conditions are written in: `&&` and
 * `||` (short-circuit, `&&` binding tighter), comparisons (`<`, `<=`, `>`, `>=`, `==`, `!=`)
 * of `len(result)`, `result[<index>]` and decimal numbers, with Go's float semantics (every
 * comparison with NaN is false). Anything else throws, so a condition outside it cannot pass a
 * test unnoticed.
 */

export type Phase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

class EvaluationError extends Error {}

type Token = { kind: 'num'; value: number } | { kind: 'op'; value: string } | { kind: 'word'; value: string } | { kind: 'punct'; value: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:([0-9]+(?:\.[0-9]+)?)|(&&|\|\||<=|>=|==|!=|<|>)|([A-Za-z_][A-Za-z0-9_]*)|([()[\]]))/y;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) throw new Error(`unsupported condition syntax at ${at}: ${text.slice(at)}`);
    if (m[1] !== undefined) tokens.push({ kind: 'num', value: Number(m[1]) });
    else if (m[2] !== undefined) tokens.push({ kind: 'op', value: m[2] });
    else if (m[3] !== undefined) tokens.push({ kind: 'word', value: m[3] });
    else tokens.push({ kind: 'punct', value: m[4] });
    at = re.lastIndex;
  }
  return tokens;
}

/** Evaluates one condition on `result`; throws EvaluationError where expr-lang would fail at run time. */
export function evaluateCondition(condition: string, result: readonly number[]): boolean {
  const tokens = tokenize(condition);
  let i = 0;
  const peek = () => tokens[i];
  const expect = (kind: Token['kind'], value?: string) => {
    const t = tokens[i++];
    if (!t || t.kind !== kind || (value !== undefined && t.value !== value)) throw new Error(`unsupported condition syntax in '${condition}' at token ${i}`);
    return t;
  };
  // operands are parsed always (so a syntax error is found whatever the data) and evaluated lazily
  const operand = (): (() => number) => {
    const t = tokens[i++];
    if (t?.kind === 'num') return () => t.value;
    if (t?.kind === 'word' && t.value === 'len') {
      expect('punct', '(');
      expect('word', 'result');
      expect('punct', ')');
      return () => result.length;
    }
    if (t?.kind === 'word' && t.value === 'result') {
      expect('punct', '[');
      const index = expect('num').value as number;
      expect('punct', ']');
      return () => {
        if (index >= result.length) throw new EvaluationError(`index out of range: ${index} (array length is ${result.length})`);
        return result[index];
      };
    }
    throw new Error(`unsupported condition syntax in '${condition}' at token ${i}`);
  };
  const comparison = (): (() => boolean) => {
    const left = operand();
    const op = expect('op').value as string;
    const right = operand();
    const compare: Record<string, (a: number, b: number) => boolean> = {
      '<': (a, b) => a < b, '<=': (a, b) => a <= b, '>': (a, b) => a > b, '>=': (a, b) => a >= b, '==': (a, b) => a === b, '!=': (a, b) => a !== b,
    };
    if (!compare[op]) throw new Error(`unsupported operator '${op}' in '${condition}'`);
    return () => compare[op](left(), right());
  };
  const conjunction = (): (() => boolean) => {
    const parts = [comparison()];
    while (peek()?.kind === 'op' && peek().value === '&&') {
      i++;
      parts.push(comparison());
    }
    return () => parts.every(p => p());
  };
  const parts = [conjunction()];
  while (peek()?.kind === 'op' && peek().value === '||') {
    i++;
    parts.push(conjunction());
  }
  if (i !== tokens.length) throw new Error(`unsupported condition syntax in '${condition}' at token ${i}`);
  return parts.some(p => p());
}

/** The phase of one measurement with both conditions set (evaluate.EvaluateResult). */
export function measurementPhase(metric: { readonly successCondition: string; readonly failureCondition: string }, result: readonly number[]): Phase {
  try {
    const success = evaluateCondition(metric.successCondition, result);
    const failure = evaluateCondition(metric.failureCondition, result);
    if (failure) return 'Failed';
    return success ? 'Successful' : 'Inconclusive';
  } catch (e) {
    if (e instanceof EvaluationError) return 'Error';
    throw e;
  }
}
