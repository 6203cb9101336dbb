import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import YAML from 'yaml';

// Every ```ts block of the README is a complete program: it must type-check against the
// library and synthesize, so the README never shows code that no longer works.
const ROOT = path.join(__dirname, '..');
const SNIPPETS = path.join(__dirname, '.readme');
const blocks = [...fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map(m => m[1]);
const files = blocks.map((_, i) => path.join(SNIPPETS, `snippet-${i + 1}.ts`));

beforeAll(() => {
  fs.rmSync(SNIPPETS, { recursive: true, force: true });
  fs.mkdirSync(SNIPPETS, { recursive: true });
  blocks.forEach((code, i) => fs.writeFileSync(files[i], code));
});
afterAll(() => fs.rmSync(SNIPPETS, { recursive: true, force: true }));

describe('README examples', () => {
  test('the README has TypeScript examples, the DESIGN snippet first', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    expect(blocks[0]).toContain("web.connectTo(catalog, { env: 'PRODUCT_CATALOG_SERVICE_ADDR', format: 'host:port' });");
  });

  test('every example type-checks', () => {
    const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: d => { throw new Error(String(d.messageText)); } })!;
    const program = ts.createProgram(files, { ...config.options, noEmit: true, noUnusedLocals: false });
    const diagnostics = ts.getPreEmitDiagnostics(program).filter(d => d.file && files.includes(path.resolve(d.file.fileName)));
    expect(diagnostics.map(d => `${path.basename(d.file!.fileName)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)).toEqual([]);
  });

  test.each(blocks.map((_, i) => i + 1))('example %i synthesizes manifests', n => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-'));
    const before = process.env.CDK8S_OUTDIR;
    process.env.CDK8S_OUTDIR = outdir;
    try {
      jest.isolateModules(() => require(files[n - 1]));
      const written = fs.readdirSync(outdir).filter(f => f.endsWith('.yaml'));
      expect(written.length).toBeGreaterThan(0);
      const docs = written.flatMap(f => YAML.parseAllDocuments(fs.readFileSync(path.join(outdir, f), 'utf8')).map(d => d.toJSON()));
      expect(docs[0].kind).toBe('Namespace');
    } finally {
      process.env.CDK8S_OUTDIR = before;
      if (before === undefined) delete process.env.CDK8S_OUTDIR;
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});

// The README's "Errors" section shows what `cdk8s-ms synth` prints: each line is produced here
// by an app with that mistake, through the CLI, and compared whole.
describe('README errors', () => {
  const { main } = require('../lib/tools/cli/main') as typeof import('../lib/tools/cli/main');
  const errorsSection = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('\n## Errors\n')[1].split('\n## ')[0];
  const shown = errorsSection.split('\n').filter(l => /^(error|synth failed)\b/.test(l));
  const LIB = path.join(ROOT, 'lib');
  // the program behind each line, by the construct path and prop it names
  const programs: Record<string, string> = {
    "[shop/catalog] 'resources.memory'": "new ObservedService(shop, 'catalog', { image: 'ghcr.io/acme/catalog:1.4.2', resources: { cpu: '250m', memory: '256MB' } } as any);",
    "[shop/web] 'image'": "new ObservedService(shop, 'web', { image: 'ghcr.io/acme/web:latest' });",
    "[shop/catalog] 'replicas'": "new ObservedService(shop, 'catalog', { image: 'ghcr.io/acme/catalog:1.4.2', replicas: 3, autoscaling: { maxReplicas: 5 } });",
    "[shop/catalog] 'prot'": "new ObservedService(shop, 'catalog', { image: 'ghcr.io/acme/catalog:1.4.2', prot: 8080 } as any);",
    "[shop/catalog] 'port'": "new ObservedService(shop, 'catalog', { image: 'ghcr.io/acme/catalog:1.4.2', port: '8080' } as any);",
    "[shop/postgres] 'storage.size'": "new StatefulService(shop, 'postgres', { image: 'docker.io/library/postgres:16.4', port: 5432, protocol: 'tcp', storage: { size: '20GB', mountPath: '/data' } });",
    "[shop/report] 'timeZone'": "new BatchJob(shop, 'report', { image: 'ghcr.io/acme/report:1.0.0', schedule: '0 3 * * *', timeZone: 'Mars/Olympus_Mons' });",
    "[shop/migrate] 'runBefore[0]'": "const api = new ObservedService(new MicroserviceApp(scope, 'billing'), 'api', { image: 'ghcr.io/acme/api:1.0.0' }); new BatchJob(shop, 'migrate', { image: 'ghcr.io/acme/api:1.0.0', runBefore: [api] });",
  };

  test('every error line of the section is the one cdk8s-ms prints', () => {
    expect(shown.length).toBe(Object.keys(programs).length);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-errors-'));
    try {
      const printed = shown.map((line, i) => {
        const key = Object.keys(programs).find(k => line.includes(k));
        if (!key) return `no program for: ${line}`;
        const file = path.join(dir, `app-${i}.ts`);
        fs.writeFileSync(file, `import { BatchJob, MicroserviceApp, ObservedService, StatefulService } from '${LIB}';
export function build(scope: any) { const shop = new MicroserviceApp(scope, 'shop'); ${programs[key]} }\n`);
        let err = '';
        const code = main(['synth', '--app', file, '--out', path.join(dir, 'out')], { out: () => undefined, err: t => { err += t; } });
        return code === 2 ? err.trimEnd() : `exit ${code}`;
      });
      expect(printed).toEqual(shown);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
