/**
 * The issue-14 annotations through translate to the LoadBalancerSpec: authentication on HTTPS
 * listeners only, OIDC client secrets named (never copied) with a fingerprint, rewrites on rules and
 * never on default actions, listener settings per port, group-wide WAF and Shield decided by the
 * oldest member, node selection for instance targets, and target groups outside the cluster.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Authentication, Diagnostic, ListenerSpec, LoadBalancerSpec } from '../../src/model.js';
import { errorsOf, INGRESS_CLASS_YAML, ingressYaml, NODE_YAML, onlySpec, serviceYaml, translateYaml, type IngressFixture } from '../support/cluster.js';

const ALB = 'alb.ingress.kubernetes.io/';
const OWN = 'ingress-bridge.io/';
const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/aaaa';
const ACL_A = 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/a/a1b2c3d4-5678-90ab-cdef-111111111111';
const ACL_B = 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/b/a1b2c3d4-5678-90ab-cdef-222222222222';
const TRUST_STORE = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:truststore/partners/0123456789abcdef';
const LEGACY_TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/legacy/0123456789abcdef';
const CLIENT_SECRET = 'sup3r-s3cret-value';

const SERVICES = ['app', 'api', 'home'].map((name, index) => serviceYaml({ name, nodePort: 30080 + index, endpoints: [`10.0.0.${index + 1}`] })).join('');
const OIDC = JSON.stringify({
  issuer: 'https://idp.example.com',
  authorizationEndpoint: 'https://idp.example.com/authorize',
  tokenEndpoint: 'https://idp.example.com/token',
  userInfoEndpoint: 'https://idp.example.com/userinfo',
  secretName: 'oidc',
});
/** HTTPS on 443 (certificate-arn) and HTTP on 80 redirected to it: the shape authentication needs. */
const HTTPS_ONLY = { [`${ALB}certificate-arn`]: CERT, [`${ALB}ssl-redirect`]: '443' };

function oidcSecretYaml(clientId: string, clientSecret: string, namespace = 'default'): string {
  const base64 = (text: string): string => Buffer.from(text).toString('base64');
  return `apiVersion: v1\nkind: Secret\nmetadata: {name: oidc, namespace: ${namespace}}\ndata:\n  clientID: ${base64(clientId)}\n  clientSecret: ${base64(clientSecret)}\n---\n`;
}

function translate(ingresses: IngressFixture[], extraYaml = '') {
  return translateYaml(INGRESS_CLASS_YAML + NODE_YAML + SERVICES + extraYaml + ingresses.map(ingressYaml).join(''));
}

function web(annotations: Record<string, string>, fixture: Partial<IngressFixture> = {}): IngressFixture {
  return {
    name: 'web',
    annotations,
    rules: [
      {
        host: 'shop.example.com',
        paths: [
          { path: '/api', pathType: 'Prefix', service: 'api' },
          { path: '/', pathType: 'Prefix', service: 'app' },
        ],
      },
    ],
    ...fixture,
  };
}

function listener(spec: LoadBalancerSpec, port: number): ListenerSpec {
  const found = spec.listeners.find((candidate) => candidate.port === port);
  assert.ok(found, `no listener on ${port}: ${JSON.stringify(spec.listeners.map((entry) => entry.port))}`);
  return found;
}

function only(diagnostics: readonly Diagnostic[], severity: Diagnostic['severity'], pattern: RegExp): Diagnostic {
  const found = diagnostics.filter((entry) => entry.severity === severity && pattern.test(entry.message));
  assert.equal(found.length, 1, JSON.stringify(diagnostics, null, 2));
  return found[0] as Diagnostic;
}

