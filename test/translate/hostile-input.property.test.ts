/**
 * Property (DESIGN.md sections 8 and 9, issue 11): random and hostile annotations, hosts, paths,
 * backends and TLS Secret data never make translate throw; every problem is a diagnostic naming its
 * object and field; an Ingress left out is told why; and a valid Ingress in the same group keeps
 * exactly the rules it has without the hostile one beside it.
 *
 * The hostile Ingress joins the valid one's group but is newer and sorts after it, and never sets
 * group.order: group-wide settings and quotas are the older member's to decide by design, so this
 * isolates robustness from the (tested elsewhere) rules of who decides.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Ingress, V1IngressRule, V1Secret } from '@kubernetes/client-node';
import fc from 'fast-check';
import type { Diagnostic, LoadBalancerSpec } from '../../src/model.js';
import { translateAll } from '../../src/translate/index.js';
import { regexValueProblem } from '../../src/translate/regex.js';
import { INGRESS_CLASS_YAML, ingressYaml, NODE_YAML, serviceYaml, snapshotFromYaml, testOptions } from '../support/cluster.js';

const GROUP = 'shop';
const ANCHOR_HOST = 'anchor.test';
const BASE_YAML =
  INGRESS_CLASS_YAML +
  NODE_YAML +
  serviceYaml({ name: 'app' }) +
  serviceYaml({ name: 'other', nodePort: 30081, portName: 'web' }) +
  ingressYaml({
    name: 'anchor',
    annotations: { 'ingress-bridge.io/group.name': GROUP },
    rules: [
      {
        host: ANCHOR_HOST,
        paths: [
          { path: '/', pathType: 'Prefix', service: 'app' },
          { path: '/api', pathType: 'Exact', service: 'other', port: 'web' },
        ],
      },
    ],
  });

function baseSnapshot() {
  const snapshot = snapshotFromYaml(BASE_YAML);
  const anchor = snapshot.ingress('default', 'anchor');
  if (anchor?.metadata) anchor.metadata.creationTimestamp = new Date('2020-01-01T00:00:00Z');
  return snapshot;
}

/** The anchor's rules by listener port, without priorities (those may shift around other members' rules). */
function anchorRules(spec: LoadBalancerSpec | undefined): unknown {
  return (spec?.listeners ?? [])
    .map((listener) => ({
      port: listener.port,
      rules: listener.rules.filter((rule) => rule.origin.ingress.name === 'anchor').map(({ conditions, actions, origin }) => ({ conditions, actions, origin })),
    }))
    .filter((listener) => listener.rules.length > 0);
}

const EXPECTED = (() => {
  const shop = translateAll(baseSnapshot(), testOptions()).results.find((result) => result.stackId === GROUP);
  assert.ok(shop?.spec, 'the anchor alone translates');
  return anchorRules(shop.spec);
})();

const nested = (depth: number, open: string, close: string, inner = '1'): string => `${open.repeat(depth)}${inner}${close.repeat(depth)}`;

/** Strings chosen to break parsers, headers, regexes and matchers, and random ones of every code point. */
const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\r\n',
      'a\r\nSet-Cookie: x=y',
      '\u0000',
      '\u0085',
      '\u2028',
      '\ud800',
      'é',
      '😀',
      '*',
      '?',
      '*a*a*a*a*b',
      '(',
      '(?=a)',
      '(a)\\1',
      '^(a+)+$',
      '\\p{L}',
      'a++',
      '#{host}',
      '/#{path}',
      '#{query}',
      '/../admin',
      '/%2e%2e/x',
      '//x',
      'use-annotation',
      '*.test',
      '*.anchor.test',
      'HTTP_301',
      '503',
      'null',
      '[]',
      '{}',
      'true',
      '-1',
      '1e309',
      '0x50',
      '__proto__',
      'constructor',
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 200_000 }).map((length) => 'x'.repeat(length)) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 6000 }).map((depth) => nested(depth, '[', ']')) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 6000 }).map((depth) => nested(depth, '{"a":', '}')) },
  { weight: 1, arbitrary: fc.json({ maxDepth: 4 }) },
);

