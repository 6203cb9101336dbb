import { Yaml } from 'cdk8s';

/**
 * The name of the kustomization file beside an app's plain output: `Kustomization` is one of
 * the three names kustomize looks for, and unlike `kustomization.yaml` it is not read by
 * `kubectl apply -f <app>/` (or a manifest linter), which would take it for an object.
 */
export const KUSTOMIZATION_FILE = 'Kustomization';

/**
 * The `kustomization.yaml` that makes an app's plain output a Kustomize base: the resource files
 * in the order given (`['manifests.yaml']`, or the per-resource files of
 * `resourceFileNames()`), so `kubectl kustomize dist/<app>` prints the same objects and
 * overlays can patch them. It adds no namespace, prefix or labels: every object already
 * carries its namespace and labels.
 */
export function kustomization(resourceFiles: string[]): string {
  if (resourceFiles.length === 0) throw new Error('kustomization(): give at least one resource file, for example [\'manifests.yaml\']');
  const seen = new Set<string>();
  for (const f of resourceFiles) {
    // Kustomize resolves resources relative to the kustomization's folder and refuses to
    // load a file twice
    if (typeof f !== 'string' || f === '' || f.startsWith('/') || f.split(/[\\/]/).includes('..')) {
      throw new Error(`kustomization(): resource ${JSON.stringify(f)} must be a relative path inside the app's folder, such as 'manifests.yaml'`);
    }
    if (seen.has(f)) throw new Error(`kustomization(): resource ${JSON.stringify(f)} is listed twice`);
    seen.add(f);
  }
  return Yaml.stringify({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: resourceFiles,
  });
}

/** What `resourceFileNames()` needs of an object. */
export interface ObjectIdentity {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string };
}

/**
 * The file of each object in a per-resource layout: `<kind>-<name>.yaml` with the kind in lower
 * case (`deployment-catalog.yaml`, `networkpolicy-web.to.catalog.yaml`), in the objects' order.
 * Two objects of one kind and name from different API groups get the group too
 * (`networkpolicy-cilium.io-web.yaml`), so no file holds two objects.
 */
export function resourceFileNames(objects: ReadonlyArray<ObjectIdentity>): string[] {
  const base = (o: ObjectIdentity) => `${(o.kind ?? 'object').toLowerCase()}-${o.metadata?.name ?? 'unnamed'}`;
  const counts = new Map<string, number>();
  for (const o of objects) counts.set(base(o), (counts.get(base(o)) ?? 0) + 1);
  const used = new Set<string>();
  return objects.map(o => {
    let name = base(o);
    if (counts.get(name)! > 1) {
      const group = (o.apiVersion ?? '').includes('/') ? o.apiVersion!.split('/')[0] : 'core';
      name = `${(o.kind ?? 'object').toLowerCase()}-${group}-${o.metadata?.name ?? 'unnamed'}`;
    }
    // the same kind, group and name twice (a clash synth refuses) still gets two files
    let file = `${name}.yaml`;
    for (let i = 2; used.has(file); i++) file = `${name}-${i}.yaml`;
    used.add(file);
    return file;
  });
}
