/**
 * `app.synth()` (and `app.synthYaml()`) of a cdk8s App that holds MicroserviceApps, at the cost
 * of `cdk8s-ms synth`, with the same bytes in the same files.
 *
 * cdk8s's App.synth() validates the whole App and resolves its dependencies once, then calls
 * `chart.toJson()` per chart, which does both again for the whole App (App._synthChart): K
 * charts cost K + 1 passes over every construct. It then writes each file with
 * `Yaml.save()` = `Yaml.stringify()`, the `yaml` package's document model, several times slower
 * than our emitter (lib/rendering/manifest-yaml.ts) that writes the same bytes.
 *
 * The seam: the first MicroserviceApp of an App wraps that App instance's own `synth` and
 * `synthYaml` (never App.prototype: other Apps of the process are untouched). While the wrapped
 * call runs, and only then:
 * - `Yaml.stringify` is our emitter. Yaml.save() calls it through `this`, so no narrower seam
 *   exists short of re-implementing App.synth()'s file layout, which would drift from cdk8s's.
 *   It writes what cdk8s's would for any document, of any chart, in every YamlOutputType (it
 *   hands what it does not model to cdk8s's own function; test/fast-synth.test.ts compares whole
 *   output trees), and the original is put back when the call returns or throws.
 * - once cdk8s's own validation pass over the App has run (a validation registered on the App
 *   root marks it: it runs first, as the root is visited first), MicroserviceApp.toJson() renders
 *   its chart's objects without validating the App again. Charts of other classes keep cdk8s's
 *   Chart.toJson(). Outside that window toJson() always validates: nothing is cached between
 *   calls, so a tree changed between two toJson() calls is seen whole.
 * After the outermost call returns, and only when it succeeded:
 * - each synth warning of the App (lib/warnings.ts) is printed to stderr once, as `cdk8s-ms synth`
 *   prints them: `cdk8s synth` passes the app's stderr through (its stdout is not shown).
 * - when cdk8s recorded construct metadata (`cdk8s synth` does when cdk8s.yaml has validations),
 *   construct-metadata.json also maps `Kind/namespace/name` to each object's construct path, and
 *   lists the warnings: the validation plugin (lib/tools/validate/plugin.ts) names the construct of a
 *   finding by kind, namespace and name, where cdk8s's own keys are names alone and two objects
 *   of one name (a Deployment and its PodMonitor) share one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject, App, Chart, DependencyGraph, Yaml } from 'cdk8s';
import { IConstruct } from 'constructs';
import { stringifyManifests } from './manifest-yaml';
import { CONSTRUCT_METADATA_FILE, METADATA_KEY, MicroservicesMetadata, objectKey } from './construct-metadata';
import { warningEntriesOf } from '../warnings';

// Apps whose synth/synthYaml this module wrapped
const WRAPPED = new WeakSet<App>();
// Apps inside a wrapped call, and of those the ones cdk8s's validation pass has reached
const SYNTHESIZING = new WeakSet<App>();
const VALIDATED = new WeakSet<App>();
// how many wrapped calls are running: Yaml.stringify is swapped by the outermost one
let depth = 0;

/** Makes `app.synth()` of the App that `scope` is in take the fast path (once per App). */
export function enableFastSynth(scope: IConstruct): void {
  const root = scope.node.root;
  if (!(root instanceof App) || WRAPPED.has(root)) return;
  WRAPPED.add(root);
  root.node.addValidation({
    validate: () => {
      if (SYNTHESIZING.has(root)) VALIDATED.add(root);
      return [];
    },
  });
  for (const method of ['synth', 'synthYaml'] as const) {
    const original = root[method] as (this: App) => unknown;
    Object.defineProperty(root, method, {
      configurable: true,
      writable: true,
      value: function (this: App) {
        const outermost = !SYNTHESIZING.has(this);
        const result = synthesizing(this, () => original.call(this));
        if (outermost) afterSynth(this, method === 'synth');
        return result;
      },
    });
  }
}

function afterSynth(app: App, wroteFiles: boolean): void {
  const seen = new Set<string>();
  const warnings = warningEntriesOf(app).filter(w => !seen.has(`[${w.path}] ${w.message}`) && seen.add(`[${w.path}] ${w.message}`));
  for (const w of warnings) process.stderr.write(`warning: [${w.path}] ${w.message}\n`);
  if (wroteFiles && (app as unknown as { recordConstructMetadata?: boolean }).recordConstructMetadata) addConstructMetadata(app, { warnings });
}

/** Adds a `Kind/namespace/name` key per object, and the warnings, to the construct-metadata.json cdk8s just wrote. */
function addConstructMetadata(app: App, added: MicroservicesMetadata): void {
  const file = path.join(app.outdir, CONSTRUCT_METADATA_FILE);
  if (!fs.existsSync(file)) return;
  const metadata = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (metadata?.version !== '1.0.0' || typeof metadata.resources !== 'object' || metadata.resources === null) return;
  for (const o of app.node.findAll()) {
    if (o instanceof ApiObject) metadata.resources[objectKey(o.kind, o.metadata.namespace, o.name)] = { path: o.node.path };
  }
  // a warning is about a construct, often one that holds objects rather than is one: its path
  // as a key of its own lets cdk8s's report show it for the plugin's warning entries
  for (const w of added.warnings) metadata.resources[w.path] ??= { path: w.path };
  metadata[METADATA_KEY] = added;
  fs.writeFileSync(file, JSON.stringify(metadata));
}

function synthesizing<T>(app: App, f: () => T): T {
  // a nested call (a subclass's synth() calling synthYaml()) shares the outer window
  if (SYNTHESIZING.has(app)) return f();
  const cdk8sStringify = Yaml.stringify;
  SYNTHESIZING.add(app);
  if (depth++ === 0) Yaml.stringify = stringifyManifests;
  try {
    return f();
  } finally {
    if (--depth === 0) Yaml.stringify = cdk8sStringify;
    SYNTHESIZING.delete(app);
    VALIDATED.delete(app);
  }
}

/**
 * True while cdk8s's synth() of the App that `chart` is in runs, after its validation pass and
 * dependency resolution over the whole App: rendering the chart needs neither again.
 */
export function appValidated(chart: Chart): boolean {
  const root = chart.node.root;
  return root instanceof App && VALIDATED.has(root);
}

/**
 * What cdk8s's Chart.toJson() renders after validating and resolving: the chart's own API
 * objects in dependency order.
 */
export function chartObjects(chart: Chart): any[] {
  return new DependencyGraph(chart.node).topology()
    .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart)
    .map(o => o.toJson());
}
