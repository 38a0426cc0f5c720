/**
 * What an AWS error means, in one place: throttling (retried with backoff), a resource that is gone
 * (observe treats it as absent), and cleanup the cloud refuses only because it has not let go of
 * the resource yet — ACM keeps a certificate "in use" for a while after the last listener drops it,
 * and a security group stays referenced until the load balancer's network interfaces are gone,
 * minutes after its deletion. Those are not failures: the resource is still ours and tagged, so a
 * later reconcile tries again.
 * @module
 */

/** The error names AWS services use for throttling (ELBv2, ACM, EC2, Resource Groups Tagging). */
const THROTTLING_ERRORS: ReadonlySet<string> = new Set([
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'ThrottledException',
]);

/** By name, or by the SDK's own classification of a modelled error (`$retryable.throttling`). */
export function isThrottling(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const retryable = (error as { $retryable?: { throttling?: boolean } }).$retryable;
  return THROTTLING_ERRORS.has(error.name) || retryable?.throttling === true;
}

/** Errors that mean an ARN names nothing (any more). */
const NOT_FOUND = new Set([
  'LoadBalancerNotFound',
  'LoadBalancerNotFoundException',
  'TargetGroupNotFound',
  'TargetGroupNotFoundException',
  'TrustStoreNotFound',
  'TrustStoreNotFoundException',
]);

export function isNotFound(error: unknown): boolean {
  return error instanceof Error && NOT_FOUND.has(error.name);
}

/** A listener or rule ARN that names nothing (any more). */
export function isListenerOrRuleNotFound(error: unknown): boolean {
  return error instanceof Error && /^(ListenerNotFound|RuleNotFound)(Exception)?$/.test(error.name);
}

/** ACM's answer for a certificate ARN that names nothing (any more). */
export function isCertificateNotFound(error: unknown): boolean {
  return error instanceof Error && error.name === 'ResourceNotFoundException';
}

/** Lambda's answer when the function, version, alias, policy or statement named does not exist. */
export function isLambdaNotFound(error: unknown): boolean {
  return error instanceof Error && error.name === 'ResourceNotFoundException';
}

const STILL_IN_USE: Readonly<Record<string, readonly string[]>> = {
  DeleteCertificate: ['ResourceInUseException'],
  DeleteSecurityGroup: ['DependencyViolation'],
};

/** True when `action` failed only because AWS still holds the resource. */
export function isStillInUse(operation: { action: string }, error: unknown): boolean {
  return error instanceof Error && (STILL_IN_USE[operation.action] ?? []).includes(error.name);
}

/** The error's name and message: AWS messages name the resource and never carry key material. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}
