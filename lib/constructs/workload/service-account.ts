// The ServiceAccount a workload's pods run as: one of its own (named after it), or one that
// several workloads of the app name and share (`serviceAccount: { name }`), kept under the app
// so that it lives as long as any workload names it.
import * as k8s from '../../rendering/kube';
import type { IConstruct } from 'constructs';
import { MicroserviceConfigError, show } from '../../errors';
import { standardLabels } from '../../labels';
import { checkAnnotations, checkDnsSubdomain, checkKnownProps, propNames } from '../../props/checks';
import { addWarnings } from '../../warnings';
import type { MicroserviceApp } from '../microservice-app';
import type { ServiceTarget } from '../service-target';

/**
 * The ServiceAccount of a workload's pods (`spec.serviceAccountName`): the identity Kubernetes
 * gives them for the API server, for cloud credentials through its annotations, and in a mesh
 * for mutual TLS (Istio's principal `<trust domain>/ns/<namespace>/sa/<name>`).
 */
export interface ServiceAccountOptions {
  /**
   * A ServiceAccount that every workload of the app naming it shares: one object, made once
   * under the app (it stays while any workload names it). Sharing one account shares one
   * identity: a mesh cannot tell the workloads apart, so an AuthorizationPolicy that admits one
   * of them admits all (synth warns, naming them); network policy stays per workload.
   * @default - an account of the workload's own, named after it
   */
  readonly name?: string;
  /**
   * Annotations of the ServiceAccount, which cloud platforms read to give its pods credentials
   * without a key: GKE Workload Identity `iam.gke.io/gcp-service-account:
   * <name>@<project>.iam.gserviceaccount.com`
   * (https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity), EKS IAM roles
   * for service accounts `eks.amazonaws.com/role-arn: arn:aws:iam::<account>:role/<role>`
   * (https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html; EKS's
   * webhook mounts its own projected token, so `automountServiceAccountToken` stays false).
   * Every workload sharing an account gives the same annotations.
   * @default - none
   */
  readonly annotations?: Record<string, string>;
}

export const SERVICE_ACCOUNT_PROPS = propNames<ServiceAccountOptions>({ name: true, annotations: true });

/** What the accounts need of a workload. */
export interface AccountUser extends IConstruct {
  readonly name: string;
  /** The mesh identity of its pods. */
  readonly principal: string;
  /** The services it calls (connectTo()): their AuthorizationPolicies admit its principal. */
  readonly connections: readonly ServiceTarget[];
}

interface Account {
  readonly object: k8s.KubeServiceAccount;
  readonly annotations: Record<string, string>;
  /** Named by `serviceAccount.name` (shared), or a workload's own. */
  readonly shared: boolean;
  readonly users: AccountUser[];
}

// the ServiceAccounts of each app, by name
const ACCOUNTS = new WeakMap<MicroserviceApp, Map<string, Account>>();

/** The account a workload will run as, checked before the workload makes any object. */
export interface AccountPlan {
  /** The ServiceAccount's name: `spec.serviceAccountName` of the pods. */
  readonly name: string;
  /** Makes (or joins) the account; returns it. */
  create(w: AccountUser, own: { readonly metadata: k8s.ObjectMeta; readonly automountServiceAccountToken: boolean }): k8s.KubeServiceAccount;
}

const sortedJson = (o: Record<string, string>) => JSON.stringify(Object.keys(o).sort().map(k => [k, o[k]]));

/** Checks `serviceAccount` of workload `id` against the accounts of its app. */
export function planServiceAccount(scope: IConstruct, app: MicroserviceApp, id: string, options: ServiceAccountOptions | undefined): AccountPlan {
  checkKnownProps(scope, options, SERVICE_ACCOUNT_PROPS, 'serviceAccount.');
  const shared = options?.name !== undefined;
  const name = shared ? checkDnsSubdomain(scope, 'serviceAccount.name', options!.name, 'bank-of-anthos') : id;
  const annotations = checkAnnotations(scope, 'serviceAccount.annotations', options?.annotations);
  const accounts = ACCOUNTS.get(app) ?? new Map<string, Account>();
  ACCOUNTS.set(app, accounts);
  // two workloads' own accounts of one name (same ids in two scopes) are the app's name clash, reported at synth
  const existing = shared || accounts.get(name)?.shared ? accounts.get(name) : undefined;
  const users = (a: Account) => a.users.map(u => `'${u.node.id}'`).join(', ');
  if (existing && !shared) {
    throw new MicroserviceConfigError(scope, `its own ServiceAccount would be named '${name}', the account ${users(existing)} share ('serviceAccount.name'): set serviceAccount: { name: '${name}' } here to share it too, or give the others another name`);
  }
  if (existing && !existing.shared) {
    throw new MicroserviceConfigError(scope, `'serviceAccount.name' '${name}' is the ServiceAccount that workload '${existing.users[0].node.id}' has of its own: give it serviceAccount: { name: '${name}' } too to share it, or choose another name`);
  }
  if (existing && sortedJson(existing.annotations) !== sortedJson(annotations)) {
    throw new MicroserviceConfigError(scope, `'serviceAccount.annotations' ${show(annotations)} differ from ${show(existing.annotations)}, which ${users(existing)} give the ServiceAccount '${name}' they share with this workload: one account has one set of annotations; give them all the same, or give this workload an account of its own`);
  }
  return {
    name,
    create: (w, own) => {
      if (existing) {
        existing.users.push(w);
        return existing.object;
      }
      const metadata = shared
        ? { name, namespace: app.namespaceName, labels: standardLabels({ name, instance: name, version: app.version, component: 'service-account', partOf: app.node.id }) }
        : own.metadata;
      // a shared account's pods each say whether they mount a token: the pod's field wins over the account's
      const object = new k8s.KubeServiceAccount(shared ? app : w, shared ? `ServiceAccount-${name}` : 'ServiceAccount', {
        metadata: { ...metadata, annotations: Object.keys(annotations).length ? annotations : undefined },
        automountServiceAccountToken: shared ? false : own.automountServiceAccountToken,
      });
      const account: Account = { object, annotations, shared, users: [w] };
      if (!accounts.has(name)) accounts.set(name, account);
      if (shared) warnWhenWidened(app, name, account);
      return object;
    },
  };
}

/**
 * In a mesh, the warning that a shared account lets every workload using it through an
 * AuthorizationPolicy that admits one of them (principals are per ServiceAccount): computed
 * when warnings are read, so connectTo() calls made later count.
 */
function warnWhenWidened(app: MicroserviceApp, name: string, account: Account): void {
  addWarnings(account.object, () => {
    if (!app.mesh || account.users.length < 2) return [];
    const list = (us: AccountUser[]) => us.map(u => `'${u.node.id}'`).join(', ');
    return [...new Set(account.users.flatMap(u => u.connections))].flatMap(t => {
      const admitted = account.users.filter(u => u.connections.includes(t));
      const widened = account.users.filter(u => !admitted.includes(u) && (u as IConstruct) !== t);
      if (widened.length === 0) return [];
      return [`${list(account.users)} share the ServiceAccount '${name}', so the mesh sees them as one identity (${account.users[0].principal}): the AuthorizationPolicy of '${t.node.path}' admits ${list(admitted)} (connectTo) and so ${list(widened)} too, which never connect to it. Network policy still admits only ${list(admitted)}; for exact mesh admission give ${widened.length > 1 ? 'them' : 'it'} a ServiceAccount of ${widened.length > 1 ? 'their' : 'its'} own`];
    });
  });
}