describe('authentication', () => {
  it('OIDC: every HTTPS rule carries the login, named by its Secret with a fingerprint, never the secret itself', () => {
    const translated = translate(
      [web({ ...HTTPS_ONLY, [`${ALB}auth-type`]: 'oidc', [`${ALB}auth-idp-oidc`]: OIDC })],
      oidcSecretYaml('shop-client', CLIENT_SECRET),
    );
    assert.deepEqual(errorsOf(translated), []);
    const spec = onlySpec(translated);
    const https = listener(spec, 443);
    assert.equal(https.rules.length, 2);
    for (const rule of https.rules) {
      const auth = rule.authentication;
      assert.equal(auth?.type, 'oidc');
      if (auth?.type !== 'oidc') continue;
      assert.equal(auth.clientId, 'shop-client');
      assert.deepEqual(auth.clientSecretRef, { namespace: 'default', name: 'oidc' });
      assert.match(auth.clientSecretFingerprint, /^[0-9a-f]{64}$/);
      assert.deepEqual(
        [auth.onUnauthenticatedRequest, auth.scope, auth.sessionCookieName, auth.sessionTimeoutSeconds, auth.authenticationRequestExtraParams],
        ['authenticate', 'openid', 'AWSELBAuthSessionCookie', 604800, {}],
      );
    }
    // Port 80 redirects to HTTPS, where the login happens: its rules and default need none.
    assert.equal(listener(spec, 80).defaultAction.type, 'redirect');
    assert.equal(JSON.stringify(spec).includes(CLIENT_SECRET), false);
    assert.equal(JSON.stringify(translated.diagnostics).includes(CLIENT_SECRET), false);
  });

  it('OIDC: a rotated client secret changes the fingerprint, and only that', () => {
    const ingress = web({ ...HTTPS_ONLY, [`${OWN}auth-type`]: 'oidc', [`${OWN}auth-idp-oidc`]: OIDC });
    const before = onlySpec(translate([ingress], oidcSecretYaml('shop-client', 'first')));
    const after = onlySpec(translate([ingress], oidcSecretYaml('shop-client', 'second')));
    const auth = (spec: LoadBalancerSpec): Authentication | undefined => listener(spec, 443).rules[0]?.authentication;
    assert.notEqual(
      (auth(before) as { clientSecretFingerprint: string }).clientSecretFingerprint,
      (auth(after) as { clientSecretFingerprint: string }).clientSecretFingerprint,
    );
    const withoutFingerprint = (spec: LoadBalancerSpec): string => JSON.stringify(spec).replace(/"clientSecretFingerprint":"[0-9a-f]+"/g, '');
    assert.equal(withoutFingerprint(before), withoutFingerprint(after));
  });

  it('OIDC: while the Secret is missing or incomplete the paths answer 503, and nothing behind them is reached', () => {
    for (const secret of ['', oidcSecretYaml('shop-client', '')]) {
      const translated = translate([web({ ...HTTPS_ONLY, [`${ALB}auth-type`]: 'oidc', [`${ALB}auth-idp-oidc`]: OIDC })], secret);
      const spec = onlySpec(translated);
      const error = only(translated.diagnostics, 'error', /Secret default\/oidc (does not exist|has no clientSecret)/);
      assert.equal(error.field, `metadata.annotations["${ALB}auth-idp-oidc"]`);
      assert.ok(listener(spec, 443).rules.length > 0);
      for (const rule of listener(spec, 443).rules) {
        assert.equal(rule.authentication, undefined);
        assert.deepEqual(
          rule.actions.map((action) => [action.type, action.type === 'fixed-response' ? action.statusCode : '']),
          [['fixed-response', '503']],
        );
      }
      assert.deepEqual(spec.targetGroups, []);
    }
  });

  it('Cognito with every session setting, extra parameters merged (the annotation winning over the IdP JSON)', () => {
    const cognito = JSON.stringify({
      userPoolARN: 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123',
      userPoolClientID: '7abc',
      userPoolDomain: 'shop-login',
      authenticationRequestExtraParams: { prompt: 'consent', display: 'page' },
    });
    const spec = onlySpec(
      translate([
        web({
          ...HTTPS_ONLY,
          [`${ALB}auth-type`]: 'cognito',
          [`${ALB}auth-idp-cognito`]: cognito,
          [`${ALB}auth-on-unauthenticated-request`]: 'deny',
          [`${ALB}auth-scope`]: 'openid email',
          [`${ALB}auth-session-cookie`]: 'shop',
          [`${ALB}auth-session-timeout`]: '3600',
          [`${ALB}auth-authentication-request-extra-params`]: 'prompt=login',
        }),
      ]),
    );
    assert.deepEqual(listener(spec, 443).rules[0]?.authentication, {
      type: 'cognito',
      userPoolArn: 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123',
      userPoolClientId: '7abc',
      userPoolDomain: 'shop-login',
      onUnauthenticatedRequest: 'deny',
      scope: 'openid email',
      sessionCookieName: 'shop',
      sessionTimeoutSeconds: 3600,
      authenticationRequestExtraParams: { prompt: 'login', display: 'page' },
    });
  });

  it('jwt-validation on every HTTPS rule and on the default action', () => {
    const jwt =
      '{"issuer":"https://issuer.example.com","jwksEndpoint":"https://issuer.example.com/jwks","additionalClaims":[{"format":"string-array","name":"groups","values":["shop"]}]}';
    const spec = onlySpec(
      translate([
        web(
          { [`${ALB}certificate-arn`]: CERT, [`${ALB}listen-ports`]: '[{"HTTPS":443}]', [`${ALB}jwt-validation`]: jwt },
          { defaultBackend: { service: 'home' } },
        ),
      ]),
    );
    const expected = {
      type: 'jwt-validation',
      issuer: 'https://issuer.example.com',
      jwksEndpoint: 'https://issuer.example.com/jwks',
      additionalClaims: [{ format: 'string-array', name: 'groups', values: ['shop'] }],
    };
    const https = listener(spec, 443);
    for (const rule of https.rules) assert.deepEqual(rule.authentication, expected);
    assert.deepEqual(https.defaultAuthentication, expected);
    assert.equal(https.defaultAction.type, 'forward');
  });

  it('an HTTP port that does not redirect would serve the paths without the login: the Ingress is left out', () => {
    const translated = translate(
      [web({ [`${ALB}certificate-arn`]: CERT, [`${ALB}auth-type`]: 'oidc', [`${ALB}auth-idp-oidc`]: OIDC })],
      oidcSecretYaml('c', 's'),
    );
    assert.deepEqual(translated.specs, []);
    const error = only(translated.diagnostics, 'error', /HTTPS listeners only, but port 80 is HTTP/);
    assert.equal(error.field, `metadata.annotations["${ALB}auth-type"]`);
    assert.match(error.message, /left out of its load balancer/);
  });

  it('refuses what cannot be served: auth-type without its IdP, jwt-validation with a login', () => {
    const noIdp = translate([web({ ...HTTPS_ONLY, [`${ALB}auth-type`]: 'cognito' })]);
    assert.deepEqual(noIdp.specs, []);
    only(noIdp.diagnostics, 'error', /auth-type cognito needs a valid auth-idp-cognito/);
    const both = translate(
      [
        web({
          ...HTTPS_ONLY,
          [`${ALB}auth-type`]: 'oidc',
          [`${ALB}auth-idp-oidc`]: OIDC,
          [`${ALB}jwt-validation`]: '{"issuer":"i","jwksEndpoint":"https://i.example.com/j"}',
        }),
      ],
      oidcSecretYaml('c', 's'),
    );
    assert.deepEqual(both.specs, []);
    only(both.diagnostics, 'error', /jwt-validation and auth-type oidc are both set/);
  });

  it('IdP settings without auth-type are a warning and change nothing', () => {
    const translated = translate([web({ [`${ALB}auth-idp-oidc`]: OIDC, [`${ALB}auth-scope`]: 'openid' })]);
    const spec = onlySpec(translated);
    assert.equal(
      spec.listeners.flatMap((entry) => entry.rules).some((rule) => rule.authentication !== undefined),
      false,
    );
    assert.equal(translated.diagnostics.filter((entry) => entry.severity === 'warning' && /ignored: auth-type is none/.test(entry.message)).length, 2);
  });
});

