/**
 * Throttling retried at the call level, around the SDK's own retries. The SDK already retries
 * throttling with backoff; this layer is there for what gets through it (a long burst from other
 * callers in the account), and for tests, where aws-sdk-client-mock replaces `send` and the SDK's
 * retry middleware never runs. Full-jitter exponential backoff; sleep and randomness are injected so
 * tests run in no time.
 * @module
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { isThrottling } from './errors.js';

export interface RetryEvent {
  /** The API action or lookup that was throttled. */
  label: string;
  /** The attempt that failed, from 1. */
  attempt: number;
  delayMs: number;
}

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  /** In [0, 1). */
  random: () => number;
  onRetry?: (event: RetryEvent) => void;
}

/** Few attempts: each one is already a full round of the SDK's own retries. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 1_000,
  maxDelayMs: 20_000,
  sleep: (ms) => sleepFor(ms),
  random: Math.random,
};

/** Runs a call, or a read made of several calls (re-run whole), retrying it while it is throttled. */
export type Call = <T>(label: string, run: () => Promise<T>) => Promise<T>;

export function retryingCall(policy: RetryPolicy): Call {
  return async <T>(label: string, run: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await run();
      } catch (error) {
        if (!isThrottling(error) || attempt >= policy.maxAttempts) throw error;
        const delayMs = Math.floor(policy.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)));
        policy.onRetry?.({ label, attempt, delayMs });
        await policy.sleep(delayMs);
      }
    }
  };
}
