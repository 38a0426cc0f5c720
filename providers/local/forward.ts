/**
 * Proxies one request to one target with Node's own http/https clients: bodies stream both ways,
 * hop-by-hop headers stay on their hop, and the target sees the headers an ALB adds.
 *
 * X-Forwarded-Port is the spec listener port (80, 443), not the local one (8080, 8443): backends see
 * what they would see behind the cloud load balancer, so redirects and absolute URLs they build are
 * the same in both places.
 * @module
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { ListenerProtocol, Target } from '../../src/model.js';
import { clientAddress, originForm } from './dispatch.js';

/** RFC 9110 section 7.6.1, plus the non-standard ones proxies commonly drop. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

export interface UpstreamAgents {
  http: http.Agent;
  https: https.Agent;
}

export interface ForwardRequest {
  request: IncomingMessage;
  response: ServerResponse;
  target: Target;
  targetProtocol: 'HTTP' | 'HTTPS';
  listener: { protocol: ListenerProtocol; specPort: number };
  /** The upstream may stay silent this long before the client gets a 504. */
  timeoutMs: number;
  agents: UpstreamAgents;
}

export function forwardRequest(forward: ForwardRequest): void {
  const { request, response, target } = forward;
  const secure = forward.targetProtocol === 'HTTPS';
  const upstream = (secure ? https : http).request({
    host: target.ip,
    port: target.port,
    method: request.method,
    path: originForm(request.url ?? '/'),
    headers: forwardedHeaders(request.headers, {
      clientIp: clientAddress(request),
      protocol: forward.listener.protocol,
      specPort: forward.listener.specPort,
    }),
    agent: secure ? forward.agents.https : forward.agents.http,
    // Targets are Pods and Nodes with certificates of their own; the ALB does not verify them either.
    ...(secure ? { rejectUnauthorized: false } : {}),
  });
  let timedOut = false;
  upstream.setTimeout(forward.timeoutMs, () => {
    timedOut = true;
    upstream.destroy(new Error(`no answer within ${forward.timeoutMs} ms`));
  });
  upstream.on('response', (answer) => {
    response.writeHead(answer.statusCode ?? 502, answer.statusMessage, withoutHopByHop(answer.headers));
    answer.pipe(response);
    answer.on('error', () => response.destroy());
  });
  upstream.on('error', (error: NodeJS.ErrnoException) => {
    if (response.headersSent) {
      response.destroy();
      return;
    }
    if (timedOut) sendError(response, 504, `the target ${target.ip}:${target.port} did not answer within ${forward.timeoutMs} ms`);
    else sendError(response, 502, `the target ${target.ip}:${target.port} could not be reached (${error.code ?? error.message})`);
  });
  // A client that goes away takes its upstream request with it.
  response.on('close', () => {
    if (!response.writableFinished) upstream.destroy();
  });
  request.pipe(upstream);
}

/** The request's headers for the target: Host kept, hop-by-hop dropped, X-Forwarded-* as an ALB sets them. */
export function forwardedHeaders(
  headers: IncomingHttpHeaders,
  context: { clientIp: string; protocol: ListenerProtocol; specPort: number },
): OutgoingHttpHeaders {
  const forwarded = withoutHopByHop(headers);
  const previous = headers['x-forwarded-for'];
  forwarded['x-forwarded-for'] = previous ? `${previous}, ${context.clientIp}` : context.clientIp;
  forwarded['x-forwarded-proto'] = context.protocol.toLowerCase();
  forwarded['x-forwarded-port'] = String(context.specPort);
  return forwarded;
}

function withoutHopByHop(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = String(headers.connection ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  const dropped = new Set([...HOP_BY_HOP, ...named]);
  const kept: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !dropped.has(name)) kept[name] = value;
  }
  return kept;
}

/** The load balancer's own error answers, in plain text like the ALB's. */
export function sendError(response: ServerResponse, status: number, reason: string): void {
  const body = `${status} ${http.STATUS_CODES[status] ?? ''}: ${reason}\n`;
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
