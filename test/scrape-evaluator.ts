// A small model of what the Prometheus Operator and Prometheus make of a ServiceMonitor or
// PodMonitor, for the tests: Kubernetes service discovery (the `endpoints` role for a
// ServiceMonitor, the `pod` role for a PodMonitor), the keep rule the Operator generates for the
// endpoint's port, then the endpoint's own relabelings. The result is the addresses Prometheus
// scrapes. Only what the library emits is modelled (matchLabels, matchNames, port/targetPort/
// portNumber, `replace` relabelings); anything else throws, so it cannot be misjudged silently.
//
// Discovery, from the Prometheus docs (configuration.md, kubernetes_sd_config): the pod role
// makes one target per declared container port; the endpoints role makes one target per
// Service port of each endpoint and, for endpoints backed by a pod, one per container port that
// is not bound to a Service port. The Operator keeps targets by `__meta_kubernetes_endpoint_port_name`
// (ServiceMonitor `port`), `__meta_kubernetes_pod_container_port_name` or `_number` (`targetPort`,
// PodMonitor `port`/`portNumber`).

export interface ScrapedPod {
  readonly name: string;
  readonly namespace: string;
  readonly ip: string;
  readonly labels: Record<string, string>;
  readonly containers: ReadonlyArray<{ readonly name: string; readonly ports?: ReadonlyArray<{ readonly name?: string; readonly containerPort: number }> }>;
}

export interface ScrapedService {
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly spec: { readonly selector?: Record<string, string>; readonly ports?: ReadonlyArray<{ readonly name?: string; readonly port: number; readonly targetPort?: number | string }> };
}

interface Target {
  readonly labels: Record<string, string>;
}

export interface Relabeling {
  readonly action?: string;
  readonly sourceLabels?: string[];
  readonly separator?: string;
  readonly regex?: string;
  readonly replacement?: string;
  readonly targetLabel?: string;
}

