// What synthesizing loads: the compiled package (build/, which `npm test` builds first) from
// plain node, as the cdk8s-ms command and a user's main.ts load it. Start-up is most of a small
// app's synth time (`npm run bench`), so what an app does not use must not load.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { MicroserviceApp, ObservedService, ScaledWorker } from '../lib';

const ROOT = path.join(__dirname, '..');

/** The modules loaded after running `script` in a fresh node, relative to node_modules or the repository. */
function loadedBy(script: string): string[] {
  const run = spawnSync(process.execPath, ['-e', `${script}; console.log(JSON.stringify(Object.keys(require.cache)))`], { cwd: ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return (JSON.parse(run.stdout) as string[]).map(f => path.relative(ROOT, f).replace(/^node_modules\//, ''));
}

test('synthesizing an app without KEDA or a mesh loads only the Kubernetes and Prometheus Operator bindings', () => {
  const loaded = loadedBy("const { App } = require('cdk8s'); const ms = require('./build/lib'); const app = new App({ outdir: require('os').tmpdir() + '/startup-test-' + process.pid }); const shop = new ms.MicroserviceApp(app, 'shop'); new ms.ObservedService(shop, 'web', { image: 'ghcr.io/acme/web:1.0.0' }); app.synthYaml()");
  // cdk8s-plus-28's generated L1 module, without its index and L2 constructs
  expect(loaded).toContain(path.join('cdk8s-plus-28', 'lib', 'imports', 'k8s.js'));
  expect(loaded.filter(f => f.startsWith('cdk8s-plus-28'))).toEqual([path.join('cdk8s-plus-28', 'lib', 'imports', 'k8s.js')]);
  // of the CRD bindings, the Prometheus Operator's (a ServiceMonitor per service)
  expect(loaded.filter(f => f.startsWith(path.join('build', 'imports')))).toEqual([path.join('build', 'imports', 'monitoring.coreos.com.js')]);
});

test('the KEDA bindings load when a worker scales on a queue', () => {
  const loaded = loadedBy("const ms = require('./build/lib'); const app = new ms.MicroserviceApp(new (require('cdk8s').App)(), 'shop'); new ms.ScaledWorker(app, 'w', { image: 'ghcr.io/acme/w:1.0.0', queue: ms.QueueTrigger.rabbitmq({ queueName: 'jobs', host: { secretName: 'mq', key: 'url' } }), autoscaling: { minReplicas: 0, maxReplicas: 5 } })");
  expect(loaded).toContain(path.join('build', 'imports', 'keda.sh.js'));
});

test("the Kubernetes objects are cdk8s-plus-28's own k8s classes, as users test them", () => {
  const shop = new MicroserviceApp(Testing.app(), 'shop');
  const web = new ObservedService(shop, 'web', { image: 'ghcr.io/acme/web:1.0.0' });
  const worker = new ScaledWorker(shop, 'worker', { image: 'ghcr.io/acme/worker:1.0.0' });
  expect(shop.namespaceObject).toBeInstanceOf(k8s.KubeNamespace);
  expect(web.deployment).toBeInstanceOf(k8s.KubeDeployment);
  expect(web.service).toBeInstanceOf(k8s.KubeService);
  expect(worker.deployment).toBeInstanceOf(k8s.KubeDeployment);
});
