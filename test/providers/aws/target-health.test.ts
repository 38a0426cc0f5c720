/**
 * The AWS provider's target health for readiness gates, against the stateful fake: one
 * DescribeTargetHealth per target group per read, naming only the targets asked about, by the ARNs
 * the provider's own apply knew; groups it has not applied (or has deleted) are left out.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { TargetRef } from '../../../src/provider.js';
import { type AwsWorld, createAwsWorld, reconcile, specOf } from '../../support/aws-provider-world.js';
import { ingressYaml, serviceYaml } from '../../support/cluster.js';

const STACK = 'default/shop';
const IP = { 'alb.ingress.kubernetes.io/target-type': 'ip' };

function spec(services: Record<string, string[]>): ReturnType<typeof specOf> {
  const names = Object.keys(services);
  return specOf(
    names.map((name) => serviceYaml({ name, endpoints: services[name] })).join('') +
      ingressYaml({ name: 'shop', annotations: IP, rules: [{ paths: names.map((name) => ({ path: `/${name}`, pathType: 'Prefix', service: name })) }] }),
  );
}

const target = (id: string): TargetRef => ({ id, port: 8080 });
const keyOf = (service: string): string => `default/${service}:80/ip`;

let world: AwsWorld;
beforeEach(() => {
  world = createAwsWorld();
});
afterEach(() => world.close());

/** The DescribeTargetHealth calls since the last reset, as the targets each named. */
function healthReads(): string[][] {
  return world.fake
    .calls()
    .filter((call) => call.action === 'DescribeTargetHealth')
    .map((call) => ((call.input as { Targets?: { Id?: string }[] }).Targets ?? []).map((entry) => entry.Id ?? '?'));
}

describe('AWS provider: target health for readiness gates', () => {
  it('reads each target group once, for the targets asked about only, and reports their states', async () => {
    const provider = world.newProvider();
    await reconcile(provider, STACK, spec({ web: ['10.0.1.1', '10.0.1.2', '10.0.1.3'] }));
    world.fake.holdTargetHealth('10.0.1.3', 'initial');
    world.fake.resetCalls();

    const report = await provider.targetHealth(STACK, new Map([[keyOf('web'), ['10.0.1.1', '10.0.1.3'].map(target)]]));
    assert.deepEqual(healthReads(), [['10.0.1.1', '10.0.1.3']]);
    const states = Object.fromEntries([...(report.get(keyOf('web')) ?? [])].map(([key, health]) => [key, health.state]));
    assert.deepEqual(states, { '10.0.1.1:8080': 'healthy', '10.0.1.3:8080': 'initial' });
    assert.equal(report.get(keyOf('web'))?.get('10.0.1.3:8080')?.reason, 'Elb.RegistrationInProgress');

    world.fake.resetCalls();
    world.fake.holdTargetHealth('10.0.1.3', undefined);
    const next = await provider.targetHealth(STACK, new Map([[keyOf('web'), [target('10.0.1.3')]]]));
    assert.deepEqual(healthReads(), [['10.0.1.3']], 'the next poll names only the target still pending');
    assert.equal(next.get(keyOf('web'))?.get('10.0.1.3:8080')?.state, 'healthy');
  });

  it('makes one call per target group asked about, none for a group with nothing pending', async () => {
    const provider = world.newProvider();
    await reconcile(provider, STACK, spec({ web: ['10.0.1.1'], api: ['10.0.2.1'], admin: ['10.0.3.1'] }));
    world.fake.resetCalls();
    const report = await provider.targetHealth(
      STACK,
      new Map([
        [keyOf('web'), [target('10.0.1.1')]],
        [keyOf('api'), [target('10.0.2.1')]],
        [keyOf('admin'), []],
      ]),
    );
    assert.deepEqual(healthReads().sort(), [['10.0.1.1'], ['10.0.2.1']]);
    assert.deepEqual([...report.keys()].sort(), [keyOf('api'), keyOf('web')]);
  });

  it('leaves out targets the group does not hold, groups it never applied and stacks it deleted', async () => {
    const provider = world.newProvider();
    await reconcile(provider, STACK, spec({ web: ['10.0.1.1'] }));
    world.fake.resetCalls();
    const report = await provider.targetHealth(
      STACK,
      new Map([
        [keyOf('web'), [target('10.0.1.1'), target('10.0.1.99')]],
        [keyOf('unknown'), [target('10.0.9.9')]],
      ]),
    );
    assert.deepEqual([...(report.get(keyOf('web'))?.keys() ?? [])], ['10.0.1.1:8080']);
    assert.equal(report.has(keyOf('unknown')), false);
    assert.equal(healthReads().length, 1);

    world.fake.resetCalls();
    assert.equal((await provider.targetHealth('default/other', new Map([[keyOf('web'), [target('10.0.1.1')]]]))).size, 0);
    await reconcile(provider, STACK, undefined);
    assert.equal((await provider.targetHealth(STACK, new Map([[keyOf('web'), [target('10.0.1.1')]]]))).size, 0);
    assert.deepEqual(
      healthReads().filter((targets) => targets.length > 0),
      [],
      'no read names targets of a stack it does not have',
    );
  });

  it('a restarted provider knows the groups again after its first reconcile, which changes nothing', async () => {
    await reconcile(world.newProvider(), STACK, spec({ web: ['10.0.1.1'] }));
    const restarted = world.newProvider();
    const query = new Map([[keyOf('web'), [target('10.0.1.1')]]]);
    assert.equal((await restarted.targetHealth(STACK, query)).size, 0);
    world.fake.resetCalls();
    await reconcile(restarted, STACK, spec({ web: ['10.0.1.1'] }));
    assert.deepEqual(world.fake.mutatingCalls(), []);
    assert.equal((await restarted.targetHealth(STACK, query)).get(keyOf('web'))?.get('10.0.1.1:8080')?.state, 'healthy');
  });
});
