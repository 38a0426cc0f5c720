/**
 * The executor's parts that need no AWS: placeholders, throttling retries, the command table.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plannableActions } from '../../../providers/aws/apply/commands.js';
import { resolvePlaceholders, UnresolvedReferenceError, valueAtPath } from '../../../providers/aws/apply/references.js';
import { placeholdersIn } from '../../../providers/aws/plan/placeholders.js';
import { isThrottling } from '../../../providers/aws/sdk/errors.js';
import { retryingCall, type RetryEvent } from '../../../providers/aws/sdk/retry.js';

function named(name: string): Error {
  return Object.assign(new Error(`${name} happened`), { name });
}

describe('placeholders', () => {
  const known: Record<string, string | string[]> = {
    '${LoadBalancer}': 'arn:lb',
    '${TargetGroup:default/web:80/ip}': 'arn:tg',
    '${Subnets}': ['subnet-a', 'subnet-b'],
  };
  const resolve = (ref: string): Promise<string | string[] | undefined> => Promise.resolve(known[ref]);

  it('replaces strings, and splices a list placeholder into its array', async () => {
    const input = {
      LoadBalancerArn: '${LoadBalancer}',
      Subnets: ['${Subnets}', 'subnet-c'],
      Actions: [{ ForwardConfig: { TargetGroups: [{ TargetGroupArn: '${TargetGroup:default/web:80/ip}', Weight: 1 }] } }],
    };
    assert.deepEqual(await resolvePlaceholders(input, resolve), {
      LoadBalancerArn: 'arn:lb',
      Subnets: ['subnet-a', 'subnet-b', 'subnet-c'],
      Actions: [{ ForwardConfig: { TargetGroups: [{ TargetGroupArn: 'arn:tg', Weight: 1 }] } }],
    });
    assert.equal(input.LoadBalancerArn, '${LoadBalancer}', 'the plan itself is left as it was');
  });

  it('refuses to send a placeholder nothing resolves', async () => {
    await assert.rejects(
      resolvePlaceholders({ ListenerArn: '${Listener:443}' }, resolve),
      (error: unknown) => error instanceof UnresolvedReferenceError && /\$\{Listener:443\}/.test(error.message),
    );
    await assert.rejects(resolvePlaceholders({ Name: 'x-${Subnets}' }, resolve), UnresolvedReferenceError);
  });

  it('finds every placeholder and reads dotted output paths', () => {
    assert.deepEqual(placeholdersIn({ a: ['${A}', { b: 'x ${B:k/1} y' }], c: 3 }), ['${A}', '${B:k/1}']);
    assert.equal(valueAtPath({ TargetGroups: [{ TargetGroupArn: 'arn:tg' }] }, 'TargetGroups.0.TargetGroupArn'), 'arn:tg');
    assert.equal(valueAtPath({ TargetGroups: [] }, 'TargetGroups.0.TargetGroupArn'), undefined);
  });
});

describe('throttling retries', () => {
  it('retries throttling with growing, jittered delays, and gives up after the last attempt', async () => {
    const delays: number[] = [];
    const events: RetryEvent[] = [];
    const call = retryingCall({
      maxAttempts: 4,
      baseDelayMs: 100,
      maxDelayMs: 250,
      random: () => 0.5,
      sleep: (ms) => {
        delays.push(ms);
        return Promise.resolve();
      },
      onRetry: (event) => events.push(event),
    });
    let attempts = 0;
    await assert.rejects(
      call('CreateRule', () => {
        attempts += 1;
        return Promise.reject(named('Throttling'));
      }),
      /Throttling happened/,
    );
    assert.equal(attempts, 4);
    assert.deepEqual(delays, [50, 100, 125]);
    assert.deepEqual(
      events.map((event) => event.attempt),
      [1, 2, 3],
    );
  });

  it('returns the first success and never retries other errors', async () => {
    const call = retryingCall({ maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 1, random: () => 0, sleep: async () => {} });
    let attempts = 0;
    assert.equal(await call('x', async () => (++attempts < 3 ? Promise.reject(named('RequestLimitExceeded')) : 'done')), 'done');
    assert.equal(attempts, 3);
    attempts = 0;
    await assert.rejects(
      call('x', () => {
        attempts += 1;
        return Promise.reject(named('ValidationError'));
      }),
    );
    assert.equal(attempts, 1);
  });

  it('knows every service’s throttling error', () => {
    for (const name of ['Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'ThrottledException']) assert.ok(isThrottling(named(name)), name);
    assert.ok(isThrottling(Object.assign(named('SlowDown'), { $retryable: { throttling: true } })));
    assert.ok(!isThrottling(named('TooManyRulesException')));
  });
});

describe('command table', () => {
  it('can send every action the planners emit, and no read or tagging-API write', () => {
    const actions = plannableActions();
    assert.deepEqual(actions.tagging, []);
    for (const action of Object.values(actions).flat()) assert.ok(!/^(Describe|Get|List)/.test(action), action);
    for (const action of ['CreateRule', 'SetRulePriorities', 'RegisterTargets', 'ImportCertificate', 'CreateSecurityGroup', 'RevokeSecurityGroupIngress']) {
      assert.ok(Object.values(actions).flat().includes(action), action);
    }
  });
});
