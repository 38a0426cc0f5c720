/**
 * The per-stack metrics the alerts read: failing stacks, drift repaired, targets waiting for
 * registration and readiness gates — recorded from the controller's changes and the work queue's run
 * reports, on a clock the test drives.
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
    metrics.recordStackRun({ stack: 'default/web', outcome: 'retry', failures: 1, durationMs: 10 });
    metrics.recordStackRun({ stack: 'default/web', outcome: 'retry', failures: 2, durationMs: 10 });
    metrics.recordStackRun({ stack: 'shop', outcome: 'done', failures: 0, durationMs: 10 });
    let text = await body(metrics);
    assert.equal(sample(text, 'ingress_bridge_stack_reconcile_failures{stack="default/web"}'), 2);
    assert.equal(sample(text, 'ingress_bridge_stack_reconcile_failures{stack="shop"}'), undefined, 'a healthy stack costs no series');
    metrics.recordStackRun({ stack: 'default/web', outcome: 'done', failures: 0, durationMs: 10 });
    text = await body(metrics);
    assert.equal(sample(text, 'ingress_bridge_stack_reconcile_failures{stack="default/web"}'), undefined);
    assert.match(text, /^# TYPE ingress_bridge_stack_reconcile_failures gauge$/m);
  });

  it('counts drift for a done run that changed the cloud when nothing changed since the previous done run began', async () => {
    const { metrics, advance } = clocked();
    const run = (stack: string, operations: number, outcome: 'done' | 'retry' = 'done'): void => {
      advance(100);
      metrics.recordAppliedOperations(stack, operations);
      metrics.recordStackRun({ stack, outcome, failures: outcome === 'done' ? 0 : 1, durationMs: 50 });
    };
    const drift = async (stack: string): Promise<number | undefined> => sample(await body(metrics), `ingress_bridge_drift_repairs_total{stack="${stack}"}`);

    run('shop', 5);
    assert.equal(await drift('shop'), undefined, 'the first done run after start catches up on what changed while no one led');
    run('shop', 0);
    run('shop', 2);
    assert.equal(await drift('shop'), 1, 'nothing changed, yet the cloud had to: drift');

    metrics.recordStackChange('Service', ['shop']);
    run('shop', 1);
    assert.equal(await drift('shop'), 1, 'a change asked for it');
    advance(80);
    metrics.recordStackChange('Ingress', ['shop']);
    run('shop', 1);
    assert.equal(await drift('shop'), 1, 'a change during the previous run, which may not have seen it');

    run('shop', 1, 'retry');
    run('shop', 3);
    assert.equal(await drift('shop'), 1, 'a run after a failed one may finish a partial apply');
    run('shop', 1);
    assert.equal(await drift('shop'), 2);

    metrics.forgetStacks();
    run('shop', 2);
    assert.equal(await drift('shop'), 2, 'after taking the lead again, the first run catches up');
  });

  it('measures target registration lag from the first target change to the done run that saw it, and the oldest wait meanwhile', async () => {
    const { metrics, advance } = clocked();
    let text = await body(metrics);
    assert.equal(sample(text, 'ingress_bridge_target_registration_oldest_pending_seconds'), 0);
    metrics.recordStackChange('EndpointSlice', ['default/web', 'shop']);
    metrics.recordStackChange('Ingress', ['blog']);
    advance(4_000);
    metrics.recordStackChange('Node', ['default/web']);
    advance(3_000);
    text = await body(metrics);
    assert.equal(sample(text, 'ingress_bridge_target_registration_oldest_pending_seconds'), 7);
    metrics.recordStackRun({ stack: 'default/web', outcome: 'retry', failures: 1, durationMs: 500 });
    advance(1_000);
    metrics.recordStackRun({ stack: 'default/web', outcome: 'done', failures: 0, durationMs: 500 });
    metrics.recordStackRun({ stack: 'blog', outcome: 'done', failures: 0, durationMs: 500 });
    text = await body(metrics);
    assert.equal(sample(text, 'ingress_bridge_target_registration_lag_seconds_count'), 1, 'an Ingress change is not a target change');
    assert.equal(sample(text, 'ingress_bridge_target_registration_lag_seconds_sum'), 8, 'from the first change, through the failed run');
    assert.equal(sample(text, 'ingress_bridge_target_registration_oldest_pending_seconds'), 8, 'shop still waits');

    metrics.recordStackChange('EndpointSlice', ['default/web']);
    advance(200);
    metrics.recordStackRun({ stack: 'default/web', outcome: 'done', failures: 0, durationMs: 500 });
    text = await body(metrics);
    assert.equal(sample(text, 'ingress_bridge_target_registration_lag_seconds_count'), 1, 'a run that began before the change may not have seen it');
    advance(300);
    metrics.recordStackRun({ stack: 'default/web', outcome: 'done', failures: 0, durationMs: 100 });
    text = await body(metrics);
    assert.equal(sample(text, 'ingress_bridge_target_registration_lag_seconds_count'), 2);
    assert.equal(sample(text, 'ingress_bridge_target_registration_lag_seconds_sum'), 8.5);

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
    assert.equal(waits.resolve('a', 100, 5), undefined, 'began after what resolves it started');
    assert.equal(waits.resolve('a', 100), 90);
    assert.equal(waits.resolve('a', 120), undefined);
    assert.equal(waits.oldestMs(100), 70);
    waits.clear();
    assert.equal(waits.oldestMs(100), 0);
  });
});
