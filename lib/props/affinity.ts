import { IConstruct } from 'constructs';
import { MicroserviceConfigError, show } from '../errors';
import { checkDnsLabel, checkKnownProps, checkLabels, checkNumber, checkOneOf } from './checks';

// `affinity` is the Kubernetes type as it is, written to the pod as given: these are the checks
// of the API server's ValidateAffinity, so a term it would refuse (an `In` without values, a
// weight of 0, a pod affinity without topologyKey) fails at synth, and a misspelled field (which
// the API server drops) is named.

type Scope = IConstruct | string;

const NODE_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'] as const;
const LABEL_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
const REQUIRED = 'requiredDuringSchedulingIgnoredDuringExecution';
const PREFERRED = 'preferredDuringSchedulingIgnoredDuringExecution';

function list(scope: Scope, prop: string, v: unknown, nonEmpty = false): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || (nonEmpty && v.length === 0)) throw new MicroserviceConfigError(scope, `'${prop}' must be a ${nonEmpty ? 'non-empty ' : ''}list, got ${show(v)}`);
  return v;
}

// a key, operator and values: node selector requirements (with Gt/Lt) and label selector ones
function checkRequirement(scope: Scope, prop: string, r: any, operators: readonly string[]): void {
  checkKnownProps(scope, r, ['key', 'operator', 'values'], `${prop}.`);
  if (r === undefined) throw new MicroserviceConfigError(scope, `'${prop}' must be { key, operator, values }, got undefined`);
  checkLabels(scope, `${prop}.key`, { [r.key]: '' });
  const operator = checkOneOf(scope, `${prop}.operator`, r.operator, operators);
  const values = list(scope, `${prop}.values`, r.values);
  if (values.some(v => typeof v !== 'string')) throw new MicroserviceConfigError(scope, `'${prop}.values' must be a list of strings, got ${show(r.values)}: quote numbers`);
  if ((operator === 'In' || operator === 'NotIn') && values.length === 0) {
    throw new MicroserviceConfigError(scope, `'${prop}.values' must not be empty with operator '${operator}' (the API server refuses it): list the values, or use 'Exists'`);
  }
  if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0) {
    throw new MicroserviceConfigError(scope, `'${prop}.values' must be empty with operator '${operator}', got ${show(r.values)}: drop them, or use 'In'`);
  }
  if ((operator === 'Gt' || operator === 'Lt') && (values.length !== 1 || !/^-?\d+$/.test(values[0] as string))) {
    throw new MicroserviceConfigError(scope, `'${prop}.values' must be one whole number with operator '${operator}', got ${show(r.values)}: for example ['3']`);
  }
}

function checkNodeSelectorTerm(scope: Scope, prop: string, term: any): void {
  checkKnownProps(scope, term, ['matchExpressions', 'matchFields'], `${prop}.`);
  list(scope, `${prop}.matchExpressions`, term?.matchExpressions).forEach((r, i) => checkRequirement(scope, `${prop}.matchExpressions[${i}]`, r, NODE_OPERATORS));
  list(scope, `${prop}.matchFields`, term?.matchFields).forEach((r: any, i) => {
    const at = `${prop}.matchFields[${i}]`;
    checkKnownProps(scope, r, ['key', 'operator', 'values'], `${at}.`);
    if (r?.key !== 'metadata.name') throw new MicroserviceConfigError(scope, `'${at}.key' must be 'metadata.name' (the only node field selectable), got ${show(r?.key)}`);
    checkOneOf(scope, `${at}.operator`, r.operator, ['In', 'NotIn']);
    if (!Array.isArray(r.values) || r.values.length !== 1 || typeof r.values[0] !== 'string') {
      throw new MicroserviceConfigError(scope, `'${at}.values' must be exactly one node name, got ${show(r.values)}`);
    }
  });
}

function checkWeight(scope: Scope, prop: string, v: unknown): void {
  checkNumber(scope, prop, v, { min: 1, max: 100 });
}

