import type { MicroserviceApp } from '../constructs/microservice-app';
import { PART_OF } from '../labels';

/**
 * The kinds `kubectl apply --prune` may delete for an app, as `--prune-allowlist` wants them
 * (`<group>/<version>/<kind>`, `core` for the core group): every kind the app emits but the
 * Namespace. Without an allowlist kubectl prunes only a fixed list of built-in kinds (no
 * HorizontalPodAutoscaler, PodDisruptionBudget, NetworkPolicy, ServiceAccount or custom
 * resource), so a removed canary's autoscaler or a dropped service's policies would stay. The
 * Namespace is left out so that `kubectl apply` never deletes the app's namespace.
 * `objects` is `app.toJson()`, for a caller that already has it (synthesis is the costly part).
 */
export function pruneAllowlist(app: MicroserviceApp, objects: any[] = app.toJson()): string[] {
  const kinds = new Set<string>();
  for (const o of objects as Array<{ apiVersion: string; kind: string }>) {
    if (o.kind === 'Namespace') continue;
    const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['core', o.apiVersion];
    kinds.add(`${group}/${version}/${o.kind}`);
  }
  return [...kinds].sort();
}

/**
 * The command that applies `file` (the app's manifests) and deletes what an earlier apply made
 * that the app no longer has (a removed canary, service or policy): objects labelled
 * `app.kubernetes.io/part-of=<app>` of the allowlisted kinds that are not in the file.
 */
export function applyCommand(app: MicroserviceApp, file: string, objects: any[] = app.toJson()): string {
  return [
    `kubectl apply -f ${file} --prune -l ${PART_OF}=${app.node.id}`,
    ...pruneAllowlist(app, objects).map(k => `  --prune-allowlist=${k}`),
  ].join(' \\\n');
}
