import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { MicroserviceConfigError, QueueTrigger, ScaledWorker, ScaledWorkerProps } from '../lib';
import { find, ofKind, synth, testApp } from './helpers';

const rabbit = () => QueueTrigger.rabbitmq({ queueName: 'mail', host: { secretName: 'rabbitmq', key: 'amqp-url' } });

function worker(props: Partial<ScaledWorkerProps> = {}) {
  const { shop } = testApp();
  const w = new ScaledWorker(shop, 'mailer', { image: 'x/mailer:1', queue: rabbit(), autoscaling: { maxReplicas: 10 }, ...props });
  return { shop, w, objects: synth(shop) };
}

describe('ScaledWorker with a queue (KEDA)', () => {
  test('scales with a ScaledObject, not an HPA, down to zero by default', () => {
    const { w, objects } = worker();
    expect(ofKind(objects, 'HorizontalPodAutoscaler')).toEqual([]);
    expect(find(objects, 'Deployment', 'mailer').spec).not.toHaveProperty('replicas');
    expect(find(objects, 'ScaledObject', 'mailer').spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'mailer' },
      minReplicaCount: 0, maxReplicaCount: 10, pollingInterval: 30, cooldownPeriod: 300,
      fallback: { failureThreshold: 3, replicas: 5 },
      advanced: { horizontalPodAutoscalerConfig: { name: 'mailer' } },
      triggers: [{ type: 'rabbitmq', name: 'rabbitmq', authenticationRef: { name: 'mailer-rabbitmq' } }],
    });
    expect(find(objects, 'TriggerAuthentication', 'mailer-rabbitmq').spec).toEqual({ secretTargetRef: [{ parameter: 'host', name: 'rabbitmq', key: 'amqp-url' }] });
    expect(w.scaledObject).toBeDefined();
    expect(w.autoscaler).toBeUndefined();
    // a disruption budget that lets drains through at zero or one replica
    expect(find(objects, 'PodDisruptionBudget', 'mailer').spec.maxUnavailable).toBe(1);
  });

  test('takes KEDA settings and adds a cpu trigger, without the fallback KEDA refuses beside it', () => {
    const { objects } = worker({
      autoscaling: { minReplicas: 1, maxReplicas: 8, targetCpuUtilization: 75 },
      keda: { pollingInterval: 10, cooldownPeriod: 120 },
    });
    const spec = find(objects, 'ScaledObject', 'mailer').spec;
    expect(spec).toMatchObject({ minReplicaCount: 1, maxReplicaCount: 8, pollingInterval: 10, cooldownPeriod: 120 });
    expect(spec.triggers[1]).toEqual({ type: 'cpu', metricType: 'Utilization', metadata: { value: '75' } });
    expect(spec).not.toHaveProperty('fallback');
  });

  test('sets the grace period from maxProcessingTime so a worker finishes its message', () => {
    const pod = worker({ maxProcessingTime: '5m' }).objects.find(o => o.kind === 'Deployment')!.spec.template.spec;
    expect(pod.terminationGracePeriodSeconds).toBe(5 + 300 + 15);
    expect(pod.containers[0].lifecycle.preStop.exec.command).toEqual(['sleep', '5']);
  });

  test('each trigger of several gets its own authentication', () => {
    const { objects } = worker({
      queue: [rabbit(), QueueTrigger.redisList({ address: 'redis.data:6379', listName: 'retries', password: { secretName: 'redis', key: 'password' } }), QueueTrigger.cron({ timezone: 'Europe/Berlin', start: '0 8 * * 1-5', end: '0 18 * * 1-5', desiredReplicas: 2 })],
    });
    expect(find(objects, 'ScaledObject', 'mailer').spec.triggers.map((t: any) => t.type)).toEqual(['rabbitmq', 'redis', 'cron']);
    expect(ofKind(objects, 'TriggerAuthentication').map(o => o.metadata.name).sort()).toEqual(['mailer-rabbitmq', 'mailer-redis']);
  });

  test.each([
    ['a queue without autoscaling', { autoscaling: undefined },
      "[shop/mailer] 'queue' needs 'autoscaling: { maxReplicas }' (and not 'replicas'): the bounds KEDA scales between"],
    ['an empty queue', { queue: [] },
      "[shop/mailer] 'queue' is empty: give at least one trigger, for example QueueTrigger.rabbitmq({ ... })"],
    ['two triggers of one name', { queue: [rabbit(), rabbit()] },
      "[shop/mailer] 'queue' has two triggers named 'rabbitmq': give one a 'name'"],
    ['keda settings without a queue', { queue: undefined, keda: { pollingInterval: 5 } },
      "[shop/mailer] 'keda' needs 'queue': KEDA settings apply to queue-driven scaling"],
    ['a fallback above maxReplicas', { keda: { fallbackReplicas: 11 } },
      "[shop/mailer] 'keda.fallbackReplicas' (11) is above autoscaling.maxReplicas (10): lower it"],
    ['a non-positive polling interval', { keda: { pollingInterval: 0 } },
      "[shop/mailer] 'keda.pollingInterval' must be a whole number >= 1, got 0"],
    ['maxProcessingTime that is no duration', { maxProcessingTime: '2 minutes' },
      "[shop/mailer] 'maxProcessingTime' must be a duration of whole seconds, minutes or hours such as '90s', '5m' or '1h', got '2 minutes'"],
    ['a grace period shorter than the processing time', { maxProcessingTime: '2m', shutdown: { terminationGracePeriodSeconds: 60 } },
      "[shop/mailer] 'shutdown.terminationGracePeriodSeconds' (60) is shorter than preStop + maxProcessingTime + 15 s (140): drop it to get 140, or raise it"],
    ['minReplicas above maxReplicas', { autoscaling: { minReplicas: 12, maxReplicas: 10 } },
      "[shop/mailer] 'autoscaling.maxReplicas' (10) must be a whole number >= minReplicas (12): raise maxReplicas or lower minReplicas"],
    ['scale to zero on pending stream entries', { queue: QueueTrigger.redisStream({ address: 'redis.data:6379', stream: 'mail', consumerGroup: 'mailer' }) },
      "[shop/mailer] 'autoscaling.minReplicas' is 0 but no trigger can wake a worker from zero (pending entries of a Redis stream exist only while a consumer runs): set minReplicas to 1, or scale on lagPerReplica"],
  ] as const)('fails on %s', (_what, props, message) => {
    expect(() => worker(props as Partial<ScaledWorkerProps>)).toThrow(MicroserviceConfigError);
    expect(() => worker(props as Partial<ScaledWorkerProps>)).toThrow(message);
  });

  test('fails on a trigger without its required fields, naming the worker', () => {
    expect(() => worker({ queue: QueueTrigger.rabbitmq({ queueName: '', host: { secretName: 'rabbitmq', key: 'amqp-url' } }) }))
      .toThrow(/^\[shop\/mailer\] 'queue.queueName'/);
  });

  test('fails at synth when an HPA of the user also scales the worker', () => {
    const { shop } = testApp();
    new ScaledWorker(shop, 'mailer', { image: 'x/mailer:1', queue: rabbit(), autoscaling: { maxReplicas: 10 } });
    new k8s.KubeHorizontalPodAutoscalerV2(shop, 'ExtraHpa', { metadata: { name: 'mailer-extra' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'mailer' }, maxReplicas: 3 } });
    expect(() => synth(shop)).toThrow(MicroserviceConfigError);
    expect(() => synth(shop)).toThrow("[shop/mailer] the HorizontalPodAutoscaler at shop/ExtraHpa also scales 'mailer', which KEDA scales through its ScaledObject: remove it (KEDA makes its own HPA)");
  });

  test('renders the app\'s autoscalers once per synth to check them, however many workers KEDA scales', () => {
    // GIVEN 10 queue-driven workers beside 10 autoscaled services
    const { shop } = testApp();
    for (let i = 0; i < 10; i++) {
      new ScaledWorker(shop, `worker-${i}`, { image: 'x/worker:1', queue: rabbit(), autoscaling: { maxReplicas: 10 } });
      new ScaledWorker(shop, `cpu-${i}`, { image: 'x/cpu:1', autoscaling: { minReplicas: 2, maxReplicas: 10 } });
    }
    const hpas = shop.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && c.kind === 'HorizontalPodAutoscaler');
    const renders = hpas.map(h => jest.spyOn(h, 'toJson'));
    // WHEN the app is synthesized
    synth(shop);
    // THEN each autoscaler is rendered twice (checked once, written once), not once per worker
    expect(hpas).toHaveLength(10);
    for (const r of renders) expect(r).toHaveBeenCalledTimes(2);
  });

  test('an ordinary worker still cannot scale to zero', () => {
    const { shop } = testApp();
    expect(() => new ScaledWorker(shop, 'w', { image: 'x/w:1', autoscaling: { minReplicas: 0, maxReplicas: 3 } }))
      .toThrow("[shop/w] 'autoscaling.minReplicas' must be a whole number >= 1, got 0: only a queue-driven ScaledWorker (queue) can scale to zero");
  });
});

