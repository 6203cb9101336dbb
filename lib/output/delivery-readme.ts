// The "Progressive delivery" section of an app's README (./app-readme.ts): which services Argo
// Rollouts releases and how, what the cluster needs, and how to watch, promote, abort and roll
// back. Upstream: https://argo-rollouts.readthedocs.io/en/stable/ (features/canary/,
// features/analysis/, features/traffic-management/istio/ and nginx/, generated/kubectl-argo-rollouts/).
import type { MicroserviceApp } from '../constructs/microservice-app';
import { ObservedService } from '../constructs/observed-service';
import { workloadsOf } from './graph';

/** `10% → 25% → 50%, 5m each, judged on its SLO`: a service's release steps, for the workload table. */
export function deliverySummary(s: ObservedService): string {
  const pd = s.progressiveDelivery!;
  const pause = pd.pause !== undefined ? `${pd.pause} each` : 'each promoted by hand';
  return `${pd.steps.map(w => `${w}%`).join(' → ')}, ${pause}${pd.analysis ? ', judged on its SLO' : ''}`;
}

/** The README lines on the app's progressively delivered services; none when it has none. */
export function deliverySection(app: MicroserviceApp): string[] {
  const services = workloadsOf(app).filter((w): w is ObservedService => w instanceof ObservedService && w.progressiveDelivery !== undefined);
  if (services.length === 0) return [];
  const ns = app.namespaceName;
  const first = services[0].name;
  const argo = `kubectl argo rollouts -n ${ns}`;
  const nginx = services.some(s => s.stableService !== undefined);
  const analysed = services.filter(s => s.analysisTemplate !== undefined);
  const lines = [
    '## Progressive delivery',
    '',
    'Argo Rollouts releases every change of these services\' pod template step by step: a `Rollout` runs',
    'their pods from the Deployment\'s template (`workloadRef`; the controller scales the Deployment itself to 0),',
    'and the canary gets each share of requests in turn, then all of them.',
    '',
    '| service | steps | split by | judged by |',
    '| --- | --- | --- | --- |',
    ...services.map(s => `| ${s.name} | ${deliverySummary(s)} | ${router(s, app)} | ${s.analysisTemplate ? `AnalysisTemplate \`${s.name}\` (its SLO's queries over the canary's pods)` : 'no analysis'} |`),
    '',
    'The cluster must have, before the first apply: the Argo Rollouts controller (1.9, with its CRDs) and the',
    '`kubectl argo rollouts` plugin;',
    ...(app.mesh
      ? ['with the mesh, its Istio support needs nothing more (it rewrites the VirtualService weights and the DestinationRule subsets);']
      : []),
    ...(nginx
      ? ['ingress-nginx, whose canary annotations Argo Rollouts writes on a canary Ingress it makes beside each stable one',
        '(it handles Ingresses of class `nginx` unless started with `--nginx-ingress-classes`);']
      : []),
    ...(analysed.length
      ? [`Prometheus reachable from the controller at \`${app.monitoring!.prometheusUrl}\` (\`monitoring.prometheusUrl\`);`]
      : []),
    'and, for the `RolloutAborted`, `RolloutStuck` and `RolloutPaused` alerts, the controller\'s metrics scraped',
    '(argo-rollouts Helm chart: `controller.metrics.enabled` and `controller.metrics.serviceMonitor.enabled`).',
    '',
    'A release: change the image (or anything of the pod template), synthesize and apply. The first apply of a',
    'service starts it at full size without steps. Then:',
    '',
    '```sh',
    `${argo} get rollout ${first} -w     # watch the steps, the canary's pods and each analysis`,
    `${argo} promote ${first}            # end the current pause now (--full: skip the remaining steps and analyses)`,
    `${argo} abort ${first}              # all requests back to the stable pods; the canary's go 30 s later`,
    `${argo} retry rollout ${first}      # start an aborted release again`,
    '```',
    '',
    ...(analysed.length ? [
      'After each pause an analysis compares the canary\'s error ratio over that pause with the objective\'s error',
      'budget (1 - objective): within it, the next step; above it, the release is aborted (rolled back) by itself;',
      'with too few requests to judge (fewer than 1 / budget, and than 100: 1000 for 99.9%), the rollout pauses',
      'until someone promotes or aborts it.',
      '',
    ] : []),
    'After an abort, by hand or by analysis, the stable pods serve everything and the Rollout stays Degraded: the',
    'Deployment\'s template still holds the aborted release, so revert it in the app\'s source and apply (or fix',
    'it and apply a new release). `kubectl argo rollouts undo` patches the Deployment, which the next apply of',
    'these files reverts.',
    '',
    ...(app.mesh ? [
      'Calls inside the mesh are split exactly; requests through the Ingress reach stable and canary pods by pod',
      'count. The controller rewrites the VirtualService\'s route weights and labels the DestinationRule\'s subsets',
      'with each ReplicaSet\'s `rollouts-pod-template-hash`, so applying these files during a release resets them',
      'for a moment (it puts them back). With Argo CD, ignore what it rewrites and apply only what is out of sync:',
      '',
      '```yaml',
      'spec:',
      '  ignoreDifferences:',
      '    - group: networking.istio.io',
      '      kind: VirtualService',
      '      jqPathExpressions: [\'.spec.http[].route[].weight\']',
      '    - group: networking.istio.io',
      '      kind: DestinationRule',
      '      jqPathExpressions: [\'.spec.subsets[].labels["rollouts-pod-template-hash"]\']',
      '  syncPolicy:',
      '    syncOptions: [ApplyOutOfSyncOnly=true, RespectIgnoreDifferences=true]',
      '```',
      '',
    ] : []),
  ];
  return lines;
}

function router(s: ObservedService, app: MicroserviceApp): string {
  if (s.virtualService && app.mesh) return `Istio: VirtualService and DestinationRule \`${s.name}\` (subsets stable, canary)`;
  if (s.stableService) return `ingress-nginx: Ingress \`${app.node.id}-${s.name}\`, Services \`${s.stableService.name}\`, \`${s.canaryService!.name}\``;
  return 'pod count (no mesh, no route)';
}
