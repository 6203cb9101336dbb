/**
 * The Kubernetes kinds and types our constructs build, in the API's JSON shape (`Api<T>` of
 * cdk8s-plus-28's generated k8s bindings): what lib/ imports as `k8s`. The classes are the
 * bindings' own (`instanceof k8s.KubeDeployment` holds) rendered by ./rendered-object.ts.
 * cdk8s-plus-28's k8s module, not its index: the index loads every L2 construct.
 */
import * as bindings from 'cdk8s-plus-28/lib/imports/k8s';
import type { Api } from './api-shape';
import { rendered } from './rendered-object';

export const KubeConfigMap = rendered<bindings.KubeConfigMapProps, typeof bindings.KubeConfigMap>(bindings.KubeConfigMap);
export type KubeConfigMap = bindings.KubeConfigMap;
export const KubeCronJob = rendered<bindings.KubeCronJobProps, typeof bindings.KubeCronJob>(bindings.KubeCronJob);
export type KubeCronJob = bindings.KubeCronJob;
export const KubeDeployment = rendered<bindings.KubeDeploymentProps, typeof bindings.KubeDeployment>(bindings.KubeDeployment);
export type KubeDeployment = bindings.KubeDeployment;
export const KubeHorizontalPodAutoscalerV2 = rendered<bindings.KubeHorizontalPodAutoscalerV2Props, typeof bindings.KubeHorizontalPodAutoscalerV2>(bindings.KubeHorizontalPodAutoscalerV2);
export type KubeHorizontalPodAutoscalerV2 = bindings.KubeHorizontalPodAutoscalerV2;
export const KubeIngress = rendered<bindings.KubeIngressProps, typeof bindings.KubeIngress>(bindings.KubeIngress);
export type KubeIngress = bindings.KubeIngress;
export const KubeJob = rendered<bindings.KubeJobProps, typeof bindings.KubeJob>(bindings.KubeJob);
export type KubeJob = bindings.KubeJob;
export const KubeNamespace = rendered<bindings.KubeNamespaceProps, typeof bindings.KubeNamespace>(bindings.KubeNamespace);
export type KubeNamespace = bindings.KubeNamespace;
export const KubeNetworkPolicy = rendered<bindings.KubeNetworkPolicyProps, typeof bindings.KubeNetworkPolicy>(bindings.KubeNetworkPolicy);
export type KubeNetworkPolicy = bindings.KubeNetworkPolicy;
export const KubePodDisruptionBudget = rendered<bindings.KubePodDisruptionBudgetProps, typeof bindings.KubePodDisruptionBudget>(bindings.KubePodDisruptionBudget);
export type KubePodDisruptionBudget = bindings.KubePodDisruptionBudget;
export const KubeService = rendered<bindings.KubeServiceProps, typeof bindings.KubeService>(bindings.KubeService);
export type KubeService = bindings.KubeService;
export const KubeServiceAccount = rendered<bindings.KubeServiceAccountProps, typeof bindings.KubeServiceAccount>(bindings.KubeServiceAccount);
export type KubeServiceAccount = bindings.KubeServiceAccount;
export const KubeStatefulSet = rendered<bindings.KubeStatefulSetProps, typeof bindings.KubeStatefulSet>(bindings.KubeStatefulSet);
export type KubeStatefulSet = bindings.KubeStatefulSet;

export type Affinity = Api<bindings.Affinity>;
export type ConfigMapKeySelector = Api<bindings.ConfigMapKeySelector>;
export type Container = Api<bindings.Container>;
export type ContainerPort = Api<bindings.ContainerPort>;
export type DeploymentSpec = Api<bindings.DeploymentSpec>;
export type EnvFromSource = Api<bindings.EnvFromSource>;
export type EnvVar = Api<bindings.EnvVar>;
export type IngressRule = Api<bindings.IngressRule>;
export type IngressSpec = Api<bindings.IngressSpec>;
export type KubeJobProps = Api<bindings.KubeJobProps>;
export type LocalObjectReference = Api<bindings.LocalObjectReference>;
export type MetricSpecV2 = Api<bindings.MetricSpecV2>;
export type NetworkPolicyPeer = Api<bindings.NetworkPolicyPeer>;
export type ObjectMeta = Api<bindings.ObjectMeta>;
export type PodSecurityContext = Api<bindings.PodSecurityContext>;
export type PodTemplateSpec = Api<bindings.PodTemplateSpec>;
export type Probe = Api<bindings.Probe>;
export type ResourceRequirements = Api<bindings.ResourceRequirements>;
export type RollingUpdateDeployment = Api<bindings.RollingUpdateDeployment>;
export type SecurityContext = Api<bindings.SecurityContext>;
export type ServicePort = Api<bindings.ServicePort>;
export type Toleration = Api<bindings.Toleration>;
export type TopologySpreadConstraint = Api<bindings.TopologySpreadConstraint>;
export type Volume = Api<bindings.Volume>;
export type VolumeMount = Api<bindings.VolumeMount>;
