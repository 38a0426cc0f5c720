/**
 * The keyed work queue: coalescing, one run per key, the concurrency bound, backoff with a
 * deterministic jitter source, resync, pause/resume and drain. Time is a manual clock.
 */
import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { backoffDelayMs, WorkQueue, type RunOutcome, type RunReport, type WorkQueueOptions } from '../../src/controller/work-queue.js';
import { ManualClock } from '../support/manual-clock.js';
import { settle } from '../support/virtual-clock.js';

/** A handler whose runs stay open until the test finishes them, recording what overlapped. */
class GatedHandler {
  readonly started: string[] = [];
  private readonly open = new Map<string, Array<(outcome: RunOutcome) => void>>();
  maxActive = 0;
  maxActivePerKey = 0;

  readonly handle = (key: string): Promise<RunOutcome> => {
    this.started.push(key);
    const waiters = this.open.get(key) ?? [];
    this.open.set(key, waiters);
    const promise = new Promise<RunOutcome>((resolve) => waiters.push(resolve));
    this.maxActivePerKey = Math.max(this.maxActivePerKey, waiters.length);
    this.maxActive = Math.max(this.maxActive, this.active());
    return promise;
  };

  active(): number {
    let count = 0;
    for (const waiters of this.open.values()) count += waiters.length;
    return count;
  }

  async finish(key: string, outcome: RunOutcome = 'done'): Promise<void> {
    const resolve = this.open.get(key)?.shift();
    assert.ok(resolve, `${key} is not running`);
    resolve(outcome);
    await settle();
  }
}

function makeQueue(overrides: Partial<WorkQueueOptions> & Pick<WorkQueueOptions, 'handler'>): { queue: WorkQueue; clock: ManualClock; reports: RunReport[] } {
  const clock = new ManualClock();
  const reports: RunReport[] = [];
  const queue = new WorkQueue({ clock, random: () => 0.5, backoff: { baseMs: 1_000, capMs: 8_000 }, onRun: (report) => reports.push(report), ...overrides });
  return { queue, clock, reports };
}

