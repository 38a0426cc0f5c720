/**
 * A WebSocket target for local-provider tests: it completes the handshake, records each handshake's
 * path and every plain request, and echoes raw bytes back after the upgrade, prefixed with `echo:`.
 * @module
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

/** The sample nonce of RFC 6455 §1.3, as a client's Sec-WebSocket-Key. */
export const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

export interface WebSocketTarget {
  port: number;
  /** The path of every WebSocket handshake, in order. */
  handshakes: string[];
  /** Every request that was not an upgrade, as `METHOD path`. */
  requests: string[];
  close: () => Promise<void>;
}

export async function webSocketTarget(): Promise<WebSocketTarget> {
  const handshakes: string[] = [];
  const requests: string[] = [];
  const upgraded = new Set<Duplex>();
  const server = http.createServer((request, response) => {
    requests.push(`${request.method ?? ''} ${request.url ?? ''}`);
    response.end('plain');
  });
  server.on('upgrade', (request: http.IncomingMessage, socket: Duplex) => {
    handshakes.push(request.url ?? '');
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
    handshakes,
    requests,
    close: () =>
      new Promise((resolve) => {
        // Upgraded sockets have left the HTTP server, so closeAllConnections does not see them.
        for (const socket of upgraded) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
