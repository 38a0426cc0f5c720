/**
 * A rule quota lower than the controller was told: CreateRule meets TooManyRules, and apply makes
 * room with the plan's own pending deletes, one at a time, instead of failing the whole update.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { LoadBalancerSpec } from '../../../src/model.js';
import { actionsOf, type AwsWorld, createAwsWorld, planNow, reconcile, specOf } from '../../support/aws-provider-world.js';
import { ingressYaml, serviceYaml } from '../../support/cluster.js';

const STACK = 'default/shop';
const SERVICES = ['one', 'two', 'three', 'four'].map((name) => serviceYaml({ name })).join('');

function rulesOn(host: string, services: string[]): LoadBalancerSpec {
  return specOf(
    SERVICES + ingressYaml({ name: 'shop', rules: [{ host, paths: services.map((service) => ({ path: `/${service}`, pathType: 'Exact', service })) }] }),
  );
}

let world: AwsWorld | undefined;
afterEach(() => world?.close());

describe('AWS provider: rule quota', () => {
  it('alternates pending deletes with the creates that hit TooManyRules, and converges', async () => {
    world = createAwsWorld({ rulesPerLoadBalancer: 3 });
    const provider = world.newProvider();
    await reconcile(provider, STACK, rulesOn('a.example.com', ['one', 'two', 'three']));
    world.fake.resetCalls();
    const after = rulesOn('b.example.com', ['one', 'two', 'three']);
    const { plan } = await reconcile(provider, STACK, after);
    assert.deepEqual(
      actionsOf(plan).filter((action) => action.endsWith('Rule')),
      ['CreateRule', 'CreateRule', 'CreateRule', 'DeleteRule', 'DeleteRule', 'DeleteRule'],
    );
    const sent = world.fake
      .calls()
      .filter((call) => call.action.endsWith('Rule'))
      .map((call) => `${call.action}${call.error ? `:${call.error}` : ''}`);
    assert.deepEqual(sent, [
      'CreateRule:TooManyRulesException',
      'DeleteRule',
      'CreateRule',
      'CreateRule:TooManyRulesException',
      'DeleteRule',
      'CreateRule',
      'CreateRule:TooManyRulesException',
      'DeleteRule',
      'CreateRule',
    ]);
    assert.deepEqual(actionsOf(await planNow(provider, STACK, after)), []);
  });

  it('fails the create with a clear error when no delete is left to make room', async () => {
    world = createAwsWorld({ rulesPerLoadBalancer: 3 });
    const provider = world.newProvider();
    const spec = rulesOn('a.example.com', ['one', 'two', 'three', 'four']);
    const result = await provider.apply(provider.diff(spec, await provider.observe({ id: STACK }, spec)));
    const failed = result.outcomes.find((outcome) => outcome.error !== undefined);
    assert.equal(failed?.operation.action, 'CreateRule');
    assert.match(failed?.error ?? '', /rule limit.*no rule left to delete/);
    const [lb] = world.fake.state.loadBalancers();
    const [listener] = world.fake.state.listeners(lb?.arn ?? '');
    assert.equal(world.fake.state.rules(listener?.arn ?? '').length, 3, 'the rules that fit are in place');
  });
});
