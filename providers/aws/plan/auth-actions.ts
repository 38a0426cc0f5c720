/**
 * Pure conversions of the model's authentication, rewrites and mutual TLS to the ELBv2 API's shapes
 * (ELBv2 API reference: AuthenticateOidcActionConfig, AuthenticateCognitoActionConfig,
 * JwtValidationActionConfig, RuleTransform, MutualAuthenticationAttributes).
 *
 * An authentication runs before the rule's action: ALB evaluates a rule's actions by Order, and
 * authenticate-oidc, authenticate-cognito and jwt-validation must come before the one terminal
 * action (forward, redirect, fixed-response).
 *
 * The OIDC client secret is never in a plan. An action that must carry it names it with a
 * `${ClientSecret:namespace/name}` placeholder, which apply replaces with the Secret's value when the
 * call is sent; an action that keeps the secret the rule already has says UseExistingClientSecret;
 * the plan JSON, which is for reading, omits it.
 * @module
 */
import type {
  Action as Elbv2Action,
  AuthenticateCognitoActionConfig,
  AuthenticateOidcActionConfig,
  MutualAuthenticationAttributes,
  RuleTransform,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Action, Authentication, AuthenticationSession, MutualAuthentication, Transform } from '../../../src/model.js';
import { type ResolveTargetGroupArn, toElbv2Action } from './elbv2-shapes.js';
import { clientSecretRef, trustStoreRef } from './resource-ids.js';

/** How an OIDC action carries the client secret: the Secret's (sent at apply), the rule's own, or none (for reading). */
export type ClientSecretMode = 'from-secret' | 'keep-existing' | 'omit';

function session(
  auth: AuthenticationSession,
): Pick<AuthenticateOidcActionConfig, 'SessionCookieName' | 'Scope' | 'SessionTimeout' | 'OnUnauthenticatedRequest' | 'AuthenticationRequestExtraParams'> {
  return {
    SessionCookieName: auth.sessionCookieName,
    Scope: auth.scope,
    SessionTimeout: auth.sessionTimeoutSeconds,
    OnUnauthenticatedRequest: auth.onUnauthenticatedRequest,
    ...(Object.keys(auth.authenticationRequestExtraParams).length > 0 && { AuthenticationRequestExtraParams: { ...auth.authenticationRequestExtraParams } }),
  };
}

function toElbv2Authentication(auth: Authentication, order: number, secret: ClientSecretMode): Elbv2Action {
  switch (auth.type) {
    case 'oidc': {
      const config: AuthenticateOidcActionConfig = {
        Issuer: auth.issuer,
        AuthorizationEndpoint: auth.authorizationEndpoint,
        TokenEndpoint: auth.tokenEndpoint,
        UserInfoEndpoint: auth.userInfoEndpoint,
        ClientId: auth.clientId,
        ...session(auth),
        ...(secret === 'from-secret' && { ClientSecret: clientSecretRef(auth.clientSecretRef.namespace, auth.clientSecretRef.name) }),
        ...(secret === 'keep-existing' && { UseExistingClientSecret: true }),
      };
      return { Type: 'authenticate-oidc', Order: order, AuthenticateOidcConfig: config };
    }
    case 'cognito': {
      const config: AuthenticateCognitoActionConfig = {
        UserPoolArn: auth.userPoolArn,
        UserPoolClientId: auth.userPoolClientId,
        UserPoolDomain: auth.userPoolDomain,
        ...session(auth),
      };
      return { Type: 'authenticate-cognito', Order: order, AuthenticateCognitoConfig: config };
    }
    case 'jwt-validation':
      return {
        Type: 'jwt-validation',
        Order: order,
        JwtValidationConfig: {
          Issuer: auth.issuer,
          JwksEndpoint: auth.jwksEndpoint,
          ...(auth.additionalClaims.length > 0 && {
            AdditionalClaims: auth.additionalClaims.map((claim) => ({ Format: claim.format, Name: claim.name, Values: [...claim.values] })),
          }),
        },
      };
  }
}

/** A rule's (or a listener's default) actions: the authentication first, when there is one, then the action. */
export function toElbv2RuleActions(
  authentication: Authentication | undefined,
  actions: readonly Action[],
  resolveTargetGroupArn: ResolveTargetGroupArn,
  secret: ClientSecretMode,
): Elbv2Action[] {
  const first = authentication ? [toElbv2Authentication(authentication, 1, secret)] : [];
  return [...first, ...actions.map((action, index) => toElbv2Action(action, first.length + index + 1, resolveTargetGroupArn))];
}

/** The OIDC client secret's fingerprint, when the authentication is an OIDC login. */
export function clientSecretFingerprint(authentication: Authentication | undefined): string | undefined {
  return authentication?.type === 'oidc' ? authentication.clientSecretFingerprint : undefined;
}

export function toElbv2Transforms(transforms: readonly Transform[] | undefined): RuleTransform[] {
  return (transforms ?? []).map((transform) => {
    const rewrites = { Rewrites: [{ Regex: transform.regex, Replace: transform.replace }] };
    return transform.type === 'url-rewrite'
      ? { Type: 'url-rewrite', UrlRewriteConfig: rewrites }
      : { Type: 'host-header-rewrite', HostHeaderRewriteConfig: rewrites };
  });
}

/** Canonical transforms: order does not matter (one of each type). */
export function transformsKey(transforms: readonly RuleTransform[] | undefined): string {
  return JSON.stringify(
    (transforms ?? [])
      .map((transform) => {
        const rewrite = (transform.Type === 'url-rewrite' ? transform.UrlRewriteConfig : transform.HostHeaderRewriteConfig)?.Rewrites?.[0];
        return [transform.Type ?? '', rewrite?.Regex ?? '', rewrite?.Replace ?? ''];
      })
      .sort(),
  );
}

/** Resolves a trust store given by name to its ARN (a lookup), or a placeholder that apply fails on. */
export type ResolveTrustStore = (name: string) => string | undefined;

/** A listener's mutual TLS as CreateListener/ModifyListener take it; absent in the spec is mode off. */
export function toElbv2MutualAuthentication(mutual: MutualAuthentication | undefined, resolveTrustStore: ResolveTrustStore): MutualAuthenticationAttributes {
  if (!mutual || mutual.mode === 'off') return { Mode: 'off' };
  if (mutual.mode === 'passthrough') return { Mode: 'passthrough' };
  const trustStoreArn =
    mutual.trustStoreArn ??
    (mutual.trustStoreName !== undefined ? (resolveTrustStore(mutual.trustStoreName) ?? trustStoreRef(mutual.trustStoreName)) : undefined);
  return {
    Mode: 'verify',
    ...(trustStoreArn !== undefined && { TrustStoreArn: trustStoreArn }),
    IgnoreClientCertificateExpiry: mutual.ignoreClientCertificateExpiry ?? false,
    AdvertiseTrustStoreCaNames: mutual.advertiseTrustStoreCaNames ? 'on' : 'off',
  };
}

/** Canonical mutual TLS, with ALB's defaults filled in, so Describe's answer compares with what we send. */
export function mutualAuthenticationKey(mutual: MutualAuthenticationAttributes | undefined): string {
  const mode = mutual?.Mode ?? 'off';
  if (mode !== 'verify') return JSON.stringify([mode]);
  return JSON.stringify([mode, mutual?.TrustStoreArn ?? '', mutual?.IgnoreClientCertificateExpiry ?? false, mutual?.AdvertiseTrustStoreCaNames ?? 'off']);
}
