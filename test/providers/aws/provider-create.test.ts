/**
 * The AWS provider against the stateful fake: a stack created from nothing, then left alone by
 * resyncs and restarts (reads only, counted), then deleted without a trace.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Provider } from '../../../src/provider.js';
import { CLUSTER_TAG, RESOURCE_TAG, STACK_TAG } from '../../../providers/aws/plan/tags.js';
import { routeOf } from '../../support/alb-evaluator.js';
import { actionsOf, type AwsWorld, createAwsWorld, liveListener, ownedResources, planNow, reconcile, specOf } from '../../support/aws-provider-world.js';
import { ingressYaml, serviceYaml } from '../../support/cluster.js';

const STACK = 'default/shop';
const YAML =
  serviceYaml({ name: 'web' }) +
  serviceYaml({ name: 'api', endpoints: ['10.0.0.2', '10.0.0.3'] }) +
  ingressYaml({
    name: 'shop',
    annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip', 'alb.ingress.kubernetes.io/tags': 'team=shop' },
    rules: [
      {
        host: 'shop.example.com',
        paths: [
          { path: '/', pathType: 'Prefix', service: 'web' },
          { path: '/api', pathType: 'Prefix', service: 'api' },
        ],
      },
    ],
  });

let world: AwsWorld;
beforeEach(() => {
  world = createAwsWorld();
});
afterEach(() => world.close());

describe('AWS provider: create, resync, restart, delete', () => {
  it('creates the whole stack from nothing, tagged as ours, routing as the spec says', async () => {
    const spec = specOf(YAML);
    const { result } = await reconcile(world.newProvider(), STACK, spec);
    const [lb] = world.fake.state.loadBalancers();
    assert.ok(lb);
    assert.equal(lb.name, spec.stack.name);
    assert.equal(lb.scheme, 'internal');
    assert.deepEqual([...lb.subnetIds].sort(), [...world.network.internalSubnetIds].sort());
    assert.deepEqual(result.address, { hostname: lb.dnsName });
    assert.deepEqual(world.fake.state.tagsOf(lb.arn), { [CLUSTER_TAG]: 'test', [STACK_TAG]: STACK, [RESOURCE_TAG]: 'LoadBalancer', team: 'shop' });

    const groups = world.fake.state.targetGroups();
    assert.deepEqual(groups.map((group) => world.fake.state.tagsOf(group.arn)[RESOURCE_TAG]).sort(), [
      'TargetGroup/default/api:80/ip',
      'TargetGroup/default/web:80/ip',
    ]);
    const api = groups.find((group) => group.name === spec.targetGroups.find((candidate) => candidate.key === 'default/api:80/ip')?.name);
    assert.deepEqual(
      world.fake.state
        .targets(api?.arn ?? '')
        .map((target) => `${target.id}:${target.port}`)
        .sort(),
      ['10.0.0.2:8080', '10.0.0.3:8080'],
    );

    const frontend = world.fake.state.securityGroups().find((group) => world.fake.state.tagsOf(group.id)[RESOURCE_TAG] === 'SecurityGroup/frontend');
    assert.deepEqual(lb.securityGroupIds, [frontend?.id]);

    const live = liveListener(world.fake, spec.stack.name, 80);
    assert.ok(live);
    const now = { ...spec, listeners: [live] };
    for (const url of ['http://shop.example.com/', 'http://shop.example.com/api/v1', 'http://shop.example.com/apix', 'http://other.example.com/']) {
      assert.equal(routeOf(now, url), routeOf(spec, url), url);
    }
  });

  it('makes no mutating call on an unchanged resync, and exactly the reads observe.ts states', async () => {
    const spec = specOf(YAML);
    const provider = world.newProvider();
    await reconcile(provider, STACK, spec);
    world.fake.resetCalls();
    const plan = await planNow(provider, STACK, spec);
    assert.deepEqual(actionsOf(plan), []);
    assert.deepEqual(world.fake.mutatingCalls(), []);
    // One listener (HTTP), two target groups (no attribute managed), two rules:
    // 1+1+1 + L(1) + H(0) + 1 + A(0) + T(2) + ⌈(1+1+2+2)/20⌉(1),
    // then GetResources for certificates and DescribeSecurityGroups + DescribeSecurityGroupRules.
    assert.deepEqual(world.fake.callCounts(), {
      'elbv2:DescribeLoadBalancers': 1,
      'elbv2:DescribeLoadBalancerAttributes': 1,
      'elbv2:DescribeListeners': 1,
      'elbv2:DescribeRules': 1,
      'elbv2:DescribeTargetGroups': 1,
      'elbv2:DescribeTargetHealth': 2,
      'elbv2:DescribeTags': 1,
      'tagging:GetResources': 1,
      'ec2:DescribeSecurityGroups': 1,
      'ec2:DescribeSecurityGroupRules': 1,
    });
  });

  it('finds everything by tags after a restart and changes nothing', async () => {
    const spec = specOf(YAML);
    await reconcile(world.newProvider(), STACK, spec);
    world.fake.resetCalls();
    const restarted = world.newProvider();
    const { plan } = await reconcile(restarted, STACK, spec);
    assert.deepEqual(actionsOf(plan), []);
    assert.deepEqual(world.fake.mutatingCalls(), []);
    const counts = world.fake.callCounts();
    assert.equal(counts['tagging:GetResources'], 2, 'one search for the stack, one for its certificates');
    assert.equal(counts['elbv2:DescribeLoadBalancers'], 1, 'by ARN, once');
    assert.ok(world.fake.calls().every((call) => call.action !== 'DescribeLoadBalancers' || JSON.stringify(call.input).includes('LoadBalancerArns')));
    assert.ok(world.fake.calls().every((call) => call.action !== 'DescribeTargetGroups' || JSON.stringify(call.input).includes('TargetGroupArns')));
  });

  it('works through the Provider contract alone, finding subnets and the VPC at apply time', async () => {
    const spec = specOf(YAML);
    const provider: Provider = world.newProvider();
    const plan = provider.diff(spec, await provider.observe({ id: STACK }));
    assert.match(JSON.stringify(plan), /\$\{Subnets\}/);
    const result = await provider.apply(plan);
    assert.deepEqual(
      result.outcomes.filter((outcome) => outcome.error !== undefined),
      [],
    );
    assert.deepEqual([...(world.fake.state.loadBalancers()[0]?.subnetIds ?? [])].sort(), [...world.network.internalSubnetIds].sort());
    assert.deepEqual(provider.diff(spec, await provider.observe({ id: STACK })).operations, []);
  });

  it('notices a remembered load balancer deleted behind its back, and builds it again', async () => {
    const spec = specOf(YAML);
    const provider = world.newProvider();
    await reconcile(provider, STACK, spec);
    const [lb] = world.fake.state.loadBalancers();
    await world.fake.dispatch('elbv2', 'DeleteLoadBalancer', { LoadBalancerArn: lb?.arn });
    const { plan } = await reconcile(provider, STACK, spec);
    assert.deepEqual(actionsOf(plan), ['CreateLoadBalancer', 'CreateListener', 'CreateRule', 'CreateRule']);
    assert.deepEqual(actionsOf(await planNow(provider, STACK, spec)), []);
  });

  it('searches by tags again after invalidate', async () => {
    const spec = specOf(YAML);
    const provider = world.newProvider();
    await reconcile(provider, STACK, spec);
    world.fake.resetCalls();
    provider.invalidate(STACK);
    await planNow(provider, STACK, spec);
    assert.equal(world.fake.callCounts()['tagging:GetResources'], 2);
  });

  it('deletes everything it made, dependents first, and leaves nothing tagged as ours', async () => {
    const spec = specOf(YAML);
    const provider = world.newProvider();
    await reconcile(provider, STACK, spec);
    world.fake.resetCalls();
    await provider.delete({ id: STACK });
    assert.deepEqual(ownedResources(world.fake), []);
    assert.deepEqual(world.fake.state.loadBalancers(), []);
    const order = world.fake.mutatingCalls().map((call) => call.action);
    assert.ok(order.indexOf('DeleteLoadBalancer') < order.indexOf('DeleteTargetGroup'));
    assert.ok(order.lastIndexOf('DeleteTargetGroup') < order.indexOf('DeleteSecurityGroup'));
    assert.deepEqual(actionsOf(await planNow(world.newProvider(), STACK, undefined)), []);
  });
});
