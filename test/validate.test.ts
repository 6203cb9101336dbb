import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as CliValidation from 'cdk8s-cli/lib/plugins/validation';
import YAML from 'yaml';
import { App, Testing, Yaml } from 'cdk8s';
import { MicroserviceApp, ObservedService, ScaledWorker } from '../lib';
import { Finding, ManifestPathError, RULES, SchemaCatalog, ValidationResult, exitCodeFor, formatResult, validateManifests, validatePaths } from '../lib/tools/validate';
import { yamlFilesUnder } from '../lib/tools/validate/manifests';
import { ManifestValidation } from '../lib/tools/validate/plugin';
import { fieldPath, goRegExp } from '../lib/tools/validate/schema';

// cdk8s-cli exposes its plugin API as 'cdk8s-cli/plugins' (package exports); the types live in lib/
const { ValidationContext } = require('cdk8s-cli/plugins') as typeof CliValidation;

const ROOT = path.join(__dirname, '..');
const BROKEN = path.join(__dirname, 'fixtures', 'broken');
const DIST = path.join(ROOT, 'dist');

/** test/fixtures/broken/expected-check-manifests.json, written by scripts/expected-findings.ts. */
interface ExpectedFinding {
  readonly severity: Finding['severity'];
  readonly rule: string;
  readonly object: string;
  readonly path?: string;
  readonly message: string;
}
const expected: ExpectedFinding[] = JSON.parse(fs.readFileSync(path.join(BROKEN, 'expected-check-manifests.json'), 'utf8'));

/**
 * How findings of the two tools are matched: severity, rule and object, plus the field for
 * schema errors. Messages are worded differently on purpose and are not compared.
 */
const isSchemaRule = (rule: string) => rule.startsWith('schema-');
const keyOf = (f: { severity: string; rule: string; object: string; path?: string }) => [f.severity, f.rule, f.object, isSchemaRule(f.rule) ? f.path ?? '' : ''].join(' ');

function countByKey(findings: ReadonlyArray<Parameters<typeof keyOf>[0]>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(keyOf(f), (counts.get(keyOf(f)) ?? 0) + 1);
  return counts;
}

/** The rules that fired for an object (`Kind/ns/name`). */
const rulesOf = (result: ValidationResult, object: string) => result.findings.filter(f => f.object === object).map(f => f.rule).sort();

describe('parity with check-manifests on test/fixtures/broken', () => {
  const result = validatePaths([BROKEN]);

  test('the expected findings are many and varied: the fixture exercises most checks', () => {
    expect(expected.length).toBeGreaterThanOrEqual(140);
    expect(new Set(expected.map(f => f.rule)).size).toBeGreaterThanOrEqual(90);
    expect(new Set(expected.map(f => f.severity))).toEqual(new Set(['error', 'warning', 'info']));
  });

  test('reports every finding check-manifests reports, with the same severity, rule and object', () => {
    // schema errors: ajv reports a value that fits no alternative of anyOf/oneOf once per
    // alternative; validate collapses those into one error at the same field
    const ours = countByKey(result.findings);
    const missing = [...countByKey(expected)]
      .filter(([key, n]) => (ours.get(key) ?? 0) < (key.split(' ')[1].startsWith('schema-') ? 1 : n))
      .map(([key, n]) => `${key} (check-manifests: ${n}, ours: ${ours.get(key) ?? 0})`);
    expect(missing).toEqual([]);
  });

  test('reports nothing on this bundle that check-manifests does not', () => {
    const theirs = countByKey(expected);
    const extra = [...countByKey(result.findings)].filter(([key, n]) => n > (theirs.get(key) ?? 0)).map(([key]) => key);
    expect(extra).toEqual([]);
  });

  test('every finding names a rule of the catalogue, with the severity the rule declares', () => {
    const catalogue = new Map(RULES.map(r => [r.id, r.severity]));
    expect(catalogue.size).toBe(RULES.length);
    for (const f of result.findings) expect([f.rule, catalogue.get(f.rule)]).toEqual([f.rule, f.severity]);
  });

  test('points each finding at its file, document and line', () => {
    const f = result.findings.find(x => x.rule === 'img-tag' && x.object === 'Deployment/broken/api')!;
    expect(f).toMatchObject({ file: path.join(BROKEN, 'workloads.yaml'), doc: 1 });
    const lines = fs.readFileSync(f.file, 'utf8').split('\n');
    expect(lines[f.line! - 1]).toBe('apiVersion: apps/v1');
    expect(lines[f.line!]).toBe('kind: Deployment');
  });

  test('fails the run (exit code 1)', () => {
    expect(exitCodeFor(result)).toBe(1);
  });
});