describe('ScaledWorker in job mode (KEDA ScaledJob)', () => {
  const report = (props: Partial<ScaledWorkerProps> = {}) => {
    const { shop } = testApp();
    const w = new ScaledWorker(shop, 'report', {
      image: 'x/report:1', mode: 'job', autoscaling: { maxReplicas: 5 }, maxProcessingTime: '30m',
      queue: QueueTrigger.rabbitmq({ queueName: 'reports', host: { secretName: 'rabbitmq', key: 'amqp-url' } }), ...props,
    });
    return { shop, w, objects: synth(shop) };
  };

  test('runs the pod template as Jobs: no Deployment, PDB, HPA, PodMonitor or scrape policy', () => {
    const { w, objects } = report();
    expect(objects.filter(o => ['Deployment', 'PodDisruptionBudget', 'HorizontalPodAutoscaler', 'ScaledObject', 'PodMonitor'].includes(o.kind))).toEqual([]);
    expect(objects.some(o => o.metadata.name === 'report.allow-prometheus')).toBe(false);
    expect(find(objects, 'ScaledJob', 'report').spec).toMatchObject({
      jobTargetRef: { backoffLimit: 3, activeDeadlineSeconds: 1800, template: { spec: { restartPolicy: 'Never', serviceAccountName: 'report' } } },
      minReplicaCount: 0, maxReplicaCount: 5, pollingInterval: 30, successfulJobsHistoryLimit: 5, failedJobsHistoryLimit: 5,
      triggers: [{ type: 'rabbitmq', authenticationRef: { name: 'report-rabbitmq' } }],
    });
    expect(w.deployment).toBeUndefined();
    expect(w.scaledJob).toBeDefined();
  });

  test('keeps every field of the pod template (the generated KEDA types drop what they do not map)', () => {
    const { w, objects } = report();
    // podTemplate is in the API's shape already (lib/rendering/api-shape.ts)
    expect(find(objects, 'ScaledJob', 'report').spec.jobTargetRef.template).toEqual(w.podTemplate);
    expect(find(objects, 'ScaledJob', 'report').spec.jobTargetRef.template.spec.containers[0].resources.limits.memory).toBe('256Mi');
  });

  test('has no probes or preStop wait by default, and a grace period of the processing time', () => {
    const pod = find(report().objects, 'ScaledJob', 'report').spec.jobTargetRef.template.spec;
    expect(pod.containers[0]).not.toHaveProperty('livenessProbe');
    expect(pod.containers[0]).not.toHaveProperty('lifecycle');
    expect(pod.terminationGracePeriodSeconds).toBe(1800 + 15);
  });

  test.each([
    ['job mode without a queue', { queue: undefined }, "[shop/report] 'mode: job' needs 'queue': Jobs are started by the work that arrives"],
    ['job settings in deployment mode', { mode: 'deployment', job: { backoffLimit: 1 } }, "[shop/report] 'job' settings need 'mode: job'"],
    ['an unknown mode', { mode: 'cron' }, "[shop/report] 'mode' must be 'deployment' or 'job', got 'cron'"],
    ['a negative backoff limit', { job: { backoffLimit: -1 } }, "[shop/report] 'job.backoffLimit' must be a whole number >= 0, got -1"],
  ] as const)('fails on %s', (_what, props, message) => {
    expect(() => report(props as any)).toThrow(MicroserviceConfigError);
    expect(() => report(props as any)).toThrow(message);
  });
});