describe('WorkQueue', () => {
  it('coalesces repeated events for a waiting key into one run', async () => {
    const handler = new GatedHandler();
    const { queue } = makeQueue({ handler: handler.handle, concurrency: 1 });
    queue.enqueue('a');
    for (let i = 0; i < 5; i++) queue.enqueue('b');
    assert.equal(queue.depth(), 1);
    await handler.finish('a');
    await handler.finish('b');
    assert.deepEqual(handler.started, ['a', 'b']);
    assert.equal(queue.depth(), 0);
  });

  it('runs a key enqueued while running once more after the run, never two at once', async () => {
    const handler = new GatedHandler();
    const { queue } = makeQueue({ handler: handler.handle, concurrency: 4 });
    queue.enqueue('a');
    await settle();
    for (let i = 0; i < 3; i++) queue.enqueue('a');
    await settle();
    assert.equal(handler.active(), 1);
    await handler.finish('a');
    assert.deepEqual(handler.started, ['a', 'a']);
    await handler.finish('a');
    assert.deepEqual(handler.started, ['a', 'a']);
    assert.equal(handler.maxActivePerKey, 1);
  });

  it('never runs more keys at once than its concurrency', async () => {
    const handler = new GatedHandler();
    const { queue } = makeQueue({ handler: handler.handle, concurrency: 2 });
    for (const key of ['a', 'b', 'c', 'd', 'e']) queue.enqueue(key);
    await settle();
    assert.equal(handler.active(), 2);
    assert.equal(queue.depth(), 3);
    for (const key of ['a', 'b', 'c', 'd', 'e']) await handler.finish(key);
    assert.deepEqual(handler.started, ['a', 'b', 'c', 'd', 'e']);
    assert.equal(handler.maxActive, 2);
  });

  it('backs off exponentially up to the cap, retries when due, and treats a throw as a retry', async () => {
    let runs = 0;
    const { queue, clock, reports } = makeQueue({
      handler: () => {
        runs++;
        if (runs % 2 === 0) return Promise.reject(new Error('throttled'));
        return Promise.resolve('retry');
      },
    });
    queue.enqueue('a');
    await settle();
    // random() is 0.5, so each delay is half of the ceiling 1 s, 2 s, 4 s, 8 s (the cap), 8 s.
    for (const expected of [500, 1_000, 2_000, 4_000, 4_000]) {
      const before = runs;
      assert.equal(reports.at(-1)?.retryInMs, expected);
      assert.equal(queue.depth(), 1, 'a key in backoff counts as waiting');
      await clock.advance(expected - 1);
      assert.equal(runs, before, 'no run before the backoff is over');
      await clock.advance(1);
      assert.equal(runs, before + 1);
    }
    assert.deepEqual(
      reports.map((report) => report.failures),
      [1, 2, 3, 4, 5, 6],
    );
    assert.equal((reports[1]?.error as Error).message, 'throttled');
  });

  it('computes full jitter over the doubling ceiling', () => {
    const policy = { baseMs: 1_000, capMs: 300_000 };
    assert.equal(
      backoffDelayMs(1, policy, () => 0.999),
      999,
    );
    assert.equal(
      backoffDelayMs(4, policy, () => 0.999),
      7_992,
    );
    assert.equal(
      backoffDelayMs(40, policy, () => 0.999),
      299_700,
    );
    assert.equal(
      backoffDelayMs(3, policy, () => 0),
      0,
    );
  });

  it('resets the failure count after a successful run', async () => {
    const outcomes: RunOutcome[] = ['retry', 'retry', 'done', 'retry', 'done', 'retry'];
    const { queue, clock, reports } = makeQueue({
      handler: (key) => {
        const outcome = outcomes.shift() ?? 'done';
        // The first success sees a change arrive while it runs, so the key stays queued.
        if (outcomes.length === 3) queue.enqueue(key);
        return Promise.resolve(outcome);
      },
    });
    queue.enqueue('a');
    await settle();
    await clock.advance(500);
    await clock.advance(1_000);
    await clock.advance(500);
    queue.enqueue('a');
    await settle();
    assert.deepEqual(
      reports.map((report) => [report.outcome, report.failures, report.retryInMs]),
      [
        ['retry', 1, 500],
        ['retry', 2, 1_000],
        ['done', 0, undefined],
        ['retry', 1, 500],
        ['done', 0, undefined],
        ['retry', 1, 500],
      ],
    );
  });

  it('runs a changed key in backoff at once and keeps its failure count; a resync waits', async () => {
    const outcomes: RunOutcome[] = ['retry', 'retry', 'retry'];
    const { queue, clock, reports } = makeQueue({ handler: () => Promise.resolve(outcomes.shift() ?? 'done') });
    queue.enqueue('a');
    await settle();
    queue.enqueue('a', 'resync');
    await settle();
    assert.equal(reports.length, 1, 'a resync does not cut the backoff short');
    queue.enqueue('a');
    await settle();
    assert.deepEqual(
      reports.map((report) => report.failures),
      [1, 2],
    );
    assert.equal(reports[1]?.retryInMs, 1_000, 'the next backoff is longer, not reset');
    await clock.advance(1_000);
    assert.equal(reports.length, 3);
    assert.equal(clock.pending(), 1, 'only the new backoff timer is pending');
  });

  it('reports convergence from the first change to the run that succeeds', async () => {
    const outcomes: RunOutcome[] = ['retry'];
    const { queue, clock, reports } = makeQueue({ handler: () => Promise.resolve(outcomes.shift() ?? 'done') });
    await clock.advance(10_000);
    queue.enqueue('a');
    await settle();
    await clock.advance(500);
    assert.deepEqual(
      reports.map((report) => report.convergenceMs),
      [undefined, 500],
    );
    queue.enqueue('a', 'resync');
    await settle();
    assert.equal(reports[2]?.convergenceMs, undefined, 'a resync is not a change to converge');
  });

  it('enqueues every key on each resync period', async () => {
    const handler = mock.fn<(key: string) => Promise<RunOutcome>>(() => Promise.resolve('done'));
    const { queue, clock } = makeQueue({ handler });
    const keys = ['a', 'b'];
    queue.startResync(60_000, () => keys);
    await clock.advance(59_999);
    assert.equal(handler.mock.callCount(), 0);
    await clock.advance(1);
    keys.push('c');
    await clock.advance(60_000);
    assert.deepEqual(
      handler.mock.calls.map((call) => call.arguments[0]),
      ['a', 'b', 'a', 'b', 'c'],
    );
  });

  it('starts nothing while paused, lets the run in flight finish, and keeps queued keys', async () => {
    const handler = new GatedHandler();
    const { queue, reports } = makeQueue({ handler: handler.handle });
    queue.enqueue('a');
    await settle();
    queue.pause();
    queue.enqueue('b');
    queue.enqueue('a');
    await handler.finish('a');
    assert.equal(reports.length, 1, 'the run in flight finished');
    assert.deepEqual(handler.started, ['a']);
    assert.equal(queue.depth(), 2);
    queue.resume();
    await settle();
    assert.deepEqual(handler.started.sort(), ['a', 'a', 'b']);
  });

  it('drains: waits for the runs in flight, drops the rest and accepts nothing more', async () => {
    const handler = new GatedHandler();
    const outcomes: RunOutcome[] = ['retry'];
    const { queue, clock } = makeQueue({ handler: async (key) => (key === 'x' ? (outcomes.shift() ?? 'done') : handler.handle(key)), concurrency: 1 });
    queue.enqueue('x');
    await settle();
    queue.enqueue('a');
    queue.enqueue('b');
    queue.startResync(1_000, () => ['a', 'b', 'c']);
    await settle();
    let drained = false;
    const draining = queue.drain().then(() => {
      drained = true;
    });
    queue.enqueue('c');
    await settle();
    assert.equal(drained, false, 'a run is still in flight');
    await handler.finish('a');
    await draining;
    assert.equal(queue.depth(), 0);
    assert.equal(clock.pending(), 0, 'backoff and resync timers are cancelled');
    await clock.advance(10_000);
    assert.deepEqual(handler.started, ['a']);
  });
});
