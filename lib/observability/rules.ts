import { MicroserviceConfigError } from '../errors';
import { serviceAlertGroups, workloadPath } from './alerts';
import type { RuleGroup, WorkloadTelemetry } from './model';
import { sloRuleGroups } from './slo';

/**
 * Every rule group of a workload's PrometheusRule: `<app>.<name>.alerts` (golden signals,
 * workload health, the user's alerts) and, with an SLO, `<app>.<name>.slo` (SLI recording rules,
 * error budget, burn-rate alerts). Fails when a user alert takes the name of a library alert.
 */
export function prometheusRuleGroups(t: WorkloadTelemetry): RuleGroup[] {
  const groups = [...serviceAlertGroups(t), ...sloRuleGroups(t)];
  const custom = new Set(t.customAlerts.map(a => a.name));
  const seen = new Set<string>();
  for (const r of groups.flatMap(g => g.rules)) {
    if (r.alert === undefined) continue;
    if (seen.has(r.alert)) {
      if (custom.has(r.alert)) throw new MicroserviceConfigError(workloadPath(t), `addAlert('${r.alert}'): the library already makes an alert of that name for this ${t.kind}: choose another name`);
      throw new Error(`${workloadPath(t)}: two library alerts are named ${r.alert}`);
    }
    seen.add(r.alert);
  }
  return groups;
}

/** The names of the library's own alerts for a workload: a user alert must not take one. */
export function libraryAlertNames(t: WorkloadTelemetry): string[] {
  return prometheusRuleGroups({ ...t, customAlerts: [] }).flatMap(g => g.rules).flatMap(r => (r.alert === undefined ? [] : [r.alert]));
}
