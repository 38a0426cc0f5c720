/**
 * Gateway API routing, from the manifests a user of the standard-channel CRDs writes to the rules
 * the load balancer evaluates (the ALB evaluator the Ingress tests use): each request must reach the
 * backend the HTTPRoute specification says it reaches, whatever order routes and rules were written.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoadBalancerSpec } from '../../../src/model.js';
import { evaluateAlbRequest, routeOf } from '../../support/alb-evaluator.js';
import { NODE_YAML, serviceYaml } from '../../support/cluster.js';
import { GATEWAY_CLASS_YAML, gatewaySpec, gatewayYaml, translateGatewayYaml } from '../../support/gateway.js';

const SERVICES = ['a', 'b', 'c', 'd', 'g'].map((name, index) => serviceYaml({ name, nodePort: 30100 + index })).join('');
const BASE = GATEWAY_CLASS_YAML + NODE_YAML + SERVICES;
const HTTP = '{name: http, port: 80, protocol: HTTP}';

interface RouteFixture {
  name: string;
  namespace?: string;
  created?: string;
  parentRefs?: string;
  hostnames?: string[];
  rules: string;
}

function routeYaml(route: RouteFixture): string {
  const created = route.created ? `, creationTimestamp: "${route.created}"` : '';
  const hostnames = route.hostnames ? `  hostnames: ${JSON.stringify(route.hostnames)}\n` : '';
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${route.name}, namespace: ${route.namespace ?? 'default'}${created}}
spec:
  parentRefs: ${route.parentRefs ?? '[{name: web}]'}
${hostnames}  rules:
${route.rules}
---
`;
}

function specOf(listeners: string[], ...routes: RouteFixture[]): LoadBalancerSpec {
  return gatewaySpec(translateGatewayYaml(BASE + gatewayYaml('web', listeners) + routes.map(routeYaml).join('')));
}

function assertRoutes(spec: LoadBalancerSpec, expected: Record<string, string>, options: { method?: string; headers?: Record<string, string> } = {}): void {
  const actual = Object.fromEntries(Object.keys(expected).map((url) => [url, routeOf(spec, url, options)]));
  assert.deepEqual(actual, expected);
}

const rule = (match: string, service: string): string => `  - matches: [${match}]\n    backendRefs: [{name: ${service}, port: 80}]\n`;

describe('HTTPRoute matches', () => {
  it('a route without matches serves every path (PathPrefix /)', () => {
    const spec = specOf([HTTP], { name: 'r', rules: '  - backendRefs: [{name: a, port: 80}]\n' });
    assertRoutes(spec, { 'http://x.test/': 'default/a:80', 'http://x.test/any/path': 'default/a:80' });
  });

  it('Exact matches the path alone, case-sensitive', () => {
    const spec = specOf([HTTP], { name: 'r', rules: rule('{path: {type: Exact, value: /foo}}', 'a') });
    assertRoutes(spec, { 'http://x.test/foo': 'default/a:80', 'http://x.test/foo/': '404', 'http://x.test/FOO': '404', 'http://x.test/foo/bar': '404' });
  });

  it('PathPrefix matches whole path elements', () => {
    const spec = specOf([HTTP], { name: 'r', rules: rule('{path: {type: PathPrefix, value: /foo}}', 'a') });
    assertRoutes(spec, {
      'http://x.test/foo': 'default/a:80',
      'http://x.test/foo/': 'default/a:80',
      'http://x.test/foo/bar': 'default/a:80',
      'http://x.test/foobar': '404',
    });
  });

  it('RegularExpression matches the whole path', () => {
    const spec = specOf([HTTP], { name: 'r', rules: rule('{path: {type: RegularExpression, value: "/v[0-9]+/items"}}', 'a') });
    assertRoutes(spec, { 'http://x.test/v2/items': 'default/a:80', 'http://x.test/v2/items/1': '404', 'http://x.test/x/v2/items': '404' });
  });

  // The ALB compares header values case-insensitively, so an Exact value matches in any case (docs/gateway-api.md).
  it('header matches: every header must match, by name in any case', () => {
    const spec = specOf([HTTP], {
      name: 'r',
      rules: rule('{headers: [{name: X-Env, value: canary}, {name: x-team, value: blue}]}', 'b') + rule('{path: {type: PathPrefix, value: /}}', 'a'),
    });
    assert.equal(routeOf(spec, 'http://x.test/', { headers: { 'x-env': 'canary', 'X-Team': 'blue' } }), 'default/b:80');
    assert.equal(routeOf(spec, 'http://x.test/', { headers: { 'x-env': 'canary-2', 'x-team': 'blue' } }), 'default/a:80');
    assert.equal(routeOf(spec, 'http://x.test/', { headers: { 'x-env': 'canary' } }), 'default/a:80');
  });

  it('query parameter and method matches', () => {
    const spec = specOf([HTTP], {
      name: 'r',
      rules: rule('{queryParams: [{name: animal, value: whale}]}', 'b') + rule('{method: POST}', 'c') + rule('{path: {type: PathPrefix, value: /}}', 'a'),
    });
    assertRoutes(spec, { 'http://x.test/?animal=whale': 'default/b:80', 'http://x.test/?animal=dolphin': 'default/a:80', 'http://x.test/': 'default/a:80' });
    assert.equal(routeOf(spec, 'http://x.test/', { method: 'POST' }), 'default/c:80');
  });
});

describe('precedence across all routes of a listener (not the order they were written)', () => {
  const routes: RouteFixture[] = [
    { name: 'prefix-root', rules: rule('{path: {type: PathPrefix, value: /}}', 'a') },
    { name: 'prefix-long', rules: rule('{path: {type: PathPrefix, value: /foo/bar}}', 'c') },
    { name: 'prefix-short', rules: rule('{path: {type: PathPrefix, value: /foo}}', 'b') },
    { name: 'exact', rules: rule('{path: {type: Exact, value: /foo}}', 'd') },
    { name: 'header', rules: rule('{path: {type: PathPrefix, value: /foo}, headers: [{name: x-v, value: "2"}]}', 'g') },
  ];
  const expected = {
    'http://x.test/': 'default/a:80',
    'http://x.test/foo': 'default/d:80',
    'http://x.test/foo/x': 'default/b:80',
    'http://x.test/foo/bar/x': 'default/c:80',
  };

  it('Exact, then the longest PathPrefix, whatever the route order', () => {
    for (const order of [routes, [...routes].reverse(), [routes[2], routes[0], routes[4], routes[1], routes[3]]]) {
      assertRoutes(specOf([HTTP], ...(order as RouteFixture[])), expected);
    }
  });

  it('for equal paths, more header matches win; method beats headers', () => {
    const spec = specOf([HTTP], ...routes, { name: 'method', rules: rule('{path: {type: PathPrefix, value: /foo}, method: PUT}', 'a') });
    assert.equal(routeOf(spec, 'http://x.test/foo/x', { headers: { 'x-v': '2' } }), 'default/g:80');
    assert.equal(routeOf(spec, 'http://x.test/foo/x', { method: 'PUT', headers: { 'x-v': '2' } }), 'default/a:80');
  });

  it('identical matches: the oldest route wins, then namespace/name, then rule order', () => {
    const same = '{path: {type: PathPrefix, value: /same}}';
    const older = specOf(
      [HTTP],
      { name: 'a-newer', created: '2026-01-02T00:00:00Z', rules: rule(same, 'a') },
      { name: 'z-older', created: '2026-01-01T00:00:00Z', rules: rule(same, 'b') },
    );
    assert.equal(routeOf(older, 'http://x.test/same'), 'default/b:80');
    const byName = specOf(
      [HTTP],
      { name: 'zeta', created: '2026-01-01T00:00:00Z', rules: rule(same, 'b') },
      { name: 'alpha', created: '2026-01-01T00:00:00Z', rules: rule(same, 'a') },
    );
    assert.equal(routeOf(byName, 'http://x.test/same'), 'default/a:80');
    const byRule = specOf([HTTP], { name: 'one', rules: rule(same, 'c') + rule(same, 'a') });
    assert.equal(routeOf(byRule, 'http://x.test/same'), 'default/c:80');
  });
});

describe('hostnames', () => {
  it('a route is served only under the names it shares with the listener; wildcards are suffix matches', () => {
    const spec = specOf(
      ['{name: http, port: 80, protocol: HTTP, hostname: "*.example.com"}'],
      { name: 'exact', hostnames: ['foo.example.com', 'other.net'], rules: rule('{path: {type: PathPrefix, value: /}}', 'a') },
      { name: 'wild', hostnames: ['*.example.com'], rules: rule('{path: {type: PathPrefix, value: /}}', 'b') },
    );
    assertRoutes(spec, {
      'http://foo.example.com/': 'default/a:80',
      'http://FOO.example.com:8080/': 'default/a:80',
      'http://bar.example.com/': 'default/b:80',
      'http://a.b.example.com/': 'default/b:80',
      'http://example.com/': '404',
      'http://other.net/': '404',
    });
  });

  it('a precise hostname beats a wildcard whatever the paths', () => {
    const spec = specOf(
      [HTTP],
      { name: 'wild', hostnames: ['*.example.com'], rules: rule('{path: {type: Exact, value: /deep/path}}', 'b') },
      { name: 'exact', hostnames: ['foo.example.com'], rules: rule('{path: {type: PathPrefix, value: /}}', 'a') },
    );
    assertRoutes(spec, { 'http://foo.example.com/deep/path': 'default/a:80', 'http://bar.example.com/deep/path': 'default/b:80' });
  });

  it('listeners on one port: a request for a listener hostname is that listener alone', () => {
    const spec = specOf(
      ['{name: foo, port: 80, protocol: HTTP, hostname: foo.example.com}', HTTP],
      { name: 'foo', parentRefs: '[{name: web, sectionName: foo}]', rules: rule('{path: {type: PathPrefix, value: /foo-only}}', 'a') },
      { name: 'any', parentRefs: '[{name: web, sectionName: http}]', rules: rule('{path: {type: PathPrefix, value: /}}', 'b') },
    );
    assertRoutes(spec, {
      'http://foo.example.com/foo-only': 'default/a:80',
      'http://foo.example.com/other': '404',
      'http://bar.example.com/other': 'default/b:80',
    });
  });
  it('a route hostname that a more specific listener on the port claims is that listener’s', () => {
    const spec = specOf(
      ['{name: wild, port: 80, protocol: HTTP, hostname: "*.example.com"}', '{name: foo, port: 80, protocol: HTTP, hostname: foo.example.com}'],
      {
        name: 'on-wild',
        parentRefs: '[{name: web, sectionName: wild}]',
        hostnames: ['foo.example.com', 'bar.example.com'],
        rules: rule('{path: {type: PathPrefix, value: /}}', 'a'),
      },
      { name: 'on-foo', parentRefs: '[{name: web, sectionName: foo}]', rules: rule('{path: {type: PathPrefix, value: /only}}', 'b') },
    );
    assertRoutes(spec, { 'http://bar.example.com/x': 'default/a:80', 'http://foo.example.com/only': 'default/b:80', 'http://foo.example.com/x': '404' });
  });
});

describe('actions', () => {
  it('weighted backendRefs become a weighted forward', () => {
    const spec = specOf([HTTP], {
      name: 'r',
      rules: '  - backendRefs: [{name: a, port: 80, weight: 90}, {name: b, port: 80, weight: 10}, {name: c, port: 80, weight: 0}]\n',
    });
    const action = spec.listeners[0]?.rules[0]?.actions[0];
    assert.deepEqual(action, {
      type: 'forward',
      targetGroups: [
        { targetGroupKey: 'default/a:80/instance', weight: 90 },
        { targetGroupKey: 'default/b:80/instance', weight: 10 },
      ],
    });
    assert.deepEqual(
      spec.targetGroups.map((group) => group.key),
      ['default/a:80/instance', 'default/b:80/instance'],
    );
  });

  it("weights above the ALB's 999 are scaled down to it, a non-zero weight staying non-zero", () => {
    const spec = specOf([HTTP], {
      name: 'r',
      rules: '  - backendRefs: [{name: a, port: 80, weight: 1000000}, {name: b, port: 80, weight: 1000}, {name: c, port: 80, weight: 1}]\n',
    });
    assert.deepEqual(spec.listeners[0]?.rules[0]?.actions[0], {
      type: 'forward',
      targetGroups: [
        { targetGroupKey: 'default/a:80/instance', weight: 999 },
        { targetGroupKey: 'default/b:80/instance', weight: 1 },
        { targetGroupKey: 'default/c:80/instance', weight: 1 },
      ],
    });
  });

  it('RequestRedirect: scheme, hostname and status code, with the scheme default port', () => {
    const spec = specOf([HTTP], {
      name: 'r',
      rules: '  - filters: [{type: RequestRedirect, requestRedirect: {scheme: https, hostname: secure.example.com, statusCode: 301}}]\n',
    });
    const route = evaluateAlbRequest(spec, { url: 'http://x.test/path?q=1' });
    assert.deepEqual(route.kind === 'redirect' && [route.statusCode, route.location], [301, 'https://secure.example.com/path?q=1']);
  });

  it('URLRewrite ReplacePrefixMatch becomes a url-rewrite transform', () => {
    const spec = specOf([HTTP], {
      name: 'r',
      rules:
        '  - matches: [{path: {type: PathPrefix, value: /old}}]\n    filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /new}}}]\n    backendRefs: [{name: a, port: 80}]\n',
    });
    assert.deepEqual(spec.listeners[0]?.rules[0]?.transforms, [{ type: 'url-rewrite', regex: '^/old(/[^?]*)?(\\?.*)?$', replace: '/new$1$2' }]);
  });
});
