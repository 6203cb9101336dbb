import { MicroserviceApp } from '../constructs/microservice-app';
import { BatchJob } from '../constructs/batch-job';
import { ObservedService } from '../constructs/observed-service';
import { StatefulService } from '../constructs/stateful-service';
import { Workload } from '../constructs/workload';

/** One workload of an app, as a picture and a table need it. */
export interface GraphNode {
  readonly name: string;
  readonly kind: 'service' | 'worker';
  /** What runs it, when not a Deployment: `statefulset`, `job`, `cronjob`. */
  readonly controller?: 'statefulset' | 'job' | 'cronjob';
  /** `http :80`, `grpc :3550`; undefined for workers. */
  readonly endpoint?: string;
}

/** The services, workers, routes and connections of one app. */
export interface AppGraph {
  readonly app: string;
  readonly nodes: GraphNode[];
  /** Ingress routes: `host/path` to a service. */
  readonly routes: ReadonlyArray<{ readonly host?: string; readonly path: string; readonly service: string }>;
  /** connectTo() edges; a target in another app is `<namespace>/<name>`. */
  readonly edges: ReadonlyArray<{ readonly from: string; readonly to: string }>;
}

/** The workloads of an app, in the order they were created. */
export function workloadsOf(app: MicroserviceApp): Workload[] {
  return app.node.findAll().filter((c): c is Workload => c instanceof Workload && c.app === app);
}

/** Reads the graph of an app off its constructs. */
export function appGraph(app: MicroserviceApp): AppGraph {
  const workloads = workloadsOf(app);
  return {
    app: app.node.id,
    nodes: workloads.map(graphNode),
    routes: app.routeList.map(r => ({ host: r.host, path: r.path, service: r.service.name })),
    edges: workloads.flatMap(w => w.connections.map(t => ({ from: w.name, to: t.app === app ? t.name : `${t.app.namespaceName}/${t.name}` }))),
  };
}

function graphNode(w: Workload): GraphNode {
  if (w instanceof ObservedService) return { name: w.name, kind: 'service', endpoint: `${w.protocol} :${w.servicePort}` };
  if (w instanceof StatefulService) return { name: w.name, kind: 'service', controller: 'statefulset', endpoint: `${w.protocol} :${w.servicePort}` };
  if (w instanceof BatchJob) return { name: w.name, kind: 'worker', controller: w.schedule === undefined ? 'job' : 'cronjob' };
  return { name: w.name, kind: 'worker' };
}

// ids are RFC 1035 labels, so '_' never occurs in them and the mapping cannot collide
const mermaidId = (name: string) => `n_${name.replace(/[-/]/g, '_')}`;

/** A Mermaid flowchart (GitHub renders it in Markdown). */
export function toMermaid(g: AppGraph): string {
  const lines = ['flowchart LR'];
  const hosts = [...new Set(g.routes.map(r => r.host ?? '*'))];
  hosts.forEach((h, i) => lines.push(`  ingress_${i}(["Ingress ${h}"])`));
  for (const n of g.nodes) {
    if (n.controller === 'statefulset') lines.push(`  ${mermaidId(n.name)}[("${n.name}<br/>${n.endpoint}")]`);
    else lines.push(n.kind === 'service' ? `  ${mermaidId(n.name)}["${n.name}<br/>${n.endpoint}"]` : `  ${mermaidId(n.name)}[["${n.name}<br/>${n.controller ?? 'worker'}"]]`);
  }
  for (const ext of new Set(g.edges.map(e => e.to).filter(t => t.includes('/')))) lines.push(`  ${mermaidId(ext)}["${ext}"]`);
  for (const r of g.routes) lines.push(`  ingress_${hosts.indexOf(r.host ?? '*')} -- "${r.path}" --> ${mermaidId(r.service)}`);
  for (const e of g.edges) lines.push(`  ${mermaidId(e.from)} --> ${mermaidId(e.to)}`);
  return `${lines.join('\n')}\n`;
}

/** A Graphviz digraph. */
export function toDot(g: AppGraph): string {
  const esc = (s: string) => s.replace(/[\\"]/g, c => `\\${c}`);
  const q = (s: string) => `"${esc(s)}"`;
  // '\n' stays a DOT line break: the label's parts are escaped, the break is not
  const label = (...lines: string[]) => `"${lines.map(esc).join('\\n')}"`;
  const lines = [`digraph ${q(g.app)} {`, '  rankdir=LR;'];
  const hosts = [...new Set(g.routes.map(r => r.host ?? '*'))];
  for (const h of hosts) lines.push(`  ${q(`ingress ${h}`)} [shape=oval];`);
  for (const n of g.nodes) {
    const shape = n.controller === 'statefulset' ? 'cylinder' : n.kind === 'service' ? 'box' : 'box3d';
    lines.push(`  ${q(n.name)} [shape=${shape}, label=${n.kind === 'service' ? label(n.name, n.endpoint!) : label(n.name, n.controller ?? 'worker')}];`);
  }
  for (const r of g.routes) lines.push(`  ${q(`ingress ${r.host ?? '*'}`)} -> ${q(r.service)} [label=${q(r.path)}];`);
  for (const e of g.edges) lines.push(`  ${q(e.from)} -> ${q(e.to)};`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
