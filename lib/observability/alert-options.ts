import type { IConstruct } from 'constructs';
import { PROMETHEUS_DURATION } from '../durations';
import { MicroserviceConfigError, show } from '../errors';
import type { AlertOptions } from './model';
import { alertTemplateProblem } from './alert-template';
import { checkPromql } from './promql';

const SEVERITIES = ['critical', 'warning', 'info'] as const;
// Prometheus accepts any label value as an alert name, but Alertmanager routes, silences and the
// runbook links read best as one word: the convention of the kubernetes-mixin and the Operator's runbooks
const UPPER_CAMEL_CASE = /^[A-Z][a-z0-9]+([A-Z][a-z0-9]*)*$/;
const KNOWN = new Set(['name', 'expr', 'for', 'severity', 'summary', 'description', 'runbookUrl']);

/**
 * Checks the options of `addAlert()` the way Prometheus and Alertmanager will take them: the
 * expression parses (the Prometheus grammar) and passes the checks Prometheus makes before it
 * runs it (promql-types.ts: types, function arguments, regular expressions as RE2, ...), and its
 * result is an instant vector; `for` is a duration; the annotations are Go templates that use
 * only the functions and variables Prometheus gives an alert template (alert-template.ts); the
 * name is UpperCamelCase and not `taken` (the library's own alerts and the ones added before).
 * Returns the options as given.
 */
export function checkAlertOptions(scope: IConstruct, o: AlertOptions, taken: ReadonlySet<string>): AlertOptions {
  const name = o !== null && typeof o === 'object' ? o.name : undefined;
  const fail = (message: string): never => {
    throw new MicroserviceConfigError(scope, `addAlert(${show(name)}): ${message}`);
  };
  const templateCheck = (key: string, text: string): void => {
    const t = alertTemplateProblem(text);
    if (t) {
      const effect = t.when === 'load' ? 'Prometheus refuses the whole rule file' : "the alert would show '<error expanding template: ...>' instead";
      fail(`'${key}' ${show(text)} is not a template Prometheus can expand (${t.message}), and ${effect}${t.hint ? `: ${t.hint}` : ''}`);
    }
  };
  if (o === null || typeof o !== 'object') fail(`takes an object such as { name: 'QueueBacklog', expr: 'queue_depth > 100', summary: 'Orders wait' }, got ${show(o)}`);
  const unknown = Object.keys(o).filter(k => !KNOWN.has(k));
  if (unknown.length) fail(`unknown option ${show(unknown[0])}: the options are ${[...KNOWN].join(', ')}`);
  if (typeof name !== 'string' || !UPPER_CAMEL_CASE.test(name)) {
    fail(`'name' must be UpperCamelCase (letters and digits, starting with a capital), such as 'CheckoutQueueBacklog'`);
  }
  if (taken.has(name!)) fail('an alert of that name already exists for this workload (the library\'s own or one added before): choose another name');
  if (typeof o.expr !== 'string') fail(`'expr' must be a PromQL expression string, got ${show(o.expr)}`);
  const { problem, type } = checkPromql(o.expr);
  if (problem) fail(`'expr' is not valid PromQL (${problem})`);
  if (type === 'scalar') {
    fail(`'expr' ${show(o.expr)} is a scalar, and Prometheus makes one sample of a scalar whatever its value, so the alert would fire at every evaluation: compare an instant vector instead, such as sum(queue_depth) > 100 (vector(1) for an alert that always fires)`);
  } else if (type !== 'instant vector') {
    fail(`'expr' ${show(o.expr)} is a ${type}, which an alerting rule cannot evaluate (Prometheus: "rule result is not a vector or scalar", at every evaluation): ${type === 'range vector' ? 'take a function of the range, such as rate(x[5m]) > 0 or max_over_time(x[10m]) > 100' : 'compare an instant vector, such as sum(queue_depth) > 100'}`);
  }
  if (o.for !== undefined && (typeof o.for !== 'string' || !PROMETHEUS_DURATION.test(o.for))) {
    fail(`'for' must be a Prometheus duration such as '5m' or '1h', got ${show(o.for)}`);
  }
  if (o.severity !== undefined && !SEVERITIES.includes(o.severity)) {
    fail(`'severity' must be one of ${SEVERITIES.join(', ')}, got ${show(o.severity)}: critical pages, warning opens a ticket, info only shows`);
  }
  for (const key of ['summary', 'description'] as const) {
    const text = o[key];
    if (text === undefined && key === 'description') continue;
    if (typeof text !== 'string' || text.trim() === '') fail(`'${key}' must be a non-empty string, got ${show(text)}`);
    if (!closedTemplates(text!)) fail(`'${key}' ${show(text)} has a '{{' without its '}}' (or the reverse): Prometheus refuses the rule file; write templates as {{ $value }}`);
    templateCheck(key, text!);
  }
  if (o.runbookUrl !== undefined && (typeof o.runbookUrl !== 'string' || !/^https?:\/\/\S+$/.test(o.runbookUrl))) {
    fail(`'runbookUrl' must be an http(s) URL, got ${show(o.runbookUrl)}`);
  }
  // the runbook_url annotation is a template too
  if (o.runbookUrl !== undefined) templateCheck('runbookUrl', o.runbookUrl);
  return o;
}

/** Every `{{` is closed by a `}}` before the next one opens. */
function closedTemplates(text: string): boolean {
  let open = false;
  for (let i = 0; i < text.length - 1; i++) {
    const pair = text.slice(i, i + 2);
    if (pair === '{{') {
      if (open) return false;
      open = true;
      i++;
    } else if (pair === '}}') {
      if (!open) return false;
      open = false;
      i++;
    }
  }
  return !open;
}
