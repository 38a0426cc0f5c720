/**
 * Matching that no value can stall, and paths that cannot climb out of the prefix that routed them:
 * wildcards by a non-backtracking matcher, regex values by RE2, dot segments removed before
 * matching (and the normalised path is what the target gets).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ListenerSpec } from '../../../src/model.js';
import type { LocalProvider } from '../../../providers/local/index.js';
import { normalizeRequestPath } from '../../../providers/local/path-normalization.js';
import { compileListenerRules, conditionMatches, type HttpRequestFacts } from '../../../providers/local/rule-match.js';
import { compileWildcard } from '../../../providers/local/wildcard.js';
import { send } from '../../support/local-lb.js';
import { recordingTarget, serve, simpleSpec, startProvider } from './support.js';

function facts(overrides: Partial<HttpRequestFacts>): HttpRequestFacts {
  return { host: 'a.test', path: '/', method: 'GET', headers: {}, query: '', sourceIp: '127.0.0.1', ...overrides };
}

describe('wildcard values', () => {
  const exact = { caseInsensitive: false, backslashEscapes: false };
  it('matches as ALB globs do', () => {
    const cases: [string, string, boolean][] = [
      ['/api/*', '/api/v1/x', true],
      ['/api/*', '/api', false],
      ['*.example.com', 'a.b.example.com', true],
      ['/a?c', '/abc', true],
      ['/a?c', '/ac', false],
      ['*', '', true],
      ['a*b*c', 'abc', true],
      ['a*b*c', 'acb', false],
      ['*ab', 'aab', true],
      ['ab*ab', 'ab', false],
      ['ab*ab', 'abab', true],
      ['?', '', false],
      ['', '', true],
    ];
    for (const [value, subject, expected] of cases) assert.equal(compileWildcard(value, exact)(subject), expected, `${value} vs ${subject}`);
    assert.equal(compileWildcard('*.EXAMPLE.com', { caseInsensitive: true, backslashEscapes: false })('A.example.COM'), true);
    assert.equal(compileWildcard('a\\*b', { caseInsensitive: true, backslashEscapes: true })('a*b'), true);
    assert.equal(compileWildcard('a\\*b', { caseInsensitive: true, backslashEscapes: true })('axb'), false);
  });

  it('answers `*a*a*a*a*b` against 200 `a`s (a backtracking matcher takes seconds) correctly', () => {
    const header = { field: 'http-header' as const, headerName: 'x-probe', values: ['*a*a*a*a*b'] };
    assert.equal(conditionMatches(header, facts({ headers: { 'x-probe': 'a'.repeat(200) } })), false);
    assert.equal(conditionMatches(header, facts({ headers: { 'x-probe': `${'a'.repeat(200)}b` } })), true);
  });
});

describe('regex values', () => {
  it('runs `^(a+)+$` on RE2: 5,000 `a`s and a `b` do not match, and all `a`s do', () => {
    const path = { field: 'path-pattern' as const, regexValues: ['^/(a+)+$'] };
    assert.equal(conditionMatches(path, facts({ path: `/${'a'.repeat(5000)}b` })), false);
    assert.equal(conditionMatches(path, facts({ path: `/${'a'.repeat(5000)}` })), true);
  });

  it('compiles values when the listener is installed; one RE2 cannot compile never matches and is reported', () => {
    const listener: ListenerSpec = {
      port: 80,
      protocol: 'HTTP',
      certificateKeys: [],
      defaultAction: { type: 'fixed-response', statusCode: '404' },
      rules: [
        {
          priority: 1,
          conditions: [{ field: 'host-header', regexValues: ['(', '^b\\.test$'] }],
          actions: [{ type: 'fixed-response', statusCode: '200' }],
          origin: { ingress: { namespace: 'd', name: 'i' } },
        },
      ],
    };
    const problems = compileListenerRules(listener);
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /"\(".*never matches/);
    const condition = listener.rules[0]?.conditions[0] ?? assert.fail();
    assert.equal(conditionMatches(condition, facts({ host: 'B.test' })), true, 'the other value still matches, case-insensitively');
    assert.equal(conditionMatches(condition, facts({ host: '(' })), false);
  });
});

describe('dot segments', () => {
  it('removes them per RFC 3986 section 5.2.4, with %2e as a dot', () => {
    const cases: [string, string][] = [
      ['/public/../admin/secret.txt', '/admin/secret.txt'],
      ['/public/%2e%2e/admin', '/admin'],
      ['/public/%2E%2e/admin', '/admin'],
      ['/a/./b', '/a/b'],
      ['/a/b/..', '/a/'],
      ['/../../x', '/x'],
      ['/a/.', '/a/'],
      ['/a/..b/c', '/a/..b/c'],
      ['/a/%2fb', '/a/%2fb'],
      ['/file%2ehtml', '/file.html'],
      ['*', '*'],
      ['/', '/'],
    ];
    for (const [path, expected] of cases) assert.equal(normalizeRequestPath(path), expected, path);
  });

  describe('through the load balancer', () => {
    let provider: LocalProvider;
    let target: Awaited<ReturnType<typeof recordingTarget>>;
    let port: number;
    before(async () => {
      target = await recordingTarget();
      ({ provider } = startProvider());
      // Only /public and below are routed; everything else gets the default 404.
      port = await serve(
        provider,
        simpleSpec({ target: { ip: '127.0.0.1', port: target.port }, rules: [[{ field: 'path-pattern', values: ['/public', '/public/*'] }]] }),
      );
    });
    after(async () => {
      await provider.close();
      await target.close();
    });

    for (const path of ['/public/../admin/secret.txt', '/public/%2e%2e/admin/secret.txt', '/public/%2E%2E/admin/secret.txt']) {
      it(`does not let ${path} through the /public rule`, async () => {
        target.received.length = 0;
        const response = await send({ port, path, host: 'a.test' });
        assert.equal(response.status, 404);
        assert.deepEqual(target.received, []);
      });
    }

    it('forwards the normalised path of a request that stays under /public', async () => {
      target.received.length = 0;
      const response = await send({ port, path: '/public/x/../y.txt?q=1', host: 'a.test' });
      assert.equal(response.status, 200);
      assert.equal(target.received[0]?.url, '/public/y.txt?q=1');
    });
  });
});
