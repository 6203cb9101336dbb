// issue 20 item 4: PromQL, alert templates and SLOs checked as Prometheus will run them
import { Testing } from 'cdk8s';
import { EXAMPLE_APPS } from '../apps';
import { MetricsSource, ObservedService, ScaledWorker } from '../lib';
import { alertTemplateProblem } from '../lib/observability/alert-template';
import { dashboardExpressions } from '../lib/observability/dashboard';
import { checkPromql } from '../lib/observability/promql';
import { FUNCTIONS, regexProblem, signature, unquote } from '../lib/observability/promql-types';
import { warningsOf } from '../lib/warnings';
import { expectConfigError, Manifest, testApp } from './helpers';

const P = '[shop/checkout] ';
const ok = { name: 'QueueBacklog', expr: 'sum(queue_depth) > 100', summary: 'Orders wait' };

/** The message addAlert() fails with, or undefined when it takes the options. */
function addAlertError(options: Record<string, unknown>): string | undefined {
  const { shop } = testApp();
  const checkout = new ObservedService(shop, 'checkout', { image: 'x/checkout:1' });
  try {
    checkout.addAlert({ ...ok, ...options } as any);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

describe('addAlert() refuses PromQL that parses but that Prometheus refuses or cannot run', () => {
  test.each<[string, string, RegExp]>([
    ['rate() of an instant vector', 'rate(http_requests_total) > 1',
      /'expr' is not valid PromQL \(Prometheus refuses it: expected type range vector in call to function rate, got instant vector, at character 6 \(http_requests_total\); give the selector a range: rate\(http_requests_total\[5m\]\)\)$/],
    ['histogram_quantile without its quantile', 'histogram_quantile(sum by (le) (rate(x_bucket[5m]))) > 1',
      /expected 2 argument\(s\) in call to function histogram_quantile, got 1.*histogram_quantile takes the quantile first: histogram_quantile\(0\.99, sum by \(le\) \(rate\(x_bucket\[5m\]\)\)\)/],
    ['a function with too many arguments', 'abs(x, y) > 1', /expected 1 argument\(s\) in call to function abs, got 2.*abs takes \(instant vector\)/],
    ['a variadic function with too many arguments', 'round(x, 1, 2) > 1', /expected at most 2 argument\(s\) in call to function round, got 3/],
    ['a scalar where an instant vector is wanted', 'absent(1)', /expected type instant vector in call to function absent, got scalar.*vector\(1\)/],
    ['an instant vector where a scalar is wanted', 'histogram_quantile(x, y) > 1', /expected type scalar in call to function histogram_quantile, got instant vector/],
    ['absent() of a range', 'absent(up[5m])', /expected type instant vector in call to function absent, got range vector.*absent_over_time\(up\[5m\]\) is absent\(\) over a range/],
    ['a regex matcher with a lookahead', 'sum(x{code=~"5(?!03).."}) > 0',
      /the regular expression "5\(\?!03\)\.\." of label code does not compile as RE2 \(Go's regexp, which Prometheus uses\): error parsing regexp: invalid or unsupported Perl syntax: `\(\?!`.*RE2 has no lookahead or lookbehind/],
    ['a regex matcher with a backreference', 'x{a=~"(a)\\\\1"} > 0', /invalid escape sequence: `\\1`.*no backreferences/],
    ['a regex matcher with a possessive quantifier', 'x{a!~"a++"} > 0', /invalid nested repetition operator: `\+\+`.*no possessive quantifiers/],
    ['a regex matcher that is not closed', 'x{a=~"(5.."} > 0', /missing closing \)/],
    ['an escape PromQL strings do not have', 'x{a=~"\\d+"} > 0', /error unquoting string "\\d\+": invalid syntax.*'\\d' is no escape sequence in a PromQL string: double the backslash \("\\\\d\+"\) or quote with backticks/],
    ['topk without its parameter', 'topk(x) > 0', /wrong number of arguments for aggregate expression provided, expected 2, got 1.*topk\(5, x\)/],
    ['quantile with a string parameter', 'quantile("0.9", x) > 0', /expected type scalar in aggregation parameter, got string/],
    ['count_values without its label', 'count_values(x) > 0', /expected 2, got 1.*count_values\("value", x\)/],
    ['sum of a range vector', 'sum(x[5m]) > 0', /expected type instant vector in aggregation expression, got range vector.*sum\(rate\(x\[5m\]\)\)/],
    ['a range of a function', 'rate(rate(x[5m])[5m]) > 0', /ranges only allowed for vector selectors, got rate\(x\[5m\]\).*subquery/],
    ['a subquery of a range vector', 'max_over_time(x[5m][1h:]) > 0', /subquery is only allowed on instant vector, got range vector instead/],
    ['a comparison of scalars without bool', 'vector(time() > 5)', /comparisons between scalars must use BOOL modifier/],
    ['bool on arithmetic', 'x + bool y', /bool modifier can only be used on comparison operators/],
    ['a set operator with a scalar', 'x and 1', /set operator and not allowed in binary scalar expression/],
    ['grouping on a set operator', 'x and on(a) group_left(b) y', /no grouping allowed for and operation/],
    ['a label in on() and group_left() at once', 'x > on(a) group_left(a) y', /label a must not occur in ON and GROUP clause at once/],
    ['an offset on a function', 'rate(x[5m]) offset 1h > 0', /offset modifier must be preceded by an instant vector selector or range vector selector or a subquery/],
    ['two offsets', 'x offset 5m offset 1m > 0', /offset may not be set multiple times/],
    ['an offset before the range', 'rate(x offset 5m [5m]) > 0', /no offset modifiers allowed before range/],
    ['a selector that matches every series', '{job=~".*"} > 0', /vector selector must contain at least one non-empty matcher/],
    ['a metric name set twice', 'x{__name__="y"} > 0', /metric name must not be set twice/],
    ['an empty range', 'rate(x[0s]) > 0', /duration must be greater than 0/],
    ['an experimental function', 'sort_by_label(x, "a") > 0', /function sort_by_label is not enabled.*--enable-feature=promql-experimental-functions/],
    ['an experimental aggregation', 'limitk(2, x) > 0', /limitk\(\) is experimental and must be enabled with --enable-feature=promql-experimental-functions/],
    ['a label_replace regex that does not compile', 'label_replace(x, "a", "$1", "b", "(.*") > 0', /invalid regular expression in label_replace\(\): error parsing regexp: missing closing \)/],
    ['a unary minus on a range', '-x[5m]', /unary expression only allowed on expressions of type scalar or instant vector, got range vector/],
    ['an offset on the last operand only, as Prometheus groups it', 'a + x offset 5m offset 1m', /offset may not be set multiple times/],
    ['a unary minus on a string', '-"a"', /unary expression only allowed on expressions of type scalar or instant vector, got string/],
  ])('%s', (_why, expr, message) => {
    const error = addAlertError({ expr });
    expect(error).toMatch(new RegExp(`^\\[shop/checkout\\] addAlert\\('QueueBacklog'\\): 'expr' is not valid PromQL \\(`));
    expect(error).toMatch(message);
  });

  test.each<[string, string, string]>([
    ['a range vector', 'x[5m]', "'expr' 'x[5m]' is a range vector, which an alerting rule cannot evaluate (Prometheus: \"rule result is not a vector or scalar\", at every evaluation): take a function of the range, such as rate(x[5m]) > 0 or max_over_time(x[10m]) > 100"],
    ['a string', '"down"', "'expr' '\"down\"' is a string, which an alerting rule cannot evaluate (Prometheus: \"rule result is not a vector or scalar\", at every evaluation): compare an instant vector, such as sum(queue_depth) > 100"],
    ['a scalar', 'scalar(sum(up)) < bool 1', "'expr' 'scalar(sum(up)) < bool 1' is a scalar, and Prometheus makes one sample of a scalar whatever its value, so the alert would fire at every evaluation: compare an instant vector instead, such as sum(queue_depth) > 100 (vector(1) for an alert that always fires)"],
  ])('fails when the result is %s', (_why, expr, message) => {
    expect(addAlertError({ expr })).toBe(`${P}addAlert('QueueBacklog'): ${message}`);
  });

  test.each([
    'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.01',
    'histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m]))) > 0.5',
    'absent_over_time(up{job="api"}[10m])',
    'vector(1)',
    'topk(3, x) > 0',
    'count_values("version", build_info) > 1',
    'max_over_time(sum(rate(x[1m]))[1h:5m]) > 10',
    'x{a=~`\\d+`, b!~"a|b", c=~"(?i)foo.*"} > 0',
    'x{a=~"\\\\d+"} > 0',
    'rate(x[5m] offset 1h) > 0',
    'x @ end() > 0',
    'sum(x) by (a) > on(a) group_left(b) max by (a, b) (y)',
    'time() - max(kube_job_status_completion_time) > 3600',
    'label_replace(x, "dst", "$1", "src", "(.*):.*") > 0',
    '{__name__="up", job="api"} == 0',
    'predict_linear(node_filesystem_free_bytes[6h], 4 * 3600) < 0',
    'round(x, 0.5) > 1 and x offset 1d > 1',
    'sum(x) - sum(x offset 1d) > 0 unless x @ end() < 1',
    '-x offset 5m < 0',
    '# a comment\nsum(queue_depth) > 100',
  ])('takes %s', expr => {
    expect(addAlertError({ expr })).toBeUndefined();
  });
});

describe('addAlert() refuses templates Prometheus cannot expand', () => {
  test.each<[string, string, string, string]>([
    ['an unknown function', 'summary', '{{ $value | humanise }} orders wait',
      "'summary' '{{ $value | humanise }} orders wait' is not a template Prometheus can expand (function humanise not defined), and Prometheus refuses the whole rule file: did you mean humanize? Prometheus' alert templates have Go's builtins (and, call, html, index, slice, js, len, not, or, print, printf, println, urlquery, eq, ge, gt, le, lt, ne) and the functions of https://prometheus.io/docs/prometheus/latest/configuration/template_reference/"],
    ['an undefined variable', 'description', '{{ $labelz.queue }} backs up',
      "'description' '{{ $labelz.queue }} backs up' is not a template Prometheus can expand (undefined variable $labelz), and Prometheus refuses the whole rule file: did you mean $labels? an alert template has $labels, $externalLabels, $externalURL, $value and the variables it declares with := before using them"],
    ['a variable used outside the range that declares it', 'description', '{{ range $k, $v := $labels }}{{ $k }}{{ end }} {{ $v }}',
      "'description' '{{ range $k, $v := $labels }}{{ $k }}{{ end }} {{ $v }}' is not a template Prometheus can expand (undefined variable $v), and Prometheus refuses the whole rule file: an alert template has $labels, $externalLabels, $externalURL, $value and the variables it declares with := before using them"],
    ['a field the data does not have', 'summary', '{{ .Lables.queue }} backs up',
      "'summary' '{{ .Lables.queue }} backs up' is not a template Prometheus can expand (can't evaluate field Lables: the data of an alert template has the fields .Labels, .ExternalLabels, .ExternalURL, .Value), and the alert would show '<error expanding template: ...>' instead: did you mean .Labels? a label is .Labels.<name> or $labels.<name>"],
    ['an if without end', 'description', '{{ if gt $value 100.0 }}many',
      "'description' '{{ if gt $value 100.0 }}many' is not a template Prometheus can expand (the {{if}} at character 1 has no {{end}} (unexpected EOF)), and Prometheus refuses the whole rule file: close it with {{end}}"],
    ['a define that uses the variables of the alert (a defined template has only $)', 'description', '{{ define "q" }}{{ $labels.queue }}{{ end }}{{ template "q" . }}',
      "'description' '{{ define \"q\" }}{{ $labels.queue }}{{ end }}{{ template \"q\" . }}' is not a template Prometheus can expand (undefined variable $labels), and Prometheus refuses the whole rule file: an alert template has $labels, $externalLabels, $externalURL, $value and the variables it declares with := before using them"],
    ['an index with brackets', 'summary', '{{ $labels["queue"] }}',
      "'summary' '{{ $labels[\"queue\"] }}' is not a template Prometheus can expand (bad character \"[\" in the action at character 1), and Prometheus refuses the whole rule file: Go templates have no [...]: write {{ index $labels \"name\" }} or {{ $labels.name }}"],
    ['a function in the runbook URL', 'runbookUrl', 'https://wiki.example.com/{{$labels.queue|lower}}',
      "'runbookUrl' 'https://wiki.example.com/{{$labels.queue|lower}}' is not a template Prometheus can expand (function lower not defined), and Prometheus refuses the whole rule file: did you mean toLower? Prometheus' alert templates have Go's builtins (and, call, html, index, slice, js, len, not, or, print, printf, println, urlquery, eq, ge, gt, le, lt, ne) and the functions of https://prometheus.io/docs/prometheus/latest/configuration/template_reference/"],
  ])('%s', (_why, key, text, message) => {
    expect(addAlertError({ [key]: text })).toBe(`${P}addAlert('QueueBacklog'): ${message}`);
  });

  test.each([
    '{{ $value }} orders wait',
    '{{ $value | humanizePercentage }} of {{ $labels.queue }} on {{ .Labels.instance }}',
    '{{ printf "%.2f" $value }} > {{ $value | printf "%.1f" }}',
    '{{ if gt $value 100.0 }}many{{ else if gt $value 10.0 }}some{{ else }}few{{ end }}',
    '{{ $q := $labels.queue }}{{ with $q }}{{ . | toUpper }}{{ end }}',
    '{{ range $k, $v := $labels }}{{ $k }}={{ $v }} {{ end }}',
    '{{- /* a comment */ -}} {{ $externalURL }}/alerts {{ $externalLabels.cluster }}',
    '{{ with query "sum(up)" }}{{ . | first | value | humanize }}{{ end }}',
    '{{ reReplaceAll "(.*):.*" "$1" $labels.instance }} {{ humanizeDuration 3600 }} {{ index $labels "queue" }}',
    '{{ define "x" }}{{ .Labels.job }}{{ end }}{{ template "x" . }}',
  ])('takes %s', text => {
    expect(alertTemplateProblem(text)).toBeUndefined();
    expect(addAlertError({ description: text })).toBeUndefined();
  });
});

describe('slo refuses objectives that cannot work', () => {
  test.each<[string, Record<string, unknown>, string]>([
    ['availability is a fraction', { availability: 0.999 },
      "'slo.availability' is a percentage, and 0.999 is 0.999%: an error budget of 99.001%, so the burn-rate alerts (at 14.4, 6, 3 and 1 times the budget) could never fire; write 99.9 for 99.9%"],
    ['availability is 1 (100% as a fraction)', { availability: 1 },
      "'slo.availability' is a percentage, and 1 is 1%: an error budget of 99%, so the burn-rate alerts (at 14.4, 6, 3 and 1 times the budget) could never fire; write the percentage, such as { availability: 99.9 }"],
    ['the latency percentile is a fraction', { latency: { threshold: '250ms', percentile: 0.95 } },
      "'slo.latency.percentile' is a percentage, and 0.95 is 0.95% of requests: an error budget of 99.05%, so the burn-rate alerts could never fire; write 95 for 95%"],
  ])('fails when %s', (_why, slo, message) => {
    const { shop } = testApp();
    expectConfigError(() => new ObservedService(shop, 'checkout', { image: 'x/checkout:1', slo: slo as any }), P + message);
  });

  test('warns when an objective is so low that its page can never fire', () => {
    const { shop } = testApp();
    new ObservedService(shop, 'checkout', { image: 'x/checkout:1', slo: { availability: 80 } });
    expect(warningsOf(shop)).toContainEqual(expect.stringContaining("'slo.availability' 80 leaves an error budget of 20%: AvailabilityBudgetBurnFast (critical) fires at 14.4x or 6x the budget, an error ratio above 100%, so it can never fire; an objective above 83.34 makes it reachable"));
    const quiet = testApp().shop;
    new ObservedService(quiet, 'checkout', { image: 'x/checkout:1', slo: { availability: 90 } });
    expect(warningsOf(quiet).filter(w => w.includes('can never fire'))).toEqual([]);
  });

  const source = (latencyBucket: string) => MetricsSource.custom({
    requestRate: 'sum(rate(myapp_requests_total{job="api"}[$window]))',
    errorRate: 'sum(rate(myapp_requests_total{job="api", code=~"5.."}[$window]))',
    latencyBucket,
  });
  test.each<[string, string, string]>([
    ['already a rate', 'rate(myapp_request_seconds_bucket{job="api"}[5m])', 'which is already a rate() of it'],
    ['already an irate', 'irate(myapp_request_seconds_bucket[1m])', 'which is already a irate() of it'],
    ['already an increase', 'increase(myapp_request_seconds_bucket[5m])', 'which is already a increase() of it'],
    ['a sum of a rate', 'sum by (le) (rate(myapp_request_seconds_bucket[5m]))', 'which is already a rate of it'],
    ['a selector with a range', 'myapp_request_seconds_bucket{job="api"}[5m]', 'which ends in a range'],
    ['a selector with $window', 'myapp_request_seconds_bucket{job="api"}[$window]', 'which ends in a range'],
    ['no selector', 'max(myapp_request_seconds_bucket)', 'which is no series selector'],
  ])("a custom latencyBucket is refused when it is %s", (_why, latencyBucket, what) => {
    const { shop } = testApp();
    expectConfigError(() => new ObservedService(shop, 'checkout', { image: 'x/checkout:1', metrics: { source: source(latencyBucket) } }),
      `${P}'metrics.source' latencyBucket must select the histogram's bucket series, such as myapp_request_seconds_bucket{job="api"}, got '${latencyBucket}', ${what}: the library takes histogram_quantile(q, sum by (le) (rate(<latencyBucket>[$window]))) itself, so give the selector alone`);
  });

  test('a custom source query must return an instant vector and pass the type checks', () => {
    const { shop } = testApp();
    const bad = MetricsSource.custom({ requestRate: 'myapp_requests_total[$window]', errorRate: 'sum(rate(myapp_errors_total[$window]))' });
    expectConfigError(() => new ObservedService(shop, 'checkout', { image: 'x/checkout:1', metrics: { source: bad } }),
      `${P}'metrics.source' requestRate must return an instant vector, and 'myapp_requests_total[5m]' is a range vector: the alerts, SLO rules and dashboards divide and compare it; write it as PromQL with $window for the range, e.g. sum(rate(http_requests_total{job="api"}[$window]))`);
    const untyped = MetricsSource.custom({ requestRate: 'sum(rate(myapp_requests_total))', errorRate: 'sum(rate(myapp_errors_total[$window]))' });
    expect(() => new ObservedService(testApp().shop, 'checkout', { image: 'x/checkout:1', metrics: { source: untyped } }))
      .toThrow(/'metrics\.source' requestRate is not valid PromQL \(Prometheus refuses it: expected type range vector in call to function rate, got instant vector/);
    // the selector alone is taken
    new ObservedService(testApp().shop, 'checkout', { image: 'x/checkout:1', metrics: { source: source('myapp_request_seconds_bucket{job="api"}') } });
  });
});

describe('the checkers', () => {
  test('the function table is that of Prometheus: signatures of functions people mix up', () => {
    expect(signature('rate', FUNCTIONS.rate)).toBe('rate(range vector)');
    expect(signature('histogram_quantile', FUNCTIONS.histogram_quantile)).toBe('histogram_quantile(scalar, instant vector)');
    expect(signature('round', FUNCTIONS.round)).toBe('round(instant vector[, scalar])');
    expect(signature('label_join', FUNCTIONS.label_join)).toBe('label_join(instant vector, string, string, string...)');
    expect(signature('quantile_over_time', FUNCTIONS.quantile_over_time)).toBe('quantile_over_time(scalar, range vector)');
  });

  test('types of expressions, as Prometheus types them', () => {
    const types = Object.fromEntries(['1', '"a"', 'x', 'x[5m]', 'x[5m:1m]', 'rate(x[5m])', 'time()', 'scalar(x)', '1 + 2', 'x + 1', '-(x)', 'x offset 5m', 'x[5m] @ end()']
      .map(e => [e, checkPromql(e).type]));
    expect(types).toEqual({
      '1': 'scalar', '"a"': 'string', 'x': 'instant vector', 'x[5m]': 'range vector', 'x[5m:1m]': 'range vector', 'rate(x[5m])': 'instant vector',
      'time()': 'scalar', 'scalar(x)': 'scalar', '1 + 2': 'scalar', 'x + 1': 'instant vector', '-(x)': 'instant vector', 'x offset 5m': 'instant vector', 'x[5m] @ end()': 'range vector',
    });
  });

  test('PromQL strings are read as Prometheus reads them (Go escapes)', () => {
    expect(unquote('"a\\"b\\\\c\\n"')).toBe('a"b\\c\n');
    expect(unquote("'it\\'s'")).toBe("it's");
    expect(unquote('`\\d+`')).toBe('\\d+');
    expect(unquote('"\\x41\\u00e9\\101"')).toBe('AéA');
    expect(unquote('"\\d"')).toBeUndefined();
    expect(unquote('"\\\'"')).toBeUndefined();
    expect(unquote('"open')).toBeUndefined();
  });

  test('regular expressions compile as RE2 does', () => {
    for (const ok of ['5..', '(?i)foo|bar', '[[:alpha:]]+', '\\pL+', '(?P<x>a)', '\\Qa.b\\E', 'a{2,5}', '(?s).*', '']) expect(regexProblem(ok)).toBeUndefined();
    for (const bad of ['a(?=b)', 'a(?<!b)', '(a)\\1', 'a++', 'a{1001}', 'a{2,1}', '[a-', '\\Z', '(?>a)', 'a|*']) expect(regexProblem(bad)).toBeDefined();
  });
});

// ---- every expression the library writes passes the checker ----------------------------------

/** Dashboards of an app's objects (the JSON of each dashboard ConfigMap). */
function dashboards(objects: Manifest[]): Array<Record<string, unknown>> {
  return objects.filter(o => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard !== undefined)
    .flatMap(o => Object.values(o.data as Record<string, string>).map(text => JSON.parse(text)));
}

describe('every PromQL expression and template of the example apps passes the checkers (they are not too strict)', () => {
  test.each(Object.keys(EXAMPLE_APPS))('%s', name => {
    const objects: Manifest[] = EXAMPLE_APPS[name](Testing.app()).toJson();
    const rules = objects.filter(o => o.kind === 'PrometheusRule').flatMap(o => o.spec.groups.flatMap((g: any) => g.rules.map((r: any) => ({ ...r, owner: o.metadata.name }))));
    expect(rules.length).toBeGreaterThan(0);
    const findings: string[] = [];
    for (const r of rules) {
      const { problem, type } = checkPromql(r.expr);
      if (problem) findings.push(`${r.owner} ${r.alert ?? r.record}: ${problem}`);
      if (type !== 'instant vector') findings.push(`${r.owner} ${r.alert ?? r.record}: returns ${type}`);
      for (const [key, text] of Object.entries({ ...r.annotations, ...r.labels } as Record<string, string>)) {
        const t = alertTemplateProblem(text);
        if (t) findings.push(`${r.owner} ${r.alert ?? r.record} ${key}: ${t.message}`);
      }
    }
    const exprs = dashboards(objects).flatMap(d => dashboardExpressions(d));
    for (const e of exprs) {
      const { problem } = checkPromql(e);
      if (problem) findings.push(`dashboard: ${problem}\n  ${e}`);
    }
    // KEDA's Prometheus triggers
    for (const o of objects.filter(x => x.kind === 'ScaledObject' || x.kind === 'ScaledJob')) {
      for (const t of o.spec.triggers ?? []) {
        if (t.type === 'prometheus') {
          const { problem } = checkPromql(t.metadata.query);
          if (problem) findings.push(`${o.kind}/${o.metadata.name}: ${problem}`);
        }
      }
    }
    expect(findings).toEqual([]);
  });

  test('the dashboards of the example apps have expressions to check', () => {
    const objects: Manifest[] = EXAMPLE_APPS.shop(Testing.app()).toJson();
    expect(dashboards(objects).flatMap(d => dashboardExpressions(d)).length).toBeGreaterThan(20);
  });

  test('the rules of a job-mode worker, a stateful service and an SLO on every source pass too', () => {
    const { shop } = testApp();
    new ScaledWorker(shop, 'mailer', { image: 'x/m:1' });
    for (const [name, source] of [['otel', MetricsSource.openTelemetry()], ['istio', MetricsSource.istio()]] as const) {
      for (const protocol of ['http', 'grpc'] as const) {
        new ObservedService(shop, `${name}-${protocol}`, { image: 'x/a:1', protocol, metrics: { source }, slo: { availability: 99.9, latency: { threshold: '250ms', percentile: 95 } } });
      }
    }
    const rules = shop.toJson().filter((o: Manifest) => o.kind === 'PrometheusRule').flatMap((o: Manifest) => o.spec.groups.flatMap((g: any) => g.rules));
    expect(rules.length).toBeGreaterThan(40);
    expect(rules.map((r: any) => checkPromql(r.expr).problem).filter(Boolean)).toEqual([]);
  });
});
