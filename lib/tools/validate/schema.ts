// Strict schema validation: every object against the Kubernetes 1.28 OpenAPI definitions, or
// the schema of its CRD, with unknown fields as errors (the API server drops them silently,
// or rejects them with server-side field validation: either way a typo never does what it says).
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { Doc, Manifest } from './manifests';
import { FindingList, ruleSet } from './rules';
import { PACKAGE_ROOT } from '../package-root';

export const SCHEMA_RULES = ruleSet({
  'unknown-kind': {
    severity: 'error',
    summary: 'The apiVersion and kind are neither a Kubernetes 1.28 type nor a CRD with a schema under imports/schemas/crds.',
    fix: 'Fix the apiVersion or kind, or add the CRD schema with scripts/crd-schemas.ts.',
  },
  'schema-unknown-field': {
    severity: 'error',
    summary: 'The object has a field its schema does not declare (a typo, or a field of another API version).',
    fix: 'Remove the field or correct its name or indentation.',
  },
  'schema-missing-field': {
    severity: 'error',
    summary: 'A field the schema requires is missing.',
    fix: 'Add the field.',
  },
  'schema-invalid-value': {
    severity: 'error',
    summary: 'A field has a value of the wrong type or outside what the schema allows.',
    fix: 'Give the field a value of the type and form the schema declares.',
  },
});

/** Where the vendored schemas are: the Kubernetes definitions, and crds/<group>_<version>_<kind>.json. */
export const DEFAULT_SCHEMA_DIR = path.join(PACKAGE_ROOT, 'imports', 'schemas');
const K8S_DEFINITIONS = 'k8s-v1.28.0-definitions.json';
const OBJECT_META = 'k8s#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/**
 * Makes a schema strict, in place:
 * - an object schema that declares `properties` rejects any other field, unless it says
 *   otherwise (`additionalProperties`) or keeps unknown fields on purpose
 *   (`x-kubernetes-preserve-unknown-fields`, used for free-form parts of CRDs);
 * - `x-kubernetes-int-or-string` (CRDs) becomes "a string or an integer", which is what the API
 *   server accepts; JSON schema alone has no such type.
 */
export function strictify(schema: Doc, seen = new Set<unknown>()): Doc {
  if (!schema || typeof schema !== 'object' || seen.has(schema)) return schema;
  seen.add(schema);
  if (Array.isArray(schema)) {
    schema.forEach(s => strictify(s, seen));
    return schema;
  }
  if (schema['x-kubernetes-int-or-string']) {
    delete schema.type;
    schema.anyOf = [{ type: 'string' }, { type: 'integer' }];
  }
  if (schema.properties && schema.additionalProperties === undefined && !schema['x-kubernetes-preserve-unknown-fields']) {
    schema.additionalProperties = false;
  }
  // maps of field name -> schema
  for (const key of ['properties', 'patternProperties', 'definitions']) {
    for (const sub of Object.values(schema[key] ?? {})) strictify(sub, seen);
  }
  // keywords holding one schema or a list of schemas
  for (const key of ['items', 'additionalProperties', 'not', 'allOf', 'anyOf', 'oneOf']) {
    if (schema[key] && typeof schema[key] === 'object') strictify(schema[key], seen);
  }
  return schema;
}

/**
 * The schemas of every kind validation knows, compiled on first use: compiling the pod spec
 * takes a noticeable fraction of a second, and most bundles use a handful of kinds.
 */
/**
 * CRD patterns are Go (RE2) regular expressions, which may carry inline flags such as `(?i)`
 * (the PrometheusRule CRD: `^(?i)(abort|warn)?$`) that JavaScript rejects. Leading inline
 * flags become RegExp flags; anything else is compiled as it is.
 */
export function goRegExp(source: string, flags = ''): RegExp {
  const m = /^(\^?)\(\?([imsU]+)\)/.exec(source);
  if (!m) return new RegExp(source, flags);
  const extra = [...m[2]].filter(f => f === 'i' || f === 's' || f === 'm').join('');
  return new RegExp(m[1] + source.slice(m[0].length), [...new Set(flags + extra)].join(''));
}

export class SchemaCatalog {
  private static sharedCatalog?: SchemaCatalog;

  /** One catalog per process, over the vendored schemas. */
  static shared(): SchemaCatalog {
    this.sharedCatalog ??= new SchemaCatalog(DEFAULT_SCHEMA_DIR);
    return this.sharedCatalog;
  }

  private readonly ajv = new Ajv({
    strict: false, allErrors: true, allowUnionTypes: true, validateFormats: false, verbose: true,
    code: { regExp: goRegExp as any },
  });
  /** `apiVersion/kind` -> a `$ref` into the Kubernetes definitions. */
  private readonly coreRefs = new Map<string, string>();
  /** `apiVersion/kind` -> the CRD schema file. */
  private readonly crdFiles = new Map<string, string>();
  private readonly compiled = new Map<string, ValidateFunction | undefined>();

  constructor(schemaDir: string) {
    const definitions = JSON.parse(fs.readFileSync(path.join(schemaDir, K8S_DEFINITIONS), 'utf8')).definitions;
    for (const definition of Object.values(definitions)) strictify(definition);
    this.ajv.addSchema({ $id: 'k8s', definitions });
    for (const [name, definition] of Object.entries<Doc>(definitions)) {
      for (const gvk of definition['x-kubernetes-group-version-kind'] ?? []) {
        const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
        this.coreRefs.set(`${apiVersion}/${gvk.kind}`, `k8s#/definitions/${name}`);
      }
    }
    const crdDir = path.join(schemaDir, 'crds');
    for (const file of fs.existsSync(crdDir) ? fs.readdirSync(crdDir) : []) {
      const m = /^([^_]+)_([^_]+)_([^_]+)\.json$/.exec(file);
      if (m) this.crdFiles.set(`${m[1]}/${m[2]}/${m[3]}`, path.join(crdDir, file));
    }
  }

