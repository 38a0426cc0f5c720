/**
 * Leader election against the Kubernetes API fake, through the controller's own Kubernetes client,
 * with short timings (lease 1 s, renew deadline 600 ms, retry 100 ms) and real time.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { kubeLeaseApi, LeaderElector, leaseTimingsProblem, type LeaseApi } from '../../src/controller/leader-election.js';
import { KubeClient } from '../../src/sources/kube-http.js';
import { startKubeFake, type KubeFake } from '../../fakes/kube/index.js';

const TIMINGS = { leaseDurationMs: 1_000, renewDeadlineMs: 600, retryPeriodMs: 100 };
const NAMESPACE = 'ingress-bridge';
const LEASE = 'ingress-bridge-leader';
const SLACK_MS = 250;

interface Candidate {
  elector: LeaderElector;
  started: number[];
  stopped: number[];
}

let fake: KubeFake;
let candidates: Candidate[];
let stopSampling: (() => unknown) | undefined;

function candidate(name: string, api: LeaseApi = kubeLeaseApi(new KubeClient(fake.connection()))): Candidate {
  const entry: Candidate = { elector: undefined as never, started: [], stopped: [] };
  entry.elector = new LeaderElector({
    api,
    namespace: NAMESPACE,
    identity: name,
    logger: pino({ level: 'silent' }),
    ...TIMINGS,
    onStartedLeading: () => entry.started.push(performance.now()),
    onStoppedLeading: () => entry.stopped.push(performance.now()),
  });
  candidates.push(entry);
  return entry;
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > timeoutMs) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
  return performance.now() - start;
}

function leaseSpec(): Record<string, unknown> {
  const spec = fake.get('leases', NAMESPACE, LEASE)?.spec;
  assert.ok(typeof spec === 'object' && spec !== null, 'the Lease exists');
  return spec as Record<string, unknown>;
}

/** Samples every candidate's isLeader() every 2 ms until stopped (also by afterEach). */
function watchForTwoLeaders(): { stop: () => { samples: number; violations: string[] } } {
  let samples = 0;
  const violations: string[] = [];
  const timer = setInterval(() => {
    samples++;
    const leaders = candidates.filter((entry) => entry.elector.isLeader()).map((entry) => entry.elector.identity);
    if (leaders.length > 1) violations.push(leaders.join(' and '));
  }, 2);
  const stop = (): { samples: number; violations: string[] } => {
    clearInterval(timer);
    return { samples, violations };
  };
  stopSampling = stop;
  return { stop };
}

/** A LeaseApi whose requests hang (never answer) while cut, as behind a network partition. */
/** A Lease API that can be cut off (its calls hang), and that says when its last write was answered. */
function partitionable(api: LeaseApi): { api: LeaseApi; cut: (value: boolean) => void; lastWrittenAt: () => number } {
  let cut = false;
  let lastWrittenAt = 0;
  const hang = new Promise<never>(() => undefined);
  const written = <T>(result: T): T => {
    lastWrittenAt = performance.now();
    return result;
  };
  return {
    api: {
      read: (namespace, name) => (cut ? hang : api.read(namespace, name)),
      create: (namespace, lease) => (cut ? hang : api.create(namespace, lease).then(written)),
      replace: (namespace, name, lease) => (cut ? hang : api.replace(namespace, name, lease).then(written)),
    },
    cut: (value) => {
      cut = value;
    },
    lastWrittenAt: () => lastWrittenAt,
  };
}

