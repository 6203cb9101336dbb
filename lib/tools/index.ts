// The tools behind the cdk8s-ms command, for programs that call them directly.
export * from './diff';
export { helmChart } from './helm';
export type { HelmChartOptions, ChartValues, WorkloadValues, ImageValues } from './helm';
export { KUSTOMIZATION_FILE, kustomization, resourceFileNames } from '../rendering/kustomize';
export { validateManifests, validatePaths, exitCodeFor, formatResult, RULES, ManifestPathError, SchemaCatalog } from './validate';
export type { Finding, Severity, ValidationResult, ReportFormat, Rule, ValidateOptions } from './validate';
