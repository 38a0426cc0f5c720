/**
 * A keyed work queue (a key is a stack / group key): at most one run per key at a time, repeated
 * events for a waiting key coalesced into one run, bounded concurrency across keys, exponential
 * backoff with full jitter after a failed run, and a periodic resync.
 *
 * A key is in one of three phases: waiting (in the p-queue, not started), running, or backing off
 * (a retry timer is pending). An event for a running key marks it to run once more after the run
 * ends, so a change seen during a run is never lost and never runs concurrently with it.
 *
 * A change event for a key in backoff runs it now and keeps its failure count: the change may be
 * the fix (a corrected annotation, a new Secret), and making the user wait out a backoff of minutes
 * for it is the delay aws-load-balancer-controller#1414 complains about. The count is kept, so if
 * the change did not help, the next backoff is longer still. A resync does not cut a backoff short.
 * @module
 */
import PQueue from 'p-queue';
import { systemClock, type Clock } from './clock.js';

export type RunOutcome = 'done' | 'retry';

/** `change`: something the key depends on changed. `resync`: the periodic pass over every key. */
export type EnqueueReason = 'change' | 'resync';

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export interface RunReport {
  key: string;
  outcome: RunOutcome;
  /** What the handler threw, when it threw. */
  error?: unknown;
  durationMs: number;
  /** Consecutive failed runs of the key, this one included; 0 after a done run. */
  failures: number;
  /** After a retry: the backoff before the next run, or 0 when a change made it run again at once. */
  retryInMs?: number;
  /** After a done run that followed a change: from the first change event since the key last converged. */
  convergenceMs?: number;
}

export interface WorkQueueOptions {
  handler: (key: string) => Promise<RunOutcome>;
  /** Keys reconciled at the same time. */
  concurrency?: number;
  backoff?: BackoffPolicy;
  clock?: Clock;
  /** In [0, 1); the jitter source. */
  random?: () => number;
  onRun?: (report: RunReport) => void;
}

export const DEFAULT_WORK_QUEUE_CONCURRENCY = 4;
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 5 * 60_000 };

/** Full jitter (uniform in [0, ceiling)) over a ceiling that doubles per failure up to the cap. */
export function backoffDelayMs(failures: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, failures - 1));
  return Math.floor(random() * ceiling);
}

interface KeyState {
  phase: 'waiting' | 'running' | 'backoff';
  failures: number;
  /** An event that arrived while the key was running. */
  rerun?: EnqueueReason;
  /** Earliest change event not yet converged. */
  changedAt?: number;
  cancelBackoff?: () => void;
}

export class WorkQueue {
  private readonly queue: PQueue;
  private readonly keys = new Map<string, KeyState>();
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly backoff: BackoffPolicy;
  private draining = false;
  private stopResync: (() => void) | undefined;

  constructor(private readonly options: WorkQueueOptions) {
    this.queue = new PQueue({ concurrency: options.concurrency ?? DEFAULT_WORK_QUEUE_CONCURRENCY });
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
  }

  enqueue(key: string, reason: EnqueueReason = 'change'): void {
    if (this.draining) return;
    let state = this.keys.get(key);
    if (!state) {
      state = { phase: 'waiting', failures: 0 };
      this.keys.set(key, state);
      this.submit(key);
    } else if (state.phase === 'running') {
      state.rerun = state.rerun === 'change' ? 'change' : reason;
    } else if (state.phase === 'backoff' && reason === 'change') {
      state.cancelBackoff?.();
      state.cancelBackoff = undefined;
      state.phase = 'waiting';
      this.submit(key);
    }
    if (reason === 'change') state.changedAt ??= this.clock.now();
  }

  /** Enqueues every key `keys` returns, every `intervalMs`, until drain(); a second call replaces the first. */
  startResync(intervalMs: number, keys: () => Iterable<string>): void {
    this.stopResync?.();
    const tick = (): void => {
      for (const key of keys()) this.enqueue(key, 'resync');
      this.stopResync = this.clock.schedule(intervalMs, tick);
    };
    this.stopResync = this.clock.schedule(intervalMs, tick);
  }

  /** Keys waiting to run or backing off; running keys are not counted. */
  depth(): number {
    let count = 0;
    for (const state of this.keys.values()) if (state.phase !== 'running') count++;
    return count;
  }

  /** Nothing new starts until resume(); runs in flight finish, and queued keys keep their place. */
  pause(): void {
    this.queue.pause();
  }

  resume(): void {
    this.queue.start();
  }

  /**
   * For shutdown: stops accepting events and resync, drops waiting and backing-off keys (the next
   * leader resyncs them), and resolves when the runs in flight have finished.
   */
  async drain(): Promise<void> {
    this.draining = true;
    this.stopResync?.();
    this.queue.pause();
    this.queue.clear();
    for (const [key, state] of this.keys) {
      if (state.phase === 'running') continue;
      state.cancelBackoff?.();
      this.keys.delete(key);
    }
    await this.queue.onPendingZero();
  }

  private submit(key: string): void {
    void this.queue.add(() => this.run(key));
  }

  private async run(key: string): Promise<void> {
    const state = this.keys.get(key);
    if (!state) return;
    state.phase = 'running';
    const changedAt = state.changedAt;
    state.changedAt = undefined;
    const started = this.clock.now();
    let outcome: RunOutcome;
    let error: unknown;
    try {
      outcome = await this.options.handler(key);
    } catch (thrown) {
      outcome = 'retry';
      error = thrown;
    }
    const finished = this.clock.now();
    const report: RunReport = { key, outcome, durationMs: finished - started, failures: 0 };
    if (error !== undefined) report.error = error;
    if (outcome === 'done') {
      state.failures = 0;
      if (changedAt !== undefined) report.convergenceMs = finished - changedAt;
    } else {
      report.failures = state.failures += 1;
      if (changedAt !== undefined) state.changedAt = changedAt;
    }
    const rerun = state.rerun;
    state.rerun = undefined;
    if (this.draining) {
      this.keys.delete(key);
    } else if (rerun === 'change' || (outcome === 'done' && rerun === 'resync')) {
      if (outcome === 'retry') report.retryInMs = 0;
      state.phase = 'waiting';
      this.submit(key);
    } else if (outcome === 'retry') {
      report.retryInMs = this.scheduleRetry(key, state);
    } else {
      this.keys.delete(key);
    }
    this.options.onRun?.(report);
  }

  private scheduleRetry(key: string, state: KeyState): number {
    const delayMs = backoffDelayMs(state.failures, this.backoff, this.random);
    state.phase = 'backoff';
    state.cancelBackoff = this.clock.schedule(delayMs, () => {
      state.cancelBackoff = undefined;
      state.phase = 'waiting';
      this.submit(key);
    });
    return delayMs;
  }
}
