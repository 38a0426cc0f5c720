/**
 * Write-through for the managed security groups (plan/security-groups.ts): the frontend group's
 * grants and tags, and our rules on the targets' groups, from the input of our own EC2 calls and the
 * rules AuthorizeSecurityGroupIngress answers with. Kept in memory rather than read back because
 * EC2's Describe calls are eventually consistent: a group read right after its creation may not be
 * listed yet, and a memory that missed it would plan a second one.
 * @module
 */
import type { IpPermission, SecurityGroupRule, Tag } from '@aws-sdk/client-ec2';
import { compare, grantKey, grantsOf, permissionOfRule, toIpPermissions } from '../plan/security-group-permissions.js';
import { tagRecord } from '../plan/tags.js';
import type { ObservedSecurityGroups } from './security-groups.js';

type Fields = Record<string, unknown>;

/** Applies one successful EC2 call; false when it is not one this module knows (the groups must be read again). */
export function writeSecurityGroupCall(groups: ObservedSecurityGroups, action: string, input: Fields, output: Fields): boolean {
  const groupId = input.GroupId as string | undefined;
  const frontend = groups.frontend;
  switch (action) {
    case 'CreateSecurityGroup': {
      const created = output.GroupId as string | undefined;
      if (created === undefined) return false;
      const specifications = (input.TagSpecifications as { Tags?: Tag[] }[] | undefined) ?? [];
      groups.frontend = { groupId: created, permissions: [], tags: tagRecord(specifications.flatMap((specification) => specification.Tags ?? [])) };
      return true;
    }
    case 'DeleteSecurityGroup':
      if (frontend?.groupId === groupId) delete groups.frontend;
      return true;
    case 'AuthorizeSecurityGroupIngress':
      if (frontend && frontend.groupId === groupId) {
        frontend.permissions = [...frontend.permissions, ...((input.IpPermissions as IpPermission[] | undefined) ?? [])];
        return true;
      }
      return addBackendRules(groups, groupId, (output.SecurityGroupRules as SecurityGroupRule[] | undefined) ?? []);
    case 'RevokeSecurityGroupIngress':
      if (frontend && frontend.groupId === groupId) {
        const revoked = new Set(((input.IpPermissions as IpPermission[] | undefined) ?? []).flatMap(grantsOf).map(grantKey));
        frontend.permissions = toIpPermissions(frontend.permissions.flatMap(grantsOf).filter((grant) => !revoked.has(grantKey(grant))));
        return true;
      }
      return removeBackendRules(groups, groupId, (input.SecurityGroupRuleIds as string[] | undefined) ?? []);
    case 'CreateTags':
    case 'DeleteTags': {
      if (!frontend || !((input.Resources as string[] | undefined) ?? []).includes(frontend.groupId)) return false;
      const tags = new Map(Object.entries(frontend.tags ?? {}));
      for (const { Key, Value } of (input.Tags as Tag[] | undefined) ?? []) {
        if (Key === undefined) continue;
        if (action === 'CreateTags') tags.set(Key, Value ?? '');
        else tags.delete(Key);
      }
      frontend.tags = Object.fromEntries(tags);
      return true;
    }
    default:
      return false;
  }
}

function addBackendRules(groups: ObservedSecurityGroups, groupId: string | undefined, rules: readonly SecurityGroupRule[]): boolean {
  if (groupId === undefined || rules.length === 0) return false;
  let entry = groups.backendRules.find((candidate) => candidate.groupId === groupId);
  if (!entry) {
    entry = { groupId, ruleIds: [], permissions: [] };
    groups.backendRules = [...groups.backendRules, entry].sort((a, b) => compare(a.groupId, b.groupId));
  }
  for (const rule of rules) {
    if (rule.IsEgress || rule.SecurityGroupRuleId === undefined) continue;
    entry.ruleIds.push(rule.SecurityGroupRuleId);
    entry.permissions.push(permissionOfRule(rule));
  }
  return true;
}

function removeBackendRules(groups: ObservedSecurityGroups, groupId: string | undefined, ruleIds: readonly string[]): boolean {
  const entry = groups.backendRules.find((candidate) => candidate.groupId === groupId);
  if (!entry || ruleIds.length === 0) return false;
  const removed = new Set(ruleIds);
  const kept = entry.ruleIds.flatMap((id, index) => (removed.has(id) ? [] : [{ id, permission: entry.permissions[index] as IpPermission }]));
  entry.ruleIds = kept.map((rule) => rule.id);
  entry.permissions = kept.map((rule) => rule.permission);
  if (entry.ruleIds.length === 0) groups.backendRules = groups.backendRules.filter((candidate) => candidate !== entry);
  return true;
}
