import { Construct } from 'constructs';
import { MicroserviceApp, ObservedService } from 'cdk8s-microservices';

// nginx answering the two probe paths; nginx-unprivileged listens on 8080 and keeps its pid
// and temp files under /tmp, so it runs as a non-root user on a read-only root filesystem
const NGINX_CONF = `server {
    listen 8080;
    server_name _;
    location = /healthz { access_log off; return 200 "ok\\n"; }
    location = /readiness { access_log off; return 200 "ready\\n"; }
    location / {
        root /usr/share/nginx/html;
        index index.html;
    }
}
`;

/** nginx routed from chart-example.local with TLS, with its own liveness and readiness paths. */
export function buildHelloWorld(scope: Construct): MicroserviceApp {
  const app = new MicroserviceApp(scope, 'hello-world', {
    domain: 'chart-example.local',
    tlsSecretName: 'chart-example-tls',
    ingressClassName: 'nginx',
  });
  new ObservedService(app, 'hello-world', {
    image: 'nginxinc/nginx-unprivileged:1.27.3-alpine',
    port: 8080,
    probes: {
      liveness: { httpPath: '/healthz' },
      readiness: { httpPath: '/readiness' },
    },
    config: { files: { 'default.conf': NGINX_CONF }, mountPath: '/etc/nginx/conf.d' },
    route: { path: '/' },
  });
  return app;
}
