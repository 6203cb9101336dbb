// The Grafana dashboard JSON model around the panels (data source variable, tags, links, time
// range), the shapes of its panels, and the names it is stored under (uid, ConfigMap file).
import { createHash } from 'node:crypto';

/** The dashboard JSON schema version written (Grafana 10.4 / 11.x). */
export const DASHBOARD_SCHEMA_VERSION = 39;
/** The time range a dashboard opens with; `$__range` in its queries is this long. */
export const DASHBOARD_TIME_RANGE = '6h';

export const GRID_WIDTH = 24;
const UID_MAX = 40;
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;
const TAG = 'cdk8s-microservices';

export interface GridPos { h: number; w: number; x: number; y: number }
export interface Target extends Query { refId: string; datasource: typeof DATASOURCE; range: boolean; instant: boolean; editorMode: 'code' }
export interface Panel { id: number; type: string; title: string; gridPos: GridPos; [key: string]: unknown }

/** A panel before layout: everything but id and position. */
export interface PanelSpec { type: 'timeseries' | 'stat'; title: string; description: string; w: number; body: Record<string, unknown>; targets: Query[] }
export interface Query { expr: string; legendFormat: string }
/** Panels side by side, widths summing to 24. */
export interface Line { h: number; panels: PanelSpec[] }

/** The dashboard JSON around its panels: data source variable, tags, links, time range. */
export function dashboardModel(d: { app: string; title: string; uid: string; description: string; panels: Panel[]; variables?: unknown[] }): Record<string, unknown> {
  return {
    annotations: {
      list: [{
        builtIn: 1, datasource: { type: 'grafana', uid: '-- Grafana --' }, enable: true, hide: true,
        iconColor: 'rgba(0, 211, 255, 1)', name: 'Annotations & Alerts', type: 'dashboard',
      }],
    },
    description: d.description,
    editable: true,
    fiscalYearStartMonth: 0,
    graphTooltip: 1,
    id: null,
    links: appDashboardLinks(d.app),
    panels: d.panels,
    refresh: '1m',
    schemaVersion: DASHBOARD_SCHEMA_VERSION,
    tags: [TAG, d.app],
    templating: {
      list: [{
        current: {}, hide: 0, includeAll: false, label: 'Data source', multi: false, name: 'datasource',
        options: [], query: 'prometheus', refresh: 1, regex: '', skipUrlSync: false, type: 'datasource',
      }, ...(d.variables ?? [])],
    },
    time: { from: `now-${DASHBOARD_TIME_RANGE}`, to: 'now' },
    timepicker: {},
    timezone: '',
    title: d.title,
    uid: d.uid,
    version: 1,
    weekStart: '',
  };
}

/**
 * A dashboard uid from a name (`shop`, `shop_catalog`): the name when it fits Grafana's 40
 * characters, else a prefix of it and 8 hex of its SHA-256, so it is stable.
 */
export function dashboardUid(name: string): string {
  const base = name.replace(/[^A-Za-z0-9_-]/g, '-');
  if (base.length <= UID_MAX) return base;
  const hash = createHash('sha256').update(base).digest('hex').slice(0, 8);
  return `${base.slice(0, UID_MAX - hash.length - 1)}-${hash}`;
}

/** The ConfigMap `data` of an app's dashboard: one file, `<app>-dashboard.json`, indented JSON. */
export function dashboardConfigMapData(app: string, json: Record<string, unknown>): Record<string, string> {
  return { [`${app}-dashboard.json`]: JSON.stringify(json, null, 2) };
}

/** A menu of every dashboard with the app's tags: the overview and each workload's, however many. */
export function appDashboardLinks(app: string): unknown[] {
  return [{
    type: 'dashboards', title: `${app} dashboards`, tags: [TAG, app], asDropdown: true,
    includeVars: false, keepTime: true, targetBlank: false, icon: 'external link', tooltip: '', url: '',
  }];
}
