// `cdk8s-ms init`: sets up cdk8s-microservices in a project made by `cdk8s init typescript-app`.
// Every change is decided before anything is written: a file it does not expect (an apps.ts of
// the user's, a main.ts that is not the template's) stops it with nothing written.
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML, { isMap, isSeq } from 'yaml';
import { UsageError } from './load-app';
import {
  APPS_TEST_TS, APPS_TS, APP_COMMAND, MAIN_TS, MAIN_TS_LINES, TEMPLATE_APP_COMMAND,
  callsBuild, isTemplateFile, isTemplateSnapshot,
} from './init-files';
import type { Io } from './io';

export interface InitCommandOptions {
  /** The project folder (where cdk8s.yaml is). */
  readonly dir: string;
}

/** Where cdk8s.yaml names the plugin: a path starting with `./` is loaded as it is. */
export const PLUGIN_PATH = './node_modules/cdk8s-microservices/validation-plugin';

type Change =
  | { readonly kind: 'write' | 'replace'; readonly file: string; readonly content: string; readonly why: string }
  | { readonly kind: 'remove'; readonly file: string; readonly why: string };

interface Plan {
  readonly changes: Change[];
  /** What init left alone and the user should know. */
  readonly notes: string[];
  /** Why init refuses: nothing is written when this is not empty. */
  readonly refusals: string[];
}

/** Plans the changes, refuses or writes them, and prints what it did and what to run next. */
export function initCommand(o: InitCommandOptions, io: Io): number {
  const dir = path.resolve(o.dir);
  const plan = planInit(dir);
  if (plan.refusals.length) {
    throw new UsageError(`init changed nothing in ${dir}:\n${plan.refusals.map(r => `  - ${r}`).join('\n')}`);
  }
  apply(dir, plan.changes);
  const width = Math.max(...plan.changes.map(c => c.file.length));
  const verb = { write: 'written', replace: 'replaced', remove: 'removed' } as const;
  io.out([
    `cdk8s-ms init: cdk8s-microservices set up in ${dir}`,
    // a change with several reasons (cdk8s.yaml) gets a line for each
    ...plan.changes.map(c => `  ${verb[c.kind].padEnd(8)}  ${c.file.padEnd(width)}  ${c.why.split('; ').join(`\n  ${' '.repeat(8 + 2 + width)}  `)}`),
    ...plan.notes.map(n => `  note: ${n}`),
    'Next:',
    '  npx tsc --noEmit      # type-check apps.ts and main.ts',
    '  npx cdk8s synth       # dist/shop.k8s.yaml, checked by the validation plugin',
    '  npx cdk8s-ms synth --out manifests   # or: manifests/shop/ with a Kustomization and a README',
    '',
  ].join('\n'));
  return 0;
}

const read = (dir: string, file: string) => {
  const p = path.join(dir, file);
  return fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined;
};

/** The project's own copy of a template file, when its cdk8s-cli is installed. */
function installedTemplate(dir: string, file: string): string | undefined {
  return read(dir, path.join('node_modules', 'cdk8s-cli', 'templates', 'typescript-app', file));
}

