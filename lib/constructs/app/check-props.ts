// The checks of MicroserviceApp's props: unknown names, and values the API server, Istio or the
// OpenTelemetry SDKs would refuse or misread. All run before the app's Chart exists.
import { isIP } from 'node:net';
import { IConstruct } from 'constructs';
import { MicroserviceConfigError, show } from '../../errors';
import { principal } from '../../network/mesh/istio';
import { GATEWAY_PROPS } from '../../network/gateway';
import type { PodsPeer } from '../../network/network-policy';
import { checkCidrs, checkPeer } from '../../network/peers';
import { checkVersion } from '../../pod/image';
import { checkAnnotations, checkBoolean, checkDnsLabel, checkDnsSubdomain, checkKnownProps, checkLabels } from '../../props/checks';
import { DEFAULT_DNS, DEFAULT_INGRESS_CONTROLLER, DEFAULT_ISTIOD, DEFAULT_ISTIO_INGRESS, DEFAULT_ISTIO_INGRESS_ACCOUNT, DEFAULT_PROMETHEUS, ISTIO_INGRESS_CLASS } from './defaults';
import { APP_PROPS, MicroserviceAppProps, OpenTelemetryOptions, ResolvedMesh } from './props';

// `<service>.<namespace>`, optionally with `.svc` or `.svc.cluster.local`
const IN_CLUSTER_HOST = /^[a-z]([-a-z0-9]*[a-z0-9])?\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.svc(\.cluster\.local)?)?$/;

/** An http(s) URL without a trailing '/'. */
export function checkUrl(scope: IConstruct, prop: string, value: unknown): string {
  if (typeof value !== 'string' || !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(value)) {
    throw new MicroserviceConfigError(scope, `'${prop}' must be an http(s) URL, got ${show(value)}: for example 'https://grafana.example.com'`);
  }
  return value.replace(/\/+$/, '');
}

export function checkOtlp(scope: IConstruct, o: OpenTelemetryOptions): { endpoint: string; protocol: 'grpc' | 'http/protobuf' } {
  let url: URL | undefined;
  try {
    url = new URL(o.endpoint);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol) || !url.port || url.pathname.length > 1) {
    throw new MicroserviceConfigError(scope, `'openTelemetry.endpoint' must be an http(s) URL with a port and no path, got ${show(o.endpoint)}: for example 'http://otel-collector.observability:4317'`);
  }
  // egress is allowed to the namespace the host names: only a Service's cluster DNS name names one
  if (!o.collector && !IN_CLUSTER_HOST.test(url.hostname)) {
    const why = isIP(url.hostname.replace(/^\[|\]$/g, '')) ? 'is an IP address, which names no namespace' : 'names no namespace (<service>.<namespace>[.svc[.cluster.local]])';
    throw new MicroserviceConfigError(scope, `'openTelemetry.endpoint' ${show(o.endpoint)} ${why}: use the collector Service's name, or set 'openTelemetry.collector' to the collector's pods so egress to them can be allowed`);
  }
  if (o.protocol !== undefined && o.protocol !== 'grpc' && o.protocol !== 'http/protobuf') {
    throw new MicroserviceConfigError(scope, `'openTelemetry.protocol' must be 'grpc' or 'http/protobuf', got ${show(o.protocol)}`);
  }
  return { endpoint: o.endpoint, protocol: o.protocol ?? (url.port === '4318' ? 'http/protobuf' : 'grpc') };
}

/**
 * The mesh settings after checks and defaults. Routed traffic must come from a gateway inside
 * the mesh: a controller outside it sends plaintext into STRICT mTLS and has no identity for
 * the AuthorizationPolicies, so nothing would get through.
 */
