// What each workload contributes to the chart: its values, and which scalars of which of its
// objects they replace.
import { ApiObject, Chart } from 'cdk8s';
import { MicroserviceConfigError, show } from '../../errors';
import { joinImage, splitImage, versionOf } from '../../pod/image';
import type { MicroserviceApp } from '../../constructs/microservice-app';
import { Workload } from '../../constructs/workload';
import { StatefulService } from '../../constructs/stateful-service';
import { BatchJob } from '../../constructs/batch-job';
import { ScaledWorker } from '../../constructs/scaled-worker';
import { ObservedService } from '../../constructs/observed-service';
import { imageValuesProblem } from './image';
import { WorkloadValues } from './values';

/** What one workload contributes to the chart: its values and where they go. */
export interface Plan {
  readonly name: string;
  /** Its own values; empty for a Job that follows the image of the workload it runs before. */
  readonly values: WorkloadValues;
  /** The keys (`keyOf`) of the workload's objects in this app. */
  readonly objectKeys: Set<string>;
  /** The object whose pod template runs the image: Deployment, StatefulSet, Job, CronJob or ScaledJob. */
  readonly controllerKey?: string;
  /** The workload whose `image` values the controller's image is: this one, or the one a `runBefore` Job runs before. */
  readonly imageFrom?: string;
  /** The version label value of the controller and its pod template, when it follows the image. */
  readonly followsImage?: string;
  /** The HorizontalPodAutoscaler of an autoscaled Deployment. */
  readonly autoscalerKey?: string;
  /** The KEDA ScaledObject or ScaledJob whose bounds are `autoscaling`. */
  readonly scalerKey?: string;
  /** The ScaledObject's fallback replicas, which the maximum may not go below. */
  readonly fallbackReplicas?: number;
  /** The canary's own HorizontalPodAutoscaler, whose bounds are `canary.autoscaling`. */
  readonly canaryAutoscalerKey?: string;
  /**
   * A Job that is a release object (no `runBefore`, so no Helm hook): its pod template cannot
   * change under its name, so its name follows its image (`name` while the image is `image`).
   */
  readonly renamedJob?: { readonly name: string; readonly baseName: string; readonly image: string };
}

/** `apiVersion|kind|name`: an object's identity within the app's namespace. */
export function keyOf(o: { apiVersion?: string; kind?: string; metadata?: { name?: string } }): string {
  return `${o.apiVersion}|${o.kind}|${o.metadata?.name}`;
}

export function apiKey(o: ApiObject): string {
  return `${o.apiVersion}|${o.kind}|${o.name}`;
}

/** The pod template of a controller object, whatever its kind. */
export function podTemplateOf(o: any): any {
  switch (o?.kind) {
    case 'CronJob': return o.spec?.jobTemplate?.spec?.template;
    case 'ScaledJob': return o.spec?.jobTargetRef?.template;
    default: return o?.spec?.template;
  }
}

/** The object that runs the workload's pods. */
function controllerOf(w: Workload): ApiObject | undefined {
  if (w.deployment) return w.deployment;
  if (w instanceof StatefulService) return w.statefulSet;
  if (w instanceof BatchJob) return w.job ?? w.cronJob;
  if (w instanceof ScaledWorker) return w.scaledJob;
  return undefined;
}

/**
 * The plan of each workload of the app, in name order. A field becomes a value only when the
 * synthesized object still holds what the workload says (an escape-hatch override elsewhere
 * stays literal rather than being silently ignored by a value).
 */
export function planWorkloads(app: MicroserviceApp, objects: any[]): Plan[] {
  const byKey = new Map(objects.map(o => [keyOf(o), o]));
  const workloads = app.node.findAll()
    .filter((c): c is Workload => c instanceof Workload && c.app === app)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const own = new Map(workloads.map(w => [w, ownPlan(w, byKey)]));
  // a Job that runs before a workload, with that workload's image, runs what that workload will
  // run: it follows that workload's image values instead of having its own
  const follows = new Map<Workload, Workload>();
  for (const [w, plan] of own) {
    if (!(w instanceof BatchJob) || !w.job || !plan.values.image) continue;
    const target = w.runBefore.find(t => t.image === w.image && own.get(t)?.values.image);
    if (target) follows.set(w, target);
  }
  // along a chain (migrate before seed before api, one image) to the workload that has the values
  const source = (w: Workload): Workload => (follows.has(w) ? source(follows.get(w)!) : w);
  return workloads.map(w => {
    const plan = own.get(w)!;
    if (!follows.has(w)) return plan;
    const { image: _image, ...values } = plan.values;
    return { ...plan, values, imageFrom: source(w).name };
  });
}

