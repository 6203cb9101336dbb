/**
 * Writing into a folder that is not only ours: a GitOps checkout holds `.git/`, a README, other
 * teams' folders and other tools' output beside what `cdk8s-ms synth` (or `helm`) writes.
 *
 * The files a writer put in an output folder are listed in a record file at that folder's root,
 * in `sha256sum` format (`<sha256>  <path>` per line, paths relative to the folder, so
 * `sha256sum -c` there shows any file edited since). A writer is a command of a project:
 * `cdk8s-ms synth` run from the npm package `@acme/shop-deploy` records in
 * `.cdk8s-ms-synth@acme+shop-deploy.sha256`, from a folder with no package.json in
 * `.cdk8s-ms-synth.sha256`. So two teams' pipelines writing apps into one `gitops/prod/` keep
 * apart: each replaces and removes its own files only. The writer's record, and only it, decides:
 * - a file to write that is listed is replaced; one that exists, is not listed and holds other
 *   content (or a folder in its place, or a file another writer lists) is refused, naming it,
 *   before anything is written;
 * - a listed file the run no longer writes (an app removed from the app file, a file of the other
 *   `--layout`) is removed, then each folder that removal left empty;
 * - nothing else in the folder is replaced or removed.
 * A file no writer lists that already holds exactly the bytes to write is taken over: replacing
 * it loses nothing (an output written before records existed).
 *
 * Writing is all or nothing as far as a file system allows: every file is first written beside
 * its destination under a temporary name (a failure there removes them and leaves the folder as
 * it was); the record is then written listing old and new files, the temporary files are renamed
 * into place, stale files removed, and the final record written. A run stopped between those steps
 * leaves only files the record lists, which the next run puts right.
 *
 * The record's name ends in neither `.yaml`, `.yml` nor `.json`, so neither `kubectl apply -f DIR -R`
 * nor Argo CD's directory apps (both read `.json` files too) take it for a manifest.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A file to write, relative to the output directory. */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
}

/** The commands that write output folders; each keeps its own records, so neither touches the other's files. */
export type OutputCommand = 'synth' | 'helm';

/** Who writes an output folder: a command, run for a project. */
export interface OutputWriter {
  readonly command: OutputCommand;
  /** The npm package name of the project (see projectOf()). @default - none: the record without a project */
  readonly project?: string;
}

/**
 * The record of what `writer` wrote in a folder, at that folder's root:
 * `.cdk8s-ms-synth@acme+shop-deploy.sha256` for `@acme/shop-deploy` (npm names never hold `+`).
 */
export function recordFileName(writer: OutputWriter): string {
  const project = writer.project ? `@${writer.project.replace(/^@/, '').replace('/', '+')}` : '';
  return `.cdk8s-ms-${writer.command}${project}.sha256`;
}

const RECORD_NAME = /^\.cdk8s-ms-(synth|helm)(@[^/]+)?\.sha256$/;

/**
 * The project a writer writes for: the `name` of the nearest package.json at or above `dir` (the
 * app file's folder, or the working directory), or undefined when there is none.
 */
export function projectOf(dir: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const file = path.join(d, 'package.json');
    if (fs.existsSync(file)) {
      try {
        const name = JSON.parse(fs.readFileSync(file, 'utf8')).name;
        return typeof name === 'string' && /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/.test(name) ? name : undefined;
      } catch {
        return undefined;
      }
    }
    if (path.dirname(d) === d) return undefined;
  }
}

/**
 * A file or folder in an output folder that a run would have to overwrite although no earlier run
 * of the command wrote it, or an unreadable record. Nothing has been written when it is thrown.
 */
export class OutputRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputRefusedError';
  }
}

/** What writing one output folder will do, checked before anything is written. */
export interface OutputPlan {
  readonly writer: OutputWriter;
  /** The output folder, absolute. */
  readonly outdir: string;
  readonly files: readonly OutputFile[];
  /** Files an earlier run wrote that this one does not: removed. Relative, sorted. */
  readonly stale: readonly string[];
  /** Files an earlier run wrote whose content changed since (edited by hand): replaced or removed all the same. */
  readonly edited: readonly string[];
  /** Files no run recorded that already hold the bytes to write: taken over. */
  readonly adopted: readonly string[];
  /** What the record listed before the run. */
  readonly previous: ReadonlyMap<string, string>;
}

