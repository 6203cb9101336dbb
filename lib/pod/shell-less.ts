// Images known by name to have no shell and no `sleep` binary: an `exec` hook or probe that
// runs one fails in them. A name is all the library sees, so the list is short and certain;
// an image built FROM one of these under another name is not recognized.
import { splitImage } from './image';

interface ShellLessImage {
  /** Whether the parts of a reference name such an image. */
  readonly matches: (registry: string, repository: string, tag: string) => boolean;
  /** What it is, for the warning. */
  readonly what: string;
}

const SHELL_LESS: ShellLessImage[] = [
  {
    // gcr.io/distroless/{static,base,cc,java*,python3,nodejs*}[-debian12]; the `debug` tags
    // add a busybox shell
    matches: (registry, repository, tag) => registry === 'gcr.io' && repository.startsWith('distroless/') && !tag.includes('debug'),
    what: 'a Google distroless image',
  },
  {
    // another distroless family named so in its path or tag (mcr.microsoft.com/azurelinux/distroless/base,
    // Istio's `-distroless` tags), not a debug variant
    matches: (registry, repository, tag) => registry !== 'gcr.io' && (repository.split('/').includes('distroless') || /(^|-)distroless($|-)/.test(tag)) && !tag.includes('debug'),
    what: 'a distroless image',
  },
  {
    // Chainguard's static base: no shell, no coreutils (its `-dev` variants have both)
    matches: (registry, repository, tag) => registry === 'cgr.dev' && repository === 'chainguard/static' && !tag.endsWith('-dev'),
    what: "Chainguard's static image",
  },
  {
    // Ubuntu chiseled images (mcr.microsoft.com/dotnet/runtime-deps:8.0-jammy-chiseled, ubuntu/*-chiseled)
    matches: (_registry, _repository, tag) => /(^|-)chiseled($|-)/.test(tag),
    what: 'an Ubuntu chiseled image',
  },
];

/**
 * What the image is when its name says it has no shell and no `sleep` (a distroless,
 * Chainguard static or chiseled image), else undefined.
 */
export function shellLessImage(image: string): string | undefined {
  const { registry, repository, tag } = splitImage(image);
  return SHELL_LESS.find(s => s.matches(registry, repository, tag))?.what;
}
