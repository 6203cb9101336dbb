import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { MicroserviceApp, MicroserviceConfigError, ObservedService, ObservedServiceProps, ScaledWorker, synthToDirectory } from '../lib';
import { appEnv, expectConfigError, testApp } from './helpers';

const IMAGE = 'ghcr.io/acme/catalog:1.4.2';

/** A regex matching exactly `message`: path, prop, value and hint all have to be there. */
function exactly(message: string): RegExp {
  return new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`);
}

/** A catalog service with `props` in a fresh app 'shop'. */
function catalog(props: Partial<ObservedServiceProps>): () => ObservedService {
  return () => new ObservedService(testApp().shop, 'catalog', { image: IMAGE, ...props });
}

const APP_ID_RULE = "use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit (for example 'shop')";
const NAMESPACE_RULE = "use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit (for example 'shop')";
const OBJECT_NAME_RULE = "use at most 63 lowercase letters, digits and '-', starting with a letter and ending with a letter or digit (for example 'catalog' or 'order-api')";
const PIN_HINT = "pin a tag or a digest, for example 'ghcr.io/acme/catalog:1.4.2' or 'ghcr.io/acme/catalog@sha256:<64 hex>'";
const HOST_HINT = "use a lowercase DNS name such as 'shop.example.com' (no scheme, port or path)";
const ENV_NAME_HINT = "use letters, digits, '_', '-' and '.', not starting with a digit (for example 'LOG_LEVEL')";
const CPU_HINT = "use cores or millicores such as '250m' or '1'";
const BYTES_HINT = "use bytes with a binary suffix such as '256Mi' or '1Gi'";

describe('MicroserviceConfigError', () => {
  describe('app identity', () => {
    test.each([
      ['has an uppercase letter', 'Shop'],
      ['has an underscore', 'sh_op'],
      ['is 64 characters long', 'a'.repeat(64)],
    ])('fails when the app id %s', (_why, id) => {
      expectConfigError(
        () => new MicroserviceApp(Testing.app(), id, { namespace: 'shop' }),
        `[${id}] the id '${id}' is not a valid app name (it names the Ingress and the 'app.kubernetes.io/part-of' label): ${APP_ID_RULE}`,
      );
    });

    test.each([
      ['has an uppercase letter', 'Shop'],
      ['has an underscore', 'sh_op'],
      ['starts with a dash', '-shop'],
      ['is 64 characters long', 'a'.repeat(64)],
    ])('fails when the namespace %s', (_why, namespace) => {
      expectConfigError(
        () => new MicroserviceApp(Testing.app(), 'shop', { namespace }),
        `[shop] 'namespace' '${namespace}' is not a valid namespace: ${NAMESPACE_RULE}`,
      );
    });
  });

  describe('service ids', () => {
    const badIds = [
      ['has an uppercase letter', 'Catalog'],
      ['has an underscore', 'cat_alog'],
      ['starts with a digit', '1catalog'],
      ['is 64 characters long', 'c'.repeat(64)],
    ];

    test.each(badIds)('fails when an ObservedService id %s', (_why, id) => {
      expectConfigError(
        () => new ObservedService(testApp().shop, id, { image: IMAGE }),
        `[shop/${id}] the id '${id}' is not a valid name: ${OBJECT_NAME_RULE}`,
      );
    });

    test.each(badIds)('fails when a ScaledWorker id %s', (_why, id) => {
      expectConfigError(
        () => new ScaledWorker(testApp().shop, id, { image: IMAGE }),
        `[shop/${id}] the id '${id}' is not a valid name: ${OBJECT_NAME_RULE}`,
      );
    });
  });

  describe('ports', () => {
    test.each([0, 70000, 1.5])('fails when port is %p', port => {
      expectConfigError(catalog({ port }), `[shop/catalog] 'port' must be 1-65535, got ${port}`);
    });

    test('fails when servicePort is out of range', () => {
      expectConfigError(catalog({ servicePort: 70000 }), "[shop/catalog] 'servicePort' must be 1-65535, got 70000");
    });

    test('fails when a worker healthPort is out of range', () => {
      expectConfigError(
        () => new ScaledWorker(testApp().shop, 'worker', { image: IMAGE, healthPort: 70000 }),
        "[shop/worker] 'healthPort' must be 1-65535, got 70000",
      );
    });
  });

  describe('resources', () => {
    test.each([
      ['cpu is in bytes', { cpu: '256MB' }, `'resources.cpu' '256MB' is not a valid Kubernetes quantity: ${CPU_HINT}`],
      ['memory has a decimal byte suffix', { memory: '256MB' }, `'resources.memory' '256MB' is not a valid Kubernetes quantity: ${BYTES_HINT}`],
      ['memory is not a number', { memory: 'lots' }, `'resources.memory' 'lots' is not a valid Kubernetes quantity: ${BYTES_HINT}`],
      ['ephemeral storage is negative', { ephemeralStorage: '-1Gi' }, `'resources.ephemeralStorage' '-1Gi' is not a valid Kubernetes quantity: ${BYTES_HINT}`],
      ['a cpu limit is malformed', { limits: { cpu: 'x' } }, `'resources.limits.cpu' 'x' is not a valid Kubernetes quantity: ${CPU_HINT}`],
    ])('fails when %s', (_why, resources, message) => {
      expectConfigError(catalog({ resources }), `[shop/catalog] ${message}`);
    });

    test.each([
      ['cpu', { cpu: '500m', limits: { cpu: '250m' } }, "'250m' is below the request '500m'"],
      ['memory', { memory: '1Gi', limits: { memory: '512Mi' } }, "'512Mi' is below the request '1Gi'"],
    ])('fails when the %s limit is below the request', (kind, resources, detail) => {
      expectConfigError(
        catalog({ resources }),
        `[shop/catalog] 'resources.limits.${kind}' ${detail}: raise the limit or lower the request (a limit below the request is rejected by the API server)`,
      );
    });
  });

  describe('scaling', () => {
    test('fails when replicas is set together with autoscaling', () => {
      expectConfigError(
        catalog({ replicas: 3, autoscaling: { maxReplicas: 5 } }),
        "[shop/catalog] 'replicas' (3) and 'autoscaling' are exclusive: keep 'autoscaling' and drop 'replicas', or the reverse",
      );
    });

    test('fails when minReplicas is above maxReplicas', () => {
      expectConfigError(
        catalog({ autoscaling: { minReplicas: 5, maxReplicas: 3 } }),
        "[shop/catalog] 'autoscaling.maxReplicas' (3) must be a whole number >= minReplicas (5): raise maxReplicas or lower minReplicas",
      );
    });

    test('fails when minReplicas is below 1', () => {
      expectConfigError(
        catalog({ autoscaling: { minReplicas: 0, maxReplicas: 3 } }),
        "[shop/catalog] 'autoscaling.minReplicas' must be a whole number >= 1, got 0: only a queue-driven ScaledWorker (queue) can scale to zero",
      );
    });

    test.each([
      ['not a whole number', 1.5],
      ['negative', -1],
    ])('fails when replicas is %s', (_why, replicas) => {
      expectConfigError(catalog({ replicas }), `[shop/catalog] 'replicas' must be a whole number >= 0, got ${replicas}`);
    });

    test.each([
      ['targetCpuUtilization', 0],
      ['targetCpuUtilization', -5],
      ['targetMemoryUtilization', 0],
    ] as const)('fails when %s is %p', (key, target) => {
      expectConfigError(
        catalog({ autoscaling: { maxReplicas: 5, [key]: target } }),
        `[shop/catalog] 'autoscaling.${key}' must be a positive whole percentage of the request, got ${target}: for example 70`,
      );
    });
  });

  describe('routes and domains', () => {
    test('fails when a route path does not start with a slash', () => {
      expectConfigError(catalog({ route: { path: 'api' } }), "[shop/catalog] 'route.path' must start with '/', got 'api': for example '/' or '/api'");
    });

    test('fails when a second service claims a path that is already routed, naming the first', () => {
      expectConfigError(() => {
        const { shop } = testApp();
        new ObservedService(shop, 'catalog', { image: IMAGE, route: { path: '/api' } });
        new ObservedService(shop, 'search', { image: IMAGE, route: { path: '/api' } });
      }, "[shop/search] 'route.path' '/api' is already routed to 'catalog': choose another path or host");
    });

    test.each([
      ['has a scheme', 'https://shop.example.com'],
      ['has a space', 'shop example'],
      ['has a path', 'shop.example.com/path'],
      ['has uppercase letters', 'Shop.Example.com'],
    ])('fails when the domain %s', (_why, domain) => {
      expectConfigError(
        () => new MicroserviceApp(Testing.app(), 'shop', { domain }),
        `[shop] 'domain' '${domain}' is not a host name: ${HOST_HINT}`,
      );
    });

    test('fails when tlsSecretName is set without a domain', () => {
      expectConfigError(
        () => new MicroserviceApp(Testing.app(), 'shop', { tlsSecretName: 'shop-tls' }),
        "[shop] 'tlsSecretName' 'shop-tls' needs 'domain': the certificate is for a host name",
      );
    });

    test('fails when a route host is not a host name', () => {
      expectConfigError(
        catalog({ route: { path: '/api', host: 'api.example.com:443' } }),
        `[shop/catalog] 'route.host' 'api.example.com:443' is not a host name: ${HOST_HINT}`,
      );
    });
  });

  describe('images', () => {
    test.each([
      ['has no tag', 'ghcr.io/acme/catalog', "'image' 'ghcr.io/acme/catalog' is not pinned (no tag means :latest)"],
      ['is tagged latest', 'ghcr.io/acme/catalog:latest', "'image' 'ghcr.io/acme/catalog:latest' is not pinned (':latest' moves)"],
      ['is empty', '', "'image' is required and must be a string, got ''"],
      ['has a malformed digest', 'ghcr.io/acme/catalog@sha256:abc', "'image' 'ghcr.io/acme/catalog@sha256:abc' has a malformed digest"],
      ['has an uppercase repository path', 'ghcr.io/Acme/catalog:1.4.2', "'image' 'ghcr.io/Acme/catalog:1.4.2' is not a valid image reference"],
    ])('fails when the image %s', (_why, image, message) => {
      expectConfigError(catalog({ image }), `[shop/catalog] ${message}: ${PIN_HINT}`);
    });
  });

  describe('environment', () => {
    const badNames = ['1FOO', 'FOO BAR', 'FOO=BAR'];

    test.each(badNames)('fails when env has the invalid name %p', name => {
      expectConfigError(
        catalog({ env: { [name]: 'x' } }),
        `[shop/catalog] 'env' has an invalid environment variable name '${name}': ${ENV_NAME_HINT}`,
      );
    });

    test.each(badNames)('fails when secretEnv has the invalid name %p', name => {
      expectConfigError(
        catalog({ secretEnv: { [name]: { secretName: 'db', key: 'password' } } }),
        `[shop/catalog] 'secretEnv' has an invalid environment variable name '${name}': ${ENV_NAME_HINT}`,
      );
    });

    test.each(badNames)('fails when connectTo is given the invalid env name %p', name => {
      expectConfigError(() => {
        const { shop } = testApp();
        const target = new ObservedService(shop, 'catalog', { image: IMAGE });
        new ObservedService(shop, 'web', { image: IMAGE }).connectTo(target, { env: name });
      }, `[shop/web] 'connectTo.env' has an invalid environment variable name '${name}': ${ENV_NAME_HINT}`);
    });

    test('fails when connectTo sets an env var that env already sets', () => {
      expectConfigError(() => {
        const { shop } = testApp();
        const target = new ObservedService(shop, 'catalog', { image: IMAGE });
        new ObservedService(shop, 'web', { image: IMAGE, env: { CATALOG_URL: 'x' } }).connectTo(target);
      }, "[shop/web] 'connectTo.env' sets 'CATALOG_URL' a second time: each environment variable must have one source (rename one, for example with connectTo(target, { env: 'OTHER_NAME' }))");
    });

    test('fails when a literal env var is named like a secret, pointing to secretEnv', () => {
      expectConfigError(
        catalog({ env: { DB_PASSWORD: 'hunter2' } }),
        "[shop/catalog] 'env' 'DB_PASSWORD' looks like a secret but holds a literal value: put it in a Secret and use secretEnv: { DB_PASSWORD: { secretName, key } }; if it is no secret, say so with envNotSecret: ['DB_PASSWORD']",
      );
    });
  });

  describe('rollouts', () => {
    test('fails when maxSurge and maxUnavailable are both 0', () => {
      expectConfigError(
        catalog({ rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } }),
        "[shop/catalog] 'rollingUpdate' has maxSurge and maxUnavailable both 0, so a rollout could never start: set maxSurge to 1 (or '25%')",
      );
    });

    test('fails when revisionHistoryLimit is negative', () => {
      expectConfigError(
        catalog({ revisionHistoryLimit: -1 }),
        "[shop/catalog] 'revisionHistoryLimit' must be a whole number >= 0, got -1: keep a few for `kubectl rollout undo`, for example 10",
      );
    });

    test('fails when maxUnavailable is negative', () => {
      expectConfigError(
        catalog({ rollingUpdate: { maxUnavailable: -1 } }),
        "[shop/catalog] 'rollingUpdate.maxUnavailable' must be a whole number >= 0 or a percentage from '0%' to '100%', got -1",
      );
    });
  });

  describe('probes', () => {
    test('fails when a readiness probe has both httpPath and command', () => {
      expectConfigError(
        catalog({ probes: { readiness: { httpPath: '/readyz', command: ['/bin/check'] } as any } }),
        `[shop/catalog] 'probes.readiness' must have exactly one of httpPath, command, tcp or grpc, got {"httpPath":"/readyz","command":["/bin/check"]}: for example { httpPath: '/healthz' }`,
      );
    });

    test('fails when httpPath does not start with a slash', () => {
      expectConfigError(
        catalog({ probes: { readiness: { httpPath: 'readyz' } } }),
        "[shop/catalog] 'probes.readiness.httpPath' must start with '/', got 'readyz': for example '/healthz'",
      );
    });

    test('fails when a probe command is empty', () => {
      expectConfigError(
        catalog({ probes: { readiness: { command: [] } } }),
        "[shop/catalog] 'probes.readiness.command' must be a non-empty list, got []: for example ['/bin/grpc_health_probe', '-addr=:8080']",
      );
    });

    test('fails when periodSeconds is 0', () => {
      expectConfigError(
        catalog({ probes: { readiness: { httpPath: '/readyz', periodSeconds: 0 } } }),
        "[shop/catalog] 'probes.readiness.periodSeconds' must be a whole number >= 1, got 0",
      );
    });
  });

  describe('shutdown', () => {
    test.each([
      ['equals', 10, 10],
      ['is below', 10, 5],
    ])('fails when terminationGracePeriodSeconds %s preStopSleepSeconds', (_why, preStopSleepSeconds, terminationGracePeriodSeconds) => {
      expectConfigError(
        catalog({ shutdown: { preStopSleepSeconds, terminationGracePeriodSeconds } }),
        `[shop/catalog] 'shutdown.terminationGracePeriodSeconds' (${terminationGracePeriodSeconds}) must be a whole number above preStopSleepSeconds (${preStopSleepSeconds}), or the app gets no time to stop after SIGTERM`,
      );
    });

    test('fails when preStopSleepSeconds is negative', () => {
      expectConfigError(
        catalog({ shutdown: { preStopSleepSeconds: -1 } }),
        "[shop/catalog] 'shutdown.preStopSleepSeconds' must be a whole number >= 0, got -1",
      );
    });
  });

  describe('config files', () => {
    test('fails when config has no files', () => {
      expectConfigError(
        catalog({ config: { files: {} } }),
        "[shop/catalog] 'config.files' is empty: give at least one file, for example { 'app.yaml': '...' }",
      );
    });

    test('fails when a config file name has a slash', () => {
      expectConfigError(
        catalog({ config: { files: { 'a/b': 'x' } } }),
        "[shop/catalog] 'config.files' has an invalid file name 'a/b': use letters, digits, '-', '_' and '.'",
      );
    });

    test.each([
      ['is relative', 'relative'],
      ['is /tmp', '/tmp'],
    ])('fails when the config mountPath %s', (_why, mountPath) => {
      expectConfigError(
        catalog({ config: { files: { 'app.yaml': 'a: 1' }, mountPath } }),
        `[shop/catalog] 'config.mountPath' must be an absolute path other than '/' and '/tmp', got '${mountPath}': for example '/etc/app'`,
      );
    });
  });

  describe('placement and service kind', () => {
    test('fails when an ObservedService is created outside a MicroserviceApp', () => {
      expectConfigError(
        () => new ObservedService(Testing.chart(), 'catalog', { image: IMAGE }),
        "[test/catalog] must be created inside a MicroserviceApp: new ObservedService(app, 'catalog', ...) where app = new MicroserviceApp(...)",
      );
    });

    test('fails when the protocol is not http, grpc or tcp', () => {
      expectConfigError(catalog({ protocol: 'udp' as any }), "[shop/catalog] 'protocol' must be one of http, grpc, tcp, got 'udp'");
    });

    test('fails when serviceType is NodePort', () => {
      expectConfigError(
        catalog({ serviceType: 'NodePort' as any }),
        "[shop/catalog] 'serviceType' must be 'ClusterIP' or 'LoadBalancer', got 'NodePort'",
      );
    });
  });

  describe('name clashes', () => {
    test('fails when two services in different scopes of one app would get the same name', () => {
      const build = () => {
        const { shop } = testApp();
        new ObservedService(new Construct(shop, 'a'), 'web', { image: IMAGE });
        new ObservedService(new Construct(shop, 'b'), 'web', { image: IMAGE });
        return shop.toJson();
      };
      expect(build).toThrow(MicroserviceConfigError);
      expect(build).toThrow(/^\[shop\] two ServiceAccount objects would both be named 'web' \(shop\/a\/web\/ServiceAccount and shop\/b\/web\/ServiceAccount\): give one of the constructs another id; /);
    });

    test('fails when two apps share a namespace', () => {
      const build = () => {
        const app = Testing.app();
        new MicroserviceApp(app, 'shop');
        const other = new MicroserviceApp(app, 'shop-v2', { namespace: 'shop' });
        return other.toJson();
      };
      expect(build).toThrow(MicroserviceConfigError);
      expect(build).toThrow(exactly("[shop-v2] 'namespace' 'shop' is also the namespace of the app shop: give each MicroserviceApp its own namespace"));
    });
  });

  describe('valid input near the edges', () => {
    test('accepts a maxSurge above 100%', () => {
      const { shop } = testApp();
      new ObservedService(shop, 'catalog', { image: IMAGE, rollingUpdate: { maxSurge: '150%' } });
      expect(shop.toJson().find((o: any) => o.kind === 'Deployment').spec.strategy.rollingUpdate.maxSurge).toBe('150%');
    });

    test('fails when config.mountPath is /tmp with a trailing slash', () => {
      expectConfigError(
        catalog({ config: { files: { 'a.yaml': 'a: 1' }, mountPath: '/tmp/' } }),
        "[shop/catalog] 'config.mountPath' must be an absolute path other than '/' and '/tmp', got '/tmp/': for example '/etc/app'",
      );
    });

    test('connects to a service whose id looks like a secret word (the address is no secret)', () => {
      const { shop } = testApp();
      const web = new ObservedService(shop, 'web', { image: IMAGE });
      web.connectTo(new ObservedService(shop, 'token-service', { image: IMAGE }));
      const deployment = shop.toJson().find((o: any) => o.kind === 'Deployment' && o.metadata.name === 'web');
      expect(appEnv(deployment)).toEqual([{ name: 'TOKEN_SERVICE_URL', value: 'http://token-service:80' }]);
    });
  });

  describe('synthToDirectory', () => {
    let outdir: string;

    beforeEach(() => {
      outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-microservices-errors-'));
      fs.mkdirSync(path.join(outdir, 'old'));
      fs.writeFileSync(path.join(outdir, 'old', 'manifests.yaml'), 'old: true\n');
    });

    afterEach(() => {
      fs.rmSync(outdir, { recursive: true, force: true });
    });

    /** Every file and folder under `dir`, relative and sorted. */
    const tree = (dir: string): string[] => (fs.readdirSync(dir, { recursive: true }) as string[]).sort();
    /** Entries of the temp dir that synthToDirectory would leave beside `outdir` (staging, old copies). */
    const leftovers = (): string[] => fs.readdirSync(path.dirname(outdir)).filter(f => f.startsWith(`${path.basename(outdir)}.`));

    const shopWith = (...ids: string[][]): App => {
      const app = Testing.app();
      const shop = new MicroserviceApp(app, 'shop');
      for (const [scope, id] of ids) new ObservedService(scope ? new Construct(shop, scope) : shop, id, { image: IMAGE });
      return app;
    };

    test('fails and writes nothing when synthesis fails', () => {
      const app = shopWith(['a', 'web'], ['b', 'web']);
      expect(() => synthToDirectory(app, outdir)).toThrow(MicroserviceConfigError);
      expect(() => synthToDirectory(app, outdir)).toThrow(
        /^\[shop\] .*two Deployment objects would both be named 'web' \(shop\/a\/web\/Deployment and shop\/b\/web\/Deployment\): give one of the constructs another id/,
      );
      expect(tree(outdir)).toEqual(['old', path.join('old', 'manifests.yaml')]);
      expect(fs.readFileSync(path.join(outdir, 'old', 'manifests.yaml'), 'utf8')).toBe('old: true\n');
      expect(leftovers()).toEqual([]);
    });

    test('writes the apps beside what it did not write when synthesis succeeds', () => {
      const written = synthToDirectory(shopWith(['', 'web']), outdir);
      expect(written.map(f => f.path)).toEqual(['shop/manifests.yaml', 'shop/Kustomization', 'shop/README.md']);
      expect(tree(outdir)).toEqual(['.cdk8s-ms-synth@cdk8s-microservices.sha256', 'old', path.join('old', 'manifests.yaml'), 'shop', path.join('shop', 'Kustomization'), path.join('shop', 'README.md'), path.join('shop', 'manifests.yaml')]);
      expect(fs.readFileSync(path.join(outdir, 'old', 'manifests.yaml'), 'utf8')).toBe('old: true\n');
      expect(fs.readFileSync(path.join(outdir, 'shop', 'manifests.yaml'), 'utf8')).toBe(written[0].content);
      expect(written[0].content).toContain('kind: Deployment');
      expect(leftovers()).toEqual([]);
    });
  });
});
