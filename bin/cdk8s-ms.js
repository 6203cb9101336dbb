#!/usr/bin/env node
// The cdk8s-ms command. The library and the user's app files are TypeScript: transpile them on
// the fly (type checking is the test step's job, not synthesis').
const path = require('node:path');
require('ts-node').register({ transpileOnly: true, project: path.join(__dirname, '..', 'tsconfig.json') });
const { main } = require('../lib/cli/main.ts');
process.exitCode = main(process.argv.slice(2));
