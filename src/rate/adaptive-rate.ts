/**
 * The refill rate of one budget bucket, lowered when the cloud throttles (AWS and GCP alike: both
 * count quotas per account or project, shared with every other caller) and raised again over time: the
 * same CUBIC rule the SDK's adaptive retry mode applies per client (@smithy/util-retry
 * DefaultRateLimiter), applied here to a bucket that every client and reconcile shares.
 *
 * AWS's buckets are per account, so a neighbour (another controller, Terraform, CI) spends tokens the
 * budget cannot see; its published rate is then more than is left for us, and a budget that keeps
 * to it is throttled over and over until retries run out. On a throttle the rate drops to β times the
 * rate we were actually sending at, then follows a cubic back up: quickly at first, flat near the
 * rate that was throttled (where the share left for us most likely is), then probing above it, up to
 * the published rate. A throttle of a request sent before the last decrease says nothing new (it
 * left at the old rate), so it does not lower the rate again: one decrease per round trip, as TCP does.
 *
 * Pure arithmetic on the times it is given; the bucket calls it.
 * @module
 */

export interface AdaptiveRateOptions {
  /** The highest rate, per second: the bucket's published refill times the share. */
  ceiling: number;
  /** The multiplicative decrease (the SDK's β). */
  beta?: number;
  /** Never below this fraction of the ceiling, so a bucket cannot stall. */
  floorFraction?: number;
  /** Seconds to climb back to the throttled rate after a throttle at the ceiling. */
  recoverySeconds?: number;
  /** Time constant of the measured send rate, seconds. */
  measureSeconds?: number;
}

export const DEFAULT_BETA = 0.7;
const DEFAULT_FLOOR_FRACTION = 0.05;
export const DEFAULT_RECOVERY_SECONDS = 8;
const DEFAULT_MEASURE_SECONDS = 2;

export class AdaptiveRate {
  readonly ceiling: number;
  private readonly beta: number;
  private readonly floor: number;
  /** CUBIC's C, scaled to the ceiling so every bucket recovers on the same time scale. */
  private readonly cubic: number;
  private readonly measureMs: number;
  /** The rate at the last throttle (CUBIC's W_max), and when the rate was lowered; none before the first throttle. */
  private lowered: { at: number; from: number } | undefined;
  private measured = 0;
  private measuredAt = 0;

  constructor(options: AdaptiveRateOptions) {
    this.ceiling = options.ceiling;
    this.beta = options.beta ?? DEFAULT_BETA;
    this.floor = options.ceiling * (options.floorFraction ?? DEFAULT_FLOOR_FRACTION);
    const recovery = options.recoverySeconds ?? DEFAULT_RECOVERY_SECONDS;
    this.cubic = (options.ceiling * (1 - this.beta)) / recovery ** 3;
    this.measureMs = (options.measureSeconds ?? DEFAULT_MEASURE_SECONDS) * 1000;
  }

  /** Tokens per second allowed at `now` (ms). */
  current(now: number): number {
    if (!this.lowered) return this.ceiling;
    const { at, from } = this.lowered;
    const k = Math.cbrt((from * (1 - this.beta)) / this.cubic);
    const t = Math.max(0, now - at) / 1000;
    return Math.min(this.ceiling, Math.max(this.floor, this.cubic * (t - k) ** 3 + from));
  }

  /** A token was granted at `now`: feeds the measured send rate. */
  noteGranted(now: number): void {
    this.measured = this.measuredRate(now) + 1000 / this.measureMs;
    this.measuredAt = now;
  }

  /**
   * AWS throttled a request sent at `sentAt`; returns whether the rate was lowered (false for a
   * request that left before the last decrease).
   */
  throttled(now: number, sentAt: number): boolean {
    if (this.lowered && sentAt < this.lowered.at) return false;
    const sending = Math.min(this.current(now), this.measuredRate(now));
    const from = Math.max(this.floor / this.beta, sending);
    this.lowered = { at: now, from };
    return true;
  }

  /** Exponentially weighted rate of grants, per second. */
  private measuredRate(now: number): number {
    return this.measured * Math.exp(-Math.max(0, now - this.measuredAt) / this.measureMs);
  }
}
