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
 *
 * An event may carry work (what the next run must do, e.g. only some target groups, or a full read
 * of the cloud); the works of events coalesced into one run are combined by `merge`, and the work of
 * a failed run is kept for its retry. A staggered resync enqueues each key once per period at a
 * phase of its own, so a period's work is spread over it rather than arriving all at once.
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

export interface WorkQueueOptions<W = undefined> {
  /** `work`: what the events since the last run asked for, merged; undefined when none carried any. */
  handler: (key: string, work: W | undefined) => Promise<RunOutcome>;
  /** Combines the work of two events for one key (default: no work is kept). */
  merge?: (pending: W | undefined, next: W | undefined) => W | undefined;
  /** Keys reconciled at the same time. */
  concurrency?: number;
  backoff?: BackoffPolicy;
  clock?: Clock;
  /** In [0, 1); the jitter source. */
  random?: () => number;
  onRun?: (report: RunReport) => void;
}

const DEFAULT_WORK_QUEUE_CONCURRENCY = 4;
const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 5 * 60_000 };

/** Full jitter (uniform in [0, ceiling)) over a ceiling that doubles per failure up to the cap. */
export function backoffDelayMs(failures: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, failures - 1));
  return Math.floor(random() * ceiling);
}

interface KeyState<W> {
  phase: 'waiting' | 'running' | 'backoff';
  failures: number;
  /** An event that arrived while the key was running. */
  rerun?: EnqueueReason;
  /** Earliest change event not yet converged. */
  changedAt?: number;
  cancelBackoff?: () => void;
  /** The merged work of the events the next run is for; absent when no event is pending. */
  pending?: { work: W | undefined };
}

export class WorkQueue<W = undefined> {
  private readonly queue: PQueue;
  private readonly keys = new Map<string, KeyState<W>>();
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly backoff: BackoffPolicy;
  private draining = false;
  private stopResync: (() => void) | undefined;
  private stopStaggered: (() => void) | undefined;

  constructor(private readonly options: WorkQueueOptions<W>) {
    this.queue = new PQueue({ concurrency: options.concurrency ?? DEFAULT_WORK_QUEUE_CONCURRENCY });
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
  }

  enqueue(key: string, reason: EnqueueReason = 'change', work?: W): void {
    if (this.draining) return;
    let state = this.keys.get(key);
    if (!state) {
      state = { phase: 'waiting', failures: 0 };
      this.keys.set(key, state);
      this.addWork(state, work);
      this.submit(key);
    } else {
      this.addWork(state, work);
      if (state.phase === 'running') {
        state.rerun = state.rerun === 'change' ? 'change' : reason;
      } else if (state.phase === 'backoff' && reason === 'change') {
        state.cancelBackoff?.();
        state.cancelBackoff = undefined;
        state.phase = 'waiting';
        this.submit(key);
      }
    }
    if (reason === 'change') state.changedAt ??= this.clock.now();
  }

  /**
   * Enqueues each key `keys` returns once every `periodMs`, until drain(), at a phase of its own in
   * the period (a hash of the key): the keys are spread evenly over the period, and each comes back
   * exactly one period after its last turn. Checked every 1/60 of the period (at least every second).
   * A second call replaces the first.
   */
  startStaggeredResync(periodMs: number, keys: () => Iterable<string>, work?: W): void {
    this.stopStaggered?.();
    const origin = this.clock.now();
    const tickMs = Math.max(1_000, Math.floor(periodMs / 60));
    let checkedTo = origin;
    const tick = (): void => {
      const now = this.clock.now();
      for (const key of keys()) if (turnsBetween(key, periodMs, checkedTo - origin, now - origin)) this.enqueue(key, 'resync', work);
      checkedTo = now;
      this.stopStaggered = this.clock.schedule(tickMs, tick);
    };
    this.stopStaggered = this.clock.schedule(tickMs, tick);
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
    this.stopStaggered?.();
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
    const work = state.pending?.work;
    delete state.pending;
    const started = this.clock.now();
    let outcome: RunOutcome;
    let error: unknown;
    try {
      outcome = await this.options.handler(key, work);
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
      // The retry still owes what this run was for, besides whatever arrived meanwhile.
      this.addWork(state, work, { earlier: true });
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

  /** Folds an event's work into what the key's next run is for (`earlier`: a failed run's, which came before). */
  private addWork(state: KeyState<W>, work: W | undefined, options: { earlier?: boolean } = {}): void {
    const merge = this.options.merge;
    if (!merge) return;
    if (!state.pending) state.pending = { work };
    else state.pending = { work: options.earlier ? merge(work, state.pending.work) : merge(state.pending.work, work) };
  }

  private scheduleRetry(key: string, state: KeyState<W>): number {
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

/** Whether `key`'s turn (its phase, then every period after) falls in (fromMs, toMs], times since the resync began. */
export function turnsBetween(key: string, periodMs: number, fromMs: number, toMs: number): boolean {
  const phase = phaseOf(key, periodMs);
  return Math.floor((toMs - phase) / periodMs) > Math.floor((fromMs - phase) / periodMs);
}

/** A stable point in the period for a key: FNV-1a of the key, mixed (keys often differ in one character), scaled. */
function phaseOf(key: string, periodMs: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index += 1) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return ((hash >>> 0) / 0x1_0000_0000) * periodMs;
}
