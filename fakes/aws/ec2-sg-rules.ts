/**
 * Security-group rules. An IpPermission expands to one rule per source (IPv4 CIDR, IPv6 CIDR,
 * group, prefix list), each with its own `sgr-` id, as EC2 stores them; DescribeSecurityGroups folds
 * them back into IpPermissions. Authorize rejects duplicates; revoke (by permissions or rule ids)
 * is all or nothing, as in a non-default VPC.
 * @module
 */
import type {
  AuthorizeSecurityGroupIngressRequest,
  DescribeSecurityGroupRulesRequest,
  IpPermission,
  RevokeSecurityGroupIngressRequest,
  SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import { ec2Arn } from './arns.js';
import { ec2Error, unsupportedAction } from './errors.js';
import { applyFilters, ec2Page, tagList, tagsFromSpecifications } from './ec2-filters.js';
import { handler, setTags, type FakeState, type Handler, type SecurityGroupRecord, type SecurityGroupRuleRecord } from './state.js';

const INBOUND_RULES_PER_GROUP = 60;
const PROTOCOL_NAMES: Readonly<Record<string, string>> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6', all: '-1' };
const IPV4_CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;

type RuleShape = Omit<SecurityGroupRuleRecord, 'id'>;

export function requireGroup(state: FakeState, id: string | undefined): SecurityGroupRecord {
  const group = state.securityGroups.get(id ?? '');
  if (group === undefined) throw ec2Error('InvalidGroup.NotFound', `The security group '${id ?? ''}' does not exist`);
  return group;
}

function ports(protocol: string, permission: IpPermission): [number, number] {
  if (protocol === '-1') return [-1, -1];
  const from = permission.FromPort;
  const to = permission.ToPort;
  if (from === undefined || to === undefined) throw ec2Error('MissingParameter', `Protocol '${protocol}' needs FromPort and ToPort`);
  const max = protocol === 'tcp' || protocol === 'udp' ? 65535 : 255;
  if (from < -1 || to < -1 || from > max || to > max || (max === 65535 && (from < 0 || from > to))) {
    throw ec2Error('InvalidParameterValue', `Invalid port range ${from}-${to} for protocol '${protocol}'`);
  }
  return [from, to];
}

/** The individual rules one IpPermission stands for. */
function expandPermission(state: FakeState, groupId: string, permission: IpPermission, isEgress: boolean): RuleShape[] {
  const raw = (permission.IpProtocol ?? '').toLowerCase();
  const protocol = PROTOCOL_NAMES[raw] ?? raw;
  if (!['tcp', 'udp', 'icmp', 'icmpv6', '-1'].includes(protocol) && !/^\d{1,3}$/.test(protocol)) {
    throw ec2Error('InvalidParameterValue', `Invalid IP protocol '${permission.IpProtocol ?? ''}'`);
  }
  const [fromPort, toPort] = ports(protocol, permission);
  const base = { groupId, isEgress, ipProtocol: protocol, fromPort, toPort };
  const described = (description: string | undefined): { description?: string } => (description === undefined ? {} : { description });
  const rules: RuleShape[] = [];
  for (const range of permission.IpRanges ?? []) {
    if (!IPV4_CIDR.test(range.CidrIp ?? '')) throw ec2Error('InvalidParameterValue', `CIDR block '${range.CidrIp ?? ''}' is malformed`);
    rules.push({ ...base, cidrIpv4: range.CidrIp, ...described(range.Description) });
  }
  for (const range of permission.Ipv6Ranges ?? []) {
    if (!/^[0-9a-fA-F:]+\/\d{1,3}$/.test(range.CidrIpv6 ?? '')) throw ec2Error('InvalidParameterValue', `CIDR block '${range.CidrIpv6 ?? ''}' is malformed`);
    rules.push({ ...base, cidrIpv6: range.CidrIpv6, ...described(range.Description) });
  }
  for (const pair of permission.UserIdGroupPairs ?? []) {
    if (pair.GroupId === undefined) throw unsupportedAction('ec2', 'UserIdGroupPairs', 'only GroupId is supported');
    requireGroup(state, pair.GroupId);
    rules.push({ ...base, referencedGroupId: pair.GroupId, ...described(pair.Description) });
  }
  for (const prefixList of permission.PrefixListIds ?? []) {
    rules.push({ ...base, prefixListId: prefixList.PrefixListId, ...described(prefixList.Description) });
  }
  if (rules.length === 0)
    throw ec2Error('MissingParameter', 'An IpPermission needs at least one source (IpRanges, Ipv6Ranges, UserIdGroupPairs or PrefixListIds)');
  return rules;
}

/** Identity of a rule: everything but its description. */
function ruleKey(rule: RuleShape): string {
  return [
    rule.groupId,
    rule.isEgress,
    rule.ipProtocol,
    rule.fromPort,
    rule.toPort,
    rule.cidrIpv4,
    rule.cidrIpv6,
    rule.referencedGroupId,
    rule.prefixListId,
  ].join('|');
}

function rulesOf(state: FakeState, groupId: string, isEgress: boolean): SecurityGroupRuleRecord[] {
  return [...state.securityGroupRules.values()].filter((rule) => rule.groupId === groupId && rule.isEgress === isEgress);
}

export function addRules(state: FakeState, shapes: readonly RuleShape[]): SecurityGroupRuleRecord[] {
  return shapes.map((shape) => {
    const rule = { id: state.ids.ec2('sgr'), ...shape };
    state.securityGroupRules.set(rule.id, rule);
    return rule;
  });
}

function describeRule(state: FakeState, rule: SecurityGroupRuleRecord): SecurityGroupRule {
  const described: SecurityGroupRule = {
    SecurityGroupRuleId: rule.id,
    SecurityGroupRuleArn: ec2Arn(state, 'security-group-rule', rule.id),
    GroupId: rule.groupId,
    GroupOwnerId: state.accountId,
    IsEgress: rule.isEgress,
    IpProtocol: rule.ipProtocol,
    FromPort: rule.fromPort,
    ToPort: rule.toPort,
    ...tagList(state, rule.id),
  };
  if (rule.cidrIpv4 !== undefined) described.CidrIpv4 = rule.cidrIpv4;
  if (rule.cidrIpv6 !== undefined) described.CidrIpv6 = rule.cidrIpv6;
  if (rule.referencedGroupId !== undefined) described.ReferencedGroupInfo = { GroupId: rule.referencedGroupId, UserId: state.accountId };
  if (rule.prefixListId !== undefined) described.PrefixListId = rule.prefixListId;
  if (rule.description !== undefined) described.Description = rule.description;
  return described;
}

/** Folds a group's rules back into DescribeSecurityGroups' IpPermissions, one per protocol and port range. */
export function ipPermissionsOf(state: FakeState, groupId: string, isEgress: boolean): IpPermission[] {
  const byRange = new Map<string, IpPermission>();
  for (const rule of rulesOf(state, groupId, isEgress)) {
    const key = `${rule.ipProtocol}|${rule.fromPort}|${rule.toPort}`;
    const permission = byRange.get(key) ?? {
      IpProtocol: rule.ipProtocol,
      ...(rule.ipProtocol === '-1' ? {} : { FromPort: rule.fromPort, ToPort: rule.toPort }),
      IpRanges: [],
      Ipv6Ranges: [],
      UserIdGroupPairs: [],
      PrefixListIds: [],
    };
    const description = rule.description === undefined ? {} : { Description: rule.description };
    if (rule.cidrIpv4 !== undefined) permission.IpRanges?.push({ CidrIp: rule.cidrIpv4, ...description });
    if (rule.cidrIpv6 !== undefined) permission.Ipv6Ranges?.push({ CidrIpv6: rule.cidrIpv6, ...description });
    if (rule.referencedGroupId !== undefined) permission.UserIdGroupPairs?.push({ GroupId: rule.referencedGroupId, UserId: state.accountId, ...description });
    if (rule.prefixListId !== undefined) permission.PrefixListIds?.push({ PrefixListId: rule.prefixListId, ...description });
    byRange.set(key, permission);
  }
  return [...byRange.values()];
}

function authorizeSecurityGroupIngress(state: FakeState, input: AuthorizeSecurityGroupIngressRequest): object {
  if (input.IpPermissions === undefined) throw unsupportedAction('ec2', 'AuthorizeSecurityGroupIngress', 'only the IpPermissions form is supported');
  const group = requireGroup(state, input.GroupId);
  const shapes = input.IpPermissions.flatMap((permission) => expandPermission(state, group.id, permission, false));
  const tags = tagsFromSpecifications(input.TagSpecifications, 'security-group-rule');
  const existing = new Set(rulesOf(state, group.id, false).map(ruleKey));
  for (const shape of shapes) {
    const key = ruleKey(shape);
    if (existing.has(key)) {
      const peer = shape.cidrIpv4 ?? shape.cidrIpv6 ?? shape.referencedGroupId ?? shape.prefixListId;
      const rule = `peer: ${peer}, ${shape.ipProtocol}, from port: ${shape.fromPort}, to port: ${shape.toPort}, ALLOW`;
      throw ec2Error('InvalidPermission.Duplicate', `the specified rule "${rule}" already exists`);
    }
    existing.add(key);
  }
  if (existing.size > INBOUND_RULES_PER_GROUP) {
    throw ec2Error('RulesPerSecurityGroupLimitExceeded', `The maximum number of rules per security group (${INBOUND_RULES_PER_GROUP}) has been reached`);
  }
  const added = addRules(state, shapes);
  for (const rule of added) if (tags.length > 0) setTags(state, rule.id, tags);
  return { Return: true, SecurityGroupRules: added.map((rule) => describeRule(state, rule)) };
}

function revokeSecurityGroupIngress(state: FakeState, input: RevokeSecurityGroupIngressRequest): object {
  const group = requireGroup(state, input.GroupId);
  const current = rulesOf(state, group.id, false);
  const revoking = new Set<SecurityGroupRuleRecord>();
  for (const id of input.SecurityGroupRuleIds ?? []) {
    const rule = current.find((candidate) => candidate.id === id);
    if (rule === undefined) throw ec2Error('InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${id}' does not exist`);
    revoking.add(rule);
  }
  for (const shape of (input.IpPermissions ?? []).flatMap((permission) => expandPermission(state, group.id, permission, false))) {
    const rule = current.find((candidate) => ruleKey(candidate) === ruleKey(shape));
    if (rule === undefined) {
      throw ec2Error('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.');
    }
    revoking.add(rule);
  }
  if (revoking.size === 0) throw ec2Error('MissingParameter', 'Specify IpPermissions or SecurityGroupRuleIds');
  for (const rule of revoking) {
    state.securityGroupRules.delete(rule.id);
    state.tags.delete(rule.id);
  }
  return { Return: true, RevokedSecurityGroupRules: [...revoking].map((rule) => ({ SecurityGroupRuleId: rule.id, GroupId: rule.groupId, IsEgress: false })) };
}

function describeSecurityGroupRules(state: FakeState, input: DescribeSecurityGroupRulesRequest): object {
  const ids = input.SecurityGroupRuleIds;
  const selected = ids?.map((id) => {
    const rule = state.securityGroupRules.get(id);
    if (rule === undefined) throw ec2Error('InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${id}' does not exist`);
    return rule;
  }) ?? [...state.securityGroupRules.values()];
  const filtered = applyFilters(state, selected, input.Filters, {
    action: 'DescribeSecurityGroupRules',
    tagKey: (rule) => rule.id,
    fields: { 'group-id': (rule) => [rule.groupId], 'security-group-rule-id': (rule) => [rule.id] },
  });
  const { items, ...token } = ec2Page(state, 'DescribeSecurityGroupRules', filtered, { ...input, idsGiven: ids !== undefined });
  return { SecurityGroupRules: items.map((rule) => describeRule(state, rule)), ...token };
}

export const securityGroupRuleHandlers: Readonly<Record<string, Handler>> = {
  AuthorizeSecurityGroupIngress: handler(authorizeSecurityGroupIngress),
  RevokeSecurityGroupIngress: handler(revokeSecurityGroupIngress),
  DescribeSecurityGroupRules: handler(describeSecurityGroupRules),
};
