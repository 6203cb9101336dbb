import { Construct } from 'constructs';
import { MicroserviceApp, ObservedService, ScaledWorker, StatefulService } from 'cdk8s-microservices';

/**
 * Google's Bank of Anthos (https://github.com/GoogleCloudPlatform/bank-of-anthos, release
 * v0.6.10, kubernetes-manifests/), ported: a Python frontend behind a cloud load balancer, two
 * Python and three Java services, two PostgreSQL databases and a Locust load generator.
 *
 * Before the first deploy, create the Secrets the manifests upstream keep in ConfigMaps or
 * generate (extras/jwt): `jwt-key` (keys `jwtRS256.key`, `jwtRS256.key.pub`: an RSA key pair
 * from `openssl genrsa`), `accounts-db` (`password`; `uri`:
 * `postgresql://accounts-admin:<password>@accounts-db:5432/accounts-db`) and `ledger-db`
 * (`password`).
 *
 * The services serve `/ready` (and the Java readers `/healthy`); none serves Prometheus metrics
 * (`metrics: false`): their alerts and dashboards come from kube-state-metrics and cAdvisor.
 * Upstream exports traces to Cloud Trace and the Java services push metrics to Cloud
 * Monitoring, which needs egress to Google APIs and the GKE metadata server: off here
 * (`ENABLE_TRACING`, `ENABLE_METRICS`); the shared ServiceAccount keeps upstream's GKE
 * Workload Identity binding for when they are turned on.
 */
