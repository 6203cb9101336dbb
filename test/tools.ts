// Tool helpers of the tests: the binaries and how to run them come from
// scripts/kubectl-layer.ts (the benchmark uses them too); the jest workspace is here.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cleanToolEnv } from '../scripts/kubectl-layer';

export type { ToolResult } from '../scripts/kubectl-layer';
export { cleanToolEnv, helmBin, kubectlBin, run, toolEnv, tryRun } from '../scripts/kubectl-layer';

/**
 * A temporary folder for one test file's tool runs, the tool extracted before the first test's
 * clock starts, and both cleaned up after the file: call at the top level of a test file.
 */
export function toolWorkspace(prefix: string, extract: () => string): () => string {
  let dir: string | undefined;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `cdk8s-microservices-${prefix}-`));
    extract();
  });
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    cleanToolEnv();
  });
  return () => dir!;
}
