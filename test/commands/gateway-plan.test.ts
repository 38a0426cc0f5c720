/**
 * `plan --output json` on Gateway API manifests carries, for every Gateway API object of ours, the
 * status the controller would write (each Gateway Pending, since plan applies nothing).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runPlan } from '../../src/commands/plan.js';
import type { StatusDocument } from '../../src/translate/gateway/status.js';
import { testOptions } from '../support/cluster.js';
import { conditionSummary } from '../support/gateway.js';
import type { GatewayCondition } from '../../src/sources/gateway-kinds.js';

const EXAMPLE = new URL('../../examples/gateway-api/', import.meta.url).pathname;

describe('plan --output json with Gateway API objects', () => {
  it('carries the status of the GatewayClass, the Gateway and each route', async () => {
    const outcome = await runPlan({ manifests: EXAMPLE, output: 'json', provider: 'aws', translate: testOptions({ now: new Date() }) });
    assert.equal(outcome.hasErrors, false, outcome.stderr);
    const plan = JSON.parse(outcome.stdout) as { GatewayAPIStatus: StatusDocument[]; Stacks: { Stack: { Id: string } }[] };
    assert.ok(plan.Stacks.some((stack) => stack.Stack.Id === 'gateway:default/demo'));
    const conditionsOf = (kind: string, name: string): string[] => {
      const document = plan.GatewayAPIStatus.find((entry) => entry.kind === kind && entry.name === name);
      const status = document?.status as { conditions?: GatewayCondition[]; parents?: { conditions: GatewayCondition[] }[] } | undefined;
      return conditionSummary(status?.conditions ?? status?.parents?.[0]?.conditions ?? []);
    };
    assert.deepEqual(conditionsOf('GatewayClass', 'ingress-bridge'), ['Accepted=True/Accepted', 'SupportedVersion=True/SupportedVersion']);
    assert.deepEqual(conditionsOf('Gateway', 'demo'), ['Accepted=True/Accepted', 'Programmed=False/Pending']);
    for (const route of ['store', 'secure', 'secure-redirect'])
      assert.deepEqual(conditionsOf('HTTPRoute', route), ['Accepted=True/Accepted', 'ResolvedRefs=True/ResolvedRefs']);
    const gateway = plan.GatewayAPIStatus.find((entry) => entry.kind === 'Gateway');
    assert.deepEqual(
      (gateway?.status as { listeners: { name: string; attachedRoutes: number }[] }).listeners.map((listener) => [listener.name, listener.attachedRoutes]),
      [
        ['http', 2],
        ['https', 1],
      ],
    );
  });
});
