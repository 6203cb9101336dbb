// Loads a user's TypeScript app file (and the TypeScript files it imports) by transpiling them
// with the project's own TypeScript and tsconfig, the way `ts-node --transpile-only` would,
// caching the JavaScript on disk by content hash: a synth after the first one does not load
// TypeScript (9 MB of JavaScript) at all. Type checking is not done here (see typeCheck()).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

type TypeScript = typeof import('typescript');

export interface TranspileOptions {
  /** Where the transpiled JavaScript is kept. */
  readonly cacheDir: string;
  /** The resolved path of the `typescript` module to use (the project's own). */
  readonly typescript: string;
  /** The project's tsconfig.json, if any: its compiler options shape the emitted code. */
  readonly tsconfig?: string;
}

/** Compiler options for loading a file into this node process, from the project's tsconfig. */
export function loadCompilerOptions(ts: TypeScript, tsconfig: string | undefined): import('typescript').CompilerOptions {
  let options: import('typescript').CompilerOptions = {};
  if (tsconfig) {
    const read = ts.readConfigFile(tsconfig, ts.sys.readFile);
    if (!read.error) options = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(tsconfig)).options;
  }
  return {
    ...options,
    // what node can load, whatever the project builds for
    module: ts.ModuleKind.CommonJS,
    target: options.target ?? ts.ScriptTarget.ES2022,
    esModuleInterop: options.esModuleInterop ?? true,
    // stack traces point into the user's .ts file (process.setSourceMapsEnabled)
    inlineSourceMap: true,
    inlineSources: false,
    sourceMap: false,
    declaration: false,
    noEmit: false,
  };
}

/** Registers the `.ts` loader, unless one (ts-node, jest, ...) is already in charge. */
export function registerTranspiler(o: TranspileOptions): void {
  const extensions = require.extensions as Record<string, unknown>;
  if (extensions['.ts']) return;
  const typescriptVersion = JSON.parse(fs.readFileSync(path.join(path.dirname(o.typescript), '..', 'package.json'), 'utf8')).version;
  // the compiler version and the project's compiler options are part of the key
  const salt = `${typescriptVersion}|${o.tsconfig ? fs.readFileSync(o.tsconfig, 'utf8') : ''}`;
  let ts: TypeScript | undefined;
  let compilerOptions: import('typescript').CompilerOptions | undefined;
  process.setSourceMapsEnabled(true);
  extensions['.ts'] = (module: { _compile(code: string, file: string): void }, filename: string) => {
    const source = fs.readFileSync(filename, 'utf8');
    const key = crypto.createHash('sha256').update(salt).update(filename).update(source).digest('hex');
    const cached = path.join(o.cacheDir, `${key}.js`);
    let code: string;
    try {
      code = fs.readFileSync(cached, 'utf8');
    } catch {
      ts ??= require(o.typescript) as TypeScript;
      compilerOptions ??= loadCompilerOptions(ts, o.tsconfig);
      code = ts.transpileModule(source, { compilerOptions, fileName: filename }).outputText;
      try {
        fs.mkdirSync(o.cacheDir, { recursive: true });
        // write then rename: two processes filling the cache at once never read half a file
        const tmp = `${cached}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, code);
        fs.renameSync(tmp, cached);
      } catch {
        // a read-only cache only costs the next run a transpile
      }
    }
    module._compile(code, filename);
  };
  preferTypeScriptSources();
}

/**
 * A relative import in the user's .ts file loads the .ts beside it before a .js of the same
 * name, as ts-node's --prefer-ts-exts does: `tsc --build` (the cdk8s template's `npm run
 * compile`) leaves lib.js beside lib.ts, node tries .js first, and edits to lib.ts would be
 * ignored. Imports with an extension, of packages, and from node_modules resolve as node does.
 */
function preferTypeScriptSources(): void {
  type Resolve = (request: string, parent: { filename?: string } | undefined, ...rest: unknown[]) => string;
  const Module = require('node:module') as { _resolveFilename: Resolve };
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (this: unknown, request, parent, ...rest) {
    const from = parent?.filename;
    if (from && /\.tsx?$/.test(from) && !from.includes(`${path.sep}node_modules${path.sep}`) && /^\.\.?\//.test(request) && !/\.(c|m)?(j|t)sx?$|\.json$/.test(request)) {
      const base = path.resolve(path.dirname(from), request);
      const source = [`${base}.ts`, path.join(base, 'index.ts')].find(f => fs.existsSync(f));
      if (source) return source;
    }
    return resolve.call(this, request, parent, ...rest);
  };
}
