import { App, Chart } from 'cdk8s';
import { appReadme } from './app-readme';
import { chartObjects } from '../rendering/fast-synth';
import { KUSTOMIZATION_FILE, kustomization, resourceFileNames } from '../rendering/kustomize';
import { stringifyManifests } from '../rendering/manifest-yaml';
import { MicroserviceApp } from '../constructs/microservice-app';
import { sortManifests } from '../rendering/ordering';
import { OutputFile, projectOf, writeOwnedFiles } from './owned-output';

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

export type { OutputFile } from './owned-output';
export { OutputRefusedError } from './owned-output';

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

/** The MicroserviceApps of a cdk8s App. */
export function microserviceApps(app: App): MicroserviceApp[] {
  return app.charts.filter((c): c is MicroserviceApp => c instanceof MicroserviceApp);
}

export interface SynthToDirectoryOptions extends RenderOptions {
  /**
   * The project whose earlier output may be replaced or removed (its record is
   * `<outdir>/.cdk8s-ms-synth@<project>.sha256`).
   * @default - the name in the nearest package.json at or above the working directory, as
   * `cdk8s-ms synth` finds it from the app file's folder
   */
  readonly project?: string;
}

/**
 * Synthesizes every MicroserviceApp of `app` into `outdir` (`<app>/manifests.yaml`,
 * `Kustomization`, `README.md`), all or nothing, as `cdk8s-ms synth` does: it replaces or removes
 * only files an earlier synth of the same project into `outdir` wrote (listed in its record
 * there), and throws OutputRefusedError, writing nothing, when another file is in the way.
 * Returns the files written.
 */
export function synthToDirectory(app: App, outdir: string, options: SynthToDirectoryOptions = {}): OutputFile[] {
  const apps = microserviceApps(app);
  const objects = synthesizeApps(apps);
  const files = apps.flatMap((chart, i) => renderAppFiles(chart, options, objects[i]));
  writeOwnedFiles(files, outdir, { command: 'synth', project: options.project ?? projectOf(process.cwd()) });
  return files;
}
