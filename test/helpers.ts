import { App, Chart, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { MicroserviceApp, MicroserviceAppProps, MicroserviceConfigError } from '../lib';
import { main } from '../lib/tools/cli/main';
import type { Io } from '../lib/tools/cli/io';

/** A Kubernetes object as synthesized. */
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [k: string]: any };

/**
 * A readiness check the test's image is taken to serve: a workload that declares it gets no
 * probe warning at synth, and its liveness (the default TCP connect) differs from it.
 */
export const READY = { readiness: { httpPath: '/ready' } } as const;

/** A fresh MicroserviceApp in a test App. */
export function testApp(id = 'shop', props: MicroserviceAppProps = {}): { app: App; shop: MicroserviceApp } {
  const app = Testing.app();
  return { app, shop: new MicroserviceApp(app, id, props) };
}

/** The chart's objects, as `kubectl apply` would get them. */
export function synth(chart: Chart): Manifest[] {
  return chart.toJson();
}

/** The one object of a kind and name; fails the test when there is none or more than one. */
export function find(objects: Manifest[], kind: string, name: string): Manifest {
  const hits = objects.filter(o => o.kind === kind && o.metadata.name === name);
  if (hits.length !== 1) throw new Error(`expected one ${kind}/${name}, found ${hits.length} among ${objects.map(o => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return hits[0];
}

/** Every object of a kind. */
export function ofKind(objects: Manifest[], kind: string): Manifest[] {
  return objects.filter(o => o.kind === kind);
}

/** The main container of a Deployment. */
export function container(deployment: Manifest): any {
  return deployment.spec.template.spec.containers[0];
}

/** The main container's env without the OpenTelemetry variables every pod gets. */
export function appEnv(deployment: Manifest): Array<{ name: string; value?: string; valueFrom?: unknown }> {
  return (container(deployment).env ?? []).filter((e: { name: string }) => !e.name.startsWith('OTEL_'));
}

/** `Kind/namespace/name`: an object's identity in a bundle. */
export const key = (o: Manifest) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** The objects in key order (code-unit order, whatever the locale). */
export function sorted(objects: Manifest[]): Manifest[] {
  return [...objects].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * The objects of a multi-document YAML stream. Read as YAML 1.1 (what Helm and the API server's
 * parser speak) and as YAML 1.2, which must agree: output no reader can misread.
 */
export function parseObjects(text: string): Manifest[] {
  const read = (version: '1.1' | '1.2') => YAML.parseAllDocuments(text, { version }).map(d => {
    if (d.errors.length) throw new Error(`unparsable YAML: ${d.errors[0].message}`);
    return d.toJS();
  }).filter(o => o !== null && o !== undefined);
  const objects = read('1.1');
  expect(read('1.2')).toEqual(objects);
  return objects;
}

/** `build` throws a MicroserviceConfigError whose message is exactly `message` (path, prop, value and fix). */
export function expectConfigError(build: () => unknown, message: string): void {
  let error: unknown;
  try {
    build();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(MicroserviceConfigError);
  expect((error as Error).message).toBe(message);
}

/**
 * The paths of every empty `matchLabels` or `matchExpressions` in an object. A real API server
 * does not store them (`{ matchLabels: {} }` comes back as `{}`), so `kubectl apply` and a GitOps
 * controller write such an object again on every apply and never see it in sync.
 */
export function unsettledSelectorParts(o: unknown, at = ''): string[] {
  if (Array.isArray(o)) return o.flatMap((v, i) => unsettledSelectorParts(v, `${at}/${i}`));
  if (o === null || typeof o !== 'object') return [];
  return Object.entries(o).flatMap(([k, v]) => {
    const empty = (k === 'matchLabels' || k === 'matchExpressions') && v !== null && typeof v === 'object' && Object.keys(v).length === 0;
    return empty ? [`${at}/${k}`] : unsettledSelectorParts(v, `${at}/${k}`);
  });
}

/** Runs the cdk8s-ms CLI in-process and captures what it prints. */
export function runCli(...argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const io: Io = { out: t => { out += t; }, err: t => { err += t; } };
  const code = main(argv, io);
  return { code, out, err };
}
