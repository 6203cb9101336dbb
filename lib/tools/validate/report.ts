// What validation found, and the three ways to print it: text for people, JSON for scripts,
// SARIF 2.1.0 for code-scanning tools (GitHub, GitLab, IDEs) that annotate the files.
import * as path from 'node:path';
import type { Finding, Severity } from './finding';
import type { Rule } from './rules';
import { packageVersion } from '../package-root';

export type { Finding, Severity } from './finding';

/** The findings of one validation run and what it looked at. */
export interface ValidationResult {
  /** Findings in file and document order. */
  readonly findings: readonly Finding[];
  /** The number of documents read (not counting empty ones). */
  readonly objects: number;
  /** The YAML files read. */
  readonly files: readonly string[];
}

export type ReportFormat = 'text' | 'json' | 'sarif';

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `74 objects in 4 files: 0 errors, 0 warnings, 0 info` */
export function summaryLine(result: ValidationResult): string {
  const c = countBySeverity(result.findings);
  return `${plural(result.objects, 'object')} in ${plural(result.files.length, 'file')}: ${plural(c.error, 'error')}, ${plural(c.warning, 'warning')}, ${c.info} info`;
}

/** One line per finding, `ERROR rule Kind/ns/name (file): message`, then the summary line. */
export function formatText(result: ValidationResult): string {
  const lines = result.findings.map(f => `${f.severity.toUpperCase()} ${f.rule} ${f.object} (${f.file}): ${f.message}`);
  return [...lines, summaryLine(result)].join('\n') + '\n';
}

/** The result as JSON: counts, files and every finding. */
export function formatJson(result: ValidationResult): string {
  return JSON.stringify({
    objects: result.objects,
    files: result.files,
    counts: countBySeverity(result.findings),
    findings: result.findings,
  }, null, 2) + '\n';
}

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/**
 * SARIF 2.1.0: one run whose tool lists every rule (with its default level and help text) and
 * one result per finding, located by file (and line) and named by its object.
 */
export function formatSarif(result: ValidationResult, rules: readonly Rule[]): string {
  const catalogue = [...rules];
  // a finding of a rule the catalogue does not know still gets a rule entry
  for (const f of result.findings) {
    if (!catalogue.some(r => r.id === f.rule)) catalogue.push({ id: f.rule, severity: f.severity, summary: f.rule, fix: '' });
  }
  const index = new Map(catalogue.map((r, i) => [r.id, i]));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'cdk8s-ms validate',
          version: packageVersion(),
          rules: catalogue.map(r => ({
            id: r.id,
            shortDescription: { text: r.summary },
            ...(r.fix ? { help: { text: r.fix } } : {}),
            defaultConfiguration: { level: SARIF_LEVEL[r.severity] },
          })),
        },
      },
      results: result.findings.map(f => ({
        ruleId: f.rule,
        ruleIndex: index.get(f.rule),
        level: SARIF_LEVEL[f.severity],
        message: { text: `${f.object}: ${f.message}` },
        locations: [{
          physicalLocation: {
            artifactLocation: { uri: f.file.split(path.sep).join('/') },
            ...(f.line !== undefined ? { region: { startLine: f.line } } : {}),
          },
          logicalLocations: [{ fullyQualifiedName: f.object, kind: 'object' }],
        }],
      })),
    }],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
