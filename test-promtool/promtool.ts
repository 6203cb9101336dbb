/**
 * Runs the real `promtool` (Debian package `prometheus`) on rule groups: `promtool check rules`
 * for syntax, templates and duplicates, `promtool test rules` for behaviour on synthetic series.
 * `PROMTOOL` in the environment names another binary.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import type { RuleGroup } from '../lib/observability/model';

/** The promtool binary. */
export const PROMTOOL = process.env.PROMTOOL ?? 'promtool';

/** A Prometheus rule file (`groups:`), without YAML anchors. */
export function ruleFileYaml(groups: readonly RuleGroup[]): string {
  return stringify({ groups }, { aliasDuplicateObjects: false, lineWidth: 0 });
}

/** The rule groups of every PrometheusRule among synthesized manifests (e.g. `dist/<app>/manifests.yaml` parsed with `yaml.parseAllDocuments`). */
export function ruleGroupsOfManifests(manifests: ReadonlyArray<{ kind?: string; spec?: any }>): RuleGroup[] {
  return manifests.filter(m => m?.kind === 'PrometheusRule').flatMap(m => (m.spec?.groups ?? []) as RuleGroup[]);
}

function withTempDir<T>(files: Record<string, string>, fn: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'promtool-'));
  try {
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function promtool(args: string[], cwd: string): { status: number; output: string } {
  const r = spawnSync(PROMTOOL, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (r.error) {
    throw new Error(`cannot run ${PROMTOOL} (${r.error.message}): install it with 'apt-get install -y prometheus', or set PROMTOOL to its path`);
  }
  return { status: r.status ?? 1, output: `${r.stdout}${r.stderr}`.trim() };
}

function numbered(text: string): string {
  return text.split('\n').map((l, i) => `${String(i + 1).padStart(4)} | ${l}`).join('\n');
}

/**
 * `promtool check rules --lint=all --lint-fatal` on the groups written as one rule file: every
 * expression parses, every template parses and runs, no rule is duplicated, group names are
 * unique. Throws with promtool's output and the numbered file when it fails.
 */
export function checkRulesWithPromtool(groups: readonly RuleGroup[]): void {
  const yaml = ruleFileYaml(groups);
  const { status, output } = withTempDir({ 'rules.yaml': yaml }, dir => promtool(['check', 'rules', '--lint=all', '--lint-fatal', 'rules.yaml'], dir));
  if (status !== 0) throw new Error(`promtool check rules failed (exit ${status}):\n${output}\n--- rules.yaml ---\n${numbered(yaml)}`);
}

/** One `input_series` entry: a series and its values in promtool's expanding notation (`0+60x120`). */
export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

/** An expected alert: its labels (without alertname) and annotations, exactly. */
export interface ExpectedAlert {
  readonly exp_labels: Record<string, string>;
  readonly exp_annotations?: Record<string, string>;
}

/** One `tests:` entry of a promtool unit test file. */
export interface PromtoolTestCase {
  readonly name?: string;
  /** The scrape interval of the input series. @default '1m' */
  readonly interval?: string;
  readonly input_series: readonly InputSeries[];
  readonly alert_rule_test?: ReadonlyArray<{ readonly eval_time: string; readonly alertname: string; readonly exp_alerts: readonly ExpectedAlert[] }>;
  readonly promql_expr_test?: ReadonlyArray<{ readonly expr: string; readonly eval_time: string; readonly exp_samples: ReadonlyArray<{ readonly labels: string; readonly value: number }> }>;
}

/**
 * `promtool test rules` of the groups against unit tests (evaluated every minute). Throws with
 * promtool's output (which alert differed, got vs expected) when a test fails.
 */
export function testRulesWithPromtool(groups: readonly RuleGroup[], tests: readonly PromtoolTestCase[]): void {
  const rules = ruleFileYaml(groups);
  const unit = stringify({
    rule_files: ['rules.yaml'],
    evaluation_interval: '1m',
    tests: tests.map(t => ({ interval: '1m', ...t })),
  }, { aliasDuplicateObjects: false, lineWidth: 0 });
  const { status, output } = withTempDir({ 'rules.yaml': rules, 'tests.yaml': unit }, dir => promtool(['test', 'rules', 'tests.yaml'], dir));
  if (status !== 0) throw new Error(`promtool test rules failed (exit ${status}):\n${output}\n--- tests.yaml ---\n${numbered(unit)}`);
}

/** Fills a rule's annotation templates the way Prometheus would for an alert with `labels` and a `$value` printed as `value`. */
function render(text: string, labels: Record<string, string>, value: string): string {
  return text
    .replace(/\{\{ \$value( \| [a-zA-Z]+)? \}\}/g, () => value)
    .replace(/\{\{ \$labels\.([a-z_]+) \}\}/g, (_m, l: string) => labels[l] ?? '');
}

/** The expected firing alert `name` of `groups`, with the rule's labels plus `exprLabels`, annotations rendered with `value`. */
export function firing(groups: RuleGroup[], name: string, exprLabels: Record<string, string>, value: string): ExpectedAlert {
  const rule = groups.flatMap(g => g.rules).find(r => r.alert === name);
  if (!rule) throw new Error(`no alert ${name}`);
  const labels = { ...exprLabels, ...rule.labels };
  return {
    exp_labels: labels,
    exp_annotations: Object.fromEntries(Object.entries(rule.annotations ?? {}).map(([k, v]) => [k, render(v, labels, value)])),
  };
}
