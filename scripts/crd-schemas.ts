// Extracts the openAPIV3Schema of every served version of every CustomResourceDefinition in a
// folder of CRD YAML files (default ../shared/crds) into imports/schemas/crds/<group>_<version>_<kind>.json,
// the folder `cdk8s-ms validate` reads CRD schemas from at run time.
//
//   npx ts-node --transpile-only scripts/crd-schemas.ts [CRD_DIR] [--check]
//
// The schemas are stored as the CRDs declare them, minus their `description` texts (they make
// up most of the size and validation never reads them); making them strict is the validator's
// job (lib/tools/validate/schema.ts). --check writes nothing and exits 1 when the committed files
// differ from what the CRDs give, so CI notices a CRD upgrade that was not re-extracted.
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';

const ROOT = path.resolve(__dirname, '..');
const OUT_DIR = path.join(ROOT, 'imports', 'schemas', 'crds');

/** Drops the human-readable `description` of every schema node, keeping properties named "description". */
function withoutDescriptions(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutDescriptions);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'description' && typeof value === 'string') continue;
    if ((key === 'properties' || key === 'patternProperties' || key === 'definitions') && value && typeof value === 'object') {
      // the keys of these maps are field names, not schema keywords: keep every one of them
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, withoutDescriptions(sub)]));
    } else {
      out[key] = withoutDescriptions(value);
    }
  }
  return out;
}

/** file name -> file content, for every served version with a schema. */
export function extractCrdSchemas(crdDir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const file of fs.readdirSync(crdDir).filter(f => /\.ya?ml$/.test(f)).sort()) {
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(crdDir, file), 'utf8'))) {
      const crd = doc.toJSON();
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      for (const version of crd.spec?.versions ?? []) {
        if (!version.served || !version.schema?.openAPIV3Schema) continue;
        const name = `${crd.spec.group}_${version.name}_${crd.spec.names.kind}.json`;
        files.set(name, `${JSON.stringify(withoutDescriptions(version.schema.openAPIV3Schema), null, 1)}\n`);
      }
    }
  }
  return files;
}

function main(argv: string[]): number {
  const check = argv.includes('--check');
  const crdDir = path.resolve(argv.find(a => !a.startsWith('--')) ?? path.join(ROOT, '..', 'shared', 'crds'));
  const wanted = extractCrdSchemas(crdDir);
  const present = fs.existsSync(OUT_DIR) ? fs.readdirSync(OUT_DIR).filter(f => f.endsWith('.json')) : [];
  const stale = [
    ...[...wanted].filter(([name, text]) => !fs.existsSync(path.join(OUT_DIR, name)) || fs.readFileSync(path.join(OUT_DIR, name), 'utf8') !== text).map(([name]) => name),
    ...present.filter(name => !wanted.has(name)),
  ];
  const rel = path.relative(process.cwd(), OUT_DIR) || '.';
  if (check) {
    if (stale.length) {
      console.error(`${rel} is stale (${stale.join(', ')}): run 'npx ts-node --transpile-only scripts/crd-schemas.ts'`);
      return 1;
    }
    console.log(`${rel}: ${wanted.size} CRD schemas, current`);
    return 0;
  }
  fs.mkdirSync(OUT_DIR, { recursive: true });
  for (const name of present) if (!wanted.has(name)) fs.rmSync(path.join(OUT_DIR, name));
  for (const [name, text] of wanted) fs.writeFileSync(path.join(OUT_DIR, name), text);
  console.log(`${rel}: wrote ${wanted.size} CRD schemas from ${path.relative(process.cwd(), crdDir)}`);
  return 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
