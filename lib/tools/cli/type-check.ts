// `--type-check`: the app file and everything it imports, checked by the project's own
// TypeScript under the project's tsconfig, before anything is synthesized. Synthesis alone only
// transpiles (fast): the library's own checks refuse `{ replica: 3 }` at run time, one error at a
// time, but not every type error. This is `tsc --noEmit` in one step, every error at once.
import * as path from 'node:path';
import { UsageError, resolveTypeScript, tsconfigOf } from './load-app';
import { loadCompilerOptions } from './transpile-cache';

/** Throws a UsageError listing every type error of the app file's program. */
export function typeCheck(file: string): void {
  const resolved = path.resolve(file);
  const ts = require(resolveTypeScript(resolved)) as typeof import('typescript');
  const options = { ...loadCompilerOptions(ts, tsconfigOf(resolved)), noEmit: true, inlineSourceMap: false };
  const program = ts.createProgram({ rootNames: [resolved], options });
  const diagnostics = ts.getPreEmitDiagnostics(program).filter(d => d.category === ts.DiagnosticCategory.Error);
  if (diagnostics.length === 0) return;
  const text = ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: f => f,
    getCurrentDirectory: () => process.cwd(),
    getNewLine: () => '\n',
  }).trimEnd();
  throw new UsageError(`app file ${file} has ${diagnostics.length} type error${diagnostics.length === 1 ? '' : 's'}:\n${text}`);
}
