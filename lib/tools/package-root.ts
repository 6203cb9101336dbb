import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The folder holding this package's package.json: the repository when run from sources
 * (`lib/`), the installed package when run compiled (`build/lib/`). Data files that ship with
 * the package (the schemas `validate` reads) are found from here, not from `__dirname`, so the
 * same code works from both places.
 */
export const PACKAGE_ROOT: string = findPackageRoot(__dirname);

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'cdk8s-microservices') return dir;
    if (path.dirname(dir) === dir) throw new Error(`cdk8s-microservices: no package.json of this package above ${from}`);
  }
}

/** This package's version, as its package.json says. */
export function packageVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')).version;
}
