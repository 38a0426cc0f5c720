/**
 * Forwarding to target groups of protocol version HTTP2 or GRPC, as an ALB does: HTTP/2 to the
 * target (h2c for protocol HTTP, TLS with ALPN `h2` for HTTPS), the body streamed both ways and the
 * target's trailers (`grpc-status`, `grpc-message`) passed on to the client.
 *
 * A request whose protocol does not suit the target group's protocol version gets the ALB's 464
 * (its troubleshooting guide: an HTTP/1.1 request to a GRPC or HTTP2 target group, a gRPC request to
 * an HTTP1 one, an HTTP/2 request other than POST to a GRPC one).
 *
 * The load balancer's own errors for a gRPC request (content-type application/grpc) are gRPC
 * errors, not HTTP ones: HTTP 200 with `grpc-status` in a trailers-only answer, so gRPC clients
 * report UNAVAILABLE (14) or DEADLINE_EXCEEDED (4) rather than a protocol error.
 *
 * One HTTP/2 session per target, shared by its requests (HTTP/2 multiplexes), closed after a
 * minute without streams. Retries and ejection are those of HTTP/1 targets (retry-policy.ts).
 * @module
 */
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Target } from '../../src/model.js';
import { clientAddress, forwardedRequestTarget } from './dispatch.js';
import { ejectForRetry, forwardedHeaders, requestBodyFraming, sendError, type ForwardRequest } from './forward.js';
import { targetAddress } from './health.js';
import { isHttp2ConnectionFailure, mayRetryOnAnotherTarget } from './retry-policy.js';

export type HttpVersion = 'HTTP1' | 'HTTP2' | 'GRPC';

const SESSION_IDLE_MS = 60_000;

/** gRPC status codes the load balancer answers with itself. */
export const GRPC_UNAVAILABLE = 14;
export const GRPC_DEADLINE_EXCEEDED = 4;

export function isGrpcRequest(request: IncomingMessage): boolean {
  const type = request.headers['content-type'];
  return typeof type === 'string' && /^application\/grpc(?:$|[+;])/i.test(type);
}

/** Whether a target group of this protocol version speaks HTTP/2 to its targets. */
export function speaksHttp2(version: HttpVersion): boolean {
  return version === 'HTTP2' || version === 'GRPC';
}

/** Why the request cannot go to a target group of this protocol version (the ALB's 464); undefined when it can. */
export function protocolMismatch(request: IncomingMessage, version: HttpVersion): string | undefined {
  const http2Request = request.httpVersionMajor === 2;
  if (speaksHttp2(version) && !http2Request) return `an HTTP/${request.httpVersion} request to a target group of protocol version ${version}`;
  if (version === 'HTTP1' && http2Request && isGrpcRequest(request)) return 'a gRPC request to a target group of protocol version HTTP1';
  if (version === 'GRPC' && request.method !== 'POST')
    return `an HTTP/2 ${request.method ?? ''} request to a target group of protocol version GRPC (gRPC calls are POSTs)`;
  return undefined;
}

/**
 * The load balancer's own error for a request: a gRPC status for a gRPC request over HTTP/2, the
 * plain-text HTTP error otherwise.
 */
export function sendRequestError(request: IncomingMessage, response: ServerResponse, status: number): void {
  if (request.httpVersionMajor === 2 && isGrpcRequest(request))
    sendGrpcError(response, status === 504 ? GRPC_DEADLINE_EXCEEDED : GRPC_UNAVAILABLE, `${status}`);
  else sendError(response, status);
}

/** A trailers-only gRPC answer (gRPC over HTTP/2: status and message in the only HEADERS frame). */
export function sendGrpcError(response: ServerResponse, code: number, message: string): void {
  response.writeHead(200, { 'content-type': 'application/grpc', 'grpc-status': String(code), 'grpc-message': message });
  response.end();
}

/** Per target group: one HTTP/2 session per target address. */
const sessions = new WeakMap<object, Map<string, ClientHttp2Session>>();

function sessionFor(owner: object, target: Target, protocol: 'HTTP' | 'HTTPS'): ClientHttp2Session {
  let byTarget = sessions.get(owner);
  if (!byTarget) sessions.set(owner, (byTarget = new Map<string, ClientHttp2Session>()));
  const key = `${protocol}:${targetAddress(target)}`;
  const existing = byTarget.get(key);
  if (existing && !existing.closed && !existing.destroyed) return existing;
  const host = target.ip.includes(':') ? `[${target.ip}]` : target.ip;
  // Targets are Pods and Nodes with certificates of their own; the ALB does not verify them either.
  const session = http2.connect(
    `${protocol === 'HTTPS' ? 'https' : 'http'}://${host}:${target.port}`,
    protocol === 'HTTPS' ? { rejectUnauthorized: false } : {},
  );
  byTarget.set(key, session);
  const forget = (): void => {
    if (byTarget.get(key) === session) byTarget.delete(key);
  };
  session.on('close', forget);
  session.on('goaway', forget);
  // Errors reach each stream too; this keeps a failed connect from being an uncaught error.
  session.on('error', forget);
  session.setTimeout(SESSION_IDLE_MS, () => session.close());
  // Idle sessions never keep the process alive.
  session.unref();
  return session;
}

