/**
 * Which requests the local load balancer may send to a second target, and which failures count as
 * the target's (retry-policy.ts; issue 12).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BodyFraming } from '../../../providers/local/framing.js';
import { http2BodyFraming } from '../../../providers/local/framing.js';
import { isConnectionFailure, isHttp2ConnectionFailure, mayRetryOnAnotherTarget } from '../../../providers/local/retry-policy.js';

const NO_BODY: BodyFraming = { kind: 'none' };

describe('retry policy', () => {
  it('retries idempotent methods without a body, never POST or PATCH', () => {
    const retried = ['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE', 'POST', 'PATCH', 'CONNECT', 'get', undefined].map((method) => [
      method,
      mayRetryOnAnotherTarget(method, NO_BODY),
    ]);
    assert.deepEqual(retried, [
      ['GET', true],
      ['HEAD', true],
      ['OPTIONS', true],
      ['TRACE', true],
      ['PUT', true],
      ['DELETE', true],
      ['POST', false],
      ['PATCH', false],
      ['CONNECT', false],
      ['get', false],
      [undefined, false],
    ]);
  });

  it('never retries a request whose body has been streamed, even an idempotent one', () => {
    const bodies: BodyFraming[] = [{ kind: 'length', length: 0 }, { kind: 'length', length: 5 }, { kind: 'chunked' }];
    assert.deepEqual(
      bodies.map((body) => mayRetryOnAnotherTarget('PUT', body)),
      [true, false, false],
    );
  });

  it('counts refused, reset and unreachable as connection failures, only before any byte of the answer', () => {
    const codes = ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'HPE_INVALID_CONSTANT', undefined];
    assert.deepEqual(
      codes.map((code) => isConnectionFailure({ code }, false)),
      [true, true, true, true, true, false, false, false],
    );
    assert.equal(isConnectionFailure({ code: 'ECONNRESET' }, true), false);
  });

  it('reads an HTTP/2 body as a retry must: a stream that ended with its headers has none', () => {
    assert.deepEqual(http2BodyFraming({}, true), { kind: 'none' });
    assert.deepEqual(http2BodyFraming({}, false), { kind: 'chunked' });
    assert.deepEqual(http2BodyFraming({ 'content-length': '0' }, false), { kind: 'length', length: 0 });
    assert.equal(mayRetryOnAnotherTarget('GET', http2BodyFraming({}, true)), true);
    assert.equal(mayRetryOnAnotherTarget('GET', http2BodyFraming({}, false)), false, 'a GET whose stream carries DATA has a body');
  });

  it('counts an HTTP/2 stream as failed by its target when the connection failed, closed under it, or the stream was refused', () => {
    const ends = [
      // The session's connect was refused: Node cancels the pending stream, naming the cause.
      { errorCode: 'ERR_HTTP2_STREAM_CANCEL', causeCode: 'ECONNREFUSED', rstCode: 2 },
      { errorCode: 'ECONNRESET', rstCode: 2 },
      // The connection closed under the stream: CANCEL, no error.
      { rstCode: 8 },
      // REFUSED_STREAM, also what a GOAWAY gives the streams it did not take: not processed.
      { errorCode: 'ERR_HTTP2_STREAM_ERROR', rstCode: 7 },
      // The target does not speak HTTP/2: it was reached, and its health checks judge it.
      { errorCode: 'ERR_HTTP2_ERROR', rstCode: 2 },
      { errorCode: 'ERR_HTTP2_STREAM_ERROR', rstCode: 2 },
      { rstCode: 0 },
    ];
    assert.deepEqual(ends.map(isHttp2ConnectionFailure), [true, true, true, true, false, false, false]);
  });
});
