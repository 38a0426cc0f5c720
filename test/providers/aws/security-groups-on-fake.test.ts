import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { AuthorizeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { backendSecurityGroupIds } from '../../../providers/aws/observe/backend-security-groups.js';
import type { AwsClients } from '../../../providers/aws/sdk/clients.js';
import { observeSecurityGroups } from '../../../providers/aws/observe/security-groups.js';
import { frontendGroupName, planSecurityGroups } from '../../../providers/aws/plan/security-groups.js';
import { RESOURCE_TAG } from '../../../providers/aws/plan/tags.js';
import type { LoadBalancerSpec } from '../../../src/model.js';
import { type DefaultNetwork, seedDefaultNetwork } from '../../../fakes/aws/fixtures.js';
import { createAwsFake, type AwsFake } from '../../../fakes/aws/index.js';
import { runOperations, sdkClients } from '../../support/aws-plan-runner.js';
import { CLUSTER, stackSpec, targetGroup } from '../../support/aws-spec-builder.js';

const STACK = 'default/web';

describe('security groups against the AWS fake', () => {
  let fake: AwsFake;
  let clients: AwsClients;
  let network: DefaultNetwork;
  let clock: number;
  const now = (): number => clock;

  const instanceSpec = (overrides: Partial<LoadBalancerSpec> = {}): LoadBalancerSpec =>
    stackSpec(STACK, {
      targetGroups: [
        targetGroup({
          service: 'web',
          targetType: 'instance',
          targets: [{ id: `aws:///us-east-1b/${network.instanceId}`, ip: network.instanceIp, port: 30080 }],
        }),
      ],
      ...overrides,
    });

  async function reconcile(spec: LoadBalancerSpec | undefined, options: { manageBackendRules?: boolean; stackId?: string } = {}) {
    const stackId = options.stackId ?? STACK;
    const observed = await observeSecurityGroups(clients, CLUSTER, stackId);
    const backendGroupIds = spec ? await backendSecurityGroupIds(clients, spec, { now }) : [];
    const plan = planSecurityGroups(spec, observed, {
      clusterName: CLUSTER,
      stackId,
      vpcId: network.vpcId,
      backendGroupIds,
      manageBackendRules: options.manageBackendRules ?? true,
    });
    const references = new Map(plan.references);
    const created = await runOperations(plan.create, { clients, references });
    const cleaned = await runOperations(plan.cleanup, { clients, references });
    assert.equal(created.failure ?? cleaned.failure, undefined);
    return { plan, references };
  }

  function ingressOf(groupId: string): string[] {
    return fake.state
      .securityGroupRules(groupId)
      .filter((rule) => !rule.isEgress)
      .map((rule) => `${rule.ipProtocol} ${rule.fromPort}-${rule.toPort} ${rule.cidrIpv4 ?? rule.cidrIpv6 ?? rule.referencedGroupId ?? rule.prefixListId}`)
      .sort();
  }

  beforeEach(() => {
    fake = createAwsFake({ maxPageSize: 2 });
    fake.install();
    clients = sdkClients();
    network = seedDefaultNetwork(fake);
    clock = 0;
  });
  afterEach(() => fake.restore());

  it('finds the node group for instance targets and the interface groups for ip targets, caching the answer', async () => {
    const podGroup = fake.seed.securityGroup({
      id: 'sg-0b0d0000000000001',
      name: 'pods',
      vpcId: network.vpcId,
      tags: { [`kubernetes.io/cluster/${CLUSTER}`]: 'owned' },
    });
    const extraGroup = fake.seed.securityGroup({ id: 'sg-0e0e0000000000001', name: 'extra', vpcId: network.vpcId });
    const lonelyGroup = fake.seed.securityGroup({ id: 'sg-0100000000000000a', name: 'lonely', vpcId: network.vpcId });
    fake.seed.networkInterface({ privateIp: '10.0.1.20', securityGroupIds: [podGroup, extraGroup], subnetId: network.publicSubnetIds[1] });
    fake.seed.networkInterface({ privateIp: '10.0.1.21', securityGroupIds: [lonelyGroup], subnetId: network.publicSubnetIds[1] });
    const spec = instanceSpec({
      targetGroups: [
        ...instanceSpec().targetGroups,
        targetGroup({ service: 'api', targetType: 'ip', targets: ['10.0.1.20', '10.0.1.21'].map((ip) => ({ id: ip, ip, port: 8080 })) }),
      ],
    });
    assert.deepEqual(await backendSecurityGroupIds(clients, spec, { now }), [network.nodeSecurityGroupId, lonelyGroup, podGroup].sort());
    fake.resetCalls();
    clock += 60_000;
    await backendSecurityGroupIds(clients, spec, { now });
    assert.deepEqual(fake.callCounts(), {});
  });

  it('creates the frontend group and the tagged backend rule, and then makes no change', async () => {
    const { references } = await reconcile(instanceSpec());
    const frontend = references.get('${SecurityGroup:frontend}') ?? '';
    assert.match(frontend, /^sg-/);
    const [group] = fake.state.securityGroups().filter((candidate) => candidate.id === frontend);
    assert.equal(group?.vpcId, network.vpcId);
    assert.equal(group?.name, frontendGroupName(CLUSTER, STACK));
    assert.deepEqual(ingressOf(frontend), ['tcp 80-80 0.0.0.0/0']);
    assert.deepEqual(ingressOf(network.nodeSecurityGroupId), [`tcp 30080-30080 ${frontend}`]);
    const [backendRule] = fake.state.securityGroupRules(network.nodeSecurityGroupId).filter((rule) => rule.referencedGroupId === frontend);
    assert.equal(fake.state.tagsOf(backendRule?.id ?? '')[RESOURCE_TAG], 'SecurityGroupRule/backend');

    fake.resetCalls();
    const again = await reconcile(instanceSpec());
    assert.deepEqual([...again.plan.create, ...again.plan.cleanup], []);
    assert.deepEqual(fake.mutatingCalls(), []);
    assert.equal(again.references.get('${SecurityGroup:frontend}'), frontend);
  });

  it('opens ::/0 for dualstack, and changes only the difference when the CIDRs change', async () => {
    const dualstack = instanceSpec({ ipAddressType: 'dualstack', securityGroups: { kind: 'managed', inboundCidrs: ['0.0.0.0/0', '::/0'] } });
    const { references } = await reconcile(dualstack);
    const frontend = references.get('${SecurityGroup:frontend}') ?? '';
    assert.deepEqual(ingressOf(frontend), ['tcp 80-80 0.0.0.0/0', 'tcp 80-80 ::/0']);

    fake.resetCalls();
    await reconcile(instanceSpec({ ipAddressType: 'dualstack', securityGroups: { kind: 'managed', inboundCidrs: ['10.0.0.0/8', '::/0'] } }));
    assert.deepEqual(ingressOf(frontend), ['tcp 80-80 10.0.0.0/8', 'tcp 80-80 ::/0']);
    assert.deepEqual(
      fake.mutatingCalls().map((call) => [call.action, call.input]),
      [
        [
          'AuthorizeSecurityGroupIngress',
          { GroupId: frontend, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }] },
        ],
        [
          'RevokeSecurityGroupIngress',
          { GroupId: frontend, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] },
        ],
      ],
    );
  });

  it('never touches a foreign group or rule, and removes only its own when the stack goes', async () => {
    const foreign = fake.seed.securityGroup({ id: 'sg-0f0e000000000000a', name: 'users-own', vpcId: network.vpcId });
    await clients.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: foreign,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    await clients.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: network.nodeSecurityGroupId,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }],
      }),
    );
    const foreignBefore = ingressOf(foreign);
    const { references: otherStack } = await reconcile(instanceSpec(), { stackId: 'default/other' });

    const withIds = instanceSpec({ securityGroups: { kind: 'ids', ids: [foreign] } });
    fake.resetCalls();
    await reconcile(withIds);
    assert.deepEqual(
      fake.mutatingCalls().map((call) => [call.action, (call.input as { GroupId?: string }).GroupId]),
      [['AuthorizeSecurityGroupIngress', network.nodeSecurityGroupId]],
    );
    assert.ok(ingressOf(network.nodeSecurityGroupId).includes(`tcp 30080-30080 ${foreign}`));

    await reconcile(undefined);
    assert.deepEqual(ingressOf(foreign), foreignBefore);
    assert.deepEqual(ingressOf(network.nodeSecurityGroupId), ['tcp 22-22 10.0.0.0/8', `tcp 30080-30080 ${otherStack.get('${SecurityGroup:frontend}') ?? ''}`]);
    assert.equal(fake.state.securityGroups().filter((group) => group.id === otherStack.get('${SecurityGroup:frontend}')).length, 1);
  });

  it('deletes the frontend group after revoking the backend rules that refer to it', async () => {
    const { references } = await reconcile(instanceSpec());
    const frontend = references.get('${SecurityGroup:frontend}') ?? '';
    fake.resetCalls();
    await reconcile(undefined);
    assert.deepEqual(
      fake.mutatingCalls().map((call) => call.action),
      ['RevokeSecurityGroupIngress', 'DeleteSecurityGroup'],
    );
    assert.equal(
      fake.state.securityGroups().some((group) => group.id === frontend),
      false,
    );
    assert.deepEqual(ingressOf(network.nodeSecurityGroupId), []);
  });

  it('adds no backend rule when backend rules are not managed, and takes back the ones it added', async () => {
    await reconcile(instanceSpec());
    fake.resetCalls();
    await reconcile(instanceSpec(), { manageBackendRules: false });
    assert.deepEqual(
      fake.mutatingCalls().map((call) => call.action),
      ['RevokeSecurityGroupIngress'],
    );
    assert.deepEqual(ingressOf(network.nodeSecurityGroupId), []);
    fake.resetCalls();
    await reconcile(instanceSpec(), { manageBackendRules: false });
    assert.deepEqual(fake.mutatingCalls(), []);
  });
});