describe('the example output in dist/', () => {
  test('has no error and no warning', () => {
    const result = validatePaths([DIST]);
    expect(result.objects).toBeGreaterThanOrEqual(50);
    expect(result.files.length).toBeGreaterThanOrEqual(4);
    expect(result.findings.filter(f => f.severity !== 'info')).toEqual([]);
    expect(exitCodeFor(result, { warnFails: true })).toBe(0);
  });
});

describe('loading', () => {
  test('a path that does not exist is a ManifestPathError, not a finding', () => {
    expect(() => validatePaths([path.join(BROKEN, 'nope')])).toThrow(ManifestPathError);
  });

  test('searches folders recursively for .yaml and .yml, in name order, and skips other files', () => {
    const files = yamlFilesUnder(BROKEN).map(f => path.relative(BROKEN, f));
    expect(files).toEqual(['monitoring-and-mesh.yaml', path.join('nested', 'more.yml'), 'network.yaml', 'objects.yaml', 'scaling.yaml', 'services.yaml', 'workloads.yaml']);
  });

  test('a document with a repeated key is one yaml-syntax error on one line', () => {
    const result = validatePaths([path.join(BROKEN, 'nested', 'more.yml')]);
    const f = result.findings.find(x => x.rule === 'yaml-syntax')!;
    expect(f).toMatchObject({ severity: 'error', object: 'document 0', doc: 0 });
    expect(f.message).toMatch(/^not valid YAML: Map keys must be unique at line 6, column 3$/);
  });
});