const redirectJson = fc.record({
  type: fc.constantFrom('redirect', 'REDIRECT'),
  redirectConfig: fc.record(
    {
      statusCode: fc.oneof(fc.constantFrom('HTTP_301', 'HTTP_302'), hostileString),
      host: hostileString,
      path: hostileString,
      query: hostileString,
      port: fc.oneof(hostileString, fc.integer()),
      protocol: hostileString,
    },
    { requiredKeys: ['statusCode'] },
  ),
});
const fixedJson = fc.record({
  type: fc.constant('fixed-response'),
  fixedResponseConfig: fc.record(
    {
      statusCode: fc.oneof(fc.constantFrom('200', '503', 404), hostileString),
      contentType: fc.oneof(fc.constant('text/plain'), hostileString),
      messageBody: hostileString,
    },
    { requiredKeys: ['statusCode'] },
  ),
});
const forwardJson = fc.record({
  type: fc.constant('forward'),
  forwardConfig: fc.record({
    targetGroups: fc.array(
      fc.record({
        serviceName: fc.oneof(fc.constantFrom('app', 'other', 'missing'), hostileString),
        servicePort: fc.oneof(fc.constantFrom(80, 'web', '80'), hostileString, fc.integer()),
        weight: fc.oneof(fc.integer({ min: -5, max: 1200 }), hostileString),
      }),
      { maxLength: 7 },
    ),
    targetGroupStickinessConfig: fc.record({ enabled: fc.oneof(fc.boolean(), hostileString), durationSeconds: fc.oneof(fc.integer(), hostileString) }),
  }),
});
const transformsJson = fc.array(
  fc.record(
    {
      type: fc.oneof(fc.constantFrom('url-rewrite', 'host-header-rewrite'), hostileString),
      urlRewriteConfig: fc.record({ rewrites: fc.array(fc.record({ regex: hostileString, replace: hostileString }, { requiredKeys: [] }), { maxLength: 2 }) }),
      hostHeaderRewriteConfig: fc.record({
        rewrites: fc.array(fc.record({ regex: hostileString, replace: hostileString }, { requiredKeys: [] }), { maxLength: 2 }),
      }),
    },
    { requiredKeys: ['type'] },
  ),
  { maxLength: 3 },
);
const authJson = fc.record(
  {
    issuer: hostileString,
    authorizationEndpoint: hostileString,
    tokenEndpoint: hostileString,
    userInfoEndpoint: hostileString,
    secretName: fc.oneof(fc.constant('oidc'), hostileString),
    jwksEndpoint: hostileString,
    additionalClaims: fc.array(
      fc.record({ format: hostileString, name: hostileString, values: fc.array(hostileString, { maxLength: 3 }) }, { requiredKeys: [] }),
      { maxLength: 3 },
    ),
    authenticationRequestExtraParams: fc.dictionary(hostileString, hostileString, { maxKeys: 3 }),
    userPoolARN: hostileString,
    userPoolClientID: hostileString,
    userPoolDomain: hostileString,
  },
  { requiredKeys: [] },
);
const mutualJson = fc.array(
  fc.record(
    {
      port: fc.oneof(fc.constantFrom(443, 80), fc.integer(), hostileString),
      mode: fc.oneof(fc.constantFrom('off', 'passthrough', 'verify'), hostileString),
      trustStore: hostileString,
      ignoreClientCertificateExpiry: fc.oneof(fc.boolean(), hostileString),
      advertiseTrustStoreCaNames: hostileString,
    },
    { requiredKeys: [] },
  ),
  { maxLength: 3 },
);
const FIELDS = ['host-header', 'path-pattern', 'http-header', 'http-request-method', 'query-string', 'source-ip'];
const conditionsJson = fc.array(
  fc.record(
    {
      field: fc.oneof(fc.constantFrom(...FIELDS), hostileString),
      hostHeaderConfig: fc.record(
        { values: fc.array(hostileString, { maxLength: 4 }), regexValues: fc.array(hostileString, { maxLength: 4 }) },
        { requiredKeys: [] },
      ),
      pathPatternConfig: fc.record(
        { values: fc.array(hostileString, { maxLength: 4 }), regexValues: fc.array(hostileString, { maxLength: 4 }) },
        { requiredKeys: [] },
      ),
      httpHeaderConfig: fc.record(
        { httpHeaderName: hostileString, values: fc.array(hostileString, { maxLength: 4 }), regexValues: fc.array(hostileString, { maxLength: 4 }) },
        { requiredKeys: [] },
      ),
      httpRequestMethodConfig: fc.record({ values: fc.array(hostileString, { maxLength: 4 }) }),
      queryStringConfig: fc.record({ values: fc.array(fc.record({ key: hostileString, value: hostileString }, { requiredKeys: [] }), { maxLength: 4 }) }),
      sourceIpConfig: fc.record({ values: fc.array(fc.oneof(fc.constantFrom('10.0.0.0/8', '::/0'), hostileString), { maxLength: 4 }) }),
    },
    { requiredKeys: ['field'] },
  ),
  { maxLength: 4 },
);

