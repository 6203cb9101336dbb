import * as path from 'node:path';
import { Layout, OutputFile, renderAppFiles, synthesizeApps, writeTree } from '../../output/synth';
import { warningsOf } from '../../warnings';
import { buildApps, loadBuilder } from './load-app';
import type { Io } from './io';

export interface SynthCommandOptions {
  readonly app: string;
  /** Environments; each goes to `<out>/<env>/`. None: the default build into `<out>/`. */
  readonly envs?: string[];
  readonly out: string;
  readonly layout: Layout;
}

const ENV_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Renders every app of every environment in memory, then writes each output tree all or nothing. */
export function synthCommand(o: SynthCommandOptions, io: Io): number {
  const build = loadBuilder(o.app);
  const envs = o.envs?.length ? o.envs : [undefined];
  for (const env of envs) {
    if (env !== undefined && !ENV_NAME.test(env)) throw new Error(`--env '${env}' must be lowercase letters, digits and '-' (it names a folder)`);
  }
  const trees = envs.map(env => {
    const apps = buildApps(build, env);
    const objects = synthesizeApps(apps);
    return {
      out: env ? path.join(o.out, env) : o.out,
      apps: apps.map((a, i) => {
        const files = renderAppFiles(a, { layout: o.layout }, objects[i]);
        // only the kinds are kept for the summary: the objects can be freed before writing
        const kinds = objects[i].map(x => ({ kind: x.kind }));
        objects[i] = [];
        return { name: a.node.id, objects: kinds, files };
      }),
      warnings: apps.flatMap(a => warningsOf(a)),
    };
  });
  for (const t of trees) writeTree(t.apps.flatMap(a => a.files), t.out);
  io.out(summaryTable(trees));
  // valid output the user should still hear about (an approximate canary split); once per app, not per env
  for (const w of new Set(trees.flatMap(t => t.warnings))) io.err(`warning: ${w}\n`);
  return 0;
}

function summaryTable(trees: Array<{ out: string; apps: Array<{ name: string; objects: Array<{ kind: string }>; files: OutputFile[] }> }>): string {
  const rows = trees.flatMap(t => t.apps.map(a => {
    const kinds = new Map<string, number>();
    for (const o of a.objects) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
    return [path.join(t.out, a.name), String(a.objects.length), String(a.files.length), [...kinds].map(([k, n]) => `${k} ${n}`).join(', ')];
  }));
  const header = ['written', 'objects', 'files', 'by kind'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return `${[header, ...rows].map(line).join('\n')}\n`;
}
