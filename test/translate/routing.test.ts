/**
 * Routing semantics (DESIGN.md section 4): the generated rules are run through an evaluator that
 * applies the ALB's own matching, and each request must reach the Service the Ingress specification
 * says it reaches.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoadBalancerSpec } from '../../src/model.js';
import { routeOf } from '../support/alb-evaluator.js';
import { INGRESS_CLASS_YAML, ingressYaml, NODE_YAML, onlySpec, serviceYaml, translateYaml, type IngressFixture, type PathFixture } from '../support/cluster.js';

const SERVICES = INGRESS_CLASS_YAML + ['a', 'b', 'c', 'd', 'fallback'].map((name, index) => serviceYaml({ name, nodePort: 30100 + index })).join('');

function specOf(...ingresses: IngressFixture[]): LoadBalancerSpec {
  return onlySpec(translateYaml(SERVICES + NODE_YAML + ingresses.map(ingressYaml).join('')));
}

function specWithPaths(paths: PathFixture[], host?: string): LoadBalancerSpec {
  return specOf({ name: 'web', rules: [{ ...(host ? { host } : {}), paths }] });
}

function assertRoutes(spec: LoadBalancerSpec, expected: Record<string, string>): void {
  const actual = Object.fromEntries(Object.keys(expected).map((url) => [url, routeOf(spec, url)]));
  assert.deepEqual(actual, expected);
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));
}

describe('path types', () => {
  it('Exact matches the path alone, case-sensitive, without a trailing slash', () => {
    const spec = specWithPaths([{ path: '/foo', pathType: 'Exact', service: 'a' }]);
    assertRoutes(spec, {
      'http://x.test/foo': 'default/a:80',
      'http://x.test/foo?q=1': 'default/a:80',
      'http://x.test/foo/': '404',
      'http://x.test/FOO': '404',
      'http://x.test/foo/bar': '404',
    });
  });

  it('Prefix matches whole path elements: /foo is not a prefix of /foobar', () => {
    const spec = specWithPaths([{ path: '/foo', pathType: 'Prefix', service: 'a' }]);
    assertRoutes(spec, {
      'http://x.test/foo': 'default/a:80',
      'http://x.test/foo/': 'default/a:80',
      'http://x.test/foo/bar': 'default/a:80',
      'http://x.test/foobar': '404',
      'http://x.test/Foo': '404',
      'http://x.test/': '404',
    });
  });

  it('Prefix ignores a trailing slash in the rule', () => {
    const spec = specWithPaths([{ path: '/foo/', pathType: 'Prefix', service: 'a' }]);
    assertRoutes(spec, {
      'http://x.test/foo': 'default/a:80',
      'http://x.test/foo/': 'default/a:80',
      'http://x.test/foo/x': 'default/a:80',
      'http://x.test/foox': '404',
    });
  });

  it('Prefix / matches every path', () => {
    const spec = specWithPaths([{ path: '/', pathType: 'Prefix', service: 'a' }]);
    assertRoutes(spec, { 'http://x.test/': 'default/a:80', 'http://x.test/anything/at/all': 'default/a:80' });
  });

  it('ImplementationSpecific is Prefix, and reads the trailing /* idiom as the prefix before it', () => {
    const spec = specWithPaths([
      { path: '/docs', pathType: 'ImplementationSpecific', service: 'a' },
      { path: '/api/*', pathType: 'ImplementationSpecific', service: 'b' },
    ]);
    assertRoutes(spec, {
      'http://x.test/docs/intro': 'default/a:80',
      'http://x.test/docsx': '404',
      'http://x.test/api': 'default/b:80',
      'http://x.test/api/v1': 'default/b:80',
      'http://x.test/apix': '404',
    });
  });

  it('never lets the ALB wildcard characters * and ? widen a literal path', () => {
    const spec = specWithPaths([
      { path: '/a*b', pathType: 'Exact', service: 'a' },
      { path: '/files/*.png', pathType: 'Prefix', service: 'b' },
      { path: '/v?', pathType: 'Exact', service: 'c' },
    ]);
    assertRoutes(spec, {
      'http://x.test/a*b': 'default/a:80',
      'http://x.test/axxb': '404',
      'http://x.test/ab': '404',
      'http://x.test/files/*.png': 'default/b:80',
      'http://x.test/files/*.png/x': 'default/b:80',
      'http://x.test/files/logo.png': '404',
      'http://x.test/v1': '404',
    });
  });
});

describe('precedence', () => {
  const layered: PathFixture[] = [
    { path: '/', pathType: 'Prefix', service: 'a' },
    { path: '/foo', pathType: 'Prefix', service: 'b' },
    { path: '/foo/bar', pathType: 'Prefix', service: 'c' },
    { path: '/foo', pathType: 'Exact', service: 'd' },
  ];
  const expected = {
    'http://x.test/': 'default/a:80',
    'http://x.test/other': 'default/a:80',
    'http://x.test/foo': 'default/d:80',
    'http://x.test/foo/': 'default/b:80',
    'http://x.test/foo/baz': 'default/b:80',
    'http://x.test/foo/bar': 'default/c:80',
    'http://x.test/foo/bar/baz': 'default/c:80',
    'http://x.test/foo/barbaz': 'default/b:80',
    'http://x.test/foobar': 'default/a:80',
  };

  it('the longest path wins and Exact beats an equal Prefix, in every order the paths can be written', () => {
    for (const order of permutations(layered)) assertRoutes(specWithPaths(order), expected);
  });

  it('a longer Exact path beats a shorter Prefix that also matches', () => {
    const spec = specWithPaths([
      { path: '/foo', pathType: 'Prefix', service: 'a' },
      { path: '/foo/bar', pathType: 'Exact', service: 'b' },
    ]);
    assertRoutes(spec, { 'http://x.test/foo/bar': 'default/b:80', 'http://x.test/foo/bar/x': 'default/a:80' });
  });

  it('rules of a named host beat host-less rules, even with a shorter path', () => {
    const spec = specOf({
      name: 'web',
      rules: [
        { paths: [{ path: '/api', pathType: 'Prefix', service: 'a' }] },
        { host: 'foo.example.com', paths: [{ path: '/', pathType: 'Prefix', service: 'b' }] },
      ],
    });
    assertRoutes(spec, {
      'http://foo.example.com/api': 'default/b:80',
      'http://other.example.com/api': 'default/a:80',
      'http://other.example.com/': '404',
    });
  });

  it('is the same when the rules of a group are split over Ingresses in any group order', () => {
    const members = (first: number, second: number): IngressFixture[] => [
      {
        name: 'one',
        annotations: { 'ingress-bridge.io/group.name': 'g', 'ingress-bridge.io/group.order': String(first) },
        rules: [{ host: 'h.test', paths: [{ path: '/', pathType: 'Prefix', service: 'a' }] }],
      },
      {
        name: 'two',
        annotations: { 'ingress-bridge.io/group.name': 'g', 'ingress-bridge.io/group.order': String(second) },
        rules: [{ host: 'h.test', paths: [{ path: '/deep', pathType: 'Prefix', service: 'b' }] }],
      },
    ];
    for (const [first, second] of [
      [1, 2],
      [2, 1],
    ] as const) {
      assertRoutes(specOf(...members(first, second)), { 'http://h.test/deep/x': 'default/b:80', 'http://h.test/x': 'default/a:80' });
    }
  });
});

describe('hosts', () => {
  it('match case-insensitively, and ignore the port in the Host header', () => {
    const spec = specWithPaths([{ path: '/', pathType: 'Prefix', service: 'a' }], 'foo.example.com');
    assertRoutes(spec, {
      'http://foo.example.com/': 'default/a:80',
      'http://FOO.Example.COM/x': 'default/a:80',
      'http://foo.example.com:8080/': 'default/a:80',
      'http://bar.example.com/': '404',
    });
  });

  it('*.foo.com matches exactly one more label', () => {
    const spec = specWithPaths([{ path: '/', pathType: 'Prefix', service: 'a' }], '*.foo.com');
    assertRoutes(spec, {
      'http://bar.foo.com/': 'default/a:80',
      'http://BAR.Foo.com/': 'default/a:80',
      'http://baz.bar.foo.com/': '404',
      'http://foo.com/': '404',
      'http://barfoo.com/': '404',
    });
  });

  it('an exact host beats a wildcard host that also matches', () => {
    const spec = specOf({
      name: 'web',
      rules: [
        { host: '*.foo.com', paths: [{ path: '/', pathType: 'Prefix', service: 'a' }] },
        { host: 'www.foo.com', paths: [{ path: '/', pathType: 'Prefix', service: 'b' }] },
      ],
    });
    assertRoutes(spec, { 'http://www.foo.com/': 'default/b:80', 'http://api.foo.com/': 'default/a:80' });
  });
});

describe('default backend', () => {
  it('answers every request no rule matches', () => {
    const spec = specOf({ name: 'web', defaultBackend: { service: 'fallback' }, rules: [{ paths: [{ path: '/api', pathType: 'Prefix', service: 'a' }] }] });
    assertRoutes(spec, { 'http://x.test/api/v1': 'default/a:80', 'http://x.test/': 'default/fallback:80', 'http://y.test/apix': 'default/fallback:80' });
  });

  it('is the only thing an Ingress with no rules serves', () => {
    const spec = specOf({ name: 'web', defaultBackend: { service: 'fallback' } });
    assert.equal(spec.listeners[0]?.rules.length, 0);
    assertRoutes(spec, { 'http://x.test/anything': 'default/fallback:80' });
  });
});

describe('group precedence ties', () => {
  it('gives the same host and path to the member first in group order, and warns the other', () => {
    const member = (name: string, order: string, service: string): IngressFixture => ({
      name,
      annotations: { 'alb.ingress.kubernetes.io/group.name': 'shared', 'alb.ingress.kubernetes.io/group.order': order },
      rules: [{ host: 'h.test', paths: [{ path: '/', pathType: 'Prefix', service }] }],
    });
    const translated = translateYaml(SERVICES + NODE_YAML + ingressYaml(member('late', '5', 'b')) + ingressYaml(member('early', '-3', 'a')));
    assertRoutes(onlySpec(translated), { 'http://h.test/': 'default/a:80' });
    const warning = translated.diagnostics.find((entry) => entry.object.name === 'late' && entry.severity === 'warning');
    assert.match(warning?.message ?? '', /default\/early/);
  });
});
