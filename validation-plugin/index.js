// The entry `cdk8s synth` requires for the validation plugin (see cdk8s.yaml). The plugin is
// TypeScript in lib/validate/, and the cdk8s CLI is plain node: register ts-node first, in
// transpile-only mode (type checking is `tsc --noEmit`'s job in the test step, and it would
// double the time synth takes), unless the process has ts-node registered already.
const path = require('node:path');

if (!process[Symbol.for('ts-node.register.instance')]) {
  require('ts-node').register({
    project: path.join(__dirname, '..', 'tsconfig.json'),
    transpileOnly: true,
  });
}

module.exports = require('../lib/validate/plugin');