describe('transforms', () => {
  const REWRITE = '[{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"^/api/(.*)$","replace":"/$1"}]}}]';

  it('the rules of the named backend carry the rewrite; others do not', () => {
    const spec = onlySpec(translate([web({ [`${ALB}transforms.api`]: REWRITE })]));
    const rules = listener(spec, 80).rules;
    const api = rules.find((rule) => rule.origin.path === '/api');
    const app = rules.find((rule) => rule.origin.path === '/');
    assert.deepEqual(api?.transforms, [{ type: 'url-rewrite', regex: '^/api/(.*)$', replace: '/$1' }]);
    assert.equal(app?.transforms, undefined);
  });

  it('an HTTP rule that ssl-redirect turns into a redirect drops the rewrite; the HTTPS rule keeps it', () => {
    const spec = onlySpec(translate([web({ ...HTTPS_ONLY, [`${ALB}transforms.api`]: REWRITE })]));
    assert.equal(listener(spec, 80).rules.length, 0);
    assert.ok(listener(spec, 443).rules.some((rule) => rule.transforms?.length === 1));
  });

  it('a rewrite for the default backend is refused, as ALB refuses transforms on default actions; the rules keep it', () => {
    const translated = translate([web({ [`${ALB}transforms.api`]: REWRITE }, { defaultBackend: { service: 'api' } })]);
    const spec = onlySpec(translated);
    const error = only(translated.diagnostics, 'error', /cannot apply to spec.defaultBackend/);
    assert.equal(error.field, `metadata.annotations["${ALB}transforms.api"]`);
    assert.equal(listener(spec, 80).defaultAction.type, 'forward');
    assert.ok(listener(spec, 80).rules.some((rule) => rule.transforms !== undefined));
  });
});

