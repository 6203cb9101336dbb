// The PromQL and alert-template checkers of addAlert() agree with the real promtool (Prometheus'
// own parser and rule-file loader) on what it refuses: neither too lax nor too strict.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { alertTemplateProblem } from '../lib/observability/alert-template';
import { parser } from '@prometheus-io/lezer-promql';
import { checkPromql } from '../lib/observability/promql';
import { FUNCTIONS } from '../lib/observability/promql-types';
import { PROMTOOL } from './promtool';

/** The indexes of the rules `promtool check rules` refuses (it reports each: `group "g", rule 3, ...`). */
function refusedByPromtool(rules: Array<Record<string, unknown>>): Set<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'promql-checker-'));
  try {
    fs.writeFileSync(path.join(dir, 'rules.yaml'), stringify({ groups: [{ name: 'g', rules }] }, { lineWidth: 0 }));
    const r = spawnSync(PROMTOOL, ['check', 'rules', 'rules.yaml'], { cwd: dir, encoding: 'utf8' });
    if (r.error) throw new Error(`cannot run ${PROMTOOL}: apt-get install -y prometheus`);
    const output = `${r.stdout}${r.stderr}`;
    return new Set([...output.matchAll(/group "g", rule (\d+)/g)].map(m => Number(m[1]) - 1));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Expressions both Prometheus 2.x (Debian's promtool) and 3.x read alike: no functions or syntax
// newer than 2.42, no range without a unit.
const EXPRESSIONS = [
  // taken
  'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.01',
  'histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))', 'absent_over_time(up{job="api"}[10m])', 'vector(1)',
  'topk(3, x)', 'count_values("version", build_info)', 'max_over_time(sum(rate(x[1m]))[1h:5m])', 'x{a=~`\\d+`, b!~"a|b", c=~"(?i)foo.*"}',
  'x{a=~"\\\\d+"}', 'rate(x[5m] offset 1h)', 'x @ end()', 'sum(x) by (a) > on(a) group_left(b) max by (a, b) (y)',
  'time() - max(kube_job_status_completion_time)', 'label_replace(x, "dst", "$1", "src", "(.*):.*")', '{__name__="up", job="api"} == 0',
  'predict_linear(node_filesystem_free_bytes[6h], 4 * 3600)', 'round(x, 0.5) > 1 and x offset 1d > 1', 'sum(x) - sum(x offset 1d) > 0 unless x @ end() < 1',
  '-x offset 5m', 'a + x[5m:1m] offset 1d', '1 > bool 2', 'scalar(x) * 2', 'x > bool 1', 'clamp(x, 0, 1)', 'round(x)',
  'label_join(x, "a", ",", "b", "c", "d")', 'quantile(0.9, x)', 'bottomk(2, x) by (a)', 'count(x) without (instance)', '{a!=""}', '{a=~".+"}',
  'x{a=~"[[:alpha:]]+", b=~"\\\\pL+", c=~"(?P<n>a)"}', 'sort_desc(x)', 'deriv(x[10m])', 'holt_winters_typo_is_a_metric',
  // refused
  'rate(x)', 'histogram_quantile(rate(x_bucket[5m]))', 'abs(x, y)', 'round(x, 1, 2)', 'absent(1)', 'histogram_quantile(x, y)', 'absent(up[5m])',
  'x{code=~"5(?!03).."}', 'x{a=~"(a)\\\\1"}', 'x{a!~"a++"}', 'x{a=~"(5.."}', 'x{a=~"\\d+"}', 'topk(x)', 'quantile("0.9", x)', 'count_values(x)',
  'sum(x[5m])', 'rate(rate(x[5m])[5m])', 'max_over_time(x[5m][1h:])', 'vector(time() > 5)', 'x + bool y', 'x and 1',
  'x and on(a) group_left(b) y', 'x > on(a) group_left(a) y', 'rate(x[5m]) offset 1h', 'rate(x offset 5m [5m])', '{job=~".*"}', '{a=""}',
  'x{__name__="y"}', 'rate(x[0s])', '-"a"', '-x[5m]', '(x)[5m]', 'x[5m][5m]', 'sum(x) offset 5m',
  'x + on(a) 1', 'x @ 1 @ 2', 'x{a=~"a{1001}"}', 'x{a=~"\\\\Z"}',
];

const TEMPLATES = [
  // taken
  '{{ $value }} orders wait', '{{ $value | humanizePercentage }} of {{ $labels.queue }} on {{ .Labels.instance }}',
  '{{ printf "%.2f" $value }} > {{ $value | printf "%.1f" }}', '{{ if gt $value 100.0 }}many{{ else if gt $value 10.0 }}some{{ else }}few{{ end }}',
  '{{ $q := $labels.queue }}{{ with $q }}{{ . | toUpper }}{{ end }}', '{{ range $k, $v := $labels }}{{ $k }}={{ $v }} {{ end }}',
  '{{- /* a comment */ -}} {{ $externalURL }}/alerts {{ $externalLabels.cluster }}', '{{ with query "sum(up)" }}{{ . | first | value | humanize }}{{ end }}',
  '{{ reReplaceAll "(.*):.*" "$1" $labels.instance }} {{ humanizeDuration 3600 }} {{ index $labels "queue" }}',
  '{{ define "x" }}{{ .Labels.job }}{{ end }}{{ template "x" . }}', '{{ $labels.job -}} x', '{{ range $labels }}{{ break }}{{ end }}',
  // refused when the rule file loads
  '{{ $value | humanise }}', '{{ $labelz.job }}', '{{ range $k, $v := $labels }}{{ $k }}{{ end }} {{ $v }}', '{{ if $value }}x', '{{ end }}',
  '{{ $labels["x"] }}', '{{ $value | "a" }}', '{{ }}', '{{ 3m }}', '{{ "\\d" }}', '{{ break }}', '{{ else }}', '{{ $value | lower }}',
  '{{ define "q" }}{{ $labels.queue }}{{ end }}{{ template "q" . }}', '{{ (humanize $value }}',
];

describe('the checkers agree with promtool', () => {
  test('on which expressions Prometheus refuses', () => {
    const refused = refusedByPromtool(EXPRESSIONS.map((expr, i) => ({ record: `r${i}`, expr })));
    const disagree = EXPRESSIONS.filter((expr, i) => refused.has(i) !== (checkPromql(expr).problem !== undefined))
      .map(expr => `${expr}: promtool ${refused.has(EXPRESSIONS.indexOf(expr)) ? 'refuses' : 'takes'} it, the checker says ${checkPromql(expr).problem ?? 'nothing'}`);
    expect(disagree).toEqual([]);
    // both sides of the corpus are there
    expect(refused.size).toBeGreaterThan(30);
    expect(EXPRESSIONS.length - refused.size).toBeGreaterThan(30);
  });

  test('on which alert templates Prometheus refuses when it loads the rule file', () => {
    const refused = refusedByPromtool(TEMPLATES.map((summary, i) => ({ alert: `A${i}`, expr: 'up == 0', annotations: { summary } })));
    const disagree = TEMPLATES.filter((t, i) => refused.has(i) !== (alertTemplateProblem(t)?.when === 'load'))
      .map(t => `${t}: promtool ${refused.has(TEMPLATES.indexOf(t)) ? 'refuses' : 'takes'} it, the checker says ${JSON.stringify(alertTemplateProblem(t))}`);
    expect(disagree).toEqual([]);
    expect(refused.size).toBeGreaterThan(10);
  });

  test('what fails only when the rule runs, promtool takes and the checker refuses', () => {
    // label_replace() compiles its regular expression at every evaluation, and fails it
    const failing = ['label_replace(x, "a", "$1", "b", "(.*")', 'label_replace(x, "a", "$1", "b", "a(?=b)")'];
    expect(failing.map(e => checkPromql(e).problem)).toEqual([expect.stringContaining('invalid regular expression in label_replace()'), expect.stringContaining('invalid regular expression in label_replace()')]);
    expect(refusedByPromtool(failing.map((expr, i) => ({ record: `r${i}`, expr }))).size).toBe(0);
    // templates that fail when the alert fires, not when the rule file loads
    const late = ['{{ .Lables.queue }}', '{{ template "missing" }}', '{{ nil }}'];
    expect(late.map(t => alertTemplateProblem(t)?.when)).toEqual(['expand', 'expand', 'expand']);
    expect(refusedByPromtool(late.map((summary, i) => ({ alert: `A${i}`, expr: 'up == 0', annotations: { summary } }))).size).toBe(0);
  });
});

// ---- random expressions -----------------------------------------------------------------------

/** `n` random expressions that parse (lezer-promql), mixing functions, aggregations, operators and modifiers with right and wrong types and counts. */
function randomExpressions(n: number, seed: number): string[] {
  let state = seed;
  const rnd = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
  // the functions Debian's promtool (Prometheus 2.42) knows, none experimental
  const functions = Object.keys(FUNCTIONS).filter(f => !FUNCTIONS[f].experimental && !['histogram_avg', 'histogram_stddev', 'histogram_stdvar', 'first_over_time'].includes(f));
  const expr = (depth: number): string => {
    const r = rnd();
    if (depth <= 0 || r < 0.2) return pick(['x', 'y{a="b"}', '1', '2.5', '"s"', 'x[5m]', 'x{a=~"a|b"}', '{a=""}', 'z[1m:]']);
    if (r < 0.45) {
      const f = pick(functions);
      const count = Math.max(0, FUNCTIONS[f].args.length + pick([-1, 0, 0, 0, 1]));
      return `${f}(${Array.from({ length: count }, () => expr(depth - 1)).join(', ')})`;
    }
    if (r < 0.6) return `${pick(['sum', 'avg', 'max', 'topk', 'quantile', 'count_values', 'count', 'group'])}${pick(['', ' by (a)'])}(${Array.from({ length: pick([1, 2, 2]) }, () => expr(depth - 1)).join(', ')})`;
    if (r < 0.8) return `${expr(depth - 1)} ${pick(['+', '-', '*', '/', '>', '==', 'and', 'or', 'unless', '> bool', '^', '%'])}${pick(['', '', ' on(a)', ' ignoring(b) group_left(c)'])} ${expr(depth - 1)}`;
    if (r < 0.85) return `(${expr(depth - 1)})${pick(['[5m:1m]', '[5m]', ' offset 5m', ' @ end()'])}`;
    if (r < 0.9) return `${expr(depth - 1)}${pick([' offset 5m', '[5m]', '[10m:]', ' @ 100'])}`;
    if (r < 0.95) return `-${expr(depth - 1)}`;
    return `(${expr(depth - 1)})`;
  };
  const out: string[] = [];
  while (out.length < n) {
    const e = expr(3);
    let parses = true;
    parser.parse(e).iterate({ enter: node => { if (node.type.isError) parses = false; } });
    if (parses) out.push(e);
  }
  return out;
}

test('the checker and promtool agree on 800 random expressions', () => {
  const exprs = randomExpressions(800, 7);
  const refused = refusedByPromtool(exprs.map((expr, i) => ({ record: `r${i}`, expr })));
  const disagree = exprs.filter((e, i) => refused.has(i) !== (checkPromql(e).problem !== undefined))
    .map(e => `${e}: promtool ${refused.has(exprs.indexOf(e)) ? 'refuses' : 'takes'} it, the checker says ${checkPromql(e).problem ?? 'nothing'}`);
  expect(disagree).toEqual([]);
  // most random expressions are wrong, and many are right
  expect(refused.size).toBeGreaterThan(400);
  expect(exprs.length - refused.size).toBeGreaterThan(100);
});
