/**
 * WebSocket upgrades through the local load balancer, as the ALB proxies them: the handshake reaches
 * the target, its 101 reaches the client, and bytes flow both ways afterwards.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { LocalProvider } from '../../../providers/local/index.js';
import { serve, simpleSpec, startProvider } from './support.js';
import { KEY, webSocketTarget, type WebSocketTarget } from './websocket-target.js';

/** Reads from the socket until the text seen so far contains `expected`. */
function readUntil(socket: net.Socket, expected: string, sofar = { text: '' }): Promise<string> {
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      sofar.text += chunk.toString('latin1');
      if (!sofar.text.includes(expected)) return;
      socket.off('data', onData);
      resolve(sofar.text);
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`closed before ${JSON.stringify(expected)}; got ${JSON.stringify(sofar.text)}`)));
  });
}

describe('WebSocket upgrades', () => {
  let provider: LocalProvider;
  let target: WebSocketTarget;
  let port: number;
  before(async () => {
    target = await webSocketTarget();
    ({ provider } = startProvider());
    port = await serve(provider, simpleSpec({ target: { ip: '127.0.0.1', port: target.port } }));
  });
  after(async () => {
    await provider.close();
    await target.close();
  });

  it('proxies the handshake and then bytes both ways', async () => {
    const socket = net.connect(port, '127.0.0.1');
    try {
      socket.write(
        `GET /chat/../socket HTTP/1.1\r\nHost: a.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      const handshake = await readUntil(socket, '\r\n\r\n');
      assert.match(handshake, /^HTTP\/1\.1 101 /);
      assert.match(handshake, /Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/i);
      socket.write('ping');
      assert.match(await readUntil(socket, 'echo:ping'), /echo:ping/);
      socket.write('pong');
      assert.match(await readUntil(socket, 'echo:pong'), /echo:pong/);
      assert.deepEqual(target.handshakes, ['/socket'], 'the target got the normalised path');
    } finally {
      socket.destroy();
    }
  });
});
