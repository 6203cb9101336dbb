import * as path from 'node:path';
import { helmChart } from '../helm';
import { OutputFile, OutputWriter, describeResult, projectOf, writeOwnedFiles } from '../../output/owned-output';
import { buildApps, loadBuilder } from './load-app';
import type { Io } from './io';

export interface HelmCommandOptions {
  readonly app: string;
  readonly env?: string;
  readonly out: string;
}

/**
 * Writes `<out>/<app>/` as a Helm chart for every app, all or nothing, replacing or removing only
 * files an earlier `helm` run of the same project wrote there (listed in
 * `<out>/.cdk8s-ms-helm@<project>.sha256`).
 */
export function helmCommand(o: HelmCommandOptions, io: Io): number {
  const apps = buildApps(loadBuilder(o.app), o.env);
  const files: OutputFile[] = apps.flatMap(a => Object.entries(helmChart(a)).map(([p, content]) => ({ path: `${a.node.id}/${p}`, content })));
  const writer: OutputWriter = { command: 'helm', project: projectOf(path.dirname(path.resolve(o.app))) };
  const result = writeOwnedFiles(files, o.out, writer);
  for (const a of apps) io.out(`${o.out}/${a.node.id}: Helm chart (helm template ${a.node.id} ${o.out}/${a.node.id})\n`);
  const d = describeResult(result, o.out, writer);
  io.out(d.out);
  io.err(d.err);
  return 0;
}
