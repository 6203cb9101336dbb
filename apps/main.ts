// Synthesizes the example apps into dist/ (or $CDK8S_OUTDIR): `npm run synth`.
import { App } from 'cdk8s';
import { synthToDirectory } from '../lib';
import { buildExamples } from './index';

const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
try {
  const app = new App({ outdir });
  buildExamples(app);
  for (const r of synthToDirectory(app, outdir)) {
    const objects = r.yaml.split(/^---$/m).length;
    console.log(`${outdir}/${r.name}/manifests.yaml: ${objects} objects`);
  }
} catch (e) {
  // a configuration error is one clear line, not a stack trace from inside cdk8s
  console.error(`synth failed: ${(e as Error).message}`);
  process.exit(1);
}
