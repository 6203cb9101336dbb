import { ApiObject, Lazy } from 'cdk8s';
import type { MicroserviceApp } from '../microservice-app';
import type { Workload } from '../workload';

/** Argo CD: the sync wave of an object; lower waves are applied and healthy before higher ones. */
export const ARGO_SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
/** Argo CD: makes an object a hook of a sync phase (re-created on every sync, not pruned). */
export const ARGO_HOOK = 'argocd.argoproj.io/hook';
export const ARGO_HOOK_DELETE_POLICY = 'argocd.argoproj.io/hook-delete-policy';

// Which jobs run before which workloads, per app. Waves are read at synth time: a job created
// later may run before a job created earlier (migrate before seed before api).
const RUNS_BEFORE = new WeakMap<MicroserviceApp, Map<Workload, Workload[]>>();

function edges(app: MicroserviceApp): Map<Workload, Workload[]> {
  let m = RUNS_BEFORE.get(app);
  if (!m) {
    m = new Map();
    RUNS_BEFORE.set(app, m);
  }
  return m;
}

/** Records that `job` must succeed before `targets` roll out. */
export function addRunBefore(app: MicroserviceApp, job: Workload, targets: readonly Workload[]): void {
  edges(app).set(job, [...targets]);
}

/**
 * The sync wave of a workload: 0 for everything no job runs before (the database the migration
 * needs is up first); a job with `runBefore` one above every job that runs before it (at least
 * 1); a target one above the highest job that runs before it. Targets are always created
 * before the job that names them, so the graph has no cycle.
 */
export function syncWave(app: MicroserviceApp, w: Workload): number {
  const m = edges(app);
  const before = [...m.entries()].filter(([, targets]) => targets.includes(w)).map(([job]) => job);
  const own = m.has(w) ? 1 : 0;
  return Math.max(own, ...before.map(j => syncWave(app, j) + 1));
}

/** Whether any job runs before this workload, or it is such a job. */
export function isOrdered(app: MicroserviceApp, w: Workload): boolean {
  const m = edges(app);
  return m.has(w) || [...m.values()].some(t => t.includes(w));
}

/** Puts the workload's sync wave (read at synth time) on its controller objects. */
export function annotateWave(app: MicroserviceApp, w: Workload, controllers: ApiObject[]): void {
  for (const c of controllers) c.metadata.addAnnotation(ARGO_SYNC_WAVE, Lazy.any({ produce: () => String(syncWave(app, w)) }) as unknown as string);
}