export function buildBankOfAnthos(scope: Construct): MicroserviceApp {
  const app = new MicroserviceApp(scope, 'bank-of-anthos', { version: 'v0.6.10' });
  const image = (name: string, digest: string) => `us-central1-docker.pkg.dev/bank-of-anthos-ci/bank-of-anthos/${name}:v0.6.10@sha256:${digest}`;
  // the identity the six app services share upstream, with its GKE Workload Identity binding
  const serviceAccount = {
    name: 'bank-of-anthos',
    annotations: { 'iam.gke.io/gcp-service-account': 'gke-workload-development@bank-of-anthos-ci.iam.gserviceaccount.com' },
  };
  const localRoutingNumber = '883745000';
  // every app service reads these
  const common = { VERSION: 'v0.6.10', PORT: '8080', ENABLE_TRACING: 'false', LOG_LEVEL: 'info', LOCAL_ROUTING_NUM: localRoutingNumber };
  // the public key that verifies the users' JWTs, as the file the services read at start
  const publicKey = { secretName: 'jwt-key', mountPath: '/tmp/.ssh', keys: { 'jwtRS256.key.pub': 'publickey' } };
  const publicKeyPath = { PUB_KEY_PATH: '/tmp/.ssh/publickey' };

  // ---- the databases: PostgreSQL 16 (Alpine) with the schema and demo data in their images ----
  const database = (id: string, digest: string, db: { name: string; user: string; memory: string; memoryLimit: string }) => new StatefulService(app, id, {
    image: image(id, digest),
    port: 5432,
    protocol: 'tcp',
    // Alpine's postgres user; the socket directory must be writable under a read-only root
    user: { uid: 70, gid: 70 },
    writablePaths: ['/var/run/postgresql'],
    // upstream's layout of the volume (data under postgres/). The kubelet makes that directory
    // owned by root, and initdb must own the data directory (it sets its mode), so the data
    // directory is one level below, made by the postgres user at first start
    storage: { size: '1Gi', mountPath: '/var/lib/postgresql/data', subPath: 'postgres' },
    env: { PGDATA: '/var/lib/postgresql/data/pgdata', POSTGRES_DB: db.name, POSTGRES_USER: db.user, USE_DEMO_DATA: 'True', LOCAL_ROUTING_NUM: localRoutingNumber },
    secretEnv: { POSTGRES_PASSWORD: { secretName: id, key: 'password' } },
    resources: { cpu: '100m', memory: db.memory, limits: { cpu: '250m', memory: db.memoryLimit } },
    // ready when the server takes connections (not while initdb runs); alive while it listens
    probes: { readiness: { command: ['pg_isready', '--host=127.0.0.1', `--username=${db.user}`, `--dbname=${db.name}`] } },
    metrics: false,
  });
  const accountsDb = database('accounts-db', 'd95c4094c75f69069b915ef3adc99a8f95e43077885140cdeeb90d807ea74eff',
    { name: 'accounts-db', user: 'accounts-admin', memory: '128Mi', memoryLimit: '512Mi' });
  const ledgerDb = database('ledger-db', '891cb7afe34f358ce7ed7002a1923b25e113b30bca44fecb10cc8b116d665a03',
    { name: 'postgresdb', user: 'admin', memory: '512Mi', memoryLimit: '1Gi' });

  // ---- the accounts services (Python): users and their contacts, in accounts-db ----
  // the SQLAlchemy URL holds the password: from the Secret
  const accountsDbUri = { ACCOUNTS_DB_URI: { secretName: 'accounts-db', key: 'uri' } };
  const python = { cpu: '100m', memory: '64Mi', ephemeralStorage: '256Mi', limits: { cpu: '250m', memory: '128Mi', ephemeralStorage: '256Mi' } };
  // ready once it can serve (the path upstream probes); alive while it listens (no other path)
  const ready = { readiness: { httpPath: '/ready' }, liveness: { tcp: true } } as const;
  const userservice = new ObservedService(app, 'userservice', {
    image: image('userservice', 'd8c4412edc46ab105000f721788b73301651cc43b19cee7e7302739f81882dcc'),
    serviceAccount,
    env: { ...common, ...publicKeyPath, TOKEN_EXPIRY_SECONDS: '3600', PRIV_KEY_PATH: '/tmp/.ssh/privatekey' },
    envNotSecret: ['TOKEN_EXPIRY_SECONDS'],
    secretEnv: accountsDbUri,
    // it signs the JWTs: the private key too
    secretFiles: [{ ...publicKey, keys: { 'jwtRS256.key': 'privatekey', 'jwtRS256.key.pub': 'publickey' } }],
    resources: { cpu: '260m', memory: '128Mi', ephemeralStorage: '256Mi', limits: { cpu: '500m', memory: '256Mi', ephemeralStorage: '256Mi' } },
    probes: ready,
    metrics: false,
  });
  const contacts = new ObservedService(app, 'contacts', {
    image: image('contacts', '90d47594270e64f8dafa6da52c89ff70c2483cca0821dff2cc38b1450ac7a6b9'),
    serviceAccount,
    env: { ...common, ...publicKeyPath },
    secretEnv: accountsDbUri,
    secretFiles: [publicKey],
    resources: python,
    probes: ready,
    metrics: false,
  });
  // they reach the database through ACCOUNTS_DB_URI: the path only
  userservice.connectTo(accountsDb, { env: false });
  contacts.connectTo(accountsDb, { env: false });

  // ---- the ledger services (Java, Spring Boot): transactions in ledger-db ----
  const java = (id: string, digest: string, o: { env?: Record<string, string>; alive?: boolean }) => new ObservedService(app, id, {
    image: image(id, digest),
    serviceAccount,
    env: {
      ...common, ...publicKeyPath, ...o.env,
      ENABLE_METRICS: 'false',
      JVM_OPTS: '-XX:+UnlockExperimentalVMOptions -XX:+UseCGroupMemoryLimitForHeap -Xms256m -Xmx512m',
      // no password in it: the JDBC URL is the database's address
      SPRING_DATASOURCE_URL: `jdbc:postgresql://${ledgerDb.address('host:port')}/postgresdb`,
      SPRING_DATASOURCE_USERNAME: 'admin',
    },
    secretEnv: { SPRING_DATASOURCE_PASSWORD: { secretName: 'ledger-db', key: 'password' } },
    // a label of the metrics they push
    fieldEnv: { NAMESPACE: 'metadata.namespace' },
    secretFiles: [publicKey],
    resources: { cpu: '100m', memory: '256Mi', ephemeralStorage: '512Mi', limits: { cpu: '500m', memory: '512Mi', ephemeralStorage: '512Mi' } },
    probes: {
      readiness: { httpPath: '/ready' },
      // `/healthy` fails when the thread that follows the ledger has died; up to 300 s to start
      liveness: o.alive ? { httpPath: '/healthy' } : { tcp: true },
      startup: { httpPath: o.alive ? '/healthy' : '/ready', periodSeconds: 10, failureThreshold: 30 },
    },
    metrics: false,
  });
  const balancereader = java('balancereader', 'feae443c650786c253bbfa3447d0902dd1689122c13962f97ccc37068d73733b',
    { env: { POLL_MS: '100', CACHE_SIZE: '1000000' }, alive: true });
  const ledgerwriter = java('ledgerwriter', 'eae37de0d9b28fec7534c1ea860868c87279b0a85b405f8fd66c3d7734e3e42f', {});
  const transactionhistory = java('transactionhistory', '109cdad9c29a46af2708574ac4635dd73afa30cc020a4fef0266abcde87db744',
    { env: { POLL_MS: '100', CACHE_SIZE: '1000', CACHE_MINUTES: '60', HISTORY_LIMIT: '100' }, alive: true });
  for (const s of [balancereader, ledgerwriter, transactionhistory]) s.connectTo(ledgerDb, { env: false });
  // the apps put http:// in front of these addresses themselves
  ledgerwriter.connectTo(balancereader, { env: 'BALANCES_API_ADDR', format: 'host:port' });

  // ---- the frontend (Python): the web UI, on a cloud load balancer as upstream ----
  const frontend = new ObservedService(app, 'frontend', {
    image: image('frontend', '076294ce717309f711743fa3b72a9809c7f156edf1c4fa58505fd9f436d65345'),
    serviceType: 'LoadBalancer',
    serviceAccount,
    env: {
      ...common, ...publicKeyPath, SCHEME: 'http',
      // the demo login the login page fills in: public by design
      DEFAULT_USERNAME: 'testuser', DEFAULT_PASSWORD: 'bankofanthos',
    },
    envNotSecret: ['DEFAULT_PASSWORD'],
    // an OAuth client, when the bank is run as an identity provider (ConfigMap optional)
    configMapEnv: {
      REGISTERED_OAUTH_CLIENT_ID: { configMapName: 'oauth-config', key: 'DEMO_OAUTH_CLIENT_ID', optional: true },
      ALLOWED_OAUTH_REDIRECT_URI: { configMapName: 'oauth-config', key: 'DEMO_OAUTH_REDIRECT_URI', optional: true },
    },
    secretFiles: [publicKey],
    resources: python,
    probes: ready,
    metrics: false,
  });
  const apis: Array<[ObservedService, string]> = [
    [userservice, 'USERSERVICE_API_ADDR'], [contacts, 'CONTACTS_API_ADDR'], [balancereader, 'BALANCES_API_ADDR'],
    [transactionhistory, 'HISTORY_API_ADDR'], [ledgerwriter, 'TRANSACTIONS_API_ADDR'],
  ];
  for (const [target, env] of apis) frontend.connectTo(target, { env, format: 'host:port' });

  // ---- the load generator: Locust, headless, no HTTP server of its own ----
  const loadgenerator = new ScaledWorker(app, 'loadgenerator', {
    image: image('loadgenerator', 'dd7e27f1b1bcbb9c85070eb900a6060d098d06d62ef03f98182424919895df83'),
    env: { USERS: '5', LOG_LEVEL: 'error' },
    resources: { cpu: '100m', memory: '512Mi', limits: { cpu: '250m', memory: '1Gi' } },
    // Locust (headless) listens on no port and has no health check: its health is its
    // process, which the kubelet restarts when it exits. The linters ask every long-running
    // container for a liveness probe: this one only confirms the process is still there
    probes: { liveness: { command: ['sh', '-c', 'kill -0 1'], periodSeconds: 30 } },
    metrics: false,
  });
  loadgenerator.connectTo(frontend, { env: 'FRONTEND_ADDR', format: 'host:port' });
  return app;
}
