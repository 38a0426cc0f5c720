/**
 * Virtual time for the AWS budget and the provider's target sync: sleeps resolve only when the test
 * advances the clock, in due order, with the promises they release settled in between.
 * @module
 */
import type { Clock } from '../../providers/aws/sdk/budget.js';

export class VirtualClock implements Clock {
  private time = 0;
  private timers: { at: number; wake: () => void }[] = [];

  now(): number {
    return this.time;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((wake) => {
      this.timers.push({ at: this.time + Math.max(0, ms), wake });
      this.timers.sort((a, b) => a.at - b.at);
    });
  }

  async advanceTo(ms: number): Promise<void> {
    for (;;) {
      await settle();
      const next = this.timers[0];
      if (!next || next.at > ms) break;
      this.timers.shift();
      this.time = next.at;
      next.wake();
    }
    this.time = Math.max(this.time, ms);
    await settle();
  }

  advanceBy(ms: number): Promise<void> {
    return this.advanceTo(this.time + ms);
  }
}

export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
