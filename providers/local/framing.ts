/**
 * How a request's body is framed on its way to the target, decided here and never copied from the
 * client. Node's parser has already read the client's body by its own framing (Content-Length or
 * chunked, rejecting requests that carry both); the body is then sent on with framing the load
 * balancer sets itself, for every method. Copying the client's headers instead is how requests
 * are smuggled: Node's client sends a GET, HEAD, DELETE or OPTIONS body without any framing when
 * the framing header is not passed on (dropped as hop-by-hop, or named in `Connection`), and the
 * target then reads the body as a second request. Pure.
 * @module
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

export type BodyFraming = { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' };

/** The framing of the body the client sent, from the headers Node's parser accepted. */
export function clientBodyFraming(headers: IncomingHttpHeaders): BodyFraming {
  if (headers['transfer-encoding'] !== undefined) return { kind: 'chunked' };
  const length = headers['content-length'];
  if (length !== undefined && /^\d+$/.test(length)) return { kind: 'length', length: Number(length) };
  return { kind: 'none' };
}

/**
 * An HTTP/2 request's body has no HTTP/1 framing of its own (DATA frames end with END_STREAM): a
 * valid Content-Length is kept, a stream that ended with its headers has no body, and any other
 * body is chunked to an HTTP/1.1 target, never sent unframed.
 */
export function http2BodyFraming(headers: IncomingHttpHeaders, endedWithHeaders: boolean): BodyFraming {
  const length = headers['content-length'];
  if (length !== undefined && /^\d+$/.test(length)) return { kind: 'length', length: Number(length) };
  return endedWithHeaders ? { kind: 'none' } : { kind: 'chunked' };
}

/** The framing headers to send the target for that body. */
export function framingHeaders(framing: BodyFraming): OutgoingHttpHeaders {
  switch (framing.kind) {
    case 'none':
      return {};
    case 'length':
      return { 'content-length': String(framing.length) };
    case 'chunked':
      // Node chunk-encodes what is written when this header is set, whatever the method.
      return { 'transfer-encoding': 'chunked' };
  }
}

/**
 * True when the request carries more than one Host header. Node keeps only the first, but a target
 * or a cache behind it may take the other (RFC 9112 section 3.2: a server must answer 400).
 */
export function hasDuplicateHost(rawHeaders: readonly string[]): boolean {
  let hosts = 0;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    if (rawHeaders[index]?.toLowerCase() === 'host') hosts += 1;
  }
  return hosts > 1;
}
