// The entry `cdk8s synth` requires for the validation plugin. In a project, name it in
// cdk8s.yaml as a local path (cdk8s installs anything else from the registry):
//   validations:
//     - package: ./node_modules/cdk8s-microservices/validation-plugin
//       version: <the installed version>
//       class: ManifestValidation
// It runs the compiled package (build/), like the cdk8s-ms command.
module.exports = require('../build/lib/tools/validate/plugin');
