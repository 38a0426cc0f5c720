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

/** The target could not be reached, or went away before it answered anything. */
export function isConnectionFailure(error: { code?: string | undefined }, answerBytesReceived: boolean): boolean {
  return !answerBytesReceived && CONNECTION_FAILURES.has(error.code ?? '');
}
