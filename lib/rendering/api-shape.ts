/**
 * `Api<T>`: the JSON the API server reads for a generated cdk8s binding type `T`.
 *
 * The generated bindings (cdk8s-plus-28's k8s module, our imports/) take props in their own
 * shape and convert them at every `toJson()` (a `toJson_*` function per type): union classes such
 * as `IntOrString` and `Quantity` become their value, and a few names change (`clusterIp` ->
 * `clusterIP`). We build the API's shape directly (lib/rendering/rendered-object.ts renders it
 * without that conversion), and this type keeps the bindings' documentation and checking for it.
 */

/**
 * Prop names whose API name differs, as the generators spell them (from the `toJson_*`
 * functions: cdk8s-plus-28's k8s module and imports/).
 */
interface Renamed {
  clientIp: 'clientIP';
  clusterIp: 'clusterIP';
  externalId: 'externalID';
  hostIp: 'hostIP';
  hostIpc: 'hostIPC';
  hostPid: 'hostPID';
  loadBalancerIp: 'loadBalancerIP';
  nodeId: 'nodeID';
  podCidr: 'podCIDR';
  podCidRs: 'podCIDRs';
  providerId: 'providerID';
  setHostnameAsFqdn: 'setHostnameAsFQDN';
  downwardApi: 'downwardAPI';
  datasetUuid: 'datasetUUID';
  diskUri: 'diskURI';
  pdId: 'pdID';
  scaleIo: 'scaleIO';
  storagePolicyId: 'storagePolicyID';
  targetWwNs: 'targetWWNs';
  volumeId: 'volumeID';
  insecureSkipTlsVerify: 'insecureSkipTLSVerify';
  targetCpuUtilizationPercentage: 'targetCPUUtilizationPercentage';
  keyVaultResourceUrl: 'keyVaultResourceURL';
  keepFiringFor: 'keep_firing_for';
  partialResponseStrategy: 'partial_response_strategy';
  queryOffset: 'query_offset';
  convertClassicHistogramsToNhcb: 'convertClassicHistogramsToNHCB';
  consecutive5XxErrors: 'consecutive5xxErrors';
  mirrorPercent: 'mirror_percent';
  jwksUri: 'jwks_uri';
}

type ApiName<K> = K extends keyof Renamed ? Renamed[K] : K;

/** A generated union class (`IntOrString`, `Quantity`, a CRD's int-or-string): only `value`. */
type UnionClass<V> = { readonly value: V };

export type Api<T> =
  0 extends (1 & T) ? any :
    T extends string | number | boolean | bigint | symbol | null | undefined ? T :
      T extends (...args: any[]) => any ? T :
        T extends readonly (infer U)[] ? Api<U>[] :
          T extends UnionClass<infer V extends string | number> ? ([Exclude<keyof T, 'value'>] extends [never] ? V : ApiObject<T>) :
            ApiObject<T>;

type ApiObject<T> = { [K in keyof T as ApiName<K>]: Api<T[K]> };
