/**
 * The `authenticate-oidc` action, performed as the ALB performs it ("Authenticate users using an
 * Application Load Balancer"): the authorization code flow against the IdP the rule names.
 *
 * 1. A request without a valid session cookie is, by `onUnauthenticatedRequest`: `deny` → 401;
 *    `allow` → forwarded without user claims; `authenticate` (default) → 302 to the authorization
 *    endpoint with `response_type=code`, `client_id`, `redirect_uri=https://<host>/oauth2/idpresponse`,
 *    `scope`, a sealed `state` and a `nonce`, plus the rule's extra parameters; the nonce also goes
 *    into the `AWSALBAuthNonce` cookie, so the callback must come from the browser that started.
 * 2. The IdP sends the browser back to `/oauth2/idpresponse?code&state` (answered by the load
 *    balancer itself, never routed): the state is opened and matched to the nonce cookie and to the
 *    rule, whose configuration must not have changed meanwhile; the code is exchanged at the token
 *    endpoint with the client secret (HTTP Basic, `client_secret_basic`, the OIDC default); the ID
 *    token's `iss`, `aud`, `nonce` and `exp` are checked; the user info endpoint is asked for the
 *    claims with the access token, and its `sub` must be the ID token's (OIDC Core 5.3.2).
 * 3. The session — subject, claims, access token, expiry — is sealed into the session cookie
 *    (`<sessionCookieName>-0`…, session-cookie.ts) for `sessionTimeoutSeconds`, and the browser is
 *    sent back to the URL it first asked for.
 * 4. A request with a valid session goes to the target with `X-Amzn-Oidc-Accesstoken`,
 *    `X-Amzn-Oidc-Identity` (the subject) and `X-Amzn-Oidc-Data` (the claims, signed by the load
 *    balancer: user-claims.ts).
 *
 * The ID token comes straight from the token endpoint over the connection the load balancer opened,
 * so its signature need not be checked (OIDC Core 3.1.3.7, item 6): it is decoded by jose, never
 * parsed by hand. The session is bound to the load balancer and the IdP configuration that made it.
 * Failures the client can cause (a bad state, a code the IdP refuses) are 401; an IdP that cannot be
 * reached or answers nonsense is 500. Codes, tokens and secrets are never logged.
 * @module
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { decodeJwt } from 'jose';
import type { Authentication } from '../../src/model.js';
import type { ClientSecretSource } from '../../src/provider.js';
import { plainAnswer, type LocalAnswer } from './answers.js';
import { boundedFetch, type FetchBounds } from './bounded-fetch.js';
import type { LocalLog } from './log.js';
import { cookieLine, joinShards, parseCookies, shardCookies, type Sealer } from './session-cookie.js';
import type { UserClaimsSigner } from './user-claims.js';

export type OidcConfig = Extract<Authentication, { type: 'oidc' }>;

export const CALLBACK_PATH = '/oauth2/idpresponse';
const NONCE_COOKIE = 'AWSALBAuthNonce';
/** How long a login may take between the redirect to the IdP and the callback. */
const LOGIN_SECONDS = 900;
const IDP_BOUNDS: FetchBounds = { timeoutMs: 10_000, maxBytes: 1024 * 1024 };

/** Which rule an authentication belongs to: a stack's listener and a rule priority (null: the default action). */
export interface OidcOwner {
  stackId: string;
  specPort: number;
  priority: number | null;
}

export type OidcOutcome = { kind: 'session'; headers: Record<string, string> } | { kind: 'anonymous' } | { kind: 'answer'; answer: LocalAnswer };

interface Session {
  sub: string;
  claims: Record<string, unknown>;
  accessToken: string;
  /** ms since the epoch. */
  expiresAt: number;
}

interface LoginState {
  owner: OidcOwner;
  identity: string;
  /** The origin-form target the browser first asked for. */
  target: string;
  nonce: string;
  expiresAt: number;
}

export interface OidcLoginOptions {
  sealer: Sealer;
  signer: UserClaimsSigner;
  credentials: ClientSecretSource | undefined;
  log: LocalLog;
  now?: () => number;
}

export class OidcLogin {
  private readonly options: OidcLoginOptions;
  private readonly now: () => number;

