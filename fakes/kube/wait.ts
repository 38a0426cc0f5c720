/**
 * Polling for conditions that arrive asynchronously over watches, with a failure that says what
 * was awaited instead of a bare test timeout.
 */
import { setTimeout as delay } from 'node:timers/promises';

export async function waitFor(condition: () => boolean, options: { what: string; timeoutMs?: number }): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 5000);
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what}`);
    await delay(10);
  }
}
