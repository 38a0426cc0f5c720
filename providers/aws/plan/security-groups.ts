/**
 * Security groups of a load balancer, when the spec asks for a managed one:
 * - the frontend group: one per load balancer, in its VPC, opening each listener port (TCP) to the
 *   inbound CIDRs; created, kept to exactly those grants and the user's tags, and deleted with the stack;
 * - backend rules: on each security group of the targets (nodes for instance targets, pods' network
 *   interfaces for ip targets), a rule admitting the load balancer's group to the target and
 *   health-check ports. Those groups are not ours, so each rule we add carries the ownership tags and
 *   only tagged rules are ever revoked.
 * With `{ kind: 'ids' }` the user's groups are left as they are; backend rules (when managed) then
 * admit the first of them that is a group ID.
 *
 * Grants are added before the load balancer changes and taken away after (cleanup), so traffic never
 * meets a closed port in between; the frontend group goes last, once no rule refers to it.
 * @module
 */
import { createHash } from 'node:crypto';
import type { LoadBalancerSpec } from '../../../src/model.js';
import type { ObservedSecurityGroups } from '../observe/security-groups.js';
import type { AwsOperation, References } from './operations.js';
import { BACKEND_RULE_RESOURCE, FRONTEND_RESOURCE, FRONTEND_SECURITY_GROUP_REF, VPC_REF } from './resource-ids.js';
import { cidrSource, compare, type Grant, grantKey, grantsOf, portRanges, targetPorts, toIpPermissions } from './security-group-permissions.js';
import { ownershipTags, RESERVED_TAG_KEYS } from './tags.js';

export interface SecurityGroupPlanContext {
  clusterName: string;
  stackId: string;
  /** The load balancer's VPC; when unknown at plan time, CreateSecurityGroup names it `${Vpc}` for apply to fill in. */
  vpcId?: string;
  backendGroupIds: string[];
  manageBackendRules: boolean;
}

export function planSecurityGroups(
  spec: LoadBalancerSpec | undefined,
  observed: ObservedSecurityGroups,
  context: SecurityGroupPlanContext,
): { create: AwsOperation[]; cleanup: AwsOperation[]; references: References } {
  const create: AwsOperation[] = [];
  const cleanup: AwsOperation[] = [];
  const references: References = new Map();
  const managedSpec = spec?.securityGroups.kind === 'managed' ? spec : undefined;

  let source: string | undefined;
  if (managedSpec) {
    if (observed.frontend) {
      references.set(FRONTEND_SECURITY_GROUP_REF, observed.frontend.groupId);
      source = observed.frontend.groupId;
      create.push(...updateFrontend(managedSpec, observed.frontend));
    } else {
      source = FRONTEND_SECURITY_GROUP_REF;
      create.push(...createFrontend(managedSpec, context));
    }
  } else if (spec?.securityGroups.kind === 'ids') {
    source = spec.securityGroups.ids.find((id) => id.startsWith('sg-'));
  }

  const backend = planBackendRules(spec && context.manageBackendRules ? spec : undefined, source, observed, context);
  create.push(...backend.authorize);
  cleanup.push(...backend.revoke);
  if (!managedSpec && observed.frontend) {
    cleanup.push({ action: 'DeleteSecurityGroup', resource: FRONTEND_RESOURCE, detail: { service: 'ec2', input: { GroupId: observed.frontend.groupId } } });
  }
  return { create, cleanup, references };
}

/** `k8s-<stack>-<hash of cluster and stack>`: unique per VPC (as EC2 requires) even across clusters. */
export function frontendGroupName(clusterName: string, stackId: string): string {
  const short = stackId
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 32)
    .replace(/^-+|-+$/g, '');
  const hash = createHash('sha256').update(`${clusterName}\u0000${stackId}`).digest('hex').slice(0, 10);
  return `k8s-${short}-${hash}`;
}

function frontendGrants(spec: LoadBalancerSpec, inboundCidrs: readonly string[]): Grant[] {
  return spec.listeners.flatMap((listener) =>
    inboundCidrs.map((cidr) => ({ protocol: 'tcp', fromPort: listener.port, toPort: listener.port, source: cidrSource(cidr) })),
  );
}

function inboundCidrsOf(spec: LoadBalancerSpec): string[] {
  return spec.securityGroups.kind === 'managed' ? spec.securityGroups.inboundCidrs : [];
}

function createFrontend(spec: LoadBalancerSpec, context: SecurityGroupPlanContext): AwsOperation[] {
  const tags = { ...userTags(spec.tags), ...ownershipTags(context.clusterName, context.stackId, FRONTEND_RESOURCE) };
  const description = `ingress-bridge frontend of stack ${context.stackId} in cluster ${context.clusterName}`;
  const operations: AwsOperation[] = [
    {
      action: 'CreateSecurityGroup',
      resource: FRONTEND_RESOURCE,
      detail: {
        service: 'ec2',
        input: {
          GroupName: frontendGroupName(context.clusterName, context.stackId),
          Description: description.replace(/[^a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]/g, '-').slice(0, 255),
          VpcId: context.vpcId ?? VPC_REF,
          TagSpecifications: [{ ResourceType: 'security-group', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }],
        },
        produces: { ref: FRONTEND_SECURITY_GROUP_REF, outputPath: 'GroupId' },
      },
    },
  ];
  const grants = frontendGrants(spec, inboundCidrsOf(spec));
  if (grants.length > 0) {
    operations.push({
      action: 'AuthorizeSecurityGroupIngress',
      resource: FRONTEND_RESOURCE,
      detail: { service: 'ec2', input: { GroupId: FRONTEND_SECURITY_GROUP_REF, IpPermissions: toIpPermissions(grants) } },
    });
  }
  return operations;
}