/** Values some key takes, so that a hostile Ingress is often admitted and its rules merged with the anchor's. */
const PLAUSIBLE = [
  'internet-facing',
  'internal',
  'ip',
  'instance',
  'HTTP',
  'HTTPS',
  'GRPC',
  '/healthz',
  'traffic-port',
  '200-299',
  '443',
  '[{"HTTP":80}]',
  '[{"HTTP":80},{"HTTPS":443}]',
  'team=a',
  'idle_timeout.timeout_seconds=60',
  '10.0.0.0/8',
  'ELBSecurityPolicy-TLS13-1-2-2021-06',
  '{"type":"fixed-response","fixedResponseConfig":{"statusCode":"503","messageBody":"down"}}',
  '{"type":"redirect","redirectConfig":{"protocol":"HTTPS","port":"443","statusCode":"HTTP_301"}}',
  '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"app","servicePort":80,"weight":1},{"serviceName":"other","servicePort":"web","weight":2}]}}',
  '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X-Canary","regexValues":["^(a+)+$"]}}]',
  '[{"field":"query-string","queryStringConfig":{"values":[{"key":"v","value":"*a*a*a*a*b"}]}}]',
  'oidc',
  'cognito',
  'none',
  'deny',
  'openid email',
  '[{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"^/(.*)$","replace":"/v2/$1"}]}}]',
  '[{"port":443,"mode":"passthrough"}]',
  'routing.http.response.server.enabled=false',
  'role=edge',
  '{"type":"forward","targetGroupARN":"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/legacy/0123456789abcdef"}',
];

/** Annotation values: plain hostile strings, plausible ones, or JSON of the right shape with hostile leaves. */
const annotationValue = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 3, arbitrary: fc.constantFrom(...PLAUSIBLE) },
  {
    weight: 2,
    arbitrary: fc.oneof(redirectJson, fixedJson, forwardJson, conditionsJson, transformsJson, authJson, mutualJson).map((value) => JSON.stringify(value)),
  },
);

const KEYS = [
  'actions.app',
  'actions.moved',
  'conditions.app',
  'conditions.other',
  'listen-ports',
  'ssl-redirect',
  'scheme',
  'ip-address-type',
  'load-balancer-name',
  'subnets',
  'security-groups',
  'inbound-cidrs',
  'load-balancer-attributes',
  'certificate-arn',
  'ssl-policy',
  'tags',
  'target-type',
  'backend-protocol',
  'backend-protocol-version',
  'healthcheck-path',
  'healthcheck-port',
  'healthcheck-protocol',
  'healthcheck-interval-seconds',
  'healthcheck-timeout-seconds',
  'success-codes',
  'target-group-attributes',
  'auth-type',
  'no-such-key',
  'auth-idp-oidc',
  'auth-idp-cognito',
  'auth-scope',
  'auth-session-cookie',
  'auth-session-timeout',
  'auth-on-unauthenticated-request',
  'auth-authentication-request-extra-params',
  'jwt-validation',
  'transforms.app',
  'transforms.moved',
  'mutual-authentication',
  'listener-attributes.HTTPS-443',
  'listener-attributes.HTTP-80',
  'target-node-labels',
  'wafv2-acl-arn',
  'wafv2-acl-name',
  'shield-advanced-protection',
];
const annotations = fc.dictionary(
  fc
    .tuple(
      fc.constantFrom('alb.ingress.kubernetes.io/', 'ingress-bridge.io/'),
      fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...KEYS) }, { weight: 1, arbitrary: hostileString }),
    )
    .map(([prefix, key]) => `${prefix}${key}`),
  annotationValue,
  { maxKeys: 6 },
);

