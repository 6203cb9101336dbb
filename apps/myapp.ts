import { Construct } from 'constructs';
import { MicroserviceApp, ObservedService } from 'cdk8s-microservices';

/** `myimage:v2` on port 5000, rolled out one extra pod at a time without losing capacity. */
export function buildMyapp(scope: Construct): MicroserviceApp {
  const app = new MicroserviceApp(scope, 'myapp');
  new ObservedService(app, 'myapp', {
    image: 'myimage:v2',
    port: 5000,
    // the image answers GET /readyz when it can take requests and /healthz while it is alive
    probes: { readiness: { httpPath: '/readyz' }, liveness: { httpPath: '/healthz' } },
    rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
  });
  return app;
}
