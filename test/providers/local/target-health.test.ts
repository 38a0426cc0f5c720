/**
 * The local provider's target health for readiness gates: what its own health checks and ejections
 * say about the targets asked about, and nothing for targets or groups it does not serve.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { send } from '../../support/local-lb.js';
import { recordingTarget, serve, simpleSpec, startProvider } from './support.js';

describe('local provider: target health for readiness gates', () => {
  const { provider } = startProvider();
  after(() => provider.close());

  it('reports a served target healthy, one that refused a request unhealthy, and leaves out what it does not serve', async () => {
    const live = await recordingTarget();
    const spec = simpleSpec({ target: { ip: '127.0.0.1', port: live.port } });
    const port = await serve(provider, spec);
    const [target] = spec.targetGroups[0]?.targets ?? [];
    assert.ok(target);
    const ref = { id: target.id, port: target.port };
    const stackId = spec.stack.id;

    const healthy = await provider.targetHealth(
      stackId,
      new Map([
        ['tg', [ref, { id: 'elsewhere', port: 1 }]],
        ['missing', [ref]],
      ]),
    );
    assert.deepEqual([...healthy.keys()], ['tg']);
    assert.deepEqual([...(healthy.get('tg') ?? [])], [[`${ref.id}:${ref.port}`, { state: 'healthy' }]]);

    // A target that stops answering is ejected by the first request it refuses.
    await live.close();
    assert.equal((await send({ port })).status, 502);
    const ejected = await provider.targetHealth(stackId, new Map([['tg', [ref]]]));
    assert.deepEqual(ejected.get('tg')?.get(`${ref.id}:${ref.port}`), { state: 'unhealthy', reason: 'Target.ConnectionFailed' });

    assert.equal((await provider.targetHealth('default/other', new Map([['tg', [ref]]]))).size, 0);
  });
});
