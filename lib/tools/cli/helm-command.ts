import { helmChart } from '../helm';
import { OutputFile, writeTree } from '../../output/synth';
import { buildApps, loadBuilder } from './load-app';
import type { Io } from './io';

export interface HelmCommandOptions {
  readonly app: string;
  readonly env?: string;
  readonly out: string;
}

/** Writes `<out>/<app>/` as a Helm chart for every app, all or nothing. */
export function helmCommand(o: HelmCommandOptions, io: Io): number {
  const apps = buildApps(loadBuilder(o.app), o.env);
  const files: OutputFile[] = apps.flatMap(a => Object.entries(helmChart(a)).map(([p, content]) => ({ path: `${a.node.id}/${p}`, content })));
  writeTree(files, o.out);
  for (const a of apps) io.out(`${o.out}/${a.node.id}: Helm chart (helm template ${a.node.id} ${o.out}/${a.node.id})\n`);
  return 0;
}