const selects = (sel: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  Object.entries(sel ?? {}).every(([k, v]) => labels?.[k] === v);

function checkKeys(what: string, o: object, known: string[]): void {
  for (const k of Object.keys(o)) if (!known.includes(k)) throw new Error(`${what}.${k} is not modelled`);
}

/** Applies Prometheus relabelings; returns undefined when a keep/drop rule drops the target. */
export function relabel(labels: Record<string, string>, rules: readonly Relabeling[]): Record<string, string> | undefined {
  let out = { ...labels };
  for (const r of rules) {
    checkKeys('relabeling', r, ['action', 'sourceLabels', 'separator', 'regex', 'replacement', 'targetLabel']);
    const action = (r.action ?? 'replace').toLowerCase();
    const value = (r.sourceLabels ?? []).map(l => out[l] ?? '').join(r.separator ?? ';');
    // Prometheus anchors every relabeling regex at both ends
    const m = new RegExp(`^(?:${r.regex ?? '(.*)'})$`).exec(value);
    if (action === 'keep') {
      if (!m) return undefined;
    } else if (action === 'drop') {
      if (m) return undefined;
    } else if (action === 'replace') {
      if (!m || !r.targetLabel) continue;
      const replaced = (r.replacement ?? '$1').replace(/\$\{?(\d+)\}?/g, (_, i) => m[Number(i)] ?? '');
      out = { ...out, [r.targetLabel]: replaced };
    } else {
      throw new Error(`relabeling action ${action} is not modelled`);
    }
  }
  return out;
}

const address = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

function podTargets(pod: ScrapedPod): Target[] {
  return pod.containers.flatMap(c => (c.ports ?? []).map(p => ({
    labels: {
      __address__: address(pod.ip, p.containerPort),
      __meta_kubernetes_pod_ip: pod.ip,
      __meta_kubernetes_pod_name: pod.name,
      __meta_kubernetes_pod_container_name: c.name,
      __meta_kubernetes_pod_container_port_name: p.name ?? '',
      __meta_kubernetes_pod_container_port_number: String(p.containerPort),
    },
  })));
}

function portRule(label: string, value: string | number): Relabeling {
  return { action: 'keep', sourceLabels: [label], regex: String(value) };
}

/** The addresses a ServiceMonitor makes Prometheus scrape, as `pod address path`. */
export function serviceMonitorTargets(sm: any, services: readonly ScrapedService[], pods: readonly ScrapedPod[]): string[] {
  checkKeys('ServiceMonitor.spec', sm.spec, ['selector', 'namespaceSelector', 'endpoints']);
  const namespaces: string[] = sm.spec.namespaceSelector?.matchNames ?? [sm.metadata.namespace];
  const selected = services.filter(s => namespaces.includes(s.metadata.namespace ?? '') && selects(sm.spec.selector?.matchLabels, s.metadata.labels));
  const out: string[] = [];
  for (const ep of sm.spec.endpoints ?? []) {
    checkKeys('ServiceMonitor endpoint', ep, ['port', 'targetPort', 'path', 'interval', 'scheme', 'relabelings']);
    const keep = ep.port !== undefined ? portRule('__meta_kubernetes_endpoint_port_name', ep.port)
      : typeof ep.targetPort === 'number' ? portRule('__meta_kubernetes_pod_container_port_number', ep.targetPort)
        : portRule('__meta_kubernetes_pod_container_port_name', ep.targetPort);
    for (const svc of selected) {
      for (const pod of pods.filter(p => p.namespace === svc.metadata.namespace && selects(svc.spec.selector, p.labels))) {
        const containerPorts = podTargets(pod);
        const bound = new Set<string>();
        const targets: Target[] = [];
        for (const sp of svc.spec.ports ?? []) {
          const tp = sp.targetPort ?? sp.port;
          const cp = containerPorts.find(t => (typeof tp === 'number' ? t.labels.__meta_kubernetes_pod_container_port_number === String(tp) : t.labels.__meta_kubernetes_pod_container_port_name === tp));
          const port = cp ? Number(cp.labels.__meta_kubernetes_pod_container_port_number) : Number(tp);
          if (cp) bound.add(cp.labels.__address__);
          targets.push({ labels: { ...(cp?.labels ?? { __meta_kubernetes_pod_ip: pod.ip }), __address__: address(pod.ip, port), __meta_kubernetes_endpoint_port_name: sp.name ?? '' } });
        }
        targets.push(...containerPorts.filter(t => !bound.has(t.labels.__address__)));
        for (const t of targets) {
          const labels = relabel(t.labels, [keep, ...(ep.relabelings ?? [])]);
          if (labels) out.push(`${pod.name} ${labels.__address__} ${ep.path}`);
        }
      }
    }
  }
  return out;
}

/** The addresses a PodMonitor makes Prometheus scrape, as `pod address path`. */
export function podMonitorTargets(pm: any, pods: readonly ScrapedPod[]): string[] {
  checkKeys('PodMonitor.spec', pm.spec, ['selector', 'namespaceSelector', 'podMetricsEndpoints']);
  const namespaces: string[] = pm.spec.namespaceSelector?.matchNames ?? [pm.metadata.namespace];
  const out: string[] = [];
  for (const ep of pm.spec.podMetricsEndpoints ?? []) {
    checkKeys('PodMonitor endpoint', ep, ['port', 'portNumber', 'path', 'interval', 'scheme', 'relabelings']);
    const keep = ep.port !== undefined ? portRule('__meta_kubernetes_pod_container_port_name', ep.port) : portRule('__meta_kubernetes_pod_container_port_number', ep.portNumber);
    for (const pod of pods.filter(p => namespaces.includes(p.namespace) && selects(pm.spec.selector?.matchLabels, p.labels))) {
      for (const t of podTargets(pod)) {
        const labels = relabel(t.labels, [keep, ...(ep.relabelings ?? [])]);
        if (labels) out.push(`${pod.name} ${labels.__address__} ${ep.path}`);
      }
    }
  }
  return out;
}

/** The sidecar Istio's injector adds: it declares only 15090 `http-envoy-prom` (Envoy's own stats). */
export const ISTIO_PROXY_CONTAINER = { name: 'istio-proxy', ports: [{ name: 'http-envoy-prom', containerPort: 15090 }] };