const sha256 = (content: string | Buffer) => crypto.createHash('sha256').update(content).digest('hex');
const LINE = /^([0-9a-f]{64}) [ *](.+)$/;
/** How many refused paths an error lists before `and N more`. */
const MAX_LISTED = 20;

/** A relative path with `/` separators that stays inside the folder, or undefined. */
function relativeInside(p: string): string | undefined {
  if (p === '' || path.isAbsolute(p) || p.includes('\\') || p.includes('\0')) return undefined;
  const parts = p.split('/');
  if (parts.some(s => s === '' || s === '.' || s === '..')) return undefined;
  return p;
}

/** The record file `name` in `outdir`: relative path -> sha256. Empty when there is none. */
export function readRecord(outdir: string, name: string): Map<string, string> {
  const file = path.join(outdir, name);
  const record = new Map<string, string>();
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return record;
    throw new OutputRefusedError(`cannot read ${file}, the list of files cdk8s-ms wrote there: ${(e as Error).message}`);
  }
  text.split('\n').forEach((line, i) => {
    if (line === '') return;
    const m = LINE.exec(line);
    const p = m && relativeInside(m[2]);
    if (!m || !p || RECORD_NAME.test(p)) {
      throw new OutputRefusedError(
        `${file} line ${i + 1} is not '<sha256>  <relative path>': ${JSON.stringify(line.slice(0, 120))}. It lists the files cdk8s-ms `
        + 'may replace or remove there: restore it from version control, or delete it (then every file there counts as not written by cdk8s-ms, and one in the way is refused)',
      );
    }
    record.set(p, m[1]);
  });
  return record;
}

/** The files other writers list in `outdir`: relative path -> the record that lists it. */
function othersFiles(outdir: string, own: string): Map<string, string> {
  const listed = new Map<string, string>();
  for (const name of fs.readdirSync(outdir).filter(n => RECORD_NAME.test(n) && n !== own).sort()) {
    for (const p of readRecord(outdir, name).keys()) if (!listed.has(p)) listed.set(p, name);
  }
  return listed;
}

/** The kind of what is at `p`, without following a final symlink. */
function statOf(p: string): 'file' | 'folder' | 'other' | undefined {
  try {
    const s = fs.lstatSync(p);
    if (s.isSymbolicLink()) return fs.existsSync(p) && fs.statSync(p).isDirectory() ? 'folder' : 'file';
    return s.isFile() ? 'file' : s.isDirectory() ? 'folder' : 'other';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw e;
  }
}

/** True when the file at `p` holds exactly `content`. */
function holds(p: string, content: string): boolean {
  if (fs.statSync(p).size !== Buffer.byteLength(content)) return false;
  return fs.readFileSync(p, 'utf8') === content;
}

/**
 * Checks what writing `files` into `outdir` would replace and remove, and throws
 * OutputRefusedError, naming every path in the way, when a file or folder that no earlier run of
 * `command` wrote would have to be overwritten. Reads only; writes nothing.
 */
