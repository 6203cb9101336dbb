// An app with every workload kind, built from a few knobs (image tags, replica counts, bounds),
// so that tests can build it twice differing in one knob and compare the two outputs.
import { Testing } from 'cdk8s';
import { BatchJob, MicroserviceApp, ObservedService, QueueTrigger, ScaledWorker, StatefulService } from '../lib';

/** What a release or a scale change moves. */
export interface ReleaseKnobs {
  /** Image tags by workload name (`api` is also the migration's image: it runs before api). */
  readonly tags?: Partial<Record<'api' | 'web' | 'cart' | 'mailer' | 'indexer' | 'postgres' | 'report' | 'canary', string>>;
  readonly cartReplicas?: number;
  readonly postgresReplicas?: number;
  readonly api?: { readonly minReplicas: number; readonly maxReplicas: number };
  readonly mailer?: { readonly minReplicas: number; readonly maxReplicas: number };
  readonly indexerMaxReplicas?: number;
  /** The app in an Istio mesh, with a canary of web. */
  readonly mesh?: boolean;
}

export const DEFAULT_TAGS = {
  api: '2.0.0', web: '1.3.0', cart: '3.1.0', mailer: '0.9.0', indexer: '1.0.0', postgres: '16.4', report: '1.0.0', canary: '1.4.0',
};

/** The app with these knobs, in a fresh cdk8s App. */
export function buildReleaseApp(k: ReleaseKnobs = {}): MicroserviceApp {
  const tags = { ...DEFAULT_TAGS, ...k.tags };
  const app = new MicroserviceApp(Testing.app(), 'shop', {
    domain: 'shop.example.com',
    tlsSecretName: 'shop-tls',
    monitoring: { runbookBaseUrl: 'https://runbooks.example.com' },
    mesh: k.mesh ? 'istio' : undefined,
  });
  const db = new StatefulService(app, 'postgres', {
    image: `docker.io/library/postgres:${tags.postgres}`, port: 5432, protocol: 'tcp', metrics: false,
    storage: { size: '20Gi', mountPath: '/var/lib/postgresql/data' }, user: { uid: 999, gid: 999 },
    writablePaths: ['/var/run/postgresql'], replicas: k.postgresReplicas ?? 1,
    probes: { readiness: { command: ['pg_isready', '--host=127.0.0.1'] }, liveness: { tcp: true } },
  });
  const apiImage = `ghcr.io/acme/api:${tags.api}`;
  const api = new ObservedService(app, 'api', {
    image: apiImage,
    autoscaling: { ...(k.api ?? { minReplicas: 2, maxReplicas: 10 }), targetCpuUtilization: 70 },
    slo: { availability: 99.9, latency: { threshold: '300ms' } },
  });
  api.connectTo(db);
  const web = new ObservedService(app, 'web', {
    image: `ghcr.io/acme/web:${tags.web}`, route: { path: '/' }, replicas: 2,
    canary: k.mesh ? { image: `ghcr.io/acme/web:${tags.canary}`, weight: 10 } : undefined,
  });
  web.connectTo(api);
  const cart = new ObservedService(app, 'cart', { image: `ghcr.io/acme/cart:${tags.cart}`, port: 7070, protocol: 'grpc', replicas: k.cartReplicas ?? 2 });
  web.connectTo(cart);
  const queue = QueueTrigger.rabbitmq({ queueName: 'mail', messagesPerReplica: 20, host: { secretName: 'rabbitmq', key: 'amqp-url' } });
  new ScaledWorker(app, 'mailer', {
    image: `ghcr.io/acme/mailer:${tags.mailer}`, queue, autoscaling: k.mailer ?? { minReplicas: 0, maxReplicas: 20 }, maxProcessingTime: '2m',
  }).connectToExternal({ name: 'rabbitmq', host: 'rabbitmq.messaging.svc', port: 5672 });
  new ScaledWorker(app, 'indexer', {
    image: `ghcr.io/acme/indexer:${tags.indexer}`, mode: 'job', autoscaling: { maxReplicas: k.indexerMaxReplicas ?? 5 }, maxProcessingTime: '30m',
    queue: QueueTrigger.rabbitmq({ queueName: 'index', host: { secretName: 'rabbitmq', key: 'amqp-url' } }),
  });
  new BatchJob(app, 'migrate', { image: apiImage, command: ['/app/migrate', 'up'], runBefore: [api] }).connectTo(db);
  new BatchJob(app, 'report', { image: `ghcr.io/acme/report:${tags.report}`, schedule: '0 3 * * *' }).connectTo(db);
  return app;
}
