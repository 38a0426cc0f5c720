/**
 * A change costs what it touches, end to end: the controller (informers, work queue) with the AWS
 * provider against the Kubernetes API fake and the AWS fake. Between resyncs an edited path costs
 * the reads of its listeners' rules and the rule calls, a changed EndpointSlice one RegisterTargets
 * and one DeregisterTargets; a rule changed behind the controller's back is found and repaired by
 * the next full resync, and not before. The work queue's clock is the test's, so resyncs happen when
 * the test moves it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EventRecorder } from '../../src/controller/event-recorder.js';
import { kubeIngressWriter } from '../../src/controller/ingress-writer.js';
import { KubeController } from '../../src/controller/kube-controller.js';
import { turnsBetween } from '../../src/controller/work-queue.js';
import { createLogger } from '../../src/observability/logger.js';
import { ControllerMetrics } from '../../src/observability/metrics.js';
import { KubeClient } from '../../src/sources/kube-http.js';
import { AwsProvider } from '../../providers/aws/provider.js';
import { ApiBudget } from '../../providers/aws/sdk/budget.js';
import { createAwsClients } from '../../providers/aws/sdk/clients.js';
import { startKubeFake, type KubeFake } from '../../fakes/kube/index.js';
import { callActions, createAwsWorld, serviceTargets, type AwsWorld } from '../support/aws-provider-world.js';
import { INGRESS_CLASS_YAML, ingressYaml, serviceYaml, testOptions, type IngressFixture } from '../support/cluster.js';
import { applyYaml } from '../support/kube-yaml.js';
import { ManualClock } from '../support/manual-clock.js';

const FULL_RESYNC_MS = 600_000;

/** Waits for a condition, moving the queue's clock a millisecond per poll so retries after a conflict run. */
async function until(clock: ManualClock, condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 10_000) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await clock.advance(1);
  }
}

const web = (path: string): IngressFixture => ({
  name: 'web',
  annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip', 'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP":80},{"HTTP":8080}]' },
  rules: [
    {
      paths: [
        { path: '/', pathType: 'Prefix', service: 'web' },
        { path, pathType: 'Prefix', service: 'api' },
      ],
    },
  ],
});

describe('a change costs what it touches (controller, AWS provider, both fakes)', () => {
  let kube: KubeFake;
  let world: AwsWorld;
  let controller: KubeController;
  const clock = new ManualClock();

  const apply = (yaml: string): void => applyYaml(kube, yaml);
  const rules = () =>
    world.fake.state
      .loadBalancers()
      .flatMap((lb) => world.fake.state.listeners(lb.arn))
      .flatMap((listener) => world.fake.state.rules(listener.arn));
  const paths = (): string => JSON.stringify(rules().map((rule) => rule.conditions));
  const apiTargets = (): string[] => serviceTargets(world.fake, 'api');
  const calls = (): string[] => callActions(world.fake);

  before(async () => {
    kube = await startKubeFake();
    world = createAwsWorld();
    apply(
      INGRESS_CLASS_YAML +
        serviceYaml({ name: 'web', endpoints: ['10.0.1.1'] }) +
        serviceYaml({ name: 'api', endpoints: ['10.0.2.1', '10.0.2.2'] }) +
        ingressYaml(web('/api')),
    );
    const clients = createAwsClients({ region: 'us-east-1', budget: new ApiBudget(), credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const logger = createLogger((process.env.TEST_LOG ?? 'silent') as 'silent');
    controller = new KubeController({
      client: new KubeClient(kube.connection()),
      provider: new AwsProvider({ clusterName: 'test', certificates: { get: () => undefined }, clients, retry: { maxAttempts: 8, sleep: async () => {} } }),
      translateOptions: () => testOptions({ now: new Date() }),
      writer: kubeIngressWriter(new KubeClient(kube.connection())),
      events: new EventRecorder({ sink: async () => {}, logger }),
      logger,
      metrics: new ControllerMetrics(),
      isLeader: () => true,
      fullResyncMs: FULL_RESYNC_MS,
      clock,
      // A status write can meet a 409 while the test edits the Ingress: retried a millisecond of clock later.
      backoff: { baseMs: 1, capMs: 1 },
    });
    await controller.start();
    await until(clock, () => rules().length === 4 && apiTargets().length === 2, 'the load balancer');
    await until(clock, () => controller.queue.depth() === 0, 'a quiet queue');
  });
  after(async () => {
    await controller?.stop();
    await kube?.close();
    world?.close();
  });

  it("the group's full resync falls well after the few milliseconds the test moves the clock by", () => {
    assert.equal(turnsBetween('default/web', FULL_RESYNC_MS, 0, 10_000), false);
  });

  it('an edited path costs the rules of its listeners and the rule calls, nothing else', async () => {
    world.fake.resetCalls();
    apply(ingressYaml(web('/v2')));
    await until(clock, () => paths().includes('/v2') && !paths().includes('"/api"'), 'the edit');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const reads = calls().filter((action) => action.startsWith('Describe') || action.startsWith('Get'));
    assert.deepEqual(reads, ['DescribeRules', 'DescribeRules'], 'one DescribeRules per listener');
    assert.ok(
      calls().every((action) => reads.includes(action) || /Rule/.test(action)),
      calls().join(', '),
    );
  });

  it('a changed EndpointSlice costs one RegisterTargets and one DeregisterTargets', async () => {
    world.fake.resetCalls();
    apply(serviceYaml({ name: 'api', endpoints: ['10.0.2.2', '10.0.2.3'] }));
    await until(clock, () => apiTargets().join() === '10.0.2.2,10.0.2.3', 'the new endpoint');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(calls(), ['DeregisterTargets', 'RegisterTargets']);
  });

  it('drift made behind its back is left alone until the full resync, which repairs it', async () => {
    const [rule] = rules().filter((candidate) => JSON.stringify(candidate.conditions).includes('/v2'));
    await world.fake.dispatch('elbv2', 'ModifyRule', {
      RuleArn: rule?.arn,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/hijacked'] } }],
    });
    world.fake.resetCalls();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(calls(), [], 'between resyncs nothing reads the rule again');
    assert.match(paths(), /hijacked/);

    await clock.advance(FULL_RESYNC_MS);
    await until(clock, () => !paths().includes('hijacked'), 'the drift to be repaired');
    await until(clock, () => controller.queue.depth() === 0, 'a quiet queue');
    assert.ok(calls().includes('DescribeTargetHealth') && calls().includes('DescribeLoadBalancers'), 'a full read of the stack');
    assert.match(paths(), /\/v2/);
  });
});
