/**
 * The URL map of one listener, field by field where the shape is the point: the spec's priorities
 * kept, Prefix as an exact match plus a prefix match on the element boundary, a wildcard host as an
 * anchored case-insensitive `:authority` regex, and the URL map's limits reported as problems before
 * any call.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ListenerSpec, RuleSpec } from '../../../src/model.js';
import { buildUrlMap, URL_MAP_LIMITS } from '../../../providers/gcp/plan/url-map.js';
import { INGRESS_CLASS_YAML, ingressYaml, NODE_YAML, onlySpec, serviceYaml, translateYaml } from '../../support/cluster.js';

const CONTEXT = { backendService: (key: string) => `bs/${key}`, sinkBackendService: 'bs/sink' };

function listenerOf(host: string | undefined, paths: { path: string; pathType: string; service: string }[]): ListenerSpec {
  const spec = onlySpec(
    translateYaml(
      INGRESS_CLASS_YAML +
        serviceYaml({ name: 'a' }) +
        serviceYaml({ name: 'b' }) +
        NODE_YAML +
        ingressYaml({ name: 'web', rules: [{ ...(host && { host }), paths }] }),
    ),
  );
  return spec.listeners[0]!;
}

type Json = Record<string, unknown>;

describe('buildUrlMap', () => {
  it("keeps the spec's priorities, and maps Prefix /foo to fullPathMatch /foo or prefixMatch /foo/", () => {
    const listener = listenerOf(undefined, [
      { path: '/foo', pathType: 'Prefix', service: 'a' },
      { path: '/foo/bar', pathType: 'Exact', service: 'b' },
    ]);
    const { body, problems } = buildUrlMap(listener, CONTEXT);
    assert.deepEqual(problems, []);
    const routeRules = ((body['pathMatchers'] as Json[])[0]!['routeRules'] ?? []) as Json[];
    assert.deepEqual(
      routeRules.map((rule) => rule['priority']),
      [...listener.rules].sort((a, b) => a.priority - b.priority).map((rule) => rule.priority),
    );
    const prefix = routeRules.find((rule) => String(rule['service']).includes('/a:'))!;
    assert.deepEqual(prefix['matchRules'], [{ fullPathMatch: '/foo' }, { prefixMatch: '/foo/' }]);
    assert.deepEqual(body['hostRules'], [{ hosts: ['*'], pathMatcher: 'rules' }]);
    assert.deepEqual(body['defaultRouteAction'], {
      weightedBackendServices: [{ backendService: 'bs/sink', weight: 100 }],
      faultInjectionPolicy: { abort: { httpStatus: 404, percentage: 100 } },
    });
  });

  it('matches *.foo.com with an anchored, case-insensitive regex on :authority that admits one label and a port', () => {
    const { body } = buildUrlMap(listenerOf('*.foo.com', [{ path: '/', pathType: 'Prefix', service: 'a' }]), CONTEXT);
    const rule = (((body['pathMatchers'] as Json[])[0]!['routeRules'] as Json[])[0]!['matchRules'] as Json[])[0]!;
    const [header] = rule['headerMatches'] as Json[];
    assert.equal(header!['headerName'], ':authority');
    const regex = String(header!['regexMatch']);
    assert.ok(regex.startsWith('(?i)^') && regex.endsWith('$'), regex);
    const matches = (authority: string): boolean => new RegExp(regex.slice(4), 'i').test(authority);
    assert.deepEqual(['bar.foo.com', 'BAR.Foo.com:8080', 'baz.bar.foo.com', 'foo.com', 'barfoo.com'].map(matches), [true, true, false, false, false]);
  });

  it('reports more route rules than a path matcher takes, before any call', () => {
    const listener = listenerOf(undefined, [{ path: '/', pathType: 'Prefix', service: 'a' }]);
    const template = listener.rules[0]!;
    const rules: RuleSpec[] = Array.from({ length: URL_MAP_LIMITS.routeRulesPerPathMatcher + 1 }, (_, index) => ({ ...template, priority: index + 1 }));
    const { problems } = buildUrlMap({ ...listener, rules }, CONTEXT);
    assert.match(problems.map((problem) => problem.message).join('\n'), /201 rules exceed a URL map path matcher's 200 route rules/);
  });

  it('reports a rule whose alternatives need more match rules than a route rule takes', () => {
    const listener = listenerOf(undefined, [{ path: '/', pathType: 'Prefix', service: 'a' }]);
    const rule: RuleSpec = {
      ...listener.rules[0]!,
      conditions: [
        { field: 'path-pattern', values: ['/a', '/b', '/c'] },
        {
          field: 'query-string',
          values: [
            { key: 'x', value: '1' },
            { key: 'y', value: '2' },
          ],
        },
      ],
    };
    const { problems } = buildUrlMap({ ...listener, rules: [rule] }, CONTEXT);
    assert.match(problems.map((problem) => problem.message).join('\n'), /6 match rules .* exceed the 5/);
    assert.deepEqual(problems[0]?.origin, rule.origin, 'named by the rule it came from');
  });
});
