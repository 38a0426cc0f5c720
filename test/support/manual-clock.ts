/**
 * Time for the controller's loops (work queue, resync, leader election) moved by the test: scheduled
 * tasks run only when the test advances the clock, in due order, with the promises they release
 * settled after each.
 * @module
 */
import type { Clock } from '../../src/controller/clock.js';
import { settle } from './virtual-clock.js';

export class ManualClock implements Clock {
  private time = 0;
  private nextId = 0;
  private readonly tasks = new Map<number, { at: number; task: () => void }>();

  now(): number {
    return this.time;
  }

  schedule(delayMs: number, task: () => void): () => void {
    const id = this.nextId++;
    this.tasks.set(id, { at: this.time + delayMs, task });
    return () => this.tasks.delete(id);
  }

  /** Tasks scheduled and neither run nor cancelled. */
  pending(): number {
    return this.tasks.size;
  }

  /** Runs every task due within `ms`, in time order, letting the promises they release settle after each. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      const due = [...this.tasks.entries()].filter(([, entry]) => entry.at <= target).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.tasks.delete(due[0]);
      this.time = due[1].at;
      due[1].task();
      await settle();
    }
    this.time = target;
    await settle();
  }
}
