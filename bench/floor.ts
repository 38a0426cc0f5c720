/**
 * Floors: the fewest cloud calls a state needs, per action, and the least time AWS's token buckets
 * allow for them. Pure functions of the desired model (counts taken from the translated specs), so a
 * measured figure can be set beside what no controller could beat. bench/README.md explains each.
 * @module
 */
import { categoryOf, DEFAULT_BUCKET_LIMITS, type AwsService, type BucketLimit } from '../providers/aws/sdk/budget.js';

export interface DesiredListener {
  protocol: 'HTTP' | 'HTTPS';
  /** Rules after merging adjacent rules (the provider's mergeAdjacentRules). */
  rules: number;
  certificates: number;
}

export interface DesiredStack {
  listeners: DesiredListener[];
  /** Targets per target group. */
  targetGroups: { targets: number; attributes: boolean }[];
  /** The spec selects no security groups, so the load balancer needs a frontend group of its own. */
  managedSecurityGroup: boolean;
  loadBalancerAttributes: boolean;
}

export interface DesiredModel {
  stacks: DesiredStack[];
  /** Distinct Secrets served, each one ImportCertificate. */
  importedCertificates: number;
}

/** `service:Action` → calls. */
export type CallCounts = Record<string, number>;

/** RegisterTargets and DeregisterTargets take at most this many targets per call (the provider's batch). */
export const TARGETS_PER_CALL = 200;
/** DescribeTags takes at most 20 ARNs; a GetResources page holds at most 100 resources. */
const TAGS_PER_DESCRIBE = 20;
const RESOURCES_PER_PAGE = 100;

function add(counts: CallCounts, key: string, n: number): void {
  if (n > 0) counts[key] = (counts[key] ?? 0) + n;
}

const sum = <T>(items: readonly T[], of: (item: T) => number): number => items.reduce((total, item) => total + of(item), 0);

/** Calls that take a cluster from nothing to the desired state: every create, and the reads of an empty stack's observe. */
export function coldStartCalls(model: DesiredModel): CallCounts {
  const counts: CallCounts = {};
  add(counts, 'ec2:DescribeSubnets', model.stacks.length > 0 ? 1 : 0);
  add(counts, 'acm:ImportCertificate', model.importedCertificates);
  for (const stack of model.stacks) {
    add(counts, 'tagging:GetResources', 2);
    add(counts, 'ec2:DescribeSecurityGroups', 1);
    add(counts, 'ec2:DescribeSecurityGroupRules', 1);
    add(counts, 'ec2:CreateSecurityGroup', stack.managedSecurityGroup ? 1 : 0);
    add(counts, 'ec2:AuthorizeSecurityGroupIngress', stack.managedSecurityGroup ? 1 : 0);
    add(counts, 'elbv2:CreateLoadBalancer', 1);
    add(counts, 'elbv2:ModifyLoadBalancerAttributes', stack.loadBalancerAttributes ? 1 : 0);
    add(counts, 'elbv2:CreateListener', stack.listeners.length);
    add(
      counts,
      'elbv2:AddListenerCertificates',
      sum(stack.listeners, (listener) => (listener.certificates > 1 ? 1 : 0)),
    );
    add(
      counts,
      'elbv2:CreateRule',
      sum(stack.listeners, (listener) => listener.rules),
    );
    add(counts, 'elbv2:CreateTargetGroup', stack.targetGroups.length);
    add(
      counts,
      'elbv2:ModifyTargetGroupAttributes',
      sum(stack.targetGroups, (group) => (group.attributes ? 1 : 0)),
    );
    add(
      counts,
      'elbv2:RegisterTargets',
      sum(stack.targetGroups, (group) => Math.ceil(group.targets / TARGETS_PER_CALL)),
    );
  }
  return counts;
}

/**
 * Reads that prove a converged cluster is in step after a restart: the read formula of
 * providers/aws/observe.ts for a first observe (ARNs found by tags), per stack.
 */
export function restartCalls(model: DesiredModel, options: { certificatesInCluster: number }): CallCounts {
  const counts: CallCounts = {};
  for (const stack of model.stacks) {
    const listeners = stack.listeners.length;
    const https = stack.listeners.filter((listener) => listener.protocol === 'HTTPS').length;
    const rules = sum(stack.listeners, (listener) => listener.rules);
    const groups = stack.targetGroups.length;
    add(
      counts,
      'tagging:GetResources',
      Math.max(1, Math.ceil((1 + groups) / RESOURCES_PER_PAGE)) + Math.max(1, Math.ceil(options.certificatesInCluster / RESOURCES_PER_PAGE)),
    );
    add(counts, 'elbv2:DescribeLoadBalancers', 1);
    add(counts, 'elbv2:DescribeLoadBalancerAttributes', 1);
    add(counts, 'elbv2:DescribeListeners', 1);
    add(counts, 'elbv2:DescribeRules', listeners);
    add(counts, 'elbv2:DescribeListenerCertificates', https);
    add(counts, 'elbv2:DescribeTargetGroups', groups > 0 ? 1 : 0);
    add(counts, 'elbv2:DescribeTargetGroupAttributes', groups);
    add(counts, 'elbv2:DescribeTargetHealth', groups);
    add(counts, 'elbv2:DescribeTags', Math.ceil((listeners + rules) / TAGS_PER_DESCRIBE));
    add(counts, 'ec2:DescribeSecurityGroups', 1);
    add(counts, 'ec2:DescribeSecurityGroupRules', 1);
  }
  return counts;
}