/** Decides every change; reads, never writes. */
export function planInit(dir: string): Plan {
  const changes: Change[] = [];
  const notes: string[] = [];
  const refusals: string[] = [];
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`init: ${dir} is not a folder`);
  const cdk8sYaml = read(dir, 'cdk8s.yaml');
  if (cdk8sYaml === undefined) {
    throw new UsageError(`init: no cdk8s.yaml in ${dir}: run it in a cdk8s project (cdk8s init typescript-app makes one)`);
  }
  const version = installedVersion(dir);

  if (read(dir, 'apps.ts') !== undefined) {
    refusals.push('apps.ts exists: init writes a new apps.ts and never overwrites one (move it away, or set up by hand: README "Use it in your project")');
  }
  changes.push({ kind: 'write', file: 'apps.ts', content: APPS_TS, why: 'build(scope, { env }): your apps (edit this file)' });

  const mainTs = read(dir, 'main.ts');
  const replacesMain = mainTs !== undefined && isTemplateFile('main.ts', mainTs, installedTemplate(dir, 'main.ts'));
  if (mainTs === undefined) {
    changes.push({ kind: 'write', file: 'main.ts', content: MAIN_TS, why: 'runs build() of apps.ts, then app.synth()' });
  } else if (replacesMain) {
    changes.push({ kind: 'replace', file: 'main.ts', content: MAIN_TS, why: "was the template's (MyChart): runs build() of apps.ts, then app.synth()" });
  } else if (callsBuild(mainTs)) {
    notes.push('main.ts already imports build from ./apps: left as it is');
  } else {
    refusals.push(`main.ts is not the template's and does not call apps.ts: add to it\n      ${MAIN_TS_LINES.split('\n').join('\n      ')}\n    then run init again (it keeps a main.ts that imports build from './apps')`);
  }

  changes.push(...mainTestChanges(dir, replacesMain, refusals, notes));
  const yamlChange = cdk8sYamlChange(cdk8sYaml, version, refusals, notes);
  if (yamlChange) changes.push(yamlChange);
  return { changes, notes, refusals };
}

