/**
 * The AWS fake's EC2 and Resource Groups Tagging API through the real clients: subnet discovery
 * by tags, security groups and their rules, instance and ENI lookups, and GetResources finding
 * only tagged resources.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DeleteSecurityGroupCommand,
  DeleteTagsCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
  EC2ServiceException,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { CreateLoadBalancerCommand, ElasticLoadBalancingV2Client, SetSecurityGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { createAwsFake, type AwsFake } from '../../../fakes/aws/index.js';
import { seedDefaultNetwork, type DefaultNetwork } from '../../../fakes/aws/fixtures.js';

const ec2 = new EC2Client({ region: 'us-east-1' });
const elbv2 = new ElasticLoadBalancingV2Client({ region: 'us-east-1' });
const tagging = new ResourceGroupsTaggingAPIClient({ region: 'us-east-1' });
let fake: AwsFake;
let net: DefaultNetwork;

async function createGroup(name: string, tags: Record<string, string> = {}): Promise<string> {
  const out = await ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: name,
      Description: name,
      VpcId: net.vpcId,
      TagSpecifications: [{ ResourceType: 'security-group', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }],
    }),
  );
  return out.GroupId ?? assert.fail('no group id');
}

beforeEach(() => {
  fake = createAwsFake();
  fake.install();
  net = seedDefaultNetwork(fake);
});
afterEach(() => fake.restore());

describe('EC2 discovery', () => {
  it('finds subnets by role and cluster tags, and pages when asked', async () => {
    const { Subnets = [] } = await ec2.send(
      new DescribeSubnetsCommand({
        Filters: [
          { Name: 'tag:kubernetes.io/role/elb', Values: ['1', ''] },
          { Name: 'tag-key', Values: ['kubernetes.io/cluster/test'] },
        ],
      }),
    );
    assert.deepEqual(
      Subnets.map((subnet) => [subnet.SubnetId, subnet.AvailabilityZone]),
      net.publicSubnetIds.map((id, i) => [id, `us-east-1${'abc'[i]}`]),
    );
    const wildcard = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'tag:Name', Values: ['test-internal-*'] }] }));
    assert.deepEqual(
      wildcard.Subnets?.map((subnet) => subnet.SubnetId),
      net.internalSubnetIds,
    );
    const first = await ec2.send(new DescribeSubnetsCommand({ MaxResults: 5, Filters: [{ Name: 'vpc-id', Values: [net.vpcId] }] }));
    assert.equal(first.Subnets?.length, 5);
    await assert.rejects(ec2.send(new DescribeSubnetsCommand({ SubnetIds: net.publicSubnetIds, MaxResults: 5 })), { name: 'InvalidParameterCombination' });
    await assert.rejects(ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'map-customer-owned-ip-on-launch', Values: ['true'] }] })), {
      name: 'UnsupportedByFake',
    });
  });

  it("resolves a node's and an ENI's security groups by id or address", async () => {
    const byId = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: [net.instanceId] }] }));
    assert.deepEqual(
      byId.Reservations?.[0]?.Instances?.[0]?.SecurityGroups?.map((group) => group.GroupId),
      [net.nodeSecurityGroupId],
    );
    const podGroup = fake.seed.securityGroup({ name: 'pods', vpcId: net.vpcId });
    fake.seed.networkInterface({ privateIp: '10.0.10.50', securityGroupIds: [podGroup], subnetId: net.internalSubnetIds[0] });
    const { NetworkInterfaces = [] } = await ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [{ Name: 'addresses.private-ip-address', Values: ['10.0.10.50', net.instanceIp] }],
      }),
    );
    assert.deepEqual(NetworkInterfaces.map((eni) => eni.Groups?.[0]?.GroupId).sort(), [net.nodeSecurityGroupId, podGroup].sort());
    const missing = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0bbbbbbbbbbbbbbbb'] })).catch((caught: unknown) => caught);
    assert.ok(missing instanceof EC2ServiceException);
    assert.equal(missing.name, 'InvalidInstanceID.NotFound');
  });
});

describe('security groups', () => {
  it('creates groups with tags, finds them by tag, and rejects a duplicate name in the VPC', async () => {
    const id = await createGroup('k8s-web', { 'ingress-bridge.io/stack': 'default/web' });
    const { SecurityGroups = [] } = await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:ingress-bridge.io/stack', Values: ['default/web'] }] }),
    );
    assert.deepEqual(
      SecurityGroups.map((group) => group.GroupId),
      [id],
    );
    assert.deepEqual(SecurityGroups[0]?.IpPermissionsEgress?.[0]?.IpRanges, [{ CidrIp: '0.0.0.0/0' }]);
    await assert.rejects(createGroup('k8s-web'), { name: 'InvalidGroup.Duplicate' });
  });

  it('authorizes one rule per source, rejects duplicates, and revokes all or nothing', async () => {
    const web = await createGroup('k8s-web');
    const added = await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: web,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] }],
      }),
    );
    assert.equal(added.SecurityGroupRules?.length, 2);
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: net.nodeSecurityGroupId,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 30000, ToPort: 32767, UserIdGroupPairs: [{ GroupId: web }] }],
      }),
    );
    await assert.rejects(
      ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: web,
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'again' }] }],
        }),
      ),
      { name: 'InvalidPermission.Duplicate' },
    );
    await assert.rejects(
      ec2.send(
        new RevokeSecurityGroupIngressCommand({
          GroupId: web,
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }, { CidrIp: '10.0.0.0/8' }] }],
        }),
      ),
      { name: 'InvalidPermission.NotFound' },
    );
    const { SecurityGroupRules = [] } = await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [web] }] }));
    const ingress = SecurityGroupRules.filter((rule) => rule.IsEgress === false);
    assert.equal(ingress.length, 2);
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: web, SecurityGroupRuleIds: ingress.map((rule) => rule.SecurityGroupRuleId ?? '') }));
    assert.deepEqual(
      fake.state.securityGroupRules(web).filter((rule) => !rule.isEgress),
      [],
    );
  });

  it('refuses to delete a group a load balancer or another group still uses', async () => {
    const web = await createGroup('k8s-web');
    const lb = await elbv2.send(new CreateLoadBalancerCommand({ Name: 'k8s-web', Subnets: net.publicSubnetIds, SecurityGroups: [web] }));
    const reference = { IpProtocol: 'tcp', FromPort: 80, ToPort: 80, UserIdGroupPairs: [{ GroupId: web }] };
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: net.nodeSecurityGroupId, IpPermissions: [reference] }));
    await assert.rejects(ec2.send(new DeleteSecurityGroupCommand({ GroupId: web })), { name: 'DependencyViolation' });
    await elbv2.send(new SetSecurityGroupsCommand({ LoadBalancerArn: lb.LoadBalancers?.[0]?.LoadBalancerArn, SecurityGroups: [net.nodeSecurityGroupId] }));
    await assert.rejects(ec2.send(new DeleteSecurityGroupCommand({ GroupId: web })), { name: 'DependencyViolation' });
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: net.nodeSecurityGroupId, IpPermissions: [reference] }));
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: web }));
    await assert.rejects(ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [web] })), { name: 'InvalidGroup.NotFound' });
  });

  it('tags and untags EC2 resources by id', async () => {
    await ec2.send(new CreateTagsCommand({ Resources: [net.nodeSecurityGroupId], Tags: [{ Key: 'extra', Value: '1' }] }));
    await ec2.send(new DeleteTagsCommand({ Resources: [net.nodeSecurityGroupId], Tags: [{ Key: 'Name' }, { Key: 'extra', Value: 'nope' }] }));
    assert.deepEqual(fake.state.tagsOf(net.nodeSecurityGroupId), { 'kubernetes.io/cluster/test': 'owned', extra: '1' });
    await assert.rejects(ec2.send(new CreateTagsCommand({ Resources: ['sg-0fffffffffffffff0'], Tags: [{ Key: 'a', Value: 'b' }] })), {
      name: 'InvalidGroup.NotFound',
    });
  });
});

describe('GetResources', () => {
  it('finds tagged resources by tag and type filters, in pages, and never foreign untagged ones', async () => {
    fake.seed.loadBalancer({ name: 'someone-else' });
    fake.seed.targetGroup({ name: 'someone-else' });
    fake.seed.certificate({ domainName: 'foreign.test' });
    const ours = [{ Key: 'ingress-bridge.io/cluster', Value: 'test' }];
    const lb = await elbv2.send(new CreateLoadBalancerCommand({ Name: 'k8s-web', Subnets: net.publicSubnetIds, Tags: ours }));
    const group = await createGroup('k8s-web', { 'ingress-bridge.io/cluster': 'test' });
    const query = { TagFilters: [{ Key: 'ingress-bridge.io/cluster', Values: ['test'] }] };
    const all = await tagging.send(new GetResourcesCommand(query));
    assert.deepEqual(
      all.ResourceTagMappingList?.map((m) => m.ResourceARN),
      [lb.LoadBalancers?.[0]?.LoadBalancerArn, `arn:aws:ec2:us-east-1:123456789012:security-group/${group}`],
    );
    assert.equal(all.PaginationToken, '');
    const lbs = await tagging.send(new GetResourcesCommand({ ...query, ResourceTypeFilters: ['elasticloadbalancing:loadbalancer'] }));
    assert.equal(lbs.ResourceTagMappingList?.length, 1);
    const page = await tagging.send(new GetResourcesCommand({ ...query, ResourcesPerPage: 1 }));
    const next = await tagging.send(new GetResourcesCommand({ ...query, ResourcesPerPage: 1, PaginationToken: page.PaginationToken }));
    assert.deepEqual([page.ResourceTagMappingList?.length, next.ResourceTagMappingList?.length, next.PaginationToken], [1, 1, '']);
    const anyTagged = await tagging.send(new GetResourcesCommand({ ResourceTypeFilters: ['elasticloadbalancing', 'acm'] }));
    assert.deepEqual(
      anyTagged.ResourceTagMappingList?.map((m) => m.ResourceARN),
      [lb.LoadBalancers?.[0]?.LoadBalancerArn],
    );
  });
});
