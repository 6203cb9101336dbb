// The cdk8s entry point (cdk8s.yaml `app:`): `cdk8s synth` sets CDK8S_OUTDIR. `npm run synth`
// runs the same through the cdk8s-ms CLI.
import { main } from 'cdk8s-microservices/cli';

process.exitCode = main(['synth', '--app', `${__dirname}/index.ts`, '--out', process.env.CDK8S_OUTDIR ?? 'dist']);
