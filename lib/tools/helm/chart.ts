import { ApiObject, Chart } from 'cdk8s';
import * as YAML from 'yaml';
import { MicroserviceConfigError, show } from '../../errors';
import { joinImage, splitImage, versionOf } from '../../pod/image';
import { resourceFileNames } from '../../rendering/kustomize';
import { VERSION } from '../../labels';
import { MicroserviceApp } from '../../constructs/microservice-app';
import { Workload } from '../../constructs/workload';
import { StatefulService } from '../../constructs/stateful-service';
import { helmHooks } from './hooks';
import { imageValuesProblem } from './image';
import { valuesSchema } from './schema';
import { ObjectTemplate, escapeTemplateText, forEachMetadata } from './templates';
import { ChartValues, WorkloadValues, valueRef, valuesYaml } from './values';

/** Options of `helmChart()`. */
export interface HelmChartOptions {
  /** The chart's own version (SemVer 2), bumped when the chart changes. @default '0.1.0' */
  readonly chartVersion?: string;
}

const DEFAULT_CHART_VERSION = '0.1.0';
// semver.org's expression, which Helm's lint applies to `version`
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
// the output uses matchLabelKeys in topology spread constraints and unhealthyPodEvictionPolicy
const KUBE_VERSION = '>=1.28.0-0';

/**
 * A Helm 3 chart (apiVersion v2) of one app, as a map from path inside the chart folder to file
 * content: `Chart.yaml`, `values.yaml`, `values.schema.json`, `.helmignore`,
 * `templates/_helpers.tpl`, `templates/NOTES.txt` and one `templates/<kind>-<name>.yaml` per
 * object.
 *
 * The templates are the app's synthesized objects, literal but for the values a release
 * changes, per workload: the container image (registry, repository, tag, digest), the
 * `app.kubernetes.io/version` label where it comes from the image, and the replica count of a
 * fixed Deployment or the bounds of an autoscaler. With the default values `helm template`
 * renders exactly `app.toJson()`. Object namespaces are kept as they are: the chart installs
 * into the app's namespace whatever `--namespace` says, and makes the Namespace itself.
 */
export function helmChart(app: MicroserviceApp, options: HelmChartOptions = {}): Record<string, string> {
  const chartName = app.node.id;
  const chartVersion = options.chartVersion ?? DEFAULT_CHART_VERSION;
  if (typeof chartVersion !== 'string' || !SEMVER.test(chartVersion)) {
    throw new MicroserviceConfigError(app, `helmChart(): 'chartVersion' ${show(chartVersion)} is not a SemVer 2 version: use MAJOR.MINOR.PATCH, for example '0.1.0' or '1.2.0-rc.1'`);
  }
  const objects: any[] = app.toJson();
  const plans = planWorkloads(app, objects);
  const byObject = new Map<string, Plan>();
  for (const plan of plans) for (const key of plan.objectKeys) byObject.set(key, plan);

  const values: ChartValues = { workloads: Object.fromEntries(plans.filter(p => Object.keys(p.values).length).map(p => [p.name, p.values])) };
  const files: Record<string, string> = {
    'Chart.yaml': chartYaml(app, chartVersion, objects.length),
    'values.yaml': valuesYaml(chartName, values),
    'values.schema.json': `${JSON.stringify(valuesSchema(chartName, values), undefined, 2)}\n`,
    '.helmignore': HELMIGNORE,
    'templates/_helpers.tpl': helpers(chartName),
    'templates/NOTES.txt': notes(app, plans),
  };
  const hooks = helmHooks(app, apiKey);
  for (const object of objects) {
    const hook = hooks.get(keyOf(object));
    if (hook) object.metadata.annotations = { ...object.metadata.annotations, ...hook };
  }
  const names = resourceFileNames(objects);
  objects.forEach((object, i) => {
    files[`templates/${names[i]}`] = templateOf(chartName, object, byObject.get(keyOf(object)));
  });
  return files;
}

/** What one workload contributes to the chart: its values and where they go. */
interface Plan {
  readonly name: string;
  readonly values: WorkloadValues;
  /** The keys (`keyOf`) of the workload's objects in this app. */
  readonly objectKeys: Set<string>;
  /** Undefined for a worker that runs as Jobs: its image stays literal in the ScaledJob. */
  readonly deploymentKey?: string;
  readonly autoscalerKey?: string;
  /** The version label value that follows the image tag, if it does. */
  readonly followsImage?: string;
}

