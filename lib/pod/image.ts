import { IConstruct } from 'constructs';
import { MicroserviceConfigError, show } from '../errors';

/**
 * An image reference in its four parts. Joined back as `[registry/]repository[:tag][@digest]`
 * they give the reference exactly as written. Absent parts are ''.
 */
export interface ImageParts {
  /** The registry host, with its port (`ghcr.io`, `localhost:5000`); '' for Docker Hub. */
  readonly registry: string;
  /** The path inside the registry (`acme/catalog`, `nginxinc/nginx-unprivileged`). */
  readonly repository: string;
  /** The tag; '' when there is none. */
  readonly tag: string;
  /** `sha256:<64 hex>`; '' when there is none. */
  readonly digest: string;
}

/** The parts of an image reference that the labels need. */
export interface ImageRef {
  readonly tag?: string;
  readonly digest?: string;
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
 * the last '/'; the digest follows '@'. Nothing is checked here.
 */
export function splitImage(image: string): ImageParts {
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

/** The reference the parts stand for: the inverse of `splitImage()`. */
export function joinImage(v: ImageParts): string {
  return `${v.registry ? `${v.registry}/` : ''}${v.repository}${v.tag ? `:${v.tag}` : ''}${v.digest ? `@${v.digest}` : ''}`;
}

/**
 * Parses an image and insists on a pinned one: a tag other than `latest`, or a digest.
 * An unpinned image makes rollbacks and diffs meaningless: the same manifest runs new code.
 */
export function parseImage(scope: IConstruct | string, image: unknown, prop = 'image'): ImageRef {
  const fix = "pin a tag or a digest, for example 'ghcr.io/acme/catalog:1.4.2' or 'ghcr.io/acme/catalog@sha256:<64 hex>'";
  if (typeof image !== 'string' || image.trim() === '') {
    throw new MicroserviceConfigError(scope, `'${prop}' is required and must be a string, got ${show(image)}: ${fix}`);
  }
  const parts = splitImage(image);
  if (image.includes('@') && (!parts.digest || !new RegExp(DIGEST_PATTERN).test(parts.digest))) {
    throw new MicroserviceConfigError(scope, `'${prop}' ${show(image)} has a malformed digest: ${fix}`);
  }
  const name = image.split('@')[0];
  const hasTag = name.lastIndexOf(':') > name.lastIndexOf('/');
  if (hasTag && (!parts.tag || !new RegExp(TAG_PATTERN).test(parts.tag))) {
    throw new MicroserviceConfigError(scope, `'${prop}' ${show(image)} has a malformed tag ${show(parts.tag)}: ${fix}`);
  }
  if (!new RegExp(REPOSITORY_PATTERN).test(parts.repository) || !new RegExp(REGISTRY_PATTERN).test(parts.registry)) {
    throw new MicroserviceConfigError(scope, `'${prop}' ${show(image)} is not a valid image reference: ${fix}`);
  }
  if (!parts.digest && (!parts.tag || parts.tag === 'latest')) {
    throw new MicroserviceConfigError(scope, `'${prop}' ${show(image)} is not pinned (${parts.tag ? "':latest' moves" : 'no tag means :latest'}): ${fix}`);
  }
  return { tag: parts.tag || undefined, digest: parts.digest || undefined };
}

/** A label-safe version string: the tag, else the start of the digest (`sha256-0123456789ab`). */
export function versionOf(ref: ImageRef): string {
  const raw = ref.tag ?? `sha256-${ref.digest!.slice('sha256:'.length, 'sha256:'.length + 12)}`;
  const cleaned = raw.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return cleaned || 'unversioned';
}

/** Checks a version for the `app.kubernetes.io/version` label and returns it. */
export function checkVersion(scope: IConstruct | string, prop: string, version: string): string {
  if (!/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(version) || version.length > 63) {
    throw new MicroserviceConfigError(scope, `'${prop}' ${show(version)} is not a valid label value: use at most 63 letters, digits, '-', '_' and '.'`);
  }
  return version;
}
