/**
 * EC2 reads the controller needs for discovery (subnets; instances and network interfaces to find
 * a target's security groups) and CreateTags/DeleteTags on any EC2 resource the fake holds.
 * @module
 */
import type {
  CreateTagsRequest,
  DeleteTagsRequest,
  DescribeInstancesRequest,
  DescribeNetworkInterfacesRequest,
  DescribeSubnetsRequest,
  Instance,
  NetworkInterface,
  Subnet,
} from '@aws-sdk/client-ec2';
import { ec2Arn } from './arns.js';
import { ec2Error } from './errors.js';
import { applyFilters, checkEc2Tags, ec2Page, selectByIds, tagList } from './ec2-filters.js';
import { handler, setTags, type FakeState, type Handler, type InstanceRecord, type NetworkInterfaceRecord, type SubnetRecord } from './state.js';

const TAGS_PER_RESOURCE = 50;

function describeSubnet(state: FakeState, subnet: SubnetRecord): Subnet {
  return {
    SubnetId: subnet.id,
    SubnetArn: ec2Arn(state, 'subnet', subnet.id),
    VpcId: subnet.vpcId,
    AvailabilityZone: subnet.az,
    CidrBlock: subnet.cidr,
    State: 'available',
    AvailableIpAddressCount: 250,
    DefaultForAz: false,
    MapPublicIpOnLaunch: false,
    OwnerId: state.accountId,
    ...tagList(state, subnet.id),
  };
}

