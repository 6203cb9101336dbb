import { Construct } from 'constructs';
import { AppContext, MicroserviceApp, ObservedService } from 'cdk8s-microservices';

/**
 * Progressive delivery in an Istio mesh: every new image of `checkout` is released by Argo
 * Rollouts to 10%, 25% and 50% of its calls, five minutes each, and judged after each step on
 * its own SLO (the canary's error and latency ratios against the objective's error budget); a
 * canary that burns the budget is rolled back by itself. `web` (routed at `/`) and `payments`
 * are released as usual, by their Deployments.
 */
// the checks these images serve (nothing is assumed about an app's paths)
const HEALTH = { readiness: { httpPath: '/readyz' }, liveness: { httpPath: '/healthz' } };

export function buildShopDelivery(scope: Construct, context: AppContext = {}): MicroserviceApp {
  const domain = context.env === 'dev' ? 'delivery.shop.dev.example.com' : 'delivery.shop.example.com';
  const shop = new MicroserviceApp(scope, 'shop-delivery', {
    domain,
    tlsSecretName: 'shop-tls',
    ingressClassName: 'istio',
    mesh: 'istio',
    monitoring: { runbookBaseUrl: 'https://runbooks.acme.example/shop' },
    openTelemetry: { endpoint: 'http://otel-collector.observability:4317' },
  });
  const checkout = new ObservedService(shop, 'checkout', {
    image: 'ghcr.io/acme/checkout:2.4.0',
    probes: HEALTH,
    autoscaling: { minReplicas: 3, maxReplicas: 12 },
    // 99.9% of calls succeed and 99% finish within 500ms, over 30 days
    slo: { availability: 99.9, latency: { threshold: '500ms', percentile: 99 } },
    // a release: change `image`, apply; watch it with `kubectl argo rollouts get rollout checkout -n shop-delivery -w`
    progressiveDelivery: { steps: [10, 25, 50], pause: '5m' },
  });
  const payments = new ObservedService(shop, 'payments', {
    image: 'ghcr.io/acme/payments:2.3.0',
    probes: HEALTH,
    replicas: 2,
    // a charge is not idempotent: never retried by the mesh
    traffic: { timeout: '8s', retries: false },
  });
  const web = new ObservedService(shop, 'web', {
    image: 'ghcr.io/acme/web:2.0.1',
    probes: HEALTH,
    route: { path: '/' },
    autoscaling: { minReplicas: 2, maxReplicas: 6 },
  });
  web.connectTo(checkout);
  checkout.connectTo(payments);
  return shop;
}
