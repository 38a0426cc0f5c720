/**
 * The GCP provider's API budget: Compute Engine's rate quotas are per project and shared with every
 * other caller (gcloud, Terraform, the console, other controllers), so every call takes a token from
 * the bucket of its quota group before it is sent, retries included, and a rate-limit answer lowers
 * that bucket's rate (src/rate/adaptive-rate.ts) instead of only being retried with backoff.
 *
 * Two buckets, after Compute's documented default rate quotas (cloud.google.com/compute/api-quota):
 * reads (`*.get`, `*.list`, aggregated lists, operations `wait`; the read, list and operation-read
 * groups are 1,500 requests per minute per project each) and writes (the mutating methods, the
 * `default` group: 1,500 requests per minute per project). Both refill at 25 a second, with a
 * second's worth of burst: Google counts per minute, but a full minute's burst up front would leave
 * nothing for the project's other callers until the minute turns.
 * @module
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { AdaptiveRate } from '../../../src/rate/adaptive-rate.js';
import { type BucketLimit, type Clock, TokenBucket } from '../../../src/rate/token-bucket.js';

export type ComputeQuota = 'read' | 'write';

/** Compute's default per-project rate quotas, per second (1,500 a minute each). */
export const COMPUTE_QUOTA_LIMITS: Readonly<Record<ComputeQuota, BucketLimit>> = {
  read: { capacity: 25, refillPerSecond: 1500 / 60 },
  write: { capacity: 25, refillPerSecond: 1500 / 60 },
};

const systemClock: Clock = { now: () => performance.now(), sleep: (ms) => sleepFor(ms) };

/** `regionUrlMaps.insert` → write; `regionBackendServices.list`, `regionOperations.wait` → read. */
export function quotaOf(action: string): ComputeQuota {
  const verb = action.slice(action.lastIndexOf('.') + 1);
  return /^(get|list|aggregatedList|wait|listNetworkEndpoints|listInstances|getHealth)$/.test(verb) ? 'read' : 'write';
}

export interface ComputeBudgetOptions {
  /** Fraction of each quota this controller may use, in (0, 1]; default 1. */
  share?: number;
  clock?: Clock;
  /** Replaces the default quotas (a project whose quota was raised); the share still applies. */
  limits?: Partial<Record<ComputeQuota, BucketLimit>>;
}

export class ComputeBudget {
  readonly clock: Clock;
  private readonly buckets: Record<ComputeQuota, { bucket: TokenBucket; rate: AdaptiveRate }>;

  constructor(options: ComputeBudgetOptions = {}) {
    const share = options.share ?? 1;
    if (!(share > 0 && share <= 1)) throw new RangeError(`API share ${share} is not in (0, 1]`);
    this.clock = options.clock ?? systemClock;
    const make = (quota: ComputeQuota): { bucket: TokenBucket; rate: AdaptiveRate } => {
      const limit = options.limits?.[quota] ?? COMPUTE_QUOTA_LIMITS[quota];
      const rate = new AdaptiveRate({ ceiling: limit.refillPerSecond * share });
      return { rate, bucket: new TokenBucket(Math.max(1, Math.floor(limit.capacity * share)), rate, this.clock, 0) };
    };
    this.buckets = { read: make('read'), write: make('write') };
  }

  /** Resolves when the call may be sent; returns the clock's time then, for `throttled`. */
  async acquire(action: string): Promise<number> {
    // The time the token was granted, not when this continuation runs: others may be served between.
    const asked = this.clock.now();
    return asked + (await this.buckets[quotaOf(action)].bucket.take());
  }

  /** Compute refused a call sent at `sentAt` for its rate quota: that quota's rate drops and its bucket empties. */
  throttled(action: string, sentAt: number): void {
    const { bucket, rate } = this.buckets[quotaOf(action)];
    if (rate.throttled(this.clock.now(), sentAt)) bucket.empty();
  }

  /** Tokens per second the quota's bucket refills at now. */
  rate(quota: ComputeQuota): number {
    return this.buckets[quota].rate.current(this.clock.now());
  }
}
