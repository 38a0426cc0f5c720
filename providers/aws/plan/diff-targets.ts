/**
 * Target registration: RegisterTargets for wanted targets that are not registered, DeregisterTargets
 * for registered targets that are no longer wanted, at most 200 targets per call (the batch size the
 * reference controller uses; the API has no smaller documented limit).
 *
 * A target is its id and port: an ip target group may hold the same address on two ports. Targets
 * already `draining` count as gone, since they are on their way out; one that is wanted again is
 * registered again, which cancels the draining.
 * @module
 */
import type { TargetDescription, TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { TargetGroupSpec } from '../../../src/model.js';
import { chunks } from './diff-tags.js';
import { toElbv2Targets } from './elbv2-shapes.js';
import type { AwsOperation } from './operations.js';
import { targetGroupId } from './resource-ids.js';

export const TARGET_BATCH_SIZE = 200;

export interface TargetChanges {
  register: AwsOperation[];
  deregister: AwsOperation[];
}

export function planTargets(options: {
  group: TargetGroupSpec;
  /** The group's ARN or placeholder. */
  arn: string;
  /** Registered targets; none for a group about to be created. */
  observed: readonly TargetHealthDescription[];
}): TargetChanges {
  const { group, arn } = options;
  const wanted = uniqueTargets(toElbv2Targets(group.targets, group.targetType));
  const registered = new Map<string, TargetDescription>();
  for (const { Target, TargetHealth } of options.observed) {
    if (Target?.Id === undefined || TargetHealth?.State === 'draining') continue;
    registered.set(targetKey(Target), { Id: Target.Id, ...(Target.Port !== undefined && { Port: Target.Port }) });
  }
  const toRegister = [...wanted.values()].filter((target) => !registered.has(targetKey(target)));
  const toDeregister = [...registered.entries()].filter(([key]) => !wanted.has(key)).map(([, target]) => target);
  const resource = targetGroupId(group.key);
  const batched = (action: 'RegisterTargets' | 'DeregisterTargets', targets: TargetDescription[]): AwsOperation[] =>
    chunks(targets, TARGET_BATCH_SIZE).map((batch) => ({
      action,
      resource,
      detail: { service: 'elbv2', input: { TargetGroupArn: arn, Targets: batch } },
    }));
  return { register: batched('RegisterTargets', toRegister), deregister: batched('DeregisterTargets', toDeregister) };
}

/** A target as the registration calls name it: its id and port. */
export function targetKey(target: TargetDescription): string {
  return `${target.Id ?? ''}:${target.Port ?? ''}`;
}

function uniqueTargets(targets: readonly TargetDescription[]): Map<string, TargetDescription> {
  const unique = new Map<string, TargetDescription>();
  for (const target of targets) if (!unique.has(targetKey(target))) unique.set(targetKey(target), target);
  return unique;
}
