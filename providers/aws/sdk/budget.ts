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
 *
 * The budget adapts: a Throttling answer means other callers in the account spend part of a bucket,
 * so that bucket's rate drops and climbs back gradually (src/rate/adaptive-rate.ts), and the controller settles
 * on the share that is left without being told (`--aws-api-share` remains for a known split). Calls
 * that can wait take only spare tokens (`acquireSpare`, src/rate/token-bucket.ts).
 * @module
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { AdaptiveRate } from '../../../src/rate/adaptive-rate.js';
import { type BucketLimit, type Clock, TokenBucket } from '../../../src/rate/token-bucket.js';

export type AwsService = 'elbv2' | 'acm' | 'ec2' | 'tagging' | 'wafv2' | 'shield' | 'lambda';

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
  | 'tagging-write'
  | 'wafv2-read'
  | 'wafv2-write'
  | 'shield-read'
  | 'shield-write'
  | 'lambda-read'
  | 'lambda-write';

export type { BucketLimit, Clock } from '../../../src/rate/token-bucket.js';

const systemClock: Clock = {
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
  // WAFv2 and Shield publish no request rates either; they are called once per stack at most, and
  // only for stacks that use them, so these conservative guesses cost nothing in practice.
  'wafv2-read': { capacity: 5, refillPerSecond: 5 },
  'wafv2-write': { capacity: 2, refillPerSecond: 1 },
  'shield-read': { capacity: 5, refillPerSecond: 5 },
  'shield-write': { capacity: 2, refillPerSecond: 1 },
  // Lambda's control-plane quota is 15 requests per second for these actions (Lambda developer
  // guide, "Lambda quotas", "API request rate"); a function target costs three reads per full observe,
  // none between them once it is served (observe/function-memory.ts).
  'lambda-read': { capacity: 15, refillPerSecond: 15 },
  'lambda-write': { capacity: 5, refillPerSecond: 5 },
};

/**
 * Default share of the account's budget. 1, because the controller is usually the only heavy ELBv2
 * caller in its account and Region, and a smaller share would halve its throughput there without
 * preventing throttling caused by callers it cannot see. Several controllers (or Terraform, CI) in
 * one account should split the budget with `--aws-api-share`; what still gets throttled is retried.
 */
const DEFAULT_API_SHARE = 1;

function isApiShare(value: number): boolean {
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
    case 'wafv2':
      return /^(Get|List)/.test(action) ? 'wafv2-read' : 'wafv2-write';
    case 'shield':
      return /^(Describe|List)/.test(action) ? 'shield-read' : 'shield-write';
    case 'lambda':
      return /^(Get|List)/.test(action) ? 'lambda-read' : 'lambda-write';
  }
}

export interface ApiBudgetOptions {
  /** Fraction of every bucket's capacity and refill rate this controller may use, in (0, 1]. */
  share?: number;
  clock?: Clock;
  /** Replaces published limits, e.g. after AWS Support raised a quota; the share still applies. */
  overrides?: Partial<Record<BucketName, BucketLimit>>;
  /** false: every bucket keeps its published rate whatever AWS answers (tests of pacing alone). */
  adaptive?: boolean;
}

export interface ApiBudgetStats {
  acquiredByBucket: Partial<Record<BucketName, number>>;
  waitsByBucket: Partial<Record<BucketName, number>>;
  waitedMsByBucket: Partial<Record<BucketName, number>>;
  /** Throttling answers, by the category bucket of the request AWS refused. */
  throttledByBucket: Partial<Record<BucketName, number>>;
  /** Buckets whose rate is below their ceiling now, with that rate (tokens per second). */
  loweredRateByBucket: Partial<Record<BucketName, number>>;
}

/** The part of a bucket `acquireSpare` leaves for calls that cannot wait. */
const SPARE_RESERVE_FRACTION = 0.25;

export class ApiBudget {
  private readonly share: number;
  private readonly clock: Clock;
  private readonly overrides: Partial<Record<BucketName, BucketLimit>>;
  private readonly adaptive: boolean;
  private readonly buckets = new Map<BucketName, { bucket: TokenBucket; rate: AdaptiveRate }>();
  /** Category tokens acquireSpare took for a call not sent yet, by `service:action`; the next acquire of the action uses one. */
  private readonly credits = new Map<string, number>();
  private readonly counters: Omit<ApiBudgetStats, 'loweredRateByBucket'> = {
    acquiredByBucket: {},
    waitsByBucket: {},
    waitedMsByBucket: {},
    throttledByBucket: {},
  };

