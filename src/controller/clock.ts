/**
 * Time as the controller's loops see it. The work queue and leader election take a Clock so tests can
 * drive backoff, resync and lease deadlines without waiting for them.
 * @module
 */

export interface Clock {
  /** Milliseconds, monotonic: deadlines must not move when the wall clock is adjusted. */
  now(): number;
  /** Runs `task` once after `delayMs`; the returned function cancels it if it has not run yet. */
  schedule(delayMs: number, task: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  schedule(delayMs, task) {
    // Unref'd: a pending retry or resync must never be what keeps a finished process alive.
    const timer = setTimeout(task, delayMs).unref();
    return () => clearTimeout(timer);
  },
};

/** `promise`, or a rejection once `timeoutMs` has passed without it settling; a late result is ignored. */
export function withTimeout<T>(clock: Clock, timeoutMs: number, promise: Promise<T>, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cancel = clock.schedule(timeoutMs, () => reject(new Error(`${what} got no answer within ${timeoutMs} ms`)));
    promise.then(
      (value) => {
        cancel();
        resolve(value);
      },
      (error: unknown) => {
        cancel();
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passes on the promise's own rejection unchanged
        reject(error);
      },
    );
  });
}
