import { Construct } from 'constructs';
import { MicroserviceApp, ObservedService } from 'cdk8s-microservices';

/**
 * A bookstore routed through the cluster's shared Gateway (Gateway API) instead of an Ingress:
 * `web` at `/` and `api` at `/api` of books.example.com in one HTTPRoute, `admin` on a host of its
 * own in a second one. The Gateway holds the certificate; its `https` listener must admit routes
 * from the `bookstore` namespace (allowedRoutes), and its namespace is admitted to the routed
 * services by network policy.
 */
// the checks these images serve (nothing is assumed about an app's paths)
const HEALTH = { readiness: { httpPath: '/readyz' }, liveness: { httpPath: '/healthz' } };

export function buildBookstore(scope: Construct): MicroserviceApp {
  const app = new MicroserviceApp(scope, 'bookstore', {
    domain: 'books.example.com',
    gateway: { name: 'public', namespace: 'gateway-system', sectionName: 'https' },
  });
  const api = new ObservedService(app, 'api', {
    image: 'ghcr.io/acme/bookstore-api:3.2.0',
    probes: HEALTH,
    route: { path: '/api' },
    autoscaling: { minReplicas: 2, maxReplicas: 8, targetCpuUtilization: 70 },
  });
  const web = new ObservedService(app, 'web', {
    image: 'ghcr.io/acme/bookstore-web:3.2.0',
    probes: HEALTH,
    route: { path: '/' },
  });
  web.connectTo(api);
  const admin = new ObservedService(app, 'admin', {
    image: 'ghcr.io/acme/bookstore-admin:1.1.0',
    probes: HEALTH,
    route: { path: '/', host: 'admin.books.example.com' },
  });
  admin.connectTo(api);
  return app;
}