function checkLabelSelector(scope: Scope, prop: string, s: any): void {
  if (s === undefined) return;
  checkKnownProps(scope, s, ['matchLabels', 'matchExpressions'], `${prop}.`);
  checkLabels(scope, `${prop}.matchLabels`, s.matchLabels);
  list(scope, `${prop}.matchExpressions`, s.matchExpressions).forEach((r, i) => checkRequirement(scope, `${prop}.matchExpressions[${i}]`, r, LABEL_OPERATORS));
}

function checkPodAffinityTerm(scope: Scope, prop: string, t: any): void {
  checkKnownProps(scope, t, ['labelSelector', 'namespaceSelector', 'namespaces', 'topologyKey', 'matchLabelKeys', 'mismatchLabelKeys'], `${prop}.`);
  if (typeof t?.topologyKey !== 'string' || t.topologyKey === '') {
    throw new MicroserviceConfigError(scope, `'${prop}.topologyKey' is required (the API server refuses a term without it), got ${show(t?.topologyKey)}: for example 'kubernetes.io/hostname' or 'topology.kubernetes.io/zone'`);
  }
  checkLabels(scope, `${prop}.topologyKey`, { [t.topologyKey]: '' });
  checkLabelSelector(scope, `${prop}.labelSelector`, t.labelSelector);
  checkLabelSelector(scope, `${prop}.namespaceSelector`, t.namespaceSelector);
  list(scope, `${prop}.namespaces`, t.namespaces).forEach((n, i) => checkDnsLabel(scope, `${prop}.namespaces[${i}]`, n, 'shop'));
}

/** `affinity` as the API server validates it (node, pod and pod anti-affinity). */
export function checkAffinity(scope: Scope, affinity: unknown): void {
  if (affinity === undefined) return;
  const a = affinity as any;
  checkKnownProps(scope, a, ['nodeAffinity', 'podAffinity', 'podAntiAffinity'], 'affinity.');
  if (a.nodeAffinity !== undefined) {
    const prop = 'affinity.nodeAffinity';
    checkKnownProps(scope, a.nodeAffinity, [REQUIRED, PREFERRED], `${prop}.`);
    const required = a.nodeAffinity[REQUIRED];
    if (required !== undefined) {
      checkKnownProps(scope, required, ['nodeSelectorTerms'], `${prop}.${REQUIRED}.`);
      list(scope, `${prop}.${REQUIRED}.nodeSelectorTerms`, required.nodeSelectorTerms, true)
        .forEach((t, i) => checkNodeSelectorTerm(scope, `${prop}.${REQUIRED}.nodeSelectorTerms[${i}]`, t));
    }
    list(scope, `${prop}.${PREFERRED}`, a.nodeAffinity[PREFERRED]).forEach((p: any, i) => {
      const at = `${prop}.${PREFERRED}[${i}]`;
      checkKnownProps(scope, p, ['weight', 'preference'], `${at}.`);
      checkWeight(scope, `${at}.weight`, p.weight);
      checkNodeSelectorTerm(scope, `${at}.preference`, p.preference);
    });
  }
  for (const kind of ['podAffinity', 'podAntiAffinity'] as const) {
    if (a[kind] === undefined) continue;
    const prop = `affinity.${kind}`;
    checkKnownProps(scope, a[kind], [REQUIRED, PREFERRED], `${prop}.`);
    list(scope, `${prop}.${REQUIRED}`, a[kind][REQUIRED]).forEach((t, i) => checkPodAffinityTerm(scope, `${prop}.${REQUIRED}[${i}]`, t));
    list(scope, `${prop}.${PREFERRED}`, a[kind][PREFERRED]).forEach((p: any, i) => {
      const at = `${prop}.${PREFERRED}[${i}]`;
      checkKnownProps(scope, p, ['weight', 'podAffinityTerm'], `${at}.`);
      checkWeight(scope, `${at}.weight`, p.weight);
      checkPodAffinityTerm(scope, `${at}.podAffinityTerm`, p.podAffinityTerm);
    });
  }
}
