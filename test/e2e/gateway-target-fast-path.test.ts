/**
 * A Gateway's targets take the target fast path, as an IngressGroup's do: the controller as shipped
 * against the Kubernetes API fake and the AWS fake. Once the Gateways are converged, a changed
 * EndpointSlice behind an HTTPRoute, a Node that leaves or rejoins behind an instance-target
 * Gateway, and a Pod that stops waiting only for its readiness gate each go to the provider's
 * `applyTargets` for that Gateway alone, never to `observe` (a whole reconcile, which the provider's
 * memory may answer without a call, but which translates and reads the stack), and cost the
 * (de)registrations of the difference and no other cloud call.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gatedTargetGroups } from '../../src/controller/pod-gates.js';
import type { Provider } from '../../src/provider.js';
import type { KubeFake, KubeObject } from '../../fakes/kube/index.js';
import { callActions, serviceTargets, type AwsWorld } from '../support/aws-provider-world.js';
import { NODE_YAML, serviceYaml, testOptions } from '../support/cluster.js';
import { GATEWAY_CLASS_YAML, gatewaySpec, gatewayYaml, translateGatewayYaml } from '../support/gateway.js';
import { startKubeAwsRun, type KubeAwsRun } from '../support/kube-aws-run.js';
import { endpointSlice } from '../support/pod-rollout.js';

const route = (name: string, gateway: string, service: string): string => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: default}
spec:
  parentRefs: [{name: ${gateway}}]
  rules:
  - backendRefs: [{name: ${service}, port: 80}]
---
`;

const HTTP = '{name: http, port: 80, protocol: HTTP}';
const CLUSTER_YAML =
  GATEWAY_CLASS_YAML +
  NODE_YAML +
  serviceYaml({ name: 'api', endpoints: ['10.0.1.1', '10.0.1.2'] }) +
  serviceYaml({ name: 'shop', nodePort: 30081 }) +
  gatewayYaml('web', [HTTP], { annotations: { 'ingress-bridge.io/target-type': 'ip' } }) +
  gatewayYaml('nodes', [HTTP], { annotations: { 'ingress-bridge.io/target-type': 'instance' } }) +
  route('api', 'web', 'api') +
  route('shop', 'nodes', 'shop');

/** The readiness gate of Gateway web's target group, as translate names it. */
const [GATE] = gatedTargetGroups(gatewaySpec(translateGatewayYaml(CLUSTER_YAML, testOptions()), 'web')).map((group) => group.gate);

const node = (ready: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'node-a' },
  spec: { providerID: 'aws:///us-east-1a/i-0aaaaaaaaaaaaaaaa' },
  status: { conditions: [{ type: 'Ready', status: ready }], addresses: [{ type: 'InternalIP', address: '10.1.0.1' }] },
});

