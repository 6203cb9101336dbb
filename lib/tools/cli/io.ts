// What every command shares with the CLI's entry: where it prints and the exit codes.

/** Where the commands print: the process streams, or a buffer in tests. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export const PROCESS_IO: Io = {
  out: t => process.stdout.write(t),
  err: t => process.stderr.write(t),
};

/** Exit codes, the same for every command. */
export const EXIT = {
  /** Done; no findings; no differences. */
  OK: 0,
  /** validate found errors (or warnings with --warn-fails); diff found differences. */
  FINDINGS: 1,
  /** Bad usage, an unreadable file, or an app whose props are wrong. */
  USAGE: 2,
} as const;
