/**
 * The issue-14 features in `plan`: the JSON document uses the ELBv2 API's own field names
 * (AuthenticateOidcConfig, AuthenticateCognitoConfig, JwtValidationConfig, Transforms,
 * MutualAuthentication, listener Attributes) and never an OIDC client secret; the text plan shows
 * every feature, the client secret only by its Secret's name.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderPlanText } from '../../src/commands/plan-text.js';
import type { LoadBalancerSpec } from '../../src/model.js';
import { renderElbv2PlanDocument } from '../../providers/aws/plan/plan-json.js';
import { INGRESS_CLASS_YAML, ingressYaml, NODE_YAML, onlySpec, serviceYaml, translateYaml } from '../support/cluster.js';

const ALB = 'alb.ingress.kubernetes.io/';
const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/aaaa';
const ACL = 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/shop/a1b2c3d4-5678-90ab-cdef-111111111111';
const LEGACY = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/legacy/0123456789abcdef';
const SECRET = 'plan-must-not-show-this';

function spec(): LoadBalancerSpec {
  const base64 = (text: string): string => Buffer.from(text).toString('base64');
  const secret = `apiVersion: v1\nkind: Secret\nmetadata: {name: oidc, namespace: default}\ndata:\n  clientID: ${base64('shop-client')}\n  clientSecret: ${base64(SECRET)}\n---\n`;
  const group = { [`${ALB}group.name`]: 'shop', [`${ALB}certificate-arn`]: CERT, [`${ALB}listen-ports`]: '[{"HTTPS":443}]' };
  const yaml =
    serviceYaml({ name: 'api' }) +
    serviceYaml({ name: 'admin', nodePort: 30081 }) +
    secret +
    ingressYaml({
      name: 'a-shop',
      annotations: {
        ...group,
        [`${ALB}wafv2-acl-arn`]: ACL,
        [`${ALB}shield-advanced-protection`]: 'true',
        [`${ALB}jwt-validation`]: '{"issuer":"https://issuer.example.com","jwksEndpoint":"https://issuer.example.com/jwks"}',
        [`${ALB}transforms.api`]: '[{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"^/api/(.*)$","replace":"/$1"}]}}]',
        [`${ALB}mutual-authentication`]: '[{"port":443,"mode":"verify","trustStore":"partners"}]',
        [`${ALB}listener-attributes.HTTPS-443`]: 'routing.http.response.server.enabled=false',
        [`${ALB}actions.legacy`]: `{"type":"forward","targetGroupARN":"${LEGACY}"}`,
      },
      rules: [
        {
          host: 'shop.example.com',
          paths: [
            { path: '/api', pathType: 'Prefix', service: 'api' },
            { path: '/old', pathType: 'Prefix', service: 'legacy', port: 'use-annotation' },
          ],
        },
      ],
    }) +
    ingressYaml({
      name: 'b-admin',
      annotations: {
        ...group,
        [`${ALB}auth-type`]: 'oidc',
        [`${ALB}auth-idp-oidc`]:
          '{"issuer":"https://idp.example.com","authorizationEndpoint":"https://idp.example.com/a","tokenEndpoint":"https://idp.example.com/t","userInfoEndpoint":"https://idp.example.com/u","secretName":"oidc"}',
      },
      rules: [{ host: 'shop.example.com', paths: [{ path: '/admin', pathType: 'Prefix', service: 'admin' }] }],
    });
  return onlySpec(translateYaml(INGRESS_CLASS_YAML + NODE_YAML + yaml));
}

describe('plan: the ALB features of issue 14', () => {
  it("JSON in the API's own field names, with no client secret", () => {
    const document = renderElbv2PlanDocument([spec()], []);
    const text = JSON.stringify(document);
    assert.equal(text.includes(SECRET), false);
    assert.doesNotMatch(text, /"ClientSecret"/);
    const [stack] = document.Stacks;
    assert.deepEqual(stack?.LoadBalancer.WebACL, { WebACLArn: ACL });
    assert.deepEqual(stack?.LoadBalancer.ShieldAdvancedProtection, { Enabled: true });
    assert.deepEqual(stack?.ExternalTargetGroups, [{ Key: `external:arn:${LEGACY}`, TargetGroupArn: LEGACY }]);
    const listener = stack?.Listeners[0];
    assert.deepEqual(listener?.MutualAuthentication, {
      Mode: 'verify',
      TrustStoreArn: '${TrustStore:partners}',
      IgnoreClientCertificateExpiry: false,
      AdvertiseTrustStoreCaNames: 'off',
    });
    assert.deepEqual(listener?.Attributes, [{ Key: 'routing.http.response.server.enabled', Value: 'false' }]);
    const byPath = (path: string) => listener?.Rules.find((rule) => rule.Origin.Path === path);
    const admin = byPath('/admin');
    assert.deepEqual(
      admin?.Actions.map((action) => [action.Type, action.Order]),
      [
        ['authenticate-oidc', 1],
        ['forward', 2],
      ],
    );
    assert.equal(admin?.Actions[0]?.AuthenticateOidcConfig?.ClientId, 'shop-client');
    assert.deepEqual(admin?.ClientSecretFrom, { SecretNamespace: 'default', SecretName: 'oidc' });
    const api = byPath('/api');
    assert.deepEqual(api?.Actions[0]?.JwtValidationConfig, { Issuer: 'https://issuer.example.com', JwksEndpoint: 'https://issuer.example.com/jwks' });
    assert.deepEqual(api?.Transforms, [{ Type: 'url-rewrite', UrlRewriteConfig: { Rewrites: [{ Regex: '^/api/(.*)$', Replace: '/$1' }] } }]);
    assert.equal(byPath('/old')?.Actions.at(-1)?.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn, LEGACY);
  });

  it('text shows each feature, the client secret only by its Secret', () => {
    const text = renderPlanText([spec()], []);
    assert.equal(text.includes(SECRET), false);
    assert.match(text, new RegExp(`web ACL {10}${ACL.replace(/[/.]/g, '\\$&')}`));
    assert.match(text, /shield advanced {2}on/);
    assert.match(text, /outside target group arn:aws:elasticloadbalancing:.*legacy.* \(referenced, never changed\)/);
    assert.match(text, /mutual TLS verify, trust store named partners/);
    assert.match(text, /attributes routing\.http\.response\.server\.enabled=false/);
    assert.match(text, /oidc login https:\/\/idp\.example\.com \(client shop-client, secret from default\/oidc, authenticate\), then forward/);
    assert.match(text, /jwt from https:\/\/issuer\.example\.com, then forward .*; url-rewrite \^\/api\/\(\.\*\)\$ → \/\$1/);
  });
});
