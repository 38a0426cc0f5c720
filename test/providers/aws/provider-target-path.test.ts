/**
 * The AWS provider's target fast path (applyTargets) against the stateful fake: an endpoint change
 * costs its RegisterTargets and DeregisterTargets and nothing else, it declines what only a full
 * reconcile can do, and a crash between any two calls of a batch still converges with nothing leaked.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { LoadBalancerSpec } from '../../../src/model.js';
import { actionsOf, type AwsWorld, createAwsWorld, ownedResources, planNow, reconcile, specOf } from '../../support/aws-provider-world.js';
import { ingressYaml, serviceYaml } from '../../support/cluster.js';

const STACK = 'default/shop';
const IP = { 'alb.ingress.kubernetes.io/target-type': 'ip' };

function addresses(from: number, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `10.0.${20 + Math.floor((from + index) / 250)}.${((from + index) % 250) + 1}`);
}

function shop(web: string[], api: string[] = ['10.0.1.1']): LoadBalancerSpec {
  return specOf(
    serviceYaml({ name: 'web', endpoints: web }) +
      serviceYaml({ name: 'api', endpoints: api }) +
      ingressYaml({
        name: 'shop',
        annotations: IP,
        rules: [
          {
            paths: [
              { path: '/', pathType: 'Prefix', service: 'web' },
              { path: '/api', pathType: 'Prefix', service: 'api' },
            ],
          },
        ],
      }),
  );
}

const WEB = 'default/web:80/ip';
const API = 'default/api:80/ip';

const worlds: AwsWorld[] = [];
function newWorld(): AwsWorld {
  const world = createAwsWorld();
  worlds.push(world);
  return world;
}
afterEach(() => {
  for (const world of worlds.splice(0)) world.close();
});

function registered(world: AwsWorld, service: string): string[] {
  const group = world.fake.state
    .targetGroups()
    .find((candidate) => world.fake.state.tagsOf(candidate.arn)['ingress-bridge.io/resource']?.includes(`/${service}:`));
  return world.fake.state
    .targets(group?.arn ?? '')
    .map((target) => target.id)
    .sort();
}

describe('AWS provider: the target fast path', () => {
  it('a changed EndpointSlice costs one RegisterTargets and one DeregisterTargets, and no read', async () => {
    const world = newWorld();
    const provider = world.newProvider();
    await reconcile(provider, STACK, shop(addresses(0, 3)));
    world.fake.resetCalls();
    const result = await provider.applyTargets(shop(addresses(3, 3)), [WEB]);
    assert.ok(result);
    assert.deepEqual(
      result.outcomes.filter((outcome) => outcome.error !== undefined),
      [],
    );
    await waitFor(() => world.fake.calls().length === 2);
    assert.deepEqual(
      world.fake
        .calls()
        .map((call) => call.action)
        .sort(),
      ['DeregisterTargets', 'RegisterTargets'],
    );
    assert.deepEqual(registered(world, 'web'), addresses(3, 3).sort());
    assert.equal(result.address?.hostname, world.fake.state.loadBalancers()[0]?.dnsName);
    assert.deepEqual(actionsOf(await planNow(world.newProvider(), STACK, shop(addresses(3, 3)))), [], 'a full observe finds the stack in step');
  });

  it('touches only the target groups it is given', async () => {
    const world = newWorld();
    const provider = world.newProvider();
    await reconcile(provider, STACK, shop(addresses(0, 2), ['10.0.1.1']));
    world.fake.resetCalls();
    await provider.applyTargets(shop(addresses(0, 2), ['10.0.1.2']), [WEB]);
    assert.deepEqual(world.fake.calls(), [], 'the web group is in step; the api change is not asked for');
    assert.deepEqual(registered(world, 'api'), ['10.0.1.1']);
  });

  it('declines what only a full reconcile can do', async () => {
    const world = newWorld();
    assert.equal(await world.newProvider().applyTargets(shop(addresses(0, 2)), [WEB]), undefined, 'nothing remembered');
    const provider = world.newProvider();
    await reconcile(provider, STACK, shop(addresses(0, 2)));
    const docs = specOf(
      serviceYaml({ name: 'web', endpoints: addresses(0, 2) }) +
        serviceYaml({ name: 'docs', endpoints: ['10.0.2.1'] }) +
        ingressYaml({
          name: 'shop',
          annotations: IP,
          rules: [
            {
              paths: [
                { path: '/', pathType: 'Prefix', service: 'web' },
                { path: '/docs', pathType: 'Prefix', service: 'docs' },
              ],
            },
          ],
        }),
    );
    assert.equal(await provider.applyTargets(docs, ['default/docs:80/ip']), undefined, 'a target group not created yet');
    assert.equal(await provider.applyTargets(docs, [API]), undefined, 'a target group the spec no longer has');
  });

  it('the memory stays right: the next full reconcile from it plans nothing', async () => {
    const world = newWorld();
    const provider = world.newProvider();
    await reconcile(provider, STACK, shop(addresses(0, 5)));
    await provider.applyTargets(shop(addresses(2, 5)), [WEB]);
    await waitFor(() => registered(world, 'web').length === 5);
    world.fake.resetCalls();
    const plan = provider.diff(shop(addresses(2, 5)), await provider.observe({ id: STACK }, shop(addresses(2, 5)), { read: 'changes' }));
    assert.deepEqual(actionsOf(plan), []);
    assert.deepEqual(world.fake.calls(), []);
  });

  it('converges with nothing leaked after a crash between any two calls of a batch', async () => {
    const before = shop(addresses(0, 250), addresses(600, 3));
    const after = shop(addresses(300, 250), addresses(700, 3));
    const clean = newWorld();
    const cleanProvider = clean.newProvider();
    await reconcile(cleanProvider, STACK, before);
    clean.fake.resetCalls();
    await cleanProvider.applyTargets(after, [WEB, API]);
    await waitFor(() => registered(clean, 'web').length === 250 && registered(clean, 'api').length === 3);
    const calls = clean.fake.mutatingCalls().length;
    assert.equal(calls, 6, 'web: two registrations and two deregistrations (250 targets each way), api: one of each');
    const expected = ownedResources(clean.fake);

    for (let k = 0; k < calls; k += 1) {
      const world = newWorld();
      const provider = world.newProvider();
      await reconcile(provider, STACK, before);
      world.fake.failAfterMutations(k);
      const result = await provider.applyTargets(after, [WEB, API]);
      await waitFor(() => world.fake.mutatingCalls().length >= calls || world.fake.calls().some((call) => call.error?.includes('FakeCrash')));
      await settleCalls(world);
      world.fake.failAfterMutations(undefined);
      if (k < 3)
        assert.ok(
          result?.outcomes.some((outcome) => outcome.error?.includes('FakeCrash')),
          `crash at ${k}: a registration failed and says so`,
        );

      const restarted = world.newProvider();
      await reconcile(restarted, STACK, after);
      assert.deepEqual(actionsOf(await planNow(world.newProvider(), STACK, after)), [], `converged after a crash at ${k}`);
      assert.deepEqual(registered(world, 'web'), addresses(300, 250).sort(), `web targets after a crash at ${k}`);
      assert.deepEqual(registered(world, 'api'), addresses(700, 3).sort(), `api targets after a crash at ${k}`);
      assert.deepEqual(ownedResources(world.fake), expected, `nothing leaked or duplicated, crash at ${k}`);
    }
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 500 && !condition(); tries += 1) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(condition(), 'condition not met');
}

/** Lets background calls of the fast path finish. */
async function settleCalls(world: AwsWorld): Promise<void> {
  let count = -1;
  while (count !== world.fake.calls().length) {
    count = world.fake.calls().length;
    for (let spin = 0; spin < 20; spin += 1) await new Promise((resolve) => setImmediate(resolve));
  }
}
