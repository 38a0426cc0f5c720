/**
 * ELBv2 load balancers (Application Load Balancers only): create (idempotent for equal settings),
 * describe, delete (with listeners and rules), attributes, security groups, subnets, IP address type.
 * @module
 */
import type {
  CreateLoadBalancerInput,
  DeleteLoadBalancerInput,
  DescribeLoadBalancerAttributesInput,
  DescribeLoadBalancersInput,
  IpAddressType,
  LoadBalancer,
  ModifyLoadBalancerAttributesInput,
  SetIpAddressTypeInput,
  SetSecurityGroupsInput,
  SetSubnetsInput,
  SubnetMapping,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { canonicalHostedZoneId, dnsName, loadBalancerArn } from './arns.js';
import { attributeValue, checkAttributes, describeAttributes } from './elbv2-attributes.js';
import { checkResourceName, checkTags, elbv2Page, removeListener, requireLoadBalancer, selectByArnsOrNames } from './elbv2-common.js';
import { elbv2Error, unsupportedAction } from './errors.js';
import { handler, setTags, type FakeState, type Handler, type LoadBalancerRecord } from './state.js';

const LOAD_BALANCERS_PER_REGION = 50;
const IP_ADDRESS_TYPES: readonly string[] = ['ipv4', 'dualstack', 'dualstack-without-public-ipv4'];

function describeLoadBalancer(state: FakeState, lb: LoadBalancerRecord, stateCode: 'active' | 'provisioning' = 'active'): LoadBalancer {
  return {
    LoadBalancerArn: lb.arn,
    DNSName: lb.dnsName,
    CanonicalHostedZoneId: canonicalHostedZoneId(state.region),
    CreatedTime: new Date(lb.createdTime),
    LoadBalancerName: lb.name,
    Scheme: lb.scheme,
    VpcId: lb.vpcId,
    State: { Code: stateCode },
    Type: 'application',
    AvailabilityZones: lb.subnetIds.map((id) => ({ ZoneName: state.subnets.get(id)?.az, SubnetId: id, LoadBalancerAddresses: [] })),
    SecurityGroups: [...lb.securityGroupIds],
    IpAddressType: lb.ipAddressType,
  };
}

function subnetIdsOf(subnets: readonly string[] | undefined, mappings: readonly SubnetMapping[] | undefined): string[] {
  if (subnets !== undefined && mappings !== undefined) {
    throw elbv2Error('ValidationError', 'You can specify subnets or subnet mappings, not both');
  }
  if (mappings?.some((mapping) => mapping.AllocationId !== undefined || mapping.PrivateIPv4Address !== undefined)) {
    throw unsupportedAction('elbv2', 'SubnetMappings', 'AllocationId and PrivateIPv4Address are for Network Load Balancers');
  }
  return [...(subnets ?? mappings?.map((mapping) => mapping.SubnetId ?? '') ?? [])];
}

/** Subnets must exist, share one VPC, and cover at least two Availability Zones, one subnet each. */
function checkSubnets(state: FakeState, subnetIds: readonly string[]): string {
  const vpcIds = new Set<string>();
  const zones = new Set<string>();
  for (const id of subnetIds) {
    const subnet = state.subnets.get(id);
    if (subnet === undefined) throw elbv2Error('SubnetNotFound', `The subnet ID '${id}' is not valid`);
    if (zones.has(subnet.az)) {
      throw elbv2Error('InvalidConfigurationRequest', `A load balancer cannot be attached to multiple subnets in the same Availability Zone (${subnet.az})`);
    }
    zones.add(subnet.az);
    vpcIds.add(subnet.vpcId);
  }
  if (zones.size < 2) {
    throw elbv2Error('ValidationError', 'At least two subnets in two different Availability Zones must be specified');
  }
  if (vpcIds.size > 1) throw elbv2Error('InvalidSubnet', 'All subnets must belong to the same VPC');
  return [...vpcIds][0] ?? '';
}

function checkSecurityGroups(state: FakeState, groupIds: readonly string[], vpcId: string): string[] {
  for (const id of groupIds) {
    const group = state.securityGroups.get(id);
    if (group === undefined) throw elbv2Error('InvalidSecurityGroup', `Security group '${id}' does not exist`);
    if (group.vpcId !== vpcId) throw elbv2Error('InvalidSecurityGroup', `Security group '${id}' does not belong to VPC '${vpcId}'`);
  }
  return [...new Set(groupIds)];
}

function checkIpAddressType(value: string | undefined, scheme: string): IpAddressType {
  const type = value ?? 'ipv4';
  if (!IP_ADDRESS_TYPES.includes(type)) throw elbv2Error('ValidationError', `IP address type '${type}' is not valid`);
  if (type === 'dualstack-without-public-ipv4' && scheme !== 'internet-facing') {
    throw elbv2Error('ValidationError', `IP address type '${type}' requires an internet-facing load balancer`);
  }
  return type as IpAddressType;
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}

export function createLoadBalancer(state: FakeState, input: CreateLoadBalancerInput): { LoadBalancers: LoadBalancer[] } {
  const name = checkResourceName(input.Name, 'load balancer');
  if ((input.Type ?? 'application') !== 'application') throw unsupportedAction('elbv2', 'CreateLoadBalancer', `Type ${input.Type}`);
  const scheme = input.Scheme ?? 'internet-facing';
  if (scheme !== 'internet-facing' && scheme !== 'internal') throw elbv2Error('ValidationError', `Scheme '${String(scheme)}' is not valid`);
  const ipAddressType = checkIpAddressType(input.IpAddressType, scheme);
  const subnetIds = subnetIdsOf(input.Subnets, input.SubnetMappings);
  const vpcId = checkSubnets(state, subnetIds);
  const defaultGroup = [...state.securityGroups.values()].find((group) => group.vpcId === vpcId && group.name === 'default');
  const securityGroupIds = checkSecurityGroups(state, input.SecurityGroups ?? (defaultGroup ? [defaultGroup.id] : []), vpcId);
  const tags = checkTags(input.Tags);

  const existing = [...state.loadBalancers.values()].find((lb) => lb.name === name);
  if (existing !== undefined) {
    const same =
      existing.scheme === scheme &&
      existing.ipAddressType === ipAddressType &&
      sameMembers(existing.subnetIds, subnetIds) &&
      (input.SecurityGroups === undefined || sameMembers(existing.securityGroupIds, securityGroupIds));
    if (!same) throw elbv2Error('DuplicateLoadBalancerName', `A load balancer with the same name '${name}' exists, but with different settings`);
    return { LoadBalancers: [describeLoadBalancer(state, existing)] };
  }
  if (state.loadBalancers.size >= LOAD_BALANCERS_PER_REGION) {
    throw elbv2Error('TooManyLoadBalancers', 'You have reached the limit on the number of load balancers for your account');
  }
  const arn = loadBalancerArn(state, name, state.ids.hex(16));
  const lb: LoadBalancerRecord = {
    arn,
    name,
    dnsName: dnsName(state, name, scheme, state.ids.digits(10)),
    scheme,
    ipAddressType,
    vpcId,
    subnetIds,
    securityGroupIds,
    createdTime: new Date(),
    attributes: {},
  };
  state.loadBalancers.set(arn, lb);
  if (tags.length > 0) setTags(state, arn, tags);
  return { LoadBalancers: [describeLoadBalancer(state, lb, 'provisioning')] };
}

function describeLoadBalancers(state: FakeState, input: DescribeLoadBalancersInput): object {
  if (input.LoadBalancerArns !== undefined && input.Names !== undefined) {
    throw elbv2Error('ValidationError', 'Load balancer names and load balancer ARNs cannot be specified at the same time');
  }
  const selected = selectByArnsOrNames(state.loadBalancers, input.LoadBalancerArns, input.Names, {
    require: (arn) => requireLoadBalancer(state, arn),
    notFound: () => elbv2Error('LoadBalancerNotFound', 'One or more load balancers not found'),
  });
  const { items, ...marker } = elbv2Page(state, 'DescribeLoadBalancers', selected, input);
  return { LoadBalancers: items.map((lb) => describeLoadBalancer(state, lb)), ...marker };
}

function deleteLoadBalancer(state: FakeState, input: DeleteLoadBalancerInput): object {
  // Deleting a load balancer that does not exist (any more) succeeds, so deletes can be retried.
  const lb = state.loadBalancers.get(input.LoadBalancerArn ?? '');
  if (lb === undefined) return {};
  if (attributeValue('load balancer', lb.attributes, 'deletion_protection.enabled') === 'true') {
    throw elbv2Error('OperationNotPermitted', `Load balancer '${lb.arn}' cannot be deleted because deletion protection is enabled`);
  }
  for (const listener of [...state.listeners.values()]) {
    if (listener.loadBalancerArn === lb.arn) removeListener(state, listener);
  }
  state.loadBalancers.delete(lb.arn);
  state.tags.delete(lb.arn);
  // Deleting a load balancer ends its web ACL association; a Shield protection stays (shield.ts).
  state.webAclAssociations.delete(lb.arn);
  return {};
}

function modifyLoadBalancerAttributes(state: FakeState, input: ModifyLoadBalancerAttributesInput): object {
  const lb = requireLoadBalancer(state, input.LoadBalancerArn);
  Object.assign(lb.attributes, checkAttributes('load balancer', input.Attributes));
  return { Attributes: describeAttributes('load balancer', lb.attributes) };
}

function describeLoadBalancerAttributes(state: FakeState, input: DescribeLoadBalancerAttributesInput): object {
  const lb = requireLoadBalancer(state, input.LoadBalancerArn);
  return { Attributes: describeAttributes('load balancer', lb.attributes) };
}

function setSecurityGroups(state: FakeState, input: SetSecurityGroupsInput): object {
  const lb = requireLoadBalancer(state, input.LoadBalancerArn);
  lb.securityGroupIds = checkSecurityGroups(state, input.SecurityGroups ?? [], lb.vpcId);
  return { SecurityGroupIds: [...lb.securityGroupIds] };
}

function setSubnets(state: FakeState, input: SetSubnetsInput): object {
  const lb = requireLoadBalancer(state, input.LoadBalancerArn);
  const subnetIds = subnetIdsOf(input.Subnets, input.SubnetMappings);
  const vpcId = checkSubnets(state, subnetIds);
  if (vpcId !== lb.vpcId) throw elbv2Error('InvalidSubnet', `Subnets must belong to the load balancer's VPC '${lb.vpcId}'`);
  const ipAddressType = input.IpAddressType === undefined ? lb.ipAddressType : checkIpAddressType(input.IpAddressType, lb.scheme);
  lb.subnetIds = subnetIds;
  lb.ipAddressType = ipAddressType;
  const { AvailabilityZones, IpAddressType } = describeLoadBalancer(state, lb);
  return { AvailabilityZones, IpAddressType };
}

function setIpAddressType(state: FakeState, input: SetIpAddressTypeInput): object {
  const lb = requireLoadBalancer(state, input.LoadBalancerArn);
  if (input.IpAddressType === undefined) throw elbv2Error('ValidationError', 'IpAddressType must be specified');
  lb.ipAddressType = checkIpAddressType(input.IpAddressType, lb.scheme);
  return { IpAddressType: lb.ipAddressType };
}

export const loadBalancerHandlers: Readonly<Record<string, Handler>> = {
  CreateLoadBalancer: handler(createLoadBalancer),
  DescribeLoadBalancers: handler(describeLoadBalancers),
  DeleteLoadBalancer: handler(deleteLoadBalancer),
  ModifyLoadBalancerAttributes: handler(modifyLoadBalancerAttributes),
  DescribeLoadBalancerAttributes: handler(describeLoadBalancerAttributes),
  SetSecurityGroups: handler(setSecurityGroups),
  SetSubnets: handler(setSubnets),
  SetIpAddressType: handler(setIpAddressType),
};
