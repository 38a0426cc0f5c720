/**
 * One bucket of a provider's API budget (cloud-neutral: the AWS and GCP providers share it, so it
 * lives beside the contract in src/rate/): `capacity` tokens, refilled at the adaptive rate (adaptive-rate.ts).
 *
 * Two kinds of takers. `take` is first come, first served. `takeSpare` is for a call that can wait
 * (a deregistration: the target is leaving anyway): it is served only while no `take` waits and more
 * than `reserve` tokens are left, so a call that cannot wait (a new Pod's registration) finds a token
 * at once even while a backlog of deregistrations drains behind it.
 * @module
 */
import type { AdaptiveRate } from './adaptive-rate.js';

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

/** Absorbs floating-point error so a token that is due after an exact sleep counts as there. */
const TOKEN_EPSILON = 1e-9;
const MAX_SLEEP_MS = 1000;

export class TokenBucket {
  private tokens: number;
  private refilledAt: number;
  private readonly waiters: (() => void)[] = [];
  private readonly spareWaiters: (() => void)[] = [];
  private serving = false;
  /** Cuts the serving loop's sleep short when a waiter arrives that needs fewer tokens than it sleeps for. */
  private wake: (() => void) | undefined;

  constructor(
    private readonly capacity: number,
    private readonly rate: AdaptiveRate,
    private readonly clock: Clock,
    /** Tokens `takeSpare` leaves for `take`. */
    private readonly reserve: number,
  ) {
    this.tokens = capacity;
    this.refilledAt = clock.now();
  }

  /** Resolves with the milliseconds the caller waited. */
  async take(): Promise<number> {
    if (this.waiters.length === 0 && this.tryTake(1)) return 0;
    return this.queue(this.waiters);
  }

  /** Like take, but only from tokens beyond the reserve, and after every `take` waiting. */
  async takeSpare(): Promise<number> {
    if (this.waiters.length === 0 && this.spareWaiters.length === 0 && this.tryTake(1 + this.reserve)) return 0;
    return this.queue(this.spareWaiters);
  }

  /** The cloud throttled us: its bucket is empty, so ours is too, whatever our count says. */
  empty(): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
  }

  private async queue(line: (() => void)[]): Promise<number> {
    const queuedAt = this.clock.now();
    await new Promise<void>((resolve) => {
      line.push(resolve);
      this.wake?.();
      void this.serveWaiters();
    });
    return this.clock.now() - queuedAt;
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.refilledAt) * this.rate.current(now)) / 1000);
    this.refilledAt = now;
  }

  private tryTake(needed: number): boolean {
    this.refill();
    if (this.tokens < needed - TOKEN_EPSILON) return false;
    this.tokens = Math.max(0, this.tokens - 1);
    this.rate.noteGranted(this.refilledAt);
    return true;
  }

  /** One loop per bucket: sleeps until the next token it can hand out is due instead of polling. */
  private async serveWaiters(): Promise<void> {
    if (this.serving) return;
    this.serving = true;
    try {
      while (this.waiters.length > 0 || this.spareWaiters.length > 0) {
        const line = this.waiters.length > 0 ? this.waiters : this.spareWaiters;
        const needed = line === this.waiters ? 1 : 1 + this.reserve;
        if (this.tryTake(needed)) {
          line.shift()?.();
          continue;
        }
        // At most a second: a rate lowered by a throttle climbs back, and the next token comes sooner.
        const ms = Math.min(MAX_SLEEP_MS, Math.ceil(((needed - this.tokens) * 1000) / this.rate.current(this.clock.now())));
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          void this.clock.sleep(ms).then(resolve);
        });
        this.wake = undefined;
      }
    } finally {
      this.serving = false;
    }
  }
}
