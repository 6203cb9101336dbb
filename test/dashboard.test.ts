import { parser } from '@prometheus-io/lezer-promql';
import {
  DASHBOARD_SCHEMA_VERSION, MAX_OPEN_ROWS, dashboardConfigMapData, dashboardExpressions, dashboardUid,
} from '../lib/observability/dashboard';
import { MetricsSource } from '../lib/observability/metrics-source';
import { Dashboard, Panel, allPanels, dashboard, otel, shopWorkloads, telemetry } from './fixtures/dashboards';

/** The panels under each row, whether the row is open (following it) or collapsed (inside it). */
function rows(d: Dashboard): Array<{ row: Panel; panels: Panel[] }> {
  const out: Array<{ row: Panel; panels: Panel[] }> = [];
  for (const p of d.panels) {
    if (p.type === 'row') out.push({ row: p, panels: [...(p.panels ?? [])] });
    else if (out.length === 0) throw new Error(`panel ${p.title} comes before any row`);
    else out[out.length - 1].panels.push(p);
  }
  return out;
}

function overlaps(a: Panel['gridPos'], b: Panel['gridPos']): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** Positions that are valid on Grafana's 24-column grid and do not overlap. */
function expectValidLayout(panels: Panel[]): void {
  for (const p of panels) {
    const g = p.gridPos;
    expect([g.x, g.y, g.w, g.h].every(Number.isInteger)).toBe(true);
    expect(g.x).toBeGreaterThanOrEqual(0);
    expect(g.y).toBeGreaterThanOrEqual(0);
    expect(g.w).toBeGreaterThan(0);
    expect(g.h).toBeGreaterThan(0);
    expect(g.x + g.w).toBeLessThanOrEqual(24);
  }
  for (let i = 0; i < panels.length; i++) {
    for (let j = i + 1; j < panels.length; j++) {
      if (overlaps(panels[i].gridPos, panels[j].gridPos)) throw new Error(`panels ${panels[i].id} (${panels[i].title}) and ${panels[j].id} (${panels[j].title}) overlap`);
    }
  }
}

/** Where lezer-promql (the Prometheus project's grammar) finds an error, or undefined. */
function parseError(expr: string): number | undefined {
  let at: number | undefined;
  parser.parse(expr).iterate({ enter: n => { if (n.type.isError && at === undefined) at = n.from; } });
  return at;
}

