import { Construct } from 'constructs';
import { MicroserviceApp, ObservedService } from 'cdk8s-microservices';

/** A Flask-style HTTP service: 3 replicas on container port 5000, a cloud load balancer on port 80. */
export function buildAppService(scope: Construct): MicroserviceApp {
  const app = new MicroserviceApp(scope, 'app-service');
  new ObservedService(app, 'app-service', {
    image: 'ghcr.io/acme/flask-app:1.0.0',
    port: 5000,
    servicePort: 80,
    serviceType: 'LoadBalancer',
    replicas: 3,
    // the image answers GET /readyz when it can take requests and /healthz while it is alive
    probes: { readiness: { httpPath: '/readyz' }, liveness: { httpPath: '/healthz' } },
    env: { FLASK_ENV: 'production' },
    command: ['gunicorn'],
    args: ['--bind', '0.0.0.0:5000', '--workers', '2', 'app:app'],
  });
  return app;
}
