/**
 * Sealed values and session cookies of the OIDC login: a value opens only under the key and the
 * purpose it was sealed for, tampering is detected, and a large session is split into `-0`, `-1`, …
 * shards and joined again.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { joinShards, MAX_SHARDS, parseCookies, Sealer, shardCookies, SHARD_BYTES } from '../../../providers/local/session-cookie.js';

describe('Sealer', () => {
  const sealer = new Sealer();

  it('opens what it sealed, for the same purpose only', () => {
    const sealed = sealer.seal({ sub: 'alice' }, 'session/a');
    assert.deepEqual(sealer.open(sealed, 'session/a'), { sub: 'alice' });
    assert.equal(sealer.open(sealed, 'session/b'), undefined);
    assert.equal(new Sealer().open(sealed, 'session/a'), undefined, 'another key');
    assert.ok(!sealed.includes('alice'));
  });

  it('detects a changed byte', () => {
    const sealed = Buffer.from(sealer.seal({ sub: 'alice' }, 'p'), 'base64url');
    sealed[sealed.length - 20] = (sealed[sealed.length - 20] ?? 0) ^ 1;
    assert.equal(sealer.open(sealed.toString('base64url'), 'p'), undefined);
    assert.equal(sealer.open('short', 'p'), undefined);
  });
});

describe('session cookie shards', () => {
  it('splits a long value into shards, expires the extra ones the browser still has, and joins them again', () => {
    const sealed = 'x'.repeat(SHARD_BYTES + 10);
    const carried = new Map([['S-2', 'old']]);
    const lines = shardCookies('S', sealed, { maxAgeSeconds: 60 }, carried) ?? assert.fail('it fits');
    assert.equal(lines.length, 3);
    assert.match(lines[0] ?? '', /^S-0=x{3800}; Path=\/; Max-Age=60; Secure; HttpOnly; SameSite=None$/);
    assert.match(lines[2] ?? '', /^S-2=; Path=\/; Max-Age=0/);
    const cookies = parseCookies(
      lines
        .slice(0, 2)
        .map((line) => line.split(';')[0])
        .join('; '),
    );
    assert.equal(joinShards(cookies, 'S'), sealed);
  });

  it('refuses a value that needs more than the shards there are', () => {
    assert.equal(shardCookies('S', 'x'.repeat(SHARD_BYTES * MAX_SHARDS + 1), { maxAgeSeconds: 60 }, new Map()), undefined);
  });
});