  constructor(options: ApiBudgetOptions = {}) {
    this.share = options.share ?? DEFAULT_API_SHARE;
    if (!isApiShare(this.share)) throw new RangeError(`API share ${this.share} is not in (0, 1]`);
    this.clock = options.clock ?? systemClock;
    this.overrides = options.overrides ?? {};
    this.adaptive = options.adaptive ?? true;
    for (const [name, limit] of Object.entries(this.overrides)) {
      if (!(limit.capacity >= 1 && limit.refillPerSecond > 0)) {
        throw new RangeError(`bucket ${name} needs a capacity of at least 1 and a positive refill rate`);
      }
    }
  }

  /** Resolves when the call may be sent. Take one per request sent, retries included. */
  async acquire(service: AwsService, action: string): Promise<void> {
    const category = categoryOf(service, action);
    const credit = this.credits.get(`${service}:${action}`) ?? 0;
    if (credit > 0) this.credits.set(`${service}:${action}`, credit - 1);
    else this.count(category, await this.entry(category).bucket.take());
    if (service === 'elbv2') this.count('elbv2-account', await this.entry('elbv2-account').bucket.take());
  }

  /**
   * For a call that can wait (DeregisterTargets: the target is on its way out): resolves once its
   * category has a token to spare — no other call waiting for it, and a quarter of the bucket left
   * for calls that cannot wait — and takes it, so the next `acquire` of the action (the call
   * itself) does not wait for its category again. Call it right before sending, and build the request after it
   * resolves: whatever piled up meanwhile goes into that one request.
   */
  async acquireSpare(service: AwsService, action: string): Promise<void> {
    const category = categoryOf(service, action);
    this.count(category, await this.entry(category).bucket.takeSpare());
    this.credits.set(`${service}:${action}`, (this.credits.get(`${service}:${action}`) ?? 0) + 1);
  }

  /**
   * AWS answered Throttling to a request sent (granted its tokens) at `sentAt` (the budget's clock):
   * the request's category bucket lowers its rate and empties (src/rate/adaptive-rate.ts). The account-wide
   * ELBv2 bucket is left alone: a throttle does not say which bucket AWS ran out of, and the category
   * is the part of the account this controller was spending.
   */
  throttled(service: AwsService, action: string, sentAt: number): void {
    const name = categoryOf(service, action);
    this.counters.throttledByBucket[name] = (this.counters.throttledByBucket[name] ?? 0) + 1;
    if (!this.adaptive) return;
    const { bucket, rate } = this.entry(name);
    if (rate.throttled(this.clock.now(), sentAt)) bucket.empty();
  }

  /** The budget's clock, for `throttled`'s `sentAt`. */
  now(): number {
    return this.clock.now();
  }

  categoryOf(service: AwsService, action: string): BucketName {
    return categoryOf(service, action);
  }

  /** The limits in force for a bucket, after overrides and the share (its ceiling, when adapting). */
  limitOf(name: BucketName): BucketLimit {
    const published = this.overrides[name] ?? DEFAULT_BUCKET_LIMITS[name];
    return {
      capacity: Math.max(1, published.capacity * this.share),
      refillPerSecond: published.refillPerSecond * this.share,
    };
  }

  stats(): ApiBudgetStats {
    const now = this.clock.now();
    const loweredRateByBucket: ApiBudgetStats['loweredRateByBucket'] = {};
    for (const [name, { rate }] of this.buckets) {
      const current = rate.current(now);
      if (current < rate.ceiling) loweredRateByBucket[name] = current;
    }
    return {
      acquiredByBucket: { ...this.counters.acquiredByBucket },
      waitsByBucket: { ...this.counters.waitsByBucket },
      waitedMsByBucket: { ...this.counters.waitedMsByBucket },
      throttledByBucket: { ...this.counters.throttledByBucket },
      loweredRateByBucket,
    };
  }

  private count(name: BucketName, waitedMs: number): void {
    const { acquiredByBucket, waitsByBucket, waitedMsByBucket } = this.counters;
    acquiredByBucket[name] = (acquiredByBucket[name] ?? 0) + 1;
    if (waitedMs > 0) {
      waitsByBucket[name] = (waitsByBucket[name] ?? 0) + 1;
      waitedMsByBucket[name] = (waitedMsByBucket[name] ?? 0) + waitedMs;
    }
  }

  private entry(name: BucketName): { bucket: TokenBucket; rate: AdaptiveRate } {
    let entry = this.buckets.get(name);
    if (!entry) {
      const limit = this.limitOf(name);
      const rate = new AdaptiveRate({ ceiling: limit.refillPerSecond });
      const reserve = Math.min(limit.capacity - 1, limit.capacity * SPARE_RESERVE_FRACTION);
      entry = { bucket: new TokenBucket(limit.capacity, rate, this.clock, reserve), rate };
      this.buckets.set(name, entry);
    }
    return entry;
  }
}