describe('formats', () => {
  const result = validatePaths([BROKEN]);

  test('text: one line per finding, `SEVERITY rule Kind/ns/name (file): message`, then a summary', () => {
    const lines = formatResult(result, 'text').trimEnd().split('\n');
    expect(lines).toHaveLength(result.findings.length + 1);
    for (const line of lines.slice(0, -1)) expect(line).toMatch(/^(ERROR|WARNING|INFO) [a-z0-9-]+ \S.* \(\S+\): \S/);
    expect(lines).toContain(`ERROR img-tag Deployment/broken/api (${path.join(BROKEN, 'workloads.yaml')}): container 'api' image 'ghcr.io/acme/api:latest' is not pinned to a tag or digest`);
    expect(lines[lines.length - 1]).toBe(`40 objects in 7 files: ${result.findings.filter(f => f.severity === 'error').length} errors, ${result.findings.filter(f => f.severity === 'warning').length} warnings, ${result.findings.filter(f => f.severity === 'info').length} info`);
  });

  test('json: the counts, the files and every finding', () => {
    const json = JSON.parse(formatResult(result, 'json'));
    expect(json.objects).toBe(40);
    expect(json.files).toHaveLength(7);
    expect(json.findings).toEqual(result.findings);
    expect(json.counts.error + json.counts.warning + json.counts.info).toBe(result.findings.length);
  });

  test('sarif: a valid SARIF 2.1.0 log with the rule catalogue and one located result per finding', () => {
    const sarif = JSON.parse(formatResult(result, 'sarif'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.$schema).toMatch(/sarif-2\.1\.0/);
    expect(sarif.runs).toHaveLength(1);
    const { driver } = sarif.runs[0].tool;
    expect(driver.name).toBe('cdk8s-ms validate');
    const ids = driver.rules.map((r: { id: string }) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(RULES.map(r => r.id)));
    for (const r of driver.rules) {
      expect(r.shortDescription.text).toEqual(expect.any(String));
      expect(['error', 'warning', 'note']).toContain(r.defaultConfiguration.level);
    }
    const results = sarif.runs[0].results;
    expect(results).toHaveLength(result.findings.length);
    results.forEach((r: any, i: number) => {
      const f = result.findings[i];
      expect(r.ruleId).toBe(f.rule);
      expect(driver.rules[r.ruleIndex].id).toBe(f.rule);
      expect(r.level).toBe({ error: 'error', warning: 'warning', info: 'note' }[f.severity]);
      expect(r.message.text).toContain(f.message);
      expect(r.locations[0].physicalLocation.artifactLocation.uri).toBe(f.file);
      expect(r.locations[0].physicalLocation.region.startLine).toBe(f.line);
      expect(r.locations[0].logicalLocations[0].fullyQualifiedName).toBe(f.object);
    });
    expect(new Set(results.map((r: any) => r.level))).toEqual(new Set(['error', 'warning', 'note']));
  });
});

// ---------------------------------------------------------------------------------------------
// Rules one at a time: a small clean bundle (no finding at all), then one change to it.

/** A Deployment, its Service, ServiceAccount, PodDisruptionBudget and a default-deny policy: clean. */
function cleanBundle(): any[] {
  const labels = { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'web' };
  const allLabels = { ...labels, 'app.kubernetes.io/version': '1.0.0', 'app.kubernetes.io/component': 'service', 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/managed-by': 'test' };
  const meta = (name: string) => ({ name, namespace: 'shop', labels: allLabels });
  return [
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('web'),
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels: allLabels },
          spec: {
            serviceAccountName: 'web',
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } }],
            containers: [{
              name: 'web',
              image: 'ghcr.io/acme/web:1.0.0',
              ports: [{ name: 'http', containerPort: 8080 }],
              env: [{ name: 'LOG_LEVEL', value: 'info' }],
              readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 5 },
              livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              resources: {
                requests: { 'cpu': '100m', 'memory': '128Mi', 'ephemeral-storage': '256Mi' },
                limits: { 'cpu': '200m', 'memory': '256Mi', 'ephemeral-storage': '512Mi' },
              },
            }],
          },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: meta('web'), spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('web'), automountServiceAccountToken: false },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta('web'), spec: { maxUnavailable: 1, selector: { matchLabels: labels }, unhealthyPodEvictionPolicy: 'AlwaysAllow' } },
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('default-deny'), spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
  ];
}

/** The clean bundle after `change`, validated. */
function withChange(change: (objects: any[]) => void): ValidationResult {
  const objects = cleanBundle();
  change(objects);
  return validateManifests(objects);
}
const byKind = (objects: any[], kind: string) => objects.find(o => o.kind === kind);
const container = (objects: any[]) => byKind(objects, 'Deployment').spec.template.spec.containers[0];

test('the clean bundle has no finding at all', () => {
  expect(validateManifests(cleanBundle()).findings).toEqual([]);
});

