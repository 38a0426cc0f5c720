/**
 * An Ingress's authentication annotations → the model's Authentication, which every rule of the
 * Ingress (and its default backend) carries on HTTPS listeners.
 *
 * - `auth-type` oidc or cognito needs its IdP annotation; without it the Ingress cannot be served as
 *   asked (left out whole, like any static misconfiguration): serving the paths without the login
 *   they ask for would open them up.
 * - OIDC: the client id and secret are read from the Secret `auth-idp-oidc.secretName` names, in the
 *   Ingress's namespace (keys `clientID`, `clientSecret`, as aws-load-balancer-controller reads
 *   them). The spec carries the client id, the Secret's name and a fingerprint, never the secret:
 *   the provider reads it at apply time, and the fingerprint makes a rotation a visible change. A
 *   Secret that is missing or incomplete is not a static mistake (it may be created next): the paths
 *   answer 503 until it is there, as a backend whose Service is missing does.
 * - `jwt-validation` and a login cannot share a rule (one of them would have to go first, and ALB
 *   takes one authentication action per rule), so the two together are refused.
 * @module
 */
import { createHash } from 'node:crypto';
import type { V1Ingress } from '@kubernetes/client-node';
import type { Authentication, AuthenticationSession, Diagnostic } from '../model.js';
import type { SnapshotView } from '../sources/snapshot.js';
import type { AuthAnnotations } from './annotation-types.js';
import { controlCharacterProblem } from './annotation-values.js';
import { annotationField, ingressDiagnostic } from './diagnostics.js';
import type { GroupMember } from './groups.js';

const DEFAULT_SESSION: Readonly<Omit<AuthenticationSession, 'authenticationRequestExtraParams'>> = {
  onUnauthenticatedRequest: 'authenticate',
  scope: 'openid',
  sessionCookieName: 'AWSELBAuthSessionCookie',
  sessionTimeoutSeconds: 604800,
};

/** Bounds on what the Secret may hold: a client id goes into the IdP's login URL. */
const MAX_CLIENT_ID = 256;
const MAX_CLIENT_SECRET = 4096;

export type AuthenticationOutcome =
  /** No authentication asked for. */
  | { kind: 'none'; diagnostics: Diagnostic[] }
  | { kind: 'ready'; authentication: Authentication; diagnostics: Diagnostic[] }
  /** Asked for, but its Secret is not usable yet: the paths answer 503 (`reason` says why). */
  | { kind: 'unavailable'; reason: string; diagnostics: Diagnostic[] }
  /** Asked for in a way that cannot be served: the Ingress is left out. */
  | { kind: 'invalid'; field: string; message: string; diagnostics: Diagnostic[] };

export function resolveAuthentication(snapshot: SnapshotView, member: GroupMember): AuthenticationOutcome {
  const { ingress, annotations } = member;
  const { auth, jwtValidation } = annotations;
  const diagnostics = unusedAuthSettings(ingress, auth);
  const type = auth.type ?? 'none';
  if (jwtValidation && type !== 'none') {
    return {
      kind: 'invalid',
      field: annotationField(ingress, 'jwt-validation'),
      message: `jwt-validation and auth-type ${type} are both set; a rule takes one of them`,
      diagnostics,
    };
  }
  if (jwtValidation) {
    return { kind: 'ready', authentication: { type: 'jwt-validation', ...jwtValidation }, diagnostics };
  }
  if (type === 'none') return { kind: 'none', diagnostics };
  const session = sessionOf(auth, type === 'oidc' ? auth.oidc?.authenticationRequestExtraParams : auth.cognito?.authenticationRequestExtraParams);
  if (type === 'cognito') {
    if (!auth.cognito)
      return {
        kind: 'invalid',
        field: annotationField(ingress, 'auth-type'),
        message: 'auth-type cognito needs a valid auth-idp-cognito annotation, and there is none',
        diagnostics,
      };
    const { userPoolArn, userPoolClientId, userPoolDomain } = auth.cognito;
    return { kind: 'ready', authentication: { type: 'cognito', userPoolArn, userPoolClientId, userPoolDomain, ...session }, diagnostics };
  }
  if (!auth.oidc)
    return {
      kind: 'invalid',
      field: annotationField(ingress, 'auth-type'),
      message: 'auth-type oidc needs a valid auth-idp-oidc annotation, and there is none',
      diagnostics,
    };
  const { secretName, issuer, authorizationEndpoint, tokenEndpoint, userInfoEndpoint } = auth.oidc;
  const credentials = readClientSecret(snapshot, member.ref.namespace, secretName);
  if (!credentials.ok) {
    const reason = `Secret ${member.ref.namespace}/${secretName} ${credentials.problem}`;
    diagnostics.push(
      ingressDiagnostic(ingress, annotationField(ingress, 'auth-idp-oidc'), 'error', `${reason}; the Ingress's paths answer 503 until it is fixed`),
    );
    return { kind: 'unavailable', reason, diagnostics };
  }
  return {
    kind: 'ready',
    authentication: {
      type: 'oidc',
      issuer,
      authorizationEndpoint,
      tokenEndpoint,
      userInfoEndpoint,
      clientId: credentials.clientId,
      clientSecretRef: { namespace: member.ref.namespace, name: secretName },
      clientSecretFingerprint: credentials.fingerprint,
      ...session,
    },
    diagnostics,
  };
}