describe('grafanaDashboard', () => {
  test('has the fields Grafana needs to import it', () => {
    const d = dashboard();
    expect(d).toMatchObject({
      title: 'shop services', uid: 'shop', schemaVersion: DASHBOARD_SCHEMA_VERSION,
      time: { from: 'now-6h', to: 'now' }, editable: true, id: null,
    });
    expect(d.tags).toEqual(expect.arrayContaining(['shop']));
    expect(typeof d.refresh).toBe('string');
    expect(d.uid).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
    expect(d.templating.list).toEqual([expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' })]);
  });

  test('gives every panel a unique sequential id and every query a refId, an expr and the datasource variable', () => {
    const panels = allPanels(dashboard());
    expect(panels.map(p => p.id).sort((a, b) => a - b)).toEqual(panels.map((_, i) => i + 1));
    for (const p of panels.filter(x => x.type !== 'row')) {
      expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(p.targets!.length).toBeGreaterThan(0);
      expect(new Set(p.targets!.map(t => t.refId)).size).toBe(p.targets!.length);
      for (const t of p.targets!) {
        expect(t.refId).toMatch(/^[A-Z]$/);
        expect(t.expr.length).toBeGreaterThan(0);
        expect(t.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      }
    }
  });

  test('asks a time series for a range and a stat for one value', () => {
    const panels = allPanels(dashboard()).filter(p => p.type !== 'row');
    expect(new Set(panels.map(p => p.type))).toEqual(new Set(['timeseries', 'stat']));
    for (const p of panels) {
      for (const t of p.targets! as any[]) expect([p.type, t.range, t.instant]).toEqual([p.type, p.type === 'timeseries', p.type === 'stat']);
    }
  });

  test('lays panels out on the 24-column grid with no overlap', () => {
    const d = dashboard();
    expect(d.panels.every(p => !p.panels?.length)).toBe(true); // few workloads: rows open
    expectValidLayout(d.panels);
    // each row spans the width and sits above its panels
    for (const { row, panels } of rows(d)) {
      expect(row.gridPos).toMatchObject({ x: 0, w: 24, h: 1 });
      for (const p of panels) expect(p.gridPos.y).toBeGreaterThan(row.gridPos.y);
    }
  });

  test('collapses the rows when there are more than MAX_OPEN_ROWS workloads, keeping their panels inside', () => {
    // GIVEN more workloads than are shown open
    const many = Array.from({ length: MAX_OPEN_ROWS + 1 }, (_, i) => telemetry(`svc${i}`, { queries: otel.queries({ namespace: 'shop', service: `svc${i}`, protocol: 'http' }) }));
    // WHEN
    const d = dashboard(many);
    // THEN the top level is only rows, one under the other, each holding its own panels
    expect(d.panels.map(p => [p.type, p.collapsed, p.gridPos.y])).toEqual(many.map((_, i) => ['row', true, i]));
    for (const row of d.panels) {
      expect(row.panels!.map(p => p.type)).toEqual(['timeseries', 'timeseries', 'timeseries', 'timeseries', 'timeseries', 'timeseries', 'stat']);
      expectValidLayout(row.panels!);
      for (const p of row.panels!) expect(p.gridPos.y).toBeGreaterThan(row.gridPos.y);
    }
    expect(new Set(allPanels(d).map(p => p.id)).size).toBe(allPanels(d).length);
  });

  test('has one row per workload, in the order given, with the workload in every query of its row', () => {
    const workloads = shopWorkloads();
    const r = rows(dashboard(workloads));
    expect(r.map(x => x.row.title)).toEqual(['catalog (service)', 'web (service)', 'cart (service)', 'mailer (worker)']);
    for (const [i, { panels }] of r.entries()) {
      const w = workloads[i];
      const exprs = panels.flatMap(p => p.targets!.map(t => t.expr));
      expect(exprs.length).toBeGreaterThan(0);
      for (const e of exprs) {
        expect(e).toContain(`"${w.namespace}"`);
        expect(e).toContain(w.name);
      }
    }
  });

  test('shows request rate, error ratio and latency for a service with a latency histogram', () => {
    const [catalog] = rows(dashboard());
    expect(catalog.panels.map(p => [p.type, p.title])).toEqual([
      ['timeseries', 'Request rate'], ['timeseries', 'Error ratio'], ['timeseries', 'Latency'],
      ['timeseries', 'CPU'], ['timeseries', 'Memory'], ['timeseries', 'Replicas'], ['stat', 'Restarts'],
      ['stat', 'Availability error budget left (30d)'], ['timeseries', 'Availability budget burn rate'],
      ['stat', 'Latency error budget left (30d)'], ['timeseries', 'Latency budget burn rate'],
    ]);
    const latency = catalog.panels.find(p => p.title === 'Latency')!;
    expect(latency.targets!.map(t => t.expr.slice(0, 'histogram_quantile(0.99'.length))).toEqual(['histogram_quantile(0.5,', 'histogram_quantile(0.9,', 'histogram_quantile(0.99']);
    // the SLO threshold is drawn on the latency panel
    expect(latency.fieldConfig.defaults.thresholds.steps).toContainEqual(expect.objectContaining({ value: 0.25 }));
  });

  test('shows no latency panel where the source has no histogram, and no request panels for a worker', () => {
    const [, , cart, mailer] = rows(dashboard());
    expect(cart.panels.map(p => p.title)).toEqual(['Request rate', 'Error ratio', 'CPU', 'Memory', 'Replicas', 'Restarts', 'Availability error budget left (7d)', 'Availability budget burn rate']);
    expect(mailer.panels.map(p => p.title)).toEqual(['CPU', 'Memory', 'Replicas', 'Restarts']);
  });

  test('shows error budget panels only for services with an SLO, one per objective', () => {
    const budgets = rows(dashboard()).map(r => r.panels.filter(p => /error budget/.test(p.title)).map(p => p.title));
    expect(budgets).toEqual([
      ['Availability error budget left (30d)', 'Latency error budget left (30d)'],
      [],
      ['Availability error budget left (7d)'],
      [],
    ]);
  });

  test('shows the burn rate of each objective over 1h and 6h, with the page thresholds drawn', () => {
    const [catalog] = rows(dashboard());
    const burn = catalog.panels.find(p => p.title === 'Availability budget burn rate')!;
    expect(burn.targets!.map(t => t.expr)).toEqual([
      expect.stringMatching(/\[1h\].*\) \/ 0\.001$/s),
      expect.stringMatching(/\[6h\].*\) \/ 0\.001$/s),
    ]);
    expect(burn.fieldConfig.defaults.thresholds.steps.map((s: { value: number | null }) => s.value)).toEqual([null, 6, 14.4]);
    // an objective's budget and burn rate share its half of the line
    expect(catalog.panels.filter(p => /budget/.test(p.title)).map(p => p.gridPos.w)).toEqual([4, 8, 4, 8]);
  });

  test('uses the units Grafana formats: reqps, percentunit, s, bytes', () => {
    const [catalog] = rows(dashboard());
    const unit = (title: string) => catalog.panels.find(p => p.title === title)!.fieldConfig.defaults.unit;
    expect(['Request rate', 'Error ratio', 'Latency', 'CPU', 'Memory', 'Replicas', 'Restarts', 'Availability error budget left (30d)'].map(unit))
      .toEqual(['reqps', 'percentunit', 's', 'none', 'bytes', 'none', 'none', 'percentunit']);
  });

  test('compares replicas with the autoscaler bounds when autoscaled, else with the Deployment spec', () => {
    const [catalog, web] = rows(dashboard());
    const exprs = (r: { panels: Panel[] }) => r.panels.find(p => p.title === 'Replicas')!.targets!.map(t => t.expr);
    expect(exprs(catalog).join('\n')).toMatch(/kube_horizontalpodautoscaler_spec_min_replicas\{namespace="shop", horizontalpodautoscaler="catalog"\}/);
    expect(exprs(catalog).join('\n')).toMatch(/kube_horizontalpodautoscaler_spec_max_replicas\{namespace="shop", horizontalpodautoscaler="catalog"\}/);
    expect(exprs(web).join('\n')).not.toMatch(/horizontalpodautoscaler/);
    expect(exprs(web).join('\n')).toMatch(/kube_deployment_spec_replicas\{namespace="shop", deployment="web"\}/);
  });

  test("selects exactly the Deployment's pods and main container in resource queries", () => {
    const [catalog] = rows(dashboard());
    const cpu = catalog.panels.find(p => p.title === 'CPU')!.targets!.map(t => t.expr);
    expect(cpu[0]).toMatch(/^sum by \(pod\) \(rate\(container_cpu_usage_seconds_total\{namespace="shop", pod=~"[^"]+", container="catalog"\}\[\$__rate_interval\]\)\)$/);
    expect(cpu.slice(1).join('\n')).toMatch(/kube_pod_container_resource_requests\{.*resource="cpu"\}[\s\S]*kube_pod_container_resource_limits\{.*resource="cpu"\}/);
    // Prometheus anchors regexp matchers at both ends
    const pod = new RegExp(`^(?:${/pod=~"([^"]+)"/.exec(cpu[0])![1]})$`);
    expect(pod.test('catalog-5d8f7c9b4-x2k7p')).toBe(true);
    expect(pod.test('catalog-api-5d8f7c9b4-x2k7p')).toBe(false);
    expect(pod.test('xcatalog-5d8f7c9b4-x2k7p')).toBe(false);
  });

  test("keeps a custom source's compound PromQL whole inside the ratios", () => {
    // GIVEN a request rate that is a sum of two series
    const requestRate = 'sum(rate(a_total{namespace="shop"}[$window])) + sum(rate(b_total{namespace="shop"}[$window]))';
    const w = telemetry('api', {
      queries: MetricsSource.custom({ requestRate, errorRate: 'sum(rate(a_failed_total{namespace="shop"}[$window]))' }).queries({ namespace: 'shop', service: 'api', protocol: 'http' }),
      slo: { availability: 99, window: '30d' },
    });
    // WHEN
    const exprs = dashboardExpressions(dashboard([w]));
    // THEN the division is by the whole sum
    expect(exprs).toContain(`(sum(rate(a_failed_total{namespace="shop"}[5m])) or vector(0)) / (${requestRate.replace(/\$window/g, '5m')})`);
    expect(exprs).toContain(`1 - ((sum(rate(a_failed_total{namespace="shop"}[30d])) or vector(0)) / (${requestRate.replace(/\$window/g, '30d')})) / 0.01`);
  });

  test('is deterministic: the same input gives the same JSON', () => {
    expect(JSON.stringify(dashboard())).toBe(JSON.stringify(dashboard()));
    expect(JSON.stringify(dashboard())).not.toBe(JSON.stringify(dashboard(shopWorkloads().reverse())));
  });
});

describe('dashboardUid', () => {
  test('is the name when it fits in 40 characters', () => {
    expect(dashboardUid('shop')).toBe('shop');
    expect(dashboardUid('shop_catalog')).toBe('shop_catalog');
  });

  test('shortens long names to 40 characters, stably and distinctly', () => {
    const a = dashboardUid('a'.repeat(50) + '-one');
    const b = dashboardUid('a'.repeat(50) + '-two');
    expect(a).toMatch(/^[A-Za-z0-9_-]{40}$/);
    expect(b).toHaveLength(40);
    expect(a).not.toBe(b);
    expect(dashboardUid('a'.repeat(50) + '-one')).toBe(a);
  });
});

describe('dashboardExpressions', () => {
  test('returns every query of every panel, nested ones included, with Grafana variables replaced', () => {
    const d = dashboard();
    const exprs = dashboardExpressions(d);
    expect(exprs).toHaveLength(allPanels(d).reduce((n, p) => n + (p.targets?.length ?? 0), 0));
    expect(exprs.filter(e => e.includes('$'))).toEqual([]);
    expect(exprs).toContainEqual(expect.stringContaining('[5m]'));
    expect(exprs).toContainEqual(expect.stringContaining('[6h]'));
    expect(exprs).toContainEqual(expect.stringContaining('[30d]'));
    // collapsed rows' panels count too
    const many = dashboard(Array.from({ length: MAX_OPEN_ROWS + 1 }, (_, i) => telemetry(`w${i}`, { kind: 'worker' })));
    expect(dashboardExpressions(many)).toHaveLength((MAX_OPEN_ROWS + 1) * 9);
  });

  test('every expression parses with the Prometheus grammar (lezer-promql)', () => {
    const exprs = dashboardExpressions(dashboard());
    expect(exprs.map(e => [e, parseError(e)]).filter(([, at]) => at !== undefined)).toEqual([]);
    // the check can fail: Grafana's variables are not PromQL
    const raw = allPanels(dashboard()).flatMap(p => p.targets ?? []).map(t => t.expr).find(e => e.includes('$__rate_interval'))!;
    expect(parseError(raw)).toBeDefined();
  });

});

describe('dashboardConfigMapData', () => {
  test('holds the dashboard as indented JSON under <app>-dashboard.json', () => {
    const d = dashboard();
    const data = dashboardConfigMapData('shop', d);
    expect(Object.keys(data)).toEqual(['shop-dashboard.json']);
    expect(data['shop-dashboard.json']).toBe(JSON.stringify(d, null, 2));
    expect(JSON.parse(data['shop-dashboard.json'])).toEqual(d);
  });
});
