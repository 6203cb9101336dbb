#!/usr/bin/env node
// The cdk8s-ms command: runs the compiled package (build/, made by `npm run build`, which
// `prepare` runs on install and pack). A user's .ts app file is transpiled on load with the
// project's own TypeScript (lib/tools/cli/transpile-cache.ts).
'use strict';
const path = require('node:path');

const entry = path.join(__dirname, '..', 'build', 'lib', 'tools', 'cli', 'main.js');
const PEERS = ['cdk8s', 'constructs', 'cdk8s-plus-28'];
let cli;
try {
  cli = require(entry);
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND') {
    const missing = (/Cannot find module '([^']+)'/.exec(e.message) || [])[1];
    if (missing === entry) {
      console.error(`error: cdk8s-ms is not built (${path.relative(process.cwd(), entry)} is missing): run 'npm run build' in ${path.join(__dirname, '..')}`);
      process.exit(2);
    }
    if (PEERS.includes(missing)) {
      console.error(`error: cdk8s-ms needs '${missing}' in your project (a peer dependency): npm install ${PEERS.join(' ')}`);
      process.exit(2);
    }
  }
  throw e;
}
process.exitCode = cli.main(process.argv.slice(2));