/** Only the difference: the group is ours, so a grant nobody asked for is taken away too. */
function updateFrontend(spec: LoadBalancerSpec, frontend: NonNullable<ObservedSecurityGroups['frontend']>): AwsOperation[] {
  const { groupId } = frontend;
  const want = byKey(frontendGrants(spec, inboundCidrsOf(spec)));
  const have = byKey(frontend.permissions.flatMap(grantsOf));
  const missing = [...want.entries()].filter(([key]) => !have.has(key)).map(([, grant]) => grant);
  const extra = [...have.entries()].filter(([key]) => !want.has(key)).map(([, grant]) => grant);
  const operations: AwsOperation[] = [];
  const call = (action: string, input: Record<string, unknown>): void => {
    operations.push({ action, resource: FRONTEND_RESOURCE, detail: { service: 'ec2', input } });
  };
  if (missing.length > 0) call('AuthorizeSecurityGroupIngress', { GroupId: groupId, IpPermissions: toIpPermissions(missing) });
  if (extra.length > 0) call('RevokeSecurityGroupIngress', { GroupId: groupId, IpPermissions: toIpPermissions(extra) });

  const wantTags = userTags(spec.tags);
  const haveTags = userTags(frontend.tags ?? {});
  const changed = Object.entries(wantTags).filter(([key, value]) => haveTags[key] !== value);
  const removed = Object.keys(haveTags).filter((key) => !(key in wantTags));
  if (changed.length > 0) call('CreateTags', { Resources: [groupId], Tags: changed.map(([Key, Value]) => ({ Key, Value })) });
  if (removed.length > 0) call('DeleteTags', { Resources: [groupId], Tags: removed.map((Key) => ({ Key })) });
  return operations;
}

function planBackendRules(
  spec: LoadBalancerSpec | undefined,
  source: string | undefined,
  observed: ObservedSecurityGroups,
  context: SecurityGroupPlanContext,
): { authorize: AwsOperation[]; revoke: AwsOperation[] } {
  const ranges = spec && source !== undefined ? portRanges(targetPorts(spec)) : [];
  const tags = ownershipTags(context.clusterName, context.stackId, BACKEND_RULE_RESOURCE);
  const authorize: AwsOperation[] = [];
  const revoke: AwsOperation[] = [];
  const groupIds = new Set([...(ranges.length > 0 ? context.backendGroupIds : []), ...observed.backendRules.map((rules) => rules.groupId)]);

  for (const groupId of [...groupIds].sort(compare)) {
    const want = byKey(
      ranges.length > 0 && context.backendGroupIds.includes(groupId)
        ? ranges.map(([fromPort, toPort]) => ({ protocol: 'tcp', fromPort, toPort, source: { kind: 'group', groupId: source ?? '' } as const }))
        : [],
    );
    const rules = observed.backendRules.find((entry) => entry.groupId === groupId);
    const haveKeys = new Set<string>();
    const unwanted: string[] = [];
    rules?.permissions.forEach((permission, index) => {
      const keys = grantsOf(permission).map(grantKey);
      keys.forEach((key) => haveKeys.add(key));
      if (!keys.every((key) => want.has(key))) unwanted.push(rules.ruleIds[index] ?? '');
    });
    const missing = [...want.entries()].filter(([key]) => !haveKeys.has(key)).map(([, grant]) => grant);
    const resource = `${BACKEND_RULE_RESOURCE}/${groupId}`;
    if (missing.length > 0) {
      authorize.push({
        action: 'AuthorizeSecurityGroupIngress',
        resource,
        detail: {
          service: 'ec2',
          input: {
            GroupId: groupId,
            IpPermissions: toIpPermissions(missing),
            TagSpecifications: [{ ResourceType: 'security-group-rule', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }],
          },
        },
      });
    }
    if (unwanted.length > 0) {
      revoke.push({ action: 'RevokeSecurityGroupIngress', resource, detail: { service: 'ec2', input: { GroupId: groupId, SecurityGroupRuleIds: unwanted } } });
    }
  }
  return { authorize, revoke };
}

function byKey(grants: readonly Grant[]): Map<string, Grant> {
  return new Map(grants.map((grant) => [grantKey(grant), grant]));
}

/** Tags the user may set: ownership keys and AWS's own `aws:` keys are not theirs. */
function userTags(tags: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).filter(([key]) => !RESERVED_TAG_KEYS.includes(key) && !key.startsWith('aws:')));
}
