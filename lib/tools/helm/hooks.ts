import { ApiObject, Chart } from 'cdk8s';
import { BatchJob } from '../../constructs/batch-job';
import type { MicroserviceApp } from '../../constructs/microservice-app';

export const HELM_HOOK = 'helm.sh/hook';
export const HELM_HOOK_WEIGHT = 'helm.sh/hook-weight';
export const HELM_HOOK_DELETE_POLICY = 'helm.sh/hook-delete-policy';

/**
 * The hook annotations of a chart's objects, by object key (`keyOf`). A Job with `runBefore`
 * runs after a first install (`post-install`: the Namespace and the database it migrates are
 * release objects, which do not exist before one) and before every upgrade (`pre-upgrade`).
 * Its own ServiceAccount and network policies are hooks too, one weight lower, so that a Job
 * new in this release can start before the release's objects are applied (its PrometheusRule
 * and dashboard stay release objects). `before-hook-creation`
 * deletes the previous hook objects first, so every release runs the Job again.
 */
export function helmHooks(app: MicroserviceApp, keyOf: (o: ApiObject) => string): Map<string, Record<string, string>> {
  const hooks = new Map<string, Record<string, string>>();
  const objects = app.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === app);
  for (const job of app.node.findAll()) {
    if (!(job instanceof BatchJob) || job.app !== app || !job.job || job.runBefore.length === 0) continue;
    // hook weights are ordered across the chart: each wave gets two, its objects then its Job
    const weight = 2 * job.wave;
    const annotate = (o: ApiObject, w: number) => hooks.set(keyOf(o), {
      [HELM_HOOK]: 'post-install,pre-upgrade', [HELM_HOOK_WEIGHT]: String(w), [HELM_HOOK_DELETE_POLICY]: 'before-hook-creation',
    });
    const supportIds = new Set([`AllowFrom-${app.node.id}-${job.node.id}`]);
    // its alerts and dashboard are release objects: the Job does not need them to run, and a
    // hook would outlive `helm uninstall`
    const monitoring = new Set<ApiObject | undefined>([job.prometheusRule, job.dashboard]);
    for (const o of objects) {
      if (o === job.job) annotate(o, weight);
      else if ((o.node.scopes.includes(job) && !monitoring.has(o)) || (o.kind === 'NetworkPolicy' && supportIds.has(o.node.id))) annotate(o, weight - 1);
    }
  }
  return hooks;
}
