/**
 * The per-stack metrics the alerts read: failing stacks, drift repaired, targets waiting for
 * registration and readiness gates — recorded from the work queue's run reports, on a clock the test
 * drives.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ControllerMetrics } from '../../src/observability/metrics.js';
import { WaitingSince } from '../../src/observability/waiting-since.js';

/** The value of one sample line, e.g. `name{label="x"} 3`. */
function sample(exposition: string, series: string): number | undefined {
  const line = exposition.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

function clocked(): { metrics: ControllerMetrics; advance: (ms: number) => void } {
  let now = 1_000;
  return { metrics: new ControllerMetrics({ defaultMetrics: false, now: () => now }), advance: (ms) => (now += ms) };
}

const body = async (metrics: ControllerMetrics): Promise<string> => (await metrics.exposition()).body;

describe('per-stack metrics', () => {
  it('a failing stack has a failure series until a run succeeds', async () => {
    const { metrics } = clocked();
    metrics.recordStackRun({ stack: 'default/web', outcome: 'retry', failures: 1, followedChange: true });
    metrics.recordStackRun({ stack: 'default/web', outcome: 'retry', failures: 2, followedChange: true });
    metrics.recordStackRun({ stack: 'shop', outcome: 'done', failures: 0, followedChange: true });
    let text = await body(metrics);
    assert.equal(sample(text, 'ingress_bridge_stack_reconcile_failures{stack="default/web"}'), 2);
    assert.equal(sample(text, 'ingress_bridge_stack_reconcile_failures{stack="shop"}'), undefined, 'a healthy stack costs no series');
    metrics.recordStackRun({ stack: 'default/web', outcome: 'done', failures: 0, followedChange: true });
    text = await body(metrics);
    assert.equal(sample(text, 'ingress_bridge_stack_reconcile_failures{stack="default/web"}'), undefined);
    assert.match(text, /^# TYPE ingress_bridge_stack_reconcile_failures gauge$/m);
  });

  it('counts drift only for a done run that no change asked for and that changed the cloud', async () => {
    const { metrics } = clocked();
    metrics.recordAppliedOperations('shop', 3);
    metrics.recordStackRun({ stack: 'shop', outcome: 'done', failures: 0, followedChange: false });
    metrics.recordAppliedOperations('shop', 0);
    metrics.recordStackRun({ stack: 'shop', outcome: 'done', failures: 0, followedChange: false });
    metrics.recordAppliedOperations('shop', 2);
    metrics.recordStackRun({ stack: 'shop', outcome: 'done', failures: 0, followedChange: true });
    metrics.recordAppliedOperations('blog', 4);
    metrics.recordStackRun({ stack: 'blog', outcome: 'retry', failures: 1, followedChange: false });
    metrics.recordStackRun({ stack: 'blog', outcome: 'done', failures: 0, followedChange: false });
    const text = await body(metrics);
    assert.equal(sample(text, 'ingress_bridge_drift_repairs_total{stack="shop"}'), 1);
    assert.equal(sample(text, 'ingress_bridge_drift_repairs_total{stack="blog"}'), undefined, 'operations of a failed run are not carried to the next');
  });

  it('measures target registration lag from the first target change to the next done run, and the oldest wait meanwhile', async () => {
    const { metrics, advance } = clocked();
    let text = await body(metrics);
    assert.equal(sample(text, 'ingress_bridge_target_registration_oldest_pending_seconds'), 0);
    metrics.recordTargetChange(['default/web', 'shop']);
    advance(4_000);
    metrics.recordTargetChange(['default/web']);
    advance(3_000);
    text = await body(metrics);
    assert.equal(sample(text, 'ingress_bridge_target_registration_oldest_pending_seconds'), 7);
    metrics.recordStackRun({ stack: 'default/web', outcome: 'retry', failures: 1, followedChange: true });
    advance(1_000);
    metrics.recordStackRun({ stack: 'default/web', outcome: 'done', failures: 0, followedChange: true });
    text = await body(metrics);
    assert.equal(sample(text, 'ingress_bridge_target_registration_lag_seconds_count'), 1);
    assert.equal(sample(text, 'ingress_bridge_target_registration_lag_seconds_sum'), 8, 'from the first change, through the failed run');
    assert.equal(sample(text, 'ingress_bridge_target_registration_oldest_pending_seconds'), 8, 'shop still waits');
    metrics.forgetStacks();
    text = await body(metrics);
    assert.equal(sample(text, 'ingress_bridge_target_registration_oldest_pending_seconds'), 0, 'a replica that stopped leading reports nothing waiting');
  });

  it('reads the readiness-gate backlog at scrape time', async () => {
    const { metrics } = clocked();
    let text = await body(metrics);
    assert.equal(sample(text, 'ingress_bridge_readiness_gates_pending'), 0);
    metrics.observeReadinessGates(() => ({ pending: 3, oldestPendingSeconds: 95 }));
    text = await body(metrics);
    assert.equal(sample(text, 'ingress_bridge_readiness_gates_pending'), 3);
    assert.equal(sample(text, 'ingress_bridge_readiness_gate_oldest_pending_seconds'), 95);
  });
});

describe('WaitingSince', () => {
  it('keeps the first start, resolves once, and reports the oldest wait', () => {
    const waits = new WaitingSince();
    waits.start('a', 10);
    waits.start('a', 50);
    waits.start('b', 30);
    assert.equal(waits.oldestMs(100), 90);
    assert.equal(waits.resolve('a', 100), 90);
    assert.equal(waits.resolve('a', 120), undefined);
    assert.equal(waits.oldestMs(100), 70);
    waits.clear();
    assert.equal(waits.oldestMs(100), 0);
  });
});
