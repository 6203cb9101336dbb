// Regenerates test/fixtures/broken/expected-check-manifests.json: what the team's external
// checker reports on the broken fixture bundle, in a form `cdk8s-ms validate` can be held to.
//
//   npx ts-node --transpile-only scripts/expected-findings.ts [--check]
//
// check-manifests --json prints two JSON documents: validate-manifests.mjs's `errors`, plain
// strings `file#doc: message` without rule ids, then policy-check.mjs's `findings`,
// {sev, id, obj, msg}. Both become {severity, rule, object, path?, message}:
// - policy findings keep their severity ('warn' -> 'warning'), rule id and object;
// - a validate error gets the object of its document (`Kind/namespace/name`, read from the
//   file) and the id of the cdk8s-ms rule that checks the same thing, found by the shape of the
//   message (MESSAGE_RULES); schema errors also keep the JSON pointer of the field. A message
//   no pattern knows stops the script: a new check in check-manifests needs a rule here first.
// The list is sorted so that the file only changes when the findings do; CI can re-run this
// and `git diff --exit-code` the file, or run it with --check.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';

const ROOT = path.resolve(__dirname, '..');
const FIXTURE = 'test/fixtures/broken';
const OUTPUT = path.join(ROOT, FIXTURE, 'expected-check-manifests.json');
const CHECKER = path.join(ROOT, '..', 'shared', 'tools', 'check-manifests');

export interface ExpectedFinding {
  readonly severity: 'error' | 'warning' | 'info';
  readonly rule: string;
  readonly object: string;
  /** For schema errors: the JSON pointer of the field (an unknown field's own pointer). */
  readonly path?: string;
  /** check-manifests' own words, for the reader. */
  readonly message: string;
}

/** validate-manifests message -> the cdk8s-ms rule that checks the same thing. First match wins. */
const MESSAGE_RULES: Array<[RegExp, string]> = [
  [/^YAML: /, 'yaml-syntax'],
  [/^document is not an object$/, 'not-an-object'],
  [/^missing apiVersion or kind$/, 'missing-kind'],
  [/^missing metadata\.name$/, 'missing-name'],
  [/^duplicate object /, 'duplicate-object'],
  [/^no schema known for /, 'unknown-kind'],
  [/: schema \S+ must NOT have additional properties /, 'schema-unknown-field'],
  [/: schema \S+ must have required property /, 'schema-missing-field'],
  [/: schema \S+ /, 'schema-invalid-value'],
  [/^\S+ name '.*' is not a valid name$/, 'object-name'],
  [/^namespace '.*' invalid$/, 'namespace-name'],
  [/^label key '.*' is not a valid label key$/, 'label-key'],
  [/^label value .* for '.*' is invalid$/, 'label-value'],
  [/^annotation key '.*' is not a valid label key$/, 'annotation-key'],
  [/^annotation '.*' must be a string$/, 'annotation-value'],
  [/^workload without pod spec$/, 'pod-template-missing'],
  [/: empty selector$/, 'selector-empty'],
  [/: selector .* does not match template labels$/, 'selector-mismatch'],
  [/^container name '.*' invalid$/, 'container-name'],
  [/^duplicate container name /, 'container-duplicate'],
  [/^port name '.*' is not a valid IANA service name$/, 'port-name'],
  [/^duplicate port name /, 'port-duplicate'],
  [/^containerPort .* out of range$/, 'port-number'],
  [/^\w+ of '.*' refers to unknown port /, 'probe-named-port'],
  [/^\w+ path must start with '\/'$/, 'probe-path'],
  [/^env name '.*' invalid$/, 'env-name'],
  [/^duplicate env names in /, 'env-duplicate'],
  [/^resource quantity .* is not a valid quantity$/, 'resource-quantity'],
  [/^volumeMount '.*' has no volume$/, 'volume-mount'],
  [/^Service .*: multi-port service needs port names$/, 'service-port-unnamed'],
  [/^Service .*: port name '.*' invalid$/, 'service-port-name'],
  [/^HPA (minReplicas < 1|maxReplicas < minReplicas)$/, 'hpa-replica-range'],
  [/^PDB needs exactly one of /, 'pdb-budget'],
  [/^Ingress path without pathType$/, 'ingress-path-type'],
  [/^Ingress path '.*' must start with '\/'$/, 'ingress-path'],
  [/^Service \S+ selects no workload$/, 'service-selector'],
  [/^Service \S+ targetPort .* is not a port of every selected pod$/, 'service-target-port'],
  [/^Ingress backend service '.*' not found$/, 'ingress-backend'],
  [/^Ingress backend port of '.*' not found on the Service$/, 'ingress-backend-port'],
  [/^HPA target \S+ not found$/, 'hpa-target'],
  [/^HPA target \S+ also sets spec\.replicas/, 'hpa-target-replicas'],
  [/^ScaledObject target .* not found$/, 'scaledobject-target'],
  [/^ScaledObject and an HPA both scale /, 'scaledobject-hpa'],
  [/^PDB \S+ selects no workload$/, 'pdb-selector'],
  [/^ServiceMonitor \S+ selects no Service$/, 'servicemonitor-selector'],
  [/^ServiceMonitor endpoint port /, 'servicemonitor-port'],
  [/^PodMonitor \S+ selects no workload$/, 'podmonitor-selector'],
  [/^NetworkPolicy \S+ selects no workload$/, 'netpol-selector'],
  [/^DestinationRule host .* has no Service$/, 'destinationrule-host'],
  [/^DestinationRule subset .* selects no workload$/, 'destinationrule-subset'],
  [/^VirtualService route weights sum to /, 'virtualservice-weights'],
  [/^VirtualService destination .* has no Service$/, 'virtualservice-host'],
  [/^VirtualService subset .* not defined$/, 'virtualservice-subset'],
];