/** Hosts, avoiding the anchor's own host: two Ingresses claiming one host and path is a conflict by design. */
const host = fc
  .oneof(fc.constantFrom('a.test', '*.b.test', 'X.Example.com', '*.test'), hostileString)
  .filter((value) => value.toLowerCase().replace(/\.$/, '') !== ANCHOR_HOST);
const backend = fc.record({
  service: fc.record({
    name: fc.oneof(fc.constantFrom('app', 'other', 'moved', 'missing'), hostileString),
    port: fc.oneof(
      fc.record({ number: fc.oneof(fc.constantFrom(80), fc.integer()) }),
      fc.record({ name: fc.oneof(fc.constantFrom('web', 'use-annotation'), hostileString) }),
    ),
  }),
});
// Looser than V1IngressRule on purpose (pathType may be missing, as in a manifest the API server would refuse).
const rule: fc.Arbitrary<V1IngressRule> = fc
  .record(
    {
      host,
      http: fc.record({
        paths: fc.array(
          fc.record(
            {
              path: fc.oneof(fc.constantFrom('/', '/a', '/a/*', '/b/'), hostileString),
              pathType: fc.oneof(fc.constantFrom('Exact', 'Prefix', 'ImplementationSpecific'), hostileString),
              backend,
            },
            { requiredKeys: ['backend'] },
          ),
          { maxLength: 3 },
        ),
      }),
    },
    { requiredKeys: [] },
  )
  .map((value) => value as V1IngressRule);

const BEGIN = '-----BEGIN CERTIFICATE-----';
const pemText = fc.oneof(
  hostileString,
  fc.integer({ min: 1, max: 40_000 }).map((count) => `${BEGIN}\n`.repeat(count)),
  hostileString.map((inner) => `${BEGIN}\n${inner}\n-----END CERTIFICATE-----\n`),
  fc.constant('-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n'),
);
const secretData = fc
  .record({ 'tls.crt': pemText, 'tls.key': pemText }, { requiredKeys: [] })
  .map((data) => Object.fromEntries(Object.entries(data).map(([key, text]) => [key, Buffer.from(text).toString('base64')])));

const hostileIngress = fc.record({
  // Without annotations half the time: a bad annotation rejects the Ingress before its rules are read.
  annotations: fc.oneof(fc.constant({}), annotations),
  rules: fc.array(rule, { maxLength: 3 }),
  defaultBackend: fc.option(backend, { nil: undefined }),
  tls: fc.array(fc.record({ hosts: fc.array(host, { maxLength: 2 }), secretName: fc.constantFrom('tls', 'absent') }, { requiredKeys: [] }), { maxLength: 2 }),
  secretData,
});