function keyOf(o: { apiVersion?: string; kind?: string; metadata?: { name?: string } }): string {
  return `${o.apiVersion}|${o.kind}|${o.metadata?.name}`;
}

function apiKey(o: ApiObject): string {
  return `${o.apiVersion}|${o.kind}|${o.name}`;
}

/**
 * The values of each workload of the app, in name order. A field becomes a value only when the
 * synthesized object still holds what the workload says (an escape-hatch override elsewhere
 * stays literal rather than being silently ignored by a value).
 */
function planWorkloads(app: MicroserviceApp, objects: any[]): Plan[] {
  const byKey = new Map(objects.map(o => [keyOf(o), o]));
  const workloads = app.node.findAll()
    .filter((c): c is Workload => c instanceof Workload && c.app === app)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return workloads.map(w => {
    const objectKeys = new Set(w.node.findAll()
      .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === app)
      .map(apiKey));
    // the object whose pod template holds the image: a Job's stays literal (its name is a hash of its content)
    const controller = w.deployment ?? (w instanceof StatefulService ? w.statefulSet : undefined);
    const deploymentKey = controller ? apiKey(controller) : undefined;
    const autoscalerKey = w.autoscaler ? apiKey(w.autoscaler) : undefined;
    const deployment = deploymentKey ? byKey.get(deploymentKey) : undefined;
    const container = deployment?.spec?.template?.spec?.containers?.find((c: any) => c.name === w.name);
    const values: { -readonly [K in keyof WorkloadValues]: WorkloadValues[K] } = {};
    let followsImage: string | undefined;
    if (container?.image === w.image) {
      const image = splitImage(w.image);
      if (joinImage(image) !== w.image) throw new Error(`internal error: image ${show(w.image)} splits into ${JSON.stringify(image)}`);
      const problem = imageValuesProblem(image);
      if (problem) {
        throw new MicroserviceConfigError(w, `helmChart(): 'image' ${show(w.image)} cannot be a chart value, ${problem}: use a reference such as 'ghcr.io/acme/catalog:1.4.2'`);
      }
      values.image = image;
      const derived = versionOf({ tag: image.tag || undefined, digest: image.digest || undefined });
      if (w.labels[VERSION] === derived) followsImage = derived;
    }
    if (w.replicas !== undefined && deployment?.spec?.replicas === w.replicas) values.replicas = w.replicas;
    const hpa = autoscalerKey ? byKey.get(autoscalerKey) : undefined;
    const range = w.autoscalingRange;
    if (range && hpa?.spec?.minReplicas === range.minReplicas && hpa?.spec?.maxReplicas === range.maxReplicas) {
      values.autoscaling = { minReplicas: range.minReplicas, maxReplicas: range.maxReplicas };
    }
    return { name: w.name, values, objectKeys, deploymentKey, autoscalerKey, followsImage };
  });
}

/** One object as a template: literal, with the plan's values in their places. */
function templateOf(chartName: string, object: any, plan: Plan | undefined): string {
  const t = new ObjectTemplate(object);
  let prelude = '';
  if (plan) {
    const key = keyOf(object);
    const ref = (...path: string[]) => valueRef(plan.name, ...path);
    if (key === plan.deploymentKey) {
      if (plan.values.image) {
        const container = t.object.spec.template.spec.containers.find((c: any) => c.name === plan.name);
        t.template(container, 'image', `include "${chartName}.image" ${ref('image')} | quote`);
      }
      if (plan.values.replicas !== undefined) t.template(t.object.spec, 'replicas', `${ref('replicas')} | int`);
    }
    if (key === plan.autoscalerKey && plan.values.autoscaling) {
      t.template(t.object.spec, 'minReplicas', `${ref('autoscaling', 'minReplicas')} | int`);
      t.template(t.object.spec, 'maxReplicas', `${ref('autoscaling', 'maxReplicas')} | int`);
      // the one rule JSON Schema cannot state
      const path = `workloads.${plan.name}.autoscaling`;
      prelude = `{{- if lt (int ${ref('autoscaling', 'maxReplicas')}) (int ${ref('autoscaling', 'minReplicas')}) }}`
        + `{{ fail "${path}.maxReplicas must be >= ${path}.minReplicas" }}{{ end -}}\n`;
    }
    const follows = plan.followsImage;
    if (follows !== undefined) {
      forEachMetadata(t.object, metadata => {
        const labels = metadata.labels;
        if (labels && typeof labels === 'object' && labels[VERSION] === follows) {
          t.template(labels, VERSION, `include "${chartName}.version" ${ref('image')} | quote`);
        }
      });
    }
  }
  return t.render(prelude);
}

