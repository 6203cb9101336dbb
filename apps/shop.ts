import { Construct } from 'constructs';
import { AppContext, MicroserviceApp, ObservedService, ProbeOptions, QueueTrigger, ScaledWorker } from 'cdk8s-microservices';

/** What differs between environments: the default (no env) is production, as in dist/. */
interface ShopEnvironment {
  readonly domain: string;
  readonly catalogMaxReplicas: number;
  readonly cartReplicas: number;
  readonly catalogMemory: string;
}

const ENVIRONMENTS: Record<string, ShopEnvironment> = {
  prod: { domain: 'shop.example.com', catalogMaxReplicas: 10, cartReplicas: 3, catalogMemory: '256Mi' },
  dev: { domain: 'shop.dev.example.com', catalogMaxReplicas: 3, cartReplicas: 2, catalogMemory: '128Mi' },
};

/**
 * The reference app: `web` routed at `/` calls `catalog`, `cart` and `checkout`; `checkout`
 * calls `payments`; `mailer` works in the background. Mixed http and grpc, one autoscaled and
 * one fixed-replica service, and a ConfigMap-driven one.
 */
export function buildShop(scope: Construct, context: AppContext = {}): MicroserviceApp {
  return shopApp(scope, 'shop', environment(context), false);
}

/**
 * The shop in an Istio mesh: mutual TLS, an AuthorizationPolicy per service from the same
 * connectTo() calls, timeouts, retries and circuit breaking, and a canary of `catalog` that
 * gets 10% of the calls (and every call with `x-canary: always`).
 */
export function buildShopMesh(scope: Construct, context: AppContext = {}): MicroserviceApp {
  return shopApp(scope, 'shop-mesh', environment(context), true);
}

// what the shop's images serve: the http ones GET /readyz (ready for traffic) and /healthz
// (alive) on their port, the grpc ones the gRPC health service (grpc.health.v1); their
// liveness stays the default TCP connect
const HTTP_PROBES: ProbeOptions = { readiness: { httpPath: '/readyz' }, liveness: { httpPath: '/healthz' } };
const GRPC_PROBES: ProbeOptions = { readiness: { grpc: true } };

function environment(context: AppContext): ShopEnvironment {
  const env = ENVIRONMENTS[context.env ?? 'prod'];
  if (!env) throw new Error(`shop: unknown environment '${context.env}': use one of ${Object.keys(ENVIRONMENTS).join(', ')}`);
  return env;
}

function shopApp(scope: Construct, id: string, env: ShopEnvironment, mesh: boolean): MicroserviceApp {
  const shop = new MicroserviceApp(scope, id, {
    domain: mesh ? `mesh.${env.domain}` : env.domain,
    tlsSecretName: 'shop-tls',
    // Istio's ingress gateway serves Ingresses of class 'istio'
    ingressClassName: mesh ? 'istio' : 'nginx',
    monitoring: { runbookBaseUrl: 'https://runbooks.acme.example/shop' },
    openTelemetry: { endpoint: 'http://otel-collector.observability:4317' },
    mesh: mesh ? 'istio' : undefined,
  });
  const catalog = new ObservedService(shop, 'catalog', {
    image: 'ghcr.io/acme/catalog:1.4.2',
    port: 3550,
    protocol: 'grpc',
    probes: GRPC_PROBES,
    autoscaling: { minReplicas: 2, maxReplicas: env.catalogMaxReplicas, targetCpuUtilization: 70 },
    resources: { cpu: '250m', memory: env.catalogMemory, limits: { cpu: '500m', memory: '512Mi' } },
    env: { LOG_LEVEL: 'info' },
    logging: { format: 'json' },
    // 99.9% of calls succeed and 99% finish within 250ms, over 30 days
    slo: { availability: 99.9, latency: { threshold: '250ms' } },
    // promote: set image to the canary's and remove this; roll back: remove this
    canary: mesh ? { image: 'ghcr.io/acme/catalog:1.5.0', weight: 10, header: { name: 'x-canary', value: 'always' } } : undefined,
  });
  const cart = new ObservedService(shop, 'cart', {
    image: 'ghcr.io/acme/cart:3.1.0',
    port: 7070,
    protocol: 'grpc',
    probes: GRPC_PROBES,
    replicas: env.cartReplicas,
    secretEnv: { REDIS_PASSWORD: { secretName: 'cart-redis', key: 'password' } },
  });
  const payments = new ObservedService(shop, 'payments', {
    image: 'ghcr.io/acme/payments:2.3.0',
    port: 8080,
    probes: HTTP_PROBES,
    config: {
      files: { 'payments.yaml': 'currency: EUR\nproviders:\n  - name: card\n    timeout: 5s\n' },
      mountPath: '/etc/payments',
    },
    env: { PAYMENTS_CONFIG: '/etc/payments/payments.yaml' },
    // a charge is not idempotent: never retried by the mesh; the card provider's 5 s plus margin
    traffic: mesh ? { timeout: '8s', retries: false } : undefined,
  });
  const checkout = new ObservedService(shop, 'checkout', {
    image: 'ghcr.io/acme/checkout:1.0.3',
    port: 5050,
    protocol: 'grpc',
    probes: GRPC_PROBES,
    slo: { availability: 99.5, window: '28d' },
  });
  // an alert of the app's own, beside the library's: orders waiting for payment
  checkout.addAlert({
    name: 'CheckoutQueueBacklog',
    expr: 'sum(checkout_pending_orders{namespace="' + shop.namespaceName + '"}) > 100',
    for: '10m',
    summary: 'More than 100 orders wait for checkout',
    description: '{{ $value }} orders are waiting: payments may be slow or failing.',
  });

  checkout.connectTo(payments);
  const web = new ObservedService(shop, 'web', {
    image: 'ghcr.io/acme/web:2.0.1',
    route: { path: '/' },
    probes: HTTP_PROBES,
    autoscaling: { minReplicas: 2, maxReplicas: 6 },
    logging: { format: 'json' },
  });
  web.connectTo(catalog);
  web.connectTo(catalog, { env: 'PRODUCT_CATALOG_SERVICE_ADDR', format: 'host:port' });
  web.connectTo(cart);
  web.connectTo(checkout);
  // scales on the mail queue, down to zero when it is empty; a message takes at most 2 minutes
  const mailer = new ScaledWorker(shop, 'mailer', {
    image: 'ghcr.io/acme/mailer:0.9.0',
    queue: QueueTrigger.rabbitmq({ queueName: 'mail', messagesPerReplica: 20, host: { secretName: 'rabbitmq', key: 'amqp-url' } }),
    autoscaling: { minReplicas: 0, maxReplicas: 20 },
    maxProcessingTime: '2m',
    // alive while GET /healthz on 8080 answers; metrics on 9464, scraped by a PodMonitor (no Service fronts a worker)
    healthPort: 8080,
    probes: { liveness: { httpPath: '/healthz' } },
    metrics: { port: 9464 },
  });
  // the broker lives outside the app: default-deny egress would block it
  mailer.connectToExternal({ name: 'rabbitmq', host: 'rabbitmq.messaging.svc', port: 5672 });
  return shop;
}
