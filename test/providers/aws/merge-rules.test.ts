import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Action, Condition, LoadBalancerSpec, RuleSpec } from '../../../src/model.js';
import { mergeAdjacentRules } from '../../../providers/aws/plan/merge-rules.js';
import { DEFAULT_HEALTH_CHECK } from '../../../src/translate/backends.js';
import { routeOf } from '../../support/alb-evaluator.js';
import { INGRESS_CLASS_YAML, ingressYaml, NODE_YAML, onlySpec, serviceYaml, translateYaml } from '../../support/cluster.js';

function merged(spec: LoadBalancerSpec): LoadBalancerSpec {
  return { ...spec, listeners: spec.listeners.map((listener) => mergeAdjacentRules(listener)) };
}

function routes(spec: LoadBalancerSpec, urls: readonly string[]): Record<string, string> {
  return Object.fromEntries(urls.map((url) => [url, routeOf(spec, url)]));
}

function pathValues(rule: RuleSpec | undefined): string[] {
  const path = rule?.conditions.find((condition) => condition.field === 'path-pattern');
  return path?.field === 'path-pattern' ? (path.values ?? path.regexValues ?? []) : [];
}

const SERVICES = serviceYaml({ name: 'api' }) + serviceYaml({ name: 'web' }) + serviceYaml({ name: 'docs' });

describe('mergeAdjacentRules on translated Ingresses', () => {
  const spec = onlySpec(
    translateYaml(
      INGRESS_CLASS_YAML +
        NODE_YAML +
        SERVICES +
        ingressYaml({
          name: 'shop',
          rules: [
            {
              host: 'shop.example.com',
              paths: [
                { path: '/', pathType: 'Prefix', service: 'web' },
                { path: '/api', pathType: 'Prefix', service: 'api' },
                { path: '/x', pathType: 'Exact', service: 'api' },
                { path: '/y', pathType: 'Exact', service: 'api' },
                { path: '/z', pathType: 'Exact', service: 'api' },
                { path: '/d', pathType: 'Exact', service: 'docs' },
              ],
            },
            { host: 'other.example.com', paths: [{ path: '/x', pathType: 'Exact', service: 'api' }] },
          ],
        }),
    ),
  );
  const urls = [
    'http://shop.example.com/',
    'http://shop.example.com/api',
    'http://shop.example.com/api/v1',
    'http://shop.example.com/apix',
    'http://shop.example.com/x',
    'http://shop.example.com/x/',
    'http://shop.example.com/y',
    'http://shop.example.com/z',
    'http://shop.example.com/d',
    'http://shop.example.com/e',
    'http://other.example.com/x',
    'http://other.example.com/y',
    'http://SHOP.example.com/z',
    'http://nothing.example.com/x',
  ];

  it('routes every request exactly as before', () => {
    assert.deepEqual(routes(merged(spec), urls), routes(spec, urls));
  });

  it('spends fewer rules, never exceeding three values in a condition', () => {
    const before = spec.listeners[0]?.rules ?? [];
    const after = merged(spec).listeners[0]?.rules ?? [];
    assert.ok(after.length < before.length, `${after.length} rules after merging, ${before.length} before`);
    for (const rule of after) assert.ok(pathValues(rule).length <= 3, JSON.stringify(rule.conditions));
    assert.ok(
      after.some((rule) => pathValues(rule).length > 2),
      'at least one rule holds paths of two Ingress paths',
    );
  });

  it('merges nothing across hosts', () => {
    const other = merged(spec).listeners[0]?.rules.filter((rule) => JSON.stringify(rule.conditions).includes('other.example.com')) ?? [];
    assert.equal(other.length, 1);
    assert.deepEqual(pathValues(other[0]), ['/x']);
  });
});

const TG = (key: string): Action => ({ type: 'forward', targetGroups: [{ targetGroupKey: key, weight: 1 }] });
const host = (value: string): Condition => ({ field: 'host-header', values: [value] });
const paths = (...values: string[]): Condition => ({ field: 'path-pattern', values });
const regexPaths = (...regexValues: string[]): Condition => ({ field: 'path-pattern', regexValues });

function listenerSpec(rules: { conditions: Condition[]; action: Action }[]): LoadBalancerSpec {
  const keys = ['a', 'b'];
  return {
    stack: { id: 'default/t', name: 't', members: [] },
    scheme: 'internal',
    ipAddressType: 'ipv4',
    subnets: { kind: 'discover' },
    securityGroups: { kind: 'managed', inboundCidrs: [] },
    attributes: {},
    tags: {},
    certificates: [],
    listeners: [
      {
        port: 80,
        protocol: 'HTTP',
        certificateKeys: [],
        defaultAction: { type: 'fixed-response', statusCode: '404' },
        rules: rules.map(({ conditions, action }, index) => ({
          priority: (index + 1) * 10,
          conditions,
          actions: [action],
          origin: { ingress: { namespace: 'default', name: 't' } },
        })),
      },
    ],
    targetGroups: keys.map((key) => ({
      key,
      name: key,
      service: { namespace: 'default', name: key, port: 80 },
      protocol: 'HTTP',
      protocolVersion: 'HTTP1',
      port: 80,
      targetType: 'ip',
      healthCheck: { ...DEFAULT_HEALTH_CHECK },
      attributes: {},
      tags: {},
      targets: [],
    })),
  };
}

