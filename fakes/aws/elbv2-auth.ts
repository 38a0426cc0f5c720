/**
 * The ALB's pre-routing actions — authenticate-oidc, authenticate-cognito, jwt-validation — checked
 * as the API checks them (ELBv2 API reference: AuthenticateOidcActionConfig,
 * AuthenticateCognitoActionConfig, JwtValidationActionConfig) and normalized to what Describe*
 * returns: the session defaults spelled out, and never the OIDC client secret.
 *
 * The client secret is kept in the stored action (state) so UseExistingClientSecret can carry it
 * over on a modify; everything that answers a caller strips it (`withoutClientSecrets`).
 * @module
 */
import type { Action, AuthenticateCognitoActionConfig, AuthenticateOidcActionConfig } from '@aws-sdk/client-elastic-load-balancing-v2';
import { elbv2Error } from './errors.js';

export const AUTHENTICATION_TYPES: ReadonlySet<string> = new Set(['authenticate-oidc', 'authenticate-cognito', 'jwt-validation']);
const ON_UNAUTHENTICATED = ['deny', 'allow', 'authenticate'];
const CLAIM_FORMATS = ['single-string', 'string-array', 'space-separated-values'];
const USER_POOL_ARN = /^arn:aws[-a-z]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool\/[\w-]+_[0-9A-Za-z]+$/;

function httpsUrl(value: string | undefined, field: string, maxLength?: number): string {
  let url: URL | undefined;
  try {
    url = new URL(value ?? '');
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'https:' || (maxLength !== undefined && (value ?? '').length > maxLength)) {
    throw elbv2Error(
      'ValidationError',
      `${field} '${value ?? ''}' must be a full URL with the HTTPS protocol${maxLength === undefined ? '' : ` of at most ${maxLength} characters`}`,
    );
  }
  return value ?? '';
}

type Session = Pick<
  AuthenticateOidcActionConfig,
  'SessionCookieName' | 'Scope' | 'SessionTimeout' | 'OnUnauthenticatedRequest' | 'AuthenticationRequestExtraParams'
>;

function session(config: Session): Session {
  const timeout = config.SessionTimeout ?? 604800;
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 604800)
    throw elbv2Error('ValidationError', `SessionTimeout ${timeout} must be between 1 and 604800 seconds`);
  const onUnauthenticated = config.OnUnauthenticatedRequest ?? 'authenticate';
  if (!ON_UNAUTHENTICATED.includes(onUnauthenticated))
    throw elbv2Error('ValidationError', `OnUnauthenticatedRequest '${onUnauthenticated}' must be deny, allow or authenticate`);
  const params = config.AuthenticationRequestExtraParams ?? {};
  if (Object.keys(params).length > 10) throw elbv2Error('ValidationError', 'At most 10 AuthenticationRequestExtraParams can be specified');
  return {
    SessionCookieName: config.SessionCookieName ?? 'AWSELBAuthSessionCookie',
    Scope: config.Scope ?? 'openid',
    SessionTimeout: timeout,
    OnUnauthenticatedRequest: onUnauthenticated,
    ...(Object.keys(params).length > 0 && { AuthenticationRequestExtraParams: { ...params } }),
  };
}

/**
 * A checked pre-routing action. `existingSecret` is the client secret of the action being replaced
 * (a modify), for UseExistingClientSecret.
 */
