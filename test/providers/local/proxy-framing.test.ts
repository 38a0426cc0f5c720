/**
 * Request smuggling through the local load balancer: whatever framing a client uses and whatever
 * it names in Connection, the target gets exactly the request the load balancer routed, with its
 * body framed by the load balancer, and never a second request hidden in that body.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LocalProvider } from '../../../providers/local/index.js';
import { send } from '../../support/local-lb.js';
import { rawExchange, recordingTarget, serve, simpleSpec, startProvider, statusOf } from './support.js';

const SMUGGLED = 'GET /smuggled HTTP/1.1\r\nHost: evil.test\r\n\r\n';

describe('request framing', () => {
  let provider: LocalProvider;
  let target: Awaited<ReturnType<typeof recordingTarget>>;
  let port: number;
  before(async () => {
    target = await recordingTarget();
    ({ provider } = startProvider());
    port = await serve(provider, simpleSpec({ target: { ip: '127.0.0.1', port: target.port } }));
  });
  after(async () => {
    await provider.close();
    await target.close();
  });

  /** One more request through the proxy: anything smuggled on the pooled connection has been parsed by then. */
  async function urlsAfterAFollowUp(): Promise<string[]> {
    assert.equal((await send({ port, path: '/follow-up', host: 'a.test' })).status, 200);
    return target.received.map((request) => request.url);
  }

  for (const method of ['GET', 'HEAD', 'DELETE', 'OPTIONS']) {
    it(`frames a chunked ${method} body itself, so the target never parses a request hidden in it`, async () => {
      target.received.length = 0;
      const chunk = `${SMUGGLED.length.toString(16)}\r\n${SMUGGLED}\r\n0\r\n\r\n`;
      const answer = await rawExchange(port, `${method} /first HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunk}`);
      assert.equal(statusOf(answer), 200);
      assert.deepEqual(await urlsAfterAFollowUp(), ['/first', '/follow-up']);
      assert.equal(target.received[0]?.method, method);
      assert.equal(target.received[0]?.body, SMUGGLED, 'the body arrives as a body');
    });
  }

  it('keeps framing a body whose Content-Length the client names in Connection', async () => {
    target.received.length = 0;
    const answer = await rawExchange(
      port,
      `GET /first HTTP/1.1\r\nHost: a.test\r\nContent-Length: ${SMUGGLED.length}\r\nConnection: close, content-length\r\n\r\n${SMUGGLED}`,
    );
    assert.equal(statusOf(answer), 200);
    assert.deepEqual(await urlsAfterAFollowUp(), ['/first', '/follow-up']);
    assert.equal(target.received[0]?.body, SMUGGLED);
  });

  it('keeps the Host header when the client names it in Connection', async () => {
    target.received.length = 0;
    const answer = await rawExchange(port, 'GET /named HTTP/1.1\r\nHost: a.test\r\nConnection: close, host\r\n\r\n');
    assert.equal(statusOf(answer), 200);
    assert.equal(target.received[0]?.headers.host, 'a.test');
  });

  it('still drops a hop-by-hop header the client names in Connection', async () => {
    target.received.length = 0;
    const answer = await rawExchange(port, 'GET /named HTTP/1.1\r\nHost: a.test\r\nX-Hop: 1\r\nConnection: close, x-hop\r\n\r\n');
    assert.equal(statusOf(answer), 200);
    const received = target.received[0] ?? assert.fail('the target got the request');
    assert.equal(received.headers['x-hop'], undefined);
  });

  it('answers 400 to a request with two Host headers and forwards nothing', async () => {
    target.received.length = 0;
    const answer = await rawExchange(port, 'GET /twice HTTP/1.1\r\nHost: a.test\r\nHost: evil.test\r\nConnection: close\r\n\r\n');
    assert.equal(statusOf(answer), 400);
    assert.deepEqual(target.received, []);
  });

  it('refuses a request that carries both Content-Length and Transfer-Encoding', async () => {
    target.received.length = 0;
    const answer = await rawExchange(
      port,
      `POST /both HTTP/1.1\r\nHost: a.test\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`,
    );
    assert.equal(statusOf(answer), 400);
    assert.deepEqual(target.received, []);
  });

  it('passes a POST body through with its length', async () => {
    target.received.length = 0;
    const response = await send({ port, path: '/post', method: 'POST', host: 'a.test', body: 'hello' });
    assert.equal(response.status, 200);
    assert.equal(target.received[0]?.body, 'hello');
    assert.equal(target.received[0]?.headers['content-length'], '5');
  });
});
