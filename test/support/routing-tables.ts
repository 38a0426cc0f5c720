/**
 * Routing tables: Ingresses and, for each, where requests must go (the Service, `404`, or
 * `redirect:<code>`), as the Ingress specification says (DESIGN.md section 4). One set of tables for
 * every load-balancer model: test/translate/routing.test.ts checks them under ALB semantics (the
 * evaluator the local provider shares), and the GCP tests under ALB and URL-map semantics, so both
 * route as the table says. Each table's Ingresses are translated beside the same Services, Node and
 * IngressClass (routingSpec).
 * @module
 */
import assert from 'node:assert/strict';
import type { LoadBalancerSpec } from '../../src/model.js';
import { routeOf } from './alb-evaluator.js';
import { INGRESS_CLASS_YAML, ingressYaml, NODE_YAML, onlySpec, serviceYaml, translateYaml, type IngressFixture, type PathFixture } from './cluster.js';

export interface RoutingTable {
  name: string;
  ingresses: IngressFixture[];
  routes: Record<string, string>;
}

/** Our IngressClass and the Services the tables send to (a, b, c, d, fallback), each on port 80. */
const SERVICES_YAML = INGRESS_CLASS_YAML + ['a', 'b', 'c', 'd', 'fallback'].map((name, index) => serviceYaml({ name, nodePort: 30100 + index })).join('');

/** The cluster the tables route in: the Services, a Node, and these Ingresses. */
export function routingYaml(ingresses: readonly IngressFixture[]): string {
  return SERVICES_YAML + NODE_YAML + ingresses.map(ingressYaml).join('');
}

/** The one load balancer the Ingresses make, beside the tables' Services. */
export function routingSpec(ingresses: readonly IngressFixture[]): LoadBalancerSpec {
  return onlySpec(translateYaml(routingYaml(ingresses)));
}

/** Every URL of `routes` goes where it says under ALB semantics. */
export function assertAlbRoutes(spec: LoadBalancerSpec, routes: Record<string, string>): void {
  const actual = Object.fromEntries(Object.keys(routes).map((url) => [url, routeOf(spec, url)]));
  assert.deepEqual(actual, routes);
}

const paths = (name: string, entries: PathFixture[], host?: string): IngressFixture => ({
  name,
  rules: [{ ...(host !== undefined && { host }), paths: entries }],
});

const LAYERED: PathFixture[] = [
  { path: '/', pathType: 'Prefix', service: 'a' },
  { path: '/foo', pathType: 'Prefix', service: 'b' },
  { path: '/foo/bar', pathType: 'Prefix', service: 'c' },
  { path: '/foo', pathType: 'Exact', service: 'd' },
];

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));
}

export const EXACT_PATH: RoutingTable = {
  name: 'Exact matches the path alone, case-sensitive, without a trailing slash',
  ingresses: [paths('web', [{ path: '/foo', pathType: 'Exact', service: 'a' }])],
  routes: {
    'http://x.test/foo': 'default/a:80',
    'http://x.test/foo?q=1': 'default/a:80',
    'http://x.test/foo/': '404',
    'http://x.test/FOO': '404',
    'http://x.test/foo/bar': '404',
  },
};

export const PREFIX_PATH: RoutingTable = {
  name: 'Prefix matches whole path elements',
  ingresses: [paths('web', [{ path: '/foo', pathType: 'Prefix', service: 'a' }])],
  routes: {
    'http://x.test/foo': 'default/a:80',
    'http://x.test/foo/': 'default/a:80',
    'http://x.test/foo/bar': 'default/a:80',
    'http://x.test/foobar': '404',
    'http://x.test/Foo': '404',
    'http://x.test/': '404',
  },
};

export const PREFIX_TRAILING_SLASH: RoutingTable = {
  name: 'Prefix ignores a trailing slash in the rule',
  ingresses: [paths('web', [{ path: '/foo/', pathType: 'Prefix', service: 'a' }])],
  routes: { 'http://x.test/foo': 'default/a:80', 'http://x.test/foo/': 'default/a:80', 'http://x.test/foo/x': 'default/a:80', 'http://x.test/foox': '404' },
};

export const PREFIX_ROOT: RoutingTable = {
  name: 'Prefix / matches every path',
  ingresses: [paths('web', [{ path: '/', pathType: 'Prefix', service: 'a' }])],
  routes: { 'http://x.test/': 'default/a:80', 'http://x.test/anything/at/all': 'default/a:80' },
};