describe("a Gateway's targets take the target fast path (controller, AWS provider, both fakes)", () => {
  let run: KubeAwsRun;
  let kube: KubeFake;
  let world: AwsWorld;

  const targetsOf = (service: string): string[] => serviceTargets(world.fake, service);
  /** Every cloud call since the last reset, but the readiness-gate tracker's health reads (rollouts.md). */
  const calls = (): string[] => callActions(world.fake, ['DescribeTargetHealth']);
  /** The stacks the provider was asked to observe (a whole reconcile) and to apply targets of (the fast path), since the last reset. */
  const asked = { observe: [] as string[], applyTargets: [] as string[] };
  const reset = (): void => {
    world.fake.resetCalls();
    asked.observe = [];
    asked.applyTargets = [];
  };
  const spyOn = (provider: Provider): void => {
    const observe = provider.observe.bind(provider);
    const applyTargets = provider.applyTargets?.bind(provider);
    assert.ok(applyTargets, 'the AWS provider has the target fast path');
    Object.assign(provider, {
      observe: (...args: Parameters<Provider['observe']>) => (asked.observe.push(args[0].id), observe(...args)),
      applyTargets: (...args: Parameters<NonNullable<Provider['applyTargets']>>) => (asked.applyTargets.push(args[0].stack.id), applyTargets(...args)),
    });
  };
  /** What a change cost: the fast path for these stacks alone, and these cloud calls. */
  const assertFastPath = (stacks: string[], cloudCalls: string[]): void => {
    assert.deepEqual(asked.observe, [], 'no whole reconcile');
    assert.deepEqual([...new Set(asked.applyTargets)], stacks);
    assert.deepEqual(calls(), cloudCalls);
  };
  const until = async (condition: () => boolean, what: string): Promise<void> => {
    for (let waited = 0; !condition(); waited += 20) {
      if (waited > 10_000) assert.fail(`timed out waiting for ${what}; calls: ${calls().join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  /** The work queue idle for a while: whatever the change caused has been done. */
  const settled = async (): Promise<void> => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    await until(() => run.handle.controller.queue.depth() === 0, 'a quiet queue');
  };

  before(async () => {
    assert.ok(GATE, 'Gateway web has an ip target group');
    run = await startKubeAwsRun({ yaml: CLUSTER_YAML });
    ({ kube, world } = run);
    spyOn(run.handle.provider);
    await until(() => targetsOf('api').join() === '10.0.1.1,10.0.1.2' && targetsOf('shop').length === 1, 'both load balancers and their targets');
    await settled();
  });
  after(async () => {
    await run?.stop();
  });

  it('an EndpointSlice change behind an HTTPRoute costs one RegisterTargets and one DeregisterTargets', async () => {
    reset();
    run.apply(serviceYaml({ name: 'api', endpoints: ['10.0.1.2', '10.0.1.3'] }));
    await until(() => targetsOf('api').join() === '10.0.1.2,10.0.1.3', 'the new endpoint');
    await settled();
    assertFastPath(['gateway:default/web'], ['DeregisterTargets', 'RegisterTargets']);
  });

  it('a Node that turns NotReady behind an instance-target Gateway costs one DeregisterTargets; Ready again, one RegisterTargets', async () => {
    reset();
    kube.apply(node('False'));
    await until(() => targetsOf('shop').length === 0, 'the Node to be deregistered');
    await settled();
    assertFastPath(['gateway:default/nodes'], ['DeregisterTargets']);

    reset();
    kube.apply(node('True'));
    await until(() => targetsOf('shop').join() === 'i-0aaaaaaaaaaaaaaaa', 'the Node to be registered again');
    await settled();
    assertFastPath(['gateway:default/nodes'], ['RegisterTargets']);
  });

  it('a Pod that stops waiting only for its readiness gate costs one DeregisterTargets', async () => {
    const pod = (containersReady: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'api-4', namespace: 'default', labels: { app: 'api' } },
      spec: { containers: [{ name: 'api', image: 'api' }], readinessGates: [{ conditionType: GATE ?? '' }] },
      status: {
        podIP: '10.0.1.4',
        conditions: [
          { type: 'ContainersReady', status: containersReady },
          { type: 'Ready', status: 'False' },
        ],
      },
    });
    // Held back by its gate alone, the Pod's endpoint is not ready, and registered all the same.
    kube.apply(pod('True'));
    kube.apply(
      endpointSlice({ namespace: 'default', name: 'api' }, [
        { pod: 'api-2', ip: '10.0.1.2', ready: true },
        { pod: 'api-3', ip: '10.0.1.3', ready: true },
        { pod: 'api-4', ip: '10.0.1.4', ready: false },
      ]),
    );
    await until(() => targetsOf('api').includes('10.0.1.4'), 'the Pod waiting on its gate to be registered');
    await settled();

    reset();
    kube.apply(pod('False'));
    await until(() => !targetsOf('api').includes('10.0.1.4'), 'the Pod to be deregistered');
    await settled();
    assertFastPath(['gateway:default/web'], ['DeregisterTargets']);
  });
});
