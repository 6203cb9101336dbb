// Writes the chart templates of the per-service PrometheusRule and dashboards (and the app overview)
// from what the library synthesizes for one service, with the name made a Helm variable, so that
// the bench chart renders the same objects as the bench app. Run it when those objects change.
import * as fs from 'node:fs';
import { Testing } from 'cdk8s';
import { benchApp } from './app';
import { escapeTemplateText as helmSafe } from '../lib/tools/helm/templates';
import { stringifyManifests } from '../lib/rendering/manifest-yaml';
const objectsOf = (dashboards: boolean) => benchApp(Testing.app(), { services: 1, dashboards }).toJson() as any[];
const withDashboards = objectsOf(true);
const pick = (kind: string, name: string, objects = withDashboards) => objects.find(o => o.kind === kind && o.metadata.name === name);
const perService = (kinds: Array<[string, string]>, objects = withDashboards) => helmSafe(stringifyManifests(...kinds.map(([k, n]) => pick(k, n, objects)))).replace(/svc-0/g, '{{ $name }}');
// every object its own document: the library's stream has no '---' before the first one
const loop = (body: string) => `{{- range $i := until (int .Values.services) }}\n{{- $name := printf "svc-%d" $i }}\n---\n${body.trimEnd()}\n{{- end }}\n`;
// the alerts link the dashboard only when there is one
fs.writeFileSync(`${__dirname}/chart/templates/rules.yaml`, `# generated from the library's output for svc-0 by bench/chart-templates.ts: npx ts-node --transpile-only bench/chart-templates.ts\n`
  + `{{- if .Values.dashboards }}\n${loop(perService([['PrometheusRule', 'svc-0']]))}{{- else }}\n${loop(perService([['PrometheusRule', 'svc-0']], objectsOf(false)))}{{- end }}\n`);
fs.writeFileSync(`${__dirname}/chart/templates/dashboard.yaml`, `{{- if .Values.dashboards }}\n---\n${helmSafe(stringifyManifests(pick('ConfigMap', 'bench-overview-dashboard'))).trimEnd()}\n${loop(perService([['ConfigMap', 'svc-0-dashboard']]))}{{- end }}\n`);