export const IMPLEMENTATION_SPECIFIC_PATH: RoutingTable = {
  name: 'ImplementationSpecific is Prefix, with the trailing /* idiom',
  ingresses: [
    paths('web', [
      { path: '/docs', pathType: 'ImplementationSpecific', service: 'a' },
      { path: '/api/*', pathType: 'ImplementationSpecific', service: 'b' },
    ]),
  ],
  routes: {
    'http://x.test/docs/intro': 'default/a:80',
    'http://x.test/docsx': '404',
    'http://x.test/api': 'default/b:80',
    'http://x.test/api/v1': 'default/b:80',
    'http://x.test/apix': '404',
  },
};

export const LITERAL_WILDCARD_CHARACTERS: RoutingTable = {
  name: 'the wildcard characters * and ? never widen a literal path',
  ingresses: [
    paths('web', [
      { path: '/a*b', pathType: 'Exact', service: 'a' },
      { path: '/files/*.png', pathType: 'Prefix', service: 'b' },
      { path: '/v?', pathType: 'Exact', service: 'c' },
    ]),
  ],
  routes: {
    'http://x.test/a*b': 'default/a:80',
    'http://x.test/axxb': '404',
    'http://x.test/ab': '404',
    'http://x.test/files/*.png': 'default/b:80',
    'http://x.test/files/*.png/x': 'default/b:80',
    'http://x.test/files/logo.png': '404',
    'http://x.test/v1': '404',
  },
};

/** The same four layered paths in every order they can be written: the routes must not depend on it. */
export const LAYERED_PATH_ORDERS: readonly RoutingTable[] = permutations(LAYERED).map((order, index) => ({
  name: `the longest path wins and Exact beats an equal Prefix (order ${index + 1})`,
  ingresses: [paths('web', order)],
  routes: {
    'http://x.test/': 'default/a:80',
    'http://x.test/other': 'default/a:80',
    'http://x.test/foo': 'default/d:80',
    'http://x.test/foo/': 'default/b:80',
    'http://x.test/foo/baz': 'default/b:80',
    'http://x.test/foo/bar': 'default/c:80',
    'http://x.test/foo/bar/baz': 'default/c:80',
    'http://x.test/foo/barbaz': 'default/b:80',
    'http://x.test/foobar': 'default/a:80',
  },
}));

export const LONGER_EXACT_OVER_PREFIX: RoutingTable = {
  name: 'a longer Exact path beats a shorter Prefix',
  ingresses: [
    paths('web', [
      { path: '/foo', pathType: 'Prefix', service: 'a' },
      { path: '/foo/bar', pathType: 'Exact', service: 'b' },
    ]),
  ],
  routes: { 'http://x.test/foo/bar': 'default/b:80', 'http://x.test/foo/bar/x': 'default/a:80' },
};

export const NAMED_HOST_OVER_HOSTLESS: RoutingTable = {
  name: 'rules of a named host beat host-less rules, even with a shorter path',
  ingresses: [
    {
      name: 'web',
      rules: [
        { paths: [{ path: '/api', pathType: 'Prefix', service: 'a' }] },
        { host: 'foo.example.com', paths: [{ path: '/', pathType: 'Prefix', service: 'b' }] },
      ],
    },
  ],
  routes: { 'http://foo.example.com/api': 'default/b:80', 'http://other.example.com/api': 'default/a:80', 'http://other.example.com/': '404' },
};

export const HOST_CASE_AND_PORT: RoutingTable = {
  name: 'hosts match case-insensitively and ignore the port',
  ingresses: [paths('web', [{ path: '/', pathType: 'Prefix', service: 'a' }], 'foo.example.com')],
  routes: {
    'http://foo.example.com/': 'default/a:80',
    'http://FOO.Example.COM/x': 'default/a:80',
    'http://foo.example.com:8080/': 'default/a:80',
    'http://bar.example.com/': '404',
  },
};

export const WILDCARD_HOST: RoutingTable = {
  name: '*.foo.com matches exactly one more label',
  ingresses: [paths('web', [{ path: '/', pathType: 'Prefix', service: 'a' }], '*.foo.com')],
  routes: {
    'http://bar.foo.com/': 'default/a:80',
    'http://BAR.Foo.com/': 'default/a:80',
    'http://bar.foo.com:8080/': 'default/a:80',
    'http://baz.bar.foo.com/': '404',
    'http://foo.com/': '404',
    'http://barfoo.com/': '404',
  },
};

