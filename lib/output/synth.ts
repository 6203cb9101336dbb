import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { appReadme } from './app-readme';
import { chartObjects } from '../rendering/fast-synth';
import { KUSTOMIZATION_FILE, kustomization, resourceFileNames } from '../rendering/kustomize';
import { stringifyManifests } from '../rendering/manifest-yaml';
import { MicroserviceApp } from '../constructs/microservice-app';
import { sortManifests } from '../rendering/ordering';

/** One app's rendered manifests. */
export interface RenderedChart {
  /** The chart id: the folder name under the output directory. */
  readonly name: string;
  /** The multi-document YAML. */
  readonly yaml: string;
}

/** `app`: one `manifests.yaml` per app; `resource`: one `<kind>-<name>.yaml` per object (small GitOps diffs). */
export type Layout = 'app' | 'resource';

export interface RenderOptions {
  /** @default 'app' */
  readonly layout?: Layout;
}

/** A file to write, relative to the output directory. */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
}

/**
 * Renders every chart of the app in memory: validation errors are thrown here, before any
 * file is touched.
 */
export function renderApp(app: App): RenderedChart[] {
  return app.charts.map((chart: Chart) => ({ name: chart.node.id, yaml: stringifyManifests(...chart.toJson()) }));
}

/**
 * `apps.map(a => a.toJson())` in one pass. cdk8s's Chart.toJson() validates the whole App and
 * resolves its dependencies every time it is called, so K apps cost K passes over every
 * construct of every app (a thousand one-service apps took 45 s); here the first app's
 * toJson() does that once for the App, and the other apps of the same App only render their
 * own objects, as MicroserviceApp.toJson() orders them. Validation errors are thrown here.
 */
export function synthesizeApps(apps: readonly MicroserviceApp[]): any[][] {
  const validated = new Set<App>();
  return apps.map(a => {
    const app = App.of(a) as App;
    if (!validated.has(app)) {
      validated.add(app);
      return a.toJson();
    }
    return sortManifests(chartObjects(a));
  });
}

/**
 * Everything `synth` writes for one app under `<app>/`: the manifests in the chosen layout, a
 * `Kustomization` file listing them, and a README with the call graph and a table per service.
 * `objects` is `chart.toJson()`, for a caller that already has it (synthesis is the costly part).
 */
export function renderAppFiles(chart: MicroserviceApp, options: RenderOptions = {}, objects: any[] = chart.toJson()): OutputFile[] {
  const dir = chart.node.id;
  const names = resourceFileNames(objects);
  const manifests: OutputFile[] = (options.layout ?? 'app') === 'resource'
    ? objects.map((o, i) => ({ path: names[i], content: stringifyManifests(o) }))
    : [{ path: 'manifests.yaml', content: stringifyManifests(...objects) }];
  return [
    ...manifests,
    { path: KUSTOMIZATION_FILE, content: kustomization(manifests.map(m => m.path)) },
    { path: 'README.md', content: appReadme(chart, objects) },
  ].map(f => ({ path: `${dir}/${f.path}`, content: f.content }));
}

/**
 * Writes the files as the whole content of `outdir`, all or nothing: the new tree is written
 * beside the old one and swapped in with renames, so a failure never leaves a half-written
 * output directory.
 */
export function writeTree(files: OutputFile[], outdir: string): void {
  const target = path.resolve(outdir);
  const staging = `${target}.staging-${process.pid}`;
  const old = `${target}.old-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(staging, f.path)), { recursive: true });
      writeText(path.join(staging, f.path), f.content);
    }
    fs.mkdirSync(staging, { recursive: true });
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (fs.existsSync(target)) fs.renameSync(target, old);
    try {
      fs.renameSync(staging, target);
    } catch (e) {
      // put the previous output back: a failed swap must not lose it
      if (fs.existsSync(old) && !fs.existsSync(target)) fs.renameSync(old, target);
      throw e;
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
    fs.rmSync(old, { recursive: true, force: true });
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

/** The MicroserviceApps of a cdk8s App. */
export function microserviceApps(app: App): MicroserviceApp[] {
  return app.charts.filter((c): c is MicroserviceApp => c instanceof MicroserviceApp);
}

/**
 * Synthesizes every MicroserviceApp of `app` into `outdir` (`<app>/manifests.yaml`,
 * `Kustomization`, `README.md`), all or nothing. Returns the files written.
 */
export function synthToDirectory(app: App, outdir: string, options: RenderOptions = {}): OutputFile[] {
  const apps = microserviceApps(app);
  const objects = synthesizeApps(apps);
  const files = apps.flatMap((chart, i) => renderAppFiles(chart, options, objects[i]));
  writeTree(files, outdir);
  return files;
}