function describeSubnets(state: FakeState, input: DescribeSubnetsRequest): object {
  const ids = input.SubnetIds;
  const selected = selectByIds(ids, state.subnets, (id) => ec2Error('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`));
  const filtered = applyFilters(state, selected, input.Filters, {
    action: 'DescribeSubnets',
    tagKey: (subnet) => subnet.id,
    fields: {
      'subnet-id': (subnet) => [subnet.id],
      'vpc-id': (subnet) => [subnet.vpcId],
      'availability-zone': (subnet) => [subnet.az],
      'cidr-block': (subnet) => [subnet.cidr],
      state: () => ['available'],
    },
  });
  const { items, ...token } = ec2Page(state, 'DescribeSubnets', filtered, { ...input, idsGiven: ids !== undefined });
  return { Subnets: items.map((subnet) => describeSubnet(state, subnet)), ...token };
}

function groupIdentifiers(state: FakeState, groupIds: readonly string[]): { GroupId: string; GroupName: string | undefined }[] {
  return groupIds.map((id) => ({ GroupId: id, GroupName: state.securityGroups.get(id)?.name }));
}

function describeInstance(state: FakeState, instance: InstanceRecord): Instance {
  return {
    InstanceId: instance.id,
    State: { Code: 16, Name: 'running' },
    VpcId: instance.vpcId,
    SubnetId: instance.subnetId,
    PrivateIpAddress: instance.privateIp,
    Placement: { AvailabilityZone: state.subnets.get(instance.subnetId)?.az },
    SecurityGroups: groupIdentifiers(state, instance.securityGroupIds),
    NetworkInterfaces: [
      {
        NetworkInterfaceId: instance.networkInterfaceId,
        PrivateIpAddress: instance.privateIp,
        SubnetId: instance.subnetId,
        VpcId: instance.vpcId,
        Groups: groupIdentifiers(state, instance.securityGroupIds),
        Attachment: { DeviceIndex: 0, Status: 'attached' },
      },
    ],
    ...tagList(state, instance.id),
  };
}

function describeInstances(state: FakeState, input: DescribeInstancesRequest): object {
  const ids = input.InstanceIds;
  const malformed = ids?.find((id) => !/^i-[0-9a-f]{8,17}$/.test(id));
  if (malformed !== undefined) throw ec2Error('InvalidInstanceID.Malformed', `Invalid id: "${malformed}"`);
  const selected = selectByIds(ids, state.instances, (id) => ec2Error('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`));
  const filtered = applyFilters(state, selected, input.Filters, {
    action: 'DescribeInstances',
    tagKey: (instance) => instance.id,
    fields: {
      'instance-id': (instance) => [instance.id],
      'vpc-id': (instance) => [instance.vpcId],
      'subnet-id': (instance) => [instance.subnetId],
      'private-ip-address': (instance) => [instance.privateIp],
      'instance-state-name': () => ['running'],
      'instance.group-id': (instance) => instance.securityGroupIds,
    },
  });
  const { items, ...token } = ec2Page(state, 'DescribeInstances', filtered, { ...input, idsGiven: ids !== undefined });
  return {
    Reservations: items.map((instance) => ({
      ReservationId: `r-${instance.id.slice(2)}`,
      OwnerId: state.accountId,
      Instances: [describeInstance(state, instance)],
    })),
    ...token,
  };
}

function describeNetworkInterface(state: FakeState, eni: NetworkInterfaceRecord): NetworkInterface {
  const described: NetworkInterface = {
    NetworkInterfaceId: eni.id,
    InterfaceType: 'interface',
    Status: 'in-use',
    VpcId: eni.vpcId,
    SubnetId: eni.subnetId,
    AvailabilityZone: state.subnets.get(eni.subnetId)?.az,
    OwnerId: state.accountId,
    PrivateIpAddress: eni.privateIp,
    PrivateIpAddresses: [{ PrivateIpAddress: eni.privateIp, Primary: true }],
    Groups: groupIdentifiers(state, eni.securityGroupIds),
    TagSet: tagList(state, eni.id).Tags ?? [],
  };
  if (eni.instanceId !== undefined) described.Attachment = { InstanceId: eni.instanceId, DeviceIndex: 0, Status: 'attached' };
  return described;
}

function describeNetworkInterfaces(state: FakeState, input: DescribeNetworkInterfacesRequest): object {
  const ids = input.NetworkInterfaceIds;
  const selected = selectByIds(ids, state.networkInterfaces, (id) =>
    ec2Error('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${id}' does not exist`),
  );
  const filtered = applyFilters(state, selected, input.Filters, {
    action: 'DescribeNetworkInterfaces',
    tagKey: (eni) => eni.id,
    fields: {
      'addresses.private-ip-address': (eni) => [eni.privateIp],
      'private-ip-address': (eni) => [eni.privateIp],
      'network-interface-id': (eni) => [eni.id],
      'vpc-id': (eni) => [eni.vpcId],
      'subnet-id': (eni) => [eni.subnetId],
      'group-id': (eni) => eni.securityGroupIds,
      'attachment.instance-id': (eni) => [eni.instanceId],
    },
  });
  const { items, ...token } = ec2Page(state, 'DescribeNetworkInterfaces', filtered, { ...input, idsGiven: ids !== undefined });
  return { NetworkInterfaces: items.map((eni) => describeNetworkInterface(state, eni)), ...token };
}

const NOT_FOUND_BY_PREFIX: Readonly<Record<string, [string, (state: FakeState) => Map<string, unknown>]>> = {
  sg: ['InvalidGroup.NotFound', (state) => state.securityGroups],
  sgr: ['InvalidSecurityGroupRuleId.NotFound', (state) => state.securityGroupRules],
  subnet: ['InvalidSubnetID.NotFound', (state) => state.subnets],
  vpc: ['InvalidVpcID.NotFound', (state) => state.vpcs],
  i: ['InvalidInstanceID.NotFound', (state) => state.instances],
  eni: ['InvalidNetworkInterfaceID.NotFound', (state) => state.networkInterfaces],
};

function requireEc2Resource(state: FakeState, id: string): string {
  const entry = NOT_FOUND_BY_PREFIX[id.slice(0, id.indexOf('-'))];
  if (entry === undefined) throw ec2Error('InvalidID', `The ID '${id}' is not valid`);
  const [code, collection] = entry;
  if (!collection(state).has(id)) throw ec2Error(code, `The ID '${id}' does not exist`);
  return id;
}

function createTags(state: FakeState, input: CreateTagsRequest): object {
  const ids = (input.Resources ?? []).map((id) => requireEc2Resource(state, id));
  if (ids.length === 0) throw ec2Error('MissingParameter', 'The request must contain the parameter resourceIdSet');
  const pairs = checkEc2Tags(input.Tags);
  for (const id of ids) {
    const keys = new Set([...(state.tags.get(id)?.keys() ?? []), ...pairs.map(([key]) => key)]);
    if (keys.size > TAGS_PER_RESOURCE) throw ec2Error('TagLimitExceeded', `The maximum number of tags for resource '${id}' has been reached`);
  }
  for (const id of ids) setTags(state, id, pairs);
  return {};
}

/** Without Tags every tag goes; a tag with a Value (even '') goes only if the value matches. */
function deleteTags(state: FakeState, input: DeleteTagsRequest): object {
  const ids = (input.Resources ?? []).map((id) => requireEc2Resource(state, id));
  for (const id of ids) {
    const tags = state.tags.get(id);
    if (tags === undefined) continue;
    if (input.Tags === undefined) tags.clear();
    for (const tag of input.Tags ?? []) {
      if (tag.Value === undefined || tags.get(tag.Key ?? '') === tag.Value) tags.delete(tag.Key ?? '');
    }
  }
  return {};
}

export const ec2Handlers: Readonly<Record<string, Handler>> = {
  DescribeSubnets: handler(describeSubnets),
  DescribeInstances: handler(describeInstances),
  DescribeNetworkInterfaces: handler(describeNetworkInterfaces),
  CreateTags: handler(createTags),
  DeleteTags: handler(deleteTags),
};
