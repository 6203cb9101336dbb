// Cross-object references: each object that points at others by name or by label selector
// must find them in the bundle. Kubernetes accepts dangling references without a word, and
// they fail later and quietly: a Service with no endpoints, an Ingress answering 503, an
// autoscaler that scales nothing, a budget that protects nothing.
import { Bundle, arrayOf, namespaceOf, nameOf, podSpecOf, selects } from './bundle';
import { Doc, Manifest, isObject } from './manifests';
import { FindingList, ruleSet } from './rules';

export const REFERENCE_RULES = ruleSet({
  'service-selector': { severity: 'error', summary: 'A Service selects no workload of its namespace: it has no endpoints.', fix: 'Make spec.selector match the pod template labels of a workload.' },
  'service-target-port': { severity: 'error', summary: 'A Service targetPort is not a port of every pod it selects: connections are refused.', fix: 'Use a containerPort number or port name that the selected containers declare.' },
  'ingress-backend': { severity: 'error', summary: 'An Ingress backend names a Service that is not in the namespace.', fix: 'Fix the service name, or add the Service.' },
  'ingress-backend-port': { severity: 'error', summary: 'An Ingress backend port is not a port of its Service.', fix: 'Use the Service port number or name.' },
  'hpa-target': { severity: 'error', summary: 'An autoscaler targets a workload that is not in the namespace.', fix: 'Fix scaleTargetRef (kind and name).' },
  'hpa-target-replicas': { severity: 'error', summary: 'An autoscaled workload also sets spec.replicas: every apply resets the replica count the autoscaler chose.', fix: 'Remove spec.replicas from the workload.' },
  'scaledobject-target': { severity: 'error', summary: 'A KEDA ScaledObject targets a workload that is not in the namespace.', fix: 'Fix spec.scaleTargetRef.' },
  'scaledobject-hpa': { severity: 'error', summary: 'A ScaledObject and a HorizontalPodAutoscaler scale the same workload and fight.', fix: 'Keep one of them (KEDA creates its own HPA).' },
  'pdb-selector': { severity: 'error', summary: 'A PodDisruptionBudget selects no workload: it protects nothing.', fix: 'Make spec.selector.matchLabels match the pod template labels.' },
  'servicemonitor-selector': { severity: 'error', summary: 'A ServiceMonitor selects no Service: nothing is scraped.', fix: 'Match the labels of a Service (metadata.labels), in namespaceSelector\'s namespaces.' },
  'servicemonitor-port': { severity: 'error', summary: 'A ServiceMonitor endpoint names a port that a selected Service does not have.', fix: 'Use the name of a Service port.' },
  'podmonitor-selector': { severity: 'error', summary: 'A PodMonitor selects no workload: nothing is scraped.', fix: 'Match the pod template labels of a workload.' },
  'netpol-selector': { severity: 'error', summary: 'A NetworkPolicy podSelector selects no workload: the policy applies to nothing.', fix: 'Match the pod template labels of a workload, or select all pods with {}.' },
  'destinationrule-host': { severity: 'error', summary: 'A DestinationRule host is not a Service of the bundle.', fix: 'Use <service>[.<namespace>] of an existing Service.' },
  'destinationrule-subset': { severity: 'error', summary: 'A DestinationRule subset selects no workload behind its Service.', fix: 'Use subset labels that the Service\'s pods carry.' },
  'virtualservice-weights': { severity: 'error', summary: 'The weights of a VirtualService route with several destinations do not add up to 100.', fix: 'Make the weights sum to 100.' },
  'virtualservice-host': { severity: 'error', summary: 'A VirtualService destination is not a Service of the bundle.', fix: 'Use <service>[.<namespace>] of an existing Service.' },
  'virtualservice-subset': { severity: 'error', summary: 'A VirtualService destination subset is not defined by a DestinationRule for that host.', fix: 'Define the subset in the host\'s DestinationRule, or drop it.' },
});
const R = REFERENCE_RULES;

/** Runs every reference check over the bundle. */
export function checkReferences(bundle: Bundle, findings: FindingList): void {
  checkServices(bundle, findings);
  checkIngressBackends(bundle, findings);
  checkScaleTargets(bundle, findings);
  checkSelectorsOf(bundle, findings);
  checkServiceMonitors(bundle, findings);
  checkMeshHosts(bundle, findings);
}

