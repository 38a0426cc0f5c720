/**
 * Counts the cloud API calls each reconcile makes, by action, for the one log line per reconcile.
 * Reconciles run concurrently, so the count follows the async context of the reconcile that made
 * the call rather than a shared counter.
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const current = new AsyncLocalStorage<Map<string, number>>();

/** Runs `work`, returning what it returned and the calls it made, as `service:Action` → count. */
export async function countingApiCalls<T>(work: () => Promise<T>): Promise<{ value: T; calls: Record<string, number> }> {
  const calls = new Map<string, number>();
  const value = await current.run(calls, work);
  return { value, calls: Object.fromEntries([...calls].sort(([a], [b]) => a.localeCompare(b))) };
}

/** Called for every API call a provider reports; outside a counted reconcile it does nothing. */
export function noteApiCall(service: string, action: string): void {
  const calls = current.getStore();
  if (!calls) return;
  const key = `${service}:${action}`;
  calls.set(key, (calls.get(key) ?? 0) + 1);
}