/**
 * The client's request for the target over HTTP/2: pseudo-headers from the request, the headers an
 * ALB adds (X-Forwarded-*), no HTTP/1 connection headers. `te: trailers` is the one TE HTTP/2 allows
 * and gRPC servers expect it.
 */
function http2RequestHeaders(forward: ForwardRequest, target: Target): OutgoingHttpHeaders {
  const { request } = forward;
  const headers = forwardedHeaders(request.headers, {
    clientIp: clientAddress(request),
    protocol: forward.listener.protocol,
    specPort: forward.listener.specPort,
  });
  delete headers.host;
  const te = request.headers.te;
  return {
    ...headers,
    ...(typeof te === 'string' && te.toLowerCase().includes('trailers') ? { te: 'trailers' } : {}),
    ':method': request.method ?? 'GET',
    ':path': forwardedRequestTarget(request),
    ':authority': request.headers.host ?? targetAddress(target),
    ':scheme': forward.targets.protocol === 'HTTPS' ? 'https' : 'http',
  };
}

/** The target's answer headers for the client: no pseudo-headers, no connection-specific ones. */
function relayedHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const kept: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name.startsWith(':') || CONNECTION_SPECIFIC.has(name)) continue;
    kept[name] = value;
  }
  return kept;
}

const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te']);

/**
 * Sends an HTTP/2 request on to its target over HTTP/2 and relays the answer with its trailers. A
 * target that cannot be reached, or drops the stream before any answer, is ejected (its health check
 * brings it back), and a request that may be sent again (retry-policy.ts: idempotent, no body) is,
 * once, to another target of the group; otherwise the client gets 502, or UNAVAILABLE for a gRPC
 * call. No answer within the timeout: 504 or DEADLINE_EXCEEDED.
 */
export function forwardHttp2(forward: ForwardRequest): void {
  const { request, response } = forward;
  const retryable = mayRetryOnAnotherTarget(request.method, requestBodyFraming(request));
  let current: ClientHttp2Stream | undefined;
  let clientGone = false;
  // A client that goes away takes its upstream stream with it.
  response.on('close', () => {
    if (response.writableFinished) return;
    clientGone = true;
    if (current && !current.closed) current.close(http2.constants.NGHTTP2_CANCEL);
  });

  const attempt = (target: Target, retried: boolean): void => {
    const fail = (status: 502 | 504, detail: string): void => {
      forward.log.warn(
        { target: targetAddress(target), method: request.method, status, detail },
        "the local load balancer could not relay the target's answer",
      );
      if (response.headersSent) response.destroy();
      else sendRequestError(request, response, status);
    };
    let stream: ClientHttp2Stream;
    try {
      // A retried request has no body (retry-policy.ts): its stream ends with its headers.
      stream = sessionFor(forward.targets, target, forward.targets.protocol).request(http2RequestHeaders(forward, target), { endStream: retried });
    } catch (error) {
      fail(502, `the request could not be sent over HTTP/2: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    current = stream;
    let answered = false;
    let timedOut = false;
    let streamError: NodeJS.ErrnoException | undefined;
    // The idle timeout, as for HTTP/1: silence before the answer is a 504 (DEADLINE_EXCEEDED), silence
    // in the middle of it ends the exchange, as a half-relayed answer cannot become an error any more.
    stream.setTimeout(forward.timeoutMs, () => {
      timedOut = true;
      stream.close(http2.constants.NGHTTP2_CANCEL);
      if (answered) response.destroy();
      else fail(504, `no answer within ${forward.timeoutMs} ms`);
    });
    stream.on('response', (headers) => {
      answered = true;
      response.writeHead(headers[':status'] ?? 502, relayedHeaders(headers));
      stream.pipe(response);
    });
    // HTTP/2 trailers arrive before the end of the stream, so they are in place when pipe ends the response.
    stream.on('trailers', (trailers: IncomingHttpHeaders) => response.addTrailers(relayedHeaders(trailers)));
    stream.on('error', (error: NodeJS.ErrnoException) => {
      streamError = error;
    });
    // Every ending comes here, with an error or without one (a session closed under its streams ends them with no error).
    stream.on('close', () => {
      if (clientGone || timedOut || response.writableEnded) return;
      if (answered) {
        // Broken off mid-answer: what was relayed cannot be taken back.
        response.destroy();
        return;
      }
      const causeCode = (streamError?.cause as NodeJS.ErrnoException | undefined)?.code;
      const detail = `could not be reached over HTTP/2 (${causeCode ?? streamError?.code ?? `stream reset with code ${String(stream.rstCode)}`})`;
      const next = ejectForRetry(forward, target, {
        detail,
        connectionFailure: isHttp2ConnectionFailure({ errorCode: streamError?.code, causeCode, rstCode: stream.rstCode }),
        retry: retryable && !retried,
      });
      if (!next) {
        fail(502, detail);
        return;
      }
      attempt(next, true);
    });
    if (!retried) request.pipe(stream);
  };
  attempt(forward.target, false);
}
