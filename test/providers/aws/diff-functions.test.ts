/**
 * withoutMissingFunctions (plan/diff-functions.ts), as a table: a function Lambda does not know, or
 * one not tagged for this cluster, is taken out of the spec before diff — a forward to it alone answers 503, a weighted forward keeps its
 * other target groups — with one error per Ingress that names it; known functions are left alone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Action, LoadBalancerSpec } from '../../../src/model.js';
import { withoutMissingFunctions } from '../../../providers/aws/plan/diff-functions.js';

const forward = (...groups: [string, number][]): Action => ({
  type: 'forward',
  targetGroups: groups.map(([targetGroupKey, weight]) => ({ targetGroupKey, weight })),
});

function spec(actions: Action[], defaultAction: Action = { type: 'fixed-response', statusCode: '404' }): LoadBalancerSpec {
  return {
    stack: {
      id: 'default/shop',
      name: 'shop',
      members: [
        { namespace: 'default', name: 'a' },
        { namespace: 'default', name: 'b' },
      ],
    },
    scheme: 'internal',
    ipAddressType: 'ipv4',
    subnets: { kind: 'discover' },
    securityGroups: { kind: 'managed', inboundCidrs: ['0.0.0.0/0'] },
    attributes: {},
    tags: {},
    listeners: [
      {
        port: 80,
        protocol: 'HTTP',
        certificateKeys: [],
        defaultAction,
        rules: actions.map((action, index) => ({
          priority: index + 1,
          conditions: [],
          actions: [action],
          origin: { ingress: { namespace: 'default', name: 'a' }, host: 'shop.example.com', path: '/x' },
        })),
      },
    ],
    targetGroups: [],
    certificates: [],
    functionTargetGroups: ['gone', 'here', 'untagged'].map((name) => ({
      key: `function:${name}`,
      name: `k8s-fn-${name}`,
      function: { name },
      multiValueHeaders: false,
      tags: {},
    })),
  };
}

const FUNCTIONS = {
  'function:gone': { exists: false, problem: 'Lambda function gone does not exist' },
  'function:here': { exists: true, arn: 'arn:here' },
  'function:untagged': { exists: true, arn: 'arn:untagged', tagged: false, problem: 'Lambda function untagged is not tagged' },
};

describe('withoutMissingFunctions', () => {
  const cases: [string, Action, Action | '503', string[]][] = [
    [
      'a forward to the missing function alone answers 503',
      forward(['function:gone', 1]),
      '503',
      ['does not exist: requests the load balancer sends to it get 503 until it exists'],
    ],
    [
      'a forward to an untagged function alone answers 503',
      forward(['function:untagged', 1]),
      '503',
      ['is not tagged: requests the load balancer sends to it get 503 until it is tagged'],
    ],
    [
      'a weighted forward keeps the Service',
      forward(['function:gone', 50], ['default/web:80/ip', 50]),
      forward(['default/web:80/ip', 50]),
      ['until it exists'],
    ],
    [
      'a weighted forward drops the untagged function, keeps the Service',
      forward(['function:untagged', 50], ['default/web:80/ip', 50]),
      forward(['default/web:80/ip', 50]),
      ['until it is tagged'],
    ],
    ['a weighted forward whose other groups weigh 0 answers 503', forward(['function:gone', 1], ['default/web:80/ip', 0]), '503', ['until it exists']],
    ['a forward to a known, tagged function is left alone', forward(['function:here', 1]), forward(['function:here', 1]), []],
  ];
  for (const [what, action, expected, messages] of cases) {
    it(what, () => {
      const result = withoutMissingFunctions(spec([action]), FUNCTIONS);
      const after = result.spec.listeners[0]?.rules[0]?.actions[0];
      if (expected === '503') assert.equal(after?.type === 'fixed-response' && after.statusCode, '503');
      else assert.deepEqual(after, expected);
      assert.deepEqual(
        result.spec.functionTargetGroups?.map((group) => group.key),
        ['function:here'],
      );
      assert.deepEqual(
        result.diagnostics.map((entry) => [entry.severity, entry.object.name, entry.field]),
        messages.map(() => ['error', 'a', 'spec.rules[].http.paths[].backend.resource']),
      );
      for (const [index, message] of messages.entries()) {
        const got = result.diagnostics[index]?.message ?? '';
        assert.ok(got.startsWith('path shop.example.com/x: ') && got.endsWith(message), got);
      }
    });
  }

  it('a default action to the missing function: an error on every member of the group', () => {
    const result = withoutMissingFunctions(spec([], forward(['function:gone', 1])), FUNCTIONS);
    assert.equal(result.spec.listeners[0]?.defaultAction.type, 'fixed-response');
    assert.deepEqual(
      result.diagnostics.map((entry) => [entry.object.name, entry.field]),
      [
        ['a', 'spec.defaultBackend.resource'],
        ['b', 'spec.defaultBackend.resource'],
      ],
    );
  });

  it('no missing function: the same spec object', () => {
    const input = spec([forward(['function:here', 1])]);
    assert.equal(withoutMissingFunctions(input, { 'function:here': { exists: true } }).spec, input);
  });
});
