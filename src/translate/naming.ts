/**
 * Cloud names for load balancers and target groups: at most 32 characters (the ALB limit), made of
 * a readable part and a hash, so they are stable across reconciles and differ between clusters that
 * share an account (the DuplicateLoadBalancerName trap of blue/green clusters).
 * @module
 */
import { createHash } from 'node:crypto';

const MAX_NAME_LENGTH = 32;
const PREFIX = 'k8s';
const HASH_LENGTH = 10;
/** `k8s-` + readable + `-` + hash. */
const READABLE_BUDGET = MAX_NAME_LENGTH - PREFIX.length - 1 - 1 - HASH_LENGTH;

function shortHash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, HASH_LENGTH);
}

/** Lower-case alphanumerics and single hyphens, trimmed to `budget` without a trailing hyphen. */
function slug(text: string, budget: number): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, budget)
    .replace(/-+$/, '');
}

function composeName(readableParts: string[], hash: string): string {
  const budget = Math.floor((READABLE_BUDGET - (readableParts.length - 1)) / readableParts.length);
  const readable = readableParts.map((part) => slug(part, budget)).filter(Boolean);
  return [PREFIX, ...readable, hash].join('-');
}

/** `k8s-<group>-<hash>`; the hash covers the cluster so two clusters never collide. */
export function loadBalancerName(clusterName: string, stackId: string): string {
  return composeName([stackId.replace('/', '-')], shortHash(clusterName, stackId));
}

/**
 * `k8s-<namespace>-<service>-<hash>`. Protocol and target type cannot change on an existing target
 * group, so they are in the hash: changing them makes a new target group.
 */
export function targetGroupName(options: {
  clusterName: string;
  stackId: string;
  key: string;
  namespace: string;
  service: string;
  protocol: string;
  protocolVersion: string;
}): string {
  const hash = shortHash(options.clusterName, options.stackId, options.key, options.protocol, options.protocolVersion);
  return composeName([options.namespace, options.service], hash);
}