function checkServices(bundle: Bundle, findings: FindingList): void {
  for (const svc of bundle.ofKind('Service')) {
    const { spec } = svc.object;
    // no selector: endpoints are managed by hand; ExternalName: a DNS alias, no pods
    if (!spec?.selector || spec.type === 'ExternalName') continue;
    const selected = bundle.workloadsSelectedBy(spec.selector, namespaceOf(svc.object));
    if (!selected.length) {
      findings.add(R['service-selector'], svc, `selector ${showLabels(spec.selector)} selects no workload in namespace '${namespaceOf(svc.object)}'`, '/spec/selector');
      continue;
    }
    arrayOf(spec.ports).forEach((p, i) => {
      const target = p?.targetPort ?? p?.port;
      const lacking = selected.filter(w => !arrayOf(podSpecOf(w.object)?.containers).some(c => arrayOf(c?.ports).some(cp => (typeof target === 'number' ? cp?.containerPort === target : cp?.name === target))));
      if (lacking.length) {
        findings.add(R['service-target-port'], svc, `targetPort ${target} is not a container port of ${lacking.map(w => `${w.object.kind} '${nameOf(w.object)}'`).join(', ')}`, `/spec/ports/${i}`);
      }
    });
  }
}

function checkIngressBackends(bundle: Bundle, findings: FindingList): void {
  for (const ing of bundle.ofKind('Ingress')) {
    const ns = namespaceOf(ing.object);
    const backends: Array<[Doc, string]> = [];
    if (ing.object.spec?.defaultBackend?.service) backends.push([ing.object.spec.defaultBackend.service, '/spec/defaultBackend/service']);
    arrayOf(ing.object.spec?.rules).forEach((rule, r) => arrayOf(rule?.http?.paths).forEach((p, i) => {
      if (p?.backend?.service) backends.push([p.backend.service, `/spec/rules/${r}/http/paths/${i}/backend/service`]);
    }));
    for (const [backend, at] of backends) {
      const svc = bundle.find('Service', backend.name, ns);
      if (!svc) {
        findings.add(R['ingress-backend'], ing, `backend Service '${backend.name}' is not in namespace '${ns}'`, at);
        continue;
      }
      const wanted = backend.port?.number ? { port: backend.port.number } : { name: backend.port?.name };
      const found = arrayOf(svc.object.spec?.ports).some(sp => ('port' in wanted ? sp?.port === wanted.port : sp?.name === wanted.name));
      if (!found) findings.add(R['ingress-backend-port'], ing, `Service '${backend.name}' has no port ${'port' in wanted ? wanted.port : `named '${wanted.name}'`}`, `${at}/port`);
    }
  }
}

function checkScaleTargets(bundle: Bundle, findings: FindingList): void {
  const hpas = bundle.ofKind('HorizontalPodAutoscaler');
  for (const hpa of hpas) {
    const ref = hpa.object.spec?.scaleTargetRef;
    const target = bundle.find(ref?.kind, ref?.name, namespaceOf(hpa.object));
    if (!target) findings.add(R['hpa-target'], hpa, `scaleTargetRef ${ref?.kind}/${ref?.name} is not in namespace '${namespaceOf(hpa.object)}'`, '/spec/scaleTargetRef');
    else if (target.object.spec?.replicas !== undefined) findings.add(R['hpa-target-replicas'], hpa, `target ${ref.kind} '${ref.name}' also sets spec.replicas (${target.object.spec.replicas}): every apply fights the autoscaler`);
  }
  for (const so of bundle.ofKind('ScaledObject')) {
    const ref = so.object.spec?.scaleTargetRef;
    const ns = namespaceOf(so.object);
    if (!bundle.find(ref?.kind || 'Deployment', ref?.name, ns)) findings.add(R['scaledobject-target'], so, `scaleTargetRef ${ref?.kind || 'Deployment'}/${ref?.name} is not in namespace '${ns}'`, '/spec/scaleTargetRef');
    if (hpas.some(h => h.object.spec?.scaleTargetRef?.name === ref?.name && namespaceOf(h.object) === ns)) findings.add(R['scaledobject-hpa'], so, `a HorizontalPodAutoscaler also scales '${ref?.name}'`);
  }
}

/** Objects whose only job is to select pods: a selector that selects nothing makes them inert. */
function checkSelectorsOf(bundle: Bundle, findings: FindingList): void {
  for (const pdb of bundle.ofKind('PodDisruptionBudget')) {
    const sel = pdb.object.spec?.selector?.matchLabels;
    if (!bundle.workloadsSelectedBy(sel, namespaceOf(pdb.object)).length) findings.add(R['pdb-selector'], pdb, `selector ${showLabels(sel)} selects no workload`, '/spec/selector');
  }
  for (const pm of bundle.ofKind('PodMonitor')) {
    const sel = pm.object.spec?.selector?.matchLabels;
    if (!bundle.workloadsSelectedBy(sel, namespaceOf(pm.object)).length) findings.add(R['podmonitor-selector'], pm, `selector ${showLabels(sel)} selects no workload`, '/spec/selector');
  }
  for (const np of bundle.ofKind('NetworkPolicy')) {
    const sel = np.object.spec?.podSelector?.matchLabels;
    // an empty podSelector means "every pod of the namespace": that is deliberate, not dangling
    if (isObject(sel) && Object.keys(sel).length && !bundle.workloadsSelectedBy(sel, namespaceOf(np.object)).length) {
      findings.add(R['netpol-selector'], np, `podSelector ${showLabels(sel)} selects no workload`, '/spec/podSelector');
    }
  }
}

