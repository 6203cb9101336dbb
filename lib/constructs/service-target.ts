import type { IConstruct } from 'constructs';
import type { MicroserviceApp } from './microservice-app';

/**
 * What `connectTo()` needs of its target: a workload behind a Service (ObservedService,
 * StatefulService). Its own file, so that workload.ts does not import the constructs built on it.
 */
export interface ServiceTarget extends IConstruct {
  readonly app: MicroserviceApp;
  /** The Service name. */
  readonly name: string;
  /** The protocol of the Service port: it picks the address format. */
  readonly protocol: 'http' | 'grpc' | 'tcp';
  /** The name of the container port callers reach: policies allow it by name. */
  readonly portName: string;
  /** The labels of the target's objects (its policies get them). */
  readonly labels: Record<string, string>;
  /** Labels that select every pod of the target. */
  readonly selectorLabels: Record<string, string>;
  /** The address callers use, from the caller's app. */
  address(format: 'url' | 'host:port', from?: MicroserviceApp): string;
  /** @internal Called by connectTo(): the caller's identity is admitted by the target's AuthorizationPolicy. */
  _admitCaller(caller: MeshCaller): void;
}

/** What a target's mesh policy needs of a caller (a Workload): its identity. */
export interface MeshCaller {
  /** The mesh identity of the caller's pods, as AuthorizationPolicies name it. */
  readonly principal: string;
}

/**
 * A Service's address as callers write it: `http://catalog:80` or `catalog:3550`, with the
 * namespace (`catalog.shop:3550`) from another app. gRPC is HTTP/2: its URL scheme is http.
 */
export function serviceAddress(t: { readonly name: string; readonly app: MicroserviceApp; readonly protocol: string }, servicePort: number, format: 'url' | 'host:port', from?: MicroserviceApp): string {
  const host = from && from !== t.app ? `${t.name}.${t.app.namespaceName}` : t.name;
  const hostPort = `${host}:${servicePort}`;
  return format === 'url' ? `${t.protocol === 'tcp' ? 'tcp' : 'http'}://${hostPort}` : hostPort;
}