  /** Every `apiVersion/kind` with a schema. */
  get kinds(): string[] {
    return [...this.coreRefs.keys(), ...this.crdFiles.keys()].sort();
  }

  /** The validator of a kind, or undefined when no schema is known for it. */
  validatorFor(apiVersion: string, kind: string): ValidateFunction | undefined {
    const key = `${apiVersion}/${kind}`;
    if (!this.compiled.has(key)) this.compiled.set(key, this.compile(key));
    return this.compiled.get(key);
  }

  private compile(key: string): ValidateFunction | undefined {
    const ref = this.coreRefs.get(key);
    if (ref) return this.ajv.compile({ $ref: ref });
    const file = this.crdFiles.get(key);
    if (!file) return undefined;
    const schema = strictify(JSON.parse(fs.readFileSync(file, 'utf8')));
    // a CRD schema need not declare the fields every object has; metadata is the usual ObjectMeta
    schema.properties = {
      ...schema.properties,
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { $ref: OBJECT_META },
    };
    return this.ajv.compile(schema);
  }
}

/** Checks each object (with an apiVersion and a kind) against its schema. */
export function checkSchemas(manifests: readonly Manifest[], findings: FindingList, catalog = SchemaCatalog.shared()): void {
  for (const m of manifests) {
    const { apiVersion, kind } = m.object;
    const validate = catalog.validatorFor(String(apiVersion), String(kind));
    if (!validate) {
      findings.add(SCHEMA_RULES['unknown-kind'], m, `no schema for apiVersion '${apiVersion}' kind '${kind}': not a Kubernetes 1.28 kind nor a known CRD`);
      continue;
    }
    if (validate(m.object)) continue;
    for (const e of readableErrors(validate.errors ?? [])) {
      const rule = e.keyword === 'additionalProperties' ? SCHEMA_RULES['schema-unknown-field']
        : e.keyword === 'required' ? SCHEMA_RULES['schema-missing-field']
          : SCHEMA_RULES['schema-invalid-value'];
      findings.add(rule, m, e.message, e.pointer);
    }
  }
}

interface SchemaError {
  readonly keyword: string;
  /** JSON pointer of the field to blame. */
  readonly pointer: string;
  readonly message: string;
}

/**
 * Ajv's errors in a reader's words. With allErrors, a value that fits no branch of `anyOf` /
 * `oneOf` (int-or-string, quantities) gets one error per branch plus one for the whole: those
 * become one error naming the allowed types. An unknown field is blamed on the field itself.
 */
export function readableErrors(errors: readonly ErrorObject[]): SchemaError[] {
  const alternatives = errors.filter(e => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const isBranchError = (e: ErrorObject) => alternatives.some(a => e !== a && e.schemaPath.startsWith(`${a.schemaPath}/`));
  const out: SchemaError[] = [];
  for (const e of errors) {
    if (isBranchError(e)) continue;
    const field = fieldPath(e.instancePath);
    switch (e.keyword) {
      case 'additionalProperties': {
        const name = String(e.params.additionalProperty);
        const pointer = `${e.instancePath}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        out.push({ keyword: e.keyword, pointer, message: `unknown field ${fieldPath(pointer)}` });
        break;
      }
      case 'required':
        out.push({ keyword: e.keyword, pointer: e.instancePath, message: `${field ? `${field}: ` : ''}missing required field '${e.params.missingProperty}'` });
        break;
      case 'anyOf':
      case 'oneOf': {
        const branches = errors.filter(b => b.schemaPath.startsWith(`${e.schemaPath}/`));
        const types = branches.every(b => b.keyword === 'type') ? [...new Set(branches.map(b => String(b.params.type)))] : [];
        const expected = types.length ? `must be ${types.join(' or ')}` : e.message ?? 'does not match the schema';
        out.push({ keyword: e.keyword, pointer: e.instancePath, message: `${field || 'the object'} ${expected}, got ${show(e.data)}` });
        break;
      }
      case 'type':
      case 'enum':
        out.push({ keyword: e.keyword, pointer: e.instancePath, message: `${field || 'the object'} ${e.message}${e.keyword === 'enum' ? ` (${(e.params.allowedValues as unknown[]).map(show).join(', ')})` : ''}, got ${show(e.data)}` });
        break;
      default:
        out.push({ keyword: e.keyword, pointer: e.instancePath, message: `${field || 'the object'} ${e.message}` });
    }
  }
  return out;
}

/** `/spec/containers/0/ports` -> `spec.containers[0].ports`; keys with dots or slashes are quoted. */
export function fieldPath(pointer: string): string {
  if (!pointer) return '';
  return pointer.split('/').slice(1).map(s => s.replace(/~1/g, '/').replace(/~0/g, '~')).reduce((acc, seg) => {
    if (/^\d+$/.test(seg)) return `${acc}[${seg}]`;
    if (/^[A-Za-z_$][\w$-]*$/.test(seg)) return acc ? `${acc}.${seg}` : seg;
    return `${acc}[${JSON.stringify(seg)}]`;
  }, '');
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? 'nothing' : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
