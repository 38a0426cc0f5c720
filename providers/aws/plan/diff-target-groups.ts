/**
 * Target groups: matched to the spec by the key in their resource tag and by name. The name hashes
 * the settings a target group cannot change (protocol, protocol version; the key holds the target
 * type), so a group whose name differs is replaced: the new one is created first, rules are switched
 * to it, and the old one is deleted last, after nothing references it.
 *
 * Existing groups get ModifyTargetGroup with only the health-check fields that differ and
 * ModifyTargetGroupAttributes with only the keys that differ; keys the spec does not list are left
 * as they are.
 * @module
 */
import type { TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { TargetGroupSpec } from '../../../src/model.js';
import { tagChange, type TagChange } from './diff-tags.js';
import { planTargets } from './diff-targets.js';
import { type Elbv2HealthCheck, toElbv2Attributes, toElbv2HealthCheck, toElbv2Tags } from './elbv2-shapes.js';
import type { ObservedTargetGroup } from '../observe/observed.js';
import type { AwsOperation } from './operations.js';
import { targetGroupId, targetGroupKeyOf, targetGroupRef } from './resource-ids.js';
import { ownershipTags, resourceIdOf } from './tags.js';

export interface TargetGroupPlan {
  /** Creates and modifications, before anything references the groups. */
  upserts: AwsOperation[];
  /** Registrations, before rules send traffic to the groups. */
  register: AwsOperation[];
  deregister: AwsOperation[];
  /** Groups no longer wanted, deleted after the rules and listeners that used them. */
  deletes: AwsOperation[];
  tagChanges: TagChange[];
  /** `${TargetGroup:key}` → ARN for the observed groups that are kept. */
  references: Record<string, string>;
  /** ARN → `${TargetGroup:key}` for the kept groups, for comparing observed rules with desired ones. */
  nameArn: (arn: string) => string;
}

export function planTargetGroups(options: {
  desired: readonly TargetGroupSpec[];
  observed: readonly ObservedTargetGroup[];
  clusterName: string;
  stackId: string;
  /** The VPC id, or a placeholder apply resolves. */
  vpcId: string;
}): TargetGroupPlan {
  const plan: TargetGroupPlan = { upserts: [], register: [], deregister: [], deletes: [], tagChanges: [], references: {}, nameArn: (arn) => arn };
  const kept = new Set<ObservedTargetGroup>();
  const placeholderOfArn = new Map<string, string>();
  for (const group of options.desired) {
    const match = options.observed.find(
      (candidate) => targetGroupKeyOf(resourceIdOf(candidate.tags)) === group.key && candidate.description.TargetGroupName === group.name,
    );
    const ref = targetGroupRef(group.key);
    const tags = { ...group.tags, ...ownershipTags(options.clusterName, options.stackId, targetGroupId(group.key)) };
    if (!match) {
      plan.upserts.push(...createTargetGroup(group, ref, tags, options.vpcId));
      plan.register.push(...planTargets({ group, arn: ref, observed: [] }).register);
      continue;
    }
    kept.add(match);
    const arn = match.description.TargetGroupArn ?? '';
    plan.references[ref] = arn;
    placeholderOfArn.set(arn, ref);
    plan.upserts.push(...modifyTargetGroup(group, match, ref));
    const targets = planTargets({ group, arn: ref, observed: match.targets });
    plan.register.push(...targets.register);
    plan.deregister.push(...targets.deregister);
    const change = tagChange({ arn: ref, resource: targetGroupId(group.key), desired: tags, observed: match.tags });
    if (change) plan.tagChanges.push(change);
  }
  for (const stale of options.observed.filter((candidate) => !kept.has(candidate))) {
    plan.deletes.push({
      action: 'DeleteTargetGroup',
      resource: resourceIdOf(stale.tags) ?? stale.description.TargetGroupName ?? 'TargetGroup',
      detail: { service: 'elbv2', input: { TargetGroupArn: stale.description.TargetGroupArn } },
    });
  }
  plan.nameArn = (arn) => placeholderOfArn.get(arn) ?? arn;
  return plan;
}

function createTargetGroup(group: TargetGroupSpec, ref: string, tags: Record<string, string>, vpcId: string): AwsOperation[] {
  const resource = targetGroupId(group.key);
  const operations: AwsOperation[] = [
    {
      action: 'CreateTargetGroup',
      resource,
      detail: {
        service: 'elbv2',
        input: {
          Name: group.name,
          Protocol: group.protocol,
          ProtocolVersion: group.protocolVersion,
          Port: group.port,
          TargetType: group.targetType,
          VpcId: vpcId,
          HealthCheckEnabled: true,
          ...toElbv2HealthCheck(group.healthCheck, group.protocolVersion),
          Tags: toElbv2Tags(tags),
        },
        produces: { ref, outputPath: 'TargetGroups.0.TargetGroupArn' },
      },
    },
  ];
  const attributes = toElbv2Attributes(group.attributes);
  if (attributes.length > 0) {
    operations.push({ action: 'ModifyTargetGroupAttributes', resource, detail: { service: 'elbv2', input: { TargetGroupArn: ref, Attributes: attributes } } });
  }
  return operations;
}

const HEALTH_CHECK_FIELDS = [
  'HealthCheckProtocol',
  'HealthCheckPort',
  'HealthCheckPath',
  'HealthCheckIntervalSeconds',
  'HealthCheckTimeoutSeconds',
  'HealthyThresholdCount',
  'UnhealthyThresholdCount',
  'Matcher',
] as const satisfies readonly (keyof Elbv2HealthCheck & keyof TargetGroup)[];

function modifyTargetGroup(group: TargetGroupSpec, observed: ObservedTargetGroup, ref: string): AwsOperation[] {
  const resource = targetGroupId(group.key);
  const operations: AwsOperation[] = [];
  const desired = toElbv2HealthCheck(group.healthCheck, group.protocolVersion);
  const changed: Record<string, unknown> = {};
  for (const field of HEALTH_CHECK_FIELDS) {
    if (!sameValue(desired[field], observed.description[field])) changed[field] = desired[field];
  }
  if (Object.keys(changed).length > 0) {
    operations.push({ action: 'ModifyTargetGroup', resource, detail: { service: 'elbv2', input: { TargetGroupArn: ref, ...changed } } });
  }
  const current = new Map(observed.attributes.map(({ Key, Value }) => [Key, Value]));
  const attributes = toElbv2Attributes(group.attributes).filter(({ Key, Value }) => current.get(Key) !== Value);
  if (attributes.length > 0) {
    operations.push({ action: 'ModifyTargetGroupAttributes', resource, detail: { service: 'elbv2', input: { TargetGroupArn: ref, Attributes: attributes } } });
  }
  return operations;
}

/** Matcher is an object whose absent parts Describe omits; everything else is a scalar. */
function sameValue(desired: unknown, observed: unknown): boolean {
  if (typeof desired === 'object' && desired !== null) {
    const observedRecord = (typeof observed === 'object' && observed !== null ? observed : {}) as Record<string, unknown>;
    return Object.entries(desired).every(([key, value]) => observedRecord[key] === value);
  }
  return desired === observed;
}
