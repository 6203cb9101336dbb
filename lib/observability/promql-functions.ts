// The value types of PromQL and Prometheus' table of functions, aggregations and operators
// (promql/parser/functions.go and parse.go at commit d15adb9ad7e5d9fbde3a9a8f30200593a5a14d86):
// what ./promql-types.ts checks calls and operators against.

/** The value types of PromQL, as Prometheus' messages name them (`DocumentedType`). */
export type ValueType = 'scalar' | 'instant vector' | 'range vector' | 'string';

export const S: ValueType = 'scalar';
export const V: ValueType = 'instant vector';
export const M: ValueType = 'range vector';
export const STR: ValueType = 'string';

/** A PromQL function: argument types, how many more of the last one it takes, its result. */
export interface PromqlFunction {
  readonly args: readonly ValueType[];
  /** 0: exactly `args`; n > 0: the last argument is optional and may repeat up to n times; -1: any number of the last. */
  readonly variadic: number;
  readonly returns: ValueType;
  /** Refused unless Prometheus runs with `--enable-feature=promql-experimental-functions`. */
  readonly experimental?: boolean;
}

const fn = (args: ValueType[], returns: ValueType, variadic = 0, experimental = false): PromqlFunction =>
  ({ args, variadic, returns, ...(experimental ? { experimental } : {}) });
const overTime = fn([M], V);
const math = fn([V], V);
const date = fn([V], V, 1);

/** Prometheus' function table (promql/parser/functions.go at the commit above). */
export const FUNCTIONS: Readonly<Record<string, PromqlFunction>> = {
  abs: math, absent: math, absent_over_time: overTime, acos: math, acosh: math, asin: math, asinh: math, atan: math, atanh: math,
  avg_over_time: overTime, ceil: math, changes: overTime,
  clamp: fn([V, S, S], V), clamp_max: fn([V, S], V), clamp_min: fn([V, S], V),
  cos: math, cosh: math, count_over_time: overTime,
  days_in_month: date, day_of_month: date, day_of_week: date, day_of_year: date,
  deg: math, end: fn([], S, 0, true), delta: overTime, deriv: overTime, exp: math, first_over_time: overTime, floor: math,
  histogram_avg: math, histogram_count: math, histogram_sum: math, histogram_stddev: math, histogram_stdvar: math,
  histogram_fraction: fn([S, S, V], V), histogram_quantile: fn([S, V], V),
  histogram_quantiles: fn([V, STR, S, S], V, 9, true),
  double_exponential_smoothing: fn([M, S, S], V, 0, true),
  hour: date, idelta: overTime, increase: overTime, info: fn([V, V], V, 1, true), irate: overTime,
  label_replace: fn([V, STR, STR, STR, STR], V), label_join: fn([V, STR, STR, STR], V, -1),
  max_of: fn([S, S], S, 0, true), last_over_time: overTime, min_of: fn([S, S], S, 0, true),
  ln: math, log10: math, log2: math, mad_over_time: fn([M], V, 0, true),
  max_over_time: overTime, min_over_time: overTime,
  ts_of_first_over_time: fn([M], V, 0, true), ts_of_max_over_time: fn([M], V, 0, true),
  ts_of_min_over_time: fn([M], V, 0, true), ts_of_last_over_time: fn([M], V, 0, true),
  minute: date, month: date, pi: fn([], S), predict_linear: fn([M, S], V), present_over_time: overTime,
  quantile_over_time: fn([S, M], V), rad: math, range: fn([], S, 0, true), rate: overTime, resets: overTime,
  round: fn([V, S], V, 1), scalar: fn([V], S), sgn: math, sin: math, sinh: math, sort: math, sort_desc: math,
  sort_by_label: fn([V, STR], V, -1, true), sort_by_label_desc: fn([V, STR], V, -1, true),
  sqrt: math, start: fn([], S, 0, true), start_timestamp: fn([V], V, 0, true), step: fn([], S, 0, true),
  stddev_over_time: overTime, stdvar_over_time: overTime, sum_over_time: overTime, tan: math, tanh: math,
  time: fn([], S), timestamp: math, vector: fn([S], V), year: date,
};

/** Aggregation operators and the type of their parameter (lex.go `IsAggregatorWithParam`, parse.go `checkAST`). */
export const AGGREGATORS: Readonly<Record<string, { readonly param?: ValueType; readonly experimental?: boolean }>> = {
  sum: {}, avg: {}, count: {}, min: {}, max: {}, group: {}, stddev: {}, stdvar: {},
  topk: { param: S }, bottomk: { param: S }, quantile: { param: S }, count_values: { param: STR },
  limitk: { param: S, experimental: true }, limit_ratio: { param: S, experimental: true },
};

export const COMPARISONS = new Set(['Eql', 'Neq', 'Lte', 'Lss', 'Gte', 'Gtr']);
export const SET_OPERATORS = new Set(['And', 'Or', 'Unless']);
export const BINARY_OPERATORS = new Set(['Pow', 'Mul', 'Div', 'Mod', 'Atan2', 'Add', 'Sub', 'TrimUpper', 'TrimLower', ...COMPARISONS, ...SET_OPERATORS]);
export const EXPRESSIONS = new Set(['AggregateExpr', 'BinaryExpr', 'FunctionCall', 'MatrixSelector', 'NumberDurationLiteral', 'OffsetExpr',
  'AnchoredExpr', 'SmoothedExpr', 'ParenExpr', 'StringLiteral', 'SubqueryExpr', 'UnaryExpr', 'VectorSelector', 'StepInvariantExpr']);
export const EXPERIMENTAL_FLAG = '--enable-feature=promql-experimental-functions';


/** `rate(range vector)`, `round(instant vector[, scalar])`, `label_join(instant vector, string, string, string...)`. */
export function signature(name: string, f: PromqlFunction): string {
  const args = f.args.map((a, i) => {
    if (i < f.args.length - 1 || f.variadic === 0) return a;
    return f.variadic < 0 ? `${a}...` : `[${a}]${f.variadic > 1 ? '...' : ''}`;
  });
  return `${name}(${args.join(', ').replace(/, \[/, '[, ')})`;
}
