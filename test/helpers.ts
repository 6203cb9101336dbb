import { App, Chart, Testing } from 'cdk8s';
import { MicroserviceApp, MicroserviceAppProps } from '../lib';

/** A Kubernetes object as synthesized. */
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [k: string]: any };

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
