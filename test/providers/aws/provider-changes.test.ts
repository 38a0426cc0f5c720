/**
 * The AWS provider against the stateful fake: Ingress changes become the fewest calls, in an order
 * where nothing is removed before what replaces it is in place, and routing ends as the spec says.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { LoadBalancerSpec } from '../../../src/model.js';
import { RESOURCE_TAG } from '../../../providers/aws/plan/tags.js';
import { routeOf } from '../../support/alb-evaluator.js';
import { actionsOf, type AwsWorld, createAwsWorld, liveListener, planNow, reconcile, specOf } from '../../support/aws-provider-world.js';
import { ingressYaml, serviceYaml, type IngressFixture, type PathFixture } from '../../support/cluster.js';

const STACK = 'default/shop';
const SERVICES = serviceYaml({ name: 'web' }) + serviceYaml({ name: 'api', endpoints: ['10.0.0.2'] }) + serviceYaml({ name: 'docs', endpoints: ['10.0.0.4'] });
const PATHS: PathFixture[] = [
  { path: '/', pathType: 'Prefix', service: 'web' },
  { path: '/api', pathType: 'Prefix', service: 'api' },
];
const URLS = ['/', '/api', '/api/v1', '/docs', '/docs/x', '/apix'].flatMap((path) => [`http://a.example.com${path}`, `http://b.example.com${path}`]);

function shop(fixture: Partial<IngressFixture> = {}, services = SERVICES): LoadBalancerSpec {
  return specOf(services + ingressYaml({ name: 'shop', rules: [{ host: 'a.example.com', paths: PATHS }], ...fixture }));
}

let world: AwsWorld;
beforeEach(() => {
  world = createAwsWorld();
});
afterEach(() => world.close());

/** Brings the stack to `before`, then applies `after`; returns the update's calls, checks routing and convergence. */
async function update(before: LoadBalancerSpec, after: LoadBalancerSpec): Promise<string[]> {
  const provider = world.newProvider();
  await reconcile(provider, STACK, before);
  world.fake.resetCalls();
  const { plan } = await reconcile(provider, STACK, after);
  const live = liveListener(world.fake, after.stack.name, 80);
  assert.ok(live);
  for (const url of URLS) assert.equal(routeOf({ ...after, listeners: [live] }, url), routeOf(after, url), url);
  assert.deepEqual(actionsOf(await planNow(world.newProvider(), STACK, after)), [], 'a restarted controller finds nothing to do');
  assert.deepEqual(
    world.fake.mutatingCalls().map((call) => call.action),
    actionsOf(plan),
  );
  return actionsOf(plan);
}

function targetGroupKeys(): string[] {
  return world.fake.state
    .targetGroups()
    .map((group) => world.fake.state.tagsOf(group.arn)[RESOURCE_TAG] ?? '')
    .sort();
}

