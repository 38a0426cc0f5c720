/**
 * One health check of one target, as an ALB makes it: a GET of the check's path, answered with one
 * of the success codes within the timeout. The protocol version of the target group decides how it
 * is spoken: HTTP/1.1 for HTTP1, HTTP/2 for HTTP2 (h2c for HTTP, TLS with ALPN `h2` for HTTPS), a
 * gRPC call over HTTP/2 for GRPC.
 * @module
 */
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { TargetGroupSpec } from '../../src/model.js';

/** ALB success codes: `200`, `200,202`, `200-299`, or a mix (`200,300-399`). */
export function parseSuccessCodes(text: string): (status: number) => boolean {
  const ranges = text.split(',').map((part) => {
    const [low = '', high = low] = part.trim().split('-');
    return { low: Number(low), high: Number(high) };
  });
  return (status) => ranges.some((range) => status >= range.low && status <= range.high);
}

export interface ProbeRequest {
  protocol: 'HTTP' | 'HTTPS';
  ip: string;
  port: number;
  path: string;
  timeoutMs: number;
  /** Aborts the probe (its target or the whole load balancer went away). */
  signal: AbortSignal;
}

/** A probe's result: the status code (HTTP) or grpc-status (GRPC); undefined for no answer. */
export type Probe = (probe: ProbeRequest) => Promise<number | undefined>;

/** How a target group of this protocol version is checked. */
export function probeFor(protocolVersion: TargetGroupSpec['protocolVersion']): Probe {
  switch (protocolVersion) {
    case 'GRPC':
      return probeGrpcTarget;
    case 'HTTP2':
      return probeHttp2Target;
    case 'HTTP1':
      return probeTarget;
  }
}

/** The answer's status code; undefined for no answer (refused, reset, timed out or aborted). */
export function probeTarget(probe: ProbeRequest): Promise<number | undefined> {
  return new Promise((resolve) => {
    const timeout = AbortSignal.timeout(probe.timeoutMs);
    const request = (probe.protocol === 'HTTPS' ? https : http).request({
      host: probe.ip,
      port: probe.port,
      path: probe.path,
      method: 'GET',
      // A fresh connection per check, as the cloud does, so a check never waits on a pooled socket.
      agent: false,
      headers: { 'user-agent': 'ingress-bridge-local-health-checker', connection: 'close' },
      signal: AbortSignal.any([probe.signal, timeout]),
      ...(probe.protocol === 'HTTPS' ? { rejectUnauthorized: false } : {}),
    });
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on('error', () => resolve(undefined));
    request.end();
  });
}

/** An empty protobuf message, length-prefixed as gRPC frames it: not compressed, 0 bytes. */
const EMPTY_GRPC_MESSAGE = Buffer.alloc(5);

/**
 * A health check of an HTTP2 target group, as an ALB makes it: a GET of the check's path over
 * HTTP/2 (h2c for HTTP, TLS with ALPN `h2` for HTTPS), on a connection of its own. Resolves to the
 * answer's status; undefined for no answer (refused, reset, not HTTP/2, timed out or aborted).
 */
export function probeHttp2Target(probe: ProbeRequest): Promise<number | undefined> {
  return exchangeOverHttp2(probe, { ':method': 'GET', ':path': probe.path }, undefined, (headers) => {
    const status = Number(headers[':status']);
    return Number.isInteger(status) ? status : undefined;
  });
}

/**
 * A gRPC health check, as an ALB makes one for a GRPC target group: a unary call over HTTP/2 (h2c
 * for HTTP, TLS for HTTPS) to the check's path (`/package.service/method`) with an empty message.
 * Resolves to the call's `grpc-status` (from the trailers, or from a trailers-only answer); undefined
 * for no answer or an answer without one.
 */
export function probeGrpcTarget(probe: ProbeRequest): Promise<number | undefined> {
  const request = { ':method': 'POST', ':path': probe.path, 'content-type': 'application/grpc', te: 'trailers' };
  return exchangeOverHttp2(probe, request, EMPTY_GRPC_MESSAGE, (headers) => {
    const value = headers['grpc-status'];
    return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined;
  });
}

/**
 * One request on a new HTTP/2 connection to the target, closed once the stream ends, fails or times
 * out. `read` picks the result from the answer's headers and from its trailers (the last one found
 * wins); the answer's body is read and dropped.
 */
function exchangeOverHttp2(
  probe: ProbeRequest,
  headers: http2.OutgoingHttpHeaders,
  body: Buffer | undefined,
  read: (headers: http2.IncomingHttpHeaders) => number | undefined,
): Promise<number | undefined> {
  return new Promise((resolve) => {
    const host = probe.ip.includes(':') ? `[${probe.ip}]` : probe.ip;
    const session = http2.connect(`${probe.protocol === 'HTTPS' ? 'https' : 'http'}://${host}:${probe.port}`, {
      ...(probe.protocol === 'HTTPS' ? { rejectUnauthorized: false } : {}),
    });
    let result: number | undefined;
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      probe.signal.removeEventListener('abort', settle);
      session.destroy();
      resolve(result);
    };
    const timer = setTimeout(settle, probe.timeoutMs);
    probe.signal.addEventListener('abort', settle);
    session.on('error', settle);
    const remember = (received: http2.IncomingHttpHeaders): void => {
      result = read(received) ?? result;
    };
    const stream = session.request({ ...headers, 'user-agent': 'ingress-bridge-local-health-checker' });
    stream.on('response', remember);
    stream.on('trailers', remember);
    stream.on('error', settle);
    stream.on('close', settle);
    stream.resume();
    stream.end(body);
  });
}
