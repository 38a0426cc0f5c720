/**
 * Target health for Pod readiness gates: which of the given targets each target group reports
 * healthy. One DescribeTargetHealth per target group per read, naming only the targets asked about
 * (the runtime asks only about those not yet known healthy), so a poll costs what is still pending,
 * not the size of the group; targets already healthy are never read again.
 *
 * ARNs come from what the provider itself last applied for the stack (every apply knows the ARN of
 * each target group it kept or created), so a read needs no search by tags; a target group this
 * provider has not applied is left out of the report.
 * @module
 */
import { DescribeTargetHealthCommand, type TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { TargetHealth, TargetHealthReport, TargetRef } from '../../../src/provider.js';
import { targetGroupKeyOfRef } from '../plan/resource-ids.js';
import { isNotFound } from '../sdk/errors.js';
import type { Elbv2Reader } from './elbv2.js';

/** Per stack, target-group key → ARN, as of the stack's last apply. */
export class TargetGroupArns {
  private readonly byStack = new Map<string, Map<string, string>>();

  /** After an apply: every target-group reference it resolved is a group the stack has, unless it deleted it. */
  rememberApplied(stackId: string, references: ReadonlyMap<string, string>, deletedArns: readonly string[]): void {
    const deleted = new Set(deletedArns);
    const arns = new Map<string, string>();
    for (const [reference, arn] of references) {
      const key = targetGroupKeyOfRef(reference);
      if (key !== undefined && arn.startsWith('arn:') && !deleted.has(arn)) arns.set(key, arn);
    }
    if (arns.size > 0) this.byStack.set(stackId, arns);
    else this.byStack.delete(stackId);
  }

  of(stackId: string): ReadonlyMap<string, string> {
    return this.byStack.get(stackId) ?? new Map();
  }

  clear(): void {
    this.byStack.clear();
  }
}

/** `<id>:<port>`, the key of a target in a health report. */
function targetKey(target: TargetRef): string {
  return `${target.id}:${target.port}`;
}

export async function readTargetHealth(
  reader: Elbv2Reader,
  arns: ReadonlyMap<string, string>,
  query: ReadonlyMap<string, readonly TargetRef[]>,
): Promise<TargetHealthReport> {
  const report: TargetHealthReport = new Map();
  await Promise.all(
    [...query].map(async ([key, targets]) => {
      const arn = arns.get(key);
      if (arn === undefined || targets.length === 0) return;
      const descriptions = await describeTargets(reader, arn, targets);
      if (descriptions) report.set(key, healthByTarget(descriptions));
    }),
  );
  return report;
}

/** Undefined when the target group is gone (deleted since the last apply). */
async function describeTargets(reader: Elbv2Reader, arn: string, targets: readonly TargetRef[]): Promise<TargetHealthDescription[] | undefined> {
  try {
    const output = await reader.call('DescribeTargetHealth', () =>
      reader.clients.elbv2.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: arn, Targets: targets.map((target) => ({ Id: target.id, Port: target.port })) }),
      ),
    );
    return output.TargetHealthDescriptions ?? [];
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** A target the group does not hold is reported `unused` with reason Target.NotRegistered: left out, as the contract says. */
function healthByTarget(descriptions: readonly TargetHealthDescription[]): Map<string, TargetHealth> {
  const health = new Map<string, TargetHealth>();
  for (const { Target, TargetHealth: reported } of descriptions) {
    if (Target?.Id === undefined || Target.Port === undefined || reported?.State === undefined) continue;
    if (reported.Reason === 'Target.NotRegistered') continue;
    health.set(targetKey({ id: Target.Id, port: Target.Port }), {
      state: reported.State,
      ...(reported.Reason !== undefined && { reason: reported.Reason }),
      ...(reported.Description !== undefined && { description: reported.Description }),
    });
  }
  return health;
}
