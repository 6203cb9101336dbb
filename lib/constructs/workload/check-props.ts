import { IConstruct } from 'constructs';
import { MicroserviceConfigError, show } from '../../errors';
import { WORKLOAD_PROPS, WorkloadProps } from './props';
import { checkBooleanProps, checkDataKey, dataKeyProblem, checkDnsSubdomain, checkIntBound, checkKnownProps, checkLabels, checkNumber, checkOneOf, checkStringArray } from '../../props/checks';
import { checkAffinity } from '../../props/affinity';
import { checkEnvSources, checkLiteralEnv } from '../../pod/env';
import { POD_PROPS } from '../../pod/pod-props';
import { PROBE_PROPS } from '../../pod/probes';
import { RESOURCE_PROPS } from '../../pod/resources';

// Every boolean prop of a workload's pod, checked by one function (checkBooleanProps): a string
// 'true' or 'no' would be refused by the API server ("expected boolean") at apply time.
const POD_BOOLEAN_PROPS = [
  'topologySpread', 'automountServiceAccountToken', 'claims[].readOnly', 'secretFiles[].optional',
  'configMapEnv.*.optional', 'secretEnv.*.optional', 'envFromConfigMaps[].optional',
];

/**
 * Checks the pod props every workload kind shares (WorkloadProps) for what the API server
 * would refuse or silently ignore: unknown names in nested options, wrong types, Secret
 * references, labels, tolerations, users. The construct's own props are checked by it.
 */
export function checkPodProps(scope: IConstruct | string, props: WorkloadProps): void {
  const nested: Array<[unknown, readonly string[], string]> = [
    [props.autoscaling, WORKLOAD_PROPS.autoscaling, 'autoscaling.'],
    [props.resources, RESOURCE_PROPS.resources, 'resources.'],
    [props.resources?.limits, RESOURCE_PROPS.limits, 'resources.limits.'],
    [props.rollingUpdate, WORKLOAD_PROPS.rollingUpdate, 'rollingUpdate.'],
    [props.shutdown, WORKLOAD_PROPS.shutdown, 'shutdown.'],
    [props.config, WORKLOAD_PROPS.config, 'config.'],
    [props.logging, WORKLOAD_PROPS.logging, 'logging.'],
    [props.probes, PROBE_PROPS, 'probes.'],
  ];
  for (const [value, known, prefix] of nested) checkKnownProps(scope, value, known, prefix);
  // the pod's volumes, files and extra containers (their values are checked by lib/pod)
  checkKnownProps(scope, props.user, POD_PROPS.user, 'user.');
  const lists: Array<[unknown, readonly string[], string]> = [
    [props.claims, POD_PROPS.claim, 'claims'], [props.secretFiles, POD_PROPS.secretFiles, 'secretFiles'],
    [props.initContainers, POD_PROPS.container, 'initContainers'], [props.sidecars, POD_PROPS.container, 'sidecars'],
  ];
  for (const [list, known, prop] of lists) {
    if (!Array.isArray(list)) continue;
    list.forEach((item, i) => {
      checkKnownProps(scope, item, known, `${prop}[${i}].`);
      if (known === POD_PROPS.container && item && typeof item === 'object') {
        checkKnownProps(scope, item.resources, RESOURCE_PROPS.resources, `${prop}[${i}].resources.`);
        checkKnownProps(scope, item.probes, ['readiness', 'liveness'], `${prop}[${i}].probes.`);
      }
    });
  }
  if (props.configMapEnv && typeof props.configMapEnv === 'object') {
    for (const [name, source] of Object.entries(props.configMapEnv)) checkKnownProps(scope, source, POD_PROPS.configMapEnv, `configMapEnv.${name}.`);
  }
  for (const [name, source] of Object.entries(props.secretEnv ?? {})) {
    checkKnownProps(scope, source, WORKLOAD_PROPS.secretEnv, `secretEnv.${name}.`);
    if (!source || typeof source !== 'object') continue; // the workload's own check names it
    if (source.secretName !== undefined) checkDnsSubdomain(scope, `secretEnv.${name}.secretName`, source.secretName, 'db-credentials');
    if (typeof source.key === 'string') checkDataKey(scope, `secretEnv.${name}.key`, source.key);
  }
  for (const [name, source] of Object.entries(props.configMapEnv ?? {})) {
    if (source && typeof source === 'object' && typeof source.key === 'string') checkDataKey(scope, `configMapEnv.${name}.key`, source.key, 'region', 'ConfigMap');
  }
  // the files of `config` are the keys of a ConfigMap the construct makes
  if (props.config?.files && typeof props.config.files === 'object') {
    for (const name of Object.keys(props.config.files)) {
      if (dataKeyProblem(name)?.charset === false) checkDataKey(scope, `config.files['${name}']`, name, 'app.yaml', 'ConfigMap');
    }
  }
  checkBooleanProps(scope, props, POD_BOOLEAN_PROPS);
  checkIntBounds(scope, props);
  checkLiteralEnv(scope, 'env', props.env);
  checkEnvSources(scope, { env: props.env, fieldEnv: props.fieldEnv, secretEnv: props.secretEnv, configMapEnv: props.configMapEnv });
  checkStringArray(scope, 'command', props.command);
  checkStringArray(scope, 'args', props.args);
  checkStringArray(scope, 'envNotSecret', props.envNotSecret);
  for (const name of props.envNotSecret ?? []) {
    if (!(props.env && name in props.env)) throw new MicroserviceConfigError(scope, `'envNotSecret' names ${show(name)}, which is not in 'env': list only names of env, or drop it`);
  }
  checkLabels(scope, 'nodeSelector', props.nodeSelector);
  // runAsNonRoot: uid and gid 0 are root, which Pod Security "restricted" refuses
  for (const prop of ['runAsUser', 'runAsGroup'] as const) {
    if (props[prop] !== undefined) checkNumber(scope, prop, props[prop], { min: 1, max: 2147483647 });
  }
  if (props.component !== undefined) checkLabels(scope, 'component', { 'app.kubernetes.io/component': props.component });
  checkTolerations(scope, props.tolerations);
  checkAffinity(scope, props.affinity);
}

