/**
 * When the local load balancer gives a request a second chance on another target, and when a
 * failed connection takes a target out of rotation. Pure.
 *
 * What the proxies people run in front of Kubernetes do:
 * - Envoy's router retries on `connect-failure` (the connection to the upstream could not be made)
 *   and `reset` (the upstream did not answer at all: disconnect or reset), with the
 *   `previous_hosts` retry predicate so the next attempt goes to another host (Envoy docs,
 *   "Router" filter, x-envoy-retry-on; envoyproxy/envoy#10007 on why a reset after the request was
 *   seen is only safe to retry for some requests);
 * - nginx's `proxy_next_upstream error` (the default) passes a request to the next server on "an
 *   error … while establishing a connection with the server, passing a request to it, or reading
 *   the response header", never once part of the answer has gone to the client, and since 1.9.13
 *   not for a non-idempotent method (POST, LOCK, PATCH) once the request was sent
 *   (ngx_http_proxy_module); the failure also counts against the server (`max_fails`), which
 *   takes it out for `fail_timeout`.
 *
 * Ours is the narrow, safe intersection:
 * - the method is idempotent (RFC 9110 section 9.2.2): GET, HEAD, OPTIONS, TRACE, PUT, DELETE —
 *   the target may have seen the request before the connection broke, and running it twice must
 *   do no harm;
 * - the request has no body: the load balancer streams a body to the target as it arrives and
 *   keeps no copy (nginx buffers bodies, Envoy up to a limit), so a PUT or DELETE whose body has
 *   been streamed cannot be sent again, and is answered 502 like a POST;
 * - the connection was refused, reset or closed before any byte of the answer arrived; a timeout
 *   is not retried (the target may still be working; the client gets its 504);
 * - once, on another target of the same target group.
 * Any such failure — retried or not — ejects the target: it gets no new request until a health
 * check started after the failure passes (health.ts).
 *
 * The same holds whatever the client spoke, and for a target spoken to over HTTP/2
 * (http2-forward.ts), where the failures before any answer are: the connection could not be made,
 * it was reset or closed under the stream, or the target refused the stream (REFUSED_STREAM, also
 * what the streams above a GOAWAY's last stream id get: RFC 9113 section 8.7, "not processed").
 * @module
 */
import type { BodyFraming } from './framing.js';

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/**
 * Refused, reset or closed under the request, or no route to the target. Node reports a connection
 * closed before any answer as ECONNRESET ("socket hang up").
 */
const CONNECTION_FAILURES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);

export function mayRetryOnAnotherTarget(method: string | undefined, body: BodyFraming): boolean {
  const bodyless = body.kind === 'none' || (body.kind === 'length' && body.length === 0);
  return IDEMPOTENT_METHODS.has(method ?? '') && bodyless;
}

/** HTTP/2 error codes (RFC 9113 section 7). */
const REFUSED_STREAM = 0x7;
const CANCEL = 0x8;

/** How an HTTP/2 stream to a target ended before any answer arrived, as Node reports it. */
export interface Http2StreamEnd {
  /** The stream's error, if it had one: its code, and the code of what caused it (a failed connect). */
  errorCode?: string | undefined;
  causeCode?: string | undefined;
  /** The stream's RST_STREAM code (Http2Stream.rstCode). */
  rstCode: number | undefined;
}

/**
 * The target could not be reached over HTTP/2, or went away before it answered anything. The load
 * balancer's own cancels (client gone, timeout) are never asked about. Node ends the streams of a
 * session whose connection closed under them with CANCEL and no error.
 */
export function isHttp2ConnectionFailure(end: Http2StreamEnd): boolean {
  if (end.rstCode === REFUSED_STREAM) return true;
  if (end.errorCode === undefined) return end.rstCode === CANCEL;
  return CONNECTION_FAILURES.has(end.errorCode) || CONNECTION_FAILURES.has(end.causeCode ?? '');
}

/** The target could not be reached, or went away before it answered anything. */
export function isConnectionFailure(error: { code?: string | undefined }, answerBytesReceived: boolean): boolean {
  return !answerBytesReceived && CONNECTION_FAILURES.has(error.code ?? '');
}
