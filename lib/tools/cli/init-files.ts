// What `cdk8s-ms init` writes into a project, and how it recognizes the files of cdk8s-cli's
// typescript-app template that it may replace or remove (and no others).

/** The app file: the smallest app that passes `cdk8s-ms validate --warn-fails`. */
export const APPS_TS = `import { Construct } from 'constructs';
import { AppContext, MicroserviceApp, ObservedService, ScaledWorker } from 'cdk8s-microservices';

/**
 * Every app of this project. \`cdk8s synth\` calls it from main.ts; \`npx cdk8s-ms synth --env NAME\`
 * calls it once per environment (\`env\` is then NAME). Each MicroserviceApp is one namespace.
 */
export function build(scope: Construct, { env }: AppContext = {}): void {
  const shop = new MicroserviceApp(scope, 'shop', {
    domain: 'shop.example.com',                      // one Ingress for every route
    tlsSecretName: 'shop-tls',                       // its certificate: a Secret you create in the namespace
  });
  const catalog = new ObservedService(shop, 'catalog', {
    image: 'ghcr.io/acme/catalog:1.4.2',             // a pinned tag or a digest
    protocol: 'grpc',
    port: 3550,
    probes: { readiness: { grpc: true } },          // the checks the app serves: nothing is assumed
  });
  const web = new ObservedService(shop, 'web', {
    image: 'ghcr.io/acme/web:2.0.1',
    route: { path: '/' },                            // a path on the app's Ingress
    probes: { readiness: { httpPath: '/ready' } },
    replicas: env === 'prod' ? 3 : 2,
  });
  web.connectTo(catalog);                            // env CATALOG_URL + network policy
  new ScaledWorker(shop, 'mailer', {                 // a Deployment with no Service
    image: 'ghcr.io/acme/mailer:0.9.0',
    healthPort: 8080, probes: { liveness: { httpPath: '/healthz' } },
    replicas: 2,
  });
}
`;

/** The project's main.ts: what `cdk8s synth` runs. */
export const MAIN_TS = `import { App } from 'cdk8s';
import { build } from './apps';

// \`cdk8s synth\` runs this file (cdk8s.yaml): the apps of apps.ts, one file per app in dist/.
const app = new App();
build(app);
app.synth();
`;

/** A test of the apps, in place of the template's test of its empty chart. */
export const APPS_TEST_TS = `import { Testing } from 'cdk8s';
import { build } from './apps';

// Every object of every app as a snapshot: \`npm test -- -u\` accepts a change you meant.
test('the apps synthesize', () => {
  const app = Testing.app();
  build(app);
  for (const chart of app.charts) expect(Testing.synth(chart)).toMatchSnapshot(chart.node.id);
});
`;

/** What main.ts must hold to call the app file, for a main.ts that init leaves alone. */
export const MAIN_TS_LINES = `import { build } from './apps';   // at the top
build(app);                         // before app.synth()`;

/** The template's `app:` command, and the same with ts-node preferring .ts over compiled .js. */
export const TEMPLATE_APP_COMMAND = 'npx ts-node main.ts';
export const APP_COMMAND = 'npx ts-node --prefer-ts-exts main.ts';

// cdk8s-cli's templates/typescript-app (2.x): `cdk8s init` replaces {{ $base }} with the
// folder's name. Compared with whitespace normalized, the chart id matched as any string.
const TEMPLATE_MAIN_TS = `import { Construct } from 'constructs';
import { App, Chart, ChartProps } from 'cdk8s';

export class MyChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = { }) {
    super(scope, id, props);

    // define resources here

  }
}

const app = new App();
new MyChart(app, '{{ $base }}');
app.synth();
`;
const TEMPLATE_MAIN_TEST_TS = `import {MyChart} from './main';
import {Testing} from 'cdk8s';

describe('Placeholder', () => {
  test('Empty', () => {
    const app = Testing.app();
    const chart = new MyChart(app, 'test-chart');
    const results = Testing.synth(chart)
    expect(results).toMatchSnapshot();
  });
});
`;

const normalize = (text: string) => text.replace(/\r\n/g, '\n').split('\n').map(l => l.trimEnd()).join('\n').trim();
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A template file as a pattern: `{{ ... }}` placeholders match any text on their line. */
function templatePattern(template: string): RegExp {
  return new RegExp(`^${normalize(template).split(/\{\{[^}]*\}\}/).map(escape).join('[^\\n]*')}$`);
}

/**
 * True when `text` is the template's file, untouched: the copy this package knows or the one
 * in the project's own cdk8s-cli (`installed`, when it has one).
 */
export function isTemplateFile(file: 'main.ts' | 'main.test.ts', text: string, installed?: string): boolean {
  const known = file === 'main.ts' ? TEMPLATE_MAIN_TS : TEMPLATE_MAIN_TEST_TS;
  return [known, ...(installed === undefined ? [] : [installed])].some(t => templatePattern(t).test(normalize(text)));
}

/**
 * True when `text` is the snapshot the template's test wrote for its empty chart (`cdk8s init`
 * runs `npm run test -- -u`): jest 29 writes `[]`, older versions `Array []`.
 */
export function isTemplateSnapshot(text: string): boolean {
  const exports = normalize(text).split('\n').filter(l => l.startsWith('exports['));
  return exports.length === 1 && /^exports\[`Placeholder Empty 1`\] = `(Array )?\[\]`;$/.test(exports[0]);
}

/** True when main.ts already imports the app file's build(). */
export const callsBuild = (mainTs: string) => /import\s*\{[^}]*\bbuild\b[^}]*\}\s*from\s*['"]\.\/apps(\.ts|\.js)?['"]/.test(mainTs);
