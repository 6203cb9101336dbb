// Where the infrastructure an app talks to runs when its props do not say: the Ingress
// controller, the cluster DNS, Prometheus, and Istio's control plane and gateway.
import type { PodsPeer } from '../../network/network-policy';

/** The IngressClass Istio's gateway serves (controller `istio.io/ingress-controller`). */
export const ISTIO_INGRESS_CLASS = 'istio';

export const DEFAULT_INGRESS_CONTROLLER: PodsPeer = { namespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } };
export const DEFAULT_DNS: PodsPeer = { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } };
export const DEFAULT_PROMETHEUS: PodsPeer = { namespace: 'monitoring', podLabels: { 'app.kubernetes.io/name': 'prometheus' } };
export const DEFAULT_ISTIOD: PodsPeer = { namespace: 'istio-system', podLabels: { app: 'istiod' } };
/**
 * With a mesh, routed traffic comes through Istio's ingress gateway (it holds a mesh identity):
 * the one `istioctl install` makes. The Helm `gateway` chart labels its pods `istio: <release
 * name without 'istio-'>` (`istio: ingress` for a release `istio-ingress`) and runs them as the
 * release's service account: set `ingressController` and `istio.ingressPrincipals` for it.
 */
export const DEFAULT_ISTIO_INGRESS: PodsPeer = { namespace: 'istio-system', podLabels: { istio: 'ingressgateway' } };
/** The service account of the ingress gateway `istioctl install` makes. */
export const DEFAULT_ISTIO_INGRESS_ACCOUNT = 'istio-ingressgateway-service-account';
/** The port sidecars fetch configuration and certificates from istiod on. */
export const ISTIOD_XDS_PORT = 15012;
