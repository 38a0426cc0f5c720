/**
 * Property (DESIGN.md sections 8 and 9): hostile HTTPRoutes — random hostnames, paths, headers,
 * query parameters, methods, filters and backends — never make translate throw, every problem is a
 * diagnostic naming the route and a field, and a valid route on the same Gateway keeps exactly its
 * rules (the hostile one is newer, so it never wins a tie).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { HTTPRoute } from '../../../src/sources/gateway-kinds.js';
import { translateAll } from '../../../src/translate/index.js';
import { routeOf } from '../../support/alb-evaluator.js';
import { NODE_YAML, serviceYaml, snapshotFromYaml, testOptions } from '../../support/cluster.js';
import { GATEWAY_CLASS_YAML, gatewayYaml } from '../../support/gateway.js';

const BASE =
  GATEWAY_CLASS_YAML +
  NODE_YAML +
  serviceYaml({ name: 'app' }) +
  gatewayYaml('web', ['{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}']) +
  `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: anchor, namespace: default, creationTimestamp: "2020-01-01T00:00:00Z"}
spec:
  parentRefs: [{name: web}]
  hostnames: [anchor.test]
  rules:
  - matches: [{path: {type: PathPrefix, value: /}}]
    backendRefs: [{name: app, port: 80}]
---
`;

const hostile = fc.oneof(
  fc.string(),
  fc.constantFrom('', '*', '*.', '*.anchor.test', 'anchor.test', '/', '//', '/../', '.*', '(a+)+$', '\u0000', '*?', 'GET', 'https', '%2F', 'a'.repeat(300)),
);
const maybe = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arbitrary, { nil: undefined });

const match = fc.record({
  path: maybe(fc.record({ type: maybe(fc.constantFrom('Exact', 'PathPrefix', 'RegularExpression', 'Other')), value: maybe(hostile) })),
  headers: maybe(fc.array(fc.record({ type: maybe(fc.constantFrom('Exact', 'RegularExpression', 'x')), name: hostile, value: hostile }), { maxLength: 3 })),
  queryParams: maybe(fc.array(fc.record({ type: maybe(fc.constantFrom('Exact', 'RegularExpression')), name: hostile, value: hostile }), { maxLength: 3 })),
  method: maybe(hostile),
});
const filter = fc.record({
  type: fc.constantFrom('RequestRedirect', 'URLRewrite', 'RequestHeaderModifier', 'RequestMirror', 'Bogus'),
  requestRedirect: maybe(
    fc.record({
      scheme: maybe(hostile),
      hostname: maybe(hostile),
      statusCode: maybe(fc.integer({ min: 100, max: 599 })),
      port: maybe(fc.integer({ min: 1, max: 65535 })),
      path: maybe(
        fc.record({ type: fc.constantFrom('ReplaceFullPath', 'ReplacePrefixMatch'), replaceFullPath: maybe(hostile), replacePrefixMatch: maybe(hostile) }),
      ),
    }),
  ),
  urlRewrite: maybe(
    fc.record({
      hostname: maybe(hostile),
      path: maybe(fc.record({ type: fc.constantFrom('ReplaceFullPath', 'ReplacePrefixMatch'), replacePrefixMatch: maybe(hostile) })),
    }),
  ),
});
const backend = fc.record({
  group: maybe(fc.constantFrom('', 'example.com')),
  kind: maybe(fc.constantFrom('Service', 'Bucket')),
  name: maybe(hostile),
  namespace: maybe(fc.constantFrom('default', 'other', '')),
  port: maybe(fc.integer({ min: 0, max: 70000 })),
  weight: maybe(fc.integer({ min: 0, max: 2_000_000 })),
});
const route = fc.record({
  hostnames: maybe(fc.array(hostile, { maxLength: 3 })),
  parentRefs: fc.array(
    fc.record({ name: fc.constantFrom('web', 'nope'), sectionName: maybe(fc.constantFrom('http', 'x')), port: maybe(fc.integer({ min: 1, max: 65535 })) }),
    { minLength: 1, maxLength: 2 },
  ),
  rules: fc.array(
    fc.record({
      matches: maybe(fc.array(match, { maxLength: 2 })),
      filters: maybe(fc.array(filter, { maxLength: 2 })),
      backendRefs: maybe(fc.array(backend, { maxLength: 3 })),
    }),
    { maxLength: 3 },
  ),
});

/** The anchor's rules, without priorities (a more specific hostile match may legitimately come first). */
function anchorRules(snapshot: ReturnType<typeof snapshotFromYaml>): unknown[] {
  const spec = translateAll(snapshot, testOptions()).results.find((result) => result.stackId === 'gateway:default/web')?.spec;
  assert.ok(spec, 'the Gateway keeps a load balancer');
  return spec.listeners.flatMap((listener) =>
    listener.rules.filter((rule) => rule.origin.route?.name === 'anchor').map(({ conditions, actions }) => ({ port: listener.port, conditions, actions })),
  );
}

describe('hostile HTTPRoutes beside a valid one', () => {
  const expected = anchorRules(snapshotFromYaml(BASE));
  const anchorSpec = translateAll(snapshotFromYaml(BASE), testOptions()).results.find((result) => result.stackId === 'gateway:default/web')?.spec;
  assert.equal(anchorSpec && routeOf(anchorSpec, 'http://anchor.test/x'), 'default/app:80');
  assert.equal(expected.length, 1);

  it('never throw, name every problem, and leave the valid route’s routing as it was', () => {
    fc.assert(
      fc.property(route, (spec) => {
        const snapshot = snapshotFromYaml(BASE);
        const hostileRoute = {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'HTTPRoute',
          metadata: { name: 'hostile', namespace: 'default', creationTimestamp: new Date('2026-01-01T00:00:00Z') },
          spec,
        } as unknown as HTTPRoute;
        snapshot.upsert('HTTPRoute', hostileRoute);
        const all = translateAll(snapshot, testOptions());
        for (const entry of all.results.flatMap((result) => result.diagnostics)) {
          assert.ok(entry.field !== '' && entry.object.name !== '', JSON.stringify(entry));
          assert.doesNotMatch(entry.message, /defect in ingress-bridge/);
        }
        assert.deepEqual(anchorRules(snapshot), expected);
      }),
      { numRuns: 300 },
    );
  });
});
