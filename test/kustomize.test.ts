// The Kustomization file beside each app's plain output, checked with the real Kustomize
// (`kubectl kustomize`, kubectl 1.32): it loads the output as written, one file or one file per
// object, and changes nothing.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Testing, Yaml } from 'cdk8s';
import * as YAML from 'yaml';
import { EXAMPLE_APPS } from '../apps';
import { MicroserviceApp, ObservedService, renderApp } from '../lib';
import { KUSTOMIZATION_FILE, kustomization, resourceFileNames } from '../lib/rendering/kustomize';
import { Manifest, key, parseObjects, sorted } from './helpers';
import { kubectlBin, run, tryRun, toolWorkspace } from './tools';

const workspace = toolWorkspace('kustomize', kubectlBin);

/** Writes the files into a fresh folder and returns it. */
function writeFolder(name: string, files: Record<string, string>): string {
  const dir = path.join(workspace(), name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), content);
  return dir;
}

function kustomize(dir: string): Manifest[] {
  return sorted(parseObjects(run(kubectlBin(), ['kustomize', dir])));
}

describe.each(Object.keys(EXAMPLE_APPS))('Kustomize on the output of %s', (id) => {
  let root: App;
  let app: MicroserviceApp;
  let objects: Manifest[];
  beforeAll(() => {
    root = Testing.app();
    app = EXAMPLE_APPS[id](root);
    objects = app.toJson();
  });

  test('loads manifests.yaml and gives back exactly its objects', () => {
    // GIVEN the layout of `npm run synth`: dist/<app>/manifests.yaml, with the kustomization beside it
    const rendered = renderApp(root).find(r => r.name === id)!;
    expect(rendered).toBeDefined();
    const dir = writeFolder(`${id}-single`, { 'manifests.yaml': rendered.yaml, [KUSTOMIZATION_FILE]: kustomization(['manifests.yaml']) });
    // THEN kubectl kustomize prints the same objects
    const out = kustomize(dir);
    expect(out.map(key)).toEqual(sorted(objects).map(key));
    expect(out).toEqual(sorted(objects));
  });

  test('loads one file per object and gives back exactly the objects', () => {
    // GIVEN dist/<app>/<kind>-<name>.yaml files, listed in apply order
    const names = resourceFileNames(objects);
    expect(new Set(names).size).toBe(objects.length);
    const files = Object.fromEntries(objects.map((o, i) => [names[i], Yaml.stringify(o)]));
    const dir = writeFolder(`${id}-per-resource`, { ...files, [KUSTOMIZATION_FILE]: kustomization(names) });
    const out = kustomize(dir);
    expect(out.map(key)).toEqual(sorted(objects).map(key));
    expect(out).toEqual(sorted(objects));
  });
});

test('Kustomize keeps strings YAML 1.1 reads as other types, and template braces, as they are', () => {
  // GIVEN env values and config files a careless writer or reader would turn into booleans,
  // numbers or template actions
  const root = Testing.app();
  const app = new MicroserviceApp(root, 'edge', { version: '1.10' });
  new ObservedService(app, 'svc', {
    image: 'localhost:5000/team/app:2.0',
    env: { MODE: 'on', LEGACY: 'yes', UMASK: '0755', RATIO: '1:20', EMPTY: '', NULLISH: 'null', TILDE: '~' },
    config: { files: { 'app.tmpl': 'Hello {{ .Name }}!\n{{- if .X -}}x{{ end }}\n' } },
  });
  const objects: Manifest[] = app.toJson();
  const rendered = renderApp(root)[0];
  const dir = writeFolder('edge', { 'manifests.yaml': rendered.yaml, [KUSTOMIZATION_FILE]: kustomization(['manifests.yaml']) });
  expect(kustomize(dir)).toEqual(sorted(objects));
});

describe('kustomization', () => {
  test('lists the resources in the order given', () => {
    const text = kustomization(['namespace-shop.yaml', 'deployment-web.yaml', 'sub/ingress-shop.yaml']);
    expect(YAML.parse(text)).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['namespace-shop.yaml', 'deployment-web.yaml', 'sub/ingress-shop.yaml'],
    });
  });

  test.each([
    ['no resources', [], /at least one resource file/],
    ['a path outside the folder', ['../other/manifests.yaml'], /must be a relative path inside the app's folder/],
    ['an absolute path', ['/tmp/manifests.yaml'], /must be a relative path inside the app's folder/],
    ['a file listed twice', ['a.yaml', 'a.yaml'], /"a.yaml" is listed twice/],
  ])('fails on %s', (_what, files, message) => {
    expect(() => kustomization(files as string[])).toThrow(message);
  });

  test('makes Kustomize fail when a listed file is missing', () => {
    // the kustomization is what Kustomize reads: a wrong list is an error, not a silent subset
    const dir = writeFolder('missing', { [KUSTOMIZATION_FILE]: kustomization(['manifests.yaml']) });
    const r = tryRun(kubectlBin(), ['kustomize', dir]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('manifests.yaml');
  });
});

describe('resourceFileNames', () => {
  test('names a file <kind>-<name>.yaml, and adds the API group when a kind and name repeat', () => {
    const objects = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'web.to.catalog' } },
      { apiVersion: 'cilium.io/v2', kind: 'NetworkPolicy', metadata: { name: 'web.to.catalog' } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } },
    ];
    expect(resourceFileNames(objects)).toEqual([
      'namespace-shop.yaml',
      'networkpolicy-networking.k8s.io-web.to.catalog.yaml',
      'networkpolicy-cilium.io-web.to.catalog.yaml',
      'deployment-web.yaml',
    ]);
  });
});
