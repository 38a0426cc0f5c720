/**
 * `plan` on AWS for a Gateway whose HTTPRoute sends a path to a Function: the function target group
 * in the ELBv2 API's field names with the Lambda permission that lets ELB invoke it, the weighted
 * forward beside the Service's target group, and the route's ResolvedRefs in the status.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runPlan } from '../../src/commands/plan.js';
import type { Elbv2PlanDocument } from '../../providers/aws/plan/plan-json.js';
import type { GatewayCondition } from '../../src/sources/gateway-kinds.js';
import type { StatusDocument } from '../../src/translate/gateway/status.js';
import { NODE_YAML, serviceYaml, testOptions } from '../support/cluster.js';
import { assertFunctionTargetGroupPlan } from '../support/function-target-group-plan.js';
import { conditionSummary, GATEWAY_CLASS_YAML, gatewayYaml } from '../support/gateway.js';

const ROUTE = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: app, namespace: default}
spec:
  parentRefs: [{name: web}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /api/upload}}]
    backendRefs:
    - {name: a, port: 80, weight: 9}
    - {group: lambda.ingress-bridge.io, kind: Function, name: upload, weight: 1}
  - backendRefs: [{name: a, port: 80}]
---
`;

describe('plan on AWS: an HTTPRoute backendRef of kind Function', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plan-gateway-fn-'));
    await writeFile(
      join(dir, 'all.yaml'),
      GATEWAY_CLASS_YAML +
        NODE_YAML +
        serviceYaml({ name: 'a' }) +
        gatewayYaml('web', ['{name: http, port: 80, protocol: HTTP}'], {
          annotations: { 'ingress-bridge.io/target-group-attributes': 'lambda.multi_value_headers.enabled=true' },
        }) +
        ROUTE,
    );
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('shows the lambda target group, its permission and the weighted forward', async () => {
    const outcome = await runPlan({ manifests: dir, output: 'json', provider: 'aws', translate: testOptions({ now: new Date() }) });
    assert.equal(outcome.hasErrors, false, outcome.stderr);
    const plan = JSON.parse(outcome.stdout) as Elbv2PlanDocument & { GatewayAPIStatus: StatusDocument[] };
    const stack = plan.Stacks.find((entry) => entry.Stack.Id === 'gateway:default/web');
    assert.ok(stack);
    const [group] = stack.FunctionTargetGroups ?? [];
    assertFunctionTargetGroupPlan(group, 'upload', [{ Key: 'lambda.multi_value_headers.enabled', Value: 'true' }]);
    const forwards = stack.Listeners.flatMap((listener) => listener.Rules).map((rule) => rule.Actions[0]?.ForwardConfig?.TargetGroups);
    assert.ok(
      forwards.some(
        (targets) =>
          JSON.stringify(targets) ===
          JSON.stringify([
            { TargetGroupArn: '${TargetGroup:default/a:80/instance}', Weight: 9 },
            { TargetGroupArn: '${TargetGroup:function:upload}', Weight: 1 },
          ]),
      ),
      JSON.stringify(forwards),
    );
    const route = plan.GatewayAPIStatus.find((entry) => entry.kind === 'HTTPRoute' && entry.name === 'app');
    const parents = (route?.status as { parents: { conditions: GatewayCondition[] }[] }).parents;
    assert.deepEqual(conditionSummary(parents[0]?.conditions ?? []), ['Accepted=True/Accepted', 'ResolvedRefs=True/ResolvedRefs']);
  });

  it('text: the function target group and the forward to it', async () => {
    const outcome = await runPlan({ manifests: dir, output: 'text', provider: 'aws', translate: testOptions({ now: new Date() }) });
    assert.match(outcome.stdout, /^ {2}target group function:upload {2}lambda {2}name k8s-fn-upload-[0-9a-f]{10}$/m);
    assert.match(outcome.stdout, /^ {4}function upload \(invoked, never changed\)$/m);
    assert.match(outcome.stdout, /function:upload/);
  });
});
