/**
 * `jwt-validation` on the local load balancer, over sockets: a token signed by the issuer's JWKS key
 * reaches the target as it was sent; a missing, forged, expired, early, foreign or short-of-claims
 * one gets 401 with RFC 6750's WWW-Authenticate, and the target never sees it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { JwtClaim } from '../../../src/model.js';
import { additionalClaimsProblem, bearerToken } from '../../../providers/local/jwt-validation.js';
import { startJwtIssuer, type JwtIssuer } from '../../support/jwt-issuer.js';
import { send } from '../../support/local-lb.js';
import { rawExchange, recordingTarget, serve, simpleSpec, startProvider, statusOf } from './support.js';

describe('additional claims and bearer tokens', () => {
  const claim = (format: JwtClaim['format'], values: string[]): JwtClaim[] => [{ format, name: 'c', values }];

  it('matches a single string, a string array and space-separated values by one of the values', () => {
    assert.equal(additionalClaimsProblem({ c: 'a' }, claim('single-string', ['a', 'b'])), undefined);
    assert.match(additionalClaimsProblem({ c: 'x' }, claim('single-string', ['a'])) ?? '', /"c" does not match/);
    assert.match(additionalClaimsProblem({ c: ['a'] }, claim('single-string', ['a'])) ?? '', /does not match/);
    assert.equal(additionalClaimsProblem({ c: ['x', 'b'] }, claim('string-array', ['b'])), undefined);
    assert.match(additionalClaimsProblem({ c: 'b' }, claim('string-array', ['b'])) ?? '', /does not match/);
    assert.equal(additionalClaimsProblem({ c: 'read write' }, claim('space-separated-values', ['write'])), undefined);
    assert.match(additionalClaimsProblem({}, claim('space-separated-values', ['write'])) ?? '', /does not match/);
  });

  it('reads the token of a Bearer Authorization header only', () => {
    assert.equal(bearerToken('Bearer abc.def.ghi'), 'abc.def.ghi');
    assert.equal(bearerToken('bearer abc.def.ghi'), 'abc.def.ghi');
    assert.equal(bearerToken('Basic dXNlcjpwYXNz'), undefined);
    assert.equal(bearerToken('Bearer '), undefined);
    assert.equal(bearerToken(undefined), undefined);
  });
});

describe('jwt-validation over sockets', () => {
  let issuer: JwtIssuer;
  let target: Awaited<ReturnType<typeof recordingTarget>>;
  const { provider } = startProvider();
  let port: number;

  before(async () => {
    issuer = await startJwtIssuer();
    target = await recordingTarget();
    const spec = simpleSpec({ target: { ip: '127.0.0.1', port: target.port }, rules: [[{ field: 'path-pattern', values: ['/api/*'] }]] });
    spec.listeners[0]!.rules[0]!.authentication = {
      type: 'jwt-validation',
      issuer: issuer.issuer,
      jwksEndpoint: issuer.jwksEndpoint,
      additionalClaims: [{ format: 'space-separated-values', name: 'scope', values: ['orders.read'] }],
    };
    port = await serve(provider, spec);
  });
  after(async () => {
    await provider.close();
    await Promise.all([target.close(), issuer.close()]);
  });

  const call = (authorization?: string) => send({ port, path: '/api/orders', ...(authorization ? { headers: { authorization } } : {}) });
  const now = (): number => Math.floor(Date.now() / 1000);

  it('forwards a request whose token the issuer signed, with the token as it was sent', async () => {
    const token = await issuer.sign({ scope: 'orders.read orders.write' });
    const response = await call(`Bearer ${token}`);
    assert.equal(response.status, 200);
    assert.equal(target.received.at(-1)?.headers.authorization, `Bearer ${token}`);
    assert.ok(issuer.jwksFetches() >= 1, "the key came from the issuer's JWKS endpoint");
  });

  it('refuses a request without a token: 401 with WWW-Authenticate Bearer and no error', async () => {
    const response = await call();
    assert.equal(response.status, 401);
    assert.equal(response.headers['www-authenticate'], 'Bearer');
  });

  for (const [name, make] of [
    ['a bad signature', (i: JwtIssuer) => i.signWithStrangerKey({ scope: 'orders.read' })],
    ['an expired token', (i: JwtIssuer) => i.sign({ scope: 'orders.read', exp: now() - 60 })],
    ['a token not valid yet (nbf)', (i: JwtIssuer) => i.sign({ scope: 'orders.read', nbf: now() + 3600 })],
    ['a token issued in the future (iat)', (i: JwtIssuer) => i.sign({ scope: 'orders.read', iat: now() + 3600 })],
    ['a wrong issuer', (i: JwtIssuer) => i.sign({ scope: 'orders.read', iss: 'https://someone-else.example' })],
    ['a token without exp', (i: JwtIssuer) => i.sign({ scope: 'orders.read', exp: undefined })],
    ['a token without the required scope', (i: JwtIssuer) => i.sign({ scope: 'orders.write' })],
  ] as const) {
    it(`refuses ${name}: 401 invalid_token, and the target never sees it`, async () => {
      const seen = target.received.length;
      const response = await call(`Bearer ${await make(issuer)}`);
      assert.equal(response.status, 401);
      assert.equal(response.headers['www-authenticate'], 'Bearer error="invalid_token"');
      assert.equal(target.received.length, seen);
    });
  }

  it('checks WebSocket handshakes too: one without a token gets 401 and never reaches the target', async () => {
    const seen = target.received.length;
    const answer = await rawExchange(
      port,
      'GET /api/stream HTTP/1.1\r\nHost: api.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    assert.equal(statusOf(answer), 401);
    assert.equal(target.received.length, seen);
  });

  it('refuses a token that is no JWT', async () => {
    const response = await call('Bearer not-a-jwt');
    assert.equal(response.status, 401);
    assert.equal(response.headers['www-authenticate'], 'Bearer error="invalid_token"');
  });
});