export function planOutput(files: readonly OutputFile[], outdir: string, writer: OutputWriter): OutputPlan {
  const { command } = writer;
  const target = path.resolve(outdir);
  const recordName = recordFileName(writer);
  const seen = new Set<string>();
  for (const f of files) {
    if (!relativeInside(f.path) || RECORD_NAME.test(f.path)) throw new Error(`cdk8s-ms ${command}: cannot write ${JSON.stringify(f.path)}: not a relative path inside the output folder`);
    if (seen.has(f.path)) throw new Error(`cdk8s-ms ${command}: ${f.path} would be written twice`);
    seen.add(f.path);
  }
  const kind = statOf(target);
  if (kind !== undefined && kind !== 'folder') throw new OutputRefusedError(`cdk8s-ms ${command}: --out ${outdir} is a file, not a folder: choose another --out`);
  const previous = kind ? readRecord(target, recordName) : new Map<string, string>();
  const others = kind ? othersFiles(target, recordName) : new Map<string, string>();

  const refused: string[] = [];
  const edited: string[] = [];
  const adopted: string[] = [];
  // what is at each folder on the way to a file: checked once, refused once
  const folders = new Map<string, boolean>();
  for (const f of files) {
    const parts = f.path.split('/');
    let blocked = false;
    for (let i = 1; i < parts.length && !blocked; i++) {
      const folder = parts.slice(0, i).join('/');
      if (!folders.has(folder)) {
        const at = statOf(path.join(target, folder));
        folders.set(folder, at === undefined || at === 'folder');
        if (at !== undefined && at !== 'folder') refused.push(`${folder} (a file where cdk8s-ms ${command} writes the folder ${folder}/)`);
      }
      blocked = !folders.get(folder);
    }
    if (blocked) continue;
    const p = path.join(target, f.path);
    const at = statOf(p);
    if (at === undefined) continue;
    if (at !== 'file') {
      refused.push(`${f.path} (a ${at === 'folder' ? 'folder' : 'special file'} where cdk8s-ms ${command} writes a file)`);
    } else if (previous.has(f.path)) {
      if (sha256(fs.readFileSync(p)) !== previous.get(f.path)) edited.push(f.path);
    } else if (others.has(f.path)) {
      refused.push(`${f.path} (written by another project or command: listed in ${others.get(f.path)})`);
    } else if (holds(p, f.content)) {
      adopted.push(f.path);
    } else {
      refused.push(`${f.path} (not written by cdk8s-ms ${command}, other content)`);
    }
  }
  if (refused.length) {
    const listed = refused.slice(0, MAX_LISTED).map(r => `  ${r}\n`).join('');
    const more = refused.length > MAX_LISTED ? `  and ${refused.length - MAX_LISTED} more\n` : '';
    throw new OutputRefusedError(
      `cdk8s-ms ${command}: refusing to write into ${outdir}: ${refused.length === 1 ? 'a path' : `${refused.length} paths`} in the way `
      + `${refused.length === 1 ? 'was' : 'were'} not written by cdk8s-ms ${command} (${path.join(outdir, recordName)} lists what it wrote):\n${listed}${more}`
      + 'Nothing was written. Move or delete them (cdk8s-ms writes them again), or choose another --out.',
    );
  }
  const stale = [...previous.keys()].filter(p => !seen.has(p)).sort();
  for (const p of stale) {
    const abs = path.join(target, p);
    if (statOf(abs) === 'file' && sha256(fs.readFileSync(abs)) !== previous.get(p)) edited.push(p);
  }
  return { writer, outdir: target, files, stale, edited: edited.sort(), adopted: adopted.sort(), previous };
}

/** What a written output folder holds now, compared with before. */
export interface OutputResult {
  readonly outdir: string;
  /** The files written (all of them, replaced or new), relative. */
  readonly written: readonly string[];
  /** The files of an earlier run removed, relative. */
  readonly removed: readonly string[];
  readonly edited: readonly string[];
  readonly adopted: readonly string[];
}

const recordText = (entries: Iterable<[string, string]>) => [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([p, h]) => `${h}  ${p}\n`).join('');

