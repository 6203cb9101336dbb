// `cdk8s synth` validation plugin: runs `cdk8s-ms validate` on what the app synthesized and
// reports through cdk8s's own validation report, so that a plain `cdk8s synth` fails on the
// same problems as CI. cdk8s.yaml loads it through validation-plugin/index.js:
//
//   validations:
//     - package: ./validation-plugin
//       version: 0.1.0
//       class: ManifestValidation
//       properties: { warnFails: true }
import type { Validation, ValidationContext, ValidationViolatingResource } from 'cdk8s-cli/lib/plugins/validation';
import { RULES, countBySeverity, exitCodeFor, summaryLine, validatePaths } from './index';
import type { Finding } from './report';

export interface ManifestValidationProps {
  /** Fail on warnings too, like `cdk8s-ms validate --warn-fails`. @default false - only errors fail */
  readonly warnFails?: boolean;
}

export class ManifestValidation implements Validation {
  private readonly warnFails: boolean;

  /** cdk8s passes the `properties` of the cdk8s.yaml entry. */
  constructor(props: ManifestValidationProps = {}) {
    this.warnFails = props.warnFails ?? false;
  }

  async validate(context: ValidationContext): Promise<void> {
    const result = validatePaths(context.manifests);
    // errors and warnings are violations; info findings are advice and only counted
    const byRule = new Map<string, Finding[]>();
    for (const f of result.findings.filter(x => x.severity !== 'info')) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
    // errors first, so that what fails the synth is at the top of the report
    const order = [...byRule].sort(([a, fa], [b, fb]) => (fa[0].severity === fb[0].severity ? a.localeCompare(b) : fa[0].severity === 'error' ? -1 : 1));
    for (const [id, findings] of order) {
      const rule = RULES.find(r => r.id === id);
      context.report.addViolation({
        ruleName: `${id} (${findings[0].severity})`,
        recommendation: rule?.summary ?? id,
        fix: rule?.fix ?? '',
        violatingResources: violatingResources(findings),
      });
    }
    const counts = countBySeverity(result.findings);
    context.logger.log(`cdk8s-ms validate: ${summaryLine(result)}`);
    context.report.submit(exitCodeFor(result, { warnFails: this.warnFails }) === 0 ? 'success' : 'failure', {
      objects: String(result.objects),
      errors: String(counts.error),
      warnings: String(counts.warning),
      info: String(counts.info),
      warnFails: String(this.warnFails),
    });
  }
}

/**
 * One resource per object and file, its findings as locations. cdk8s maps a resource name to
 * the construct path that made it (construct-metadata.json is keyed by metadata.name).
 */
function violatingResources(findings: readonly Finding[]): ValidationViolatingResource[] {
  const resources = new Map<string, { resourceName: string; manifestPath: string; locations: string[] }>();
  for (const f of findings) {
    const key = `${f.file}\u0000${f.object}`;
    const name = f.object.includes('/') ? f.object.split('/')[2] : f.object;
    const resource = resources.get(key) ?? { resourceName: name, manifestPath: f.file, locations: [] };
    resource.locations.push(`${f.object}: ${f.message}`);
    resources.set(key, resource);
  }
  return [...resources.values()];
}
