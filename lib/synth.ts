import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart, Yaml } from 'cdk8s';

/** One app's rendered manifests. */
export interface RenderedChart {
  /** The chart id: the folder name under the output directory. */
  readonly name: string;
  /** The multi-document YAML. */
  readonly yaml: string;
}

/**
 * Renders every chart of the app in memory: validation errors are thrown here, before any
 * file is touched.
 */
export function renderApp(app: App): RenderedChart[] {
  return app.charts.map((chart: Chart) => ({ name: chart.node.id, yaml: Yaml.stringify(...chart.toJson()) }));
}

/**
 * Writes `<outdir>/<chart>/manifests.yaml` for every chart, all or nothing: the new tree is
 * written beside the old one and swapped in with renames, so a failure never leaves a
 * half-written output directory.
 */
export function synthToDirectory(app: App, outdir: string): RenderedChart[] {
  const rendered = renderApp(app);
  const target = path.resolve(outdir);
  const staging = `${target}.staging-${process.pid}`;
  const old = `${target}.old-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    for (const r of rendered) {
      fs.mkdirSync(path.join(staging, r.name), { recursive: true });
      fs.writeFileSync(path.join(staging, r.name, 'manifests.yaml'), r.yaml);
    }
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
  return rendered;
}
