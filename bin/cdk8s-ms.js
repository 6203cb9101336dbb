#!/usr/bin/env node
// The cdk8s-ms command. The library and the user's app files are TypeScript: they are
// transpiled on load (type checking is the test step's job, not synthesis') and the output is
// cached by content hash, so only the first run after a change pays for transpiling.
const os = require('node:os');
const path = require('node:path');
const root = path.join(__dirname, '..');
const cacheDir = process.env.CDK8S_MS_CACHE_DIR ?? path.join(root, 'node_modules', '.cache', 'cdk8s-microservices', 'ts');
try {
  require('node:fs').mkdirSync(cacheDir, { recursive: true });
  require('../lib/cli/transpile-cache.js').register(cacheDir);
} catch {
  // a read-only install: cache in the temporary folder instead
  require('../lib/cli/transpile-cache.js').register(path.join(os.tmpdir(), 'cdk8s-microservices-ts'));
}
const { main } = require('../lib/cli/main.ts');
process.exitCode = main(process.argv.slice(2));
