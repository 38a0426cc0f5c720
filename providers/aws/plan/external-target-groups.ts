/**
 * The ARN a forward names for a target-group key: ours by placeholder (`${TargetGroup:<key>}`, which
 * apply fills from what exists or is created), a target group outside the cluster by its real ARN —
 * given in the key itself, or found by name in the lookups. An outside group by a name the lookup
 * did not find keeps its placeholder, which has a problem recorded, so apply fails saying why.
 * Real ARNs for outside groups also make an unchanged rule compare equal to what Describe returns.
 * @module
 */
import type { ResolveTargetGroupArn } from './elbv2-shapes.js';
import { targetGroupRef } from './resource-ids.js';

const EXTERNAL_ARN_PREFIX = 'external:arn:';

export function targetGroupResolver(externalArns: Readonly<Record<string, string>> | undefined): ResolveTargetGroupArn {
  return (key) => {
    if (key.startsWith(EXTERNAL_ARN_PREFIX)) return key.slice(EXTERNAL_ARN_PREFIX.length);
    return externalArns?.[key] ?? targetGroupRef(key);
  };
}
