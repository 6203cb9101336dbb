import { IConstruct } from 'constructs';
import { MicroserviceConfigError, show } from '../errors';
import { checkEnvSources, checkLiteralEnv } from '../pod/env';
import { isDataKey } from '../pod/volumes';
import type { WorkloadProps } from '../workload';
import { checkBoolean, checkDnsSubdomain, checkKnownProps, checkLabels, checkNumber, checkOneOf, checkStringArray } from './checks';
import { PROPS } from './known';


/**
 * Checks the pod props every workload kind shares (WorkloadProps) for what the API server
 * would refuse or silently ignore: unknown names in nested options, wrong types, Secret
 * references, labels, tolerations, users. The construct's own props are checked by it.
 */
export function checkPodProps(scope: IConstruct | string, props: WorkloadProps): void {
  const nested: Array<[unknown, readonly string[], string]> = [
    [props.autoscaling, PROPS.autoscaling, 'autoscaling.'],
    [props.resources, PROPS.resources, 'resources.'],
    [props.resources?.limits, PROPS.limits, 'resources.limits.'],
    [props.rollingUpdate, PROPS.rollingUpdate, 'rollingUpdate.'],
    [props.shutdown, PROPS.shutdown, 'shutdown.'],
    [props.config, PROPS.config, 'config.'],
    [props.logging, PROPS.logging, 'logging.'],
    [props.probes, PROPS.probes, 'probes.'],
  ];
  for (const [value, known, prefix] of nested) checkKnownProps(scope, value, known, prefix);
  // the pod's volumes, files and extra containers (their values are checked by lib/pod)
  checkKnownProps(scope, props.user, PROPS.user, 'user.');
  const lists: Array<[unknown, readonly string[], string]> = [
    [props.claims, PROPS.claim, 'claims'], [props.secretFiles, PROPS.secretFiles, 'secretFiles'],
    [props.initContainers, PROPS.container, 'initContainers'], [props.sidecars, PROPS.container, 'sidecars'],
  ];
  for (const [list, known, prop] of lists) {
    if (!Array.isArray(list)) continue;
    list.forEach((item, i) => {
      checkKnownProps(scope, item, known, `${prop}[${i}].`);
      if (known === PROPS.container && item && typeof item === 'object') {
        checkKnownProps(scope, item.resources, PROPS.resources, `${prop}[${i}].resources.`);
        checkKnownProps(scope, item.probes, ['readiness', 'liveness'], `${prop}[${i}].probes.`);
      }
    });
  }
  if (props.configMapEnv && typeof props.configMapEnv === 'object') {
    for (const [name, source] of Object.entries(props.configMapEnv)) checkKnownProps(scope, source, PROPS.configMapEnv, `configMapEnv.${name}.`);
  }
  for (const [name, source] of Object.entries(props.secretEnv ?? {})) {
    checkKnownProps(scope, source, PROPS.secretEnv, `secretEnv.${name}.`);
    if (!source || typeof source !== 'object') continue; // the workload's own check names it
    if (source.secretName !== undefined) checkDnsSubdomain(scope, `secretEnv.${name}.secretName`, source.secretName, 'db-credentials');
    if (typeof source.key === 'string' && !isDataKey(source.key)) {
      throw new MicroserviceConfigError(scope, `'secretEnv.${name}.key' must be a Secret data key (letters, digits, '-', '_' and '.'), got ${show(source.key)}: for example 'password'`);
    }
    checkBoolean(scope, `secretEnv.${name}.optional`, source.optional);
  }
  checkLiteralEnv(scope, 'env', props.env);
  checkEnvSources(scope, { env: props.env, fieldEnv: props.fieldEnv, secretEnv: props.secretEnv, configMapEnv: props.configMapEnv });
  checkStringArray(scope, 'command', props.command);
  checkStringArray(scope, 'args', props.args);
  checkStringArray(scope, 'envNotSecret', props.envNotSecret);
  for (const name of props.envNotSecret ?? []) {
    if (!(props.env && name in props.env)) throw new MicroserviceConfigError(scope, `'envNotSecret' names ${show(name)}, which is not in 'env': list only names of env, or drop it`);
  }
  checkLabels(scope, 'nodeSelector', props.nodeSelector);
  for (const prop of ['topologySpread', 'automountServiceAccountToken'] as const) checkBoolean(scope, prop, props[prop]);
  // runAsNonRoot: uid and gid 0 are root, which Pod Security "restricted" refuses
  for (const prop of ['runAsUser', 'runAsGroup'] as const) {
    if (props[prop] !== undefined) checkNumber(scope, prop, props[prop], { min: 1, max: 2147483647 });
  }
  if (props.component !== undefined) checkLabels(scope, 'component', { 'app.kubernetes.io/component': props.component });
  checkTolerations(scope, props.tolerations);
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