function sessionOf(auth: AuthAnnotations, idpParams: Readonly<Record<string, string>> | undefined): AuthenticationSession {
  return {
    onUnauthenticatedRequest: auth.onUnauthenticatedRequest ?? DEFAULT_SESSION.onUnauthenticatedRequest,
    scope: auth.scope ?? DEFAULT_SESSION.scope,
    sessionCookieName: auth.sessionCookieName ?? DEFAULT_SESSION.sessionCookieName,
    sessionTimeoutSeconds: auth.sessionTimeoutSeconds ?? DEFAULT_SESSION.sessionTimeoutSeconds,
    authenticationRequestExtraParams: { ...idpParams, ...auth.authenticationRequestExtraParams },
  };
}

/** Settings that change nothing because no login is configured: said, so a typo in auth-type is noticed. */
function unusedAuthSettings(ingress: V1Ingress, auth: AuthAnnotations): Diagnostic[] {
  const type = auth.type ?? 'none';
  const unused: string[] = [];
  if (auth.oidc && type !== 'oidc') unused.push('auth-idp-oidc');
  if (auth.cognito && type !== 'cognito') unused.push('auth-idp-cognito');
  if (type === 'none') {
    if (auth.onUnauthenticatedRequest !== undefined) unused.push('auth-on-unauthenticated-request');
    if (auth.scope !== undefined) unused.push('auth-scope');
    if (auth.sessionCookieName !== undefined) unused.push('auth-session-cookie');
    if (auth.sessionTimeoutSeconds !== undefined) unused.push('auth-session-timeout');
    if (auth.authenticationRequestExtraParams !== undefined) unused.push('auth-authentication-request-extra-params');
  }
  return unused.map((key) => ingressDiagnostic(ingress, annotationField(ingress, key), 'warning', `${key} is ignored: auth-type is ${type}`));
}

type Credentials = { ok: true; clientId: string; fingerprint: string } | { ok: false; problem: string };

/** The Secret's clientID and clientSecret; their values never appear in a message. */
function readClientSecret(snapshot: SnapshotView, namespace: string, name: string): Credentials {
  const secret = snapshot.secret(namespace, name);
  if (!secret) return { ok: false, problem: 'does not exist' };
  const clientId = decode(secret.data?.clientID);
  const clientSecret = decode(secret.data?.clientSecret);
  if (clientId === undefined || clientId === '') return { ok: false, problem: 'has no clientID' };
  if (clientSecret === undefined || clientSecret === '') return { ok: false, problem: 'has no clientSecret' };
  if (clientId.length > MAX_CLIENT_ID || controlCharacterProblem(clientId) !== undefined || /\s/.test(clientId)) {
    return { ok: false, problem: `has a clientID that is not a client id (at most ${MAX_CLIENT_ID} characters, no spaces or control characters)` };
  }
  if (clientSecret.length > MAX_CLIENT_SECRET || controlCharacterProblem(clientSecret) !== undefined) {
    return { ok: false, problem: `has a clientSecret the load balancer cannot send (at most ${MAX_CLIENT_SECRET} characters, no control characters)` };
  }
  const fingerprint = createHash('sha256').update(clientId).update('\u0000').update(clientSecret).digest('hex');
  return { ok: true, clientId, fingerprint };
}

function decode(value: string | undefined): string | undefined {
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}
