// Dashboard expressions against the real promtool (outside `npm test`: see jest.config.js here).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { dashboardExpressions } from '../lib/observability/dashboard';
import { allPanels, dashboard, otel, telemetry } from '../test/fixtures/dashboards';

function promtool(args: string[], cwd: string): { ok: boolean; output: string } {
  try {
    return { ok: true, output: execFileSync(process.env.PROMTOOL ?? 'promtool', args, { cwd, encoding: 'utf8', stdio: 'pipe' }) };
  } catch (e: any) {
    if (e.code === 'ENOENT') throw new Error('promtool is not installed: apt-get install prometheus (Debian) puts it on the PATH');
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

function inTempDir<T>(fn: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashboard-test-'));
  try {
    return fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `promtool check rules` on every expression as a recording rule. */
function promtoolCheck(exprs: string[]): { ok: boolean; output: string } {
  return inTempDir(dir => {
    const rules = exprs.map((expr, i) => ({ record: `dashboard:expr_${i}`, expr }));
    fs.writeFileSync(path.join(dir, 'rules.yaml'), YAML.stringify({ groups: [{ name: 'dashboard', rules }] }));
    return promtool(['check', 'rules', 'rules.yaml'], dir);
  });
}

describe('grafanaDashboard with promtool', () => {
  test('every expression passes promtool check rules', () => {
    const exprs = dashboardExpressions(dashboard());
    const result = promtoolCheck(exprs);
    expect(result.output).toContain(`${exprs.length} rules found`);
    expect(result.ok).toBe(true);
    // the check can fail
    expect(promtoolCheck(['sum(rate(x[5m])']).ok).toBe(false);
  });

  test('error budget panels compute 1 - bad ratio / allowed ratio, burn rate panels bad ratio / allowed ratio (promtool test rules on synthetic series)', () => {
    // GIVEN a service with 99.5% availability and 98% within 250ms over a 1h window,
    // serving 1000 requests a minute of which 1 fails and 10 are slower than 250ms
    const w = telemetry('web', {
      queries: otel.queries({ namespace: 'shop', service: 'web', protocol: 'http' }),
      slo: { availability: 99.5, latency: { threshold: '250ms', thresholdSeconds: 0.25, percentile: 98 }, window: '1h' },
    });
    const budgets = allPanels(dashboard([w])).filter(p => /error budget/.test(p.title)).map(p => p.targets![0].expr);
    expect(budgets).toHaveLength(2);
    const burns = allPanels(dashboard([w])).filter(p => /burn rate/.test(p.title)).map(p => p.targets![0].expr);
    expect(burns).toHaveLength(2);
    const series = (labels: string, perMinute: number) => ({ series: `http_server_request_duration_seconds_${labels}`, values: `0+${perMinute}x120` });
    const sel = 'namespace="shop", service="web"';
    const result = inTempDir(dir => {
      fs.writeFileSync(path.join(dir, 'rules.yaml'), YAML.stringify({
        groups: [{ name: 'budget', rules: [
          { record: 'availability_budget', expr: budgets[0] }, { record: 'latency_budget', expr: budgets[1] },
          { record: 'availability_burn_1h', expr: burns[0] }, { record: 'latency_burn_1h', expr: burns[1] },
        ] }],
      }));
      fs.writeFileSync(path.join(dir, 'test.yaml'), YAML.stringify({
        rule_files: ['rules.yaml'],
        evaluation_interval: '1m',
        tests: [{
          interval: '1m',
          input_series: [
            series(`count{${sel}, http_response_status_code="200"}`, 999),
            series(`count{${sel}, http_response_status_code="500"}`, 1),
            series(`bucket{${sel}, http_response_status_code="200", le="0.25"}`, 990),
            series(`bucket{${sel}, http_response_status_code="500", le="0.25"}`, 0),
          ],
          promql_expr_test: [
            // errors 0.1% of a 0.5% budget: 80% left; slow 1% of a 2% budget: 50% left
            { expr: 'round(availability_budget * 1000)', eval_time: '90m', exp_samples: [{ labels: '{}', value: 800 }] },
            { expr: 'round(latency_budget * 1000)', eval_time: '90m', exp_samples: [{ labels: '{}', value: 500 }] },
            // over the last hour the same: 0.1% of a 0.5% budget burns at 0.2x, 1% of 2% at 0.5x
            { expr: 'round(availability_burn_1h * 1000)', eval_time: '90m', exp_samples: [{ labels: '{}', value: 200 }] },
            { expr: 'round(latency_burn_1h * 1000)', eval_time: '90m', exp_samples: [{ labels: '{}', value: 500 }] },
          ],
        }],
      }));
      return promtool(['test', 'rules', 'test.yaml'], dir);
    });
    expect(result.output).toContain('SUCCESS');
    expect(result.ok).toBe(true);
  });
});
