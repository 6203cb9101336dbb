// Rules and the list findings are collected in. Each check module declares its rules next to
// the code that applies them; a rule carries its severity, so a check cannot report a policy
// warning as an error by mistake, and the SARIF output can describe every rule.
import type { Finding, Severity } from './finding';
import { Manifest, objectIdOf } from './manifests';

/** What a rule checks, how bad a violation is, and how to fix it. */
export interface Rule {
  /** Stable id, kebab-case; policy ids are those of kube-score/kube-linter/Polaris as policy-check names them. */
  readonly id: string;
  readonly severity: Severity;
  /** One sentence: what is wrong when the rule fires. */
  readonly summary: string;
  /** One sentence: what to change. */
  readonly fix: string;
}

/** Declares rules keyed by id: `rules['img-tag']` is typed, so a misspelt id does not compile. */
export function ruleSet<K extends string>(defs: Record<K, Omit<Rule, 'id'>>): Record<K, Rule> {
  const out = {} as Record<K, Rule>;
  for (const id of Object.keys(defs) as K[]) out[id] = { id, ...defs[id] };
  return out;
}

/** Findings in the order the checks report them. */
export class FindingList {
  readonly items: Finding[] = [];

  /**
   * Reports that `rule` is violated by the document.
   * @param path where in the object, as a JSON pointer (`/spec/replicas`), when one field is to blame
   */
  add(rule: Rule, at: Manifest, message: string, path?: string): void {
    this.items.push({
      severity: rule.severity,
      rule: rule.id,
      object: objectIdOf(at),
      file: at.file,
      doc: at.doc,
      ...(at.line !== undefined ? { line: at.line } : {}),
      ...(path !== undefined ? { path } : {}),
      message,
    });
  }
}
