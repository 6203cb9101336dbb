import * as fs from 'node:fs';
import * as path from 'node:path';
import { createTwoFilesPatch, diffLines } from 'diff';
import YAML from 'yaml';
import { joinImage, splitImage } from '../pod/image';

/** A Kubernetes object as found in a file or synthesized. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly [key: string]: unknown;
}

/** How one object differs. */
export interface ObjectDiff {
  /** `deployment/catalog` (namespace-qualified when the object has one: `shop/deployment/catalog`). */
  readonly id: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** `deployment/catalog: image 1.4.2 -> 1.5.0, replicas 3 -> 5` */
  readonly summary: string;
  /** A unified diff of the object's YAML. */
  readonly patch: string;
}

/** Every Kubernetes object in the YAML files under `dir` (kustomization files and non-objects skipped). */
export function readManifestDir(dir: string): Manifest[] {
  const files = (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter(f => /\.ya?ml$/.test(f) && !/(^|\/)kustomization\.ya?ml$/.test(f) && fs.statSync(path.join(dir, f)).isFile())
    .sort();
  return files.flatMap(f => YAML.parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map(d => d.toJSON()))
    .filter((o): o is Manifest => !!o && typeof o === 'object' && typeof o.kind === 'string' && typeof o.metadata?.name === 'string');
}

const group = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');
const keyOf = (o: Manifest) => `${group(o.apiVersion)}|${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}`;
const idOf = (o: Manifest) => `${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.kind.toLowerCase()}/${o.metadata.name}`;

/** Compares the objects we would write with the objects that are there, object by object. */
export function diffManifests(desired: Manifest[], existing: Manifest[]): ObjectDiff[] {
  const have = new Map(existing.map(o => [keyOf(o), o]));
  const want = new Map(desired.map(o => [keyOf(o), o]));
  const keys = [...new Set([...want.keys(), ...have.keys()])].sort();
  const diffs: ObjectDiff[] = [];
  for (const k of keys) {
    const a = have.get(k);
    const b = want.get(k);
    const id = idOf((b ?? a)!);
    const before = a ? YAML.stringify(a) : '';
    const after = b ? YAML.stringify(b) : '';
    if (before === after) continue;
    const patch = createTwoFilesPatch(`a/${id}`, `b/${id}`, before, after, undefined, undefined, { context: 3 });
    if (!a) diffs.push({ id, change: 'added', summary: `${id}: added`, patch });
    else if (!b) diffs.push({ id, change: 'removed', summary: `${id}: removed`, patch });
    else diffs.push({ id, change: 'changed', summary: `${id}: ${describeChanges(a, b)}`, patch });
  }
  // in the order a reviewer scans them: by namespace, kind and name
  return diffs.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

interface Change { readonly path: string; readonly before: unknown; readonly after: unknown }

// list items with a name (containers, ports, env) are matched by name, so that inserting one
// does not report every later item as changed
function keyed(items: unknown[]): Map<string, unknown> | undefined {
  const named = items.every(i => i && typeof i === 'object' && typeof (i as any).name === 'string');
  return named ? new Map(items.map(i => [(i as any).name as string, i])) : undefined;
}

function leafChanges(a: unknown, b: unknown, at: string, out: Change[]): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    const ka = keyed(a);
    const kb = keyed(b);
    if (ka && kb) {
      for (const n of new Set([...ka.keys(), ...kb.keys()])) leafChanges(ka.get(n), kb.get(n), `${at}[${n}]`, out);
      return;
    }
    if (a.length === b.length) {
      a.forEach((x, i) => leafChanges(x, b[i], `${at}[${i}]`, out));
      return;
    }
  } else if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) leafChanges((a as any)[k], (b as any)[k], at ? `${at}.${k}` : k, out);
    return;
  }
  out.push({ path: at, before: a, after: b });
}

const show = (v: unknown) => (v === undefined ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v));

/** Longer values are cut in a summary line: it names the change, the unified diff shows it. */
const MAX_VALUE = 60;
const bounded = (text: string) => (text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 3)}...` : text);

/** A text a summary line cannot hold (a dashboard's JSON, a config file): more than one line, or long. */
const isLongText = (v: unknown): v is string => typeof v === 'string' && (v.includes('\n') || v.length > MAX_VALUE);

const lineCount = (text: string) => (text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0));
const lines = (n: number) => `${n.toLocaleString('en-US')} line${n === 1 ? '' : 's'}`;

/** `2 of 1,733 lines changed`: lines removed or added, counted once per changed line. */
function textChange(before: unknown, after: unknown): string {
  if (before === undefined) return `added (${lines(lineCount(String(after)))})`;
  if (after === undefined) return `removed (${lines(lineCount(String(before)))})`;
  if (typeof before !== 'string' || typeof after !== 'string') {
    const side = (v: unknown) => (typeof v === 'string' ? `(${lines(lineCount(v))})` : bounded(show(v)));
    return `${side(before)} -> ${side(after)}`;
  }
  let added = 0;
  let removed = 0;
  for (const part of diffLines(before, after)) {
    if (part.added) added += part.count ?? 0;
    else if (part.removed) removed += part.count ?? 0;
  }
  return `${Math.max(added, removed)} of ${lines(lineCount(after))} changed`;
}

/** The repository and what pins it (tag, digest, or both), for `image 1.4.2 -> 1.5.0`. */
function imageParts(image: string): { repo: string; ref: string } {
  const p = splitImage(image);
  return { repo: joinImage({ ...p, tag: '', digest: '' }), ref: [p.tag, p.digest].filter(Boolean).join('@') || 'latest' };
}

/** Names a change the way a reviewer thinks of it: `image 1.4.2 -> 1.5.0`, `replicas 3 -> 5`, else the field path. */
function describe(c: Change): string {
  if (/(^|\.)containers\[[^\]]+\]\.image$/.test(c.path) && typeof c.before === 'string' && typeof c.after === 'string') {
    const a = imageParts(c.before);
    const b = imageParts(c.after);
    return a.repo === b.repo ? `image ${a.ref} -> ${b.ref}` : `image ${c.before} -> ${c.after}`;
  }
  if (c.path === 'spec.replicas') return `replicas ${show(c.before)} -> ${show(c.after)}`;
  if (isLongText(c.before) || isLongText(c.after)) return `${c.path} ${textChange(c.before, c.after)}`;
  return `${c.path} ${bounded(show(c.before))} -> ${bounded(show(c.after))}`;
}

const MAX_LISTED = 6;

/** `image 1.4.2 -> 1.5.0, replicas 3 -> 5`: each distinct change once, the version labels that follow an image left out. */
export function describeChanges(a: unknown, b: unknown): string {
  const changes: Change[] = [];
  leafChanges(a, b, '', changes);
  const images = changes.filter(c => /\.image$/.test(c.path)).map(c => [imageParts(String(c.before)).ref, imageParts(String(c.after)).ref].join('>'));
  const shown = changes
    .filter(c => !(/app\.kubernetes\.io\/version$/.test(c.path) && images.includes(`${c.before}>${c.after}`)))
    .map(describe);
  const unique = [...new Set(shown)];
  const more = unique.length > MAX_LISTED ? `, and ${unique.length - MAX_LISTED} more` : '';
  return unique.slice(0, MAX_LISTED).join(', ') + more;
}
