/**
 * Which requests the local load balancer may send to a second target, and which failures count as
 * the target's (retry-policy.ts; issue 12).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BodyFraming } from '../../../providers/local/framing.js';
import { isConnectionFailure, mayRetryOnAnotherTarget } from '../../../providers/local/retry-policy.js';

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
});
