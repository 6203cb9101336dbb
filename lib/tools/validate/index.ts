// `cdk8s-ms validate`: judges synthesized manifests the way the API server and the common
// linters would, without a cluster and without network. The checks, in the order they run:
//
//   objects.ts     documents (YAML, identity, duplicates), then per-object rules
//   schema.ts      strict schema of Kubernetes 1.28 and vendored CRDs (unknown fields are errors)
//   references.ts  what objects point at exists and matches (selectors, ports, targets, hosts)
//   rollouts.ts    what an Argo Rollouts Rollout points at (workloadRef, traffic routing, analysis)
//   policies.ts    security and best practice (kube-score, kube-linter, Polaris, PSS restricted)
//
// It reports at least what the team's `check-manifests` reports (test/validate.test.ts holds
// it to that on a deliberately broken bundle), with the same rule ids for policies.
import { Bundle } from './bundle';
import { type Manifest, inMemoryManifests, loadManifests } from './manifests';
import { OBJECT_RULES, checkDocuments, checkObjects } from './objects';
import { POLICY_RULES, checkPolicies } from './policies';
import { REFERENCE_RULES, checkReferences } from './references';
import { ROLLOUT_RULES, checkRollouts } from './rollouts';
import { type Finding, type ReportFormat, type ValidationResult, countBySeverity, formatJson, formatSarif, formatText } from './report';
import { FindingList, type Rule } from './rules';
import { SCHEMA_RULES, SchemaCatalog, checkSchemas } from './schema';

export { ManifestPathError, parseManifests, loadManifests } from './manifests';
export type { Manifest } from './manifests';
export { summaryLine, countBySeverity } from './report';
export type { Finding, ReportFormat, Severity, ValidationResult } from './report';
export type { Rule } from './rules';
export { SchemaCatalog } from './schema';

/** Every rule validation applies, by concern. */
export const RULES: readonly Rule[] = [
  ...Object.values(OBJECT_RULES),
  ...Object.values(SCHEMA_RULES),
  ...Object.values(REFERENCE_RULES),
  ...Object.values(ROLLOUT_RULES),
  ...Object.values(POLICY_RULES),
];

export interface ValidateOptions {
  /** The schemas to validate against. @default the vendored Kubernetes 1.28 and CRD schemas */
  readonly schemas?: SchemaCatalog;
}

/** Validates loaded documents as one bundle (references may cross files). */
export function validateBundle(manifests: readonly Manifest[], files: readonly string[], options: ValidateOptions = {}): ValidationResult {
  const findings = new FindingList();
  const objects = checkDocuments(manifests, findings);
  checkSchemas(objects, findings, options.schemas);
  checkObjects(objects, findings);
  const bundle = new Bundle(manifests);
  checkReferences(bundle, findings);
  checkRollouts(bundle, findings);
  checkPolicies(bundle, findings);
  return {
    findings: inDocumentOrder(findings.items, manifests),
    objects: manifests.filter(m => m.yamlError === undefined).length,
    files,
  };
}

/**
 * Validates objects already in memory, such as `chart.toJson()` of every chart of an app.
 * @param file what findings name as the file. @default '<input>'
 */
export function validateManifests(objects: readonly unknown[], options: ValidateOptions & { readonly file?: string } = {}): ValidationResult {
  const manifests = inMemoryManifests(objects, options.file);
  return validateBundle(manifests, options.file ? [options.file] : [], options);
}

/**
 * Validates YAML files and folders (searched recursively for *.yaml and *.yml) as one bundle.
 * @throws ManifestPathError when a path does not exist or cannot be read
 */
export function validatePaths(paths: readonly string[], options: ValidateOptions = {}): ValidationResult {
  const { manifests, files } = loadManifests(paths);
  return validateBundle(manifests, files, options);
}

/** 0 when the result passes: no error, and no warning either when `warnFails`; else 1. */
export function exitCodeFor(result: ValidationResult, options: { readonly warnFails?: boolean } = {}): 0 | 1 {
  const counts = countBySeverity(result.findings);
  return counts.error > 0 || (options.warnFails && counts.warning > 0) ? 1 : 0;
}

/** The result as text, JSON or SARIF. */
export function formatResult(result: ValidationResult, format: ReportFormat = 'text'): string {
  switch (format) {
    case 'json': return formatJson(result);
    case 'sarif': return formatSarif(result, RULES);
    default: return formatText(result);
  }
}

/** Findings grouped by file and document, each document's in the order the checks ran. */
function inDocumentOrder(findings: readonly Finding[], manifests: readonly Manifest[]): Finding[] {
  const fileOrder = new Map<string, number>();
  for (const m of manifests) if (!fileOrder.has(m.file)) fileOrder.set(m.file, fileOrder.size);
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => (fileOrder.get(a.f.file) ?? 0) - (fileOrder.get(b.f.file) ?? 0) || (a.f.doc ?? 0) - (b.f.doc ?? 0) || a.i - b.i)
    .map(x => x.f);
}
