import * as path from 'node:path';
import { OutputWriter, applyOutput, describeResult, planOutput, projectOf } from '../../output/owned-output';
import { Layout, OutputFile, renderAppFiles, synthesizeApps } from '../../output/synth';
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

/**
 * Renders every app of every environment in memory, checks that no file in the way of any of them
 * was written by someone else (lib/output/owned-output.ts), then writes them all.
 */
export function synthCommand(o: SynthCommandOptions, io: Io): number {
  const build = loadBuilder(o.app);
  const envs = o.envs?.length ? [...new Set(o.envs)] : [undefined];
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
  // the project the app file is in: its records are apart from other projects' in the same folder
  const writer: OutputWriter = { command: 'synth', project: projectOf(path.dirname(path.resolve(o.app))) };
  // every folder is checked before any is written: a refusal leaves all of them as they were
  const plans = trees.map(t => planOutput(t.apps.flatMap(a => a.files), t.out, writer));
  const results = applyOutput(plans);
  io.out(summaryTable(trees));
  for (const [i, r] of results.entries()) {
    const d = describeResult(r, trees[i].out, writer);
    io.out(d.out);
    io.err(d.err);
  }
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