describe('schema', () => {
  test('an unknown field is an error blamed on the field itself', () => {
    const r = withChange(o => { container(o).imagePullPolice = 'Always'; });
    expect(r.findings).toEqual([expect.objectContaining({
      severity: 'error', rule: 'schema-unknown-field', object: 'Deployment/shop/web',
      path: '/spec/template/spec/containers/0/imagePullPolice',
      message: 'unknown field spec.template.spec.containers[0].imagePullPolice',
    })]);
  });

  test('int-or-string accepts a number or a name and rejects anything else with one error', () => {
    expect(withChange(o => { byKind(o, 'Service').spec.ports[0].targetPort = 8080; }).findings).toEqual([]);
    const r = withChange(o => { byKind(o, 'Service').spec.ports[0].targetPort = true; });
    expect(r.findings.filter(f => f.rule.startsWith('schema-'))).toEqual([expect.objectContaining({
      rule: 'schema-invalid-value', path: '/spec/ports/0/targetPort', message: 'spec.ports[0].targetPort must be string or integer, got true',
    })]);
  });

  test('CRD kinds are checked against the vendored CRD schema; unknown kinds are errors', () => {
    const monitor = { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } }, endpoints: [{ port: 'http', interval: '30s', scrapeTimout: '10s' }] } };
    const r = withChange(o => { o.push(monitor, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }); });
    expect(r.findings.map(f => [f.rule, f.object, f.path])).toEqual([
      ['schema-unknown-field', 'ServiceMonitor/shop/web', '/spec/endpoints/0/scrapeTimout'],
      ['unknown-kind', 'Widget//w', undefined],
    ]);
  });

  test('a CRD schema dropped into a schema folder as <group>_<version>_<kind>.json makes its kind known', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schemas-'));
    try {
      fs.copyFileSync(path.join(ROOT, 'imports', 'schemas', 'k8s-v1.28.0-definitions.json'), path.join(dir, 'k8s-v1.28.0-definitions.json'));
      fs.mkdirSync(path.join(dir, 'crds'));
      fs.writeFileSync(path.join(dir, 'crds', 'example.com_v1_Widget.json'), JSON.stringify({ type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } }));
      const schemas = new SchemaCatalog(dir);
      expect(schemas.kinds).toContain('example.com/v1/Widget');
      const widget = (spec: object) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec });
      expect(validateManifests([widget({ size: 3 })], { schemas }).findings).toEqual([]);
      expect(validateManifests([widget({ size: 3, colour: 'red' })], { schemas }).findings.map(f => [f.rule, f.path])).toEqual([['schema-unknown-field', '/spec/colour']]);
      expect(validateManifests([widget({ size: 3 })]).findings.map(f => f.rule)).toEqual(['unknown-kind']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('field paths read like kubectl explain', () => {
    expect(fieldPath('/metadata/annotations/example.com~1retries')).toBe('metadata.annotations["example.com/retries"]');
    expect(fieldPath('/spec/containers/0/ports/1')).toBe('spec.containers[0].ports[1]');
  });
});

describe('CRD patterns in Go syntax', () => {
  test('turns leading inline flags into RegExp flags', () => {
    expect(goRegExp('^(?i)(abort|warn)?$').test('ABORT')).toBe(true);
    expect(goRegExp('^(?i)(abort|warn)?$').test('never')).toBe(false);
    expect(goRegExp('^[a-z]+$').test('ABC')).toBe(false);
  });

  test('validates a PrometheusRule, whose CRD has a (?i) pattern, strictly', () => {
    const rule = (group: Record<string, unknown>) => ({
      apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'web', namespace: 'shop' },
      spec: { groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up == 0', for: '5m' }], ...group }] },
    });
    expect(validateManifests([rule({ partial_response_strategy: 'Warn' })]).findings.filter(f => f.severity === 'error')).toEqual([]);
    const bad = validateManifests([rule({ partial_response_strategy: 'retry', colour: 'red' })]).findings.filter(f => f.severity === 'error');
    expect(bad.map(f => f.message).join('\n')).toMatch(/colour/);
    expect(bad.map(f => f.message).join('\n')).toMatch(/partial_response_strategy|pattern/);
  });
});

