/**
 * The local load balancer's pure decisions, case by case: success codes, weighted choice, redirect
 * Locations, how exactly a rule names its host, and the upstream timeout.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RuleSpec } from '../../../src/model.js';
import { SmoothWeightedRoundRobin } from '../../../providers/local/balancer.js';
import { hostSpecificity } from '../../../providers/local/dispatch.js';
import { parseSuccessCodes } from '../../../providers/local/health-probe.js';
import { redirectLocation, type RedirectAction, type RedirectRequest } from '../../../providers/local/redirect.js';
import { readLocalSettings, upstreamTimeoutFor } from '../../../providers/local/settings.js';

describe('success codes', () => {
  it('reads ALB syntax: one code, a list, a range, and a mix', () => {
    const accepted = (codes: string): number[] => [199, 200, 202, 204, 299, 300, 302].filter(parseSuccessCodes(codes));
    assert.deepEqual(accepted('200'), [200]);
    assert.deepEqual(accepted('200,202'), [200, 202]);
    assert.deepEqual(accepted('200-299'), [200, 202, 204, 299]);
    assert.deepEqual(accepted('204, 300-302'), [204, 300, 302]);
  });
});

describe('smooth weighted round-robin', () => {
  it('interleaves by weight and never chooses a weight of 0', () => {
    const chooser = new SmoothWeightedRoundRobin([
      { item: 'a', weight: 3 },
      { item: 'z', weight: 0 },
      { item: 'b', weight: 1 },
    ]);
    assert.deepEqual(
      Array.from({ length: 8 }, () => chooser.next()),
      ['a', 'a', 'b', 'a', 'a', 'a', 'b', 'a'],
    );
  });

  it('chooses nothing when every weight is 0', () => {
    assert.equal(new SmoothWeightedRoundRobin([{ item: 'a', weight: 0 }]).next(), undefined);
  });
});

describe('redirect Location', () => {
  const request: RedirectRequest = { protocol: 'HTTP', host: 'shop.test:8080', specPort: 80, path: '/cart/item', query: 'id=7' };
  const localPorts: Record<number, number> = { 80: 8080, 443: 8443, 9000: 9000 };
  const location = (parts: Omit<RedirectAction, 'type' | 'statusCode'>): string =>
    redirectLocation({ type: 'redirect', statusCode: 'HTTP_301', ...parts }, request, (port) => localPorts[port] ?? port);

  it("keeps the request's own parts where the action sets none, at the local port", () => {
    assert.equal(location({ host: 'www.shop.test' }), 'http://www.shop.test:8080/cart/item?id=7');
  });

  it('sends HTTPS port 443 to the local https port', () => {
    assert.equal(location({ protocol: 'HTTPS', port: '443' }), 'https://shop.test:8443/cart/item?id=7');
  });

  it('fills #{…} placeholders and leaves out a port that is the protocol default', () => {
    const noMapping = redirectLocation(
      { type: 'redirect', statusCode: 'HTTP_302', protocol: 'HTTPS', port: '443', path: '/new/#{path}', query: 'from=#{host}&#{query}' },
      request,
      (port) => port,
    );
    assert.equal(noMapping, 'https://shop.test/new/cart/item?from=shop.test&id=7');
  });
});

describe('host specificity', () => {
  const rule = (conditions: RuleSpec['conditions']): RuleSpec => ({
    priority: 1,
    conditions,
    actions: [],
    origin: { ingress: { namespace: 'default', name: 'web' } },
  });

  it('ranks an exact host over a wildcard or regex host over none', () => {
    assert.equal(hostSpecificity(rule([{ field: 'host-header', values: ['a.test'] }])), 2);
    assert.equal(hostSpecificity(rule([{ field: 'host-header', values: ['*.a.test'] }])), 1);
    assert.equal(hostSpecificity(rule([{ field: 'host-header', regexValues: ['^[^.]+\\.a\\.test(:[0-9]+)?$'] }])), 1);
    assert.equal(hostSpecificity(rule([{ field: 'path-pattern', values: ['/api'] }])), 0);
  });
});

describe('upstream timeout', () => {
  it('is the setting, else the idle timeout attribute, else 60 seconds', () => {
    const idle = { 'idle_timeout.timeout_seconds': '120' };
    assert.equal(upstreamTimeoutFor(readLocalSettings({ upstreamTimeoutMs: '250' }), idle), 250);
    assert.equal(upstreamTimeoutFor(readLocalSettings({}), idle), 120_000);
    assert.equal(upstreamTimeoutFor(readLocalSettings({}), {}), 60_000);
  });

  it('refuses settings it cannot use', () => {
    assert.throws(() => readLocalSettings({ httpPort: 70000 }), /httpPort must be a port number/);
    assert.throws(() => readLocalSettings({ healthCheckTimeScale: 0 }), /healthCheckTimeScale must be a number greater than 0/);
  });
});
