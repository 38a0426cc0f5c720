import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { portRanges } from '../../../providers/aws/plan/security-group-permissions.js';
import type { ObservedSecurityGroups } from '../../../providers/aws/observe/security-groups.js';
import { frontendGroupName, planSecurityGroups, type SecurityGroupPlanContext } from '../../../providers/aws/plan/security-groups.js';
import { CLUSTER_TAG, RESOURCE_TAG, STACK_TAG } from '../../../providers/aws/plan/tags.js';
import { CLUSTER, stackSpec, targetGroup } from '../../support/aws-spec-builder.js';

const STACK = 'default/web';
const FRONTEND = 'sg-0f0f0f0f0f0f0f0f0';
const NODE_GROUP = 'sg-0n0n0n0n0n0n0n0n0';
const context: SecurityGroupPlanContext = { clusterName: CLUSTER, stackId: STACK, vpcId: 'vpc-1', backendGroupIds: [NODE_GROUP], manageBackendRules: true };
const nothing: ObservedSecurityGroups = { backendRules: [] };

function nodeTargets(...ports: number[]) {
  return ports.map((port, index) => ({ id: `aws:///us-east-1a/i-0${index}`, ip: `10.0.1.${index + 1}`, port }));
}

function calls(operations: { action: string; detail: { input: Record<string, unknown> } }[]): [string, Record<string, unknown>][] {
  return operations.map((operation) => [operation.action, operation.detail.input]);
}

describe('planSecurityGroups: the frontend group', () => {
  it('creates the group in the VPC with ownership and user tags, then opens each listener port to the inbound CIDRs', () => {
    const spec = stackSpec(STACK, { tags: { team: 'web' } });
    const plan = planSecurityGroups(spec, nothing, { ...context, backendGroupIds: [] });
    const [create, authorize] = plan.create;
    assert.equal(create?.action, 'CreateSecurityGroup');
    const input = create?.detail.input ?? {};
    assert.equal(input['GroupName'], frontendGroupName(CLUSTER, STACK));
    assert.equal(input['VpcId'], 'vpc-1');
    assert.deepEqual(input['TagSpecifications'], [
      {
        ResourceType: 'security-group',
        Tags: [
          { Key: 'team', Value: 'web' },
          { Key: CLUSTER_TAG, Value: CLUSTER },
          { Key: STACK_TAG, Value: STACK },
          { Key: RESOURCE_TAG, Value: 'SecurityGroup/frontend' },
        ],
      },
    ]);
    assert.deepEqual(create?.detail.produces, { ref: '${SecurityGroup:frontend}', outputPath: 'GroupId' });
    assert.deepEqual(calls(authorize ? [authorize] : []), [
      [
        'AuthorizeSecurityGroupIngress',
        {
          GroupId: '${SecurityGroup:frontend}',
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        },
      ],
    ]);
    assert.deepEqual(plan.cleanup, []);
  });

  it('opens IPv6 CIDRs through Ipv6Ranges for a dualstack load balancer', () => {
    const spec = stackSpec(STACK, { ipAddressType: 'dualstack', securityGroups: { kind: 'managed', inboundCidrs: ['0.0.0.0/0', '::/0'] } });
    const authorize = planSecurityGroups(spec, nothing, context).create.find((operation) => operation.action === 'AuthorizeSecurityGroupIngress');
    assert.deepEqual(authorize?.detail.input['IpPermissions'], [
      { IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
    ]);
  });

  it('authorizes and revokes only the difference, and references the group it found', () => {
    const spec = stackSpec(STACK, { securityGroups: { kind: 'managed', inboundCidrs: ['10.0.0.0/8', '192.168.0.0/16'] } });
    const observed: ObservedSecurityGroups = {
      frontend: {
        groupId: FRONTEND,
        permissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '10.0.0.0/8' }, { CidrIp: '0.0.0.0/0' }] }],
        tags: { [CLUSTER_TAG]: CLUSTER },
      },
      backendRules: [],
    };
    const plan = planSecurityGroups(spec, observed, { ...context, backendGroupIds: [] });
    assert.deepEqual(calls(plan.create), [
      [
        'AuthorizeSecurityGroupIngress',
        { GroupId: FRONTEND, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '192.168.0.0/16' }] }] },
      ],
      [
        'RevokeSecurityGroupIngress',
        { GroupId: FRONTEND, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] },
      ],
    ]);
    assert.equal(plan.references.get('${SecurityGroup:frontend}'), FRONTEND);
  });

  it("keeps the group's user tags in step with the tags annotation, leaving ownership tags alone", () => {
    const observed: ObservedSecurityGroups = {
      frontend: {
        groupId: FRONTEND,
        permissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        tags: { [CLUSTER_TAG]: CLUSTER, [STACK_TAG]: STACK, team: 'old', stale: 'x' },
      },
      backendRules: [],
    };
    const plan = planSecurityGroups(stackSpec(STACK, { tags: { team: 'web', env: 'prod' } }), observed, { ...context, backendGroupIds: [] });
    assert.deepEqual(calls(plan.create), [
      [
        'CreateTags',
        {
          Resources: [FRONTEND],
          Tags: [
            { Key: 'team', Value: 'web' },
            { Key: 'env', Value: 'prod' },
          ],
        },
      ],
      ['DeleteTags', { Resources: [FRONTEND], Tags: [{ Key: 'stale' }] }],
    ]);
  });

  it('makes no call when the group is in step', () => {
    const observed: ObservedSecurityGroups = {
      frontend: { groupId: FRONTEND, permissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }], tags: {} },
      backendRules: [],
    };
    const plan = planSecurityGroups(stackSpec(STACK), observed, { ...context, backendGroupIds: [] });
    assert.deepEqual([...plan.create, ...plan.cleanup], []);
  });

  it('gives the group a name EC2 accepts, distinct per cluster', () => {
    const name = frontendGroupName(CLUSTER, 'Shop Team/web.v2');
    assert.match(name, /^k8s-shop-team-web-v2-[0-9a-f]{10}$/);
    assert.notEqual(frontendGroupName('other', 'Shop Team/web.v2'), name);
    assert.ok(frontendGroupName(CLUSTER, 'x'.repeat(300)).length <= 255);
  });
});

