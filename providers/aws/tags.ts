/**
 * The ownership contract, in one place. Every resource the AWS provider creates carries:
 * - `ingress-bridge.io/cluster`  = the --cluster-name;
 * - `ingress-bridge.io/stack`    = the stack id (the IngressGroup key);
 * - `ingress-bridge.io/resource` = the logical resource id within the stack (e.g. `LoadBalancer`,
 *   `Listener/443`, `TargetGroup/<key>`, `Certificate/<key>`, `SecurityGroup/frontend`).
 * ACM certificates imported from Secrets also carry `ingress-bridge.io/secret` (namespace/name) and
 * `ingress-bridge.io/fingerprint` (sha256 of the Secret's material), so a rotation is seen without
 * reading the certificate back.
 * The provider finds its resources by these tags, never by name, and never modifies or deletes a
 * resource without the cluster and stack tags.
 * @module
 */
export const CLUSTER_TAG = 'ingress-bridge.io/cluster';
export const STACK_TAG = 'ingress-bridge.io/stack';
export const RESOURCE_TAG = 'ingress-bridge.io/resource';
export const SECRET_TAG = 'ingress-bridge.io/secret';
export const FINGERPRINT_TAG = 'ingress-bridge.io/fingerprint';

/** Tag keys users may not set through the tags annotation, since they decide ownership. */
export const RESERVED_TAG_KEYS: readonly string[] = [CLUSTER_TAG, STACK_TAG, RESOURCE_TAG, SECRET_TAG, FINGERPRINT_TAG];

export function ownershipTags(clusterName: string, stackId: string, resourceId: string): Record<string, string> {
  return { [CLUSTER_TAG]: clusterName, [STACK_TAG]: stackId, [RESOURCE_TAG]: resourceId };
}
