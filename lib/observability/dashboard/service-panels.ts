// The panels of a service: its request rate, errors and latency, and for an SLO the error budget
// left and how fast it burns.
import type { RequestQueries } from '../metrics-source';
import type { WorkloadTelemetry } from '../model';
import { withinThreshold } from '../slo';
import { GRID_WIDTH, PanelSpec } from './json-model';
import { stat, timeseries } from './panels';
import { RATE, errorRatio, group, round } from './queries';

export function requestPanels(w: WorkloadTelemetry, q: RequestQueries): PanelSpec[] {
  const withLatency = q.latencyQuantile !== undefined;
  const width = withLatency ? 8 : 12;
  const allowedErrors = w.slo?.availability !== undefined ? round(1 - w.slo.availability / 100) : undefined;
  const panels: PanelSpec[] = [
    timeseries('Request rate', 'Requests per second the service answered.', width, 'reqps', [
      { expr: q.requestRate(RATE), legendFormat: 'requests/s' },
    ]),
    timeseries('Error ratio', `Failed requests / all requests${allowedErrors !== undefined ? `; the line is the ${w.slo!.availability}% availability SLO` : ''}.`, width, 'percentunit', [
      { expr: errorRatio(q, RATE), legendFormat: 'errors' },
    ], allowedErrors, 'red'),
  ];
  if (q.latencyQuantile) {
    const quantile = q.latencyQuantile;
    const threshold = w.slo?.latency?.thresholdSeconds;
    panels.push(timeseries('Latency', `p50, p90 and p99 request duration${threshold !== undefined ? `; the line is the ${w.slo!.latency!.threshold} latency SLO threshold` : ''}.`, width, 's',
      [0.5, 0.9, 0.99].map(p => ({ expr: quantile(p, RATE), legendFormat: `p${Math.round(p * 100)}` })), threshold, 'orange'));
  }
  return panels;
}

export function sloPanels(w: WorkloadTelemetry, q: RequestQueries): PanelSpec[] {
  const slo = w.slo;
  if (!slo) return [];
  const objectives: Array<{ kind: string; budget: number; what: string; ratio: (window: string) => string }> = [];
  if (slo.availability !== undefined) {
    objectives.push({
      kind: 'Availability', budget: round(1 - slo.availability / 100), what: `error ratio over ${slo.window}) / (1 - ${slo.availability}%`,
      ratio: window => errorRatio(q, window),
    });
  }
  if (slo.latency && q.fastRequestRate) {
    const l = slo.latency;
    objectives.push({
      kind: 'Latency', budget: round(1 - l.percentile / 100), what: `share of requests slower than ${l.threshold} over ${slo.window}) / (1 - ${l.percentile}%`,
      ratio: window => `1 - ${group(withinThreshold(q, l, window))} / ${group(q.requestRate(window))}`,
    });
  }
  // each objective: its budget left (a third of its share of the line) and its burn rates
  const share = GRID_WIDTH / Math.max(objectives.length, 1);
  return objectives.flatMap(o => [
    { ...budgetPanel(`${o.kind} error budget left (${slo.window})`,
      `1 - (${o.what}): the share of the ${slo.window} ${o.kind.toLowerCase()} error budget not yet spent; below 0 the SLO is missed.`,
      `1 - (${o.ratio(slo.window)}) / ${o.budget}`), w: share / 3 },
    burnRatePanel(`${o.kind} budget burn rate`, share * 2 / 3, o.ratio, o.budget),
  ]);
}

/**
 * The error ratio over the page alert's windows divided by the budget: 1 spends the budget
 * exactly over the SLO window; the lines are the page thresholds (14.4 over 1h, 6 over 6h).
 */
function burnRatePanel(title: string, w: number, ratio: (window: string) => string, budget: number): PanelSpec {
  const spec = timeseries(title, 'How many times faster than sustainable the error budget is spent (1 = exactly over the SLO window). The page alert fires above 14.4 over 1h (and 5m) or 6 over 6h (and 30m); the ticket above 3 over 1d or 1 over 3d.', w, 'x', [
    { expr: `(${ratio('1h')}) / ${budget}`, legendFormat: '1h' },
    { expr: `(${ratio('6h')}) / ${budget}`, legendFormat: '6h' },
  ]);
  const defaults = (spec.body.fieldConfig as { defaults: Record<string, any> }).defaults;
  defaults.custom.thresholdsStyle = { mode: 'line' };
  defaults.thresholds.steps = [{ color: 'green', value: null }, { color: 'orange', value: 6 }, { color: 'red', value: 14.4 }];
  return spec;
}

function budgetPanel(title: string, description: string, expr: string): PanelSpec {
  return stat(title, description, 12, 'percentunit', [{ expr, legendFormat: 'budget left' }],
    [{ color: 'red', value: null }, { color: 'orange', value: 0 }, { color: 'green', value: 0.25 }], 1);
}