export const EXACT_HOST_OVER_WILDCARD: RoutingTable = {
  name: 'an exact host beats a wildcard host that also matches',
  ingresses: [
    {
      name: 'web',
      rules: [
        { host: '*.foo.com', paths: [{ path: '/', pathType: 'Prefix', service: 'a' }] },
        { host: 'www.foo.com', paths: [{ path: '/', pathType: 'Prefix', service: 'b' }] },
      ],
    },
  ],
  routes: { 'http://www.foo.com/': 'default/b:80', 'http://api.foo.com/': 'default/a:80', 'http://a.www.foo.com/': '404' },
};

export const DEFAULT_BACKEND: RoutingTable = {
  name: 'a default backend answers every request no rule matches',
  ingresses: [{ name: 'web', defaultBackend: { service: 'fallback' }, rules: [{ paths: [{ path: '/api', pathType: 'Prefix', service: 'a' }] }] }],
  routes: { 'http://x.test/api/v1': 'default/a:80', 'http://x.test/': 'default/fallback:80', 'http://y.test/apix': 'default/fallback:80' },
};

export const DEFAULT_BACKEND_ALONE: RoutingTable = {
  name: 'an Ingress with no rules serves its default backend alone',
  ingresses: [{ name: 'web', defaultBackend: { service: 'fallback' } }],
  routes: { 'http://x.test/anything': 'default/fallback:80' },
};

export const WEIGHTED_FORWARD: RoutingTable = {
  name: 'a weighted forward sends to both Services',
  ingresses: [
    {
      name: 'web',
      annotations: {
        'ingress-bridge.io/actions.split': JSON.stringify({
          type: 'forward',
          forwardConfig: {
            targetGroups: [
              { serviceName: 'a', servicePort: 80, weight: 20 },
              { serviceName: 'b', servicePort: 80, weight: 80 },
            ],
          },
        }),
      },
      rules: [{ host: 'w.test', paths: [{ path: '/', pathType: 'Prefix', service: 'split', port: 'use-annotation' }] }],
    },
  ],
  routes: { 'http://w.test/x': 'default/a:80,default/b:80', 'http://v.test/x': '404' },
};

export const REDIRECT_ACTION: RoutingTable = {
  name: 'a redirect action answers with its status',
  ingresses: [
    {
      name: 'web',
      annotations: {
        'ingress-bridge.io/actions.moved': JSON.stringify({
          type: 'redirect',
          redirectConfig: { host: 'new.test', path: '/landing', statusCode: 'HTTP_302' },
        }),
      },
      rules: [
        {
          host: 'old.test',
          paths: [
            { path: '/old', pathType: 'Prefix', service: 'moved', port: 'use-annotation' },
            { path: '/', pathType: 'Prefix', service: 'a' },
          ],
        },
      ],
    },
  ],
  routes: { 'http://old.test/old/x': 'redirect:302', 'http://old.test/new': 'default/a:80', 'http://other.test/old': '404' },
};

export const FIXED_RESPONSE_ACTION: RoutingTable = {
  name: 'a fixed response with the status alone',
  ingresses: [
    {
      name: 'web',
      annotations: { 'ingress-bridge.io/actions.gone': JSON.stringify({ type: 'fixed-response', fixedResponseConfig: { statusCode: '410' } }) },
      rules: [{ host: 'f.test', paths: [{ path: '/retired', pathType: 'Exact', service: 'gone', port: 'use-annotation' }] }],
    },
  ],
  routes: { 'http://f.test/retired': '410', 'http://f.test/retired/x': '404' },
};

export const ROUTING_TABLES: readonly RoutingTable[] = [
  EXACT_PATH,
  PREFIX_PATH,
  PREFIX_TRAILING_SLASH,
  PREFIX_ROOT,
  IMPLEMENTATION_SPECIFIC_PATH,
  LITERAL_WILDCARD_CHARACTERS,
  ...LAYERED_PATH_ORDERS,
  LONGER_EXACT_OVER_PREFIX,
  NAMED_HOST_OVER_HOSTLESS,
  HOST_CASE_AND_PORT,
  WILDCARD_HOST,
  EXACT_HOST_OVER_WILDCARD,
  DEFAULT_BACKEND,
  DEFAULT_BACKEND_ALONE,
  WEIGHTED_FORWARD,
  REDIRECT_ACTION,
  FIXED_RESPONSE_ACTION,
];
