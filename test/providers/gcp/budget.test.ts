/**
 * The GCP provider's API budget (providers/gcp/sdk/budget.ts, over src/rate/): a burst of calls is
 * paced at the quota's rate after its burst allowance, reads and writes are separate quotas, and a
 * rate-limit answer from Compute (429 from the fake, through the real SDK) lowers the rate of the
 * quota the refused call spent — and only that one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Clock } from '../../../src/rate/token-bucket.js';
import { COMPUTE_QUOTA_LIMITS, ComputeBudget, quotaOf } from '../../../providers/gcp/sdk/budget.js';
import { ComputeApi } from '../../../providers/gcp/sdk/compute.js';
import { KINDS } from '../../../providers/gcp/kinds.js';
import { createGcpWorld } from '../../support/gcp-provider-world.js';

/** Time that moves only when the budget sleeps. */
function virtualClock(): Clock {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
      await Promise.resolve();
    },
  };
}

describe('ComputeBudget', () => {
  it("spends Compute's documented default quotas: 1,500 reads and 1,500 writes a minute per project", () => {
    assert.equal(COMPUTE_QUOTA_LIMITS.read.refillPerSecond * 60, 1500);
    assert.equal(COMPUTE_QUOTA_LIMITS.write.refillPerSecond * 60, 1500);
    assert.equal(quotaOf('regionUrlMaps.insert'), 'write');
    assert.equal(quotaOf('networkEndpointGroups.attachNetworkEndpoints'), 'write');
    assert.equal(quotaOf('regionBackendServices.list'), 'read');
    assert.equal(quotaOf('regionOperations.wait'), 'read');
    assert.equal(quotaOf('networkEndpointGroups.aggregatedList'), 'read');
  });

  it('paces a burst: the burst allowance at once, the rest at the refill rate; reads wait for no write', async () => {
    const clock = virtualClock();
    const budget = new ComputeBudget({ clock, limits: { write: { capacity: 2, refillPerSecond: 10 }, read: { capacity: 2, refillPerSecond: 10 } } });
    const sent = await Promise.all(Array.from({ length: 12 }, () => budget.acquire('regionUrlMaps.insert')));
    assert.deepEqual(sent.slice(0, 2), [0, 0], 'the burst allowance goes at once');
    // Ten more at 10 a second: the last leaves after a second, none sooner than its turn.
    for (const [index, at] of sent.slice(2).entries()) assert.ok(at >= (index + 1) * 100 - 1, `call ${index + 3} at ${at} ms`);
    assert.ok(sent.at(-1)! <= 1100, `the last at ${sent.at(-1)} ms`);
    const readAt = clock.now();
    assert.equal(await budget.acquire('regionUrlMaps.list'), readAt, 'a read spends its own quota');
  });

  it('a share spends that fraction of each quota', () => {
    const budget = new ComputeBudget({ share: 0.5, clock: virtualClock() });
    assert.equal(budget.rate('write'), 12.5);
    assert.throws(() => new ComputeBudget({ share: 0 }), /not in \(0, 1\]/);
  });

  it('a 429 from Compute lowers the rate of the quota the call spent, and the call is retried', async () => {
    const world = await createGcpWorld();
    const clock = virtualClock();
    const budget = new ComputeBudget({ clock });
    const api = new ComputeApi({
      project: world.fake.project,
      region: world.fake.region,
      endpoint: world.endpoint,
      maxAttempts: 3,
      sleep: () => Promise.resolve(),
      budget,
    });
    try {
      for (let i = 0; i < 10; i += 1) await api.list(KINDS.urlMap);
      assert.equal(budget.rate('read'), 25, 'no throttle: the full default rate');
      world.fake.throttleNext(1);
      assert.deepEqual(await api.list(KINDS.urlMap), [], 'retried after the 429');
      assert.equal(world.fake.calls().filter((call) => call.error === 'rateLimitExceeded').length, 1);
      assert.ok(budget.rate('read') < 25, `the read rate is lowered: ${budget.rate('read')}`);
      assert.equal(budget.rate('write'), 25, 'the write quota is untouched');
    } finally {
      await api.close();
      await world.close();
    }
  });
});
