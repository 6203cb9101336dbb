import { DIGEST_PATTERN, ImageParts, REGISTRY_PATTERN, REPOSITORY_PATTERN, TAG_PATTERN } from '../../pod/image';

/** An image as the chart's values hold it: the four parts of the reference. */
export type ImageValues = ImageParts;

/** Why the values break the chart's schema, or undefined when they fit it. */
export function imageValuesProblem(v: ImageValues): string | undefined {
  const checks: Array<[keyof ImageValues, string]> = [
    ['registry', REGISTRY_PATTERN], ['repository', REPOSITORY_PATTERN], ['tag', TAG_PATTERN], ['digest', DIGEST_PATTERN],
  ];
  for (const [key, pattern] of checks) {
    if (!new RegExp(pattern).test(v[key])) return `its ${key} ${JSON.stringify(v[key])} does not match ${pattern}`;
  }
  if (!v.digest && (!v.tag || v.tag === 'latest')) return 'it is pinned by neither a tag (other than latest) nor a digest';
  return undefined;
}
