/**
 * Observe half of the managed security groups: the stack's frontend group and our rules on the
 * targets' groups, found by ownership tags (the plan half is plan/security-groups.ts).
 * @module
 */
import type { Filter, IpPermission, SecurityGroup } from '@aws-sdk/client-ec2';
import type { AwsClients } from '../sdk/clients.js';
import { BACKEND_RULE_RESOURCE, FRONTEND_RESOURCE } from '../plan/resource-ids.js';
import { compare, permissionOfRule } from '../plan/security-group-permissions.js';
import { CLUSTER_TAG, RESOURCE_TAG, STACK_TAG } from '../plan/tags.js';
import { EC2_PAGE_SIZE } from './lookup-cache.js';
import { ec2Sdk } from '../sdk/ec2.js';

const { paginateDescribeSecurityGroupRules, paginateDescribeSecurityGroups } = ec2Sdk;

export interface ObservedSecurityGroups {
  frontend?: { groupId: string; permissions: IpPermission[]; tags?: Record<string, string> };
  /** Our rules on backend groups; `ruleIds[i]` is the rule that grants `permissions[i]`. */
  backendRules: { groupId: string; ruleIds: string[]; permissions: IpPermission[] }[];
}

export async function observeSecurityGroups(clients: AwsClients, clusterName: string, stackId: string): Promise<ObservedSecurityGroups> {
  const ours = (resource: string): Filter[] => [
    { Name: `tag:${CLUSTER_TAG}`, Values: [clusterName] },
    { Name: `tag:${STACK_TAG}`, Values: [stackId] },
    { Name: `tag:${RESOURCE_TAG}`, Values: [resource] },
  ];
  const groups: SecurityGroup[] = [];
  for await (const page of paginateDescribeSecurityGroups({ client: clients.ec2, pageSize: EC2_PAGE_SIZE }, { Filters: ours(FRONTEND_RESOURCE) })) {
    groups.push(...(page.SecurityGroups ?? []));
  }
  const [frontend] = groups.filter((group) => group.GroupId).sort((a, b) => compare(a.GroupId ?? '', b.GroupId ?? ''));

  const backendRules = new Map<string, ObservedSecurityGroups['backendRules'][number]>();
  for await (const page of paginateDescribeSecurityGroupRules({ client: clients.ec2, pageSize: EC2_PAGE_SIZE }, { Filters: ours(BACKEND_RULE_RESOURCE) })) {
    for (const rule of page.SecurityGroupRules ?? []) {
      if (rule.IsEgress || !rule.GroupId || !rule.SecurityGroupRuleId) continue;
      const entry = backendRules.get(rule.GroupId) ?? { groupId: rule.GroupId, ruleIds: [], permissions: [] };
      entry.ruleIds.push(rule.SecurityGroupRuleId);
      entry.permissions.push(permissionOfRule(rule));
      backendRules.set(rule.GroupId, entry);
    }
  }
  return {
    ...(frontend?.GroupId && {
      frontend: {
        groupId: frontend.GroupId,
        permissions: frontend.IpPermissions ?? [],
        tags: Object.fromEntries((frontend.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
      },
    }),
    backendRules: [...backendRules.values()],
  };
}
