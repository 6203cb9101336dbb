import * as YAML from 'yaml';

/**
 * Makes Go template text out of literal text: every `{{` and `}}` becomes an action that prints
 * it, so content such as a ConfigMap holding a Go or Jinja template reaches the cluster as
 * written instead of being run by Helm.
 */
export function escapeTemplateText(text: string): string {
  return text.replace(/\{\{|\}\}/g, m => (m === '{{' ? '{{ "{{" }}' : '{{ "}}" }}'));
}

/**
 * One Kubernetes object turned into a Helm template: a deep copy of the object in which some
 * scalars are replaced by template actions. Rendering serializes the copy with the `yaml`
 * package (as cdk8s does: YAML 1.1 quoting, which Helm's parser needs), with a placeholder
 * token in place of each templated scalar, escapes every other `{{`/`}}`, then puts the
 * actions where the tokens are. Everything but the templated scalars renders literally.
 */
export class ObjectTemplate {
  /** The copy to edit: find the scalars to template in it, then call `template()`. */
  public readonly object: any;
  private readonly actions = new Map<string, string>();
  private readonly tokenPrefix: string;

  constructor(object: object) {
    this.object = JSON.parse(JSON.stringify(object));
    // a token must appear nowhere in the object's own content
    const text = JSON.stringify(object);
    let prefix = 'helm_value_';
    while (text.includes(prefix)) prefix = `helm_value_${Math.random().toString(36).slice(2, 8)}_`;
    this.tokenPrefix = prefix;
  }

  /**
   * Replaces `holder[key]` (a scalar of the copy) by the output of a template action, for
   * example `(index .Values.workloads "web").replicas | int`. Give string values `| quote`, so
   * that a tag such as `2.0` stays a string.
   */
  public template(holder: any, key: string | number, action: string): void {
    if (holder === null || typeof holder !== 'object' || !(key in holder)) throw new Error(`no field ${String(key)} to template`);
    const token = `${this.tokenPrefix}${this.actions.size}_`;
    this.actions.set(token, action);
    holder[key] = token;
  }

  /** The number of templated scalars. */
  public get size(): number {
    return this.actions.size;
  }

  /** The template text; `prelude` (template actions, no output) goes before the YAML. */
  public render(prelude = ''): string {
    const yaml = YAML.stringify(this.object, { keepUndefined: true, lineWidth: 0, version: '1.1' });
    let text = escapeTemplateText(yaml);
    for (const [token, action] of this.actions) {
      // a token is a plain scalar: exactly one occurrence, not in quotes, not part of a longer word
      const re = new RegExp(`(?<=[\\s:-])${token}(?=\\n)`, 'g');
      const hits = text.match(re)?.length ?? 0;
      if (hits !== 1) throw new Error(`internal error: template token ${token} found ${hits} times in:\n${text}`);
      text = text.replace(re, () => `{{ ${action} }}`);
    }
    return prelude + text;
  }
}

/** Calls `visit` with every `metadata` object in the tree: the object's own, and those of pod and job templates. */
export function forEachMetadata(node: unknown, visit: (metadata: Record<string, any>) => void): void {
  if (Array.isArray(node)) {
    node.forEach(n => forEachMetadata(n, visit));
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'metadata' && value !== null && typeof value === 'object' && !Array.isArray(value)) visit(value);
      forEachMetadata(value, visit);
    }
  }
}
