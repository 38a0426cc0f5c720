/**
 * Proxies one request to one target with Node's own http/https clients: bodies stream both ways,
 * framed by the load balancer itself (framing.ts), hop-by-hop headers stay on their hop, and the
 * target sees the headers an ALB adds. A target's answer that cannot be relayed
 * (upstream-response.ts) is a 502 for that request alone; error bodies are generic and the details
 * go to the log. A target that cannot be reached is ejected, and an idempotent request without a
 * body is tried once more on another target (retry-policy.ts).
 *
 * X-Forwarded-Port is the spec listener port (80, 443), not the local one (8080, 8443): backends see
 * what they would see behind the cloud load balancer, so redirects and absolute URLs they build are
 * the same in both places.
 * @module
 */
import http, { type ClientRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { ListenerProtocol, Target } from '../../src/model.js';
import { plainAnswer, writeAnswer } from './answers.js';
import { clientAddress, forwardedRequestTarget } from './dispatch.js';
import { clientBodyFraming, framingHeaders, http2BodyFraming, type BodyFraming } from './framing.js';
import { targetAddress } from './health.js';
import type { LocalLog } from './log.js';
import { isConnectionFailure, mayRetryOnAnotherTarget } from './retry-policy.js';
import type { UpstreamTargets } from './target-groups.js';
import { upstreamResponseProblem } from './upstream-response.js';

/** RFC 9110 section 7.6.1, plus the non-standard ones proxies commonly drop. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Never dropped because `Connection` names them: `Connection: host` would send the target a request
 * without the Host that routed it, and `Connection: content-length` a body without framing. The
 * framing headers are set by the load balancer anyway (framing.ts).
 */
const NOT_REMOVABLE_BY_CONNECTION = new Set(['host', 'content-length', 'transfer-encoding']);

/** Framing is decided by the load balancer, never copied from either side. */
const FRAMING = new Set(['content-length', 'transfer-encoding']);

export interface ForwardRequest {
  request: IncomingMessage;
  response: ServerResponse;
  target: Target;
  /** The target group the target was picked from: its connections, another target, ejection. */
  targets: UpstreamTargets;
  listener: { protocol: ListenerProtocol; specPort: number };
  /** The upstream may stay silent this long before the client gets a 504. */
  timeoutMs: number;
  log: LocalLog;
}

/**
 * Sends the request to its target and relays the answer. A target that refuses the connection or
 * drops it before answering is ejected, and a request that may be sent again (retry-policy.ts) is,
 * once, to another target of the group; otherwise the client gets a 502.
 */
export function forwardRequest(forward: ForwardRequest): void {
  const { request, response } = forward;
  const framing = requestBodyFraming(request);
  const retryable = mayRetryOnAnotherTarget(request.method, framing);
  let current: ClientRequest | undefined;
  let clientGone = false;
  // A client that goes away takes its upstream request with it.
  response.on('close', () => {
    if (response.writableFinished) return;
    clientGone = true;
    current?.destroy();
  });

  const attempt = (target: Target, retried: boolean): void => {
    const upstream = requestToTarget(request, {
      target,
      protocol: forward.targets.protocol,
      listener: forward.listener,
      headers: framingHeaders(framing),
      agent: forward.targets.agentFor(target),
    });
    current = upstream;
    let answerBytes = false;
    upstream.on('socket', (socket) => {
      const seen = (): void => {
        answerBytes = true;
      };
      socket.on('data', seen);
      // The socket goes back to the pool for other requests.
      upstream.once('close', () => socket.off('data', seen));
    });
    const fail = (status: 502 | 504, detail: string): void => {
      forward.log.warn(
        { target: targetAddress(target), method: request.method, status, detail },
        "the local load balancer could not relay the target's answer",
      );
      if (response.headersSent) response.destroy();
      else sendError(response, status);
    };
    let timedOut = false;
    upstream.setTimeout(forward.timeoutMs, () => {
      timedOut = true;
      upstream.destroy(new Error(`no answer within ${forward.timeoutMs} ms`));
    });
    upstream.on('response', (answer) => {
      const problem = upstreamResponseProblem(answer);
      if (problem) {
        upstream.destroy();
        fail(502, problem);
        return;
      }
      try {
        const headers = withoutHopByHop(answer.headers, { dropFraming: false });
        // HTTP/2 has no reason phrase (RFC 9113 section 8.3.2).
        if (request.httpVersionMajor === 2) response.writeHead(answer.statusCode ?? 502, headers);
        else response.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
      } catch (error) {
        upstream.destroy();
        fail(502, `the target's answer could not be relayed: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
      answer.pipe(response);
      answer.on('error', () => response.destroy());
    });
    // Node reports a 101 as an upgrade; this request asked for none (upgrades go through websocket.ts).
    upstream.on('upgrade', (_answer, socket) => {
      socket.destroy();
      upstream.destroy();
      fail(502, 'the target switched protocols (101) for a request that asked for no upgrade');
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (response.writableEnded || clientGone) return;
      if (timedOut) {
        fail(504, `no answer within ${forward.timeoutMs} ms`);
        return;
      }
      const detail = `could not be reached or answered malformed HTTP (${error.code ?? error.message})`;
      const next = ejectForRetry(forward, target, { detail, connectionFailure: isConnectionFailure(error, answerBytes), retry: retryable && !retried });
      if (!next) {
        fail(502, detail);
        return;
      }
      attempt(next, true);
    });
    // A retried request has no body (retry-policy.ts); the first attempt streams the client's.
    if (retried) upstream.end();
    else request.pipe(upstream);
  };
  attempt(forward.target, false);
}

/** The framing of the client's body, over HTTP/1 (its headers) or HTTP/2 (its headers and whether its stream ended with them). */
/**
 * A target that could not be reached (a connection failure, retry-policy.ts) is ejected until its
 * health check passes. Returns the other target to retry on when the request may be retried, or
 * undefined: the request fails with 502.
 */
export function ejectForRetry(
  forward: ForwardRequest,
  target: Target,
  failure: { detail: string; connectionFailure: boolean; retry: boolean },
): Target | undefined {
  if (!failure.connectionFailure) return undefined;
  forward.targets.eject(target);
  forward.log.warn({ target: targetAddress(target), detail: failure.detail }, 'the local load balancer ejected a target until its health check passes');
  const next = failure.retry ? forward.targets.pickTarget({ except: target }) : undefined;
  if (next) {
    forward.log.warn(
      { target: targetAddress(target), retriedOn: targetAddress(next), method: forward.request.method },
      'the local load balancer retried a request on another target',
    );
  }
  return next;
}

export function requestBodyFraming(request: IncomingMessage): BodyFraming {
  if (request.httpVersionMajor !== 2) return clientBodyFraming(request.headers);
  const stream = (request as IncomingMessage & { stream?: { endAfterHeaders?: boolean } }).stream;
  return http2BodyFraming(request.headers, stream?.endAfterHeaders === true);
}

/**
 * The client's request as a target gets it, for forwarded requests and WebSocket handshakes alike:
 * its method, the normalised request target, the headers an ALB sends on (forwardedHeaders), and
 * the caller's own (framing, or the upgrade).
 */
export function requestToTarget(
  request: IncomingMessage,
  upstream: {
    target: Target;
    protocol: 'HTTP' | 'HTTPS';
    listener: { protocol: ListenerProtocol; specPort: number };
    headers: OutgoingHttpHeaders;
    agent: http.Agent | false;
  },
): ClientRequest {
  const secure = upstream.protocol === 'HTTPS';
  return (secure ? https : http).request({
    host: upstream.target.ip,
    port: upstream.target.port,
    method: request.method,
    path: forwardedRequestTarget(request),
    headers: {
      ...forwardedHeaders(request.headers, {
        clientIp: clientAddress(request),
        protocol: upstream.listener.protocol,
        specPort: upstream.listener.specPort,
      }),
      ...upstream.headers,
    },
    agent: upstream.agent,
    // Targets are Pods and Nodes with certificates of their own; the ALB does not verify them either.
    ...(secure ? { rejectUnauthorized: false } : {}),
  });
}

/**
 * The request's headers for the target: Host kept, hop-by-hop and framing dropped (the caller sets
 * framing), X-Forwarded-* as an ALB sets them.
 */
export function forwardedHeaders(
  headers: IncomingHttpHeaders,
  context: { clientIp: string; protocol: ListenerProtocol; specPort: number },
): OutgoingHttpHeaders {
  const forwarded = withoutHopByHop(headers, { dropFraming: true });
  const previous = headers['x-forwarded-for'];
  forwarded['x-forwarded-for'] = previous ? `${Array.isArray(previous) ? previous.join(',') : previous}, ${context.clientIp}` : context.clientIp;
  forwarded['x-forwarded-proto'] = context.protocol.toLowerCase();
  forwarded['x-forwarded-port'] = String(context.specPort);
  return forwarded;
}

/**
 * Headers for the next hop. A response keeps its Content-Length (Node's parser read the body by
 * it, so it is exact) unless `Connection` names it, in which case Node frames the body itself.
 */
export function withoutHopByHop(headers: IncomingHttpHeaders, options: { dropFraming: boolean }): OutgoingHttpHeaders {
  const named = (headers.connection ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '' && !NOT_REMOVABLE_BY_CONNECTION.has(name));
  const dropped = new Set([...HOP_BY_HOP, ...named, ...(options.dropFraming ? FRAMING : [])]);
  const kept: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    // HTTP/2 pseudo-headers (`:path`, `:authority`…) are the request line, never headers of the next hop.
    if (value !== undefined && !dropped.has(name) && !name.startsWith(':')) kept[name] = value;
  }
  return kept;
}

/**
 * The load balancer's own error answers, in plain text like the ALB's and just as generic: no
 * target address, no error code — those are logged.
 */
export function sendError(response: ServerResponse, status: number): void {
  writeAnswer(response, plainAnswer(status));
}
