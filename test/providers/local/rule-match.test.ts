import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Action, Condition, ListenerSpec, LoadBalancerSpec, RuleSpec, TargetGroupSpec } from '../../../src/model.js';
import { conditionMatches, selectListenerAction } from '../../../providers/local/rule-match.js';
import type { HttpRequestFacts } from '../../../providers/local/rule-match.js';
import { evaluateAlbRequest, routeOf } from '../../support/alb-evaluator.js';
import { DEFAULT_HEALTH_CHECK } from '../../../src/translate/backends.js';

function request(overrides: Partial<HttpRequestFacts> = {}): HttpRequestFacts {
  return { host: 'www.example.com', path: '/', method: 'GET', headers: {}, query: '', sourceIp: '192.0.2.10', ...overrides };
}

const host = (...values: string[]): Condition => ({ field: 'host-header', values });
const path = (...values: string[]): Condition => ({ field: 'path-pattern', values });

function matchesHost(condition: Condition, hostHeader: string): boolean {
  return conditionMatches(condition, request({ host: hostHeader }));
}

function matchesPath(condition: Condition, requestPath: string): boolean {
  return conditionMatches(condition, request({ path: requestPath }));
}

function forwardTo(service: string): Action {
  return { type: 'forward', targetGroups: [{ targetGroupKey: `default/${service}:80/ip`, weight: 1 }] };
}

function rule(priority: number, conditions: Condition[], service: string): RuleSpec {
  return { priority, conditions, actions: [forwardTo(service)], origin: { ingress: { namespace: 'default', name: 'test' } } };
}

function targetGroup(service: string): TargetGroupSpec {
  return {
    key: `default/${service}:80/ip`,
    name: service,
    service: { namespace: 'default', name: service, port: 80 },
    protocol: 'HTTP',
    protocolVersion: 'HTTP1',
    port: 80,
    targetType: 'ip',
    healthCheck: { ...DEFAULT_HEALTH_CHECK },
    attributes: {},
    tags: {},
    targets: [],
  };
}

const notFound: Action = { type: 'fixed-response', statusCode: '404' };

function spec(listeners: ListenerSpec[], services: string[]): LoadBalancerSpec {
  return {
    stack: { id: 'default/test', name: 'k8s-default-test', members: [{ namespace: 'default', name: 'test' }] },
    scheme: 'internet-facing',
    ipAddressType: 'ipv4',
    subnets: { kind: 'discover' },
    securityGroups: { kind: 'managed', inboundCidrs: ['0.0.0.0/0'] },
    attributes: {},
    tags: {},
    listeners,
    targetGroups: services.map(targetGroup),
    certificates: [],
  };
}

function httpListener(rules: RuleSpec[], defaultAction: Action = notFound): ListenerSpec {
  return { port: 80, protocol: 'HTTP', certificateKeys: [], defaultAction, rules };
}

describe('wildcard values', () => {
  it('lets * span dots, so *.example.com as a plain value matches deeper hosts too', () => {
    const wildcard = host('*.example.com');
    assert.equal(matchesHost(wildcard, 'a.example.com'), true);
    assert.equal(matchesHost(wildcard, 'a.b.example.com'), true);
    assert.equal(matchesHost(wildcard, 'example.com'), false);
  });

  it('lets * span slashes and match nothing', () => {
    const prefix = path('/api/*');
    assert.equal(matchesPath(prefix, '/api/v1/users'), true);
    assert.equal(matchesPath(prefix, '/api/'), true);
    assert.equal(matchesPath(prefix, '/api'), false);
  });

  it('lets ? match exactly one character, a slash included', () => {
    assert.equal(matchesPath(path('/v?'), '/v1'), true);
    assert.equal(matchesPath(path('/v?'), '/v'), false);
    assert.equal(matchesPath(path('/v?'), '/v12'), false);
    assert.equal(matchesPath(path('/a?b'), '/a/b'), true);
  });

  it('treats regex metacharacters as literal', () => {
    assert.equal(matchesHost(host('a.example.com'), 'axexample.com'), false);
    assert.equal(matchesPath(path('/c++'), '/c++'), true);
    assert.equal(matchesPath(path('/c++'), '/ccc'), false);
    assert.equal(matchesPath(path('/f(o)|x'), '/f(o)|x'), true);
    assert.equal(matchesPath(path('/f(o)|x'), '/fo'), false);
    assert.equal(matchesPath(path('/[ab]$^{2}'), '/[ab]$^{2}'), true);
  });

  it('anchors the value to the whole field', () => {
    assert.equal(matchesPath(path('/foo'), '/foo/bar'), false);
    assert.equal(matchesPath(path('/foo'), '/x/foo'), false);
  });

  it('is satisfied by any one of the values', () => {
    const either = path('/a', '/b');
    assert.equal(matchesPath(either, '/b'), true);
    assert.equal(matchesPath(either, '/c'), false);
  });
});