function checkServiceMonitors(bundle: Bundle, findings: FindingList): void {
  for (const sm of bundle.ofKind('ServiceMonitor')) {
    const sel = sm.object.spec?.selector?.matchLabels;
    const matchNames = sm.object.spec?.namespaceSelector?.matchNames;
    const namespaces: unknown[] = matchNames ? arrayOf(matchNames) : [namespaceOf(sm.object)];
    // a ServiceMonitor selects Services by their own labels, not by their selector
    const services = bundle.ofKind('Service').filter(s => namespaces.includes(namespaceOf(s.object)) && selects(sel, s.object.metadata?.labels));
    if (!services.length) {
      findings.add(R['servicemonitor-selector'], sm, `selector ${showLabels(sel)} selects no Service in ${namespaces.map(n => `'${n}'`).join(', ')}`, '/spec/selector');
      continue;
    }
    arrayOf(sm.object.spec?.endpoints).forEach((ep, i) => {
      const lacking = services.filter(s => !arrayOf(s.object.spec?.ports).some(p => p?.name === ep?.port));
      if (ep?.port && lacking.length) findings.add(R['servicemonitor-port'], sm, `endpoint port '${ep.port}' is not a named port of Service ${lacking.map(s => `'${nameOf(s.object)}'`).join(', ')}`, `/spec/endpoints/${i}/port`);
    });
  }
}

/**
 * Istio names a Service `<name>[.<namespace>[.svc.cluster.local]]`; the namespace defaults to the
 * referrer's. Every host is read that way, mesh-external ones (ServiceEntry) too: the library
 * routes only to its own Services.
 */
function serviceOfHost(bundle: Bundle, host: Doc, defaultNamespace: string): { name: string; namespace: string; service?: Manifest } {
  const [name, namespace] = String(host ?? '').split('.');
  const ns = namespace || defaultNamespace;
  return { name, namespace: ns, service: bundle.find('Service', name, ns) };
}

function checkMeshHosts(bundle: Bundle, findings: FindingList): void {
  const rules = bundle.ofKind('DestinationRule');
  for (const dr of rules) {
    const host = dr.object.spec?.host;
    const { service } = serviceOfHost(bundle, host, namespaceOf(dr.object));
    if (!service) {
      findings.add(R['destinationrule-host'], dr, `host '${host}' is not a Service of the bundle`, '/spec/host');
      continue;
    }
    arrayOf(dr.object.spec?.subsets).forEach((subset, i) => {
      const sel = { ...service.object.spec?.selector, ...subset?.labels };
      if (!bundle.workloadsSelectedBy(sel, namespaceOf(service.object)).length) findings.add(R['destinationrule-subset'], dr, `subset '${subset?.name}' (${showLabels(sel)}) selects no workload`, `/spec/subsets/${i}`);
    });
  }
  for (const vs of bundle.ofKind('VirtualService')) {
    // http and tcp routes split and name destinations the same way
    const routeLists = (['http', 'tcp'] as const).flatMap(kind => arrayOf(vs.object.spec?.[kind]).map((route, h) => ({ kind, h, route })));
    routeLists.forEach(({ kind, h, route: http }) => {
      const routes = arrayOf(http?.route);
      const sum = routes.reduce((total, r) => total + (r?.weight ?? 0), 0);
      if (routes.length > 1 && sum !== 100) findings.add(R['virtualservice-weights'], vs, `route weights of ${kind}[${h}] sum to ${sum}, not 100`, `/spec/${kind}/${h}/route`);
      routes.forEach((r, i) => {
        const at = `/spec/${kind}/${h}/route/${i}/destination`;
        const host = r?.destination?.host;
        const { name, namespace, service } = serviceOfHost(bundle, host, namespaceOf(vs.object));
        if (!service) findings.add(R['virtualservice-host'], vs, `destination '${host}' is not a Service of the bundle`, at);
        const subset = r?.destination?.subset;
        const defined = rules.some(dr => {
          const target = serviceOfHost(bundle, dr.object.spec?.host, namespaceOf(dr.object));
          return target.name === name && target.namespace === namespace && arrayOf(dr.object.spec?.subsets).some(s => s?.name === subset);
        });
        if (subset && !defined) findings.add(R['virtualservice-subset'], vs, `subset '${subset}' of '${host}' is defined by no DestinationRule`, at);
      });
    });
  }
}

function showLabels(sel: Doc): string {
  if (!isObject(sel) || !Object.keys(sel).length) return '{}';
  return `{${Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(', ')}}`;
}