describe('listener settings', () => {
  const MTLS = `[{"port":443,"mode":"verify","trustStore":"${TRUST_STORE}","ignoreClientCertificateExpiry":true}]`;

  it('mutual-authentication and listener attributes land on their listener', () => {
    const spec = onlySpec(
      translate([
        web({
          [`${ALB}certificate-arn`]: CERT,
          [`${ALB}mutual-authentication`]: MTLS,
          [`${ALB}listener-attributes.HTTPS-443`]: 'routing.http.response.server.enabled=false',
        }),
      ]),
    );
    assert.deepEqual(listener(spec, 443).mutualAuthentication, { mode: 'verify', trustStoreArn: TRUST_STORE, ignoreClientCertificateExpiry: true });
    assert.deepEqual(listener(spec, 443).attributes, { 'routing.http.response.server.enabled': 'false' });
    assert.equal(listener(spec, 80).mutualAuthentication, undefined);
    assert.equal(listener(spec, 80).attributes, undefined);
  });

  it('settings for a port the Ingress does not have, or of the wrong protocol, are dropped with a diagnostic', () => {
    const translated = translate([
      web({
        [`${ALB}certificate-arn`]: CERT,
        [`${ALB}mutual-authentication`]: '[{"port":80,"mode":"passthrough"},{"port":8443,"mode":"off"}]',
        [`${ALB}listener-attributes.HTTPS-80`]: 'routing.http.response.server.enabled=false',
        [`${ALB}listener-attributes.HTTP-8080`]: 'routing.http.response.server.enabled=false',
      }),
    ]);
    const spec = onlySpec(translated);
    assert.equal(
      spec.listeners.some((entry) => entry.mutualAuthentication !== undefined || entry.attributes !== undefined),
      false,
    );
    only(translated.diagnostics, 'error', /mutual-authentication for port 80 is not used: port 80 is HTTP/);
    only(translated.diagnostics, 'error', /mutual-authentication for port 8443 is not used: this Ingress does not listen on port 8443/);
    only(translated.diagnostics, 'warning', /listener-attributes.HTTPS-80 is ignored: port 80 is HTTP, not HTTPS/);
    only(translated.diagnostics, 'warning', /listener-attributes.HTTP-8080 is ignored: this Ingress does not listen/);
  });

  it('in a group, listener attributes merge by key; the older member keeps a key both set, and its mutual TLS', () => {
    const group = { [`${ALB}group.name`]: 'shop', [`${ALB}certificate-arn`]: CERT };
    const translated = translate([
      {
        name: 'a-old',
        annotations: { ...group, [`${ALB}mutual-authentication`]: MTLS, [`${ALB}listener-attributes.HTTPS-443`]: 'routing.http.response.server.enabled=false' },
        rules: [{ host: 'a.example.com', paths: [{ path: '/', pathType: 'Prefix', service: 'app' }] }],
      },
      {
        name: 'b-new',
        annotations: {
          ...group,
          [`${ALB}mutual-authentication`]: '[{"port":443,"mode":"off"}]',
          [`${ALB}listener-attributes.HTTPS-443`]: 'routing.http.response.server.enabled=true, routing.http.response.x_frame_options.header_value=DENY',
        },
        rules: [{ host: 'b.example.com', paths: [{ path: '/', pathType: 'Prefix', service: 'api' }] }],
      },
    ]);
    const spec = onlySpec(translated);
    assert.deepEqual(listener(spec, 443).mutualAuthentication?.mode, 'verify');
    assert.deepEqual(listener(spec, 443).attributes, {
      'routing.http.response.server.enabled': 'false',
      'routing.http.response.x_frame_options.header_value': 'DENY',
    });
    only(translated.diagnostics, 'warning', /mutual-authentication of port 443 is .* here, but .* for the whole group: default\/a-old/);
    only(translated.diagnostics, 'warning', /listener attribute routing.http.response.server.enabled of port 443/);
  });
});