describe('AWS provider: changes', () => {
  it('adds a path: its target group, then one SetRulePriorities and one CreateRule', async () => {
    const actions = await update(
      shop(),
      shop({ rules: [{ host: 'a.example.com', paths: [...PATHS, { path: '/docs', pathType: 'Prefix', service: 'docs' }] }] }),
    );
    assert.deepEqual(actions, ['CreateTargetGroup', 'RegisterTargets', 'SetRulePriorities', 'CreateRule']);
  });

  it('removes a path: the rule goes, then its target group', async () => {
    const withDocs = shop({ rules: [{ host: 'a.example.com', paths: [...PATHS, { path: '/docs', pathType: 'Prefix', service: 'docs' }] }] });
    const actions = await update(withDocs, shop());
    assert.deepEqual(actions, ['SetRulePriorities', 'DeleteRule', 'DeleteTargetGroup']);
    assert.equal(targetGroupKeys().length, 2);
  });

  it('reorders paths with one SetRulePriorities and nothing else', async () => {
    const a = { host: 'a.example.com', paths: [{ path: '/', pathType: 'Prefix', service: 'web' }] };
    const b = { host: 'b.example.com', paths: [{ path: '/', pathType: 'Prefix', service: 'api' }] };
    assert.deepEqual(await update(shop({ rules: [a, b] }), shop({ rules: [b, a] })), ['SetRulePriorities']);
  });

  it('changes a Service port: a new target group, the rule switched in place, the old group deleted last', async () => {
    const moved = serviceYaml({ name: 'web' }) + serviceYaml({ name: 'api', port: 8080, endpoints: ['10.0.0.2'] }) + serviceYaml({ name: 'docs' });
    const after = shop(
      { rules: [{ host: 'a.example.com', paths: [PATHS[0] as PathFixture, { path: '/api', pathType: 'Prefix', service: 'api', port: 8080 }] }] },
      moved,
    );
    const actions = await update(shop(), after);
    assert.deepEqual(actions, ['CreateTargetGroup', 'RegisterTargets', 'ModifyRule', 'DeleteTargetGroup']);
    assert.ok(targetGroupKeys().includes('TargetGroup/default/api:8080/instance'));
    assert.ok(!targetGroupKeys().includes('TargetGroup/default/api:80/instance'));
  });

  it('switches the target type: new groups with their targets first, old groups deleted after the rules let go', async () => {
    const ip = { 'alb.ingress.kubernetes.io/target-type': 'ip' };
    const actions = await update(shop(), shop({ annotations: ip }));
    assert.deepEqual(actions, [
      'CreateTargetGroup',
      'CreateTargetGroup',
      'RegisterTargets',
      'RegisterTargets',
      'ModifyRule',
      'ModifyRule',
      'DeleteTargetGroup',
      'DeleteTargetGroup',
    ]);
    assert.deepEqual(targetGroupKeys(), ['TargetGroup/default/api:80/ip', 'TargetGroup/default/web:80/ip']);
  });

  it('changes a health check with one ModifyTargetGroup carrying only what differs', async () => {
    const services = SERVICES.replace('name: api\n', 'name: api\n  annotations:\n    alb.ingress.kubernetes.io/healthcheck-path: "/healthz"\n');
    const actions = await update(shop(), shop({}, services));
    assert.deepEqual(actions, ['ModifyTargetGroup']);
    const [call] = world.fake.mutatingCalls();
    assert.deepEqual(Object.keys(call?.input as object).sort(), ['HealthCheckPath', 'TargetGroupArn']);
  });

  it('changes attributes with one call per resource, naming only the keys that differ', async () => {
    const annotations = {
      'alb.ingress.kubernetes.io/target-group-attributes': 'deregistration_delay.timeout_seconds=30',
      'alb.ingress.kubernetes.io/load-balancer-attributes': 'idle_timeout.timeout_seconds=120',
    };
    const actions = await update(shop(), shop({ annotations }));
    assert.deepEqual(actions, ['ModifyTargetGroupAttributes', 'ModifyTargetGroupAttributes', 'ModifyLoadBalancerAttributes']);
    for (const call of world.fake.mutatingCalls()) assert.equal((call.input as { Attributes: unknown[] }).Attributes.length, 1);
  });

  it('changes tags with one AddTags for every ELBv2 resource that gets the same change', async () => {
    const actions = await update(shop(), shop({ annotations: { 'alb.ingress.kubernetes.io/tags': 'team=shop' } }));
    assert.deepEqual(actions, ['CreateTags', 'AddTags'], 'the security group (EC2), then the ELBv2 resources');
    const call = world.fake.mutatingCalls().find((candidate) => candidate.action === 'AddTags');
    assert.equal((call?.input as { ResourceArns: string[] }).ResourceArns.length, 6, 'load balancer, listener, two rules, two target groups');
    const removed = await update(shop({ annotations: { 'alb.ingress.kubernetes.io/tags': 'team=shop' } }), shop());
    assert.deepEqual(removed, ['DeleteTags', 'RemoveTags']);
  });
});