/** Values in the spec that would reach a header, a redirect or a regex engine unchecked. */
function unsafeValues(spec: LoadBalancerSpec): string[] {
  const problems: string[] = [];
  const control = (where: string, value: string | undefined): void => {
    if (value !== undefined && /\p{Cc}/u.test(value)) problems.push(`${where} ${JSON.stringify(value)}`);
  };
  for (const rule of spec.listeners.flatMap((listener) => listener.rules)) {
    for (const condition of rule.conditions) {
      if (condition.field === 'query-string') {
        for (const pair of condition.values) [pair.key, pair.value].forEach((value) => control('query-string', value));
      } else if (condition.field === 'host-header' || condition.field === 'path-pattern' || condition.field === 'http-header') {
        for (const pattern of condition.regexValues ?? []) {
          const problem = regexValueProblem(pattern);
          if (problem !== undefined) problems.push(`${condition.field} regex ${JSON.stringify(pattern)} ${problem}`);
        }
        (condition.values ?? []).forEach((value) => control(condition.field, value));
        if (condition.field === 'http-header') control('header name', condition.headerName);
      }
    }
    for (const action of rule.actions) {
      if (action.type === 'redirect') [action.host, action.path, action.query, action.port, action.protocol].forEach((value) => control('redirect', value));
      if (action.type === 'fixed-response') [action.statusCode, action.contentType].forEach((value) => control('fixed-response', value));
    }
  }
  return problems;
}

function diagnosticProblems(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.flatMap((entry) => {
    const named = typeof entry.object.kind === 'string' && entry.object.kind !== '' && typeof entry.object.name === 'string' && entry.object.name !== '';
    // One line each, with no control character from the input: a message goes into logs and Events as it is.
    const clean = typeof entry.message === 'string' && entry.message !== '' && !/\p{Cc}/u.test(entry.message + entry.field);
    return named && typeof entry.field === 'string' && clean ? [] : [JSON.stringify(entry).slice(0, 300)];
  });
}

describe('translate on hostile input (property)', () => {
  it('never throws, names every problem, and leaves a valid Ingress of the same group its rules', () => {
    fc.assert(
      fc.property(hostileIngress, (generated) => {
        const snapshot = baseSnapshot();
        const ingress: V1Ingress = {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          metadata: {
            name: 'hostile',
            namespace: 'default',
            creationTimestamp: new Date('2024-01-01T00:00:00Z'),
            // The group is fixed after the generated annotations; group.order never set (see the module comment).
            annotations: { ...generated.annotations, 'alb.ingress.kubernetes.io/group.name': GROUP, 'ingress-bridge.io/group.name': GROUP },
          },
          spec: {
            ingressClassName: 'ingress-bridge',
            rules: generated.rules,
            tls: generated.tls,
            ...(generated.defaultBackend ? { defaultBackend: generated.defaultBackend } : {}),
          },
        };
        for (const key of Object.keys(ingress.metadata?.annotations ?? {})) {
          if (key.endsWith('/group.order')) delete ingress.metadata?.annotations?.[key];
        }
        const secret: V1Secret = {
          apiVersion: 'v1',
          kind: 'Secret',
          type: 'kubernetes.io/tls',
          metadata: { name: 'tls', namespace: 'default' },
          data: generated.secretData,
        };
        snapshot.upsert('Ingress', ingress);
        snapshot.upsert('Secret', secret);

        const all = translateAll(snapshot, testOptions());
        const diagnostics = [...all.diagnostics, ...all.results.flatMap((result) => result.diagnostics)];
        assert.deepEqual(diagnosticProblems(diagnostics), [], 'every diagnostic names its object and field, on one clean line');
        assert.deepEqual(
          diagnostics.filter((entry) => entry.object.name === 'anchor' && entry.severity === 'error'),
          [],
          'no error lands on the valid Ingress',
        );

        const shop = all.results.find((result) => result.stackId === GROUP);
        assert.ok(shop?.spec, `the group keeps its load balancer: ${JSON.stringify(shop?.diagnostics)?.slice(0, 500)}`);
        assert.ok(shop.members.some((member) => member.name === 'anchor'));
        assert.deepEqual(anchorRules(shop.spec), EXPECTED, 'the valid Ingress keeps its rules');
        assert.deepEqual(unsafeValues(shop.spec), [], 'whatever reaches a header, a redirect or a regex was checked');

        const served = shop.members.some((member) => member.name === 'hostile');
        if (!served) {
          assert.ok(
            diagnostics.some((entry) => entry.object.name === 'hostile' && entry.severity === 'error'),
            'an Ingress left out is told why',
          );
        }
      }),
      { numRuns: 250 },
    );
  });
});
