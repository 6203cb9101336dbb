// `cdk8s synth` validation plugin: runs `cdk8s-ms validate` on what the app synthesized and
// reports through cdk8s's own validation report, so that a plain `cdk8s synth` fails on the
// same problems as CI. cdk8s.yaml loads it through validation-plugin/index.js:
//
//   validations:
//     - package: ./validation-plugin
//       version: 0.1.0
//       class: ManifestValidation
//       properties: { warnFails: true }
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Validation, ValidationContext, ValidationViolatingResource } from 'cdk8s-cli/lib/plugins/validation';
import { CONSTRUCT_METADATA_FILE, METADATA_KEY, type MicroservicesMetadata } from '../../rendering/construct-metadata';
import { RULES, countBySeverity, exitCodeFor, loadManifests, summaryLine, validateBundle } from './index';
import { type Manifest, isObject, objectIdOf } from './manifests';
import type { Finding, Severity } from './finding';

export interface ManifestValidationProps {
  /** Fail on warnings too, like `cdk8s-ms validate --warn-fails`. @default false - only errors fail */
  readonly warnFails?: boolean;
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** The rule of the synth warnings the app printed (lib/warnings.ts): listed, never failing. */
export const SYNTH_WARNING_RULE = 'synth-warning';

export class ManifestValidation implements Validation {
  private readonly warnFails: boolean;

  /** cdk8s passes the `properties` of the cdk8s.yaml entry. */
  constructor(props: ManifestValidationProps = {}) {
    this.warnFails = props.warnFails ?? false;
  }

  async validate(context: ValidationContext): Promise<void> {
    const { manifests, files } = loadManifests(context.manifests);
    const result = validateBundle(manifests, files);
    const resources = new ResourceNames(manifests, context.metadata);
    // one violation per rule and severity; info findings (advice) are listed too, as `(info)`
    const byRule = new Map<string, Finding[]>();
    for (const f of result.findings) {
      const key = `${f.rule} (${f.severity})`;
      byRule.set(key, [...(byRule.get(key) ?? []), f]);
    }
    // errors first, so that what fails the synth is at the top of the report, then warnings, then info
    const order = [...byRule].sort(([a, fa], [b, fb]) => SEVERITY_ORDER[fa[0].severity] - SEVERITY_ORDER[fb[0].severity] || (a < b ? -1 : a > b ? 1 : 0));
    for (const [ruleName, findings] of order) {
      const rule = RULES.find(r => r.id === findings[0].rule);
      context.report.addViolation({
        ruleName,
        recommendation: rule?.summary ?? findings[0].rule,
        fix: rule?.fix ?? '',
        violatingResources: violatingResources(findings, resources),
      });
    }
    const warnings = synthWarnings(context.manifests);
    if (warnings.length) {
      context.report.addViolation({
        ruleName: `${SYNTH_WARNING_RULE} (warning)`,
        recommendation: 'valid output that cdk8s-microservices warned about while synthesizing (cdk8s-ms synth prints the same); it does not fail the synth',
        fix: 'read each message: it says what to change, or that nothing needs to',
        violatingResources: warnings.map(w => ({ resourceName: w.path, manifestPath: resources.fileOfConstruct(w.path) ?? '', locations: [w.message] })),
      });
    }
    const counts = countBySeverity(result.findings);
    context.logger.log(`cdk8s-ms validate: ${summaryLine(result)}`);
    context.report.submit(exitCodeFor(result, { warnFails: this.warnFails }) === 0 ? 'success' : 'failure', {
      objects: String(result.objects),
      errors: String(counts.error),
      warnings: String(counts.warning),
      info: String(counts.info),
      synthWarnings: String(warnings.length),
      warnFails: String(this.warnFails),
    });
  }
}

/**
 * The resource name to report an object by. cdk8s looks the name up in the construct metadata to
 * show the construct path. Its own keys are object names alone; two objects of one name (an HPA
 * and a PodMonitor both named `mailer`) share one key, which names whichever construct cdk8s wrote
 * last. So: the object's `Kind/namespace/name` when the metadata has it (app.synth() of a
 * MicroserviceApp adds those, lib/rendering/fast-synth.ts); else its name when no other object in the
 * manifests has that name; else `Kind/namespace/name`, which cdk8s shows without a construct
 * path rather than with a wrong one.
 */
class ResourceNames {
  private readonly nameCount = new Map<string, number>();
  private readonly constructFiles: Array<{ path: string; file: string }> = [];

  constructor(manifests: readonly Manifest[], private readonly metadata: { readonly [key: string]: { readonly path?: string } | undefined }) {
    for (const m of manifests) {
      if (!isObject(m.object)) continue;
      const name = m.object.metadata?.name;
      if (typeof name === 'string') this.nameCount.set(name, (this.nameCount.get(name) ?? 0) + 1);
      const constructPath = this.metadata[objectIdOf(m)]?.path;
      if (constructPath) this.constructFiles.push({ path: constructPath, file: m.file });
    }
  }

  of(f: Finding): string {
    if (Object.prototype.hasOwnProperty.call(this.metadata, f.object)) return f.object;
    const name = f.object.split('/')[2];
    if (name !== undefined && this.nameCount.get(name) === 1 && Object.prototype.hasOwnProperty.call(this.metadata, name)) return name;
    return f.object;
  }

  /** The manifest holding an object made by the construct at `constructPath` or under it. */
  fileOfConstruct(constructPath: string): string | undefined {
    return this.constructFiles.find(c => c.path === constructPath || c.path.startsWith(`${constructPath}/`))?.file;
  }
}

/** One resource per object and file, its findings as locations. */
function violatingResources(findings: readonly Finding[], names: ResourceNames): ValidationViolatingResource[] {
  const resources = new Map<string, { resourceName: string; manifestPath: string; locations: string[] }>();
  for (const f of findings) {
    const key = `${f.file}\u0000${f.object}`;
    const resource = resources.get(key) ?? { resourceName: names.of(f), manifestPath: f.file, locations: [] };
    resource.locations.push(`${f.object}: ${f.message}`);
    resources.set(key, resource);
  }
  return [...resources.values()];
}

/**
 * The synth warnings app.synth() recorded in construct-metadata.json (lib/rendering/fast-synth.ts). cdk8s
 * does not tell a plugin where that file is: it is in cdk8s's output folder, which holds every
 * manifest, so it is looked for in the manifests' common folder and the two above it.
 */
function synthWarnings(manifestFiles: readonly string[]): MicroservicesMetadata['warnings'] {
  if (!manifestFiles.length) return [];
  let dir = path.dirname(path.resolve(manifestFiles[0]));
  for (const f of manifestFiles) {
    while (!path.resolve(f).startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  }
  for (let i = 0; i < 3; i++, dir = path.dirname(dir)) {
    const file = path.join(dir, CONSTRUCT_METADATA_FILE);
    if (!fs.existsSync(file)) continue;
    try {
      const added = JSON.parse(fs.readFileSync(file, 'utf8'))[METADATA_KEY] as MicroservicesMetadata | undefined;
      return Array.isArray(added?.warnings) ? added!.warnings.filter(w => typeof w?.path === 'string' && typeof w.message === 'string') : [];
    } catch {
      return [];
    }
  }
  return [];
}
