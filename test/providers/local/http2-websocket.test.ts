/**
 * WebSockets and HTTP/2, as on the ALB: a WebSocket is an upgraded HTTP/1.1 connection. The HTTPS
 * listener's HTTP/2 side does not advertise SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441), so clients
 * open their WebSocket over HTTP/1.1 on the same port, which works; an extended CONNECT sent over
 * HTTP/2 anyway is refused and never reaches a target.
 */
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import type { LocalProvider } from '../../../providers/local/index.js';
import { materialOf, MemoryCertificates, selfSignedCertificate } from '../../support/local-lb.js';
import { serve, simpleSpec, startProvider } from './support.js';
import { KEY, webSocketTarget, type WebSocketTarget } from './websocket-target.js';

function connectHttp2(port: number): http2.ClientHttp2Session {
  const session = http2.connect(`https://chat.test:${port}`, {
    rejectUnauthorized: false,
    lookup: (_host, _options, done) => done(null, [{ address: '127.0.0.1', family: 4 }]),
  } as http2.SecureClientSessionOptions);
  session.on('error', () => undefined);
  return session;
}

/**
 * How an HTTP/2 request ends: `answered <status>`, or `reset` when the stream is refused or reset.
 * An answer is read to its end, and our side of the stream ended (a CONNECT leaves it open), so
 * that the session can close.
 */
function outcome(stream: http2.ClientHttp2Stream): Promise<string> {
  return new Promise((resolve) => {
    stream.on('response', (headers) => {
      stream.end();
      stream.resume();
      stream.on('end', () => resolve(`answered ${String(headers[':status'])}`));
    });
    stream.on('error', () => resolve('reset'));
    stream.on('close', () => resolve('reset'));
  });
}

describe('WebSockets on an HTTPS listener that speaks HTTP/2', () => {
  const material = new MemoryCertificates();
  let provider: LocalProvider;
  let target: WebSocketTarget;
  let port = 0;
  before(async () => {
    material.set('default', 'chat-tls', materialOf(selfSignedCertificate(['chat.test'])));
    target = await webSocketTarget();
    ({ provider } = startProvider({}, material));
    port = await serve(
      provider,
      simpleSpec({
        target: { ip: '127.0.0.1', port: target.port },
        port: 443,
        protocol: 'HTTPS',
        certificates: [{ key: 'secret/default/chat-tls', source: { kind: 'secret', namespace: 'default', name: 'chat-tls' }, hosts: ['chat.test'] }],
      }),
    );
  });
  after(async () => {
    await provider.close();
    await target.close();
  });

  it('does not advertise extended CONNECT (RFC 8441) to HTTP/2 clients', async () => {
    const session = connectHttp2(port);
    try {
      const settings = await new Promise<http2.Settings>((resolve) => session.once('remoteSettings', resolve));
      assert.equal(settings.enableConnectProtocol, false);
    } finally {
      session.close();
    }
  });

  it('refuses an extended CONNECT for a WebSocket sent over HTTP/2 anyway: no handshake reaches the target', async () => {
    const session = connectHttp2(port);
    try {
      await new Promise((resolve) => session.once('remoteSettings', resolve));
      const stream = session.request({
        ':method': 'CONNECT',
        ':protocol': 'websocket',
        ':scheme': 'https',
        ':path': '/chat',
        ':authority': 'chat.test',
        'sec-websocket-version': '13',
      });
      assert.equal(await outcome(stream), 'reset');
      // The session is still good for ordinary requests.
      assert.equal(await outcome(session.request({ ':path': '/after', ':authority': 'chat.test' })), 'answered 200');
    } finally {
      session.close();
    }
    assert.deepEqual(target.handshakes, []);
    assert.deepEqual(target.requests, ['GET /after']);
  });

  it('a plain HTTP/2 CONNECT is not forwarded either (405)', async () => {
    const session = connectHttp2(port);
    try {
      assert.equal(await outcome(session.request({ ':method': 'CONNECT', ':authority': 'chat.test:443' })), 'answered 405');
    } finally {
      session.close();
    }
    assert.deepEqual(target.handshakes, []);
  });

  it('a WebSocket client upgrades over HTTP/1.1 on the same port (offering http/1.1 by ALPN, as browsers do for WebSockets)', async () => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'chat.test', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('secureConnect', resolve);
        socket.once('error', reject);
      });
      socket.write(
        `GET /chat HTTP/1.1\r\nHost: chat.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      let text = '';
      await new Promise<void>((resolve, reject) => {
        socket.on('data', (chunk: Buffer) => {
          text += chunk.toString('latin1');
          if (text.includes('\r\n\r\n') && !text.includes('echo:')) socket.write('ping');
          if (text.includes('echo:ping')) resolve();
        });
        socket.once('close', () => reject(new Error(`closed; got ${JSON.stringify(text)}`)));
      });
      assert.match(text, /^HTTP\/1\.1 101 /);
      assert.deepEqual(target.handshakes, ['/chat']);
    } finally {
      socket.destroy();
    }
  });
});
