import { ApiObject } from 'cdk8s';
import * as YAML from 'yaml';
import { MicroserviceConfigError, show } from '../../errors';
import { resourceFileNames } from '../../rendering/kustomize';
import { VERSION } from '../../labels';
import { MicroserviceApp } from '../../constructs/microservice-app';
import { Workload } from '../../constructs/workload';
import { helmHooks } from './hooks';
import { Plan, apiKey, keyOf, planWorkloads, podTemplateOf } from './plan';
import { valuesSchema } from './schema';
import { ObjectTemplate, escapeTemplateText, forEachMetadata } from './templates';
import { ChartValues, valueRef, valuesYaml } from './values';

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
 * changes, per workload: the container image (registry, repository, tag, digest) of its
 * Deployment, StatefulSet, Job, CronJob or ScaledJob, the `app.kubernetes.io/version` label
 * there where it comes from the image, the replica count of a fixed Deployment or StatefulSet,
 * the bounds of an autoscaler, a KEDA ScaledObject or ScaledJob, or a canary's autoscaler. A
 * `runBefore` Job with the image of the workload it runs before follows that workload's image
 * value; a Job without `runBefore` (a release object, not a hook) is renamed when its image
 * changes. With the default values `helm template` renders exactly `app.toJson()`. Object namespaces are kept as they are: the chart installs
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
  const follows = plans.filter(p => p.imageFrom !== undefined && p.imageFrom !== p.name).map(p => [p.name, p.imageFrom!] as const);
  const keda = new Set(plans.filter(p => p.scalerKey !== undefined).map(p => p.name));
  const files: Record<string, string> = {
    'Chart.yaml': chartYaml(app, chartVersion, objects.length),
    'values.yaml': valuesYaml(chartName, values, follows),
    'values.schema.json': `${JSON.stringify(valuesSchema(chartName, values, keda), undefined, 2)}\n`,
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

/** One object as a template: literal, with the plan's values in their places. */
function templateOf(chartName: string, object: any, plan: Plan | undefined): string {
  const t = new ObjectTemplate(object);
  const prelude: string[] = [];
  if (plan) {
    const key = keyOf(object);
    const ref = (...path: string[]) => valueRef(plan.name, ...path);
    // maxReplicas >= minReplicas: the one rule JSON Schema cannot state
    const ordered = (min: string, max: string, path: string) => prelude.push(`{{- if lt (int ${max}) (int ${min}) }}`
      + `{{ fail "${path}.maxReplicas must be >= ${path}.minReplicas" }}{{ end -}}`);
    if (key === plan.controllerKey) {
      const pod = podTemplateOf(t.object);
      if (plan.imageFrom !== undefined) {
        const image = valueRef(plan.imageFrom, 'image');
        const container = pod.spec.containers.find((c: any) => c.name === plan.name);
        t.template(container, 'image', `include "${chartName}.image" ${image} | quote`);
        const follows = plan.followsImage;
        if (follows !== undefined) {
          // the controller's and its pod template's (a CronJob's job template's too)
          forEachMetadata(t.object, metadata => {
            const labels = metadata.labels;
            if (labels && typeof labels === 'object' && labels[VERSION] === follows) {
              t.template(labels, VERSION, `include "${chartName}.version" ${image} | quote`);
            }
          });
        }
        const job = plan.renamedJob;
        if (job) {
          // a Job's pod template cannot change under its name: another image, another Job
          t.template(t.object.metadata, 'name', `include "${chartName}.jobName" (list ${JSON.stringify(job.name)} (include "${chartName}.image" ${image}) ${JSON.stringify(job.image)} ${JSON.stringify(job.baseName)}) | quote`);
        }
      }
      if (plan.values.replicas !== undefined) t.template(t.object.spec, 'replicas', `${ref('replicas')} | int`);
    }
    if (key === plan.autoscalerKey && plan.values.autoscaling) {
      t.template(t.object.spec, 'minReplicas', `${ref('autoscaling', 'minReplicas')} | int`);
      t.template(t.object.spec, 'maxReplicas', `${ref('autoscaling', 'maxReplicas')} | int`);
      ordered(ref('autoscaling', 'minReplicas'), ref('autoscaling', 'maxReplicas'), `workloads.${plan.name}.autoscaling`);
    }
    if (key === plan.scalerKey && plan.values.autoscaling) {
      t.template(t.object.spec, 'minReplicaCount', `${ref('autoscaling', 'minReplicas')} | int`);
      t.template(t.object.spec, 'maxReplicaCount', `${ref('autoscaling', 'maxReplicas')} | int`);
      ordered(ref('autoscaling', 'minReplicas'), ref('autoscaling', 'maxReplicas'), `workloads.${plan.name}.autoscaling`);
      if (plan.fallbackReplicas !== undefined) {
        // as the library refuses at synth: the fallback runs at most the maximum
        prelude.push(`{{- if lt (int ${ref('autoscaling', 'maxReplicas')}) ${plan.fallbackReplicas} }}`
          + `{{ fail "workloads.${plan.name}.autoscaling.maxReplicas must be >= ${plan.fallbackReplicas}, the ScaledObject's fallback replicas (keda.fallbackReplicas in the code)" }}{{ end -}}`);
      }
    }
    if (key === plan.canaryAutoscalerKey && plan.values.canary) {
      t.template(t.object.spec, 'minReplicas', `${ref('canary', 'autoscaling', 'minReplicas')} | int`);
      t.template(t.object.spec, 'maxReplicas', `${ref('canary', 'autoscaling', 'maxReplicas')} | int`);
      ordered(ref('canary', 'autoscaling', 'minReplicas'), ref('canary', 'autoscaling', 'maxReplicas'), `workloads.${plan.name}.canary.autoscaling`);
    }
  }
  return t.render(prelude.map(l => `${l}\n`).join(''));
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

{{/*
The name of a Job that is a release object, from (list name image defaultImage baseName): its
synthesized name while it runs the image it was synthesized with, else baseName and a hash of
both. A Job's pod template cannot change under its name, so another image is another Job, as a
changed Job is in the plain output.
*/}}
{{- define "${chartName}.jobName" -}}
{{- if eq (index . 1) (index . 2) }}{{ index . 0 }}{{ else }}{{ index . 3 }}-{{ printf "%s %s" (index . 0) (index . 1) | sha256sum | trunc 10 }}{{ end -}}
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
