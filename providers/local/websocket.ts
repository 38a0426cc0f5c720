/**
 * WebSocket upgrades, proxied as the ALB proxies them: the handshake goes to a target chosen like
 * any forwarded request, the target's 101 goes back to the client, and from then on bytes are
 * copied both ways until either side closes or the connection is idle for the load balancer's idle
 * timeout. A target that declines (any answer but 101) has its answer relayed, and the connection
 * is closed after it.
 *
 * Only `Upgrade: websocket` GET requests routed to a forward action come here (the server's
 * shouldUpgradeCallback asks `isWebSocketUpgrade`); any other request with an Upgrade header is an
 * ordinary request whose Upgrade header, being hop-by-hop, is not passed on.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ListenerProtocol, Target } from '../../src/model.js';
import { plainAnswer, writeRawAnswer } from './answers.js';
import { requestToTarget, withoutHopByHop } from './forward.js';
import { targetAddress } from './health.js';
import type { LocalLog } from './log.js';
import { reasonPhraseProblem, upstreamResponseProblem } from './upstream-response.js';

export function isWebSocketUpgrade(request: Pick<IncomingMessage, 'method' | 'headers'>): boolean {
  const upgrade = (request.headers.upgrade ?? '').toLowerCase();
  const connection = (request.headers.connection ?? '').toLowerCase();
  return (
    request.method === 'GET' &&
    upgrade.split(',').some((token) => token.trim() === 'websocket') &&
    connection.split(',').some((token) => token.trim() === 'upgrade')
  );
}

export interface WebSocketProxy {
  request: IncomingMessage;
  clientSocket: Duplex;
  /** Bytes the client sent after its handshake, already read by the server. */
  head: Buffer;
  target: Target;
  targetProtocol: 'HTTP' | 'HTTPS';
  listener: { protocol: ListenerProtocol; specPort: number };
  /** For the handshake's answer, then for an idle connection. */
  timeoutMs: number;
  log: LocalLog;
}

export function proxyWebSocket(proxy: WebSocketProxy): void {
  const { request, clientSocket, target } = proxy;
  const upstream = requestToTarget(request, {
    target,
    protocol: proxy.targetProtocol,
    listener: proxy.listener,
    headers: { connection: 'Upgrade', upgrade: 'websocket' },
    // An upgraded connection leaves the pool for good: never take it from one.
    agent: false,
  });
  const fail = (status: 502 | 504, detail: string): void => {
    proxy.log.warn({ target: targetAddress(target), status, detail }, 'the local load balancer could not proxy a WebSocket handshake');
    writeRawAnswer(clientSocket, plainAnswer(status));
  };
  let timedOut = false;
  upstream.setTimeout(proxy.timeoutMs, () => {
    timedOut = true;
    upstream.destroy(new Error(`no answer within ${proxy.timeoutMs} ms`));
  });
  clientSocket.on('error', () => upstream.destroy());
  clientSocket.on('close', () => upstream.destroy());
  upstream.on('upgrade', (answer: IncomingMessage, upstreamSocket: Duplex, upstreamHead: Buffer) => {
    const problem = reasonPhraseProblem(answer.statusMessage);
    if (problem) {
      upstreamSocket.destroy();
      fail(502, problem);
      return;
    }
    clientSocket.write(rawHead(101, answer.statusMessage ?? 'Switching Protocols', answer.rawHeaders));
    if (upstreamHead.length > 0) clientSocket.write(upstreamHead);
    if (proxy.head.length > 0) upstreamSocket.write(proxy.head);
    spliceSockets(clientSocket, upstreamSocket, proxy.timeoutMs);
  });
  upstream.on('response', (answer: IncomingMessage) => {
    const problem = upstreamResponseProblem(answer);
    if (problem) {
      upstream.destroy();
      fail(502, problem);
      return;
    }
    // The body is delimited by closing the connection, so the target's framing is not needed.
    const headers = [...headerPairs(withoutHopByHop(answer.headers, { dropFraming: true })), 'connection', 'close'];
    clientSocket.write(rawHead(answer.statusCode ?? 502, answer.statusMessage ?? '', headers));
    answer.pipe(clientSocket);
  });
  upstream.on('error', (error: NodeJS.ErrnoException) => {
    if (timedOut) fail(504, `no answer within ${proxy.timeoutMs} ms`);
    else fail(502, `could not be reached or answered malformed HTTP (${error.code ?? error.message})`);
  });
  upstream.end();
}

/** Copies bytes both ways; either side closing, failing or idling past the timeout closes both. */
function spliceSockets(client: Duplex, upstream: Duplex, idleMs: number): void {
  const closeBoth = (): void => {
    client.destroy();
    upstream.destroy();
  };
  for (const socket of [client, upstream]) {
    // The server's sockets allow half-open connections; a side that has finished sending is done.
    socket.on('end', () => socket.end());
    socket.on('error', closeBoth);
    socket.on('close', closeBoth);
    if ('setTimeout' in socket && typeof socket.setTimeout === 'function')
      (socket as Duplex & { setTimeout(ms: number, cb: () => void): void }).setTimeout(idleMs, closeBoth);
  }
  upstream.pipe(client);
  client.pipe(upstream);
}

function rawHead(status: number, reason: string, rawHeaders: readonly string[]): string {
  let head = `HTTP/1.1 ${status} ${reason}\r\n`;
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) head += `${rawHeaders[index]}: ${rawHeaders[index + 1]}\r\n`;
  return `${head}\r\n`;
}

/** Name, value, name, value…; a repeated header (Set-Cookie) stays one line per value. */
function headerPairs(headers: Record<string, string | string[] | number | undefined>): string[] {
  const pairs: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const each of Array.isArray(value) ? value : [value]) pairs.push(name, String(each));
  }
  return pairs;
}