/** A temporary name beside `file`, in its folder, that no tool takes for a manifest. */
const tempOf = (file: string) => path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.cdk8s-ms-tmp`);

/** Writes `text` to `file` by a rename, so a reader never sees half of it. */
function replaceFile(file: string, text: string): void {
  const tmp = tempOf(file);
  writeText(tmp, text);
  fs.renameSync(tmp, file);
}

/**
 * Writes the planned folders: every new file to a temporary name first (a failure there removes
 * them and changes nothing), then into place, then removes the stale files and the folders that
 * removal emptied, and writes each record last. Plans must be of different folders.
 */
export function applyOutput(plans: readonly OutputPlan[]): OutputResult[] {
  const temps: string[] = [];
  const created: string[] = [];
  const hashes = plans.map(() => new Map<string, string>());
  try {
    plans.forEach((plan, i) => {
      for (const f of plan.files) {
        const file = path.join(plan.outdir, f.path);
        created.push(...mkdirs(path.dirname(file)));
        const tmp = tempOf(file);
        temps.push(tmp);
        writeText(tmp, f.content);
        hashes[i].set(f.path, sha256(f.content));
      }
      created.push(...mkdirs(plan.outdir));
    });
  } catch (e) {
    for (const t of temps) fs.rmSync(t, { force: true });
    for (const d of created.reverse()) removeIfEmpty(d);
    throw e;
  }
  return plans.map((plan, i) => {
    const recordFile = path.join(plan.outdir, recordFileName(plan.writer));
    // first the union: whatever happens next, every file there is one the record lists
    replaceFile(recordFile, recordText(new Map([...plan.previous, ...hashes[i]])));
    for (const f of plan.files) {
      const file = path.join(plan.outdir, f.path);
      fs.renameSync(tempOf(file), file);
    }
    const removed: string[] = [];
    for (const p of plan.stale) {
      const file = path.join(plan.outdir, p);
      if (statOf(file) !== 'file') continue;
      fs.rmSync(file);
      removed.push(p);
      // the folders the removal emptied, up to (not including) the output folder
      for (let dir = path.dirname(file); dir !== plan.outdir && dir.startsWith(plan.outdir + path.sep); dir = path.dirname(dir)) {
        if (!removeIfEmpty(dir)) break;
      }
    }
    replaceFile(recordFile, recordText(hashes[i]));
    return { outdir: plan.outdir, written: plan.files.map(f => f.path), removed, edited: plan.edited, adopted: plan.adopted };
  });
}

/**
 * What a run did besides writing, for the command's output: `out` has a line per app folder
 * with removed or taken-over files, `err` a warning per hand-edited file replaced or removed.
 * `out` is the folder as the user named it. Empty strings when there is nothing to say.
 */
export function describeResult(r: OutputResult, outdir: string, writer: OutputWriter): { out: string; err: string } {
  const { command } = writer;
  const byFolder = (paths: readonly string[]) => {
    const m = new Map<string, number>();
    for (const p of paths) m.set(p.split('/')[0], (m.get(p.split('/')[0]) ?? 0) + 1);
    return [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  };
  const files = (n: number) => `${n} file${n === 1 ? '' : 's'}`;
  const written = new Set(r.written.map(p => p.split('/')[0]));
  const removed = new Set(r.removed);
  const out = [
    ...byFolder(r.removed).map(([folder, n]) => `removed ${path.join(outdir, folder)}: ${files(n)} an earlier ${command} wrote, ${written.has(folder) ? 'no longer written' : 'of an app no longer built'}`),
    ...byFolder(r.adopted).map(([folder, n]) => `took over ${path.join(outdir, folder)}: ${files(n)} already holding what ${command} writes, now listed in ${recordFileName(writer)}`),
  ];
  const err = r.edited.map(p => `warning: ${path.join(outdir, p)} was edited since cdk8s-ms ${command} wrote it: ${removed.has(p) ? 'removed' : 'replaced'} all the same (the earlier content is in version control, if any)`);
  return { out: out.map(l => `${l}\n`).join(''), err: err.map(l => `${l}\n`).join('') };
}

/** Plans and writes one folder: see planOutput() and applyOutput(). */
export function writeOwnedFiles(files: readonly OutputFile[], outdir: string, writer: OutputWriter): OutputResult {
  return applyOutput([planOutput(files, outdir, writer)])[0];
}

/** mkdir -p, returning the folders it created, outermost first. */
function mkdirs(dir: string): string[] {
  const missing: string[] = [];
  for (let d = dir; !fs.existsSync(d); d = path.dirname(d)) missing.unshift(d);
  if (missing.length) fs.mkdirSync(dir, { recursive: true });
  return missing;
}

function removeIfEmpty(dir: string): boolean {
  try {
    if (fs.readdirSync(dir).length) return false;
    fs.rmdirSync(dir);
    return true;
  } catch {
    return false;
  }
}

// a large manifest (a thousand services' is 35 MB) is written in slices: encoding it whole
// would hold a second copy of it in memory
const WRITE_SLICE = 4 * 1024 * 1024;

function writeText(file: string, text: string): void {
  if (text.length <= WRITE_SLICE) {
    fs.writeFileSync(file, text);
    return;
  }
  const fd = fs.openSync(file, 'w');
  try {
    let start = 0;
    while (start < text.length) {
      let end = Math.min(start + WRITE_SLICE, text.length);
      // a slice never ends inside a surrogate pair, or each half would be written as U+FFFD
      const last = text.charCodeAt(end - 1);
      if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
      fs.writeSync(fd, text.slice(start, end));
      start = end;
    }
  } finally {
    fs.closeSync(fd);
  }
}
