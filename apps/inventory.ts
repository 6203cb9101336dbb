import { Construct } from 'constructs';
import { BatchJob, MicroserviceApp, ObservedService, StatefulService } from 'cdk8s-microservices';

/**
 * A three-tier app with state: `web` routed at `/` calls `api`, which keeps its data in
 * PostgreSQL on a volume. A migration runs, and must succeed, before each release of `api`
 * rolls out; a report runs every night at 03:00 Berlin time.
 */
export function buildInventory(scope: Construct): MicroserviceApp {
  const app = new MicroserviceApp(scope, 'inventory', {
    domain: 'inventory.example.com',
    tlsSecretName: 'inventory-tls',
    ingressClassName: 'nginx',
  });
  const postgresPassword = { secretName: 'postgres', mountPath: '/run/secrets/postgres', keys: ['password'] };
  const db = new StatefulService(app, 'postgres', {
    image: 'docker.io/library/postgres:16.4',
    port: 5432,
    protocol: 'tcp',
    storage: { size: '20Gi', mountPath: '/var/lib/postgresql/data', storageClassName: 'standard' },
    // the official image's postgres user; its socket directory must be writable
    user: { uid: 999, gid: 999 },
    writablePaths: ['/var/run/postgresql'],
    // the image's entrypoint reads the superuser password from this variable; the exporter
    // reads the same key as a file
    secretEnv: { POSTGRES_PASSWORD: { secretName: 'postgres', key: 'password' } },
    secretFiles: [postgresPassword],
    // a directory below the mount point: initdb wants an empty one, the volume root has lost+found
    env: { PGDATA: '/var/lib/postgresql/data/pgdata' },
    resources: { cpu: '500m', memory: '1Gi', ephemeralStorage: '1Gi' },
    // ready when the server takes queries; alive while it accepts connections
    probes: { readiness: { command: ['pg_isready', '--host=127.0.0.1', '--username=postgres'] }, liveness: { tcp: true } },
    // the exporter beside the database serves its metrics on 9187
    sidecars: [{
      name: 'exporter',
      image: 'quay.io/prometheuscommunity/postgres-exporter:v0.15.0',
      env: { DATA_SOURCE_URI: '127.0.0.1:5432/postgres?sslmode=disable', DATA_SOURCE_USER: 'postgres', DATA_SOURCE_PASS_FILE: '/run/secrets/postgres/password' },
      // the password file, not the database's volume
      mountPaths: ['/tmp', '/run/secrets/postgres'],
      ports: [{ name: 'metrics', port: 9187 }],
      probes: { readiness: { httpPath: '/' }, liveness: { tcp: true } },
    }],
    metrics: { port: 9187 },
  });
  const api = new ObservedService(app, 'api', {
    image: 'ghcr.io/acme/inventory-api:2.0.0',
    port: 8080,
    // the image answers GET /readyz once it reaches the database, /healthz while it is alive
    probes: { readiness: { httpPath: '/readyz' }, liveness: { httpPath: '/healthz' } },
    imagePullSecrets: ['ghcr-pull'],
    secretFiles: [postgresPassword],
    // the app reads the password from the file 'password' in this directory
    env: { DATABASE_CREDENTIALS_DIR: '/run/secrets/postgres' },
  });
  api.connectTo(db, { env: 'DATABASE_ADDR' });
  const web = new ObservedService(app, 'web', {
    image: 'ghcr.io/acme/inventory-web:2.0.0',
    route: { path: '/' },
    probes: { readiness: { httpPath: '/readyz' }, liveness: { httpPath: '/healthz' } },
    imagePullSecrets: ['ghcr-pull'],
  });
  web.connectTo(api);

  const migrate = new BatchJob(app, 'migrate', {
    image: 'ghcr.io/acme/inventory-api:2.0.0',
    command: ['/app/migrate', 'up'],
    runBefore: [api],
    imagePullSecrets: ['ghcr-pull'],
    secretFiles: [postgresPassword],
    // the app reads the password from the file 'password' in this directory
    env: { DATABASE_CREDENTIALS_DIR: '/run/secrets/postgres' },
  });
  migrate.connectTo(db, { env: 'DATABASE_ADDR' });
  const report = new BatchJob(app, 'report', {
    image: 'ghcr.io/acme/inventory-report:1.0.0',
    schedule: '0 3 * * *',
    timeZone: 'Europe/Berlin',
    imagePullSecrets: ['ghcr-pull'],
    secretFiles: [postgresPassword],
    // the app reads the password from the file 'password' in this directory
    env: { DATABASE_CREDENTIALS_DIR: '/run/secrets/postgres' },
  });
  report.connectTo(db, { env: 'DATABASE_ADDR' });
  return app;
}