describe('planSecurityGroups: backend rules', () => {
  it('admits the frontend group to the NodePorts and a numeric health-check port, with tagged rules', () => {
    const spec = stackSpec(STACK, {
      targetGroups: [targetGroup({ service: 'web', targetType: 'instance', targets: nodeTargets(30080, 30081), healthCheckPort: 10256 })],
    });
    const observed: ObservedSecurityGroups = { frontend: { groupId: FRONTEND, permissions: [], tags: {} }, backendRules: [] };
    const authorize = planSecurityGroups(spec, observed, context).create.filter((operation) => operation.detail.input['GroupId'] === NODE_GROUP);
    assert.deepEqual(calls(authorize), [
      [
        'AuthorizeSecurityGroupIngress',
        {
          GroupId: NODE_GROUP,
          IpPermissions: [
            { IpProtocol: 'tcp', FromPort: 10256, ToPort: 10256, UserIdGroupPairs: [{ GroupId: FRONTEND }] },
            { IpProtocol: 'tcp', FromPort: 30080, ToPort: 30081, UserIdGroupPairs: [{ GroupId: FRONTEND }] },
          ],
          TagSpecifications: [
            {
              ResourceType: 'security-group-rule',
              Tags: [
                { Key: CLUSTER_TAG, Value: CLUSTER },
                { Key: STACK_TAG, Value: STACK },
                { Key: RESOURCE_TAG, Value: 'SecurityGroupRule/backend' },
              ],
            },
          ],
        },
      ],
    ]);
  });

  it('admits a frontend group created in the same plan by its placeholder, on the pod ports of ip targets', () => {
    const spec = stackSpec(STACK, {
      targetGroups: [targetGroup({ service: 'api', targetType: 'ip', targets: [{ id: '10.0.2.7', ip: '10.0.2.7', port: 8080 }] })],
    });
    const authorize = planSecurityGroups(spec, nothing, context).create.find((operation) => operation.detail.input['GroupId'] === NODE_GROUP);
    assert.deepEqual(authorize?.detail.input['IpPermissions'], [
      { IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, UserIdGroupPairs: [{ GroupId: '${SecurityGroup:frontend}' }] },
    ]);
  });

  it('revokes, by rule ID and after the load balancer changes, only our rules that are no longer needed', () => {
    const spec = stackSpec(STACK, { targetGroups: [targetGroup({ service: 'web', targetType: 'instance', targets: nodeTargets(30080) })] });
    const observed: ObservedSecurityGroups = {
      frontend: { groupId: FRONTEND, permissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }], tags: {} },
      backendRules: [
        {
          groupId: NODE_GROUP,
          ruleIds: ['sgr-keep', 'sgr-stale'],
          permissions: [
            { IpProtocol: 'tcp', FromPort: 30080, ToPort: 30080, UserIdGroupPairs: [{ GroupId: FRONTEND }] },
            { IpProtocol: 'tcp', FromPort: 31000, ToPort: 31000, UserIdGroupPairs: [{ GroupId: FRONTEND }] },
          ],
        },
      ],
    };
    const plan = planSecurityGroups(spec, observed, context);
    assert.deepEqual(plan.create, []);
    assert.deepEqual(calls(plan.cleanup), [['RevokeSecurityGroupIngress', { GroupId: NODE_GROUP, SecurityGroupRuleIds: ['sgr-stale'] }]]);
  });

  it('adds no backend rule when backend rules are not managed', () => {
    const spec = stackSpec(STACK, { targetGroups: [targetGroup({ service: 'web', targetType: 'instance', targets: nodeTargets(30080) })] });
    const plan = planSecurityGroups(spec, nothing, { ...context, manageBackendRules: false });
    assert.deepEqual(
      plan.create.map((operation) => operation.action),
      ['CreateSecurityGroup', 'AuthorizeSecurityGroupIngress'],
    );
    assert.equal(plan.create[1]?.detail.input['GroupId'], '${SecurityGroup:frontend}');
  });

  it('with groups given by ID, manages no frontend group and admits the first given group', () => {
    const spec = stackSpec(STACK, {
      securityGroups: { kind: 'ids', ids: ['web-lb', 'sg-0aaa', 'sg-0bbb'] },
      targetGroups: [targetGroup({ service: 'web', targetType: 'instance', targets: nodeTargets(30080) })],
    });
    const plan = planSecurityGroups(spec, nothing, context);
    assert.deepEqual(
      calls(plan.create).map(([action, input]) => [action, input['GroupId'], input['IpPermissions']]),
      [['AuthorizeSecurityGroupIngress', NODE_GROUP, [{ IpProtocol: 'tcp', FromPort: 30080, ToPort: 30080, UserIdGroupPairs: [{ GroupId: 'sg-0aaa' }] }]]],
    );
    assert.equal(plan.references.size, 0);
    assert.deepEqual(planSecurityGroups(spec, nothing, { ...context, manageBackendRules: false }).create, []);
  });

  it('when the stack goes, revokes our backend rules before deleting the frontend group', () => {
    const observed: ObservedSecurityGroups = {
      frontend: { groupId: FRONTEND, permissions: [], tags: {} },
      backendRules: [
        {
          groupId: NODE_GROUP,
          ruleIds: ['sgr-1'],
          permissions: [{ IpProtocol: 'tcp', FromPort: 30080, ToPort: 30080, UserIdGroupPairs: [{ GroupId: FRONTEND }] }],
        },
      ],
    };
    const plan = planSecurityGroups(undefined, observed, { ...context, backendGroupIds: [] });
    assert.deepEqual(plan.create, []);
    assert.deepEqual(calls(plan.cleanup), [
      ['RevokeSecurityGroupIngress', { GroupId: NODE_GROUP, SecurityGroupRuleIds: ['sgr-1'] }],
      ['DeleteSecurityGroup', { GroupId: FRONTEND }],
    ]);
  });
});

describe('portRanges', () => {
  it('merges consecutive ports and drops duplicates', () => {
    assert.deepEqual(portRanges([8080, 30001, 30000, 8080, 30002, 9000]), [
      [8080, 8080],
      [9000, 9000],
      [30000, 30002],
    ]);
  });
});
