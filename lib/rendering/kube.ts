/**
 * The Kubernetes kinds and types our constructs build, in the API's JSON shape (`Api<T>` of
 * cdk8s-plus-28's generated k8s bindings): what lib/ imports as `k8s`. The classes are the
 * bindings' own (`instanceof k8s.KubeDeployment` holds) rendered by ./rendered-object.ts.
 * cdk8s-plus-28's k8s module, not its index: the index loads every L2 construct.
 */
import * as bindings from 'cdk8s-plus-28/lib/imports/k8s';
import type { Api } from './api-shape';
import { rendered } from './rendered-object';

export const KubeConfigMap = rendered(bindings.KubeConfigMap);
export type KubeConfigMap = bindings.KubeConfigMap;
export const KubeCronJob = rendered(bindings.KubeCronJob);
export type KubeCronJob = bindings.KubeCronJob;
export const KubeDeployment = rendered(bindings.KubeDeployment);
export type KubeDeployment = bindings.KubeDeployment;
export const KubeHorizontalPodAutoscalerV2 = rendered(bindings.KubeHorizontalPodAutoscalerV2);
export type KubeHorizontalPodAutoscalerV2 = bindings.KubeHorizontalPodAutoscalerV2;
export const KubeIngress = rendered(bindings.KubeIngress);
export type KubeIngress = bindings.KubeIngress;
export const KubeJob = rendered(bindings.KubeJob);
export type KubeJob = bindings.KubeJob;
export const KubeNamespace = rendered(bindings.KubeNamespace);
export type KubeNamespace = bindings.KubeNamespace;
export const KubeNetworkPolicy = rendered(bindings.KubeNetworkPolicy);
export type KubeNetworkPolicy = bindings.KubeNetworkPolicy;
export const KubePodDisruptionBudget = rendered(bindings.KubePodDisruptionBudget);
export type KubePodDisruptionBudget = bindings.KubePodDisruptionBudget;
export const KubeService = rendered(bindings.KubeService);
export type KubeService = bindings.KubeService;
export const KubeServiceAccount = rendered(bindings.KubeServiceAccount);
export type KubeServiceAccount = bindings.KubeServiceAccount;
export const KubeStatefulSet = rendered(bindings.KubeStatefulSet);
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
export type LabelSelector = Api<bindings.LabelSelector>;
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