describe('references', () => {
  test('a Service must select a workload of its own namespace', () => {
    const r = withChange(o => { byKind(o, 'Service').metadata.namespace = 'other'; });
    expect(rulesOf(r, 'Service/other/web')).toEqual(['service-selector']);
  });

  test('a Service targetPort must be a port of every selected pod', () => {
    const r = withChange(o => { byKind(o, 'Service').spec.ports[0].targetPort = 'grpc'; });
    expect(r.findings).toEqual([expect.objectContaining({ rule: 'service-target-port', object: 'Service/shop/web', message: "targetPort grpc is not a container port of Deployment 'web'" })]);
  });

  test('an Ingress backend must name a Service and one of its ports', () => {
    const ingress = (name: string, service: string, port: object) => ({
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: 'shop' },
      spec: { tls: [{ hosts: ['shop.example.com'], secretName: 'tls' }], rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: service, port } } }] } }] },
    });
    const r = withChange(o => { o.push(ingress('good', 'web', { name: 'http' }), ingress('no-service', 'api', { number: 80 }), ingress('no-port', 'web', { number: 8080 })); });
    expect(r.findings.map(f => [f.rule, f.object, f.message])).toEqual([
      ['ingress-backend', 'Ingress/shop/no-service', "backend Service 'api' is not in namespace 'shop'"],
      ['ingress-backend-port', 'Ingress/shop/no-port', "Service 'web' has no port 8080"],
    ]);
  });

  test('an autoscaler must target an existing workload that leaves spec.replicas alone', () => {
    const hpa = (target: string) => ({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: target, namespace: 'shop' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target }, minReplicas: 2, maxReplicas: 4 } });
    expect(rulesOf(withChange(o => { o.push(hpa('api')); }), 'HorizontalPodAutoscaler/shop/api')).toEqual(['hpa-target']);
    const r = withChange(o => { o.push(hpa('web')); });
    expect(rulesOf(r, 'HorizontalPodAutoscaler/shop/web')).toEqual(['hpa-target-replicas']);
    expect(rulesOf(r, 'Deployment/shop/web')).toEqual(['hpa-no-replicas']);
    expect(withChange(o => { o.push(hpa('web')); delete byKind(o, 'Deployment').spec.replicas; }).findings).toEqual([]);
  });

  test('a PodDisruptionBudget or NetworkPolicy that selects nothing is an error; an empty podSelector is not', () => {
    const r = withChange(o => {
      byKind(o, 'PodDisruptionBudget').spec.selector.matchLabels = { 'app.kubernetes.io/name': 'gone' };
      o.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'gone', namespace: 'shop' }, spec: { podSelector: { matchLabels: { app: 'gone' } } } });
    });
    expect(rulesOf(r, 'PodDisruptionBudget/shop/web')).toEqual(['pdb-selector']);
    expect(rulesOf(r, 'NetworkPolicy/shop/gone')).toEqual(['netpol-selector']);
    expect(rulesOf(r, 'NetworkPolicy/shop/default-deny')).toEqual([]);
    // the Deployment lost its budget too
    expect(rulesOf(r, 'Deployment/shop/web')).toEqual(['pdb-exists']);
  });

  test('VirtualService weights add up to 100 and subsets are defined by a DestinationRule', () => {
    const r = withChange(o => o.push(
      { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'web', namespace: 'shop' }, spec: { host: 'web', subsets: [{ name: 'v1', labels: { 'app.kubernetes.io/version': '1.0.0' } }] } },
      { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'web', namespace: 'shop' }, spec: { hosts: ['web'], http: [{ route: [{ destination: { host: 'web', subset: 'v1' }, weight: 90 }, { destination: { host: 'web.shop.svc.cluster.local', subset: 'v2' }, weight: 20 }] }] } },
    ));
    expect(r.findings.map(f => [f.rule, f.message])).toEqual([
      ['virtualservice-weights', 'route weights of http[0] sum to 110, not 100'],
      ['virtualservice-subset', "subset 'v2' of 'web.shop.svc.cluster.local' is defined by no DestinationRule"],
    ]);
  });

  test('a ServiceMonitor endpoint must be a named port of the Services it selects', () => {
    const monitor = (port: string) => ({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: port, namespace: 'shop' }, spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } }, endpoints: [{ port }] } });
    const r = withChange(o => { o.push(monitor('http'), monitor('metrics')); });
    expect(r.findings.map(f => [f.rule, f.object])).toEqual([['servicemonitor-port', 'ServiceMonitor/shop/metrics']]);
  });
});

