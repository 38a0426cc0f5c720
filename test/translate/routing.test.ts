/**
 * Routing semantics (DESIGN.md section 4): the generated rules are run through an evaluator that
 * applies the ALB's own matching, and each request must reach the Service the Ingress specification
 * says it reaches. Most cases are routing tables of test/support/routing-tables.ts, which the GCP
 * tests check under URL-map semantics too.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { onlySpec, translateYaml, type IngressFixture } from '../support/cluster.js';
import {
  assertAlbRoutes,
  DEFAULT_BACKEND,
  DEFAULT_BACKEND_ALONE,
  EXACT_HOST_OVER_WILDCARD,
  EXACT_PATH,
  HOST_CASE_AND_PORT,
  IMPLEMENTATION_SPECIFIC_PATH,
  LAYERED_PATH_ORDERS,
  LITERAL_WILDCARD_CHARACTERS,
  LONGER_EXACT_OVER_PREFIX,
  NAMED_HOST_OVER_HOSTLESS,
  PREFIX_PATH,
  PREFIX_ROOT,
  PREFIX_TRAILING_SLASH,
  routingSpec,
  routingYaml,
  WILDCARD_HOST,
  type RoutingTable,
} from '../support/routing-tables.js';

/** The table's Ingresses route as it says under ALB semantics. */
function assertTableRoutes(table: RoutingTable): void {
  assertAlbRoutes(routingSpec(table.ingresses), table.routes);
}

describe('path types', () => {
  it('Exact matches the path alone, case-sensitive, without a trailing slash', () => {
    assertTableRoutes(EXACT_PATH);
  });

  it('Prefix matches whole path elements: /foo is not a prefix of /foobar', () => {
    assertTableRoutes(PREFIX_PATH);
  });

  it('Prefix ignores a trailing slash in the rule', () => {
    assertTableRoutes(PREFIX_TRAILING_SLASH);
  });

  it('Prefix / matches every path', () => {
    assertTableRoutes(PREFIX_ROOT);
  });

  it('ImplementationSpecific is Prefix, and reads the trailing /* idiom as the prefix before it', () => {
    assertTableRoutes(IMPLEMENTATION_SPECIFIC_PATH);
  });

  it('never lets the ALB wildcard characters * and ? widen a literal path', () => {
    assertTableRoutes(LITERAL_WILDCARD_CHARACTERS);
  });
});

describe('precedence', () => {
  it('the longest path wins and Exact beats an equal Prefix, in every order the paths can be written', () => {
    for (const table of LAYERED_PATH_ORDERS) assertTableRoutes(table);
  });

  it('a longer Exact path beats a shorter Prefix that also matches', () => {
    assertTableRoutes(LONGER_EXACT_OVER_PREFIX);
  });

  it('rules of a named host beat host-less rules, even with a shorter path', () => {
    assertTableRoutes(NAMED_HOST_OVER_HOSTLESS);
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
      assertAlbRoutes(routingSpec(members(first, second)), { 'http://h.test/deep/x': 'default/b:80', 'http://h.test/x': 'default/a:80' });
    }
  });
});

describe('hosts', () => {
  it('match case-insensitively, and ignore the port in the Host header', () => {
    assertTableRoutes(HOST_CASE_AND_PORT);
  });

  it('*.foo.com matches exactly one more label', () => {
    assertTableRoutes(WILDCARD_HOST);
  });

  it('an exact host beats a wildcard host that also matches', () => {
    assertTableRoutes(EXACT_HOST_OVER_WILDCARD);
  });
});

describe('default backend', () => {
  it('answers every request no rule matches', () => {
    assertTableRoutes(DEFAULT_BACKEND);
  });

  it('is the only thing an Ingress with no rules serves', () => {
    const spec = routingSpec(DEFAULT_BACKEND_ALONE.ingresses);
    assert.equal(spec.listeners[0]?.rules.length, 0);
    assertAlbRoutes(spec, DEFAULT_BACKEND_ALONE.routes);
  });
});

describe('group precedence ties', () => {
  it('gives the same host and path to the member first in group order, and warns the other', () => {
    const member = (name: string, order: string, service: string): IngressFixture => ({
      name,
      annotations: { 'alb.ingress.kubernetes.io/group.name': 'shared', 'alb.ingress.kubernetes.io/group.order': order },
      rules: [{ host: 'h.test', paths: [{ path: '/', pathType: 'Prefix', service }] }],
    });
    const translated = translateYaml(routingYaml([member('late', '5', 'b'), member('early', '-3', 'a')]));
    assertAlbRoutes(onlySpec(translated), { 'http://h.test/': 'default/a:80' });
    const warning = translated.diagnostics.find((entry) => entry.object.name === 'late' && entry.severity === 'warning');
    assert.match(warning?.message ?? '', /default\/early/);
  });
});