/** AWS's published EC2 buckets, per action. */
const EC2_READ: BucketLimit = { capacity: 100, refillPerSecond: 20 };
const EC2_WRITE: BucketLimit = { capacity: 200, refillPerSecond: 5 };

/**
 * The buckets AWS takes a token from for one call (as the AWS fake enforces them): ELBv2 its category
 * and the account-wide bucket, ACM and EC2 one per action; the Tagging API, WAFv2 and Shield publish none.
 */
export function cloudBucketsOf(service: AwsService, action: string): { key: string; limit: BucketLimit }[] {
  switch (service) {
    case 'elbv2': {
      const category = categoryOf(service, action);
      return [
        { key: category, limit: DEFAULT_BUCKET_LIMITS[category] },
        { key: 'elbv2-account', limit: DEFAULT_BUCKET_LIMITS['elbv2-account'] },
      ];
    }
    case 'acm':
      return [{ key: `acm:${action}`, limit: DEFAULT_BUCKET_LIMITS[categoryOf(service, action)] }];
    case 'ec2':
      return [{ key: `ec2:${action}`, limit: action.startsWith('Describe') ? EC2_READ : EC2_WRITE }];
    case 'tagging':
    case 'wafv2':
    case 'shield':
    case 'lambda':
      return [];
  }
}

export interface TimeFloorOptions {
  /** Mean latency of one call, cloud ms. */
  latencyMs: number;
  /** Calls that must follow one another (each needs the previous one's answer). */
  criticalPath: number;
  /** Tokens per second someone else takes from a bucket, by bucket key. */
  neighbour?: Readonly<Record<string, number>>;
}

export interface TimeFloor {
  seconds: number;
  /** The bucket that sets the floor, or `latency` when none has to wait. */
  binding: string;
  /** Seconds each bucket needs beyond its capacity, by key. */
  byBucket: Record<string, number>;
}

/**
 * The least time the calls can take: every bucket starts full and serves `capacity` calls at once,
 * the rest at its refill rate (less what a neighbour takes), so the slowest bucket needs
 * (calls − capacity) / refill seconds; the critical path's latency comes on top.
 */
export function timeFloor(calls: CallCounts, options: TimeFloorOptions): TimeFloor {
  const demand = new Map<string, { calls: number; limit: BucketLimit }>();
  for (const [key, count] of Object.entries(calls)) {
    const [service, action = ''] = key.split(':') as [AwsService, string?];
    for (const bucket of cloudBucketsOf(service, action)) {
      const entry = demand.get(bucket.key) ?? { calls: 0, limit: bucket.limit };
      entry.calls += count;
      demand.set(bucket.key, entry);
    }
  }
  const byBucket: Record<string, number> = {};
  let binding = 'latency';
  let slowest = 0;
  for (const [key, { calls: count, limit }] of demand) {
    const refill = limit.refillPerSecond - (options.neighbour?.[key] ?? 0);
    const seconds = count <= limit.capacity ? 0 : refill > 0 ? (count - limit.capacity) / refill : Number.POSITIVE_INFINITY;
    byBucket[key] = seconds;
    if (seconds > slowest) {
      slowest = seconds;
      binding = key;
    }
  }
  return { seconds: slowest + (options.criticalPath * options.latencyMs) / 1000, binding, byBucket };
}

export function totalCalls(calls: CallCounts): number {
  return Object.values(calls).reduce((total, count) => total + count, 0);
}

/**
 * The soonest each new endpoint can be registered when nothing but its RegisterTargets call is sent:
 * one call per change (the change's targets in one batch), served first come first served by the
 * registration and account buckets, plus one call's latency. Deregistrations can wait, so the floor
 * leaves them out. Arrivals in cloud seconds, sorted; returns the latency of each, in seconds.
 */
export function registrationLatencyFloor(arrivals: readonly number[], options: { latencyMs: number }): number[] {
  const buckets = [DEFAULT_BUCKET_LIMITS['elbv2-registration'], DEFAULT_BUCKET_LIMITS['elbv2-account']].map((limit) => ({ limit, tokens: limit.capacity }));
  let clock = arrivals[0] ?? 0;
  const refillTo = (time: number): void => {
    for (const bucket of buckets) bucket.tokens = Math.min(bucket.limit.capacity, bucket.tokens + (time - clock) * bucket.limit.refillPerSecond);
    clock = time;
  };
  return arrivals.map((arrival) => {
    refillTo(Math.max(arrival, clock));
    const wait = Math.max(0, ...buckets.map((bucket) => (1 - bucket.tokens) / bucket.limit.refillPerSecond));
    if (wait > 0) refillTo(clock + wait);
    for (const bucket of buckets) bucket.tokens -= 1;
    return clock - arrival + options.latencyMs / 1000;
  });
}