function ownPlan(w: Workload, byKey: Map<string, any>): Plan {
  const objectKeys = new Set(w.node.findAll()
    .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === w.app)
    .map(apiKey));
  const controller = controllerOf(w);
  const controllerKey = controller ? apiKey(controller) : undefined;
  const object = controllerKey ? byKey.get(controllerKey) : undefined;
  const container = podTemplateOf(object)?.spec?.containers?.find((c: any) => c.name === w.name);
  const values: { -readonly [K in keyof WorkloadValues]: WorkloadValues[K] } = {};
  let followsImage: string | undefined;
  let renamedJob: Plan['renamedJob'];
  if (container?.image === w.image) {
    const image = splitImage(w.image);
    if (joinImage(image) !== w.image) throw new Error(`internal error: image ${show(w.image)} splits into ${JSON.stringify(image)}`);
    const problem = imageValuesProblem(image);
    if (problem) {
      throw new MicroserviceConfigError(w, `helmChart(): 'image' ${show(w.image)} cannot be a chart value, ${problem}: use a reference such as 'ghcr.io/acme/catalog:1.4.2'`);
    }
    values.image = image;
    const derived = versionOf({ tag: image.tag || undefined, digest: image.digest || undefined });
    if (w.version === derived) followsImage = derived;
    if (w instanceof BatchJob && w.job && w.runBefore.length === 0) renamedJob = { name: object.metadata.name, baseName: w.name, image: w.image };
  }
  if (w.replicas !== undefined && (w.deployment || w instanceof StatefulService) && object?.spec?.replicas === w.replicas) values.replicas = w.replicas;
  const range = w.autoscalingRange;
  const autoscalerKey = w.autoscaler ? apiKey(w.autoscaler) : undefined;
  const hpa = autoscalerKey ? byKey.get(autoscalerKey) : undefined;
  if (range && hpa?.spec?.minReplicas === range.minReplicas && hpa?.spec?.maxReplicas === range.maxReplicas) {
    values.autoscaling = { ...range };
  }
  const scaler = w instanceof ScaledWorker ? w.scaledObject ?? w.scaledJob : undefined;
  const scalerKey = scaler ? apiKey(scaler) : undefined;
  const keda = scalerKey ? byKey.get(scalerKey) : undefined;
  let fallbackReplicas: number | undefined;
  if (range && keda?.spec?.minReplicaCount === range.minReplicas && keda?.spec?.maxReplicaCount === range.maxReplicas) {
    values.autoscaling = { ...range };
    fallbackReplicas = keda.spec.fallback?.replicas;
  }
  let canaryAutoscalerKey: string | undefined;
  const canary = w instanceof ObservedService ? w.canary?.autoscaling : undefined;
  if (canary) {
    const own = w.node.findAll().find((c): c is ApiObject => c instanceof ApiObject && c.kind === 'HorizontalPodAutoscaler' && c.name === `${w.name}-canary`);
    const canaryHpa = own ? byKey.get(apiKey(own)) : undefined;
    if (canaryHpa?.spec?.minReplicas === canary.minReplicas && canaryHpa?.spec?.maxReplicas === canary.maxReplicas) {
      canaryAutoscalerKey = apiKey(own!);
      values.canary = { autoscaling: { ...canary } };
    }
  }
  return {
    name: w.name, values, objectKeys, controllerKey, imageFrom: values.image ? w.name : undefined, followsImage,
    autoscalerKey: values.autoscaling && hpa ? autoscalerKey : undefined, scalerKey: values.autoscaling && keda ? scalerKey : undefined,
    fallbackReplicas, canaryAutoscalerKey, renamedJob,
  };
}
