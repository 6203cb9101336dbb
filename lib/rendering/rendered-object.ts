/**
 * Our Kubernetes objects: the generated binding classes (so `instanceof k8s.KubeDeployment`
 * holds, as users test), given props in the API's own JSON shape (`Api<P>`, ./api-shape.ts) and
 * rendered in one pass.
 *
 * cdk8s renders a binding in four: ApiObject.toJson() resolves every value (a
 * ResolutionContext, a key path and App.of() per value), copies it again to sort the keys,
 * deep-clones it for JSON patches even when there are none, and the binding's `toJson_*`
 * functions copy it once more into the API's names (filtering undefined with a spread per key).
 * At 7,000 objects that was most of the synth time and of its garbage (`npm run bench`).
 *
 * `render()` gives the same JSON in one copy when it can prove it the same: for the App's
 * default resolvers it does what they do (a Lazy is produced, an implicit token's resolve() is
 * called), drops null and undefined, and sorts keys as ApiObject.toJson() does; the bindings'
 * own field order is that sorted order (their generators sort the schemas' properties), checked
 * on every object of dist/ and the 60-workload app by test/rendering.test.ts. Where cdk8s would
 * do more, it is cdk8s that renders: a JSON patch on the object, custom resolvers on the App, or
 * CDK8S_DISABLE_SORT. That is ApiObject.toJson() itself, over props already in the API's shape,
 * so a patch may also add a field the binding does not know (a newer Kubernetes field), which
 * the binding's conversion used to drop.
 */
import { ApiObject, ApiObjectMetadataDefinition, App, ImplicitTokenResolver, JsonPatch, Lazy, LazyResolver, NumberStringUnionResolver } from 'cdk8s';
import { Construct } from 'constructs';
import type { Api } from './api-shape';

/** A generated binding class: `new (scope, id, props)`. */
type Binding = new (scope: Construct, id: string, props: any) => ApiObject;

/** The binding `B` taking its props (the constructor's third parameter) in the API's shape. */
export type Rendered<B extends Binding> = new (scope: Construct, id: string, props: Api<NonNullable<ConstructorParameters<B>[2]>>) => InstanceType<B>;

/** `binding` rendered by render(): the class our constructs make objects with. */
export function rendered<B extends Binding>(binding: B): Rendered<B> {
  class RenderedObject extends (binding as Binding) {
    private readonly body: Record<string, unknown>;
    private patched = false;
    constructor(scope: Construct, id: string, props: Record<string, unknown>) {
      super(scope, id, props);
      this.body = props;
    }
    public addJsonPatch(...ops: JsonPatch[]): void {
      this.patched = true;
      super.addJsonPatch(...ops);
    }
    public toJson(): any {
      return render(this, this.body, this.patched);
    }
  }
  return RenderedObject as unknown as Rendered<B>;
}

function render(obj: ApiObject, body: Record<string, unknown>, patched: boolean): any {
  if (patched || process.env.CDK8S_DISABLE_SORT || !defaultResolvers(App.of(obj))) {
    return ApiObject.prototype.toJson.call(obj);
  }
  try {
    const json: Record<string, unknown> = { apiVersion: obj.apiVersion, kind: obj.kind, metadata: metadata(obj.metadata) };
    const keys = Object.keys(body);
    sortKeys(keys);
    for (const key of keys) {
      if (key === 'apiVersion' || key === 'kind' || key === 'metadata') continue;
      const value = canonical(body[key]);
      if (value != null) json[key] = value;
    }
    return json;
  } catch (e) {
    // the words of ApiObject.toJson()'s own failure
    throw new Error(`Failed serializing construct at path '${obj.node.path}' with name '${obj.name}': ${e}`);
  }
}

/** The fields of cdk8s's ApiObjectMetadataDefinition (private there) that its toJson() renders. */
interface MetadataFields {
  readonly name?: string;
  readonly namespace?: string;
  readonly labels: Record<string, unknown>;
  readonly annotations: Record<string, unknown>;
  readonly finalizers: unknown[];
  readonly ownerReferences: unknown[];
  readonly _additionalAttributes: Record<string, unknown>;
}

/**
 * What `definition.toJson()` renders (resolve, then sanitize with empty arrays and objects left
 * out), in one copy: its resolve() asks App.of() for every label and annotation. The fields are
 * cdk8s's private ones: a cdk8s whose definition holds other fields renders its own way.
 */
function metadata(definition: ApiObjectMetadataDefinition): unknown {
  const m = definition as unknown as Partial<MetadataFields>;
  if (!isPlain(m.labels) || !isPlain(m.annotations) || !Array.isArray(m.finalizers) || !Array.isArray(m.ownerReferences) || !isPlain(m._additionalAttributes)) {
    return definition.toJson();
  }
  return canonical({
    ...m._additionalAttributes, name: m.name, namespace: m.namespace, annotations: m.annotations,
    finalizers: m.finalizers, ownerReferences: m.ownerReferences, labels: m.labels,
  }, true);
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && (v as object).constructor === Object;
}

/** True when the App resolves with cdk8s's three built-in resolvers only (custom ones come first). */
function defaultResolvers(app: App): boolean {
  const r = app.resolvers;
  return r.length === 3 && r[0] instanceof LazyResolver && r[1] instanceof ImplicitTokenResolver && r[2] instanceof NumberStringUnionResolver;
}

/**
 * cdk8s's resolve() with the built-in resolvers, then sanitizeValue({ sortKeys: true }), in one
 * copy; `dropEmpty` is sanitizeValue's filterEmptyArrays and filterEmptyObjects. A union class
 * (`k8s.IntOrString`) has no place in API-shaped props: refused as sanitizeValue refuses any
 * other class.
 */
function canonical(value: any, dropEmpty = false): unknown {
  if (value == null) return undefined;
  // what most values are: no resolver of cdk8s's touches them (String.prototype has no resolve())
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean') return value;
  if (value instanceof Lazy) return canonical(value.produce(), dropEmpty);
  if (typeof value.resolve === 'function') return canonical(value.resolve(), dropEmpty);
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    if (dropEmpty && value.length === 0) return undefined;
    const items = new Array(value.length);
    for (let i = 0; i < value.length; i++) items[i] = canonical(value[i], dropEmpty);
    return items;
  }
  if (value.constructor?.name !== 'Object') throw new Error(`can't render non-simple object of type '${value.constructor?.name}'`);
  const keys = Object.keys(value);
  sortKeys(keys);
  const out: Record<string, unknown> = {};
  let empty = true;
  for (const key of keys) {
    const v = canonical(value[key], dropEmpty);
    if (v != null) {
      out[key] = v;
      empty = false;
    }
  }
  return dropEmpty && empty ? undefined : out;
}

/**
 * `keys.sort()`, in place. An object's keys are few and mostly in order already: an insertion
 * sort does no allocation, where Array.prototype.sort copies every array it sorts (a third of
 * all the bytes a synth allocated went to those copies).
 */
function sortKeys(keys: string[]): void {
  if (keys.length > 32) {
    keys.sort();
    return;
  }
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i];
    let j = i - 1;
    while (j >= 0 && keys[j] > key) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = key;
  }
}