describe('WAF and Shield: group-wide, decided by the oldest member', () => {
  const member = (name: string, annotations: Record<string, string>): IngressFixture => ({
    name,
    annotations: { [`${ALB}group.name`]: 'shop', ...annotations },
    rules: [{ host: `${name}.example.com`, paths: [{ path: '/', pathType: 'Prefix', service: 'app' }] }],
  });
  // No creationTimestamp in the fixtures: age falls back to namespace/name, so `a` is the oldest.

  it("the oldest member's web ACL and Shield setting are the load balancer's", () => {
    const spec = onlySpec(translate([member('a', { [`${ALB}wafv2-acl-arn`]: ACL_A, [`${ALB}shield-advanced-protection`]: 'true' }), member('b', {})]));
    assert.deepEqual(spec.webAcl, { kind: 'arn', arn: ACL_A });
    assert.equal(spec.shieldAdvancedProtection, true);
  });

  it('a newer member that disagrees is warned and does not change them', () => {
    const translated = translate([
      member('a', { [`${ALB}wafv2-acl-arn`]: ACL_A, [`${ALB}shield-advanced-protection`]: 'true' }),
      member('b', { [`${OWN}wafv2-acl-arn`]: ACL_B, [`${OWN}shield-advanced-protection`]: 'false' }),
    ]);
    const spec = onlySpec(translated);
    assert.deepEqual(spec.webAcl, { kind: 'arn', arn: ACL_A });
    assert.equal(spec.shieldAdvancedProtection, true);
    assert.equal(spec.stack.members.length, 2);
    const waf = only(translated.diagnostics, 'warning', /the WAF web ACL is .* here, but .* for the whole group: default\/a/);
    assert.equal(waf.field, `metadata.annotations["${OWN}wafv2-acl-arn"]`);
    only(translated.diagnostics, 'warning', /shield-advanced-protection is false here/);
  });

  it('a newer member cannot put on, or take off, what the oldest left to the default', () => {
    const translated = translate([member('a', {}), member('b', { [`${ALB}wafv2-acl-arn`]: 'none', [`${ALB}shield-advanced-protection`]: 'true' })]);
    const spec = onlySpec(translated);
    assert.equal(spec.webAcl, undefined);
    assert.equal(spec.shieldAdvancedProtection, undefined);
    only(translated.diagnostics, 'warning', /the WAF web ACL is none here, but the default for the whole group/);
  });

  it('a web ACL by name reaches the spec by name, for the provider to resolve', () => {
    const spec = onlySpec(translate([web({ [`${ALB}wafv2-acl-name`]: 'shop-acl' })]));
    assert.deepEqual(spec.webAcl, { kind: 'name', name: 'shop-acl' });
  });
});

