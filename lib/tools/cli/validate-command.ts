import { ManifestPathError, ReportFormat, exitCodeFor, formatResult, validatePaths } from '../validate';
import { UsageError } from './load-app';
import type { Io } from './io';

export interface ValidateCommandOptions {
  readonly paths: string[];
  readonly format: ReportFormat;
  readonly warnFails: boolean;
}

/** Exit 1 on any error (or warning with --warn-fails), 0 otherwise. */
export function validateCommand(o: ValidateCommandOptions, io: Io): number {
  let result;
  try {
    result = validatePaths(o.paths);
  } catch (e) {
    if (e instanceof ManifestPathError) throw new UsageError(e.message);
    throw e;
  }
  io.out(formatResult(result, o.format));
  return exitCodeFor(result, { warnFails: o.warnFails });
}
