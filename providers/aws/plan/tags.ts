/**
 * The ownership contract, in one place. Every resource the AWS provider creates carries:
 * - `ingress-bridge.io/cluster`  = the --cluster-name;
 * - `ingress-bridge.io/stack`    = the stack id (the IngressGroup key);
 * - `ingress-bridge.io/resource` = the logical resource id within the stack (e.g. `LoadBalancer`,
 *   `Listener/443`, `TargetGroup/<key>`, `Certificate/<key>`, `SecurityGroup/frontend`).
 * ACM certificates imported from Secrets also carry `ingress-bridge.io/secret` (namespace/name) and
 * `ingress-bridge.io/fingerprint` (sha256 of the Secret's material), so a rotation is seen without
 * reading the certificate back.
 * Markers of what the provider did on resources it does not own, so it undoes only that:
 * - `ingress-bridge.io/wafv2-acl` on the load balancer: the web ACL it associated;
 * - `ingress-bridge.io/shield-protection` on the load balancer: it created the Shield protection
 *   (which itself carries the ownership tags, so IAM lets it delete only its own);
 * - `ingress-bridge.io/client-secret` on a rule or listener with an OIDC login: the fingerprint of
 *   the client secret it last sent, since ELBv2 never returns the secret.
 * The provider finds its resources by these tags, never by name, and never modifies or deletes a
 * resource without the cluster and stack tags.
 * @module
 */
import { createHash } from 'node:crypto';

export const CLUSTER_TAG = 'ingress-bridge.io/cluster';
export const STACK_TAG = 'ingress-bridge.io/stack';
export const RESOURCE_TAG = 'ingress-bridge.io/resource';
export const SECRET_TAG = 'ingress-bridge.io/secret';
export const FINGERPRINT_TAG = 'ingress-bridge.io/fingerprint';
export const WEB_ACL_TAG = 'ingress-bridge.io/wafv2-acl';
export const SHIELD_TAG = 'ingress-bridge.io/shield-protection';
export const CLIENT_SECRET_TAG = 'ingress-bridge.io/client-secret';

/** Tag keys users may not set through the tags annotation, since they decide ownership. */
export const RESERVED_TAG_KEYS: readonly string[] = [
  CLUSTER_TAG,
  STACK_TAG,
  RESOURCE_TAG,
  SECRET_TAG,
  FINGERPRINT_TAG,
  WEB_ACL_TAG,
  SHIELD_TAG,
  CLIENT_SECRET_TAG,
];

export function ownershipTags(clusterName: string, stackId: string, resourceId: string): Record<string, string> {
  return { [CLUSTER_TAG]: clusterName, [STACK_TAG]: stackId, [RESOURCE_TAG]: resourceId };
}

/** Stacks that use a shared imported certificate each add a tag under this prefix. */
export const USED_BY_TAG_PREFIX = 'ingress-bridge.io/used-by/';
/** The resource tag of a certificate is this prefix and the certificate's key. */
export const CERTIFICATE_RESOURCE_PREFIX = 'Certificate/';

/** The user tag's key: a hash, since a stack id may hold characters or a length a tag key may not. */
export function usedByTagKey(stackId: string): string {
  return `${USED_BY_TAG_PREFIX}${createHash('sha256').update(stackId).digest('hex').slice(0, 16)}`;
}

/** A tag as the ELBv2, ACM and tagging APIs return it. */
interface Tag {
  Key?: string | undefined;
  Value?: string | undefined;
}

export function tagValue(tags: readonly Tag[], key: string): string | undefined {
  return tags.find((tag) => tag.Key === key)?.Value;
}

/** Whether the tags say the resource belongs to this cluster and stack. */
export function isOwnedBy(tags: readonly Tag[], clusterName: string, stackId: string): boolean {
  return tagValue(tags, CLUSTER_TAG) === clusterName && tagValue(tags, STACK_TAG) === stackId;
}

export function resourceIdOf(tags: readonly Tag[]): string | undefined {
  return tagValue(tags, RESOURCE_TAG);
}

export function tagRecord(tags: readonly Tag[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (const { Key, Value } of tags) if (Key !== undefined) record[Key] = Value ?? '';
  return record;
}
