/**
 * The executor runs the rule operations of different listeners side by side, each listener's in the
 * plan's order: an edit that touches both listeners of a stack costs one listener's calls in time.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { LoadBalancerSpec } from '../../../src/model.js';
import { actionsOf, type AwsWorld, createAwsWorld, planNow, reconcile, specOf } from '../../support/aws-provider-world.js';
import { ingressYaml, serviceYaml } from '../../support/cluster.js';

const STACK = 'default/shop';

function shop(path: string): LoadBalancerSpec {
  return specOf(
    serviceYaml({ name: 'web' }) +
      serviceYaml({ name: 'api', endpoints: ['10.0.0.2'] }) +
      ingressYaml({
        name: 'shop',
        annotations: { 'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP":80},{"HTTP":8080}]' },
        rules: [
          {
            host: 'a.example.com',
            paths: [
              { path: '/', pathType: 'Prefix', service: 'web' },
              { path, pathType: 'Prefix', service: 'api' },
            ],
          },
        ],
      }),
  );
}

let world: AwsWorld;
beforeEach(() => {
  world = createAwsWorld();
});
afterEach(() => world.close());

describe('AWS executor: listeners side by side', () => {
  it("interleaves the two listeners' rule calls, keeping each listener's order, and converges", async () => {
    const provider = world.newProvider();
    await reconcile(provider, STACK, shop('/api'));
    const listenerOf = new Map(
      world.fake.state
        .loadBalancers()
        .flatMap((lb) => world.fake.state.listeners(lb.arn))
        .map((listener) => [listener.arn, listener.port]),
    );
    world.fake.resetCalls();
    const { plan } = await reconcile(provider, STACK, shop('/v2'));
    const planned = actionsOf(plan);
    assert.ok(planned.filter((action) => action === 'CreateRule').length >= 2, planned.join(', '));

    const ports = world.fake.mutatingCalls().map((call) => {
      const input = call.input as { ListenerArn?: string; RuleArn?: string; RulePriorities?: { RuleArn?: string }[] };
      const arn = input.ListenerArn ?? input.RuleArn ?? input.RulePriorities?.[0]?.RuleArn ?? '';
      return [...listenerOf].find(([listener]) => arn.startsWith(listener.replace(':listener/', ':listener-rule/')) || arn === listener)?.[1];
    });
    assert.ok(!ports.includes(undefined), `every call names a listener of ours: ${ports.join(', ')}`);
    assert.ok(ports.indexOf(8080) >= 0 && ports.indexOf(8080) < ports.lastIndexOf(80), `the listeners' calls interleave: ${ports.join(', ')}`);
    for (const port of [80, 8080]) {
      const own = world.fake
        .mutatingCalls()
        .filter((_call, index) => ports[index] === port)
        .map((call) => call.action);
      const planOfPort = plan.operations.filter((operation) => operation.resource.startsWith(`Rule/${port}/`)).map((operation) => operation.action);
      assert.deepEqual(own, planOfPort, `listener ${port} keeps the plan's order`);
    }
    assert.deepEqual(actionsOf(await planNow(world.newProvider(), STACK, shop('/v2'))), []);
  });
});
