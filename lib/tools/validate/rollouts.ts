// What an Argo Rollouts Rollout points at must exist and fit: the Deployment whose template it
// runs (workloadRef), the Services, Ingress, VirtualService and DestinationRule it routes the
// canary's share through, the AnalysisTemplates of its steps. The controller accepts a Rollout
// whose references dangle and only reports them in its status (InvalidSpec, or an error at the
// first step of the next release): here they are found before anything is applied.
// Upstream: https://argo-rollouts.readthedocs.io/en/stable/features/specification/,
// .../features/traffic-management/istio/, .../features/traffic-management/nginx/,
// .../migrating/ (workloadRef).
import { Bundle, arrayOf, namespaceOf, nameOf, podLabelsOf, selects } from './bundle';
import { Doc, Manifest, isObject } from './manifests';
import { FindingList, ruleSet } from './rules';

export const ROLLOUT_RULES = ruleSet({
  'rollout-workload-ref': { severity: 'error', summary: 'A Rollout\'s workloadRef names no Deployment of its namespace: it has no pod template to run.', fix: 'Name a Deployment of the bundle in spec.workloadRef, or give the Rollout a template.' },
  'rollout-selector': { severity: 'error', summary: 'A Rollout\'s selector does not select the pod template it runs (its own, or its workloadRef\'s): the controller refuses it.', fix: 'Make spec.selector.matchLabels labels of that pod template.' },
  'rollout-ref-replicas': { severity: 'warning', summary: 'A Deployment whose template a Rollout runs (workloadRef) sets spec.replicas: every apply scales its pods back up beside the Rollout\'s.', fix: 'Remove spec.replicas from the Deployment (or set it to 0): the Rollout has the replicas.' },
  'rollout-service': { severity: 'error', summary: 'A Rollout\'s canaryService or stableService is not a Service of its namespace that selects the Rollout\'s pods.', fix: 'Name a Service whose selector selects the pod template\'s labels.' },
  'rollout-ingress': { severity: 'error', summary: 'A Rollout\'s nginx stableIngress is not an Ingress of its namespace with a path to the stableService: the controller cannot make the canary Ingress.', fix: 'Name an Ingress whose paths lead to spec.strategy.canary.stableService.' },
  'rollout-virtualservice': { severity: 'error', summary: 'A Rollout\'s VirtualService, or a route it names, is missing, or a route lacks the stable or the canary destination: the controller cannot move the weights.', fix: 'Name an existing VirtualService and routes, each routing to both the stable and the canary subset (or Service).' },
  'rollout-destinationrule': { severity: 'error', summary: 'A Rollout\'s DestinationRule is missing, or lacks the stable or the canary subset it names.', fix: 'Name an existing DestinationRule that defines both subsets.' },
  'rollout-analysis': { severity: 'error', summary: 'A Rollout\'s analysis names an AnalysisTemplate (or ClusterAnalysisTemplate) the bundle does not have.', fix: 'Fix templateName, or add the template.' },
});
const R = ROLLOUT_RULES;

/** Runs the Rollout checks over the bundle. */
export function checkRollouts(bundle: Bundle, findings: FindingList): void {
  for (const rollout of bundle.ofKind('Rollout')) {
    const labels = checkPodTemplate(bundle, rollout, findings);
    const canary = rollout.object.spec?.strategy?.canary;
    if (isObject(canary)) checkCanaryTraffic(bundle, rollout, canary, labels, findings);
    checkAnalysisTemplates(bundle, rollout, findings);
  }
}

/** The workloadRef (or own template), the selector; returns the pods' labels. */
function checkPodTemplate(bundle: Bundle, rollout: Manifest, findings: FindingList): Doc {
  const spec = rollout.object.spec ?? {};
  const ns = namespaceOf(rollout.object);
  let labels: Doc = podLabelsOf(rollout.object);
  const ref = spec.workloadRef;
  if (isObject(ref)) {
    const target = bundle.find(ref.kind ?? 'Deployment', ref.name, ns);
    if (!target || target.object.kind !== 'Deployment') {
      findings.add(R['rollout-workload-ref'], rollout, `workloadRef ${ref.kind ?? 'Deployment'}/${ref.name} is not a Deployment of namespace '${ns}'`, '/spec/workloadRef');
      return {};
    }
    labels = podLabelsOf(target.object);
    const replicas = target.object.spec?.replicas;
    if (typeof replicas === 'number' && replicas > 0) {
      findings.add(R['rollout-ref-replicas'], target, `Deployment '${ref.name}' runs ${replicas} pod(s) of its own beside those of Rollout '${nameOf(rollout.object)}', whose template it holds`, '/spec/replicas');
    }
  }
  const sel = spec.selector?.matchLabels;
  if (isObject(sel) && Object.keys(sel).length && !selects(sel, labels)) {
    findings.add(R['rollout-selector'], rollout, `selector ${show(sel)} does not select the pod template labels ${show(labels)}`, '/spec/selector');
  }
  return labels;
}

