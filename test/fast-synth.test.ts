import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject, App, Chart, JsonPatch, Testing, Yaml, YamlOutputType } from 'cdk8s';
import fc from 'fast-check';
import { MicroserviceApp, MicroserviceConfigError, ObservedService, ScaledWorker } from '../lib';
import { text, value } from './yaml-arbitraries';

// app.synth() of an App holding MicroserviceApps takes the fast path (lib/rendering/fast-synth.ts): one
// validation pass and our YAML emitter. It must write the very bytes cdk8s's own App.synth()
// writes, called here as App.prototype.synth on an App built the same way.

const OUTPUT_TYPES = [YamlOutputType.FILE_PER_CHART, YamlOutputType.FILE_PER_APP, YamlOutputType.FILE_PER_RESOURCE, YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE];

interface AppDesc {
  readonly apps: Array<{ readonly services: number; readonly workers: number; readonly env: string[]; readonly patch?: string }>;
  /** Documents of a plain cdk8s Chart beside the apps (none: no such chart). */
  readonly plain: unknown[];
  /** The first app's first service calls the last app's: a dependency between charts. */
  readonly crossApp: boolean;
  readonly outputType: YamlOutputType;
}

/** Builds the description into a new App writing to `outdir`. */
function build(d: AppDesc, outdir: string): App {
  const app = new App({ outdir, yamlOutputType: d.outputType });
  const services = d.apps.map((a, i) => {
    const chart = new MicroserviceApp(app, `app-${i}`);
    const env = Object.fromEntries(a.env.map((v, j) => [`VAR_${j}`, v]));
    const made = Array.from({ length: a.services }, (_, s) => new ObservedService(chart, `svc-${s}`, { image: `ghcr.io/acme/svc-${s}:1.0.${i}`, env }));
    for (let w = 0; w < a.workers; w++) new ScaledWorker(chart, `worker-${w}`, { image: 'ghcr.io/acme/worker:2.0.0', env, replicas: w + 1 });
    if (a.patch !== undefined && made.length) made[0].deployment!.addJsonPatch(JsonPatch.add('/metadata/annotations', { note: a.patch }));
    return made;
  });
  if (d.crossApp && services.length > 1 && services[0].length && services[services.length - 1].length) {
    services[0][0].connectTo(services[services.length - 1][0]);
  }
  if (d.plain.length) {
    const chart = new Chart(app, 'plain');
    d.plain.forEach((data, i) => new ApiObject(chart, `doc-${i}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `doc-${i}` }, data } as any));
  }
  return app;
}

/** Every file under `dir`, by relative path. */
function tree(dir: string): Record<string, string> {
  const files = (fs.readdirSync(dir, { recursive: true }) as string[]).filter(f => fs.statSync(path.join(dir, f)).isFile()).sort();
  return Object.fromEntries(files.map(f => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

let tmp: string;
beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fast-synth-')); });
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Synthesizes the description with app.synth() and with cdk8s's App.synth(): both file trees. */
function bothWays(d: AppDesc, run: number): { fast: Record<string, string>; cdk8s: Record<string, string> } {
  const fast = path.join(tmp, `fast-${run}`);
  const cdk8s = path.join(tmp, `cdk8s-${run}`);
  build(d, fast).synth();
  App.prototype.synth.call(build(d, cdk8s));
  return { fast: tree(fast), cdk8s: tree(cdk8s) };
}

const descArb: fc.Arbitrary<AppDesc> = fc.record({
  apps: fc.array(fc.record({
    services: fc.integer({ min: 0, max: 3 }),
    workers: fc.integer({ min: 0, max: 2 }),
    env: fc.array(text, { maxLength: 3 }),
    patch: fc.option(text, { nil: undefined }),
  }), { minLength: 1, maxLength: 3 }),
  // as JSON: cdk8s's ApiObject cannot resolve objects without a prototype, whatever writes them
  plain: fc.array(fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9.]{0,8}$/), value, { maxKeys: 3 }).map(v => JSON.parse(JSON.stringify(v))), { maxLength: 3 }),
  crossApp: fc.boolean(),
  outputType: fc.constantFrom(...OUTPUT_TYPES),
});

describe('app.synth() of an App holding MicroserviceApps', () => {
  test('writes byte for byte what cdk8s App.synth() writes, for random apps and every output type', () => {
    let run = 0;
    fc.assert(fc.property(descArb, d => {
      const { fast, cdk8s } = bothWays(d, run++);
      expect(Object.keys(fast).length).toBeGreaterThan(0);
      expect(fast).toEqual(cdk8s);
    }), { numRuns: 30 });
  });

  test.each(OUTPUT_TYPES.map(t => [YamlOutputType[t], t]))('writes the same files as cdk8s in %s, apps beside a plain chart', (_name, outputType) => {
    const { fast, cdk8s } = bothWays({
      apps: [{ services: 2, workers: 1, env: ['yes', 'multi\nline', '0123'], patch: 'a: b' }, { services: 1, workers: 0, env: [] }],
      plain: [{ 'k.yaml': 'x: 1\n', n: '007' }],
      crossApp: true,
      outputType,
    }, 0);
    expect(fast).toEqual(cdk8s);
  });

  test('validates the App once, renders with our emitter, and puts cdk8s back afterwards', () => {
    // GIVEN 3 apps and a plain chart
    const d: AppDesc = { apps: [{ services: 1, workers: 0, env: [] }, { services: 1, workers: 0, env: [] }, { services: 1, workers: 0, env: [] }], plain: [{ a: 'b' }], crossApp: false, outputType: YamlOutputType.FILE_PER_CHART };
    const checks = jest.spyOn(MicroserviceApp.prototype as any, 'nameClashes');
    const yaml = require(require.resolve('yaml', { paths: [path.dirname(require.resolve('cdk8s'))] }));
    const yamlPackage = jest.spyOn(yaml, 'stringify');
    const cdk8sStringify = Yaml.stringify;
    try {
      // WHEN cdk8s's own synth runs: App.synth() validates, then each of the 4 charts' toJson() again
      App.prototype.synth.call(build(d, path.join(tmp, 'cdk8s')));
      expect(checks).toHaveBeenCalledTimes(3 * 5);
      expect(yamlPackage).toHaveBeenCalled();
      checks.mockClear();
      yamlPackage.mockClear();
      // WHEN app.synth() runs
      build(d, path.join(tmp, 'fast')).synth();
      // THEN each app's checks ran once, in App.synth()'s own pass: the plain chart's toJson()
      // still validates the whole App as cdk8s does (3 x 2)
      expect(checks).toHaveBeenCalledTimes(3 * 2);
      // AND no file was written by the yaml package
      expect(yamlPackage).not.toHaveBeenCalled();
      // AND cdk8s's writer is back
      expect(Yaml.stringify).toBe(cdk8sStringify);
    } finally {
      checks.mockRestore();
      yamlPackage.mockRestore();
    }
  });

  test('synthYaml() gives what cdk8s gives', () => {
    const d: AppDesc = { apps: [{ services: 2, workers: 1, env: ['on', ' lead'] }], plain: [{ x: 'y' }], crossApp: false, outputType: YamlOutputType.FILE_PER_CHART };
    const fast = build(d, tmp).synthYaml();
    expect(fast).toBe(App.prototype.synthYaml.call(build(d, tmp)));
    expect(fast).toContain('kind: Deployment');
  });

  test('a failed synth puts cdk8s back and writes nothing', () => {
    const app = Testing.app();
    const cdk8sStringify = Yaml.stringify;
    new MicroserviceApp(app, 'one', { namespace: 'shared' });
    new MicroserviceApp(app, 'two', { namespace: 'shared' });
    expect(() => app.synth()).toThrow(MicroserviceConfigError);
    expect(Yaml.stringify).toBe(cdk8sStringify);
    expect(fs.readdirSync(app.outdir)).toEqual([]);
  });
});

describe('synth warnings under app.synth()', () => {
  let stderr: jest.SpyInstance;
  let printed: string;
  beforeEach(() => {
    printed = '';
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => { printed += String(chunk); return true; });
  });
  afterEach(() => stderr.mockRestore());

  /** An app with one warning: a canary without a mesh gets an approximate share. */
  const warned = () => {
    const app = Testing.app();
    const shop = new MicroserviceApp(app, 'shop');
    new ObservedService(shop, 'web', { image: 'ghcr.io/acme/web:2.0.1', replicas: 3, canary: { image: 'ghcr.io/acme/web:2.1.0', weight: 10 } });
    return { app, shop };
  };
  const WARNING = /^warning: \[shop\/web\] the canary split is approximate: .+\n$/;

  test('app.synth() prints each warning once to stderr, as cdk8s-ms synth does', () => {
    const { app } = warned();
    app.synth();
    expect(printed).toMatch(WARNING);
  });

  test('synthYaml() prints them too, once even when synth() calls it', () => {
    const { app } = warned();
    app.synthYaml();
    expect(printed).toMatch(WARNING);
    // GIVEN an App whose synth() also calls synthYaml()
    class BothApp extends App {
      public synth(): void {
        super.synth();
        this.synthYaml();
      }
    }
    printed = '';
    const both = new BothApp({ outdir: tmp });
    new ObservedService(new MicroserviceApp(both, 'shop'), 'web', { image: 'ghcr.io/acme/web:2.0.1', replicas: 3, canary: { image: 'ghcr.io/acme/web:2.1.0', weight: 10 } });
    both.synth();
    // THEN the warning is printed once, by the outer call
    expect(printed).toMatch(WARNING);
  });

  test('toJson() and a failed synth print nothing', () => {
    const { app, shop } = warned();
    shop.toJson();
    new MicroserviceApp(app, 'one', { namespace: 'shop' });
    expect(() => app.synth()).toThrow(MicroserviceConfigError);
    expect(printed).toBe('');
  });
});

describe('toJson() outside app.synth()', () => {
  test('sees constructs and JSON patches added between calls, before and after a synth', () => {
    // GIVEN an app synthesized once
    const app = Testing.app();
    const shop = new MicroserviceApp(app, 'shop');
    const web = new ObservedService(shop, 'web', { image: 'ghcr.io/acme/web:1.0.0' });
    const deployments = () => shop.toJson().filter(o => o.kind === 'Deployment').map(o => o.metadata.name);
    expect(deployments()).toEqual(['web']);
    app.synth();
    // WHEN a service and a JSON patch are added
    new ObservedService(shop, 'api', { image: 'ghcr.io/acme/api:1.0.0' });
    web.deployment!.addJsonPatch(JsonPatch.add('/metadata/annotations', { patched: 'yes' }));
    // THEN toJson() has both
    expect(deployments()).toEqual(['api', 'web']);
    expect(shop.toJson().find(o => o.kind === 'Deployment' && o.metadata.name === 'web').metadata.annotations).toEqual({ patched: 'yes' });
    // AND so has the next app.synth()
    app.synth();
    const written = fs.readFileSync(path.join(app.outdir, 'shop.k8s.yaml'), 'utf8');
    expect(written).toContain('name: api\n');
    expect(written).toContain('patched: "yes"');
  });

  test('validates the whole App on every call, after a synth too', () => {
    // GIVEN an app synthesized once
    const app = Testing.app();
    const one = new MicroserviceApp(app, 'one', { namespace: 'shared' });
    app.synth();
    // WHEN another app takes its namespace
    new MicroserviceApp(app, 'two', { namespace: 'shared' });
    // THEN toJson() of either fails
    expect(() => one.toJson()).toThrow(/'namespace' 'shared' is also the namespace of the app one/);
  });
});