/**
 * The upper bounds of the workload's whole-number props that the API server stores as int32
 * (replicas, history, probe timing) or int64 (seconds of grace); their lower bounds and types
 * are checked where they are used.
 */
function checkIntBounds(scope: IConstruct | string, props: WorkloadProps): void {
  const int32: Array<[string, unknown]> = [
    ['replicas', props.replicas], ['revisionHistoryLimit', props.revisionHistoryLimit],
    ['autoscaling.minReplicas', props.autoscaling?.minReplicas], ['autoscaling.maxReplicas', props.autoscaling?.maxReplicas],
    ['autoscaling.targetCpuUtilization', props.autoscaling?.targetCpuUtilization], ['autoscaling.targetMemoryUtilization', props.autoscaling?.targetMemoryUtilization],
  ];
  for (const [prop, v] of int32) checkIntBound(scope, prop, v, 32);
  checkIntBound(scope, 'shutdown.terminationGracePeriodSeconds', props.shutdown?.terminationGracePeriodSeconds, 64);
  checkIntBound(scope, 'shutdown.preStopSleepSeconds', props.shutdown?.preStopSleepSeconds, 64);
  if (Array.isArray(props.tolerations)) props.tolerations.forEach((t, i) => checkIntBound(scope, `tolerations[${i}].tolerationSeconds`, t?.tolerationSeconds, 64));
}

function checkTolerations(scope: IConstruct | string, tolerations: unknown): void {
  if (tolerations === undefined) return;
  if (!Array.isArray(tolerations)) throw new MicroserviceConfigError(scope, `'tolerations' must be a list, got ${show(tolerations)}`);
  tolerations.forEach((t, i) => {
    const prop = `tolerations[${i}]`;
    checkKnownProps(scope, t, ['key', 'operator', 'value', 'effect', 'tolerationSeconds'], `${prop}.`);
    const operator = t.operator === undefined ? 'Equal' : checkOneOf(scope, `${prop}.operator`, t.operator, ['Equal', 'Exists']);
    if (t.effect !== undefined) checkOneOf(scope, `${prop}.effect`, t.effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']);
    if (operator === 'Exists' && t.value !== undefined && t.value !== '') {
      throw new MicroserviceConfigError(scope, `'${prop}.value' must be empty with operator 'Exists', got ${show(t.value)}: drop it, or use operator 'Equal'`);
    }
    if (t.key === undefined && operator !== 'Exists') {
      throw new MicroserviceConfigError(scope, `'${prop}.key' is needed with operator 'Equal': give the taint's key, or use operator 'Exists' to tolerate every taint`);
    }
    if (t.key !== undefined) checkLabels(scope, `${prop}.key`, { [t.key]: '' });
    if (t.tolerationSeconds !== undefined) {
      if (t.effect !== 'NoExecute') throw new MicroserviceConfigError(scope, `'${prop}.tolerationSeconds' needs effect 'NoExecute' (the only effect that evicts), got ${show(t.effect)}`);
      checkNumber(scope, `${prop}.tolerationSeconds`, t.tolerationSeconds, { min: 0 });
    }
  });
}
