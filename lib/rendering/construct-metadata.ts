/**
 * What cdk8s-microservices adds to the `construct-metadata.json` cdk8s writes beside the
 * manifests when `cdk8s synth` runs validation plugins. cdk8s keys that file's `resources` by
 * object name alone, so of two objects named `mailer` (an HPA and a PodMonitor) one wins and a
 * plugin reporting the other names the wrong construct. app.synth() of an App holding a
 * MicroserviceApp (lib/rendering/fast-synth.ts) adds a `Kind/namespace/name` key per object, which the
 * validation plugin (lib/tools/validate/plugin.ts) reports by, and the app's synth warnings under
 * METADATA_KEY. cdk8s reads only `version` and `resources` (cdk8s-cli's
 * ValidationPlugin.loadConstructMetadata), so both additions leave it working as before.
 */

/** The file cdk8s writes in its output folder. */
export const CONSTRUCT_METADATA_FILE = 'construct-metadata.json';

/** Where the additions other than resource keys go in that file. */
export const METADATA_KEY = 'cdk8s-microservices';

/** What is stored under METADATA_KEY. */
export interface MicroservicesMetadata {
  /** The synth warnings of the App (lib/warnings.ts), each once. */
  readonly warnings: ReadonlyArray<{ readonly path: string; readonly message: string }>;
}

/** `Kind/namespace/name` (empty namespace when unset): how findings name objects, and the resource key added for each. */
export function objectKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}
