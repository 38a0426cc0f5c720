/**
 * EC2 security groups: create (with TagSpecifications and EC2's allow-all egress rule), describe
 * with filters, and delete, which fails with DependencyViolation while a load balancer, instance or
 * network interface uses the group or another group's rule refers to it.
 * @module
 */
import type { CreateSecurityGroupRequest, DeleteSecurityGroupRequest, DescribeSecurityGroupsRequest, SecurityGroup } from '@aws-sdk/client-ec2';
import { ec2Arn } from './arns.js';
import { ec2Error } from './errors.js';
import { applyFilters, ec2Page, tagList, tagsFromSpecifications } from './ec2-filters.js';
import { addRules, ipPermissionsOf, requireGroup } from './ec2-sg-rules.js';
import { handler, setTags, type FakeState, type Handler, type SecurityGroupRecord } from './state.js';

/** Makes a group the way EC2 does: with one egress rule allowing everything. */
export function addSecurityGroup(
  state: FakeState,
  fields: { id?: string; name: string; description: string; vpcId: string; tags?: readonly [string, string][] },
): SecurityGroupRecord {
  const group: SecurityGroupRecord = { id: fields.id ?? state.ids.ec2('sg'), name: fields.name, description: fields.description, vpcId: fields.vpcId };
  state.securityGroups.set(group.id, group);
  addRules(state, [{ groupId: group.id, isEgress: true, ipProtocol: '-1', fromPort: -1, toPort: -1, cidrIpv4: '0.0.0.0/0' }]);
  if (fields.tags !== undefined && fields.tags.length > 0) setTags(state, group.id, fields.tags);
  return group;
}

function describeGroup(state: FakeState, group: SecurityGroupRecord): SecurityGroup {
  return {
    GroupId: group.id,
    GroupName: group.name,
    Description: group.description,
    VpcId: group.vpcId,
    OwnerId: state.accountId,
    SecurityGroupArn: ec2Arn(state, 'security-group', group.id),
    IpPermissions: ipPermissionsOf(state, group.id, false),
    IpPermissionsEgress: ipPermissionsOf(state, group.id, true),
    ...tagList(state, group.id),
  };
}

function createSecurityGroup(state: FakeState, input: CreateSecurityGroupRequest): object {
  const name = input.GroupName ?? '';
  const description = input.Description ?? '';
  if (name === '' || description === '') throw ec2Error('MissingParameter', 'GroupName and Description are required');
  if (name.length > 255 || description.length > 255) throw ec2Error('InvalidParameterValue', 'GroupName and Description can be at most 255 characters');
  if (name.toLowerCase().startsWith('sg-')) throw ec2Error('InvalidParameterValue', `Group names may not be in the format sg-*: '${name}'`);
  if (input.VpcId === undefined) throw ec2Error('VPCIdNotSpecified', 'No default VPC for this user');
  if (!state.vpcs.has(input.VpcId)) throw ec2Error('InvalidVpcID.NotFound', `The vpc ID '${input.VpcId}' does not exist`);
  const tags = tagsFromSpecifications(input.TagSpecifications, 'security-group');
  if ([...state.securityGroups.values()].some((group) => group.vpcId === input.VpcId && group.name === name)) {
    throw ec2Error('InvalidGroup.Duplicate', `The security group '${name}' already exists for VPC '${input.VpcId}'`);
  }
  const group = addSecurityGroup(state, { name, description, vpcId: input.VpcId, tags });
  return { GroupId: group.id, SecurityGroupArn: ec2Arn(state, 'security-group', group.id), ...tagList(state, group.id) };
}

/** Who still depends on a group, in EC2's words; empty when it may be deleted. */
function dependentsOf(state: FakeState, groupId: string): string[] {
  const dependents: string[] = [];
  for (const lb of state.loadBalancers.values()) if (lb.securityGroupIds.includes(groupId)) dependents.push(lb.arn);
  for (const instance of state.instances.values()) if (instance.securityGroupIds.includes(groupId)) dependents.push(instance.id);
  for (const eni of state.networkInterfaces.values()) {
    if (eni.instanceId === undefined && eni.securityGroupIds.includes(groupId)) dependents.push(eni.id);
  }
  for (const rule of state.securityGroupRules.values()) {
    if (rule.referencedGroupId === groupId && rule.groupId !== groupId) dependents.push(rule.groupId);
  }
  return dependents;
}

function deleteSecurityGroup(state: FakeState, input: DeleteSecurityGroupRequest): object {
  if (input.GroupId === undefined) throw ec2Error('MissingParameter', 'GroupId is required in a VPC');
  const group = requireGroup(state, input.GroupId);
  if (group.name === 'default') throw ec2Error('CannotDelete', `The default security group '${group.id}' cannot be deleted`);
  const dependents = dependentsOf(state, group.id);
  if (dependents.length > 0) {
    throw ec2Error('DependencyViolation', `resource ${group.id} has a dependent object (${dependents.join(', ')})`);
  }
  for (const rule of [...state.securityGroupRules.values()]) {
    if (rule.groupId !== group.id) continue;
    state.securityGroupRules.delete(rule.id);
    state.tags.delete(rule.id);
  }
  state.securityGroups.delete(group.id);
  state.tags.delete(group.id);
  return { Return: true, GroupId: group.id };
}

function describeSecurityGroups(state: FakeState, input: DescribeSecurityGroupsRequest): object {
  let selected = [...state.securityGroups.values()];
  if (input.GroupIds !== undefined) selected = input.GroupIds.map((id) => requireGroup(state, id));
  if (input.GroupNames !== undefined) {
    selected = input.GroupNames.map((name) => {
      const group = selected.find((candidate) => candidate.name === name);
      if (group === undefined) throw ec2Error('InvalidGroup.NotFound', `The security group '${name}' does not exist in default VPC`);
      return group;
    });
  }
  const filtered = applyFilters(state, selected, input.Filters, {
    action: 'DescribeSecurityGroups',
    tagKey: (group) => group.id,
    fields: {
      'group-id': (group) => [group.id],
      'group-name': (group) => [group.name],
      'vpc-id': (group) => [group.vpcId],
      description: (group) => [group.description],
      'owner-id': () => [state.accountId],
      'ip-permission.group-id': (group) =>
        [...state.securityGroupRules.values()].filter((rule) => rule.groupId === group.id && !rule.isEgress).map((rule) => rule.referencedGroupId),
    },
  });
  const idsGiven = input.GroupIds !== undefined || input.GroupNames !== undefined;
  const { items, ...token } = ec2Page(state, 'DescribeSecurityGroups', filtered, { ...input, idsGiven });
  return { SecurityGroups: items.map((group) => describeGroup(state, group)), ...token };
}

export const securityGroupHandlers: Readonly<Record<string, Handler>> = {
  CreateSecurityGroup: handler(createSecurityGroup),
  DeleteSecurityGroup: handler(deleteSecurityGroup),
  DescribeSecurityGroups: handler(describeSecurityGroups),
};
