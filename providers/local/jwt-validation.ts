/**
 * The `jwt-validation` action, as the ALB performs it ("Verify JWTs using an Application Load
 * Balancer"): the bearer token of the Authorization header is verified against the issuer's JWKS
 * (RS256 only), `iss` must be the configured issuer, `exp` must be present and in the future, `nbf`
 * and `iat` are checked when present, and each additional claim must match. A valid token goes to
 * the target as is; anything else is a 401.
 *
 * The cryptography is jose's (jwtVerify, createRemoteJWKSet): nothing here parses or checks a
 * signature by hand. Each JWKS endpoint has one cached key set, fetched through boundedFetch with
 * the ALB's limits on the JWKS (150 KB, 10 keys), so an endpoint named by an Ingress cannot fill the
 * process's memory.
 *
 * The 401's `WWW-Authenticate` follows RFC 6750 section 3 (AWS documents no header of its own):
 * `Bearer` alone when the request carries no token, `Bearer error="invalid_token"` when it carries
 * one that fails. A JWKS that cannot be had (unreachable, too large, not JSON) is the load balancer's
 * failure, not the client's: 500, logged with the reason.
 * @module
 */
import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Authentication, JwtClaim } from '../../src/model.js';
import { boundedFetch } from './bounded-fetch.js';

export type JwtValidationConfig = Extract<Authentication, { type: 'jwt-validation' }>;

/** The ALB's limits on a JWKS response. */
const JWKS_LIMITS = { maxBytes: 150 * 1024, maxKeys: 10 } as const;

export type JwtCheck =
  { ok: true; payload: JWTPayload } | { ok: false; status: 401; wwwAuthenticate: string; detail: string } | { ok: false; status: 500; detail: string };

class JwksUnavailable extends Error {
  override readonly name = 'JwksUnavailable';
}

export class JwtValidator {
  private readonly keySets = new Map<string, JWTVerifyGetKey>();
  private readonly timeoutMs: number;

  constructor(options: { timeoutMs: number }) {
    this.timeoutMs = options.timeoutMs;
  }

  async check(config: JwtValidationConfig, authorization: string | undefined): Promise<JwtCheck> {
    const token = bearerToken(authorization);
    if (token === undefined) return { ok: false, status: 401, wwwAuthenticate: 'Bearer', detail: 'the request carries no bearer token' };
    try {
      const { payload } = await jwtVerify(token, this.keySetFor(config.jwksEndpoint), {
        issuer: config.issuer,
        algorithms: ['RS256'],
        requiredClaims: ['exp', 'iss'],
      });
      const problem = issuedInTheFuture(payload, Date.now()) ?? additionalClaimsProblem(payload, config.additionalClaims);
      return problem === undefined ? { ok: true, payload } : refused(problem);
    } catch (error) {
      if (error instanceof JwksUnavailable) return { ok: false, status: 500, detail: `the JWKS of ${config.jwksEndpoint} ${error.message}` };
      if (error instanceof errors.JOSEError) return refused(`${error.code}: ${error.message}`);
      throw error;
    }
  }

  /** Forgets the key sets of endpoints no rule names any more. */
  retainOnly(endpoints: ReadonlySet<string>): void {
    for (const endpoint of [...this.keySets.keys()]) {
      if (!endpoints.has(endpoint)) this.keySets.delete(endpoint);
    }
  }

  private keySetFor(endpoint: string): JWTVerifyGetKey {
    let keySet = this.keySets.get(endpoint);
    if (!keySet) {
      keySet = createRemoteJWKSet(new URL(endpoint), {
        timeoutDuration: this.timeoutMs,
        [customFetch]: (url, init) => this.fetchKeySet(url, init),
      });
      this.keySets.set(endpoint, keySet);
    }
    return keySet;
  }

  private async fetchKeySet(url: string, init: { headers: Headers; signal: AbortSignal }): Promise<Response> {
    const answer = await boundedFetch(
      url,
      { method: 'GET', headers: init.headers, signal: init.signal },
      { timeoutMs: this.timeoutMs, maxBytes: JWKS_LIMITS.maxBytes },
    );
    if (!answer.ok) throw new JwksUnavailable(answer.problem);
    if (answer.status !== 200) throw new JwksUnavailable(`answered ${answer.status}`);
    let keys: unknown;
    try {
      keys = (JSON.parse(answer.body) as { keys?: unknown }).keys;
    } catch {
      throw new JwksUnavailable('is not JSON');
    }
    if (!Array.isArray(keys)) throw new JwksUnavailable('has no "keys" array');
    if (keys.length > JWKS_LIMITS.maxKeys) throw new JwksUnavailable(`has ${keys.length} keys, over the ALB's limit of ${JWKS_LIMITS.maxKeys}`);
    return new Response(answer.body, { status: 200, headers: { 'content-type': 'application/json' } });
  }
}

function refused(detail: string): JwtCheck {
  return { ok: false, status: 401, wwwAuthenticate: 'Bearer error="invalid_token"', detail };
}

/** The token of `Authorization: Bearer <token>` (the scheme is case-insensitive, RFC 7235). */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(authorization ?? '');
  return match?.[1];
}

/** jose checks `iat` is a number; the ALB also refuses a token issued in the future. */
function issuedInTheFuture(payload: JWTPayload, nowMs: number): string | undefined {
  return typeof payload.iat === 'number' && payload.iat > Math.floor(nowMs / 1000) ? '"iat" claim is in the future' : undefined;
}

/** Why the payload fails the additional claims, or undefined when every one matches. */
export function additionalClaimsProblem(payload: JWTPayload, claims: readonly JwtClaim[]): string | undefined {
  for (const claim of claims) {
    const value = payload[claim.name];
    const wanted = new Set(claim.values);
    const matches =
      claim.format === 'single-string'
        ? typeof value === 'string' && wanted.has(value)
        : claim.format === 'string-array'
          ? Array.isArray(value) && value.some((item) => typeof item === 'string' && wanted.has(item))
          : typeof value === 'string' && value.split(' ').some((word) => wanted.has(word));
    if (!matches) return `claim ${JSON.stringify(claim.name)} does not match (${claim.format})`;
  }
  return undefined;
}
