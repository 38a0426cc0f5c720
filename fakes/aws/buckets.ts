/**
 * AWS's published request-rate token buckets, on a clock the caller controls, so a benchmark can
 * run at scaled time and a test can step time by hand.
 * - ELBv2 ("Request throttling for the ELB API"): every call takes a token from the account-wide
 *   bucket (40, +10/s) and one from its category's bucket, shared by all actions of the category.
 * - ACM ("Quotas", API rate quotas): a per-action rate; the bucket holds one second's worth.
 * - EC2 ("Request throttling for the Amazon EC2 API"): a bucket per action, 100 (+20/s) for
 *   non-mutating and 200 (+5/s) for mutating actions.
 * The Resource Groups Tagging API, WAFv2 and Shield publish no figure, so they are not limited here.
 * A throttled call takes no token.
 * @module
 */
import { isMutating } from './calls.js';
import type { ServiceId } from './errors.js';
import type { FakeClock } from './state.js';

interface BucketSpec {
  capacity: number;
  refillPerSecond: number;
}

const ELBV2_ACCOUNT: BucketSpec = { capacity: 40, refillPerSecond: 10 };
const ELBV2_CATEGORIES: Readonly<Record<string, BucketSpec>> = {
  describe: { capacity: 40, refillPerSecond: 10 },
  mutating: { capacity: 20, refillPerSecond: 3 },
  registration: { capacity: 20, refillPerSecond: 4 },
  'resource-intensive': { capacity: 10, refillPerSecond: 0.2 },
};

const ACM_RATES: Readonly<Record<string, number>> = {
  ImportCertificate: 1,
  DescribeCertificate: 10,
  ListCertificates: 8,
  ListTagsForCertificate: 10,
  AddTagsToCertificate: 5,
  RemoveTagsFromCertificate: 5,
  DeleteCertificate: 10,
};

function elbv2Category(action: string): string {
  if (action === 'CreateLoadBalancer' || action === 'SetSubnets') return 'resource-intensive';
  if (action === 'RegisterTargets' || action === 'DeregisterTargets') return 'registration';
  return isMutating(action) ? 'mutating' : 'describe';
}

/** The buckets one call draws from, as `[key, spec]` pairs. */
function bucketsFor(service: ServiceId, action: string): [string, BucketSpec][] {
  switch (service) {
    case 'elbv2': {
      const category = elbv2Category(action);
      const spec = ELBV2_CATEGORIES[category];
      return spec === undefined
        ? []
        : [
            ['elbv2:account', ELBV2_ACCOUNT],
            [`elbv2:${category}`, spec],
          ];
    }
    case 'acm': {
      const rate = ACM_RATES[action] ?? 5;
      return [[`acm:${action}`, { capacity: rate, refillPerSecond: rate }]];
    }
    case 'ec2':
      return [[`ec2:${action}`, isMutating(action) ? { capacity: 200, refillPerSecond: 5 } : { capacity: 100, refillPerSecond: 20 }]];
    case 'tagging':
    case 'wafv2':
    case 'shield':
    case 'lambda':
      return [];
  }
}

interface BucketState {
  tokens: number;
  updatedAt: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, BucketState>();
  private enabled = false;

  constructor(private readonly clock: FakeClock) {}

  /** Turning buckets on starts them full, as an idle account's would be. */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    this.buckets.clear();
  }

  /** Takes one token from every bucket the call needs, or none when any is empty. */
  tryTake(service: ServiceId, action: string): boolean {
    if (!this.enabled) return true;
    const now = this.clock.now();
    const needed = bucketsFor(service, action).map(([key, spec]) => this.refilled(key, spec, now));
    if (needed.some((bucket) => bucket.tokens < 1)) return false;
    for (const bucket of needed) bucket.tokens -= 1;
    return true;
  }

  private refilled(key: string, spec: BucketSpec, now: number): BucketState {
    const bucket = this.buckets.get(key) ?? { tokens: spec.capacity, updatedAt: now };
    const elapsedSeconds = Math.max(0, now - bucket.updatedAt) / 1000;
    bucket.tokens = Math.min(spec.capacity, bucket.tokens + elapsedSeconds * spec.refillPerSecond);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    return bucket;
  }
}
