/**
 * The AWS provider against the stateful fake: endpoints coming and going become batched
 * RegisterTargets/DeregisterTargets calls (at most 200 targets each), nothing else.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { TARGET_BATCH_SIZE } from '../../../providers/aws/plan/diff-targets.js';
import { actionsOf, type AwsWorld, createAwsWorld, planNow, reconcile, specOf } from '../../support/aws-provider-world.js';
import { ingressYaml, serviceYaml } from '../../support/cluster.js';

const STACK = 'default/shop';

function addresses(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `10.0.${20 + Math.floor(index / 250)}.${(index % 250) + 1}`);
}

function withEndpoints(count: number): ReturnType<typeof specOf> {
  return specOf(
    serviceYaml({ name: 'web', endpoints: addresses(count) }) +
      ingressYaml({
        name: 'shop',
        annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip' },
        rules: [{ paths: [{ path: '/', pathType: 'Prefix', service: 'web' }] }],
      }),
  );
}

let world: AwsWorld;
beforeEach(() => {
  world = createAwsWorld();
});
afterEach(() => world.close());

function registered(): string[] {
  const [group] = world.fake.state.targetGroups();
  return world.fake.state
    .targets(group?.arn ?? '')
    .map((target) => target.id)
    .sort();
}

function targetsPerCall(action: string): number[] {
  return world.fake
    .mutatingCalls()
    .filter((call) => call.action === action)
    .map((call) => (call.input as { Targets: unknown[] }).Targets.length);
}

describe('AWS provider: targets', () => {
  it('goes from 3 to 50 to 0 endpoints with one registration call each way', async () => {
    const provider = world.newProvider();
    await reconcile(provider, STACK, withEndpoints(3));
    assert.deepEqual(registered(), addresses(3).sort());

    world.fake.resetCalls();
    const grown = await reconcile(provider, STACK, withEndpoints(50));
    assert.deepEqual(actionsOf(grown.plan), ['RegisterTargets']);
    assert.deepEqual(targetsPerCall('RegisterTargets'), [47]);
    assert.deepEqual(registered(), addresses(50).sort());

    world.fake.resetCalls();
    const emptied = await reconcile(provider, STACK, withEndpoints(0));
    assert.deepEqual(actionsOf(emptied.plan), ['DeregisterTargets']);
    assert.deepEqual(targetsPerCall('DeregisterTargets'), [50]);
    assert.deepEqual(registered(), []);
    assert.deepEqual(actionsOf(await planNow(provider, STACK, withEndpoints(0))), []);
  });

  it(`splits registrations into calls of at most ${TARGET_BATCH_SIZE} targets`, async () => {
    const provider = world.newProvider();
    await reconcile(provider, STACK, withEndpoints(1));
    world.fake.resetCalls();
    await reconcile(provider, STACK, withEndpoints(451));
    assert.deepEqual(targetsPerCall('RegisterTargets'), [200, 200, 50]);
    assert.equal(registered().length, 451);

    world.fake.resetCalls();
    await reconcile(provider, STACK, withEndpoints(1));
    assert.deepEqual(targetsPerCall('DeregisterTargets'), [200, 200, 50]);
    assert.deepEqual(registered(), addresses(1));
  });

  it('registers the ports the endpoints carry', async () => {
    const provider = world.newProvider();
    const spec = specOf(
      serviceYaml({ name: 'web', endpoints: ['10.0.0.7'], endpointPort: 9090, targetPort: 9090 }) +
        ingressYaml({
          name: 'shop',
          annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip' },
          rules: [{ paths: [{ path: '/', pathType: 'Prefix', service: 'web' }] }],
        }),
    );
    await reconcile(provider, STACK, spec);
    const [group] = world.fake.state.targetGroups();
    assert.deepEqual(
      world.fake.state.targets(group?.arn ?? '').map((target) => `${target.id}:${target.port}`),
      ['10.0.0.7:9090'],
    );
  });
});