function checkCanaryTraffic(bundle: Bundle, rollout: Manifest, canary: Doc, labels: Doc, findings: FindingList): void {
  const ns = namespaceOf(rollout.object);
  for (const field of ['canaryService', 'stableService'] as const) {
    const name = canary[field];
    if (name === undefined) continue;
    const svc = bundle.find('Service', name, ns);
    if (!svc || !selects(svc.object.spec?.selector, labels)) {
      findings.add(R['rollout-service'], rollout, `${field} '${name}' is ${svc ? 'a Service that does not select the Rollout\'s pods' : `not a Service of namespace '${ns}'`}`, `/spec/strategy/canary/${field}`);
    }
  }
  const routing = canary.trafficRouting ?? {};
  const stableIngress = routing.nginx?.stableIngress;
  if (stableIngress !== undefined) {
    const ing = bundle.find('Ingress', stableIngress, ns);
    const leads = arrayOf(ing?.object.spec?.rules).some(r => arrayOf(r?.http?.paths).some(p => p?.backend?.service?.name === canary.stableService));
    if (!leads) {
      findings.add(R['rollout-ingress'], rollout, `stableIngress '${stableIngress}' is ${ing ? `an Ingress with no path to stableService '${canary.stableService}'` : `not an Ingress of namespace '${ns}'`}`, '/spec/strategy/canary/trafficRouting/nginx/stableIngress');
    }
  }
  const istio = routing.istio;
  if (isObject(istio)) checkIstioRouting(bundle, rollout, canary, istio, findings);
}

/** `<name>` or `<name>.<namespace>`, as Argo Rollouts reads a VirtualService or DestinationRule name. */
function byName(bundle: Bundle, kind: string, name: Doc, ns: string): Manifest | undefined {
  const [n, other] = String(name ?? '').split('.');
  return bundle.find(kind, n, other || ns);
}

function checkIstioRouting(bundle: Bundle, rollout: Manifest, canary: Doc, istio: Doc, findings: FindingList): void {
  const ns = namespaceOf(rollout.object);
  const dr = istio.destinationRule;
  if (isObject(dr)) {
    const rule = byName(bundle, 'DestinationRule', dr.name, ns);
    const subsets = arrayOf(rule?.object.spec?.subsets).map(s => s?.name);
    const missing = [dr.stableSubsetName, dr.canarySubsetName].filter(s => !subsets.includes(s));
    if (!rule || missing.length) {
      findings.add(R['rollout-destinationrule'], rollout, rule ? `DestinationRule '${dr.name}' has no subset ${missing.map(s => `'${s}'`).join(' or ')}` : `DestinationRule '${dr.name}' is not in the bundle`, '/spec/strategy/canary/trafficRouting/istio/destinationRule');
    }
  }
  const services = [...(isObject(istio.virtualService) ? [istio.virtualService] : []), ...arrayOf(istio.virtualServices)];
  services.forEach((vs, i) => {
    const at = isObject(istio.virtualService) && i === 0 ? '/spec/strategy/canary/trafficRouting/istio/virtualService' : `/spec/strategy/canary/trafficRouting/istio/virtualServices/${i - (isObject(istio.virtualService) ? 1 : 0)}`;
    const object = byName(bundle, 'VirtualService', vs?.name, ns);
    if (!object) {
      findings.add(R['rollout-virtualservice'], rollout, `VirtualService '${vs?.name}' is not in the bundle`, at);
      return;
    }
    const http = arrayOf(object.object.spec?.http);
    const names = arrayOf(vs.routes);
    if (names.length === 0 && http.length !== 1) {
      findings.add(R['rollout-virtualservice'], rollout, `VirtualService '${vs.name}' has ${http.length} http routes, and the Rollout names none of them (it must, unless there is exactly one)`, at);
      return;
    }
    const routes = names.length ? names.map(n => ({ n, route: http.find(h => h?.name === n) })) : [{ n: http[0]?.name ?? '(unnamed)', route: http[0] }];
    for (const { n, route } of routes) {
      if (!route) {
        findings.add(R['rollout-virtualservice'], rollout, `VirtualService '${vs.name}' has no http route '${n}'`, at);
        continue;
      }
      const destinations = arrayOf(route.route).map(d => d?.destination ?? {});
      const has = (subset: Doc, service: Doc) => destinations.some(d => (isObject(dr) ? d.subset === subset : String(d.host ?? '').split('.')[0] === service));
      const lacking = [['stable', dr?.stableSubsetName, canary.stableService], ['canary', dr?.canarySubsetName, canary.canaryService]].filter(([, subset, service]) => !has(subset, service)).map(([track]) => track);
      if (lacking.length) findings.add(R['rollout-virtualservice'], rollout, `route '${n}' of VirtualService '${vs.name}' has no ${lacking.join(' or ')} destination for the controller to weigh`, at);
    }
  });
}

function checkAnalysisTemplates(bundle: Bundle, rollout: Manifest, findings: FindingList): void {
  const ns = namespaceOf(rollout.object);
  const strategy = rollout.object.spec?.strategy ?? {};
  const uses: Array<[Doc, string]> = [];
  arrayOf(strategy.canary?.steps).forEach((step, i) => { if (isObject(step?.analysis)) uses.push([step.analysis, `/spec/strategy/canary/steps/${i}/analysis`]); });
  if (isObject(strategy.canary?.analysis)) uses.push([strategy.canary.analysis, '/spec/strategy/canary/analysis']);
  for (const phase of ['prePromotionAnalysis', 'postPromotionAnalysis']) {
    if (isObject(strategy.blueGreen?.[phase])) uses.push([strategy.blueGreen[phase], `/spec/strategy/blueGreen/${phase}`]);
  }
  for (const [analysis, at] of uses) {
    arrayOf(analysis.templates).forEach((t, i) => {
      const found = t?.clusterScope ? bundle.find('ClusterAnalysisTemplate', t.templateName, '') : bundle.find('AnalysisTemplate', t?.templateName, ns);
      if (!found) findings.add(R['rollout-analysis'], rollout, `${t?.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate'} '${t?.templateName}' is not in the bundle`, `${at}/templates/${i}`);
    });
  }
}

function show(labels: Doc): string {
  if (!isObject(labels) || !Object.keys(labels).length) return '{}';
  return `{${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(', ')}}`;
}
