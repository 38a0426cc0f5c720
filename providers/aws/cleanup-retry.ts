/**
 * Cleanup calls that AWS refuses only because it has not let go of the resource yet: ACM keeps a
 * certificate "in use" for a while after the last listener drops it, and a security group stays
 * referenced until the load balancer's network interfaces are gone, minutes after its deletion.
 * Those are not failures: the resource is still ours and tagged, so a later reconcile tries again.
 * @module
 */
import type { AwsOperation } from './operations.js';

const STILL_IN_USE: Readonly<Record<string, readonly string[]>> = {
  DeleteCertificate: ['ResourceInUseException'],
  DeleteSecurityGroup: ['DependencyViolation'],
};

export function isStillInUse(operation: Pick<AwsOperation, 'action'>, error: unknown): boolean {
  return error instanceof Error && (STILL_IN_USE[operation.action] ?? []).includes(error.name);
}
