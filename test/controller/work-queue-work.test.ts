/**
 * The work queue's work items and staggered resync: the work of events coalesced into one run is
 * merged, a failed run's work is kept for its retry, and a staggered resync spreads keys over its
 * period, each key exactly once per period.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { turnsBetween, WorkQueue, type RunOutcome } from '../../src/controller/work-queue.js';
import { ManualClock } from '../support/manual-clock.js';
import { settle } from '../support/virtual-clock.js';

/** Work as sets of names; undefined stands for "everything" and absorbs the rest. */
const mergeSets = (pending: Set<string> | undefined, next: Set<string> | undefined): Set<string> | undefined =>
  pending && next ? new Set([...pending, ...next]) : undefined;

describe('WorkQueue work', () => {
  it('merges the work of events that coalesce into one run', async () => {
    const runs: (string[] | undefined)[] = [];
    let release: (outcome: RunOutcome) => void = () => undefined;
    const queue = new WorkQueue<Set<string>>({
      handler: (_key, work) => {
        runs.push(work && [...work].sort());
        return new Promise((resolve) => (release = resolve));
      },
      merge: mergeSets,
      concurrency: 1,
    });
    queue.enqueue('a', 'change', new Set(['x']));
    queue.enqueue('a', 'change', new Set(['y']));
    await settle();
    queue.enqueue('a', 'change', new Set(['z']));
    queue.enqueue('a', 'change', new Set(['x']));
    release('done');
    await settle();
    queue.enqueue('a');
    queue.enqueue('a', 'change', new Set(['w']));
    release('done');
    await settle();
    release('done');
    await settle();
    // The first run starts at once with its work; what arrives while it runs goes to the next run, merged.
    assert.deepEqual(runs, [['x'], ['x', 'y', 'z'], undefined]);
  });

  it("keeps a failed run's work for its retry, merged with what came meanwhile", async () => {
    const clock = new ManualClock();
    const runs: (string[] | undefined)[] = [];
    let outcome: RunOutcome = 'retry';
    const queue = new WorkQueue<Set<string>>({
      handler: (_key, work) => {
        runs.push(work && [...work].sort());
        return Promise.resolve(outcome);
      },
      merge: mergeSets,
      clock,
      random: () => 0.5,
      backoff: { baseMs: 1_000, capMs: 1_000 },
    });
    queue.enqueue('a', 'change', new Set(['x']));
    await settle();
    outcome = 'done';
    queue.enqueue('a', 'resync', new Set(['y']));
    await clock.advance(1_000);
    assert.deepEqual(runs, [['x'], ['x', 'y']]);
  });
});

describe('WorkQueue staggered resync', () => {
  it('enqueues each key once per period, spread over it, with the resync work', async () => {
    const clock = new ManualClock();
    const runs: { key: string; at: number; work: string[] | undefined }[] = [];
    const queue = new WorkQueue<Set<string>>({
      handler: (key, work) => {
        runs.push({ key, at: clock.now(), work: work && [...work] });
        return Promise.resolve('done');
      },
      merge: mergeSets,
      clock,
    });
    const keys = Array.from({ length: 40 }, (_, index) => `ns/group-${index}`);
    queue.startStaggeredResync(600_000, () => keys, new Set(['full']));
    await clock.advance(600_000);
    assert.deepEqual(runs.map((run) => run.key).sort(), [...keys].sort(), 'every key once in the first period');
    assert.ok(runs.every((run) => run.work?.[0] === 'full'));
    const minutes = new Set(runs.map((run) => Math.floor(run.at / 60_000)));
    assert.ok(minutes.size >= 8, `spread over the period, not all at once: turns fell in ${minutes.size} of its 10 minutes`);
    const first = new Map(runs.map((run) => [run.key, run.at]));
    await clock.advance(600_000);
    assert.equal(runs.length, 80);
    for (const run of runs.slice(40)) {
      const gap = run.at - (first.get(run.key) ?? 0);
      assert.ok(Math.abs(gap - 600_000) <= 10_000, `${run.key} came back after ${gap} ms`);
    }
    await queue.drain();
  });

  it('turnsBetween: one turn per period per key, whatever the window', () => {
    let turns = 0;
    for (let from = 0; from < 3_600_000; from += 7_000) if (turnsBetween('ns/g', 600_000, from, from + 7_000)) turns += 1;
    assert.equal(turns, 6);
  });
});
