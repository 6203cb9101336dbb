import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// The layout of lib/ (README "Architecture"): layers that import only downwards, no import
// cycle (type-only imports included), small files. dependency-cruiser reads the imports with
// TypeScript's own module resolution (.dependency-cruiser.cjs holds the layers).
const ROOT = path.join(__dirname, '..');
const CRUISER = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

interface Violation { readonly from: string; readonly to: string; readonly rule: { readonly name: string }; readonly cycle?: ReadonlyArray<{ readonly name: string }> }

/** The violations dependency-cruiser reports for lib/ of the project at `cwd`. */
function cruise(cwd: string): Violation[] {
  const out = execFileSync(process.execPath, [CRUISER, 'lib', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(out).summary.violations;
}

const describeViolation = (v: Violation) => `${v.rule.name}: ${v.from} -> ${v.to}${v.cycle ? ` (${v.cycle.map(c => c.name).join(' -> ')})` : ''}`;

function sourceFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter(f => f.endsWith('.ts')).map(f => path.join(dir, f));
}

describe('the layers of lib/', () => {
  test('no file imports a higher layer, and no files import each other in a circle', () => {
    expect(cruise(ROOT).map(describeViolation)).toEqual([]);
  });

  test('the check finds an upward import and a cycle, type-only ones included', () => {
    // GIVEN a copy of lib/ where a part of the pod imports a construct (a type only), and a
    // basic imports a part (which imports the basic back)
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'lib-architecture-'));
    try {
      fs.cpSync(path.join(ROOT, 'lib'), path.join(copy, 'lib'), { recursive: true });
      for (const f of ['.dependency-cruiser.cjs', 'tsconfig.json']) fs.copyFileSync(path.join(ROOT, f), path.join(copy, f));
      for (const d of ['imports', 'node_modules']) fs.symlinkSync(path.join(ROOT, d), path.join(copy, d));
      fs.appendFileSync(path.join(copy, 'lib', 'pod', 'user.ts'), "\nimport type { Workload } from '../constructs/workload';\nexport type UpwardForTest = Workload;\n");
      fs.appendFileSync(path.join(copy, 'lib', 'errors.ts'), "\nimport type { UserOptions } from './pod/pod-props';\nexport type CycleForTest = UserOptions;\n");
      // WHEN it is checked
      const found = cruise(copy).map(describeViolation);
      // THEN both are reported
      expect(found).toEqual(expect.arrayContaining([
        'parts-imports-no-higher-layer: lib/pod/user.ts -> lib/constructs/workload.ts',
        'basics-imports-no-higher-layer: lib/errors.ts -> lib/pod/pod-props.ts',
        expect.stringMatching(/^no-circular: /),
      ]));
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  test('at most 6 files at the root of lib/: the entry and what every layer uses', () => {
    const root = fs.readdirSync(path.join(ROOT, 'lib')).filter(f => fs.statSync(path.join(ROOT, 'lib', f)).isFile());
    expect(root.length).toBeLessThanOrEqual(6);
    expect(root).toContain('index.ts');
  });

  test('no hand-written file of lib/ has more than 500 lines', () => {
    const long = sourceFiles(path.join(ROOT, 'lib'))
      .map(f => ({ file: path.relative(ROOT, f), lines: fs.readFileSync(f, 'utf8').split('\n').length }))
      .filter(f => f.lines > 500);
    expect(long).toEqual([]);
  });
});
