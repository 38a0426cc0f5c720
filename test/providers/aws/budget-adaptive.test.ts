/**
 * The adaptive half of the API budget: a Throttling answer lowers its bucket's rate, which climbs
 * back over time; and calls that can wait (deregistrations) take only spare tokens.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdaptiveRate, DEFAULT_BETA, DEFAULT_RECOVERY_SECONDS } from '../../../src/rate/adaptive-rate.js';
import { ApiBudget } from '../../../providers/aws/sdk/budget.js';
import { VirtualClock } from '../../support/virtual-clock.js';

/** Grants of `count` acquisitions started now, as the times they were granted. */
function acquireMany(budget: ApiBudget, clock: VirtualClock, action: string, count: number, spare = false): number[] {
  const grants: number[] = [];
  for (let i = 0; i < count; i++) {
    void (spare ? budget.acquireSpare('elbv2', action) : budget.acquire('elbv2', action)).then(() => grants.push(clock.now()));
  }
  return grants;
}

describe('AdaptiveRate', () => {
  it('drops to β times the rate it was sending at, is back there after the recovery time, and reaches the ceiling later', () => {
    const rate = new AdaptiveRate({ ceiling: 3 });
    for (let t = 0; t <= 10_000; t += 333) rate.noteGranted(t);
    assert.equal(rate.current(10_000), 3);
    assert.equal(rate.throttled(10_000, 9_900), true);
    assert.ok(Math.abs(rate.current(10_000) - DEFAULT_BETA * 3) < 0.05, `lowered to ${rate.current(10_000)}`);
    const back = 10_000 + DEFAULT_RECOVERY_SECONDS * 1000;
    assert.ok(Math.abs(rate.current(back) - 3) < 0.05, `at the throttled rate again after the recovery time: ${rate.current(back)}`);
    assert.ok(rate.current(back - 4000) < 3 && rate.current(back - 4000) > DEFAULT_BETA * 3, 'climbing in between');
    assert.equal(rate.current(back + 60_000), 3, 'never above the ceiling');
  });

  it('lowers from the measured rate when it was sending below its ceiling', () => {
    const rate = new AdaptiveRate({ ceiling: 10 });
    for (let t = 0; t <= 20_000; t += 1000) rate.noteGranted(t);
    rate.throttled(20_000, 20_000);
    assert.ok(rate.current(20_000) < 1, `one call a second, throttled: ${rate.current(20_000)} per second`);
  });

  it('lowers once per round trip: throttles of requests sent before the decrease change nothing', () => {
    const rate = new AdaptiveRate({ ceiling: 3 });
    for (let t = 0; t <= 1000; t += 333) rate.noteGranted(t);
    assert.equal(rate.throttled(1000, 900), true);
    const lowered = rate.current(1000);
    assert.equal(rate.throttled(1100, 950), false);
    assert.equal(rate.throttled(1200, 990), false);
    assert.equal(rate.current(1000), lowered);
    assert.equal(rate.throttled(1300, 1250), true, 'a request sent after the decrease counts');
    assert.ok(rate.current(1300) < lowered);
  });

  it('never goes below its floor', () => {
    const rate = new AdaptiveRate({ ceiling: 4, floorFraction: 0.1 });
    for (let t = 0; t < 100; t += 1) rate.throttled(t * 10, t * 10);
    assert.ok(rate.current(1000) >= 0.4 - 1e-9, `${rate.current(1000)}`);
  });
});

describe('ApiBudget adapts to throttling', () => {
  it('paces a throttled bucket below its published rate, then returns to it', async () => {
    const clock = new VirtualClock();
    const budget = new ApiBudget({ clock });
    const before = acquireMany(budget, clock, 'CreateRule', 50);
    await clock.advanceTo(10_100);
    assert.equal(before.length, 20 + 30, 'a burst of 20, then 3 per second');

    budget.throttled('elbv2', 'CreateRule', clock.now());
    const after = acquireMany(budget, clock, 'CreateRule', 100);
    await clock.advanceTo(13_100);
    // Emptied, then refilled at about 2.1 per second (β × 3), against 9 in 3 s at the published rate.
    assert.ok(after.length >= 5 && after.length <= 7, `${after.length} granted in the 3 s after a throttle`);
    assert.equal(budget.stats().throttledByBucket['elbv2-mutating'], 1);
    assert.ok((budget.stats().loweredRateByBucket['elbv2-mutating'] ?? 3) < 3);

    await clock.advanceTo(120_000);
    assert.equal(budget.stats().loweredRateByBucket['elbv2-mutating'], undefined, 'back at the published rate');
    assert.equal(after.length, 100);
  });

  it('lowers only the bucket of the throttled action', async () => {
    const clock = new VirtualClock();
    const budget = new ApiBudget({ clock });
    budget.throttled('elbv2', 'RegisterTargets', 0);
    const stats = budget.stats();
    assert.deepEqual(Object.keys(stats.loweredRateByBucket), ['elbv2-registration']);
    const describes = acquireMany(budget, clock, 'DescribeRules', 40);
    await clock.advanceTo(0);
    assert.equal(describes.length, 40);
  });

  it('keeps its pacing when told not to adapt', async () => {
    const clock = new VirtualClock();
    const budget = new ApiBudget({ clock, adaptive: false });
    budget.throttled('elbv2', 'CreateRule', 0);
    const grants = acquireMany(budget, clock, 'CreateRule', 50);
    await clock.advanceTo(10_100);
    assert.equal(grants.length, 50);
    assert.equal(budget.stats().throttledByBucket['elbv2-mutating'], 1);
  });
});

describe('ApiBudget spare tokens', () => {
  it('leaves a reserve for calls that cannot wait, and serves them first', async () => {
    const clock = new VirtualClock();
    const budget = new ApiBudget({ clock });
    const deregistrations = acquireMany(budget, clock, 'DeregisterTargets', 40, true);
    await clock.advanceTo(0);
    assert.equal(deregistrations.length, 15, 'a quarter of the 20 tokens stays for registrations');
    const registrations = acquireMany(budget, clock, 'RegisterTargets', 5);
    await clock.advanceTo(0);
    assert.deepEqual(registrations, [0, 0, 0, 0, 0], 'the reserve serves registrations at once');
  });

  it('a registration never waits behind a backlog of deregistrations while registrations alone fit the rate', async () => {
    const clock = new VirtualClock();
    const budget = new ApiBudget({ clock });
    const deregistrations = acquireMany(budget, clock, 'DeregisterTargets', 400, true);
    const waits: number[] = [];
    for (let t = 0; t < 120_000; t += 300) {
      await clock.advanceTo(t);
      const asked = clock.now();
      void budget.acquire('elbv2', 'RegisterTargets').then(() => waits.push(clock.now() - asked));
    }
    await clock.advanceTo(120_000);
    assert.equal(waits.length, 400);
    assert.deepEqual(
      waits.filter((wait) => wait > 0),
      [],
      'no registration waited',
    );
    // 4 tokens a second, 3.33 of them for registrations: the rest (and the burst) drains the backlog.
    assert.ok(deregistrations.length > 80 && deregistrations.length < 120, `${deregistrations.length} deregistrations in 120 s`);
  });

  it('the call after acquireSpare uses the token it took', async () => {
    const clock = new VirtualClock();
    const budget = new ApiBudget({ clock });
    await budget.acquireSpare('elbv2', 'DeregisterTargets');
    await budget.acquire('elbv2', 'DeregisterTargets');
    const stats = budget.stats();
    assert.equal(stats.acquiredByBucket['elbv2-registration'], 1);
    assert.equal(stats.acquiredByBucket['elbv2-account'], 1);
  });
});
