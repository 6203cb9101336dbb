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
