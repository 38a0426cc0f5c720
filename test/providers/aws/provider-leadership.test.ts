/** A replica that loses its leadership mid-apply makes no further mutating call. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAwsWorld, specOf } from '../../support/aws-provider-world.js';
import { ingressYaml, serviceYaml } from '../../support/cluster.js';

describe('leadership during apply', () => {
  it('stops before the next mutating call once this replica may no longer mutate', async () => {
    const world = createAwsWorld();
    try {
      const provider = world.newProvider();
      const spec = specOf(
        ingressYaml({
          name: 'web',
          annotations: { 'ingress-bridge.io/target-type': 'ip' },
          rules: [{ host: 'a.test', paths: [{ path: '/', pathType: 'Prefix', service: 'web' }] }],
        }) + serviceYaml({ name: 'web' }),
      );
      const plan = provider.diff(spec, await provider.observe({ id: spec.stack.id }, spec));
      let allowed = 2;
      const result = await provider.apply(plan, { mayMutate: () => allowed-- > 0 });
      assert.equal(result.outcomes.filter((outcome) => outcome.error === undefined).length, 2);
      assert.match(result.outcomes.at(-1)?.error ?? '', /no longer the leader/);
      assert.equal(world.fake.mutatingCalls().length, 2);
    } finally {
      world.close();
    }
  });
});