describe('mergeAdjacentRules table', () => {
  const cases: { name: string; rules: { conditions: Condition[]; action: Action }[]; expectedRules: number }[] = [
    {
      name: 'two adjacent paths of one host and action',
      rules: [
        { conditions: [host('h'), paths('/p')], action: TG('a') },
        { conditions: [host('h'), paths('/q')], action: TG('a') },
      ],
      expectedRules: 1,
    },
    {
      name: 'a rule with another action between them',
      rules: [
        { conditions: [host('h'), paths('/p')], action: TG('a') },
        { conditions: [host('h'), paths('/p/*')], action: TG('b') },
        { conditions: [host('h'), paths('/*')], action: TG('a') },
      ],
      expectedRules: 3,
    },
    {
      name: 'different hosts',
      rules: [
        { conditions: [host('h'), paths('/p')], action: TG('a') },
        { conditions: [host('g'), paths('/q')], action: TG('a') },
      ],
      expectedRules: 2,
    },
    {
      name: 'different actions',
      rules: [
        { conditions: [host('h'), paths('/p')], action: TG('a') },
        { conditions: [host('h'), paths('/q')], action: TG('b') },
      ],
      expectedRules: 2,
    },
    {
      name: 'wildcard values next to regex values',
      rules: [
        { conditions: [host('h'), paths('/p')], action: TG('a') },
        { conditions: [host('h'), regexPaths('^/q$')], action: TG('a') },
      ],
      expectedRules: 2,
    },
    {
      name: 'two regex rules',
      rules: [
        { conditions: [host('h'), regexPaths('^/p$')], action: TG('a') },
        { conditions: [host('h'), regexPaths('^/q$')], action: TG('a') },
      ],
      expectedRules: 1,
    },
    {
      name: 'a rule without a path',
      rules: [
        { conditions: [host('h'), paths('/p')], action: TG('a') },
        { conditions: [host('h')], action: TG('a') },
      ],
      expectedRules: 2,
    },
    {
      name: 'values over the per-condition limit',
      rules: [
        { conditions: [host('h'), paths('/p', '/p/*')], action: TG('a') },
        { conditions: [host('h'), paths('/q', '/q/*')], action: TG('a') },
      ],
      expectedRules: 2,
    },
    {
      name: 'an extra header condition on one side',
      rules: [
        { conditions: [host('h'), paths('/p'), { field: 'http-header', headerName: 'x-canary', values: ['1'] }], action: TG('a') },
        { conditions: [host('h'), paths('/q')], action: TG('a') },
      ],
      expectedRules: 2,
    },
    {
      name: 'three single paths, then a fourth past the limit',
      rules: ['/a', '/b', '/c', '/d'].map((path) => ({ conditions: [host('h'), paths(path)], action: TG('a') })),
      expectedRules: 2,
    },
  ];
  const urls = ['/p', '/p/', '/p/x', '/q', '/q/x', '/a', '/b', '/c', '/d', '/z'].flatMap((path) => [`http://h${path}`, `http://g${path}`]);
  const canaryUrls = urls.map((url) => ({ url, headers: { 'x-canary': '1' } }));

  for (const { name, rules, expectedRules } of cases) {
    it(name, () => {
      const spec = listenerSpec(rules);
      const after = merged(spec);
      assert.equal(after.listeners[0]?.rules.length, expectedRules);
      assert.deepEqual(routes(after, urls), routes(spec, urls));
      for (const { url, headers } of canaryUrls) assert.equal(routeOf(after, url, { headers }), routeOf(spec, url, { headers }), url);
    });
  }

  it('keeps routing on many generated listeners', () => {
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const hosts = ['h', 'g'];
    const pathChoices = [['/p'], ['/q'], ['/p', '/p/*'], ['/q/*'], ['/*'], ['/a'], ['/b']];
    let rulesSaved = 0;
    for (let round = 0; round < 200; round += 1) {
      const rules = Array.from({ length: 2 + random(6) }, () => ({
        conditions: [host(hosts[random(2)] ?? 'h'), paths(...(pathChoices[random(pathChoices.length)] ?? ['/p']))],
        action: TG(random(2) === 0 ? 'a' : 'b'),
      }));
      const spec = listenerSpec(rules);
      const after = merged(spec);
      assert.deepEqual(routes(after, urls), routes(spec, urls), JSON.stringify(rules));
      rulesSaved += rules.length - (after.listeners[0]?.rules.length ?? 0);
    }
    assert.ok(rulesSaved > 50, `only ${rulesSaved} rules saved: the generator should make mergeable neighbours`);
  });
});
