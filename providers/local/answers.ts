/**
 * The load balancer's own answers from the checks that run before a rule's action (authentication,
 * mutual TLS, transforms): plain data decided by pure code, written by the thin shells below, with
 * generic bodies like the other error answers (forward.ts `sendError`).
 * @module
 */
import http, { type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export interface LocalAnswer {
  status: number;
  /** Besides content-type and content-length, which are the body's. */
  headers: OutgoingHttpHeaders;
}

export function plainAnswer(status: number, headers: OutgoingHttpHeaders = {}): LocalAnswer {
  return { status, headers };
}

export function writeAnswer(response: ServerResponse, answer: LocalAnswer): void {
  const body = answer.status >= 300 && answer.status < 400 ? '' : `${answer.status} ${http.STATUS_CODES[answer.status] ?? ''}\n`;
  response.writeHead(answer.status, {
    ...answer.headers,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

/** On a socket that has left the HTTP server (a WebSocket handshake): the status alone, then close. */
export function writeRawAnswer(socket: Duplex, answer: LocalAnswer): void {
  if (socket.destroyed) return;
  const reason = http.STATUS_CODES[answer.status] ?? '';
  const body = `${answer.status} ${reason}\n`;
  socket.end(
    `HTTP/1.1 ${answer.status} ${reason}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
