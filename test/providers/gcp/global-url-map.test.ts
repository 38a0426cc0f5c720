/**
 * The global scope's URL maps are exact or refused, never approximate. Global external URL maps take
 * no regexMatch, so the provider builds them from host rules and exact matches: every routing table
 * (test/support/routing-tables.ts) that the global scope accepts routes under URL-map semantics
 * exactly as under ALB semantics, and the tables it cannot serve (a wildcard host must match exactly
 * one label, which only a regex says) are refused with an error naming the Ingress, the feature and
 * `load-balancer-scope: regional`. Further cases here (several hosts interleaved with host-less
 * rules, methods, headers, regex paths, query strings) are checked against the ALB evaluator.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoadBalancerSpec } from '../../../src/model.js';
import { desiredState } from '../../../providers/gcp/plan/desired.js';
import { evaluateAlbRequest, routeOf } from '../../support/alb-evaluator.js';
import { INGRESS_CLASS_YAML, ingressYaml, NODE_YAML, onlySpec, serviceYaml, translateYaml, type IngressFixture } from '../../support/cluster.js';
import { ROUTING_TABLES } from '../../support/routing-tables.js';
import { GLOBAL_CONTEXT, namedRoute, serviceOfBackend } from '../../support/gcp-url-map-routes.js';
import { evaluateUrlMap } from '../../support/url-map-evaluator.js';

const SERVICES = INGRESS_CLASS_YAML + ['a', 'b', 'c', 'd', 'fallback'].map((name, index) => serviceYaml({ name, nodePort: 30100 + index })).join('');
const SCOPE = 'ingress-bridge.io/load-balancer-scope';

/** The routing tables the global scope refuses, with what the error must say. */
const REFUSED_TABLES: Readonly<Record<string, RegExp>> = {
  '*.foo.com matches exactly one more label': /wildcard host \*\.foo\.com must match exactly one label/,
  'an exact host beats a wildcard host that also matches': /wildcard host \*\.foo\.com must match exactly one label/,
};

function globalSpec(ingresses: readonly IngressFixture[]): LoadBalancerSpec {
  const global = ingresses.map((ingress) => ({
    ...ingress,
    annotations: { 'ingress-bridge.io/scheme': 'internet-facing', ...ingress.annotations, [SCOPE]: 'global' },
  }));
  const spec = onlySpec(translateYaml(SERVICES + NODE_YAML + global.map(ingressYaml).join('')));
  assert.equal(spec.scope, 'global');
  return spec;
}

