/**
 * What `plan --output json` on AWS must write for a function's target group, shared by the plan
 * tests of an Ingress and of an HTTPRoute that send a path to a function.
 * @module
 */
import assert from 'node:assert/strict';
import type { TargetGroupAttribute } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { FunctionTargetGroupPlan } from '../../providers/aws/plan/plan-json.js';

/**
 * The target group of the function named by name (no qualifier), in the ELBv2 API's field names:
 * target type lambda, health checks off, `attributes` as given, the function as its one target, and
 * the Lambda AddPermission input that lets ELB invoke it from this target group.
 */
export function assertFunctionTargetGroupPlan(group: FunctionTargetGroupPlan | undefined, functionName: string, attributes: TargetGroupAttribute[]): void {
  assert.ok(group, `a target group for function ${functionName}`);
  const name = group.Name;
  assert.ok(name.length <= 32 && name.startsWith(`k8s-fn-${functionName}-`), name);
  assert.deepEqual(group, {
    Key: `function:${functionName}`,
    Name: name,
    TargetType: 'lambda',
    HealthCheckEnabled: false,
    Attributes: attributes,
    Tags: [],
    Targets: [{ Id: `\${Function:${functionName}}` }],
    Permission: {
      FunctionName: functionName,
      StatementId: `ingress-bridge-${name}`,
      Action: 'lambda:InvokeFunction',
      Principal: 'elasticloadbalancing.amazonaws.com',
      SourceArn: `\${TargetGroup:function:${functionName}}`,
    },
  });
}