export function resolveMesh(path: string, props: MicroserviceAppProps): ResolvedMesh {
  const istio = props.istio ?? {};
  const trustDomain = istio.trustDomain ?? 'cluster.local';
  // Istio writes `spiffe://` itself; a trust domain is a DNS-like name
  if (typeof trustDomain !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/i.test(trustDomain) || trustDomain.length > 255) {
    throw new MicroserviceConfigError(path, `'istio.trustDomain' must be a trust domain name such as 'cluster.local' (no scheme: Istio adds 'spiffe://' itself), got ${show(trustDomain)}`);
  }
  if (props.ingressClassName !== undefined && props.ingressClassName !== ISTIO_INGRESS_CLASS) {
    throw new MicroserviceConfigError(path, `'ingressClassName' ${show(props.ingressClassName)} is a controller outside the mesh: it would send plaintext into STRICT mutual TLS and has no identity the AuthorizationPolicies admit, so no request gets through. Use '${ISTIO_INGRESS_CLASS}' (Istio's gateway), or 'gateway' with a Gateway that Istio runs`);
  }
  // Istio's gateway serves the Ingress and reads no ingress-nginx annotation
  const ignored = Object.keys(props.ingressAnnotations ?? {}).filter(k => k.startsWith('nginx.ingress.kubernetes.io/'));
  if (ignored.length) {
    throw new MicroserviceConfigError(path, `'ingressAnnotations' ${ignored.map(k => `'${k}'`).join(', ')} ${ignored.length > 1 ? 'are' : 'is'} for ingress-nginx, which Istio's gateway (the mesh's Ingress) ignores: drop ${ignored.length > 1 ? 'them' : 'it'}, and configure the gateway instead`);
  }
  let principals = istio.ingressPrincipals;
  if (principals === undefined) {
    if (props.ingressController !== undefined) {
      throw new MicroserviceConfigError(path, "'ingressController' is set, so with a mesh 'istio.ingressPrincipals' must name that gateway's identity: for example ['cluster.local/ns/istio-ingress/sa/istio-ingress'] for the Helm gateway chart's release 'istio-ingress'");
    }
    principals = props.gateway
      ? [principal(trustDomain, props.gateway.namespace, `${props.gateway.name}-istio`)]
      : [principal(trustDomain, DEFAULT_ISTIO_INGRESS.namespace!, DEFAULT_ISTIO_INGRESS_ACCOUNT)];
  }
  if (!Array.isArray(principals) || principals.length === 0 || principals.some(p => typeof p !== 'string' || !/^[^/\s]+\/ns\/[a-z0-9-]+\/sa\/[a-z0-9.-]+$/.test(p))) {
    throw new MicroserviceConfigError(path, `'istio.ingressPrincipals' must be principals '<trust domain>/ns/<namespace>/sa/<service account>' (no 'spiffe://'), got ${show(principals)}`);
  }
  return { kind: 'istio', trustDomain, controlPlane: istio.controlPlane ?? DEFAULT_ISTIOD, ingressPrincipals: principals };
}

/** Unknown names, and values the API server or a controller would refuse, in the app's props. */
export function checkAppProps(path: string, props: MicroserviceAppProps): void {
  checkKnownProps(path, props, APP_PROPS.app);
  const nested: Array<[unknown, readonly string[], string]> = [
    [props.monitoring, APP_PROPS.monitoring, 'monitoring.'],
    [props.istio, APP_PROPS.istio, 'istio.'],
    [props.openTelemetry, APP_PROPS.openTelemetry, 'openTelemetry.'],
    [props.gateway, GATEWAY_PROPS, 'gateway.'],
  ];
  for (const [value, known, prefix] of nested) checkKnownProps(path, value, known, prefix);
  checkAppPeers(path, props);
  if (props.tlsSecretName !== undefined) checkDnsSubdomain(path, 'tlsSecretName', props.tlsSecretName, 'shop-tls');
  if (props.ingressClassName !== undefined) checkDnsSubdomain(path, 'ingressClassName', props.ingressClassName, 'nginx');
  checkAnnotations(path, 'ingressAnnotations', props.ingressAnnotations);
  if (props.version !== undefined) checkVersion(path, 'version', props.version);
  checkKubernetesVersion(path, props.kubernetesVersion);
  if (props.gateway) {
    checkDnsSubdomain(path, 'gateway.name', props.gateway.name, 'public');
    checkDnsLabel(path, 'gateway.namespace', props.gateway.namespace, 'gateways');
    if (props.gateway.sectionName !== undefined) checkDnsSubdomain(path, 'gateway.sectionName', props.gateway.sectionName, 'https');
  }
  const m = props.monitoring ?? {};
  checkBoolean(path, 'monitoring.enabled', m.enabled);
  checkBoolean(path, 'monitoring.dashboards', m.dashboards);
  checkLabels(path, 'monitoring.prometheusLabels', m.prometheusLabels);
  checkLabels(path, 'monitoring.prometheusPodLabels', m.prometheusPodLabels);
  checkLabels(path, 'monitoring.ruleLabels', m.ruleLabels);
  checkBoolean(path, 'monitoring.rules', m.rules);
  if (m.prometheusNamespace !== undefined) checkDnsLabel(path, 'monitoring.prometheusNamespace', m.prometheusNamespace, 'monitoring');
  if (m.prometheusUrl !== undefined && (typeof m.prometheusUrl !== 'string' || !/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(m.prometheusUrl))) {
    throw new MicroserviceConfigError(path, `'monitoring.prometheusUrl' must be an http(s) URL of Prometheus's HTTP API, without query or fragment, got ${show(m.prometheusUrl)}: for example 'http://prometheus-operated.monitoring.svc:9090'`);
  }
  if (m.runbookBaseUrl !== undefined && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(String(m.runbookBaseUrl))) {
    throw new MicroserviceConfigError(path, `'monitoring.runbookBaseUrl' must be an http(s) URL, got ${show(m.runbookBaseUrl)}: for example 'https://runbooks.example.com/shop'`);
  }
}

/** The Kubernetes minor versions `kubernetesVersion` takes: the output's API (1.28) and later. */
export const KUBERNETES_MINORS = { oldest: 28, newest: 36 } as const;

