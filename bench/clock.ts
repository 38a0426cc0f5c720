/**
 * Cloud time: a clock that runs `scale` times faster than the wall, shared by the AWS fake (latency,
 * token buckets), the controller's ApiBudget and its retry sleeps, so a large run finishes in minutes
 * while every rate the cloud enforces keeps its published value in cloud seconds.
 *
 * The origin is an absolute wall instant (ms since the epoch), so a child process given the same
 * origin and scale reads the same cloud time as its parent.
 * @module
 */
import type { Clock } from '../providers/aws/sdk/budget.js';

export interface CloudClock extends Clock {
  readonly scale: number;
  readonly originEpochMs: number;
  /** Cloud seconds since the origin. */
  seconds(): number;
}

const wallEpochMs = (): number => performance.timeOrigin + performance.now();

export function createCloudClock(options: { scale: number; originEpochMs?: number }): CloudClock {
  const { scale } = options;
  if (!(scale > 0)) throw new RangeError(`time scale ${scale} must be positive`);
  const originEpochMs = options.originEpochMs ?? wallEpochMs();
  const now = (): number => (wallEpochMs() - originEpochMs) * scale;
  return {
    scale,
    originEpochMs,
    now,
    seconds: () => now() / 1000,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms / scale))),
  };
}