describe('policies', () => {
  test.each([
    ['nginx', true],
    ['nginx:latest', true],
    ['registry.local:5000/nginx', true],
    ['registry.local:5000/nginx:1.25', false],
    ['nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', false],
  ])('image %s is unpinned: %s', (image, unpinned) => {
    const r = withChange(o => { container(o).image = image; });
    expect(r.findings.map(f => f.rule)).toEqual(unpinned ? ['img-tag'] : []);
  });

  test('a container without a security context breaks Pod Security "restricted", with graded severities', () => {
    const r = withChange(o => {
      delete container(o).securityContext;
      delete byKind(o, 'Deployment').spec.template.spec.securityContext;
    });
    expect(r.findings.map(f => `${f.severity} ${f.rule}`)).toEqual([
      'error sc-non-root', 'error sc-priv-esc', 'warning sc-ro-rootfs', 'error sc-caps', 'error sc-seccomp', 'info sc-high-uid',
    ]);
  });

  test('a PodDisruptionBudget that allows no eviction is reported on the budget', () => {
    const r = withChange(o => { byKind(o, 'PodDisruptionBudget').spec.maxUnavailable = 0; });
    expect(r.findings).toEqual([expect.objectContaining({ severity: 'error', rule: 'pdb-evictable', object: 'PodDisruptionBudget/shop/web' })]);
  });

  test('readiness and liveness probes that run the same check are flagged whatever their timing or key order', () => {
    const r = withChange(o => {
      container(o).livenessProbe = { periodSeconds: 30, httpGet: { port: 'http', path: '/readyz' } };
    });
    expect(r.findings.map(f => [f.severity, f.rule])).toEqual([['warning', 'probe-distinct']]);
  });

  test('a literal secret-looking env value is an error; a secretKeyRef and a JSON config file are not', () => {
    const r = withChange(o => {
      container(o).env.push({ name: 'API_KEY', value: 'abc' }, { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } });
      o.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'shop' }, data: { 'token.json': '{"issuer": "x"}', 'secret.txt': 's3cr3t' } });
    });
    expect(r.findings.map(f => [f.rule, f.object, f.message])).toEqual([
      ['no-plain-secrets', 'Deployment/shop/web', "container 'web' env API_KEY holds a literal value"],
      ['no-plain-secrets', 'ConfigMap/shop/cfg', "key 'secret.txt' looks like a secret"],
    ]);
  });

  test('one replica behind a Service is a warning, which fails only with warnFails', () => {
    const r = withChange(o => { byKind(o, 'Deployment').spec.replicas = 1; });
    expect(r.findings.map(f => [f.severity, f.rule])).toEqual([['warning', 'replicas-min']]);
    expect(exitCodeFor(r)).toBe(0);
    expect(exitCodeFor(r, { warnFails: true })).toBe(1);
  });

  test('deprecated API versions are errors', () => {
    const r = withChange(o => { byKind(o, 'PodDisruptionBudget').apiVersion = 'policy/v1beta1'; });
    expect(rulesOf(r, 'PodDisruptionBudget/shop/web')).toEqual(['stable-api', 'unknown-kind']);
  });
});

