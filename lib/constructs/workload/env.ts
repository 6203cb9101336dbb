// The environment of a workload's main container: literal values (never secrets), Secret and
// ConfigMap references, connection addresses and the OpenTelemetry SDKs' variables, each name
// set once.
import type { IConstruct } from 'constructs';
import * as k8s from '../../rendering/kube';
import { MicroserviceConfigError, show } from '../../errors';
import { checkEnvName } from '../../names';
import { literalEnvMessage } from '../../pod/env';
import type { SecretEnvSource, WorkloadSpec } from './props';

// Literal env values whose names look like these are refused (the same words the linters flag).
const SECRET_NAME = /(password|passwd|token|secret|bearer|api[_-]?key|private[_-]?key|aws_secret_access_key)/i;

/** The container's env list; errors name `scope`, the workload. */
export class WorkloadEnv {
  /** The variables, in the order they were added: the container's `env`. */
  public readonly vars: k8s.EnvVar[] = [];

  /** `notSecret`: names declared not secret (`envNotSecret`, `addEnv(..., { notSecret })`). */
  constructor(private readonly scope: IConstruct, public readonly notSecret: Set<string>) {}

  /** Adds a variable; `prop` is the prop or method it came from, for the error of a second source. */
  public push(prop: string, v: k8s.EnvVar): void {
    checkEnvName(this.scope, prop, v.name);
    if (this.has(v.name)) {
      throw new MicroserviceConfigError(this.scope, `'${prop}' sets ${show(v.name)} a second time: each environment variable must have one source (rename one, for example with connectTo(target, { env: 'OTHER_NAME' }))`);
    }
    this.vars.push(v);
  }

  public has(name: string): boolean {
    return this.vars.some(e => e.name === name);
  }

  /** A literal value, refused when its name looks like a secret's and it is not declared not secret. */
  public addLiteral(prop: string, name: string, value: string): void {
    if (typeof value !== 'string') throw new MicroserviceConfigError(this.scope, literalEnvMessage(prop, name, value));
    if (SECRET_NAME.test(name) && !this.notSecret.has(name)) {
      const how = prop === 'addEnv' ? `addEnv('${name}', value, { notSecret: true })` : `envNotSecret: ['${name}']`;
      throw new MicroserviceConfigError(this.scope, `'${prop}' ${show(name)} looks like a secret but holds a literal value: put it in a Secret and use secretEnv: { ${name}: { secretName, key } }; if it is no secret, say so with ${how}`);
    }
    this.push(prop, { name, value });
  }

  public addLiterals(env: Record<string, string>): void {
    for (const [name, value] of Object.entries(env)) this.addLiteral('env', name, value);
  }

  public addSecrets(env: Record<string, SecretEnvSource>): void {
    for (const [name, s] of Object.entries(env)) {
      if (!s || typeof s.secretName !== 'string' || typeof s.key !== 'string' || !s.secretName || !s.key) {
        throw new MicroserviceConfigError(this.scope, `'secretEnv.${name}' must name a Secret and a key, got ${show(s)}: for example { secretName: 'db', key: 'password' }`);
      }
      this.push('secretEnv', { name, valueFrom: { secretKeyRef: { name: s.secretName, key: s.key, optional: s.optional } } });
    }
  }

  // OpenTelemetry SDKs read their identity and exporter from these; a variable the user set
  // already wins. Pod, namespace, node and version come from the downward API, so they are
  // true for each pod (the version follows the pod's label through a rollout).
  public addTelemetry(id: string, app: string, controller: WorkloadSpec['controller'], otlp: { readonly endpoint: string; readonly protocol: string } | undefined): void {
    const field = (name: string, fieldPath: string) => {
      if (!this.has(name)) this.push('telemetry', { name, valueFrom: { fieldRef: { fieldPath } } });
    };
    field('OTEL_RESOURCE_ATTRIBUTES_POD_NAME', 'metadata.name');
    field('OTEL_RESOURCE_ATTRIBUTES_NAMESPACE_NAME', 'metadata.namespace');
    field('OTEL_RESOURCE_ATTRIBUTES_NODE_NAME', 'spec.nodeName');
    field('OTEL_RESOURCE_ATTRIBUTES_SERVICE_VERSION', "metadata.labels['app.kubernetes.io/version']");
    const literal = (name: string, value: string) => {
      if (!this.has(name)) this.push('telemetry', { name, value });
    };
    literal('OTEL_SERVICE_NAME', id);
    literal('OTEL_RESOURCE_ATTRIBUTES', [
      `service.namespace=${app}`,
      'service.version=$(OTEL_RESOURCE_ATTRIBUTES_SERVICE_VERSION)',
      'k8s.namespace.name=$(OTEL_RESOURCE_ATTRIBUTES_NAMESPACE_NAME)',
      'k8s.pod.name=$(OTEL_RESOURCE_ATTRIBUTES_POD_NAME)',
      'k8s.node.name=$(OTEL_RESOURCE_ATTRIBUTES_NODE_NAME)',
      // the OpenTelemetry k8s resource attribute of the controller (a Job's name is per release)
      ...(controller === 'job' ? [] : [`k8s.${controller ?? 'deployment'}.name=${id}`]),
    ].join(','));
    if (otlp) {
      literal('OTEL_EXPORTER_OTLP_ENDPOINT', otlp.endpoint);
      literal('OTEL_EXPORTER_OTLP_PROTOCOL', otlp.protocol);
    }
  }
}
