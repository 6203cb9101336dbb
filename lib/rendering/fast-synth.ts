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
 */
import { ApiObject, App, Chart, DependencyGraph, Yaml } from 'cdk8s';
import { IConstruct } from 'constructs';
import { stringifyManifests } from './manifest-yaml';

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
        return synthesizing(this, () => original.call(this));
      },
    });
  }
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