describe('the cdk8s validation plugin', () => {
  const context = (manifests: string[], metadata = {}) => new ValidationContext(manifests, 'cdk8s-microservices-validation', '0.1.0', metadata, false);
  // the plugin logs its summary line through cdk8s's logger (console.log)
  let logged: jest.SpyInstance;
  beforeEach(() => { logged = jest.spyOn(console, 'log').mockImplementation(() => undefined); });
  afterEach(() => logged.mockRestore());

  test('fails the report on the broken bundle, one violation per rule, located by file and construct', async () => {
    // the metadata app.synth() of a MicroserviceApp records: a key per kind, namespace and name
    const ctx = context(yamlFilesUnder(BROKEN), { 'Deployment/broken/api': { path: 'broken/Api' }, api: { path: 'broken/ApiService' } });
    await new ManifestValidation().validate(ctx);
    expect(ctx.report.success).toBe(false);
    const report = ctx.report.toJson();
    expect(report.summary).toMatchObject({ status: 'failure', metadata: { objects: '40', warnFails: 'false' } });
    const imgTag = report.violations.find(v => v.ruleName === 'img-tag (error)')!;
    expect(imgTag.recommendation).toMatch(/no pinned tag/);
    expect(imgTag.violatingConstructs).toEqual([{
      resourceName: 'Deployment/broken/api',
      constructPath: 'broken/Api',
      manifestPath: path.join(BROKEN, 'workloads.yaml'),
      locations: [
        "Deployment/broken/api: container 'api' image 'ghcr.io/acme/api:latest' is not pinned to a tag or digest",
        "Deployment/broken/api: container 'API_Sidecar' image 'busybox' is not pinned to a tag or digest",
      ],
    }]);
    // info findings are listed too, after the errors and warnings
    const severities = report.violations.map(v => /\((error|warning|info)\)$/.exec(v.ruleName)![1]);
    expect(severities).toEqual([...severities].sort((a, b) => ['error', 'warning', 'info'].indexOf(a) - ['error', 'warning', 'info'].indexOf(b)));
    expect(report.violations.map(v => v.ruleName)).toContain('sc-high-uid (info)');
    expect(report.summary.metadata).toMatchObject({ info: String(report.violations.filter(v => v.ruleName.endsWith('(info)')).flatMap(v => v.violatingConstructs.flatMap(c => c.locations)).length) });
    expect(ctx.report.toString()).toContain('Validation Report (cdk8s-microservices-validation@0.1.0)');
    expect(logged).toHaveBeenCalledWith(expect.stringMatching(/^cdk8s-ms validate: 40 objects in 7 files: \d+ errors, \d+ warnings, \d+ info$/));
  });

  describe('naming the construct of a finding', () => {
    // cdk8s's own loader of construct-metadata.json (not in the package's exports)
    const { ValidationPlugin } = require(path.join(ROOT, 'node_modules', 'cdk8s-cli', 'lib', 'plugins', 'validation.js'));
    let out: string;
    let stderr: jest.SpyInstance;
    beforeEach(() => {
      out = fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-'));
      stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    });
    afterEach(() => {
      stderr.mockRestore();
      fs.rmSync(out, { recursive: true, force: true });
    });

    /** app.synth() with construct metadata, as `cdk8s synth` runs it when validations are configured; then the plugin. */
    async function pluginOn(build: (app: App) => void) {
      const app = new App({ outdir: out, recordConstructMetadata: true });
      build(app);
      app.synth();
      const manifests = fs.readdirSync(out).filter(f => f.endsWith('.yaml')).map(f => path.join(out, f));
      const ctx = context(manifests, ValidationPlugin.loadConstructMetadata(path.join(out, 'construct-metadata.json')));
      await new ManifestValidation().validate(ctx);
      return ctx.report.toJson();
    }
    const mailer = (app: App) => {
      // an HPA, a Deployment, a PodMonitor, a ServiceAccount ... all named mailer
      const shop = new MicroserviceApp(app, 'shop');
      new ScaledWorker(shop, 'mailer', { image: 'ghcr.io/acme/mailer:0.9.0', autoscaling: { minReplicas: 1, maxReplicas: 20, targetCpuUtilization: 80 } });
    };

    test('by kind, namespace and name: an HPA finding names the HPA, not the PodMonitor of the same name', async () => {
      const report = await pluginOn(mailer);
      const hpaMin = report.violations.find(v => v.ruleName === 'hpa-min (warning)')!;
      expect(hpaMin.violatingConstructs).toEqual([{
        resourceName: 'HorizontalPodAutoscaler/shop/mailer',
        constructPath: 'shop/mailer/Autoscaler',
        manifestPath: path.join(out, 'shop.k8s.yaml'),
        locations: ['HorizontalPodAutoscaler/shop/mailer: minReplicas 1 < 2'],
      }]);
    });

    test('with cdk8s\'s name-only metadata, an ambiguous name gets no construct path rather than a wrong one', async () => {
      // GIVEN the metadata cdk8s writes by itself: names only, the last object of a name wins
      const metadata = { mailer: { path: 'shop/mailer/PodMonitor' }, 'mailer-dashboard': { path: 'shop/mailer/Dashboard' } };
      const app = Testing.app();
      mailer(app);
      const file = path.join(out, 'shop.yaml');
      fs.writeFileSync(file, Yaml.stringify(...(app.charts[0] as MicroserviceApp).toJson()));
      const ctx = context([file], metadata);
      await new ManifestValidation().validate(ctx);
      const constructs = ctx.report.toJson().violations.flatMap(v => v.violatingConstructs);
      expect(constructs.find(c => c.resourceName === 'HorizontalPodAutoscaler/shop/mailer')).toMatchObject({ constructPath: undefined });
      expect(constructs.some(c => c.constructPath === 'shop/mailer/PodMonitor')).toBe(false);
    });

    test('lists the app\'s synth warnings, which do not fail the report', async () => {
      const report = await pluginOn(app => {
        const shop = new MicroserviceApp(app, 'shop');
        new ObservedService(shop, 'web', { image: 'ghcr.io/acme/web:2.0.1', replicas: 3, canary: { image: 'ghcr.io/acme/web:2.1.0', weight: 10 } });
      });
      const warning = report.violations.find(v => v.ruleName === 'synth-warning (warning)')!;
      expect(warning.violatingConstructs).toEqual([expect.objectContaining({
        resourceName: 'shop/web',
        constructPath: 'shop/web',
        manifestPath: path.join(out, 'shop.k8s.yaml'),
        locations: [expect.stringMatching(/^the canary split is approximate/)],
      })]);
      expect(report.summary).toMatchObject({ status: 'success', metadata: { synthWarnings: '1' } });
    });
  });

  test('passes on dist/, even with warnFails', async () => {
    const ctx = context(yamlFilesUnder(DIST));
    await new ManifestValidation({ warnFails: true }).validate(ctx);
    expect(ctx.report.success).toBe(true);
    expect(ctx.report.toJson().violations).toEqual([]);
  });

  test('fails on warnings only with warnFails', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-'));
    try {
      const objects = cleanBundle();
      byKind(objects, 'Deployment').spec.replicas = 1;
      fs.writeFileSync(path.join(dir, 'manifests.yaml'), objects.map(o => YAML.stringify(o)).join('---\n'));
      const lenient = context([path.join(dir, 'manifests.yaml')]);
      await new ManifestValidation().validate(lenient);
      expect(lenient.report.success).toBe(true);
      expect(lenient.report.toJson().violations.map(v => v.ruleName)).toEqual(['replicas-min (warning)']);
      const strict = context([path.join(dir, 'manifests.yaml')]);
      await new ManifestValidation({ warnFails: true }).validate(strict);
      expect(strict.report.success).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('StatefulSet claims', () => {
  // GIVEN the clean bundle's Deployment turned into a StatefulSet whose container mounts a claim template
  const asStatefulSet = (claimTemplate: string, mount: string) => withChange(objects => {
    const d = byKind(objects, 'Deployment');
    d.kind = 'StatefulSet';
    delete d.spec.strategy;
    d.spec.serviceName = 'web';
    d.spec.volumeClaimTemplates = [{ metadata: { name: claimTemplate }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }];
    d.spec.template.spec.containers[0].volumeMounts = [...(d.spec.template.spec.containers[0].volumeMounts ?? []), { name: mount, mountPath: '/data' }];
  }).findings.filter(f => f.rule === 'volume-mount');

  test('a mount of a volumeClaimTemplate is a volume of the pod', () => {
    expect(asStatefulSet('data', 'data')).toEqual([]);
  });

  test('a mount of neither a volume nor a claim template is still reported', () => {
    expect(asStatefulSet('data', 'cache').map(f => f.message)).toEqual(["container 'web' mounts volume 'cache', which the pod does not have"]);
  });
});
