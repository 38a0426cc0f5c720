/**
 * Pod readiness gates end to end: the controller as shipped (informers, admission webhook, work
 * queue, AWS provider, readiness-gate tracker) under deploy/base's RBAC, against the Kubernetes API
 * fake and the AWS fake. The test plays the other actors of a rollout: the ReplicaSet controller
 * creates Pods through the API (so the API server calls the webhook), the kubelet reports their
 * address and readiness, the EndpointSlice controller lists them as endpoints (not ready while a gate
 * holds them back), and the load balancer's health checks are held at `initial` until released.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { KubeRunHandle } from '../../src/commands/run-cluster.js';
import { INJECT_LABEL } from '../../src/controller/pod-gate-injection.js';
import { targetHealthGate } from '../../src/translate/readiness-gates.js';
import { registeredTargets, type AwsWorld } from '../support/aws-provider-world.js';
import { INGRESS_CLASS_YAML, ingressYaml, selectingServiceYaml } from '../support/cluster.js';
import { startKubeAwsRun, type KubeAwsRun } from '../support/kube-aws-run.js';
import { PodRollout } from '../support/pod-rollout.js';
import { assertNothingDenied, loadRbacAuthorizer, waitUnlessDenied } from '../support/rbac.js';

const rbac = loadRbacAuthorizer();
const until = (condition: () => boolean, timeoutMs = 15_000): Promise<void> => waitUnlessDenied(rbac, condition, timeoutMs);
const STACK = 'shop/web';
const GATE = targetHealthGate(STACK, { key: 'shop/api:80/ip', service: { namespace: 'shop', name: 'api', port: 80 } });

const CLUSTER_YAML = `${INGRESS_CLASS_YAML}apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {${INJECT_LABEL}: enabled}}
---
${selectingServiceYaml('api', 'shop')}${ingressYaml({ name: 'web', namespace: 'shop', annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip', 'alb.ingress.kubernetes.io/scheme': 'internet-facing' }, rules: [{ host: 'web.test', paths: [{ path: '/', pathType: 'Prefix', service: 'api' }] }] })}`;

describe('Pod readiness gates, end to end on the Kubernetes API fake and the AWS fake', () => {
  let world: AwsWorld;
  let handle: KubeRunHandle;
  let run: KubeAwsRun;
  let rollout: PodRollout;

  const gateOf = (name: string) => rollout.condition(name, GATE);
  const registered = (): string[] => registeredTargets(world.fake);
  /** Our polls: DescribeTargetHealth naming targets (observe reads a whole group, naming none). */
  const polls = (): string[][] =>
    world.fake
      .calls()
      .filter((call) => call.action === 'DescribeTargetHealth' && (call.input as { Targets?: unknown[] }).Targets !== undefined)
      .map((call) => (call.input as { Targets: { Id?: string }[] }).Targets.map((target) => target.Id ?? '?'));
  const startPod = (name: string, ip: string) => rollout.startPod(name, ip);
  const podReady = (name: string): void => rollout.podReady(name);

  before(async () => {
    run = await startKubeAwsRun({
      rbac,
      yaml: CLUSTER_YAML,
      webhook: true,
      readinessGates: { pollMs: 50 },
      prepare: (kube) => {
        rollout = new PodRollout(kube, { namespace: 'shop', name: 'api' });
        rollout.publishEndpoints();
      },
    });
    ({ world, handle } = run);
    await until(() => world.fake.state.loadBalancers().length === 1);
  });
  afterEach(() => assertNothingDenied(rbac));
  after(async () => {
    await run?.stop();
  });

  it('gates the first Pod, registers it while it waits on the gate alone, and sets the gate True once the target is healthy', async () => {
    const created = await startPod('api-1', '10.0.1.1');
    assert.deepEqual(
      created.spec?.readinessGates?.map((gate) => gate.conditionType),
      [GATE],
      'the webhook added the gate at creation',
    );
    await until(() => registered().includes('10.0.1.1'));
    await until(() => gateOf('api-1')?.status === 'True');
    assert.equal(gateOf('api-1')?.reason, 'TargetHealthy');
    podReady('api-1');
  });

  it("holds a rollout's new Pod not ready while its target is initial, polling only that target, one read per poll", async () => {
    world.fake.holdTargetHealth('10.0.1.2', 'initial');
    world.fake.resetCalls();
    await startPod('api-2', '10.0.1.2');
    await until(() => registered().includes('10.0.1.2'));
    await until(() => gateOf('api-2')?.reason === 'Elb.RegistrationInProgress');
    // Several polls later the target is still initial, so the gate is still False.
    await until(() => polls().length >= 3);
    assert.equal(gateOf('api-2')?.status, 'False');
    assert.equal(gateOf('api-1')?.status, 'True');
    assert.deepEqual(
      [...new Set(polls().map((targets) => targets.join(',')))],
      ['10.0.1.2'],
      'only the target not yet healthy is asked about, one call per poll',
    );
    assert.deepEqual(handle.controller.gates?.pollingStacks(), [STACK]);
  });

  it('opens the gate only after the load balancer reports the target healthy, then polls no more', async () => {
    assert.notEqual(gateOf('api-2')?.status, 'True');
    world.fake.holdTargetHealth('10.0.1.2', undefined);
    await until(() => gateOf('api-2')?.status === 'True');
    podReady('api-2');
    await until(() => handle.controller.gates?.backlog().pending === 0 && handle.controller.gates.pollingStacks().length === 0);
    assert.deepEqual(registered(), ['10.0.1.1', '10.0.1.2']);
  });
});