/** `Kind/namespace/name` of every document of a file, the way cdk8s-ms names objects. */
function objectIds(file: string): string[] {
  return YAML.parseAllDocuments(fs.readFileSync(path.join(ROOT, file), 'utf8'), { uniqueKeys: true }).map((d, i) => {
    const o = d.errors.length ? undefined : d.toJSON();
    if (!o || typeof o !== 'object' || Array.isArray(o)) return `document ${i}`;
    const part = (v: unknown) => (v === undefined || v === null || v === '' ? '?' : String(v));
    return `${part(o.kind)}/${o.metadata?.namespace ?? ''}/${part(o.metadata?.name)}`;
  });
}

function fromValidateError(error: string, ids: (file: string) => string[]): ExpectedFinding {
  const m = /^(.*?)#(\d+): ([\s\S]*)$/.exec(error);
  if (!m) throw new Error(`unexpected validate-manifests error: ${error}`);
  const [, file, doc, message] = m;
  const rule = MESSAGE_RULES.find(([re]) => re.test(message))?.[1];
  if (!rule) throw new Error(`no cdk8s-ms rule for the check-manifests message '${message}': add one to MESSAGE_RULES`);
  const object = ids(path.relative(ROOT, path.resolve(ROOT, file)))[Number(doc)];
  const schema = /: schema (\S+) (?:must NOT have additional properties '(.*)'|.*)$/.exec(message);
  if (!schema) return { severity: 'error', rule, object, message };
  const base = schema[1] === '/' ? '' : schema[1];
  const pointer = schema[2] !== undefined ? `${base}/${schema[2].replace(/~/g, '~0').replace(/\//g, '~1')}` : base;
  return { severity: 'error', rule, object, path: pointer, message };
}

export function expectedFindings(): ExpectedFinding[] {
  const run = spawnSync(CHECKER, [FIXTURE, '--json'], { cwd: ROOT, encoding: 'utf8' });
  if (run.error || !run.stdout) throw new Error(`${CHECKER} did not run: ${run.error?.message ?? run.stderr}`);
  // two pretty-printed JSON documents: a top-level '{' only ever starts a line of its own
  const [validated, policy] = run.stdout.trim().split(/\n(?=\{)/).map(text => JSON.parse(text));
  if (!validated?.errors || !policy?.findings) throw new Error(`unexpected check-manifests output:\n${run.stdout}`);
  const cache = new Map<string, string[]>();
  const ids = (file: string) => {
    if (!cache.has(file)) cache.set(file, objectIds(file));
    return cache.get(file)!;
  };
  const findings: ExpectedFinding[] = [
    ...validated.errors.map((e: string) => fromValidateError(e, ids)),
    ...policy.findings.map((f: { sev: string; id: string; obj: string; msg: string }) => ({
      severity: f.sev === 'warn' ? 'warning' : f.sev,
      rule: f.id,
      object: f.obj.replace(/\/undefined$/, '/?'),
      message: f.msg,
    })),
  ];
  const key = (f: ExpectedFinding) => [f.object, f.rule, f.severity, f.path ?? '', f.message].join('\u0000');
  return findings.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function main(argv: string[]): number {
  const text = `${JSON.stringify(expectedFindings(), null, 2)}\n`;
  const rel = path.relative(process.cwd(), OUTPUT);
  if (argv.includes('--check')) {
    const current = fs.existsSync(OUTPUT) ? fs.readFileSync(OUTPUT, 'utf8') : '';
    if (current !== text) {
      console.error(`${rel} is stale: run 'npx ts-node --transpile-only scripts/expected-findings.ts'`);
      return 1;
    }
    console.log(`${rel}: current`);
    return 0;
  }
  fs.writeFileSync(OUTPUT, text);
  console.log(`${rel}: ${JSON.parse(text).length} findings`);
  return 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
