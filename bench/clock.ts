/**
 * Cloud time: a clock that runs `scale` times faster than the wall, shared by the AWS fake (latency,
 * token buckets), the controller's ApiBudget and its retry sleeps, so a large run finishes in minutes
 * while every rate the cloud enforces keeps its published value in cloud seconds.
 *
 * The origin is an absolute wall instant (ms since the epoch), so a child process given the same
 * origin and scale reads the same cloud time as its parent (as long as the scale is not changed).
 * A scenario whose figures are a few cloud milliseconds may slow the clock down (`setScale`): one
 * wall millisecond of CPU or timer granularity is `scale` cloud milliseconds.
 * @module
 */
import type { Clock } from '../providers/aws/sdk/budget.js';

export interface CloudClock extends Clock {
  /** Cloud ms per wall ms, now. */
  readonly scale: number;
  readonly originEpochMs: number;
  /** Cloud seconds since the origin. */
  seconds(): number;
  /** From now on cloud time runs `scale` times the wall; time already passed stays as it was. */
  setScale(scale: number): void;
}

const wallEpochMs = (): number => performance.timeOrigin + performance.now();

export function createCloudClock(options: { scale: number; originEpochMs?: number }): CloudClock {
  if (!(options.scale > 0)) throw new RangeError(`time scale ${options.scale} must be positive`);
  const originEpochMs = options.originEpochMs ?? wallEpochMs();
  let scale = options.scale;
  let base = { wall: originEpochMs, cloud: 0 };
  const now = (): number => base.cloud + (wallEpochMs() - base.wall) * scale;
  return {
    get scale() {
      return scale;
    },
    originEpochMs,
    now,
    seconds: () => now() / 1000,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms / scale))),
    setScale(next) {
      if (!(next > 0)) throw new RangeError(`time scale ${next} must be positive`);
      base = { wall: wallEpochMs(), cloud: now() };
      scale = next;
    },
  };
}