/** The template's main.test.ts imports MyChart from main.ts, which init replaces: tsc fails on it. */
function mainTestChanges(dir: string, replacesMain: boolean, refusals: string[], notes: string[]): Change[] {
  const test = read(dir, 'main.test.ts');
  const changes: Change[] = [];
  if (test === undefined) {
    // nothing to fix
  } else if (isTemplateFile('main.test.ts', test, installedTemplate(dir, 'main.test.ts'))) {
    if (!replacesMain) {
      notes.push("main.test.ts (the template's) left as it is: it tests MyChart of your main.ts");
      return [];
    }
    changes.push({ kind: 'remove', file: 'main.test.ts', why: "the template's test of MyChart, which main.ts no longer has (tsc --noEmit would fail on it)" });
    const snapshot = path.join('__snapshots__', 'main.test.ts.snap');
    const snapshotText = read(dir, snapshot);
    if (snapshotText !== undefined && isTemplateSnapshot(snapshotText)) changes.push({ kind: 'remove', file: snapshot, why: "that test's snapshot" });
    else if (snapshotText !== undefined) notes.push(`${snapshot} is not the template's: left as it is (jest reports it obsolete)`);
    // what `npm run compile` made of it: stale copies of a test that is gone
    for (const compiled of ['main.test.js', 'main.test.d.ts']) {
      if (read(dir, compiled) !== undefined) changes.push({ kind: 'remove', file: compiled, why: 'compiled from the removed main.test.ts' });
    }
    if (read(dir, 'apps.test.ts') === undefined) changes.push({ kind: 'write', file: 'apps.test.ts', content: APPS_TEST_TS, why: 'a snapshot test of build() (npm test)' });
    else notes.push('apps.test.ts exists: left as it is');
  } else if (replacesMain && /from\s*['"]\.\/main['"]/.test(test)) {
    refusals.push("main.test.ts imports './main', whose MyChart init replaces: test build() from './apps' instead, or move main.test.ts away");
  }
  return changes;
}

/** The installed package's version: cdk8s.yaml pins the plugin to it. */
function installedVersion(dir: string): string {
  const manifest = read(dir, path.join('node_modules', 'cdk8s-microservices', 'package.json'));
  if (manifest === undefined) {
    throw new UsageError(`init: cdk8s-microservices is not installed in ${dir} (no node_modules/cdk8s-microservices): install it first (README "Use it in your project")`);
  }
  return JSON.parse(manifest).version;
}

/**
 * cdk8s.yaml with the validation plugin, and `app:` running ts-node with --prefer-ts-exts: the
 * template's `npm run compile` writes apps.js beside apps.ts, and node (so ts-node) loads
 * `./apps` as apps.js first: `cdk8s synth` would run the last compiled copy, not apps.ts.
 */
function cdk8sYamlChange(text: string, version: string, refusals: string[], notes: string[]): Change | undefined {
  let doc: YAML.Document;
  try {
    doc = YAML.parseDocument(text);
  } catch (e) {
    refusals.push(`cdk8s.yaml: ${(e as Error).message}`);
    return undefined;
  }
  if (doc.errors.length || !isMap(doc.contents)) {
    refusals.push(`cdk8s.yaml is not a YAML mapping${doc.errors.length ? `: ${doc.errors[0].message}` : ''}`);
    return undefined;
  }
  const language = doc.get('language');
  if (language !== 'typescript') {
    refusals.push(`cdk8s.yaml says language: ${String(language)}: init writes TypeScript (apps.ts, main.ts) for a project made by cdk8s init typescript-app`);
    return undefined;
  }
  const whys: string[] = [];
  const app = doc.get('app');
  if (app === TEMPLATE_APP_COMMAND) {
    doc.set('app', APP_COMMAND);
    whys.push('app: ts-node --prefer-ts-exts (runs apps.ts, never a stale apps.js of npm run compile)');
  } else if (typeof app !== 'string' || !app.includes('--prefer-ts-exts')) {
    notes.push(`cdk8s.yaml's app is '${String(app)}', not the template's: left as it is; if it runs ts-node, add --prefer-ts-exts, or node loads a compiled apps.js before apps.ts`);
  }
  const validations = doc.get('validations');
  if (validations !== undefined && !isSeq(validations)) {
    refusals.push("cdk8s.yaml's validations is not a list: make it one, then run init again");
    return undefined;
  }
  const ours = isSeq(validations)
    ? validations.items.find(v => isMap(v) && /cdk8s-microservices\/validation-plugin\/?$/.test(String(v.get('package'))))
    : undefined;
  if (ours) {
    notes.push(`cdk8s.yaml names the validation plugin already (version ${String((ours as YAML.YAMLMap).get('version'))}; installed ${version}): left as it is`);
  } else {
    const entry = doc.createNode({ package: PLUGIN_PATH, version, class: 'ManifestValidation', properties: { warnFails: false } }) as YAML.YAMLMap;
    const warnFails = entry.get('properties', true) as unknown as YAML.YAMLMap;
    (warnFails.items[0].key as YAML.Scalar).commentBefore = ' true: warnings fail the synth too (cdk8s-ms validate --warn-fails)';
    if (isSeq(validations)) validations.items.push(entry);
    else doc.set('validations', doc.createNode([entry]));
    whys.push(`validations: the cdk8s-microservices plugin ${version} (cdk8s synth fails on what cdk8s-ms validate refuses)`);
  }
  if (whys.length === 0) return undefined;
  return { kind: 'replace', file: 'cdk8s.yaml', content: doc.toString(), why: whys.join('; ') };
}

/** Writes every new file beside its target first, then renames and removes: a failed write leaves the project as it was. */
function apply(dir: string, changes: readonly Change[]): void {
  const staged: Array<{ tmp: string; target: string }> = [];
  try {
    for (const c of changes) {
      if (c.kind === 'remove') continue;
      const target = path.join(dir, c.file);
      const tmp = `${target}.cdk8s-ms-init.tmp`;
      // 'wx': a file that appeared since the plan is not overwritten
      if (c.kind === 'write' && fs.existsSync(target)) throw new UsageError(`init: ${c.file} appeared while init ran: nothing written`);
      fs.writeFileSync(tmp, c.content, { flag: 'wx' });
      staged.push({ tmp, target });
    }
  } catch (e) {
    for (const s of staged) fs.rmSync(s.tmp, { force: true });
    throw e;
  }
  for (const s of staged) fs.renameSync(s.tmp, s.target);
  for (const c of changes) {
    if (c.kind !== 'remove') continue;
    fs.rmSync(path.join(dir, c.file));
    // the template's __snapshots__/ held only the removed snapshot
    const folder = path.dirname(path.join(dir, c.file));
    if (folder !== dir && fs.readdirSync(folder).length === 0) fs.rmdirSync(folder);
  }
}
