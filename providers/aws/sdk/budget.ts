/**
 * The controller's share of the account's AWS API budget: client-side token buckets that every
 * reconcile draws from, so the controller paces itself instead of being throttled by AWS.
 *
 * AWS throttles per account and Region with token buckets (ELB user guide, "Request throttling for
 * the Elastic Load Balancing API"). A burst of reconciles that ignores them gets `Throttling: Rate
 * exceeded`, then SDK retries that spend more of the same buckets, then reconcile backoff
 * (aws-load-balancer-controller #1871, #3167, #3540). Pacing on our side turns that into waiting.
 *
 * A call waits for a token from its category bucket, then (ELBv2 only) from the account-wide bucket.
 * The category comes first so that a call queued for a slow category (CreateLoadBalancer: one token
 * per 5 s) does not hold account tokens that calls of other categories could use meanwhile.
 * @module
 */
import { setTimeout as sleepFor } from 'node:timers/promises';

export type AwsService = 'elbv2' | 'acm' | 'ec2' | 'tagging';

export type BucketName =
  | 'elbv2-account'
  | 'elbv2-non-mutating'
  | 'elbv2-mutating'
  | 'elbv2-registration'
  | 'elbv2-resource-intensive'
  | 'acm-import-certificate'
  | 'acm-describe-certificate'
  | 'acm-list-certificates'
  | 'acm-list-tags'
  | 'acm-change-tags'
  | 'acm-delete-certificate'
  | 'acm-other'
  | 'ec2-non-mutating'
  | 'ec2-mutating'
  | 'tagging-read'
  | 'tagging-write';

export interface BucketLimit {
  capacity: number;
  refillPerSecond: number;
}

/** Time as the budget sees it; tests and the benchmark pass a virtual clock. */
export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => sleepFor(ms),
};

/**
 * ELBv2: AWS's published buckets. ACM publishes rates only (ACM user guide, "Quotas"), so capacity
 * equals one second of refill there, except ImportCertificate at 1. EC2 publishes a bucket per action
 * ("Request throttling for the Amazon EC2 API", e.g. DescribeHosts 100 / 20 per s); one bucket for
 * all Describe* and one for all mutations is our own, stricter choice. The Resource Groups Tagging
 * API publishes no rates; its buckets are our own conservative guess.
 */
export const DEFAULT_BUCKET_LIMITS: Readonly<Record<BucketName, BucketLimit>> = {
  'elbv2-account': { capacity: 40, refillPerSecond: 10 },
  'elbv2-non-mutating': { capacity: 40, refillPerSecond: 10 },
  'elbv2-mutating': { capacity: 20, refillPerSecond: 3 },
  'elbv2-registration': { capacity: 20, refillPerSecond: 4 },
  'elbv2-resource-intensive': { capacity: 10, refillPerSecond: 0.2 },
  'acm-import-certificate': { capacity: 1, refillPerSecond: 1 },
  'acm-describe-certificate': { capacity: 10, refillPerSecond: 10 },
  'acm-list-certificates': { capacity: 8, refillPerSecond: 8 },
  'acm-list-tags': { capacity: 10, refillPerSecond: 10 },
  'acm-change-tags': { capacity: 5, refillPerSecond: 5 },
  'acm-delete-certificate': { capacity: 10, refillPerSecond: 10 },
  'acm-other': { capacity: 5, refillPerSecond: 5 },
  'ec2-non-mutating': { capacity: 100, refillPerSecond: 20 },
  'ec2-mutating': { capacity: 50, refillPerSecond: 5 },
  'tagging-read': { capacity: 10, refillPerSecond: 10 },
  'tagging-write': { capacity: 5, refillPerSecond: 5 },
};

/**
 * Default share of the account's budget. 1, because the controller is usually the only heavy ELBv2
 * caller in its account and Region, and a smaller share would halve its throughput there without
 * preventing throttling caused by callers it cannot see. Several controllers (or Terraform, CI) in
 * one account should split the budget with `--aws-api-share`; what still gets throttled is retried.
 */
export const DEFAULT_API_SHARE = 1;

export function isApiShare(value: number): boolean {
  return Number.isFinite(value) && value > 0 && value <= 1;
}

const ELBV2_REGISTRATION = new Set(['RegisterTargets', 'DeregisterTargets']);
const ELBV2_RESOURCE_INTENSIVE = new Set(['CreateLoadBalancer', 'SetSubnets']);
const ACM_BUCKETS: Readonly<Record<string, BucketName>> = {
  ImportCertificate: 'acm-import-certificate',
  DescribeCertificate: 'acm-describe-certificate',
  ListCertificates: 'acm-list-certificates',
  ListTagsForCertificate: 'acm-list-tags',
  AddTagsToCertificate: 'acm-change-tags',
  RemoveTagsFromCertificate: 'acm-change-tags',
  DeleteCertificate: 'acm-delete-certificate',
};

/**
 * The category bucket of an action (its API name, e.g. `DescribeLoadBalancers`). ELBv2 actions that
 * are neither Describe* nor named above count as mutating: that includes trust-store actions, which
 * have their own buckets at AWS but are never called by this controller.
 */
