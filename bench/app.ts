// The benchmark app: N ObservedServices with full defaults (image only) in one MicroserviceApp,
// as an organization that keeps many services in one namespace writes it. `npm run bench`
// synthesizes it with `cdk8s-ms synth --app bench/app.ts`, N from BENCH_SERVICES, and
// BENCH_DASHBOARDS=false for the variant without Grafana dashboards.
import { Construct } from 'constructs';
import { MicroserviceApp, ObservedService } from 'cdk8s-microservices';

export interface BenchAppOptions {
  /** How many services: svc-0 .. svc-<services-1>. */
  readonly services: number;
  /** The Grafana dashboard ConfigMaps (one per service and the overview). @default true */
  readonly dashboards?: boolean;
}

/** The bench app in `scope`: what bench/chart renders with `--set services=N`. */
export function benchApp(scope: Construct, options: BenchAppOptions): MicroserviceApp {
  const app = new MicroserviceApp(scope, 'bench', options.dashboards === false ? { monitoring: { dashboards: false } } : {});
  for (let i = 0; i < options.services; i++) new ObservedService(app, `svc-${i}`, { image: `ghcr.io/acme/svc-${i}:1.0.0` });
  return app;
}

/** The app file contract of `cdk8s-ms synth`. */
export function build(scope: Construct): void {
  benchApp(scope, { services: Number(process.env.BENCH_SERVICES ?? '10'), dashboards: process.env.BENCH_DASHBOARDS !== 'false' });
}
