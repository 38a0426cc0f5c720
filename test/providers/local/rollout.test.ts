/**
 * A Deployment's rolling update as the local load balancer sees it, through the specs the controller
 * translates from the EndpointSlice at each step: new Pods join ready, old ones turn terminating
 * (ready false, serving true) while they keep answering, then leave and shut down. No request may
 * fail on the way, over kept-alive client connections or new ones, and a target that leaves finishes
 * what it is answering (issue 12).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LocalProvider } from '../../../providers/local/index.js';
import { applySpec, send, testProvider } from '../../support/local-lb.js';
import { assertAllAnswered, rolloutSpec, startPod, startTraffic, type EndpointState, type Pod, type Traffic } from './rollout-support.js';

const providers: LocalProvider[] = [];
const pods: Pod[] = [];
const traffics: Traffic[] = [];
after(async () => {
  // A failed test leaves its client loops running; they would keep the process alive.
  await Promise.all(traffics.map((traffic) => traffic.stop()));
  await Promise.all(providers.map((provider) => provider.close()));
  await Promise.all(pods.map((pod) => pod.kill()));
});

async function pod(name: string, ip: string, port?: number): Promise<Pod> {
  const started = await startPod(name, ip, port);
  pods.push(started);
  return started;
}

function servingProvider(): LocalProvider {
  const provider = testProvider({ healthCheckTimeScale: 0.02 });
  providers.push(provider);
  return provider;
}

async function eventually(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

const requestsTo = (target: Pod): number => target.events.filter((event) => event === 'request').length;

describe('a rolling update through the local load balancer', () => {
  it('fails no request, kept alive or not, while old Pods terminate and new ones become ready', { timeout: 120_000 }, async () => {
    const provider = servingProvider();
    const first = await pod('old-1', '127.0.0.21');
    const old = [first, await pod('old-2', '127.0.0.22', first.port), await pod('old-3', '127.0.0.23', first.port)];
    const endpoints = new Map<Pod, EndpointState>(old.map((each) => [each, 'ready']));
    const apply = async (): Promise<void> => {
      await applySpec(provider, rolloutSpec([...endpoints].map(([each, state]) => ({ pod: each, state }))));
    };
    // Answers take a little while, so that requests are in flight whenever the targets change.
    for (const each of old) each.setDelay(15);
    await apply();
    const port = provider.boundPort(80) ?? assert.fail('port 80 must be served');
    const loops = { keepAlive: 3, fresh: 3 };
    const traffic = startTraffic(port, { ...loops, methods: ['GET', 'GET', 'POST'] });
    traffics.push(traffic);
    await traffic.answers(30);

    for (const [index, leaving] of old.entries()) {
      // maxSurge 1, maxUnavailable 0: a new Pod is ready before an old one goes.
      const joining = await pod(`new-${index + 1}`, `127.0.0.${31 + index}`, first.port);
      joining.setDelay(15);
      endpoints.set(joining, 'starting');
      await apply();
      endpoints.set(joining, 'ready');
      await apply();
      await traffic.answers(30);

      endpoints.set(leaving, 'terminating');
      await apply();
      const requestsWhenTerminating = requestsTo(leaving);
      // The Pod serves on for a while (a preStop sleep); requests picked before the apply still reach it.
      await sleep(1000);
      assert.ok(
        requestsTo(leaving) - requestsWhenTerminating <= loops.keepAlive + loops.fresh,
        `${leaving.name} gets no new request once terminating, only those already under way (at most one per client)`,
      );
      endpoints.delete(leaving);
      await apply();
      await eventually(() => leaving.openConnections() === 0, `the load balancer has closed its connections to ${leaving.name}`);
      await leaving.shutdown();
      await traffic.answers(30);
    }

    const tally = await traffic.stop();
    assertAllAnswered(tally, 'during the rollout');
    assert.ok(tally.total() >= 300, `enough traffic crossed the rollout (${tally.total()} requests)`);
    for (const each of [...old.map((entry) => entry.name), 'new-1', 'new-2', 'new-3'])
      assert.ok((tally.backends.get(each) ?? 0) > 0, `${each} answered some requests`);
    const after = await Promise.all(Array.from({ length: 9 }, () => send({ port })));
    assert.deepEqual(new Set(after.map((response) => (JSON.parse(response.body) as { backend: string }).backend)), new Set(['new-1', 'new-2', 'new-3']));
  });

  it('finishes a request in flight to a target that leaves, then closes its kept-alive connection', { timeout: 30_000 }, async () => {
    const provider = servingProvider();
    const leaving = await pod('leaving', '127.0.0.41');
    const staying = await pod('staying', '127.0.0.42', leaving.port);
    leaving.setDelay(400);
    await applySpec(provider, rolloutSpec([{ pod: leaving, state: 'ready' }]));
    const port = provider.boundPort(80) ?? assert.fail('port 80 must be served');

    const inFlight = send({ port });
    await eventually(() => requestsTo(leaving) === 1, 'the request has reached its target');
    await applySpec(provider, rolloutSpec([{ pod: staying, state: 'ready' }]));
    const answered = await inFlight;
    assert.equal(answered.status, 200);
    assert.equal((JSON.parse(answered.body) as { backend: string }).backend, 'leaving', 'the removed target answered the request it had');
    await eventually(() => leaving.openConnections() === 0, 'the connection is closed once its response is done, not kept for another request');
    assert.equal((JSON.parse((await send({ port })).body) as { backend: string }).backend, 'staying');
  });

  it('keeps sending to a terminating Pod while no other is ready, and stops once one is', { timeout: 30_000 }, async () => {
    const provider = servingProvider();
    const old = await pod('last-old', '127.0.0.51');
    const next = await pod('first-new', '127.0.0.52', old.port);
    await applySpec(
      provider,
      rolloutSpec([
        { pod: old, state: 'terminating' },
        { pod: next, state: 'starting' },
      ]),
    );
    const port = provider.boundPort(80) ?? assert.fail('port 80 must be served');
    const backendOf = async (): Promise<string> => (JSON.parse((await send({ port })).body) as { backend: string }).backend;
    assert.deepEqual([await backendOf(), await backendOf()], ['last-old', 'last-old'], 'serving while terminating, and nothing else can');
    await applySpec(
      provider,
      rolloutSpec([
        { pod: old, state: 'terminating' },
        { pod: next, state: 'ready' },
      ]),
    );
    assert.deepEqual([await backendOf(), await backendOf()], ['first-new', 'first-new']);
  });
});
