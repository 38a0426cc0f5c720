/**
 * Rule transforms on the local load balancer: the target receives the rewritten path and Host,
 * routing is decided before the rewrite, and a rewrite that cannot make a request is a 500.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Transform } from '../../../src/model.js';
import { applyTransforms } from '../../../providers/local/rewrite.js';
import { send } from '../../support/local-lb.js';
import { recordingTarget, serve, simpleSpec, startProvider } from './support.js';

describe('applyTransforms', () => {
  const url = (regex: string, replace: string): Transform => ({ type: 'url-rewrite', regex, replace });
  const host = (regex: string, replace: string): Transform => ({ type: 'host-header-rewrite', regex, replace });

  it('rewrites the path and query with capture groups, the first match only', () => {
    assert.deepEqual(applyTransforms([url('^/dp/([A-Za-z0-9]+)/?$', '/product.php?id=$1')], { target: '/dp/B0123', host: 'shop.test' }), {
      ok: true,
      target: '/product.php?id=B0123',
    });
    assert.deepEqual(applyTransforms([url('a', 'b')], { target: '/aaa', host: 'x' }), { ok: true, target: '/baa' });
    assert.deepEqual(applyTransforms([url('^/api/(.*)$', '/v2/$1')], { target: '/api/items?page=2', host: 'x' }), { ok: true, target: '/v2/items?page=2' });
  });

  it('rewrites the Host name and keeps the port the client sent', () => {
    assert.deepEqual(applyTransforms([host('^mywebsite-(.+)\\.com$', 'internal.dev.$1.myweb.com')], { target: '/', host: 'mywebsite-example.com:8443' }), {
      ok: true,
      host: 'internal.dev.example.myweb.com:8443',
    });
  });

  it('leaves the request as it is when nothing matches', () => {
    assert.deepEqual(applyTransforms([url('^/nothing', '/x'), host('^none$', 'y')], { target: '/a', host: 'b' }), { ok: true });
  });

  it('fails a rewrite whose result is no request target or no host name', () => {
    assert.equal(applyTransforms([url('^/(.*)$', '$1')], { target: '/a', host: 'x' }).ok, false);
    assert.equal(applyTransforms([url('^/(.*)$', '/with space')], { target: '/a', host: 'x' }).ok, false);
    assert.equal(applyTransforms([host('.*', 'bad/host')], { target: '/', host: 'x' }).ok, false);
  });

  it('matches in linear time: a pattern that backtracks exponentially elsewhere answers at once', () => {
    const subject = `/${'a'.repeat(5000)}b`;
    assert.deepEqual(applyTransforms([url('^/(a+)+$', '/x')], { target: subject, host: 'x' }), { ok: true });
  });
});

describe('transforms over sockets', () => {
  let target: Awaited<ReturnType<typeof recordingTarget>>;
  const { provider, log } = startProvider();
  let port: number;

  before(async () => {
    target = await recordingTarget();
    const spec = simpleSpec({
      target: { ip: '127.0.0.1', port: target.port },
      rules: [
        [{ field: 'path-pattern', values: ['/old/*'] }],
        [{ field: 'path-pattern', values: ['/broken'] }],
        [{ field: 'path-pattern', values: ['/plain'] }],
      ],
    });
    const [rewriting, broken] = spec.listeners[0]!.rules;
    rewriting!.transforms = [
      { type: 'url-rewrite', regex: '^/old/([^?]*)(.*)$', replace: '/new/$1$2' },
      { type: 'host-header-rewrite', regex: '^shop\\.test$', replace: 'backend.internal' },
    ];
    broken!.transforms = [{ type: 'url-rewrite', regex: '^/broken$', replace: 'no-slash' }];
    port = await serve(provider, spec);
  });
  after(async () => {
    await provider.close();
    await target.close();
  });

  it('sends the target the rewritten path, query and Host', async () => {
    const response = await send({ port, path: '/old/items/7?color=red', host: 'shop.test' });
    assert.equal(response.status, 200);
    const received = target.received.at(-1);
    assert.equal(received?.url, '/new/items/7?color=red');
    assert.equal(received?.headers.host, 'backend.internal');
  });

  it('routes by the request as sent: a rule without transforms forwards it unchanged', async () => {
    await send({ port, path: '/plain?x=1', host: 'shop.test' });
    assert.equal(target.received.at(-1)?.url, '/plain?x=1');
    assert.equal(target.received.at(-1)?.headers.host, 'shop.test');
  });

  it('answers 500 when a transform makes no request target, and the target sees nothing', async () => {
    const before = target.received.length;
    const response = await send({ port, path: '/broken', host: 'shop.test' });
    assert.equal(response.status, 500);
    assert.equal(target.received.length, before);
    assert.match(log.text(), /url-rewrite made/);
  });
});
