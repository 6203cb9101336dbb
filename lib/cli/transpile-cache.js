// Loads TypeScript files by transpiling them (no type checking: that is the test step's job),
// caching the JavaScript on disk by content hash, so a synth after the first one does not
// transpile the library (or the 1 MB of generated CRD bindings) again.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

function register(cacheDir) {
  if (require.extensions['.ts']) return; // ts-node or another loader is already in charge
  // TypeScript itself (9 MB of JavaScript) loads only when a file is not in the cache yet
  const typescriptVersion = require('typescript/package.json').version;
  const options = { module: 'CommonJS', target: 'ES2022', esModuleInterop: true, resolveJsonModule: true, inlineSourceMap: true, isolatedModules: true };
  let ts;
  let compilerOptions;
  // the compiler version is part of the key: a new TypeScript may emit other code
  const salt = `${typescriptVersion}|${JSON.stringify(options)}`;
  require.extensions['.ts'] = (module, filename) => {
    const source = fs.readFileSync(filename, 'utf8');
    const key = crypto.createHash('sha256').update(salt).update(filename).update(source).digest('hex');
    const cached = path.join(cacheDir, `${key}.js`);
    let code;
    try {
      code = fs.readFileSync(cached, 'utf8');
    } catch {
      ts ??= require('typescript');
      compilerOptions ??= { ...options, module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 };
      code = ts.transpileModule(source, { compilerOptions, fileName: filename }).outputText;
      fs.mkdirSync(cacheDir, { recursive: true });
      // write then rename: two processes filling the cache at once never read half a file
      const tmp = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, code);
      fs.renameSync(tmp, cached);
    }
    module._compile(code, filename);
  };
}

module.exports = { register };