export function authenticationAction(action: Action, order: number, existingSecret: string | undefined): Action {
  switch (action.Type) {
    case 'authenticate-oidc': {
      const config = action.AuthenticateOidcConfig;
      if (config === undefined) throw elbv2Error('ValidationError', 'An authenticate-oidc action requires AuthenticateOidcConfig');
      if (!config.ClientId) throw elbv2Error('ValidationError', 'AuthenticateOidcConfig.ClientId must be specified');
      let secret = config.ClientSecret;
      if (config.UseExistingClientSecret === true) {
        if (secret !== undefined) throw elbv2Error('ValidationError', 'ClientSecret and UseExistingClientSecret cannot both be specified');
        if (existingSecret === undefined)
          throw elbv2Error('ValidationError', 'UseExistingClientSecret can only be used to modify an action that has a client secret');
        secret = existingSecret;
      }
      if (!secret) throw elbv2Error('ValidationError', 'AuthenticateOidcConfig.ClientSecret must be specified');
      const checked: AuthenticateOidcActionConfig = {
        Issuer: httpsUrl(config.Issuer, 'Issuer'),
        AuthorizationEndpoint: httpsUrl(config.AuthorizationEndpoint, 'AuthorizationEndpoint'),
        TokenEndpoint: httpsUrl(config.TokenEndpoint, 'TokenEndpoint'),
        UserInfoEndpoint: httpsUrl(config.UserInfoEndpoint, 'UserInfoEndpoint'),
        ClientId: config.ClientId,
        ClientSecret: secret,
        ...session(config),
      };
      return { Type: 'authenticate-oidc', Order: order, AuthenticateOidcConfig: checked };
    }
    case 'authenticate-cognito': {
      const config = action.AuthenticateCognitoConfig;
      if (config === undefined) throw elbv2Error('ValidationError', 'An authenticate-cognito action requires AuthenticateCognitoConfig');
      if (!USER_POOL_ARN.test(config.UserPoolArn ?? ''))
        throw elbv2Error('ValidationError', `UserPoolArn '${config.UserPoolArn ?? ''}' is not a valid user pool ARN`);
      if (!config.UserPoolClientId || !config.UserPoolDomain) throw elbv2Error('ValidationError', 'UserPoolClientId and UserPoolDomain must be specified');
      const checked: AuthenticateCognitoActionConfig = {
        UserPoolArn: config.UserPoolArn,
        UserPoolClientId: config.UserPoolClientId,
        UserPoolDomain: config.UserPoolDomain,
        ...session(config),
      };
      return { Type: 'authenticate-cognito', Order: order, AuthenticateCognitoConfig: checked };
    }
    case 'jwt-validation': {
      const config = action.JwtValidationConfig;
      if (config === undefined) throw elbv2Error('ValidationError', 'A jwt-validation action requires JwtValidationConfig');
      const issuer = config.Issuer ?? '';
      if (issuer === '' || issuer.length > 256) throw elbv2Error('ValidationError', 'JwtValidationConfig.Issuer must be 1 to 256 characters');
      const claims = config.AdditionalClaims ?? [];
      if (claims.length > 10) throw elbv2Error('ValidationError', 'At most 10 AdditionalClaims can be specified');
      for (const claim of claims) {
        if (!CLAIM_FORMATS.includes(claim.Format ?? '')) throw elbv2Error('ValidationError', `Claim format '${claim.Format ?? ''}' is not valid`);
        if (['exp', 'iss', 'nbf', 'iat'].includes(claim.Name ?? ''))
          throw elbv2Error('ValidationError', `Claim '${claim.Name ?? ''}' is validated by default and cannot be specified`);
        const values = claim.Values ?? [];
        if (values.length < 1 || values.length > 10 || values.some((value) => value.length > 256))
          throw elbv2Error('ValidationError', 'A claim takes 1 to 10 values of at most 256 characters');
        if (claim.Format === 'space-separated-values' && values.some((value) => value.includes(' ')))
          throw elbv2Error('ValidationError', 'space-separated-values claim values cannot include spaces');
      }
      return {
        Type: 'jwt-validation',
        Order: order,
        JwtValidationConfig: {
          Issuer: issuer,
          JwksEndpoint: httpsUrl(config.JwksEndpoint, 'JwksEndpoint', 256),
          ...(claims.length > 0 && { AdditionalClaims: structuredClone(claims) }),
        },
      };
    }
    case 'forward':
    case 'redirect':
    case 'fixed-response':
    case undefined:
      throw elbv2Error('ValidationError', `'${action.Type ?? ''}' is not an authentication action`);
  }
}

/** The client secret of a stored action list, for UseExistingClientSecret and for tests. */
export function clientSecretOf(actions: readonly Action[] | undefined): string | undefined {
  return actions?.find((action) => action.Type === 'authenticate-oidc')?.AuthenticateOidcConfig?.ClientSecret;
}

/** What any answer shows of stored actions: ELBv2 never returns an OIDC client secret. */
export function withoutClientSecrets(actions: readonly Action[]): Action[] {
  return actions.map((action) => {
    const copy = structuredClone(action);
    if (copy.AuthenticateOidcConfig !== undefined) {
      delete copy.AuthenticateOidcConfig.ClientSecret;
      delete copy.AuthenticateOidcConfig.UseExistingClientSecret;
    }
    return copy;
  });
}
