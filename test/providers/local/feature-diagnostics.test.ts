/**
 * What the local load balancer cannot execute is reported, never silent, and once: on the apply that
 * brings it, not again on the applies after it while it stays.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Diagnostic, LoadBalancerSpec } from '../../../src/model.js';
import { applySpec, send } from '../../support/local-lb.js';
import { simpleSpec, startProvider } from './support.js';

const TARGET = { ip: '127.0.0.1', port: 9 };

function withWaf(spec: LoadBalancerSpec): LoadBalancerSpec {
  return {
    ...spec,
    webAcl: { kind: 'arn', arn: 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/test/abc' },
    shieldAdvancedProtection: true,
  };
}

function withCognito(spec: LoadBalancerSpec): LoadBalancerSpec {
  const copy = structuredClone(spec);
  copy.listeners[0]!.rules[0]!.authentication = {
    type: 'cognito',
    userPoolArn: 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc',
    userPoolClientId: 'client',
    userPoolDomain: 'login',
    onUnauthenticatedRequest: 'authenticate',
    scope: 'openid',
    sessionCookieName: 'AWSELBAuthSessionCookie',
    sessionTimeoutSeconds: 604800,
    authenticationRequestExtraParams: {},
  };
  return copy;
}

const infos = (diagnostics: readonly Diagnostic[]): string[] =>
  diagnostics.filter((diagnostic) => diagnostic.severity === 'info').map((diagnostic) => diagnostic.message);

describe('features the local load balancer cannot execute', () => {
  const { provider } = startProvider();
  after(() => provider.close());
  const base = simpleSpec({ stackId: 'default/features', target: TARGET, rules: [[{ field: 'path-pattern', values: ['/a'] }]] });

  it('reports a WAF web ACL and Shield Advanced once, as info on each member Ingress', async () => {
    const first = await applySpec(provider, withWaf(base));
    const messages = infos(first.diagnostics);
    assert.equal(messages.length, 2);
    assert.match(messages[0] ?? '', /no WAF: web ACL arn:aws:wafv2:.* is not applied/);
    assert.match(messages[1] ?? '', /no Shield Advanced/);
    assert.deepEqual(
      first.diagnostics.map((diagnostic) => diagnostic.object),
      [
        { kind: 'Ingress', namespace: 'default', name: 'hardening' },
        { kind: 'Ingress', namespace: 'default', name: 'hardening' },
      ],
    );
    assert.equal(first.diagnostics[0]?.field, 'metadata.annotations["alb.ingress.kubernetes.io/wafv2-acl-arn"]');
  });

  it('does not report them again when something else changes', async () => {
    const changed = withWaf({ ...base, tags: { team: 'a' } });
    const plan = provider.diff(changed, await provider.observe(changed.stack));
    assert.ok(plan.operations.length > 0);
    const result = await provider.apply(plan);
    assert.deepEqual(infos(result.diagnostics), []);
  });

  it('applies a change of the web ACL alone (it is part of the plan) and reports the new one', async () => {
    const spec = { ...withWaf({ ...base, tags: { team: 'a' } }), webAcl: { kind: 'name' as const, name: 'other-acl' } };
    const plan = provider.diff(spec, await provider.observe(spec.stack));
    assert.deepEqual(
      plan.operations.map((operation) => operation.action),
      ['ModifyLoadBalancer'],
    );
    const result = await provider.apply(plan);
    assert.match(infos(result.diagnostics).join('\n'), /web ACL other-acl/);
  });

  it('reports Cognito login, which it cannot perform, and serves its rule fail-closed', async () => {
    const result = await applySpec(provider, withCognito(base));
    assert.match(infos(result.diagnostics).join('\n'), /cannot log users in through Cognito/);
    const response = await send({ port: provider.boundPort(80) ?? assert.fail('port 80 must be served'), path: '/a' });
    assert.equal(response.status, 401);
  });
});
