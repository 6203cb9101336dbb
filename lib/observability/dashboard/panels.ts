// Grafana panel pieces: time series and stat panels, their series overrides, and a panel's JSON
// once it has an id and a position.
import { DATASOURCE, GridPos, Panel, PanelSpec, Query, Target } from './json-model';

type Threshold = { color: string; value: number | null };

export function timeseries(title: string, description: string, w: number, unit: string, targets: Query[], line?: number, lineColor = 'red'): PanelSpec {
  const thresholds: Threshold[] = [{ color: 'green', value: null }];
  if (line !== undefined) thresholds.push({ color: lineColor, value: line });
  return {
    type: 'timeseries', title, description, w, targets,
    body: {
      fieldConfig: {
        defaults: {
          color: { mode: 'palette-classic' },
          custom: {
            drawStyle: 'line', lineInterpolation: 'linear', lineWidth: 1, fillOpacity: 10, gradientMode: 'none',
            showPoints: 'never', spanNulls: false, axisPlacement: 'auto', axisLabel: '',
            stacking: { mode: 'none', group: 'A' },
            thresholdsStyle: { mode: line !== undefined ? 'line+area' : 'off' },
          },
          min: 0,
          unit,
          thresholds: { mode: 'absolute', steps: thresholds },
        },
        overrides: [] as unknown[],
      },
      options: {
        legend: { calcs: [], displayMode: 'list', placement: 'bottom', showLegend: true },
        tooltip: { mode: 'multi', sort: 'desc' },
      },
    },
  };
}

export function resourcePanel(title: string, description: string, unit: string, axisLabel: string | undefined, targets: Query[]): PanelSpec {
  const spec = timeseries(title, description, 6, unit, targets);
  if (axisLabel) (((spec.body.fieldConfig as { defaults: { custom: Record<string, unknown> } }).defaults.custom).axisLabel = axisLabel);
  return withOverrides(spec, [dashed('request', 'blue'), dashed('limit', 'red')]);
}

export function stat(title: string, description: string, w: number, unit: string, targets: Query[], steps: Threshold[], decimals: number): PanelSpec {
  return {
    type: 'stat', title, description, w, targets,
    body: {
      fieldConfig: {
        defaults: { color: { mode: 'thresholds' }, decimals, unit, thresholds: { mode: 'absolute', steps } },
        overrides: [],
      },
      options: {
        colorMode: 'background', graphMode: 'none', justifyMode: 'auto', orientation: 'auto', textMode: 'value',
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      },
    },
  };
}

/** A series drawn as a dashed line of a fixed colour, not filled: a bound, not a measurement. */
export function dashed(series: string, color: string): unknown {
  return {
    matcher: { id: 'byName', options: series },
    properties: [
      { id: 'color', value: { mode: 'fixed', fixedColor: color } },
      { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
      { id: 'custom.fillOpacity', value: 0 },
    ],
  };
}

/** A series drawn in a fixed colour: green for success, red for failure. */
export function fixedColor(series: string, color: string): unknown {
  return { matcher: { id: 'byName', options: series }, properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: color } }] };
}

export function withOverrides(spec: PanelSpec, overrides: unknown[]): PanelSpec {
  (spec.body.fieldConfig as { overrides: unknown[] }).overrides.push(...overrides);
  return spec;
}

export function panel(spec: PanelSpec, id: number, gridPos: GridPos): Panel {
  const refIds = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return {
    id, type: spec.type, title: spec.title, description: spec.description, datasource: DATASOURCE, gridPos,
    ...spec.body,
    targets: spec.targets.map((t, i): Target => ({
      refId: refIds[i], datasource: DATASOURCE, expr: t.expr, legendFormat: t.legendFormat,
      // a time series draws a range; a stat shows one value, at the end of the range
      range: spec.type === 'timeseries', instant: spec.type === 'stat', editorMode: 'code',
    })),
  };
}