describe('host-header', () => {
  it('compares case-insensitively and ignores the port', () => {
    assert.equal(matchesHost(host('foo.example.com'), 'Foo.Example.COM:8080'), true);
    assert.equal(matchesHost(host('FOO.example.com'), 'foo.example.com'), true);
    assert.equal(matchesHost(host('[::1]'), '[::1]:8443'), true);
  });

  it('tests regexValues case-insensitively, unanchored unless the pattern anchors itself', () => {
    assert.equal(matchesHost({ field: 'host-header', regexValues: ['example'] }, 'Foo.EXAMPLE.com'), true);
    const oneLabel: Condition = { field: 'host-header', regexValues: ['^[^.]+\\.example\\.com$'] };
    assert.equal(matchesHost(oneLabel, 'a.example.com:80'), true);
    assert.equal(matchesHost(oneLabel, 'a.b.example.com'), false);
  });
});

describe('path-pattern', () => {
  it('is case-sensitive, for values and regexValues', () => {
    assert.equal(matchesPath(path('/foo'), '/Foo'), false);
    assert.equal(matchesPath({ field: 'path-pattern', regexValues: ['^/foo$'] }, '/FOO'), false);
    assert.equal(matchesPath({ field: 'path-pattern', regexValues: ['^/foo(/.*)?$'] }, '/foo/x'), true);
  });

  it('never sees the query string', () => {
    assert.equal(matchesPath(path('/foo'), '/foo?x=1'), true);
    const byQuery = spec([httpListener([rule(1, [path('*x=1*')], 'leak')])], ['leak']);
    assert.equal(routeOf(byQuery, 'http://h.example.com/a?x=1'), '404');
    const exact = spec([httpListener([rule(1, [path('/a')], 'a')])], ['a']);
    assert.equal(routeOf(exact, 'http://h.example.com/a?x=1'), 'default/a:80');
  });
});

describe('http-header', () => {
  const header: Condition = { field: 'http-header', headerName: 'X-Canary', values: ['yes*'] };

  it('matches the name and the value case-insensitively, with wildcards', () => {
    assert.equal(conditionMatches(header, request({ headers: { 'x-canary': 'YES-please' } })), true);
    assert.equal(conditionMatches(header, request({ headers: { 'X-CANARY': 'yes' } })), true);
    assert.equal(conditionMatches(header, request({ headers: { 'x-canary': 'no' } })), false);
  });

  it('checks every value of a repeated header and never matches a missing one', () => {
    assert.equal(conditionMatches(header, request({ headers: { 'x-canary': ['no', 'yes'] } })), true);
    assert.equal(conditionMatches(header, request({ headers: { 'x-other': 'yes' } })), false);
    const anything: Condition = { field: 'http-header', headerName: 'x-canary', values: ['*'] };
    assert.equal(conditionMatches(anything, request({ headers: { 'x-canary': undefined } })), false);
  });

  it('supports regexValues', () => {
    const version: Condition = { field: 'http-header', headerName: 'x-version', regexValues: ['^v[0-9]+$'] };
    assert.equal(conditionMatches(version, request({ headers: { 'x-version': 'V12' } })), true);
    assert.equal(conditionMatches(version, request({ headers: { 'x-version': 'v1.2' } })), false);
  });
});

describe('http-request-method', () => {
  it('matches exactly and case-sensitively, without wildcards', () => {
    const method: Condition = { field: 'http-request-method', values: ['GET', 'HEAD'] };
    assert.equal(conditionMatches(method, request({ method: 'HEAD' })), true);
    assert.equal(conditionMatches(method, request({ method: 'get' })), false);
    assert.equal(conditionMatches({ field: 'http-request-method', values: ['P*'] }, request({ method: 'POST' })), false);
  });
});

