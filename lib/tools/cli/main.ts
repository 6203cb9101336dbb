import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_APP_FILES, appFileOf, userFrame } from './load-app';
import { EXIT, Io, PROCESS_IO } from './io';

// Each command's module loads only when that command runs: `synth` need not load the
// validator's schemas or the chart generator (and the CLI transpiles TypeScript on start).
const commands = {
  synth: () => (require('./synth-command') as typeof import('./synth-command')).synthCommand,
  validate: () => (require('./validate-command') as typeof import('./validate-command')).validateCommand,
  diff: () => (require('./diff-command') as typeof import('./diff-command')).diffCommand,
  graph: () => (require('./graph-command') as typeof import('./graph-command')).graphCommand,
  helm: () => (require('./helm-command') as typeof import('./helm-command')).helmCommand,
};

export { EXIT, PROCESS_IO } from './io';
export type { Io } from './io';

const EXIT_HELP = `
Exit codes:
  0  success: written, valid, or no differences
  1  validate found problems, or diff found differences
  2  bad usage, unreadable input, or an invalid app (the message names the construct and prop)`;

const appOption = () => new Option('--app <file>', `the app file: exports build(scope, { env }) (default: ${DEFAULT_APP_FILES.join(', then ')})`);
const typeCheckOption = () => new Option('--type-check', "type-check the app file with the project's TypeScript and tsconfig first (like tsc --noEmit)");

/** The app file of a command's options, type-checked first when asked. */
function appOf(o: { app?: string; typeCheck?: boolean }): string {
  const file = appFileOf(o.app);
  if (o.typeCheck) (require('./type-check') as typeof import('./type-check')).typeCheck(file);
  return file;
}
const envOption = () => new Option('--env <name>', 'the environment passed to build()');

/** What --out replaces, for the help of the commands that write a folder. */
const outHelp = (command: string, what: string) => `
Writing into --out:
  ${command} replaces or removes only files that an earlier ${command} of the same project (the
  package.json above the app file) wrote there, as listed in <out>/.cdk8s-ms-${command}@<project>.sha256
  (sha256sum format; commit it with the output). Everything else (.git/, a README, other
  teams' folders, cdk8s synth's output) is left alone. ${what}
  An app removed from the app file has its files removed, and a folder they leave empty.
  A file in the way that is not listed and holds other content stops the run before anything
  is written, naming it (a file that already holds exactly what would be written is taken over).
  Files are written under temporary names first and renamed into place, so a failure leaves
  the folder as it was.`;

function program(io: Io, setCode: (c: number) => void): Command {
  const p = new Command('cdk8s-ms')
    .description('Synthesize, check, compare and package cdk8s-microservices apps')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_HELP);
  p.command('synth')
    .description('write the manifests of every app, plus a Kustomization and a README.md per app, into <out>/<app>/ (only files it wrote are replaced)')
    .addOption(appOption())
    .addOption(typeCheckOption())
    .addOption(new Option('--env <name...>', 'environments to synthesize into <out>/<env>/ (repeatable)'))
    .option('--out <dir>', 'output directory (may hold other files: they are kept)', 'dist')
    .addOption(new Option('--layout <layout>', 'app: one manifests.yaml per app; resource: one file per object').choices(['app', 'resource']).default('app'))
    .addHelpText('after', outHelp('synth', 'With --env, each\n  <out>/<env>/ has its own list, and other apps or files there are kept too.'))
    .addHelpText('after', EXIT_HELP)
    .action(o => setCode(commands.synth()({ app: appOf(o), envs: o.env, out: o.out, layout: o.layout }, io)));
  p.command('validate')
    .description('check synthesized YAML: strict schema, cross-object references, security and best-practice policy')
    .argument('[dir...]', 'files or folders of YAML', ['dist'])
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
    .option('--warn-fails', 'exit 1 on warnings too', false)
    .addHelpText('after', EXIT_HELP)
    .action((dirs, o) => setCode(commands.validate()({ paths: dirs, format: o.format, warnFails: o.warnFails }, io)));
  p.command('diff')
    .description('synthesize in memory and compare object by object with a manifest folder (a GitOps checkout)')
    .argument('<dir>', 'the folder to compare with')
    .addOption(appOption())
    .addOption(typeCheckOption())
    .addOption(envOption())
    .option('--summary', 'print only the summary: one line per changed object (a long text such as a dashboard as a count of changed lines)', false)
    .addHelpText('after', EXIT_HELP)
    .action((dir, o) => setCode(commands.diff()({ dir, app: appOf(o), env: o.env, summaryOnly: o.summary }, io)));
  p.command('graph')
    .description('print the services, workers, routes and connections of each app')
    .addOption(appOption())
    .addOption(typeCheckOption())
    .addOption(envOption())
    .addOption(new Option('--format <format>', 'output format').choices(['mermaid', 'dot']).default('mermaid'))
    .addHelpText('after', EXIT_HELP)
    .action(o => setCode(commands.graph()({ app: appOf(o), env: o.env, format: o.format }, io)));
  p.command('helm')
    .description('write a Helm chart of each app (values: image tags and replica counts)')
    .addOption(appOption())
    .addOption(typeCheckOption())
    .addOption(envOption())
    .option('--out <dir>', 'output directory', 'charts')
    .addHelpText('after', outHelp('helm', 'A chart is\n  <out>/<app>/.'))
    .addHelpText('after', EXIT_HELP)
    .action(o => setCode(commands.helm()({ app: appOf(o), env: o.env, out: o.out }, io)));
  return p;
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export function main(argv: string[], io: Io = PROCESS_IO): number {
  let code: number = EXIT.OK;
  try {
    program(io, c => { code = c; }).parse(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here too, with exit code 0
      return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    // by name, not instanceof: an app file may load another copy of this package (buildApps says so)
    const name = (e as Error | undefined)?.name;
    if (name === 'UsageError' || name === 'MicroserviceConfigError' || name === 'OutputRefusedError') {
      io.err(`error: ${(e as Error).message}\n`);
      return EXIT.USAGE;
    }
    // anything else was thrown by the user's code, cdk8s or node: one line, and where in the
    // user's files it happened; the whole stack is for CDK8S_MS_DEBUG
    const at = userFrame(e);
    io.err(`error: ${(e as Error).message ?? e}\n${at ? `    at ${at}\n` : ''}`);
    if (process.env.CDK8S_MS_DEBUG) io.err(`${(e as Error).stack}\n`);
    return EXIT.USAGE;
  }
}
