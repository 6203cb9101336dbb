import { appGraph, toDot, toMermaid } from '../../output/graph';
import { buildApps, loadBuilder } from './load-app';
import type { Io } from './io';

export interface GraphCommandOptions {
  readonly app: string;
  readonly env?: string;
  readonly format: 'mermaid' | 'dot';
}

/** Prints one graph per app. */
export function graphCommand(o: GraphCommandOptions, io: Io): number {
  const render = o.format === 'dot' ? toDot : toMermaid;
  const apps = buildApps(loadBuilder(o.app), o.env);
  io.out(apps.map(a => (o.format === 'mermaid' ? `%% ${a.node.id}\n` : '') + render(appGraph(a))).join('\n'));
  return 0;
}
