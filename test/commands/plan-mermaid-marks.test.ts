/**
 * Reading a provider's planned operations as marks on the picture: the AWS provider's ids
 * (`Rule/80/3`, `TargetGroup/<key>`) and the local provider's (`listener/<address>`,
 * `targetgroup/<stack>/<key>`), taken from the local provider's own diff.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { marksOf } from '../../src/commands/plan-mermaid-marks.js';
import type { LoadBalancerSpec } from '../../src/model.js';
import { planStack } from '../../providers/local/plan.js';
import { readLocalSettings } from '../../providers/local/settings.js';
import { stackSpec, targetGroup } from '../support/aws-spec-builder.js';

const web = targetGroup({ service: 'web', targetType: 'ip', targets: [{ id: '127.0.0.1', ip: '127.0.0.1', port: 9101 }] });
const api = targetGroup({ service: 'api', targetType: 'ip', targets: [{ id: '127.0.0.2', ip: '127.0.0.2', port: 9102 }] });

function withRules(spec: LoadBalancerSpec, paths: Record<string, string>): LoadBalancerSpec {
  const rules = Object.entries(paths).map(([path, key], index) => ({
    priority: index + 1,
    conditions: [{ field: 'path-pattern' as const, values: [path] }],
    actions: [{ type: 'forward' as const, targetGroups: [{ targetGroupKey: key, weight: 1 }] }],
    origin: { ingress: { namespace: 'default', name: 'web' } },
  }));
  return { ...spec, listeners: spec.listeners.map((listener) => ({ ...listener, rules })) };
}

describe('marks from planned operations', () => {
  const spec = withRules(stackSpec('default/web', { targetGroups: [web, api] }), { '/api': api.key, '/': web.key });

  it("reads the AWS provider's ids: created, modified, deleted and moved rules, target groups and their targets", () => {
    const marks = marksOf(spec, [
      { action: 'CreateTargetGroup', resource: `TargetGroup/${api.key}` },
      { action: 'AddTags', resource: `TargetGroup/${web.key}` },
      { action: 'RegisterTargets', resource: `TargetGroup/${api.key}` },
      { action: 'DeleteTargetGroup', resource: 'TargetGroup/default/old:80/ip' },
      { action: 'SetRulePriorities', resource: 'Rule/80/*' },
      { action: 'CreateRule', resource: 'Rule/80/1' },
      { action: 'ModifyRule', resource: 'Rule/80/2' },
      { action: 'DeleteRule', resource: 'Rule/80/50000' },
      { action: 'ModifySecurityGroupRules', resource: 'SecurityGroup/frontend' },
    ]);
    assert.equal(marks.loadBalancer, undefined);
    assert.equal(marks.otherChanges, 1, 'the security group shows on the load balancer');
    assert.deepEqual(
      [...marks.targetGroups],
      [
        [api.key, 'added'],
        [web.key, 'changed'],
      ],
    );
    assert.deepEqual([...marks.targetsChanged], [api.key]);
    assert.deepEqual(marks.removedTargetGroups, ['default/old:80/ip']);
    assert.deepEqual([...marks.listeners], [[80, 'changed']]);
    assert.deepEqual(
      [...marks.rules],
      [
        ['80/1', 'added'],
        ['80/2', 'changed'],
      ],
    );
    assert.deepEqual(marks.removedRules, ['80/50000']);
  });

  it('a created load balancer, a replaced listener and a certificate change', () => {
    const marks = marksOf(spec, [
      { action: 'CreateLoadBalancer', resource: 'LoadBalancer' },
      { action: 'DeleteListener', resource: 'Listener/8080' },
      { action: 'CreateListener', resource: 'Listener/80' },
      { action: 'ImportCertificate', resource: 'Certificate/secret:default/gone' },
    ]);
    assert.equal(marks.loadBalancer, 'added');
    assert.deepEqual([...marks.listeners], [[80, 'added']]);
    assert.deepEqual(marks.removedListeners, [8080]);
    assert.equal(marks.otherChanges, 1, 'a certificate no listener holds counts against the load balancer');
  });

  it("reads the local provider's own diff: a new target group, changed targets and rules, a closed listener, a deleted group", () => {
    const settings = readLocalSettings({ listenAddress: '127.0.0.1', httpPort: 18080, httpsPort: 18443 });
    const served = withRules(stackSpec('default/web', { targetGroups: [web, targetGroup({ service: 'old', targetType: 'ip', targets: [] })] }), {
      '/': web.key,
    });
    const extra = {
      port: 8443,
      protocol: 'HTTP' as const,
      certificateKeys: [],
      defaultAction: { type: 'fixed-response' as const, statusCode: '404' },
      rules: [],
    };
    const servedWithTwoListeners = { ...served, listeners: [...served.listeners, extra] };
    const desired = { ...spec, targetGroups: [{ ...web, targets: [...web.targets, { id: '127.0.0.3', ip: '127.0.0.3', port: 9101 }] }, api] };
    const { operations } = planStack(desired, servedWithTwoListeners, { stackId: 'default/web', settings });
    const marks = marksOf(desired, operations);
    assert.deepEqual([...marks.targetGroups], [[api.key, 'added']], operations.map((operation) => `${operation.action} ${operation.resource}`).join('; '));
    assert.deepEqual([...marks.targetsChanged], [web.key]);
    assert.deepEqual(marks.removedTargetGroups, ['default/old:80/ip'], 'the stack in front of the key is not part of it');
    assert.deepEqual([...marks.listeners], [[80, 'changed']], 'the rules of :80 change');
    assert.deepEqual(marks.removedListeners, [8443]);
    assert.equal(marks.otherChanges, 0);
  });
});
