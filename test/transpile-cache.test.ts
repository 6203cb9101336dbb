import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// The CLI's TypeScript loader, compiled, in a fresh node process as the bin uses it (jest has its own loader).
const LOADER = path.join(__dirname, '..', 'build', 'lib', 'tools', 'cli', 'transpile-cache.js');
const TYPESCRIPT = require.resolve('typescript');

let tmp: string;
beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-cache-')); });
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function load(file: string, cache: string): string {
  const options = { cacheDir: cache, typescript: TYPESCRIPT };
  const script = `require(${JSON.stringify(LOADER)}).registerTranspiler(${JSON.stringify(options)}); console.log(JSON.stringify(require(${JSON.stringify(file)})));`;
  return execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: path.join(__dirname, '..') }).trim();
}

test('transpiles a TypeScript module once and serves it from the cache until it changes', () => {
  const file = path.join(tmp, 'mod.ts');
  const cache = path.join(tmp, 'cache');
  fs.writeFileSync(file, 'const n: number = 41;\nexport const answer = n + 1;\n');
  expect(load(file, cache)).toBe('{"answer":42}');
  expect(fs.readdirSync(cache)).toHaveLength(1);
  // a second load finds the cached JavaScript: poison it to prove it is used
  const cached = path.join(cache, fs.readdirSync(cache)[0]);
  fs.writeFileSync(cached, 'exports.answer = "from cache";');
  expect(load(file, cache)).toBe('{"answer":"from cache"}');
  // a change to the source is a new key: transpiled again
  fs.writeFileSync(file, 'export const answer: number = 7;\n');
  expect(load(file, cache)).toBe('{"answer":7}');
  expect(fs.readdirSync(cache)).toHaveLength(2);
});

test('a relative import loads the .ts source, not a stale .js compiled beside it', () => {
  // GIVEN an app file importing ./lib, and the lib.js `tsc --build` left beside lib.ts before it changed
  fs.writeFileSync(path.join(tmp, 'app.ts'), "import { answer } from './lib';\nimport { nested } from './sub';\nexport const both = [answer, nested];\n");
  fs.writeFileSync(path.join(tmp, 'lib.ts'), 'export const answer: number = 42;\n');
  fs.writeFileSync(path.join(tmp, 'lib.js'), 'exports.answer = "stale";\n');
  fs.mkdirSync(path.join(tmp, 'sub'));
  fs.writeFileSync(path.join(tmp, 'sub', 'index.ts'), 'export const nested: string = "fresh";\n');
  fs.writeFileSync(path.join(tmp, 'sub', 'index.js'), 'exports.nested = "stale";\n');
  // WHEN it is loaded THEN the sources are what runs
  expect(load(path.join(tmp, 'app.ts'), path.join(tmp, 'cache'))).toBe('{"both":[42,"fresh"]}');
});
