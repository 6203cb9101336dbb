import * as fs from 'node:fs';
import { Manifest, diffManifests, readManifestDir } from '../diff';
import { synthesizeApps } from '../../output/synth';
import { buildApps, loadBuilder, UsageError } from './load-app';
import type { Io } from './io';

export interface DiffCommandOptions {
  readonly dir: string;
  readonly app: string;
  readonly env?: string;
  readonly summaryOnly?: boolean;
}

/** Exit 0 when the folder holds exactly what the app synthesizes, 1 otherwise. */
export function diffCommand(o: DiffCommandOptions, io: Io): number {
  if (!fs.existsSync(o.dir) || !fs.statSync(o.dir).isDirectory()) throw new UsageError(`diff: ${o.dir} is not a folder`);
  const desired = synthesizeApps(buildApps(loadBuilder(o.app), o.env)).flat() as Manifest[];
  const diffs = diffManifests(desired, readManifestDir(o.dir));
  if (!diffs.length) {
    io.out(`no differences: ${desired.length} objects match ${o.dir}\n`);
    return 0;
  }
  for (const d of diffs) io.out(`${d.summary}\n`);
  if (!o.summaryOnly) for (const d of diffs) io.out(`\n${d.patch}`);
  const count = (c: string) => diffs.filter(d => d.change === c).length;
  io.out(`\n${count('changed')} changed, ${count('added')} added, ${count('removed')} removed\n`);
  return 1;
}
