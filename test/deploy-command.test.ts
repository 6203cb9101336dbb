// The deploy path the app README prints: `kubectl apply --prune` with a label and an allowlist.
// kubectl (1.32) must accept the command as printed, and the label must hold for every object:
// `kubectl apply -l` applies only the objects of the files that match it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { EXAMPLE_APPS } from '../apps';
import { MicroserviceApp, ObservedService, renderAppFiles } from '../lib';
import { applyCommand, pruneAllowlist } from '../lib/output/deploy-command';
import { kubectlBin, tryRun, toolWorkspace } from './tools';

const workspace = toolWorkspace('deploy', kubectlBin);

describe.each(Object.keys(EXAMPLE_APPS))('the deploy command of %s', (id) => {
  let app: MicroserviceApp;
  beforeAll(() => {
    app = EXAMPLE_APPS[id](Testing.app());
  });

  test('every object carries the prune label, so apply -l applies them all', () => {
    const objects = app.toJson() as Array<{ kind: string; metadata: { name: string; labels?: Record<string, string> } }>;
    expect(objects.filter(o => o.metadata.labels?.['app.kubernetes.io/part-of'] !== app.node.id).map(o => `${o.kind}/${o.metadata.name}`)).toEqual([]);
  });

  test('the allowlist holds every kind of the app but the Namespace', () => {
    const kinds = new Set((app.toJson() as Array<{ kind: string }>).map(o => o.kind));
    kinds.delete('Namespace');
    expect(pruneAllowlist(app).map(k => k.split('/')[2]).sort()).toEqual([...kinds].sort());
  });

  test('kubectl takes the command as printed: it gets as far as asking the API server', () => {
    // GIVEN the app's folder as `synth` writes it, and no reachable API server
    const dir = path.join(workspace(), id);
    fs.mkdirSync(dir, { recursive: true });
    for (const f of renderAppFiles(app)) fs.writeFileSync(path.join(workspace(), f.path), f.content);
    // WHEN kubectl runs the README's command (a shell line split on its continuations)
    const args = applyCommand(app, dir).split(/\s*\\\n\s*|\s+/).slice(1);
    const result = tryRun(kubectlBin(), [...args, '--server=http://127.0.0.1:9', '--request-timeout=2s']);
    // THEN it fails only at the network: every flag and allowlist entry parsed
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/connection refused|dial tcp|unable to connect|couldn't get current server API group list/i);
    expect(result.stderr).not.toMatch(/unknown flag|invalid|must be/i);
  });
});

test('the README of a meshed app says what the cluster must have and how a canary steps through weight 0', () => {
  const root = Testing.app();
  const shop = new MicroserviceApp(root, 'shop', { mesh: 'istio', domain: 'shop.example.com', tlsSecretName: 'shop-tls' });
  new ObservedService(shop, 'web', { image: 'x/web:1', route: { path: '/' } });
  const readme = renderAppFiles(shop).find(f => f.path === 'shop/README.md')!.content;
  expect(readme).toContain('kubectl apply -f . --prune -l app.kubernetes.io/part-of=shop \\\n  --prune-allowlist=apps/v1/Deployment');
  expect(readme).toContain('an IngressClass `istio`');
  expect(readme).toContain('any TLS Secret of the Ingress in the gateway\'s namespace');
  expect(readme).toContain('A canary goes through weight 0 on the way in and out');
});
