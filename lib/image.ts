import { IConstruct } from 'constructs';
import { MicroserviceConfigError, show } from './errors';

/** The parts of an image reference that the labels and checks need. */
export interface ImageRef {
  readonly tag?: string;
  readonly digest?: string;
}

// reference grammar of the distribution project: [host[:port]/]path[:tag][@algo:hex]
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const PATH = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/**
 * Parses an image and insists on a pinned one: a tag other than `latest`, or a digest.
 * An unpinned image makes rollbacks and diffs meaningless: the same manifest runs new code.
 */
export function parseImage(scope: IConstruct, image: unknown): ImageRef {
  const fix = "pin a tag or a digest, for example 'ghcr.io/acme/catalog:1.4.2' or 'ghcr.io/acme/catalog@sha256:<64 hex>'";
  if (typeof image !== 'string' || image.trim() === '') {
    throw new MicroserviceConfigError(scope, `'image' is required and must be a string, got ${show(image)}: ${fix}`);
  }
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new MicroserviceConfigError(scope, `'image' ${show(image)} has a malformed digest: ${fix}`);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  let tag: string | undefined;
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new MicroserviceConfigError(scope, `'image' ${show(image)} has a malformed tag ${show(tag)}: ${fix}`);
  }
  const firstSlash = rest.indexOf('/');
  const host = firstSlash > 0 && /[.:]|^localhost$/.test(rest.slice(0, firstSlash)) ? rest.slice(0, firstSlash) : undefined;
  const repoPath = host ? rest.slice(firstSlash + 1) : rest;
  if (!PATH.test(repoPath)) throw new MicroserviceConfigError(scope, `'image' ${show(image)} is not a valid image reference: ${fix}`);
  if (!digest && (tag === undefined || tag === 'latest')) {
    throw new MicroserviceConfigError(scope, `'image' ${show(image)} is not pinned (${tag ? "':latest' moves" : 'no tag means :latest'}): ${fix}`);
  }
  return { tag, digest };
}

/** A label-safe version string: the tag, else the start of the digest (`sha256-0123456789ab`). */
export function versionOf(ref: ImageRef): string {
  const raw = ref.tag ?? `sha256-${ref.digest!.slice('sha256:'.length, 'sha256:'.length + 12)}`;
  const cleaned = raw.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return cleaned || 'unversioned';
}
