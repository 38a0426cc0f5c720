/**
 * The local provider's target fast path: a change of targets alone is installed in place and served
 * at once; anything else is left to a full reconcile (undefined).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { LoadBalancerSpec } from '../../../src/model.js';
import type { LocalProvider } from '../../../providers/local/index.js';
import { applySpec } from '../../support/local-lb.js';
import { simpleSpec, startProvider } from './support.js';

const withTarget = (ip: string, rulePath = '/'): LoadBalancerSpec =>
  simpleSpec({ target: { ip, port: 9001 }, rules: [[{ field: 'path-pattern', values: [rulePath] }]] });

let provider: LocalProvider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

describe('local provider: applyTargets', () => {
  it('installs a change of targets alone, and declines what a full reconcile must do', async () => {
    provider = startProvider().provider;
    assert.equal(await provider.applyTargets?.(withTarget('127.0.0.1'), ['tg']), undefined, 'nothing served yet');
    await applySpec(provider, withTarget('127.0.0.1'));
    const result = await provider.applyTargets?.(withTarget('127.0.0.2'), ['tg']);
    assert.ok(result, 'targets alone changed');
    assert.deepEqual(result.outcomes.filter((outcome) => outcome.error !== undefined), []);
    const observed = await provider.observe({ id: 'default/hardening' });
    assert.deepEqual(observed.spec?.targetGroups[0]?.targets.map((target) => target.ip), ['127.0.0.2']);
    assert.equal(await provider.applyTargets?.(withTarget('127.0.0.3', '/other'), ['tg']), undefined, 'a rule changed too');
  });
});