function chartYaml(app: MicroserviceApp, version: string, objectCount: number): string {
  const chart = {
    apiVersion: 'v2',
    name: app.node.id,
    description: `The ${app.node.id} app in namespace ${app.namespaceName}: ${objectCount} Kubernetes objects generated by cdk8s-microservices`,
    type: 'application',
    version,
    appVersion: app.version,
    kubeVersion: KUBE_VERSION,
  };
  // quoted: Helm reads Chart.yaml as YAML 1.1, and appVersion 1.10 must not become 1.1
  const doc = new YAML.Document(chart, { version: '1.1' });
  for (const key of ['version', 'appVersion', 'kubeVersion']) (doc.get(key, true) as YAML.Scalar).type = 'QUOTE_DOUBLE';
  return doc.toString({ lineWidth: 0 });
}

function helpers(chartName: string): string {
  return `{{/*
The container image of a workload, from its image values: [registry/]repository[:tag][@digest].
*/}}
{{- define "${chartName}.image" -}}
{{- with .registry }}{{ . }}/{{ end }}{{ .repository }}{{ with .tag }}:{{ . }}{{ end }}{{ with .digest }}@{{ . }}{{ end }}
{{- end }}

{{/*
The app.kubernetes.io/version label that follows a workload's image, derived the way
cdk8s-microservices derives it: the tag, else "sha256-" and the first 12 hex digits of the
digest; cut to 63 characters that are valid in a label value.
*/}}
{{- define "${chartName}.version" -}}
{{- $v := .tag -}}
{{- if not $v }}{{ $v = printf "sha256-%s" (.digest | trimPrefix "sha256:" | trunc 12) }}{{ end -}}
{{- $v = regexReplaceAll "[^A-Za-z0-9_.-]" $v "-" | trunc 63 | trimAll "-_." -}}
{{- default "unversioned" $v -}}
{{- end }}
`;
}

function notes(app: MicroserviceApp, plans: Plan[]): string {
  const ns = app.namespaceName;
  const lines = [
    `The ${app.node.id} app runs in namespace ${ns} (the chart makes the Namespace; --namespace does not move it).`,
    '',
    'Workloads:',
    ...plans.map(p => `  ${p.name}: ${statusCommand(app, p.name)}`),
    '',
    `Everything: kubectl --namespace ${ns} get all,networkpolicies,poddisruptionbudgets,ingresses`,
  ];
  return `${escapeTemplateText(lines.join('\n'))}\n`;
}

function statusCommand(app: MicroserviceApp, name: string): string {
  const kubectl = `kubectl --namespace ${app.namespaceName}`;
  const w = app.node.findAll().find((c): c is Workload => c instanceof Workload && c.app === app && c.name === name);
  const kinds = new Set(w?.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map(o => o.kind));
  if (kinds.has('StatefulSet')) return `${kubectl} rollout status statefulset/${name}`;
  if (kinds.has('CronJob')) return `${kubectl} get cronjob/${name}`;
  if (kinds.has('Job')) return `${kubectl} wait --for=condition=complete job -l app.kubernetes.io/name=${name}`;
  // a Rollout runs the pods of its Deployment's template (progressiveDelivery)
  if (kinds.has('Rollout')) return `kubectl argo rollouts --namespace ${app.namespaceName} status ${name}`;
  if (kinds.has('Deployment')) return `${kubectl} rollout status deployment/${name}`;
  return `${kubectl} get scaledjob/${name}`;
}

const HELMIGNORE = `# Patterns to ignore when building packages.
.DS_Store
.git/
.gitignore
.hg/
.hgignore
.svn/
*.swp
*.bak
*.tmp
*.orig
*~
.project
.idea/
*.tmproj
.vscode/
`;