  constructor(options: OidcLoginOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /** What a request routed to an OIDC-authenticated rule gets; `target` is its origin-form request target. */
  async admit(config: OidcConfig, owner: OidcOwner, request: { headers: IncomingHttpHeaders; target: string }): Promise<OidcOutcome> {
    const identity = identityOf(config, owner.stackId);
    const session = this.openSession(config, identity, parseCookies(request.headers.cookie));
    if (session) {
      const data = await this.options.signer.sign(session.claims, {
        signer: `local:loadbalancer/${owner.stackId}`,
        issuer: config.issuer,
        clientId: config.clientId,
        nowMs: this.now(),
      });
      return { kind: 'session', headers: { 'x-amzn-oidc-accesstoken': session.accessToken, 'x-amzn-oidc-identity': session.sub, 'x-amzn-oidc-data': data } };
    }
    switch (config.onUnauthenticatedRequest) {
      case 'allow':
        return { kind: 'anonymous' };
      case 'deny':
        return { kind: 'answer', answer: plainAnswer(401) };
      case 'authenticate':
        return { kind: 'answer', answer: this.startLogin(config, owner, identity, request) };
    }
  }

  /** The callback at /oauth2/idpresponse; `find` gives the OIDC configuration of a rule as now served. */
  async completeLogin(request: { headers: IncomingHttpHeaders; query: string }, find: (owner: OidcOwner) => OidcConfig | undefined): Promise<LocalAnswer> {
    const parameters = new URLSearchParams(request.query);
    const cookies = parseCookies(request.headers.cookie);
    const state = this.openState(parameters.get('state'));
    if (!state) return this.refuse('the callback carries no state this load balancer made, or it expired');
    const nonceCookie = cookies.get(NONCE_COOKIE);
    if (nonceCookie === undefined || !sameText(nonceCookie, state.nonce)) return this.refuse('the nonce cookie does not match the state', state.owner);
    const config = find(state.owner);
    if (!config || identityOf(config, state.owner.stackId) !== state.identity)
      return this.refuse('the rule that started the login is gone or its IdP changed', state.owner);
    const idpError = parameters.get('error');
    if (idpError !== null) return this.refuse(`the IdP answered error ${JSON.stringify(idpError.replace(/[^\w.-]/g, '?').slice(0, 64))}`, state.owner);
    const code = parameters.get('code');
    if (!code) return this.refuse('the callback carries no code', state.owner);
    const credentials = this.options.credentials?.get(config.clientSecretRef.namespace, config.clientSecretRef.name);
    if (!credentials)
      return this.fail(`the client secret of Secret ${config.clientSecretRef.namespace}/${config.clientSecretRef.name} is not available`, state.owner);

    const redirectUri = callbackUrl(request.headers.host ?? '');
    if (!redirectUri) return this.refuse('the callback has no usable Host', state.owner);
    const tokens = await this.exchangeCode(config, { clientId: credentials.clientId, clientSecret: credentials.clientSecret, code, redirectUri });
    if (!tokens.ok) return tokens.clientError ? this.refuse(tokens.problem, state.owner) : this.fail(tokens.problem, state.owner);
    const idToken = this.checkIdToken(tokens.idToken, config, state.nonce);
    if (!idToken.ok) return this.refuse(idToken.problem, state.owner);
    const claims = await this.userInfo(config, tokens.accessToken);
    if (!claims.ok) return claims.clientError ? this.refuse(claims.problem, state.owner) : this.fail(claims.problem, state.owner);
    if (claims.claims.sub !== idToken.sub) return this.refuse('the user info endpoint names another subject than the ID token', state.owner);

    const session: Session = {
      sub: idToken.sub,
      claims: claims.claims,
      accessToken: tokens.accessToken,
      expiresAt: this.now() + config.sessionTimeoutSeconds * 1000,
    };
    const sealed = this.options.sealer.seal(session, sessionPurpose(state.identity));
    const sessionCookies = shardCookies(config.sessionCookieName, sealed, { maxAgeSeconds: config.sessionTimeoutSeconds }, cookies);
    if (!sessionCookies) return this.fail('the session (claims and access token) does not fit in the session cookies', state.owner);
    return plainAnswer(302, {
      // Absolute, on the callback's own origin: a target such as `//elsewhere.example/` must stay a path here.
      location: `${new URL(redirectUri).origin}${state.target}`,
      'set-cookie': [...sessionCookies, cookieLine(NONCE_COOKIE, '', 0)],
      'cache-control': 'no-store',
    });
  }

  private startLogin(config: OidcConfig, owner: OidcOwner, identity: string, request: { headers: IncomingHttpHeaders; target: string }): LocalAnswer {
    const redirectUri = callbackUrl(request.headers.host ?? '');
    if (!redirectUri) return plainAnswer(400);
    const nonce = randomBytes(32).toString('base64url');
    const state: LoginState = { owner, identity, target: request.target, nonce, expiresAt: this.now() + LOGIN_SECONDS * 1000 };
    const location = new URL(config.authorizationEndpoint);
    for (const [name, value] of Object.entries(config.authenticationRequestExtraParams)) location.searchParams.set(name, value);
    location.searchParams.set('client_id', config.clientId);
    location.searchParams.set('redirect_uri', redirectUri);
    location.searchParams.set('response_type', 'code');
    location.searchParams.set('scope', config.scope);
    location.searchParams.set('state', this.options.sealer.seal(state, STATE_PURPOSE));
    location.searchParams.set('nonce', nonce);
    return plainAnswer(302, {
      location: location.href,
      'set-cookie': cookieLine(NONCE_COOKIE, nonce, LOGIN_SECONDS),
      'cache-control': 'no-store',
    });
  }

  private openSession(config: OidcConfig, identity: string, cookies: ReadonlyMap<string, string>): Session | undefined {
    const sealed = joinShards(cookies, config.sessionCookieName);
    if (sealed === undefined) return undefined;
    const session = this.options.sealer.open(sealed, sessionPurpose(identity)) as Session | undefined;
    return session && session.expiresAt > this.now() ? session : undefined;
  }

  private openState(sealed: string | null): LoginState | undefined {
    if (!sealed) return undefined;
    const state = this.options.sealer.open(sealed, STATE_PURPOSE) as LoginState | undefined;
    return state && state.expiresAt > this.now() ? state : undefined;
  }

  private async exchangeCode(
    config: OidcConfig,
    exchange: { clientId: string; clientSecret: string; code: string; redirectUri: string },
  ): Promise<{ ok: true; accessToken: string; idToken: string } | { ok: false; clientError: boolean; problem: string }> {
    const basic = Buffer.from(`${formEncode(exchange.clientId)}:${formEncode(exchange.clientSecret)}`).toString('base64');
    const answer = await boundedFetch(
      config.tokenEndpoint,
      {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code: exchange.code, redirect_uri: exchange.redirectUri }).toString(),
      },
      IDP_BOUNDS,
    );
    if (!answer.ok) return { ok: false, clientError: false, problem: `the token endpoint ${answer.problem}` };
    if (answer.status >= 400 && answer.status < 500) return { ok: false, clientError: true, problem: `the token endpoint refused the code (${answer.status})` };
    const body = jsonObject(answer.body);
    if (answer.status !== 200 || typeof body?.access_token !== 'string' || typeof body.id_token !== 'string') {
      return { ok: false, clientError: false, problem: `the token endpoint answered ${answer.status} without an access token and an ID token` };
    }
    return { ok: true, accessToken: body.access_token, idToken: body.id_token };
  }

  /** The ID token's subject, once its issuer, audience, nonce and expiry are the ones this login expects. */
  private checkIdToken(idToken: string, config: OidcConfig, nonce: string): { ok: true; sub: string } | { ok: false; problem: string } {
    let claims: ReturnType<typeof decodeJwt>;
    try {
      claims = decodeJwt(idToken);
    } catch {
      return { ok: false, problem: 'the ID token is not a JWT' };
    }
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (claims.iss !== config.issuer) return { ok: false, problem: 'the ID token was issued by another issuer' };
    if (!audiences.includes(config.clientId)) return { ok: false, problem: 'the ID token is for another client' };
    if (typeof claims.nonce !== 'string' || !sameText(claims.nonce, nonce)) return { ok: false, problem: 'the ID token carries another nonce' };
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= this.now()) return { ok: false, problem: 'the ID token has expired' };
    if (typeof claims.sub !== 'string' || claims.sub === '') return { ok: false, problem: 'the ID token names no subject' };
    return { ok: true, sub: claims.sub };
  }

  private async userInfo(
    config: OidcConfig,
    accessToken: string,
  ): Promise<{ ok: true; claims: Record<string, unknown> } | { ok: false; clientError: boolean; problem: string }> {
    const answer = await boundedFetch(config.userInfoEndpoint, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } }, IDP_BOUNDS);
    if (!answer.ok) return { ok: false, clientError: false, problem: `the user info endpoint ${answer.problem}` };
    if (answer.status === 401 || answer.status === 403)
      return { ok: false, clientError: true, problem: `the user info endpoint refused the access token (${answer.status})` };
    const claims = jsonObject(answer.body);
    if (answer.status !== 200 || !claims)
      return { ok: false, clientError: false, problem: `the user info endpoint answered ${answer.status} without a JSON object` };
    return { ok: true, claims };
  }

  private refuse(detail: string, owner?: OidcOwner): LocalAnswer {
    this.options.log.warn({ ...(owner ? { stack: owner.stackId, port: owner.specPort } : {}), status: 401, detail }, 'an OIDC login was refused');
    return plainAnswer(401, { 'set-cookie': cookieLine(NONCE_COOKIE, '', 0), 'cache-control': 'no-store' });
  }

  private fail(detail: string, owner: OidcOwner): LocalAnswer {
    this.options.log.warn({ stack: owner.stackId, port: owner.specPort, status: 500, detail }, 'an OIDC login could not be completed');
    return plainAnswer(500, { 'cache-control': 'no-store' });
  }
}

const STATE_PURPOSE = 'oidc-state/v1';

function sessionPurpose(identity: string): string {
  return `oidc-session/v1/${identity}`;
}

/**
 * What a session and a login are bound to: the load balancer and the IdP client. Rules of one load
 * balancer with the same IdP share sessions, as on an ALB; a rotated client secret does not end them.
 */
function identityOf(config: OidcConfig, stackId: string): string {
  const parts = [stackId, config.issuer, config.clientId, config.authorizationEndpoint, config.tokenEndpoint, config.userInfoEndpoint];
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
}

/** `https://<host>/oauth2/idpresponse` for the Host the browser used; undefined for a Host no URL can carry. */
function callbackUrl(host: string): string | undefined {
  if (host === '' || /[^A-Za-z0-9.\-_:[\]]/.test(host)) return undefined;
  try {
    return new URL(`https://${host}${CALLBACK_PATH}`).href;
  } catch {
    return undefined;
  }
}

/** RFC 6749 section 2.3.1: the client id and secret are form-encoded before Basic encoding. */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
