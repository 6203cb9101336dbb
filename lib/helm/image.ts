/**
 * An image reference in the four values a chart exposes. Joined back as
 * `[registry/]repository[:tag][@digest]` they give the reference exactly as written.
 */
export interface ImageValues {
  /** The registry host, with its port (`ghcr.io`, `localhost:5000`); '' for Docker Hub. */
  readonly registry: string;
  /** The path inside the registry (`acme/catalog`, `nginxinc/nginx-unprivileged`). */
  readonly repository: string;
  /** The tag; '' when the image is pinned by digest alone. */
  readonly tag: string;
  /** `sha256:<64 hex>`; '' when the image is pinned by tag alone. */
  readonly digest: string;
}

// The reference grammar of the distribution project, in the subset of regular expressions that
// JavaScript and Go (RE2, which Helm's schema validation uses) read alike: no lookaround.
const DOMAIN_COMPONENT = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
export const REGISTRY_PATTERN = `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?)?$`;
export const REPOSITORY_PATTERN = `^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`;
export const TAG_PATTERN = '^(?:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$';
export const DIGEST_PATTERN = '^(?:sha256:[a-f0-9]{64})?$';

/**
 * Splits an image reference the way container runtimes read it: the first path component is a
 * registry only when it has a '.' or a ':' or is `localhost` (so `localhost:5000/app:1.0` is
 * registry `localhost:5000`, repository `app`, tag `1.0`); the tag follows the last ':' after
 * the last '/'; the digest follows '@'.
 */
export function splitImage(image: string): ImageValues {
  let rest = image;
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag = '';
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf('/');
  const first = slash > 0 ? rest.slice(0, slash) : '';
  const registry = /[.:]/.test(first) || first === 'localhost' ? first : '';
  const repository = registry ? rest.slice(slash + 1) : rest;
  return { registry, repository, tag, digest };
}

/** The reference the values stand for: the inverse of `splitImage()`. */
export function joinImage(v: ImageValues): string {
  return `${v.registry ? `${v.registry}/` : ''}${v.repository}${v.tag ? `:${v.tag}` : ''}${v.digest ? `@${v.digest}` : ''}`;
}

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