function globalUrlMap(spec: LoadBalancerSpec): { urlMap?: Record<string, unknown>; errors: string[]; serviceOf: (link: string) => string } {
  const desired = desiredState(spec, GLOBAL_CONTEXT);
  const errors = desired.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').map((diagnostic) => diagnostic.message);
  const urlMap = desired.resources.find((resource) => resource.kind === 'globalUrlMap' && resource.name.endsWith('-g-um-80'));
  assert.equal(
    desired.resources.some((resource) => resource.kind === 'urlMap'),
    false,
    'no regional URL map',
  );
  const globalServiceOf = serviceOfBackend(spec, desired, 'globalBackendService');
  const serviceOf = (link: string): string => {
    assert.match(link, /^projects\/p\/global\/backendServices\//, 'a global backend service');
    return globalServiceOf(link);
  };
  return { ...(urlMap && { urlMap: urlMap.body }), errors, serviceOf };
}

function urlMapRoute(spec: LoadBalancerSpec, url: string, method?: string, headers?: Record<string, string>): { route: string; location?: string } {
  const { urlMap, errors, serviceOf } = globalUrlMap(spec);
  assert.deepEqual(errors, [], 'the global scope serves this spec');
  assert.ok(urlMap, 'a global URL map for port 80');
  assert.doesNotMatch(JSON.stringify(urlMap), /regexMatch/, 'a global URL map has no regex');
  return namedRoute(evaluateUrlMap(urlMap, { url, ...(method !== undefined && { method }), ...(headers !== undefined && { headers }) }), serviceOf);
}

describe('global URL maps: the routing tables the global scope accepts route as ALB does', () => {
  it('refuses exactly the tables that need a regex, and accepts every other', () => {
    const refused = ROUTING_TABLES.filter((table) => globalUrlMap(globalSpec(table.ingresses)).errors.length > 0).map((table) => table.name);
    assert.deepEqual(refused, Object.keys(REFUSED_TABLES));
  });

  for (const table of ROUTING_TABLES.filter((candidate) => REFUSED_TABLES[candidate.name] === undefined)) {
    it(table.name, () => {
      const spec = globalSpec(table.ingresses);
      for (const [url, expected] of Object.entries(table.routes)) {
        assert.equal(routeOf(spec, url), expected, `${url} under ALB semantics`);
        const gcp = urlMapRoute(spec, url);
        assert.equal(gcp.route, expected, `${url} under global URL-map semantics`);
        const alb = evaluateAlbRequest(spec, { url });
        if (alb.kind === 'redirect') assert.equal(gcp.location, alb.location, `${url} redirects to the same Location`);
      }
    });
  }

  for (const table of ROUTING_TABLES.filter((candidate) => REFUSED_TABLES[candidate.name] !== undefined)) {
    it(`refused: ${table.name}`, () => {
      const spec = globalSpec(table.ingresses);
      const desired = desiredState(spec, GLOBAL_CONTEXT);
      const errors = desired.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
      assert.ok(errors.length > 0);
      for (const error of errors) {
        assert.deepEqual(error.object, { kind: 'Ingress', namespace: 'default', name: 'web' });
        assert.match(error.field, /^spec\.rules: host$/);
        assert.match(error.message, REFUSED_TABLES[table.name]!);
        assert.match(error.message, /use load-balancer-scope: regional/);
      }
    });
  }
});

describe('global URL maps: more cases against the ALB evaluator', () => {
  const path = (value: string, service: string, pathType = 'Prefix') => ({ path: value, pathType, service });

  it('several hosts interleaved with host-less rules: each host sees its own rules and the host-less ones, in priority order', () => {
    const spec = globalSpec([
      {
        name: 'web',
        defaultBackend: { service: 'fallback' },
        // The rules for b (/api) are limited to two hosts by a conditions annotation: one host rule of both.
        annotations: { 'ingress-bridge.io/conditions.b': JSON.stringify([{ field: 'host-header', hostHeaderConfig: { values: ['b.test', 'c.test'] } }]) },
        rules: [
          { host: 'a.test', paths: [path('/', 'a'), path('/x/long/path', 'c', 'Exact')] },
          { paths: [path('/x', 'd'), path('/api/v2', 'c'), path('/api', 'b')] },
        ],
      },
    ]);
    const { urlMap } = globalUrlMap(spec);
    assert.deepEqual(
      (urlMap?.['hostRules'] as { hosts: string[] }[]).map((rule) => rule.hosts),
      [['a.test'], ['b.test', 'c.test'], ['*']],
      'hosts with the same rules share a path matcher',
    );
    for (const host of ['a.test', 'A.TEST:8080', 'b.test', 'c.test', 'other.test']) {
      for (const probe of ['/', '/x', '/x/y', '/x/long/path', '/api', '/api/v2', '/api/v2/z', '/apix']) {
        const url = `http://${host}${probe}`;
        assert.equal(urlMapRoute(spec, url).route, routeOf(spec, url), url);
      }
    }
  });

  it('methods and letter-free header values are exact matches; several values are one match rule each', () => {
    const conditions = [
      { field: 'http-request-method', httpRequestMethodConfig: { Values: ['GET', 'HEAD'] } },
      { field: 'http-header', httpHeaderConfig: { httpHeaderName: 'X-Version', values: ['2', '3'] } },
    ];
    const spec = globalSpec([
      {
        name: 'web',
        annotations: { 'ingress-bridge.io/conditions.b': JSON.stringify(conditions) },
        rules: [{ paths: [path('/x', 'b', 'Exact'), path('/', 'a')] }],
      },
    ]);
    for (const method of ['GET', 'HEAD', 'POST', 'get']) {
      for (const version of ['2', '3', '4', undefined]) {
        const headers: Record<string, string> = version === undefined ? {} : { 'x-version': version };
        const url = 'http://a.test/x';
        assert.equal(urlMapRoute(spec, url, method, headers).route, routeOf(spec, url, { method, headers }), `${method} x-version ${String(version)}`);
      }
    }
  });

  const refusals: [string, Partial<IngressFixture>, RegExp][] = [
    [
      'a header value with letters (the ALB ignores its case)',
      {
        annotations: {
          'ingress-bridge.io/conditions.a': JSON.stringify([{ field: 'http-header', httpHeaderConfig: { httpHeaderName: 'X-Env', values: ['beta'] } }]),
        },
      },
      /header X-Env value "beta": the ALB matches header values case-insensitively/,
    ],
    [
      'a query-string condition',
      {
        annotations: {
          'ingress-bridge.io/conditions.a': JSON.stringify([{ field: 'query-string', queryStringConfig: { values: [{ key: 'v', value: '1' }] } }]),
        },
      },
      /a query-string condition cannot be matched exactly by a global URL map/,
    ],
    [
      'a path wildcard inside a conditions annotation',
      { annotations: { 'ingress-bridge.io/conditions.a': JSON.stringify([{ field: 'path-pattern', pathPatternConfig: { values: ['/img/*.png'] } }]) } },
      /path pattern "\/img\/\*\.png" has a wildcard inside, which needs regexMatch/,
    ],
  ];
  for (const [what, fixture, message] of refusals) {
    it(`refuses ${what}, naming the Ingress and suggesting the regional scope`, () => {
      const spec = globalSpec([{ name: 'web', rules: [{ host: 'a.test', paths: [path('/', 'a')] }], ...fixture }]);
      const errors = desiredState(spec, GLOBAL_CONTEXT).diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.deepEqual(errors[0]!.object, { kind: 'Ingress', namespace: 'default', name: 'web' });
      assert.match(errors[0]!.message, message);
      assert.match(errors[0]!.message, /use load-balancer-scope: regional/);
    });
  }

  it('refuses scheme internal with global: cross-region internal load balancers are not modelled', () => {
    const spec = globalSpec([{ name: 'web', annotations: { 'ingress-bridge.io/scheme': 'internal' }, rules: [{ host: 'a.test', paths: [path('/', 'a')] }] }]);
    const errors = desiredState(spec, GLOBAL_CONTEXT).diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /load-balancer-scope global .* the scheme is internal .*set scheme: internet-facing.* use load-balancer-scope: regional/);
  });

  it('needs no proxy-only subnet, and puts the forwarding rule in no VPC', () => {
    const desired = desiredState(globalSpec([{ name: 'web', rules: [{ host: 'a.test', paths: [path('/', 'a')] }] }]), GLOBAL_CONTEXT);
    assert.deepEqual(desired.diagnostics, []);
    const rule = desired.resources.find((resource) => resource.kind === 'globalForwardingRule');
    assert.equal(rule?.body['network'], undefined);
    assert.match(String(rule?.body['IPAddress']), /^projects\/p\/global\/addresses\//);
    assert.match(String(rule?.body['target']), /^projects\/p\/global\/targetHttpProxies\//);
  });
});
