import { DIGEST_PATTERN, REGISTRY_PATTERN, REPOSITORY_PATTERN, TAG_PATTERN } from '../../pod/image';
import { ChartValues } from './values';

/**
 * `values.schema.json` (JSON Schema draft-07), which `helm install`, `upgrade`, `template` and
 * `lint` enforce: the keys of `values.yaml` and no others, their types, counts >= 0 (>= 1 for
 * autoscaling bounds) and images pinned the way the library insists on (a tag other than
 * `latest`, or a digest). What JSON Schema cannot say (maxReplicas >= minReplicas) the
 * autoscaler's template checks with `fail`.
 */
export function valuesSchema(chartName: string, values: ChartValues, keda: ReadonlySet<string> = new Set()): object {
  const workloads = Object.entries(values.workloads);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: `Values of the ${chartName} chart`,
    type: 'object',
    additionalProperties: false,
    required: ['workloads'],
    properties: {
      workloads: {
        type: 'object',
        additionalProperties: false,
        required: workloads.map(([name]) => name),
        properties: Object.fromEntries(workloads.map(([name, w]) => {
          const properties: Record<string, object> = {};
          if (w.image) properties.image = { $ref: '#/definitions/image' };
          if (w.replicas !== undefined) properties.replicas = { $ref: '#/definitions/replicas' };
          // KEDA scales to zero: its minReplicaCount may be 0, an autoscaler's minReplicas not
          if (w.autoscaling) properties.autoscaling = { $ref: keda.has(name) ? '#/definitions/kedaBounds' : '#/definitions/autoscaling' };
          if (w.canary) {
            properties.canary = {
              type: 'object', additionalProperties: false, required: ['autoscaling'],
              properties: { autoscaling: { $ref: '#/definitions/autoscaling' } },
            };
          }
          return [name, {
            type: 'object',
            additionalProperties: false,
            required: Object.keys(properties),
            properties,
          }];
        })),
      },
    },
    definitions: {
      image: {
        description: 'The container image: [registry/]repository[:tag][@digest], pinned by a tag other than latest or by a digest.',
        type: 'object',
        additionalProperties: false,
        required: ['registry', 'repository', 'tag', 'digest'],
        properties: {
          registry: { description: 'host[:port]; empty for Docker Hub', type: 'string', pattern: REGISTRY_PATTERN },
          repository: { type: 'string', minLength: 1, pattern: REPOSITORY_PATTERN },
          tag: { description: 'also the app.kubernetes.io/version label', type: 'string', pattern: TAG_PATTERN },
          digest: { description: 'sha256:<64 hex>, or empty', type: 'string', pattern: DIGEST_PATTERN },
        },
        anyOf: [
          { properties: { digest: { minLength: 1 } } },
          { properties: { tag: { minLength: 1, not: { const: 'latest' } } } },
        ],
      },
      replicas: { description: 'The pod count of a Deployment or StatefulSet that is not autoscaled.', type: 'integer', minimum: 0 },
      autoscaling: {
        description: 'The bounds of the HorizontalPodAutoscaler (maxReplicas >= minReplicas).',
        type: 'object',
        additionalProperties: false,
        required: ['minReplicas', 'maxReplicas'],
        properties: {
          minReplicas: { type: 'integer', minimum: 1 },
          maxReplicas: { type: 'integer', minimum: 1 },
        },
      },
      kedaBounds: {
        description: 'The bounds of the KEDA ScaledObject or ScaledJob (maxReplicas >= minReplicas; 0 scales to zero).',
        type: 'object',
        additionalProperties: false,
        required: ['minReplicas', 'maxReplicas'],
        properties: {
          minReplicas: { type: 'integer', minimum: 0 },
          maxReplicas: { type: 'integer', minimum: 1 },
        },
      },
    },
  };
}
