/**
 * The AWS fake's listener rules through the real ELBv2 client: priorities, condition limits,
 * the rules-per-load-balancer limit, the default rule, SetRulePriorities and Describe paging.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteRuleCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  ModifyRuleCommand,
  SetRulePrioritiesCommand,
  type Action,
  type RuleCondition,
  type TargetGroupTuple,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { createAwsFake, type AwsFake } from '../../../fakes/aws/index.js';
import { seedDefaultNetwork } from '../../../fakes/aws/fixtures.js';

const elbv2 = new ElasticLoadBalancingV2Client({ region: 'us-east-1' });
const notFound: Action[] = [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }];
const path = (...values: string[]): RuleCondition => ({ Field: 'path-pattern', PathPatternConfig: { Values: values } });
let fake: AwsFake;
let vpcId: string;
let lbArn: string;
let listenerArn: string;

async function setUp(options: Parameters<typeof createAwsFake>[0] = {}): Promise<void> {
  fake = createAwsFake(options);
  fake.install();
  const net = seedDefaultNetwork(fake);
  vpcId = net.vpcId;
  const lb = await elbv2.send(new CreateLoadBalancerCommand({ Name: 'k8s-web', Subnets: net.publicSubnetIds }));
  lbArn = lb.LoadBalancers?.[0]?.LoadBalancerArn ?? '';
  const listener = await elbv2.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Port: 80, Protocol: 'HTTP', DefaultActions: notFound }));
  listenerArn = listener.Listeners?.[0]?.ListenerArn ?? '';
}

async function createRule(priority: number, conditions: RuleCondition[], actions: Action[] = notFound, onListener = listenerArn): Promise<string> {
  const out = await elbv2.send(new CreateRuleCommand({ ListenerArn: onListener, Priority: priority, Conditions: conditions, Actions: actions }));
  return out.Rules?.[0]?.RuleArn ?? assert.fail('no rule ARN');
}

async function priorities(): Promise<string[]> {
  const { Rules = [] } = await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
  return Rules.map((rule) => rule.Priority ?? '');
}

beforeEach(() => setUp());
afterEach(() => fake.restore());

describe('rule priorities', () => {
  it('keeps priorities unique per listener and within 1-50000', async () => {
    await createRule(10, [path('/a')]);
    await assert.rejects(createRule(10, [path('/b')]), { name: 'PriorityInUseException' });
    await assert.rejects(createRule(0, [path('/b')]), { name: 'ValidationError' });
    await assert.rejects(createRule(50001, [path('/b')]), { name: 'ValidationError' });
    await createRule(50000, [path('/b')]);
    assert.deepEqual(await priorities(), ['10', '50000', 'default']);
  });

  it('swaps priorities atomically and refuses a set that would leave duplicates', async () => {
    const a = await createRule(1, [path('/a')]);
    const b = await createRule(2, [path('/b')]);
    await elbv2.send(
      new SetRulePrioritiesCommand({
        RulePriorities: [
          { RuleArn: a, Priority: 2 },
          { RuleArn: b, Priority: 1 },
        ],
      }),
    );
    assert.deepEqual(
      fake.state.rules(listenerArn).map((rule) => rule.arn),
      [b, a],
    );
    await assert.rejects(elbv2.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: a, Priority: 1 }] })), { name: 'PriorityInUseException' });
    assert.deepEqual(
      fake.state.rules(listenerArn).map((rule) => [rule.arn, rule.priority]),
      [
        [b, 1],
        [a, 2],
      ],
    );
  });

  it('never lets the default rule be modified, deleted or reprioritized', async () => {
    const { Rules = [] } = await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
    const defaultRule = Rules.find((rule) => rule.IsDefault)?.RuleArn ?? assert.fail('no default rule');
    await assert.rejects(elbv2.send(new ModifyRuleCommand({ RuleArn: defaultRule, Actions: notFound })), { name: 'OperationNotPermittedException' });
    await assert.rejects(elbv2.send(new DeleteRuleCommand({ RuleArn: defaultRule })), { name: 'OperationNotPermittedException' });
    await assert.rejects(elbv2.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: defaultRule, Priority: 5 }] })), {
      name: 'OperationNotPermittedException',
    });
  });

  it('pages DescribeRules with the default rule last, and drops rules with their listener', async () => {
    const arns = [await createRule(3, [path('/c')]), await createRule(1, [path('/a')]), await createRule(2, [path('/b')])];
    const first = await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn, PageSize: 2 }));
    assert.deepEqual(
      first.Rules?.map((rule) => rule.Priority),
      ['1', '2'],
    );
    const second = await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn, PageSize: 2, Marker: first.NextMarker }));
    assert.deepEqual(
      second.Rules?.map((rule) => rule.Priority),
      ['3', 'default'],
    );
    assert.equal(second.NextMarker, undefined);
    await elbv2.send(new DeleteListenerCommand({ ListenerArn: listenerArn }));
    await assert.rejects(elbv2.send(new DescribeRulesCommand({ RuleArns: arns })), { name: 'RuleNotFoundException' });
  });
});

describe('rule limits', () => {
  it('counts rules across all listeners of a load balancer', async () => {
    fake.restore();
    await setUp({ rulesPerLoadBalancer: 2 });
    const second = await elbv2.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Port: 8080, Protocol: 'HTTP', DefaultActions: notFound }));
    await createRule(1, [path('/a')]);
    await createRule(1, [path('/a')], notFound, second.Listeners?.[0]?.ListenerArn);
    await assert.rejects(createRule(2, [path('/b')]), { name: 'TooManyRulesException' });
  });

  it('checks conditions the way the ALB does', async () => {
    const rejected: [string, RuleCondition[]][] = [
      ['two path-pattern conditions', [path('/a'), path('/b')]],
      ['Values and RegexValues together', [{ Field: 'host-header', HostHeaderConfig: { Values: ['a.test'], RegexValues: ['^a$'] } }]],
      ['neither Values nor RegexValues', [{ Field: 'host-header', HostHeaderConfig: {} }]],
      ['six condition values', [path('/1', '/2', '/3'), { Field: 'host-header', HostHeaderConfig: { Values: ['a', 'b', 'c'] } }]],
      ['six wildcards', [path('/a*b*c*', '/d*e*f*')]],
      ['a value over 128 characters', [path(`/${'x'.repeat(128)}`)]],
      ['an unknown field', [{ Field: 'cookie', Values: ['x'] }]],
      ['no conditions', []],
    ];
    for (const [label, conditions] of rejected) {
      await assert.rejects(createRule(1, conditions), { name: 'ValidationError' }, label);
    }
    assert.deepEqual(fake.state.rules(listenerArn), []);
    await createRule(1, [{ Field: 'path-pattern', PathPatternConfig: { RegexValues: ['^/a.*b.*c.*d.*e.*f.*$'] } }]);
  });

  it('allows at most five target groups per forward action', async () => {
    const groups: TargetGroupTuple[] = [];
    for (let i = 0; i < 6; i += 1) {
      const out = await elbv2.send(new CreateTargetGroupCommand({ Name: `k8s-tg-${i}`, Protocol: 'HTTP', Port: 80, VpcId: vpcId }));
      groups.push({ TargetGroupArn: out.TargetGroups?.[0]?.TargetGroupArn, Weight: 1 });
    }
    const forward = (count: number): Action[] => [{ Type: 'forward', ForwardConfig: { TargetGroups: groups.slice(0, count) } }];
    await assert.rejects(createRule(1, [path('/a')], forward(6)), { name: 'ValidationError' });
    const arn = await createRule(1, [path('/a')], forward(5));
    const { Rules = [] } = await elbv2.send(new DescribeRulesCommand({ RuleArns: [arn] }));
    assert.equal(Rules[0]?.Actions?.[0]?.ForwardConfig?.TargetGroups?.length, 5);
    assert.equal(Rules[0]?.Actions?.[0]?.TargetGroupArn, undefined);
  });

  it('rejects a redirect that would loop back to the same URL', async () => {
    const loop: Action[] = [{ Type: 'redirect', RedirectConfig: { StatusCode: 'HTTP_301' } }];
    await assert.rejects(createRule(1, [path('/a')], loop), { name: 'ValidationError' });
    const arn = await createRule(1, [path('/a')], [{ Type: 'redirect', RedirectConfig: { StatusCode: 'HTTP_301', Protocol: 'HTTPS', Port: '443' } }]);
    const { Rules = [] } = await elbv2.send(new DescribeRulesCommand({ RuleArns: [arn] }));
    assert.deepEqual(Rules[0]?.Actions?.[0]?.RedirectConfig, {
      Protocol: 'HTTPS',
      Port: '443',
      Host: '#{host}',
      Path: '/#{path}',
      Query: '#{query}',
      StatusCode: 'HTTP_301',
    });
  });

  it('describes host and path values in both the legacy Values and the Config', async () => {
    const arn = await createRule(1, [{ Field: 'host-header', Values: ['a.test'] }]);
    await elbv2.send(new ModifyRuleCommand({ RuleArn: arn, Conditions: [path('/x')] }));
    const { Rules = [] } = await elbv2.send(new DescribeRulesCommand({ RuleArns: [arn] }));
    assert.deepEqual(Rules[0]?.Conditions, [{ Field: 'path-pattern', Values: ['/x'], PathPatternConfig: { Values: ['/x'] } }]);
  });
});
