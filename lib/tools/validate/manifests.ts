// Loading manifests: YAML files and folders into one list of documents, each remembering where
// it came from (file, document index, line) so that every finding can point at it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';

/**
 * A parsed YAML document, trusted for nothing: it is whatever the file held, so every check
 * reads it with optional chaining and type tests, never assuming a field exists or has a type.
 */
export type Doc = any;

/** One YAML document and where it came from. */
export interface Manifest {
  /** The parsed document (undefined when it is not valid YAML). */
  readonly object: Doc;
  /** The file as given or found while walking a folder (`<input>` for in-memory objects). */
  readonly file: string;
  /** The 0-based index of the document in its file (`file#doc` in check-manifests' words). */
  readonly doc: number;
  /** The 1-based line the document starts on, when it came from a file. */
  readonly line?: number;
  /** Why the document is not valid YAML, when it is not. */
  readonly yamlError?: string;
}

/** A path that does not exist or cannot be read: a usage error, not a finding about a manifest. */
export class ManifestPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestPathError';
  }
}

/**
 * `Kind/namespace/name`, the way findings name objects (and policy-check does): an empty
 * namespace for cluster-scoped or defaulted objects, `?` for a missing kind or name, and
 * `document N` for a document that is not an object at all.
 */
export function objectIdOf(m: Manifest): string {
  const o = m.object;
  if (!isObject(o)) return `document ${m.doc}`;
  const part = (v: unknown) => (v === undefined || v === null || v === '' ? '?' : String(v));
  return `${part(o.kind)}/${o.metadata?.namespace ?? ''}/${part(o.metadata?.name)}`;
}

/** A plain object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, Doc> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every `*.yaml` / `*.yml` file under a path, folders walked recursively in name order. */
export function yamlFilesUnder(p: string): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(p);
  } catch {
    throw new ManifestPathError(`${p}: no such file or directory`);
  }
  if (!stat.isDirectory()) return [p];
  return fs.readdirSync(p).sort().flatMap(entry => {
    const child = path.join(p, entry);
    if (fs.statSync(child).isDirectory()) return yamlFilesUnder(child);
    return /\.ya?ml$/.test(entry) ? [child] : [];
  });
}

/**
 * The documents of one YAML text. Empty documents (a trailing `---`, a comment-only file) are
 * skipped; a document that does not parse is kept with its error so that it is reported, not
 * silently dropped. Duplicate keys are errors: the API server would keep only one of them.
 */
export function parseManifests(text: string, file: string): Manifest[] {
  const lineCounter = new YAML.LineCounter();
  const out: Manifest[] = [];
  YAML.parseAllDocuments(text, { uniqueKeys: true, lineCounter }).forEach((d, doc) => {
    const start = d.contents?.range?.[0] ?? d.range[0];
    const line = lineCounter.linePos(start).line;
    if (d.errors.length) {
      // the parser's message goes on to quote the source over several lines: keep the first
      const yamlError = d.errors[0].message.split('\n')[0].replace(/:$/, '');
      out.push({ object: undefined, file, doc, line, yamlError });
      return;
    }
    const object = d.toJSON();
    if (object === null || object === undefined) return;
    out.push({ object, file, doc, line });
  });
  return out;
}

/** The documents of every YAML file under the given files and folders, and the files read. */
export function loadManifests(paths: readonly string[]): { manifests: Manifest[]; files: string[] } {
  const files = paths.flatMap(yamlFilesUnder);
  const manifests = files.flatMap(file => {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new ManifestPathError(`${file}: ${(e as Error).message}`);
    }
    return parseManifests(text, file);
  });
  return { manifests, files };
}

/** Wraps objects already in memory (for example `chart.toJson()`) as manifests. */
export function inMemoryManifests(objects: readonly unknown[], file = '<input>'): Manifest[] {
  return objects.filter(o => o !== null && o !== undefined).map((object, doc) => ({ object, file, doc }));
}
