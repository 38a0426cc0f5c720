/**
 * Canonical forms of rule conditions and actions, so a desired rule and an observed one compare equal
 * exactly when they route the same way. Describe* answers differ from Create* inputs in ways that do
 * not change routing, and all of them are erased here:
 * - condition values sit in both the legacy `Values` and the `*Config` (the Config wins);
 * - values of one condition are ORed and conditions are ANDed, so their order is irrelevant;
 * - a forward action names its group in `TargetGroupArn`, `ForwardConfig`, or both; weight defaults
 *   to 1 and a disabled stickiness is the same as none;
 * - redirect parts left out mean "keep the request's own" (`#{host}`, …), which Describe spells out;
 * - authentication settings left out take ALB's defaults (scope openid, cookie AWSELBAuthSessionCookie,
 *   7 days, authenticate), which Describe spells out; an OIDC client secret is never returned, so it
 *   is left out here (its fingerprint is compared through a tag, see diff-rules.ts).
 * Target-group ARNs are replaced by what `nameArn` says (a `${TargetGroup:key}` placeholder for our
 * own groups), so a rule that forwards to a group we are replacing does not look unchanged.
 * @module
 */
import type { Action as Elbv2Action, RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';

export type NameArn = (targetGroupArn: string) => string;

export function conditionsKey(conditions: readonly RuleCondition[]): string {
  return JSON.stringify(
    conditions
      .map(canonicalCondition)
      .map((entry) => JSON.stringify(entry))
      .sort(),
  );
}

export function actionsKey(actions: readonly Elbv2Action[], nameArn: NameArn): string {
  const ordered = [...actions].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0));
  return JSON.stringify(ordered.map((action) => canonicalAction(action, nameArn)));
}

export function ruleContentKey(conditions: readonly RuleCondition[], actions: readonly Elbv2Action[], nameArn: NameArn): string {
  return `${conditionsKey(conditions)}|${actionsKey(actions, nameArn)}`;
}

function sorted(values: readonly string[] | undefined): string[] {
  return [...(values ?? [])].sort();
}

function canonicalCondition(condition: RuleCondition): unknown[] {
  const field = condition.Field ?? '';
  switch (field) {
    case 'host-header': {
      const config = condition.HostHeaderConfig;
      return [field, sorted((config?.Values ?? condition.Values)?.map((value) => value.toLowerCase())), sorted(config?.RegexValues)];
    }
    case 'path-pattern': {
      const config = condition.PathPatternConfig;
      return [field, sorted(config?.Values ?? condition.Values), sorted(config?.RegexValues)];
    }
    case 'http-header': {
      const config = condition.HttpHeaderConfig;
      return [field, (config?.HttpHeaderName ?? '').toLowerCase(), sorted(config?.Values), sorted(config?.RegexValues)];
    }
    case 'http-request-method':
      return [field, sorted(condition.HttpRequestMethodConfig?.Values ?? condition.Values)];
    case 'query-string':
      return [field, sorted(condition.QueryStringConfig?.Values?.map(({ Key, Value }) => `${Key ?? ''}=${Value ?? ''}`))];
    case 'source-ip':
      return [field, sorted(condition.SourceIpConfig?.Values ?? condition.Values)];
    default:
      return [field, condition];
  }
}

interface SessionConfig {
  SessionCookieName?: string | undefined;
  Scope?: string | undefined;
  SessionTimeout?: number | undefined;
  OnUnauthenticatedRequest?: string | undefined;
  AuthenticationRequestExtraParams?: Record<string, string> | undefined;
}

function canonicalSession(config: SessionConfig | undefined): unknown[] {
  const params = Object.entries(config?.AuthenticationRequestExtraParams ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return [
    config?.SessionCookieName ?? 'AWSELBAuthSessionCookie',
    config?.Scope ?? 'openid',
    config?.SessionTimeout ?? 604800,
    config?.OnUnauthenticatedRequest ?? 'authenticate',
    params,
  ];
}

function canonicalAction(action: Elbv2Action, nameArn: NameArn): unknown[] {
  switch (action.Type) {
    case 'forward': {
      const groups = action.ForwardConfig?.TargetGroups ?? (action.TargetGroupArn ? [{ TargetGroupArn: action.TargetGroupArn }] : []);
      const stickiness = action.ForwardConfig?.TargetGroupStickinessConfig;
      return [
        'forward',
        groups.map((group) => [nameArn(group.TargetGroupArn ?? ''), group.Weight ?? 1]).sort(),
        stickiness?.Enabled ? (stickiness.DurationSeconds ?? 0) : 0,
      ];
    }
    case 'redirect': {
      const redirect = action.RedirectConfig;
      return [
        'redirect',
        redirect?.Protocol ?? '#{protocol}',
        redirect?.Port ?? '#{port}',
        redirect?.Host ?? '#{host}',
        redirect?.Path ?? '/#{path}',
        redirect?.Query ?? '#{query}',
        redirect?.StatusCode ?? '',
      ];
    }
    case 'fixed-response': {
      const response = action.FixedResponseConfig;
      return ['fixed-response', response?.StatusCode ?? '', response?.ContentType ?? '', response?.MessageBody ?? ''];
    }
    case 'authenticate-oidc': {
      const oidc = action.AuthenticateOidcConfig;
      return [
        'authenticate-oidc',
        oidc?.Issuer ?? '',
        oidc?.AuthorizationEndpoint ?? '',
        oidc?.TokenEndpoint ?? '',
        oidc?.UserInfoEndpoint ?? '',
        oidc?.ClientId ?? '',
        ...canonicalSession(oidc),
      ];
    }
    case 'authenticate-cognito': {
      const cognito = action.AuthenticateCognitoConfig;
      return ['authenticate-cognito', cognito?.UserPoolArn ?? '', cognito?.UserPoolClientId ?? '', cognito?.UserPoolDomain ?? '', ...canonicalSession(cognito)];
    }
    case 'jwt-validation': {
      const jwt = action.JwtValidationConfig;
      const claims = (jwt?.AdditionalClaims ?? []).map((claim) => [claim.Name ?? '', claim.Format ?? '', sorted(claim.Values)]).sort();
      return ['jwt-validation', jwt?.Issuer ?? '', jwt?.JwksEndpoint ?? '', claims];
    }
    case undefined:
      return ['', action];
  }
}