export function categoryOf(service: AwsService, action: string): BucketName {
  switch (service) {
    case 'elbv2':
      if (ELBV2_REGISTRATION.has(action)) return 'elbv2-registration';
      if (ELBV2_RESOURCE_INTENSIVE.has(action)) return 'elbv2-resource-intensive';
      return action.startsWith('Describe') ? 'elbv2-non-mutating' : 'elbv2-mutating';
    case 'acm':
      return ACM_BUCKETS[action] ?? 'acm-other';
    case 'ec2':
      return action.startsWith('Describe') ? 'ec2-non-mutating' : 'ec2-mutating';
    case 'tagging':
      return action.startsWith('Get') ? 'tagging-read' : 'tagging-write';
  }
}

export interface ApiBudgetOptions {
  /** Fraction of every bucket's capacity and refill rate this controller may use, in (0, 1]. */
  share?: number;
  clock?: Clock;
  /** Replaces published limits, e.g. after AWS Support raised a quota; the share still applies. */
  overrides?: Partial<Record<BucketName, BucketLimit>>;
}

export interface ApiBudgetStats {
  acquiredByBucket: Partial<Record<BucketName, number>>;
  waitsByBucket: Partial<Record<BucketName, number>>;
  waitedMsByBucket: Partial<Record<BucketName, number>>;
}

export class ApiBudget {
  private readonly share: number;
  private readonly clock: Clock;
  private readonly overrides: Partial<Record<BucketName, BucketLimit>>;
  private readonly buckets = new Map<BucketName, TokenBucket>();
  private readonly counters: ApiBudgetStats = { acquiredByBucket: {}, waitsByBucket: {}, waitedMsByBucket: {} };

  constructor(options: ApiBudgetOptions = {}) {
    this.share = options.share ?? DEFAULT_API_SHARE;
    if (!isApiShare(this.share)) throw new RangeError(`API share ${this.share} is not in (0, 1]`);
    this.clock = options.clock ?? systemClock;
    this.overrides = options.overrides ?? {};
    for (const [name, limit] of Object.entries(this.overrides)) {
      if (!(limit.capacity >= 1 && limit.refillPerSecond > 0)) {
        throw new RangeError(`bucket ${name} needs a capacity of at least 1 and a positive refill rate`);
      }
    }
  }

  /** Resolves when the call may be sent. Take one per request sent, retries included. */
  async acquire(service: AwsService, action: string): Promise<void> {
    await this.takeFrom(categoryOf(service, action));
    if (service === 'elbv2') await this.takeFrom('elbv2-account');
  }

  categoryOf(service: AwsService, action: string): BucketName {
    return categoryOf(service, action);
  }

  /** The limits in force for a bucket, after overrides and the share. */
  limitOf(name: BucketName): BucketLimit {
    const published = this.overrides[name] ?? DEFAULT_BUCKET_LIMITS[name];
    return {
      capacity: Math.max(1, published.capacity * this.share),
      refillPerSecond: published.refillPerSecond * this.share,
    };
  }

  stats(): ApiBudgetStats {
    return {
      acquiredByBucket: { ...this.counters.acquiredByBucket },
      waitsByBucket: { ...this.counters.waitsByBucket },
      waitedMsByBucket: { ...this.counters.waitedMsByBucket },
    };
  }

  private async takeFrom(name: BucketName): Promise<void> {
    const waitedMs = await this.bucket(name).take();
    const { acquiredByBucket, waitsByBucket, waitedMsByBucket } = this.counters;
    acquiredByBucket[name] = (acquiredByBucket[name] ?? 0) + 1;
    if (waitedMs > 0) {
      waitsByBucket[name] = (waitsByBucket[name] ?? 0) + 1;
      waitedMsByBucket[name] = (waitedMsByBucket[name] ?? 0) + waitedMs;
    }
  }

  private bucket(name: BucketName): TokenBucket {
    let bucket = this.buckets.get(name);
    if (!bucket) {
      bucket = new TokenBucket(this.limitOf(name), this.clock);
      this.buckets.set(name, bucket);
    }
    return bucket;
  }
}

/** Absorbs floating-point error so a token that is due after an exact sleep counts as there. */
const TOKEN_EPSILON = 1e-9;

/** A token bucket whose waiters are served first come, first served. */
class TokenBucket {
  private tokens: number;
  private refilledAt: number;
  private readonly waiters: (() => void)[] = [];
  private serving = false;

  constructor(
    private readonly limit: BucketLimit,
    private readonly clock: Clock,
  ) {
    this.tokens = limit.capacity;
    this.refilledAt = clock.now();
  }

  /** Resolves with the milliseconds the caller waited. */
  async take(): Promise<number> {
    if (this.waiters.length === 0 && this.tryTake()) return 0;
    const queuedAt = this.clock.now();
    await new Promise<void>((resolve) => {
      this.waiters.push(resolve);
      void this.serveWaiters();
    });
    return this.clock.now() - queuedAt;
  }

  private tryTake(): boolean {
    const now = this.clock.now();
    this.tokens = Math.min(this.limit.capacity, this.tokens + ((now - this.refilledAt) * this.limit.refillPerSecond) / 1000);
    this.refilledAt = now;
    if (this.tokens < 1 - TOKEN_EPSILON) return false;
    this.tokens = Math.max(0, this.tokens - 1);
    return true;
  }

  /** One loop per bucket: sleeps exactly until the next token is due instead of polling. */
  private async serveWaiters(): Promise<void> {
    if (this.serving) return;
    this.serving = true;
    try {
      while (this.waiters.length > 0) {
        if (this.tryTake()) {
          this.waiters.shift()?.();
        } else {
          await this.clock.sleep(Math.ceil(((1 - this.tokens) * 1000) / this.limit.refillPerSecond));
        }
      }
    } finally {
      this.serving = false;
    }
  }
}