describe('LeaderElector', () => {
  beforeEach(async () => {
    fake = await startKubeFake();
    candidates = [];
  });
  afterEach(async () => {
    stopSampling?.();
    for (const entry of candidates) entry.elector.stop();
    await fake.close();
  });

  it('elects exactly one of two candidates and records it in the Lease with microsecond times', async () => {
    const a = candidate('a');
    const b = candidate('b');
    a.elector.start();
    b.elector.start();
    await waitFor(() => a.elector.leadershipKnown() && b.elector.leadershipKnown(), 2_000, 'both to know who leads');
    await sleep(300);
    const leaders = [a, b].filter((entry) => entry.elector.isLeader());
    assert.equal(leaders.length, 1);
    assert.equal(leaders[0]?.started.length, 1, 'onStartedLeading once');
    const spec = leaseSpec();
    assert.equal(spec.holderIdentity, leaders[0]?.elector.identity);
    assert.equal(spec.leaseDurationSeconds, 1);
    assert.equal(spec.leaseTransitions, 0);
    assert.match(String(spec.renewTime), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    assert.match(String(spec.acquireTime), /\.\d{6}Z$/);
  });

  it('costs the holder one update and a candidate one read per retry period', async () => {
    const a = candidate('a');
    a.elector.start();
    await waitFor(() => a.elector.isLeader(), 1_000, 'a to lead');
    const b = candidate('b');
    b.elector.start();
    await waitFor(() => b.elector.leadershipKnown(), 1_000, 'b to know who leads');
    fake.clearRequests();
    await sleep(1_000);
    const periods = 1_000 / TIMINGS.retryPeriodMs;
    const updates = fake.requests({ resource: 'leases', verb: 'update' }).length;
    const reads = fake.requests({ resource: 'leases', verb: 'get' }).length;
    assert.ok(updates >= periods / 2 && updates <= periods + 1, `${updates} updates in ${periods} periods`);
    assert.ok(reads >= periods / 2 && reads <= periods + 1, `${reads} reads in ${periods} periods`);
    assert.equal(fake.requests({ resource: 'leases' }).length, updates + reads);
  });

  it('hands over within one retry period when the leader releases the Lease', async () => {
    const a = candidate('a');
    a.elector.start();
    await waitFor(() => a.elector.isLeader(), 1_000, 'a to lead');
    const b = candidate('b');
    b.elector.start();
    await waitFor(() => b.elector.leadershipKnown(), 1_000, 'b to know who leads');
    await a.elector.release();
    assert.equal(a.elector.isLeader(), false);
    assert.equal(a.stopped.length, 1, 'onStoppedLeading on release');
    const handover = await waitFor(() => b.elector.isLeader(), 2_000, 'b to lead');
    assert.ok(handover <= TIMINGS.retryPeriodMs + SLACK_MS, `b led ${handover.toFixed(0)} ms after the release`);
    assert.equal(leaseSpec().holderIdentity, 'b');
    assert.equal(leaseSpec().leaseTransitions, 1);
  });

  it('stops leading within the renew deadline when its renewals fail, then leads again once they succeed', async () => {
    const a = candidate('a');
    a.elector.start();
    await waitFor(() => a.elector.isLeader(), 1_000, 'a to lead');
    await sleep(150);
    fake.failNext({ resource: 'leases', verb: 'update' }, 500, { times: 9 });
    const failingSince = performance.now();
    await waitFor(() => !a.elector.isLeader(), 2_000, 'a to stop leading');
    const ledFor = a.stopped[0]! - failingSince;
    assert.ok(ledFor >= TIMINGS.renewDeadlineMs - TIMINGS.retryPeriodMs - 20, `stopped too early: ${ledFor.toFixed(0)} ms`);
    assert.ok(ledFor <= TIMINGS.renewDeadlineMs + SLACK_MS, `stopped ${ledFor.toFixed(0)} ms after renewals began to fail`);
    await waitFor(() => a.elector.isLeader(), 2_000, 'a to lead again');
    assert.deepEqual([a.started.length, a.stopped.length], [2, 1]);
  });

  it('never has two leaders through partitions, take-overs and releases', async () => {
    const partition = partitionable(kubeLeaseApi(new KubeClient(fake.connection())));
    const a = candidate('a', partition.api);
    const b = candidate('b');
    const sampler = watchForTwoLeaders();
    a.elector.start();
    await waitFor(() => a.elector.isLeader(), 1_000, 'a to lead');
    b.elector.start();
    await sleep(300);

    partition.cut(true);
    await waitFor(() => b.elector.isLeader(), 3_000, 'b to take over from the partitioned a');
    // b may take over only a lease duration after the last renewal it could have seen: a's last
    // write (on a busy machine a's renewals come late, so the cut itself says less).
    const sinceRenewal = b.started[0]! - partition.lastWrittenAt();
    assert.ok(sinceRenewal >= TIMINGS.leaseDurationMs - TIMINGS.retryPeriodMs, `b took over ${sinceRenewal.toFixed(0)} ms after a's last renewal`);
    assert.ok(a.stopped[0]! < b.started[0]!, 'a stepped down before b started leading');
    assert.equal(leaseSpec().leaseTransitions, 1);

    partition.cut(false);
    await sleep(500);
    assert.equal(a.elector.isLeader(), false, 'a healed as a follower');
    await b.elector.release();
    await waitFor(() => a.elector.isLeader(), 1_000, 'a to lead after b released');
    await sleep(300);
    const { samples, violations } = sampler.stop();
    assert.deepEqual(violations, [], 'moments with two leaders');
    assert.ok(samples > 500, `only ${samples} samples`);
    assert.equal(leaseSpec().leaseTransitions, 2);
  });

  it('rejects timings under which two replicas could lead at once', () => {
    assert.equal(leaseTimingsProblem(TIMINGS), undefined);
    assert.match(leaseTimingsProblem({ leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 }) ?? '', /lease duration must be longer/);
    assert.match(leaseTimingsProblem({ leaseDurationMs: 15_000, renewDeadlineMs: 2_000, retryPeriodMs: 2_000 }) ?? '', /renew deadline must be longer/);
    const api = kubeLeaseApi(new KubeClient(fake.connection()));
    assert.throws(() => new LeaderElector({ api, namespace: NAMESPACE, logger: pino({ level: 'silent' }), retryPeriodMs: 0 }), /retry period must be positive/);
  });
});
