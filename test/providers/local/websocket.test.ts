/**
 * WebSocket upgrades through the local load balancer, as the ALB proxies them: the handshake reaches
 * the target, its 101 reaches the client, and bytes flow both ways afterwards.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { LocalProvider } from '../../../providers/local/index.js';
import { serve, simpleSpec, startProvider } from './support.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** A target that completes a WebSocket handshake and then echoes raw bytes back, prefixed with `echo:`. */
async function echoUpgradeTarget(): Promise<{ port: number; paths: string[]; close: () => Promise<void> }> {
  const paths: string[] = [];
  const upgraded = new Set<net.Socket>();
  const server = http.createServer((_request, response) => response.end('plain'));
  server.on('upgrade', (request: http.IncomingMessage, socket: net.Socket) => {
    paths.push(request.url ?? '');
    upgraded.add(socket);
    const accept = createHash('sha1')
      .update(`${String(request.headers['sec-websocket-key'])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    socket.on('data', (chunk: Buffer) => socket.write(`echo:${chunk.toString()}`));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    paths,
    close: () =>
      new Promise((resolve) => {
        // Upgraded sockets have left the HTTP server, so closeAllConnections does not see them.
        for (const socket of upgraded) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

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
  let target: Awaited<ReturnType<typeof echoUpgradeTarget>>;
  let port: number;
  before(async () => {
    target = await echoUpgradeTarget();
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
      assert.deepEqual(target.paths, ['/socket'], 'the target got the normalised path');
    } finally {
      socket.destroy();
    }
  });
});
