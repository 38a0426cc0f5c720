/**
 * Table tests for the annotations of issue 14 (WAF, Shield, authentication, JWT validation,
 * rewrites, mutual TLS, listener attributes, node selection, outside target groups): every accepted
 * value reads to its typed form under both prefixes; every rejected value is an error on the
 * Ingress and the annotation, saying what is accepted, and sets nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ObjectRef } from '../../src/model.js';
import type { IngressAnnotations } from '../../src/translate/annotation-types.js';
import { parseIngressAnnotations, parseServiceAnnotations } from '../../src/translate/annotations.js';

const INGRESS: ObjectRef = { kind: 'Ingress', namespace: 'shop', name: 'web' };
const PREFIXES = ['alb.ingress.kubernetes.io/', 'ingress-bridge.io/'];

const ACL_ARN = 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/shop-acl/a1b2c3d4-5678-90ab-cdef-111111111111';
const POOL_ARN = 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123';
const TRUST_STORE_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:truststore/partners/0123456789abcdef';
const OIDC = {
  issuer: 'https://idp.example.com',
  authorizationEndpoint: 'https://idp.example.com/authorize',
  tokenEndpoint: 'https://idp.example.com/token',
  userInfoEndpoint: 'https://idp.example.com/userinfo',
  secretName: 'shop-oidc',
};

interface Good {
  key: string;
  raw: string;
  read: (value: IngressAnnotations) => unknown;
  expected: unknown;
}

const GOOD: Good[] = [
  { key: 'wafv2-acl-arn', raw: ACL_ARN, read: (v) => v.webAcl, expected: { kind: 'arn', arn: ACL_ARN } },
  { key: 'wafv2-acl-arn', raw: 'none', read: (v) => v.webAcl, expected: { kind: 'none' } },
  { key: 'wafv2-acl-name', raw: 'shop_acl-1', read: (v) => v.webAcl, expected: { kind: 'name', name: 'shop_acl-1' } },
  { key: 'shield-advanced-protection', raw: 'true', read: (v) => v.shieldAdvancedProtection, expected: true },
  { key: 'shield-advanced-protection', raw: 'False', read: (v) => v.shieldAdvancedProtection, expected: false },
  { key: 'auth-type', raw: 'oidc', read: (v) => v.auth.type, expected: 'oidc' },
  { key: 'auth-type', raw: 'cognito', read: (v) => v.auth.type, expected: 'cognito' },
  { key: 'auth-type', raw: 'none', read: (v) => v.auth.type, expected: 'none' },
  { key: 'auth-idp-oidc', raw: JSON.stringify(OIDC), read: (v) => v.auth.oidc, expected: OIDC },
  {
    key: 'auth-idp-oidc',
    raw: JSON.stringify({ ...OIDC, authenticationRequestExtraParams: { prompt: 'login', display: 'page' } }),
    read: (v) => v.auth.oidc?.authenticationRequestExtraParams,
    expected: { prompt: 'login', display: 'page' },
  },
  {
    key: 'auth-idp-cognito',
    raw: `{"userPoolARN":"${POOL_ARN}","userPoolClientID":"7abc123","userPoolDomain":"shop-login"}`,
    read: (v) => v.auth.cognito,
    expected: { userPoolArn: POOL_ARN, userPoolClientId: '7abc123', userPoolDomain: 'shop-login' },
  },
  { key: 'auth-on-unauthenticated-request', raw: 'deny', read: (v) => v.auth.onUnauthenticatedRequest, expected: 'deny' },
  { key: 'auth-on-unauthenticated-request', raw: 'allow', read: (v) => v.auth.onUnauthenticatedRequest, expected: 'allow' },
  { key: 'auth-scope', raw: 'openid email profile', read: (v) => v.auth.scope, expected: 'openid email profile' },
  { key: 'auth-session-cookie', raw: 'shop-session', read: (v) => v.auth.sessionCookieName, expected: 'shop-session' },
  { key: 'auth-session-timeout', raw: '3600', read: (v) => v.auth.sessionTimeoutSeconds, expected: 3600 },
  { key: 'auth-session-timeout', raw: '604800', read: (v) => v.auth.sessionTimeoutSeconds, expected: 604800 },
  {
    key: 'auth-authentication-request-extra-params',
    raw: 'prompt=login, kc_idp_hint=corp',
    read: (v) => v.auth.authenticationRequestExtraParams,
    expected: { prompt: 'login', kc_idp_hint: 'corp' },
  },
  {
    key: 'jwt-validation',
    raw: '{"issuer":"https://issuer.example.com","jwksEndpoint":"https://issuer.example.com/.well-known/jwks.json"}',
    read: (v) => v.jwtValidation,
    expected: { issuer: 'https://issuer.example.com', jwksEndpoint: 'https://issuer.example.com/.well-known/jwks.json', additionalClaims: [] },
  },
  {
    key: 'jwt-validation',
    raw: JSON.stringify({
      issuer: 'https://issuer.example.com',
      jwksEndpoint: 'https://issuer.example.com/jwks',
      additionalClaims: [
        { format: 'single-string', name: 'admin', values: ['true'] },
        { format: 'string-array', name: 'roles', values: ['admin', 'editor'] },
        { format: 'space-separated-values', name: 'scope', values: ['read:api', 'write'] },
      ],
    }),
    read: (v) => v.jwtValidation?.additionalClaims.map((claim) => `${claim.format}:${claim.name}=${claim.values.join('|')}`),
    expected: ['single-string:admin=true', 'string-array:roles=admin|editor', 'space-separated-values:scope=read:api|write'],
  },
  {
    key: 'transforms.api',
    raw: '[{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"^/api/(.+)$","replace":"/$1"}]}}]',
    read: (v) => v.transforms.get('api'),
    expected: [{ type: 'url-rewrite', regex: '^/api/(.+)$', replace: '/$1' }],
  },
  {
    key: 'transforms.api',
    raw: JSON.stringify([
      { type: 'host-header-rewrite', hostHeaderRewriteConfig: { rewrites: [{ regex: '^(.+)\\.example\\.com$', replace: '$1.example.org' }] } },
      { type: 'url-rewrite', urlRewriteConfig: { rewrites: [{ regex: '^/old(/.*)?$', replace: '/new$1' }] } },
    ]),
    read: (v) => v.transforms.get('api')?.map((transform) => transform.type),
    expected: ['host-header-rewrite', 'url-rewrite'],
  },
  {
    key: 'mutual-authentication',
    raw: `[{"port":443,"mode":"verify","trustStore":"${TRUST_STORE_ARN}","ignoreClientCertificateExpiry":true,"advertiseTrustStoreCaNames":"on"},{"port":8443,"mode":"passthrough"},{"port":9443,"mode":"off"}]`,
    read: (v) => [...(v.mutualAuthentication ?? [])],
    expected: [
      [443, { mode: 'verify', trustStoreArn: TRUST_STORE_ARN, ignoreClientCertificateExpiry: true, advertiseTrustStoreCaNames: true }],
      [8443, { mode: 'passthrough' }],
      [9443, { mode: 'off' }],
    ],
  },
  {
    key: 'mutual-authentication',
    raw: '[{"port":443,"mode":"verify","trustStore":"partners"}]',
    read: (v) => v.mutualAuthentication?.get(443),
    expected: { mode: 'verify', trustStoreName: 'partners' },
  },
  {
    key: 'listener-attributes.HTTPS-443',
    raw: 'routing.http.response.server.enabled=false, routing.http.response.strict_transport_security.header_value=max-age=31536000; includeSubDomains',
    read: (v) => v.listenerAttributes.get(443),
    expected: {
      protocol: 'HTTPS',
      attributes: {
        'routing.http.response.server.enabled': 'false',
        'routing.http.response.strict_transport_security.header_value': 'max-age=31536000; includeSubDomains',
      },
    },
  },
  {
    key: 'listener-attributes.HTTP-8080',
    raw: 'routing.http.request.x_amzn_tls_version.header_name=X-Tls-Version',
    read: (v) => v.listenerAttributes.get(8080),
    expected: { protocol: 'HTTP', attributes: { 'routing.http.request.x_amzn_tls_version.header_name': 'X-Tls-Version' } },
  },
  {
    key: 'target-node-labels',
    raw: 'node.kubernetes.io/role=edge, zone=a',
    read: (v) => v.targetNodeLabels,
    expected: { 'node.kubernetes.io/role': 'edge', zone: 'a' },
  },
  { key: 'target-node-labels', raw: 'dedicated=', read: (v) => v.targetNodeLabels, expected: { dedicated: '' } },
];

describe('issue 14 annotations: accepted values', () => {
  for (const entry of GOOD) {
    it(`${entry.key}: ${entry.raw.slice(0, 60)}`, () => {
      for (const prefix of PREFIXES) {
        const parsed = parseIngressAnnotations({ [`${prefix}${entry.key}`]: entry.raw }, INGRESS);
        assert.deepEqual(parsed.diagnostics, []);
        assert.deepEqual(entry.read(parsed.value), entry.expected);
      }
    });
  }

  it('target-node-labels is also read from a Service', () => {
    const parsed = parseServiceAnnotations({ 'alb.ingress.kubernetes.io/target-node-labels': 'pool=web' }, { kind: 'Service', namespace: 'shop', name: 'web' });
    assert.deepEqual(parsed.diagnostics, []);
    assert.deepEqual(parsed.value.targetNodeLabels, { pool: 'web' });
  });

  it('authentication annotations are read on an Ingress only: on a Service they are a warning', () => {
    const parsed = parseServiceAnnotations({ 'alb.ingress.kubernetes.io/auth-type': 'oidc' }, { kind: 'Service', namespace: 'shop', name: 'web' });
    assert.equal(parsed.diagnostics.length, 1);
    assert.equal(parsed.diagnostics[0]?.severity, 'warning');
    assert.match(parsed.diagnostics[0]?.message ?? '', /applies to an Ingress only/);
  });
});

interface Bad {
  key: string;
  raw: string;
  problem: RegExp;
  read: (value: IngressAnnotations) => unknown;
}

const oidcWith = (change: Record<string, unknown>): string => JSON.stringify({ ...OIDC, ...change });
const transform = (type: string, regex: string, replace: string): string =>
  JSON.stringify([{ type, [type === 'url-rewrite' ? 'urlRewriteConfig' : 'hostHeaderRewriteConfig']: { rewrites: [{ regex, replace }] } }]);
const jwt = (change: Record<string, unknown>): string =>
  JSON.stringify({ issuer: 'https://issuer.example.com', jwksEndpoint: 'https://issuer.example.com/jwks', ...change });

const BAD: Bad[] = [
  {
    key: 'wafv2-acl-arn',
    raw: 'arn:aws:wafv2:eu-west-1:123456789012:global/webacl/x/a1b2c3d4-5678-90ab-cdef-000000000000',
    problem: /regional WAFv2 web ACL ARN/,
    read: (v) => v.webAcl,
  },
  { key: 'wafv2-acl-arn', raw: 'my-acl', problem: /none or a regional WAFv2 web ACL ARN/, read: (v) => v.webAcl },
  { key: 'wafv2-acl-name', raw: 'shop acl', problem: /1 to 128 letters, digits, "_" or "-"/, read: (v) => v.webAcl },
  { key: 'wafv2-acl-name', raw: 'a'.repeat(129), problem: /1 to 128/, read: (v) => v.webAcl },
  { key: 'shield-advanced-protection', raw: 'yes', problem: /true or false/, read: (v) => v.shieldAdvancedProtection },
  { key: 'auth-type', raw: 'saml', problem: /none, oidc or cognito/, read: (v) => v.auth.type },
  { key: 'auth-idp-oidc', raw: '{"issuer":', problem: /valid JSON/, read: (v) => v.auth.oidc },
  {
    key: 'auth-idp-oidc',
    raw: oidcWith({ issuer: 'http://idp.example.com' }),
    problem: /issuer "http:\/\/idp\.example\.com" must use https/,
    read: (v) => v.auth.oidc,
  },
  {
    key: 'auth-idp-oidc',
    raw: oidcWith({ tokenEndpoint: 'idp.example.com/token' }),
    problem: /tokenEndpoint .* is not an absolute URL/,
    read: (v) => v.auth.oidc,
  },
  {
    key: 'auth-idp-oidc',
    raw: oidcWith({ userInfoEndpoint: 'https://user:pw@idp.example.com/u' }),
    problem: /user name or password/,
    read: (v) => v.auth.oidc,
  },
  { key: 'auth-idp-oidc', raw: oidcWith({ authorizationEndpoint: 'https://idp.example.com/a#x' }), problem: /fragment/, read: (v) => v.auth.oidc },
  {
    key: 'auth-idp-oidc',
    raw: oidcWith({ authorizationEndpoint: 'https://idp.example.com/a\r\nX: y' }),
    problem: /control character/,
    read: (v) => v.auth.oidc,
  },
  { key: 'auth-idp-oidc', raw: oidcWith({ secretName: undefined }), problem: /secretName must be the name of a Secret/, read: (v) => v.auth.oidc },
  { key: 'auth-idp-oidc', raw: oidcWith({ secretName: 'Shop_OIDC' }), problem: /secretName must be the name of a Secret/, read: (v) => v.auth.oidc },
  {
    key: 'auth-idp-oidc',
    raw: oidcWith({ authenticationRequestExtraParams: { 'bad key': 'x' } }),
    problem: /key "bad key" must be letters/,
    read: (v) => v.auth.oidc,
  },
  {
    key: 'auth-idp-oidc',
    raw: oidcWith({ authenticationRequestExtraParams: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`p${i}`, 'v'])) }),
    problem: /11 parameters; the ALB allows 10/,
    read: (v) => v.auth.oidc,
  },
  {
    key: 'auth-idp-cognito',
    raw: `{"userPoolARN":"arn:aws:cognito-idp:eu-west-1:123456789012:pool/x","userPoolClientID":"a","userPoolDomain":"d"}`,
    problem: /userPoolARN must be a user pool ARN/,
    read: (v) => v.auth.cognito,
  },
  {
    key: 'auth-idp-cognito',
    raw: `{"userPoolARN":"${POOL_ARN}","userPoolClientID":"a b","userPoolDomain":"d"}`,
    problem: /userPoolClientID must be an app client id/,
    read: (v) => v.auth.cognito,
  },
  {
    key: 'auth-idp-cognito',
    raw: `{"userPoolARN":"${POOL_ARN}","userPoolClientID":"a","userPoolDomain":"Shop_Login"}`,
    problem: /userPoolDomain must be/,
    read: (v) => v.auth.cognito,
  },
  { key: 'auth-on-unauthenticated-request', raw: 'redirect', problem: /authenticate, allow or deny/, read: (v) => v.auth.onUnauthenticatedRequest },
  { key: 'auth-scope', raw: 'openid  email', problem: /space-separated OAuth scopes/, read: (v) => v.auth.scope },
  { key: 'auth-scope', raw: 'openid "email"', problem: /space-separated OAuth scopes/, read: (v) => v.auth.scope },
  { key: 'auth-session-cookie', raw: 'session;Path=/', problem: /cookie name/, read: (v) => v.auth.sessionCookieName },
  { key: 'auth-session-timeout', raw: '0', problem: /integer from 1 to 604800/, read: (v) => v.auth.sessionTimeoutSeconds },
  { key: 'auth-session-timeout', raw: '604801', problem: /integer from 1 to 604800/, read: (v) => v.auth.sessionTimeoutSeconds },
  { key: 'auth-authentication-request-extra-params', raw: 'prompt', problem: /key=value pairs/, read: (v) => v.auth.authenticationRequestExtraParams },
  { key: 'jwt-validation', raw: '["https://issuer"]', problem: /JSON object/, read: (v) => v.jwtValidation },
  { key: 'jwt-validation', raw: jwt({ issuer: 'x'.repeat(257) }), problem: /issuer must be a non-empty string of at most 256/, read: (v) => v.jwtValidation },
  {
    key: 'jwt-validation',
    raw: jwt({ jwksEndpoint: 'http://issuer.example.com/jwks' }),
    problem: /jwksEndpoint .* must use https/,
    read: (v) => v.jwtValidation,
  },
  {
    key: 'jwt-validation',
    raw: jwt({ jwksEndpoint: `https://issuer.example.com/${'j'.repeat(250)}` }),
    problem: /at most 256 are allowed/,
    read: (v) => v.jwtValidation,
  },
  {
    key: 'jwt-validation',
    raw: jwt({ additionalClaims: [{ format: 'regex', name: 'a', values: ['b'] }] }),
    problem: /format must be single-string, string-array or space-separated-values/,
    read: (v) => v.jwtValidation,
  },
  {
    key: 'jwt-validation',
    raw: jwt({ additionalClaims: [{ format: 'single-string', name: 'exp', values: ['1'] }] }),
    problem: /"exp" is always validated/,
    read: (v) => v.jwtValidation,
  },
  {
    key: 'jwt-validation',
    raw: jwt({ additionalClaims: [{ format: 'single-string', name: 'a', values: [] }] }),
    problem: /values must list 1 to 10 strings/,
    read: (v) => v.jwtValidation,
  },
  {
    key: 'jwt-validation',
    raw: jwt({ additionalClaims: [{ format: 'space-separated-values', name: 'scope', values: ['read write'] }] }),
    problem: /must not contain a space/,
    read: (v) => v.jwtValidation,
  },
  {
    key: 'jwt-validation',
    raw: jwt({ additionalClaims: Array.from({ length: 11 }, (_, i) => ({ format: 'single-string', name: `c${i}`, values: ['x'] })) }),
    problem: /at most 10 claims/,
    read: (v) => v.jwtValidation,
  },
  {
    key: 'jwt-validation',
    raw: jwt({
      additionalClaims: [
        { format: 'single-string', name: 'a', values: ['x'] },
        { format: 'string-array', name: 'a', values: ['y'] },
      ],
    }),
    problem: /"a" is listed twice/,
    read: (v) => v.jwtValidation,
  },
  { key: 'transforms.api', raw: '{"type":"url-rewrite"}', problem: /non-empty JSON list/, read: (v) => v.transforms.get('api') },
  { key: 'transforms.api', raw: '[{"type":"path-rewrite"}]', problem: /type must be url-rewrite or host-header-rewrite/, read: (v) => v.transforms.get('api') },
  {
    key: 'transforms.api',
    raw: '[{"type":"url-rewrite","hostHeaderRewriteConfig":{}}]',
    problem: /needs urlRewriteConfig/,
    read: (v) => v.transforms.get('api'),
  },
  { key: 'transforms.api', raw: '[{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[]}}]', problem: /exactly one/, read: (v) => v.transforms.get('api') },
  {
    key: 'transforms.api',
    raw: JSON.stringify([
      { type: 'url-rewrite', urlRewriteConfig: { rewrites: [{ regex: '^/a$', replace: '/b' }] } },
      { type: 'url-rewrite', urlRewriteConfig: { rewrites: [{ regex: '^/c$', replace: '/d' }] } },
    ]),
    problem: /second url-rewrite; the ALB allows one transform of each type per rule/,
    read: (v) => v.transforms.get('api'),
  },
  {
    key: 'transforms.api',
    raw: transform('url-rewrite', '^/(?=api)', '/'),
    problem: /not a regular expression the ALB accepts/,
    read: (v) => v.transforms.get('api'),
  },
  {
    key: 'transforms.api',
    raw: transform('url-rewrite', '^/(a)(b)$', '/$3'),
    problem: /capture group \$3, but the regex has 2/,
    read: (v) => v.transforms.get('api'),
  },
  { key: 'transforms.api', raw: transform('url-rewrite', '^/a$', 'b'), problem: /must start with "\/"/, read: (v) => v.transforms.get('api') },
  { key: 'transforms.api', raw: transform('url-rewrite', '^/a$', '/b c'), problem: /visible ASCII/, read: (v) => v.transforms.get('api') },
  {
    key: 'transforms.api',
    raw: transform('url-rewrite', '^/a$', '/b$'),
    problem: /"\$" that does not start a capture group/,
    read: (v) => v.transforms.get('api'),
  },
  {
    key: 'transforms.api',
    raw: transform('host-header-rewrite', '^(.*)$', '$1.example.org\r\nX: y'),
    problem: /must be a host name/,
    read: (v) => v.transforms.get('api'),
  },
  { key: 'transforms.api', raw: transform('host-header-rewrite', '^(.*)$', ''), problem: /cannot be empty/, read: (v) => v.transforms.get('api') },
  { key: 'transforms.api', raw: transform('url-rewrite', `^/${'a'.repeat(1024)}$`, '/'), problem: /the ALB allows 1024/, read: (v) => v.transforms.get('api') },
  { key: 'mutual-authentication', raw: '{"port":443,"mode":"verify"}', problem: /JSON list/, read: (v) => v.mutualAuthentication },
  {
    key: 'mutual-authentication',
    raw: '[{"port":443,"mode":"strict"}]',
    problem: /mode must be off, passthrough or verify/,
    read: (v) => v.mutualAuthentication,
  },
  { key: 'mutual-authentication', raw: '[{"port":70000,"mode":"off"}]', problem: /port must be a port number/, read: (v) => v.mutualAuthentication },
  {
    key: 'mutual-authentication',
    raw: '[{"port":443,"mode":"verify"}]',
    problem: /trustStore must be a trust store ARN .* or name, which mode verify needs/,
    read: (v) => v.mutualAuthentication,
  },
  {
    key: 'mutual-authentication',
    raw: `[{"port":443,"mode":"passthrough","trustStore":"${TRUST_STORE_ARN}"}]`,
    problem: /trustStore applies to mode verify only/,
    read: (v) => v.mutualAuthentication,
  },
  {
    key: 'mutual-authentication',
    raw: '[{"port":443,"mode":"off","ignoreClientCertificateExpiry":true}]',
    problem: /ignoreClientCertificateExpiry applies to mode verify only/,
    read: (v) => v.mutualAuthentication,
  },
  {
    key: 'mutual-authentication',
    raw: '[{"port":443,"mode":"verify","trustStore":"ts","advertiseTrustStoreCaNames":true}]',
    problem: /advertiseTrustStoreCaNames must be "on" or "off"/,
    read: (v) => v.mutualAuthentication,
  },
  {
    key: 'mutual-authentication',
    raw: '[{"port":443,"mode":"off"},{"port":443,"mode":"passthrough"}]',
    problem: /port 443 is listed twice/,
    read: (v) => v.mutualAuthentication,
  },
  {
    key: 'listener-attributes.HTTPS-443',
    raw: 'routing.http.response.server.enabled=maybe',
    problem: /must be true or false/,
    read: (v) => v.listenerAttributes.get(443),
  },
  {
    key: 'listener-attributes.HTTPS-443',
    raw: 'idle_timeout.timeout_seconds=60',
    problem: /is not a listener attribute of an Application Load Balancer/,
    read: (v) => v.listenerAttributes.get(443),
  },
  {
    key: 'listener-attributes.HTTPS-443',
    raw: 'routing.http.request.x_amzn_tls_version.header_name=X Tls',
    problem: /must be an HTTP header name/,
    read: (v) => v.listenerAttributes.get(443),
  },
  {
    key: 'listener-attributes.HTTPS-443',
    raw: 'routing.http.response.x_frame_options.header_value=DENY\u0085',
    problem: /control character/,
    read: (v) => v.listenerAttributes.get(443),
  },
  {
    key: 'listener-attributes.TCP-443',
    raw: 'routing.http.response.server.enabled=false',
    problem: /must end in <PROTOCOL>-<port>/,
    read: (v) => v.listenerAttributes.get(443),
  },
  {
    key: 'listener-attributes.HTTPS-0',
    raw: 'routing.http.response.server.enabled=false',
    problem: /must end in <PROTOCOL>-<port>/,
    read: (v) => v.listenerAttributes.get(0),
  },
  { key: 'target-node-labels', raw: 'role', problem: /key=value pairs/, read: (v) => v.targetNodeLabels },
  { key: 'target-node-labels', raw: 'Role Name=edge', problem: /is not a label key/, read: (v) => v.targetNodeLabels },
  { key: 'target-node-labels', raw: 'role=edge!', problem: /the value of label "role"/, read: (v) => v.targetNodeLabels },
  { key: 'target-node-labels', raw: `role=${'a'.repeat(64)}`, problem: /at most 63/, read: (v) => v.targetNodeLabels },
];

describe('issue 14 annotations: rejected values', () => {
  for (const entry of BAD) {
    it(`${entry.key}: ${entry.raw.slice(0, 70)}`, () => {
      for (const prefix of PREFIXES) {
        const key = `${prefix}${entry.key}`;
        const parsed = parseIngressAnnotations({ [key]: entry.raw }, INGRESS);
        assert.equal(parsed.diagnostics.length, 1, JSON.stringify(parsed.diagnostics));
        const [error] = parsed.diagnostics;
        assert.equal(error?.severity, 'error');
        assert.deepEqual(error?.object, INGRESS);
        assert.equal(error?.field, `metadata.annotations[${JSON.stringify(key)}]`);
        assert.ok(error?.message.startsWith(`${key} has an invalid value`), error?.message);
        assert.match(error?.message ?? '', entry.problem);
        assert.doesNotMatch(error?.message ?? '', /[\r\n]/);
        assert.equal(entry.read(parsed.value), undefined);
      }
    });
  }

  it('refuses a web ACL named twice (by ARN and by name), keeping the ARN', () => {
    const parsed = parseIngressAnnotations(
      { 'alb.ingress.kubernetes.io/wafv2-acl-arn': ACL_ARN, 'alb.ingress.kubernetes.io/wafv2-acl-name': 'other' },
      INGRESS,
    );
    assert.equal(parsed.diagnostics.length, 1);
    assert.equal(parsed.diagnostics[0]?.severity, 'error');
    assert.equal(parsed.diagnostics[0]?.field, 'metadata.annotations["alb.ingress.kubernetes.io/wafv2-acl-name"]');
    assert.deepEqual(parsed.value.webAcl, { kind: 'arn', arn: ACL_ARN });
  });

  it('refuses two listener-attributes annotations for one port', () => {
    const parsed = parseIngressAnnotations(
      {
        'alb.ingress.kubernetes.io/listener-attributes.HTTPS-443': 'routing.http.response.server.enabled=false',
        'alb.ingress.kubernetes.io/listener-attributes.HTTP-443': 'routing.http.response.server.enabled=true',
      },
      INGRESS,
    );
    assert.equal(parsed.diagnostics.filter((entry) => entry.severity === 'error').length, 1);
    assert.match(parsed.diagnostics[0]?.message ?? '', /one per port/);
  });

  it('still warns about WAF Classic, with what to use instead', () => {
    const parsed = parseIngressAnnotations({ 'alb.ingress.kubernetes.io/waf-acl-id': 'abc' }, INGRESS);
    assert.equal(parsed.diagnostics[0]?.severity, 'warning');
    assert.match(parsed.diagnostics[0]?.message ?? '', /WAF Classic .* use wafv2-acl-arn/);
  });
});
