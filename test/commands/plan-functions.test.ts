/**
 * `ingress-bridge plan` on examples/serverless: the function's target group in the ELBv2 API's own
 * field names (TargetType lambda, HealthCheckEnabled, the multi-value attribute), the Lambda
 * AddPermission input that lets ELB invoke it, and the rule forwarding to it by the same
 * `${TargetGroup:<key>}` reference as a Service's; the text plan shows it too.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import type { Elbv2PlanDocument } from '../../providers/aws/plan/plan-json.js';
import { assertFunctionTargetGroupPlan } from '../support/function-target-group-plan.js';

const BIN = new URL('../../bin/ingress-bridge.js', import.meta.url).pathname;
const EXAMPLE = new URL('../../examples/serverless/', import.meta.url).pathname;

function runCli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('INGRESS_BRIDGE_')));
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('plan: a function behind a path (examples/serverless)', () => {
  it('JSON: the lambda target group and its permission in the APIs’ own field names', () => {
    const result = runCli('plan', '--manifests', EXAMPLE, '--output', 'json');
    assert.equal(result.status, 0, result.stderr);
    const stack = (JSON.parse(result.stdout) as Elbv2PlanDocument).Stacks.find((entry) => entry.Stack.Id === 'default/serverless');
    assert.ok(stack);
    assert.deepEqual(
      stack.TargetGroups.map((group) => group.Key),
      ['default/storefront:80/ip'],
    );
    const [group] = stack.FunctionTargetGroups ?? [];
    assertFunctionTargetGroupPlan(group, 'upload', [{ Key: 'lambda.multi_value_headers.enabled', Value: 'true' }]);
    const rule = stack.Listeners.flatMap((listener) => listener.Rules).find((entry) => entry.Origin.Path === '/api/upload');
    assert.deepEqual(
      rule?.Actions[0]?.ForwardConfig?.TargetGroups?.map((target) => target.TargetGroupArn),
      ['${TargetGroup:function:upload}'],
    );
  });

  it('text: the function target group, its function and settings, and no problem', () => {
    const result = runCli('plan', '--manifests', EXAMPLE);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^ {2}target group function:upload {2}lambda {2}name k8s-fn-upload-[0-9a-f]{10}$/m);
    assert.match(result.stdout, /^ {4}function upload \(invoked, never changed\)$/m);
    assert.match(result.stdout, /^ {4}health checks off, multi-value headers on$/m);
    assert.match(result.stdout, /forward function:upload/);
    // The storefront's target group and the function's.
    assert.match(result.stdout, /^1 load balancer, \d+ listeners?, \d+ rules?, 2 target groups, /m);
    // examples/ingress-class.yaml is outside this directory: its absence is the only warning.
    assert.match(result.stdout, /0 errors, 1 warning\n/);
    assert.match(result.stdout, /IngressClass "ingress-bridge" does not exist/);
  });
});
