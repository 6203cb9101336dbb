// Every query of every synthesized Grafana dashboard in dist/ passes the real promtool, as a
// recording rule.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { dashboardExpressions } from '../lib/observability/dashboard';
import type { RuleGroup } from '../lib/observability/model';
import { checkRulesWithPromtool } from './promtool';

const DIST = path.join(__dirname, '..', 'dist');
const manifests = fs.readdirSync(DIST).flatMap(app =>
  parseAllDocuments(fs.readFileSync(path.join(DIST, app, 'manifests.yaml'), 'utf8')).map(d => d.toJS()));
const dashboards = manifests.filter(m => m?.kind === 'ConfigMap' && m.metadata?.labels?.grafana_dashboard === '1');

test('dist/ holds a Grafana dashboard per app', () => {
  expect(dashboards.map(d => d.metadata.name).sort()).toEqual(fs.readdirSync(DIST).map(app => `${app}-dashboard`).sort());
});

test.each(dashboards.map(d => [d.metadata.name, d] as const))('every query of %s passes promtool check rules', (_name, cm) => {
  const json = JSON.parse(Object.values(cm.data as Record<string, string>)[0]);
  const exprs = dashboardExpressions(json);
  expect(exprs.length).toBeGreaterThan(0);
  const groups: RuleGroup[] = [{ name: 'dashboard', rules: exprs.map((expr, i) => ({ record: `dashboard:expr_${i}`, expr })) }];
  expect(() => checkRulesWithPromtool(groups)).not.toThrow();
});
