/**
 * The local provider's target fast path: the named target groups' targets are installed in place
 * and served at once; a group it does not serve, or one whose settings changed too, is left to a
 * full reconcile (undefined).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { LoadBalancerSpec } from '../../../src/model.js';
import type { LocalProvider } from '../../../providers/local/index.js';
import { applySpec } from '../../support/local-lb.js';
import { simpleSpec, startProvider } from './support.js';

const withTarget = (ip: string): LoadBalancerSpec => simpleSpec({ target: { ip, port: 9001 }, rules: [[{ field: 'path-pattern', values: ['/'] }]] });

let provider: LocalProvider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

describe('local provider: applyTargets', () => {
  it("installs the named groups' targets alone, and declines what a full reconcile must do", async () => {
    provider = startProvider().provider;
    assert.equal(await provider.applyTargets?.(withTarget('127.0.0.1'), ['tg']), undefined, 'nothing served yet');
    await applySpec(provider, withTarget('127.0.0.1'));

    // The runtime passes the named groups only; the rest of the served spec stays as it is.
    const moved = withTarget('127.0.0.2');
    const result = await provider.applyTargets?.({ ...moved, listeners: [] }, ['tg']);
    assert.ok(result, 'targets alone changed');
    assert.deepEqual(
      result.outcomes.filter((outcome) => outcome.error !== undefined),
      [],
    );
    const served = (await provider.observe({ id: 'default/hardening' })).spec;
    assert.deepEqual(
      served?.targetGroups[0]?.targets.map((target) => target.ip),
      ['127.0.0.2'],
    );
    assert.equal(served?.listeners.length, 1);

    assert.equal(await provider.applyTargets?.(moved, ['other']), undefined, 'a target group it does not serve');
    const slower = { ...moved, targetGroups: moved.targetGroups.map((group) => ({ ...group, healthCheck: { ...group.healthCheck, intervalSeconds: 30 } })) };
    assert.equal(await provider.applyTargets?.(slower, ['tg']), undefined, 'a health check changed too');
  });
});