describe('query-string', () => {
  const query = (values: { key?: string; value: string }[], raw: string): boolean =>
    conditionMatches({ field: 'query-string', values }, request({ query: raw }));

  it('matches a key and value pair case-insensitively, after percent-decoding', () => {
    assert.equal(query([{ key: 'version', value: 'v1' }], '?a=b&Version=V1'), true);
    assert.equal(query([{ key: 'name', value: 'a b' }], 'name=a%20b'), true);
    assert.equal(query([{ key: 'version', value: 'v1' }], 'other=v1'), false);
  });

  it('matches a key-less value against any parameter, with wildcards and escapes', () => {
    assert.equal(query([{ value: '*beta*' }], 'channel=the-BETA-one'), true);
    assert.equal(query([{ value: 'a\\*' }], 'x=a*'), true);
    assert.equal(query([{ value: 'a\\*' }], 'x=ab'), false);
  });

  it('is satisfied by any one pair and never by an empty query', () => {
    assert.equal(
      query(
        [
          { key: 'a', value: '1' },
          { key: 'b', value: '2' },
        ],
        'b=2',
      ),
      true,
    );
    assert.equal(query([{ value: '*' }], ''), false);
  });
});

describe('source-ip', () => {
  const source = (cidrs: string[], address: string): boolean => conditionMatches({ field: 'source-ip', values: cidrs }, request({ sourceIp: address }));

  it('matches IPv4 and IPv6 CIDRs, and IPv4-mapped IPv6 client addresses', () => {
    assert.equal(source(['10.0.0.0/8'], '10.1.2.3'), true);
    assert.equal(source(['10.0.0.0/8'], '11.0.0.1'), false);
    assert.equal(source(['10.0.0.0/8'], '::ffff:10.9.9.9'), true);
    assert.equal(source(['2001:db8::/32'], '2001:db8:1::5'), true);
    assert.equal(source(['2001:db8::/32'], '2001:db9::5'), false);
    assert.equal(source(['0.0.0.0/0'], 'not-an-address'), false);
  });
});

describe('selectListenerAction', () => {
  it('evaluates rules in ascending priority whatever their order in the array', () => {
    const rules = [rule(20, [path('/api/*')], 'broad'), rule(10, [path('/api/v1/*')], 'narrow')];
    const listener = httpListener(rules);
    assert.equal(selectListenerAction(listener, request({ path: '/api/v1/x' })).rule?.priority, 10);
    const reversed = spec([httpListener([...rules].reverse())], ['broad', 'narrow']);
    assert.equal(routeOf(reversed, 'http://h.example.com/api/v1/x'), 'default/narrow:80');
    assert.equal(routeOf(reversed, 'http://h.example.com/api/v2/x'), 'default/broad:80');
  });

  it('requires every condition of a rule and falls back to the default action', () => {
    const listener = httpListener([rule(1, [host('a.example.com'), path('/x')], 'both')], forwardTo('fallback'));
    const lb = spec([listener], ['both', 'fallback']);
    assert.equal(routeOf(lb, 'http://a.example.com/x'), 'default/both:80');
    assert.equal(routeOf(lb, 'http://b.example.com/x'), 'default/fallback:80');
    assert.equal(selectListenerAction(listener, request({ host: 'b.example.com', path: '/x' })).rule, undefined);
  });
});

describe('alb-evaluator', () => {
  it('describes redirects with the request parts ALB keeps', () => {
    const toHttps: Action = { type: 'redirect', protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' };
    const lb = spec([httpListener([], toHttps)], []);
    assert.equal(routeOf(lb, 'http://Shop.example.com:8080/a/b?x=1'), 'redirect:301');
    const route = evaluateAlbRequest(lb, { url: 'http://Shop.example.com:8080/a/b?x=1' });
    assert.equal(route.kind === 'redirect' && route.location, 'https://Shop.example.com/a/b?x=1');
  });

  it('lists every weighted service of a forward, and refuses a port without a listener', () => {
    const split: Action = {
      type: 'forward',
      targetGroups: [
        { targetGroupKey: 'default/blue:80/ip', weight: 90 },
        { targetGroupKey: 'default/green:80/ip', weight: 10 },
      ],
    };
    const lb = spec([httpListener([], split)], ['blue', 'green']);
    const route = evaluateAlbRequest(lb, { url: 'http://x.example.com/' });
    assert.deepEqual(route.kind === 'forward' && route.weights, [90, 10]);
    assert.equal(routeOf(lb, 'http://x.example.com/'), 'default/blue:80,default/green:80');
    assert.throws(() => routeOf(lb, 'https://x.example.com/'), /no listener on port 443/);
  });
});