/** `kubernetesVersion` as `1.<minor>`, checked: a string, a 1.x version the library knows. */
export function checkKubernetesVersion(path: string, value: unknown): string {
  if (value === undefined) return `1.${KUBERNETES_MINORS.oldest}`;
  const range = `'1.${KUBERNETES_MINORS.oldest}' to '1.${KUBERNETES_MINORS.newest}'`;
  if (typeof value === 'number') {
    throw new MicroserviceConfigError(path, `'kubernetesVersion' must be a string such as '1.30', got the number ${value}: write it in quotes (the number 1.30 is 1.3)`);
  }
  const m = typeof value === 'string' ? /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(value) : null;
  if (!m) {
    throw new MicroserviceConfigError(path, `'kubernetesVersion' must be a Kubernetes version '<major>.<minor>', ${range}, got ${show(value)}: for example '1.30' (what 'kubectl version' reports as the server's)`);
  }
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major !== 1 || minor < KUBERNETES_MINORS.oldest || minor > KUBERNETES_MINORS.newest) {
    const why = major === 1 && minor < KUBERNETES_MINORS.oldest
      ? `the output uses the Kubernetes 1.${KUBERNETES_MINORS.oldest} API, which an older API server does not fully know: upgrade the cluster`
      : `the library knows Kubernetes up to 1.${KUBERNETES_MINORS.newest}: give '1.${KUBERNETES_MINORS.newest}' (what it emits for 1.${KUBERNETES_MINORS.newest} also holds later)`;
    throw new MicroserviceConfigError(path, `'kubernetesVersion' must be ${range}, got ${show(value)}: ${why}`);
  }
  return `${major}.${minor}`;
}

/** Namespaces of the cluster itself, which the app's default-deny policy would cut off. */
const SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease', 'default'];

/**
 * The app's namespace gets a default-deny policy for every pod in it: it must be the app's
 * own, not the cluster's or a namespace of the infrastructure the app talks to.
 */
export function checkOwnNamespace(path: string, namespace: string, props: MicroserviceAppProps): void {
  const fix = `give the app a namespace of its own, for example '${path.split('/').pop()}-app'`;
  if (SYSTEM_NAMESPACES.includes(namespace)) {
    throw new MicroserviceConfigError(path, `'namespace' ${show(namespace)} is shared with the cluster's own workloads, which the app's default-deny network policy would cut off (cluster DNS in kube-system): ${fix}`);
  }
  const monitoringOn = props.monitoring?.enabled !== false;
  const infrastructure: Array<[string, string | undefined]> = [
    ['the cluster DNS (dns)', (props.dns ?? DEFAULT_DNS).namespace],
    ['Prometheus (monitoring.prometheusNamespace)', monitoringOn ? props.monitoring?.prometheusNamespace ?? DEFAULT_PROMETHEUS.namespace : undefined],
    ['the Ingress controller (ingressController)', props.ingressController?.namespace ?? (props.gateway ? props.gateway.namespace : props.mesh ? DEFAULT_ISTIO_INGRESS.namespace : DEFAULT_INGRESS_CONTROLLER.namespace)],
    ["Istio's control plane (istio.controlPlane)", props.mesh ? (props.istio?.controlPlane ?? DEFAULT_ISTIOD).namespace : undefined],
  ];
  for (const [what, ns] of infrastructure) {
    if (ns === namespace) throw new MicroserviceConfigError(path, `'namespace' ${show(namespace)} is where ${what} runs, which the app's default-deny network policy would cut off: ${fix}`);
  }
}

/**
 * The network peers of an app's props (Ingress controller, DNS, Prometheus, istiod, the
 * OpenTelemetry collector): known props, namespaces, labels and address ranges as the API
 * server parses them, and no address range where the mesh would refuse its traffic anyway.
 */
function checkAppPeers(path: string, props: MicroserviceAppProps): void {
  const peers: Array<[string, PodsPeer | undefined]> = [
    ['ingressController', props.ingressController], ['dns', props.dns],
    ['istio.controlPlane', props.istio?.controlPlane], ['openTelemetry.collector', props.openTelemetry?.collector],
  ];
  for (const [prop, peer] of peers) checkPeer(path, prop, peer);
  const monitoring = props.monitoring;
  checkCidrs(path, 'monitoring.prometheusCidrs', monitoring?.prometheusCidrs);
  if (monitoring?.enabled === false && monitoring.prometheusCidrs !== undefined) {
    throw new MicroserviceConfigError(path, "'monitoring.prometheusCidrs' has nothing to admit: monitoring is off (monitoring.enabled: false), so no policy lets Prometheus scrape; drop it, or turn monitoring on");
  }
  // routed services take only the ingress gateway's mutual TLS in the mesh: a plain address has no identity
  if (props.mesh !== undefined && props.ingressController?.cidrs !== undefined) {
    throw new MicroserviceConfigError(path, "'ingressController.cidrs' cannot reach a routed service in the mesh: traffic from an address range carries no mesh identity, so the service's sidecar (STRICT mutual TLS) and its AuthorizationPolicy (which admits only the ingress gateway's principals, istio.ingressPrincipals) refuse it. Point the load balancer at the mesh's ingress gateway (admitted in its own namespace), or drop 'cidrs'");
  }
}