describe('target-node-labels', () => {
  const NODES = ['edge', 'batch']
    .map(
      (role, index) => `apiVersion: v1
kind: Node
metadata: {name: node-${role}, labels: {role: ${role}}}
spec: {providerID: "aws:///eu-west-1a/i-0${index}aaaaaaaaaaaaaaa"}
status:
  conditions: [{type: Ready, status: "True"}]
  addresses: [{type: InternalIP, address: 10.1.0.${index + 2}}]
---
`,
    )
    .join('');

  it('instance targets only on Nodes that carry the labels', () => {
    const spec = onlySpec(translate([web({ [`${ALB}target-node-labels`]: 'role=edge' })], NODES));
    assert.ok(spec.targetGroups.length > 0);
    for (const group of spec.targetGroups) {
      assert.deepEqual(
        group.targets.map((target) => target.node),
        ['node-edge'],
      );
      assert.deepEqual(group.nodeLabels, { role: 'edge' });
    }
  });

  it("the Service's labels win over the Ingress's", () => {
    const service = serviceYaml({ name: 'batchy', nodePort: 30099, annotations: { [`${ALB}target-node-labels`]: 'role=batch' } });
    const spec = onlySpec(
      translate(
        [
          {
            name: 'web',
            annotations: { [`${ALB}target-node-labels`]: 'role=edge' },
            rules: [{ paths: [{ path: '/', pathType: 'Prefix', service: 'batchy' }] }],
          },
        ],
        NODES + service,
      ),
    );
    assert.deepEqual(
      spec.targetGroups[0]?.targets.map((target) => target.node),
      ['node-batch'],
    );
  });

  it('ip targets are not filtered (they are Pods, not Nodes)', () => {
    const spec = onlySpec(translate([web({ [`${ALB}target-node-labels`]: 'role=edge', [`${ALB}target-type`]: 'ip' })], NODES));
    assert.ok(spec.targetGroups.length > 0);
    for (const group of spec.targetGroups) {
      assert.equal(group.targets.length, 1);
      assert.equal(group.nodeLabels, undefined);
    }
  });
});

describe('target groups outside the cluster', () => {
  it('are forwarded to by key and listed in externalTargetGroups; no target group of ours is made for them', () => {
    const spec = onlySpec(
      translate([
        {
          name: 'web',
          annotations: {
            [`${ALB}actions.legacy`]: `{"type":"forward","targetGroupARN":"${LEGACY_TG}"}`,
            [`${ALB}actions.split`]:
              '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"app","servicePort":80,"weight":90},{"targetGroupName":"old-web","weight":10}]}}',
          },
          rules: [
            {
              paths: [
                { path: '/legacy', pathType: 'Prefix', service: 'legacy', port: 'use-annotation' },
                { path: '/', pathType: 'Prefix', service: 'split', port: 'use-annotation' },
              ],
            },
          ],
        },
      ]),
    );
    assert.deepEqual(spec.externalTargetGroups, [
      { key: `external:arn:${LEGACY_TG}`, ref: { kind: 'arn', arn: LEGACY_TG } },
      { key: 'external:name:old-web', ref: { kind: 'name', name: 'old-web' } },
    ]);
    assert.deepEqual(
      spec.targetGroups.map((group) => group.key),
      ['default/app:80/instance'],
    );
    const split = listener(spec, 80).rules.find((rule) => rule.origin.path === '/');
    assert.deepEqual(split?.actions, [
      {
        type: 'forward',
        targetGroups: [
          { targetGroupKey: 'default/app:80/instance', weight: 90 },
          { targetGroupKey: 'external:name:old-web', weight: 10 },
        ],
      },
    ]);
  });
});
