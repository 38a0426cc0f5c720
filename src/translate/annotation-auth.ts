/**
 * The authentication annotations, in aws-load-balancer-controller's formats:
 * - `auth-type`: none | oidc | cognito;
 * - `auth-idp-oidc`: `{"issuer":"https://…","authorizationEndpoint":"https://…","tokenEndpoint":"https://…",
 *   "userInfoEndpoint":"https://…","secretName":"my-oidc","authenticationRequestExtraParams":{"prompt":"login"}}`
 *   — the Secret (keys `clientID`, `clientSecret`) lives in the Ingress's namespace;
 * - `auth-idp-cognito`: `{"userPoolARN":"arn:aws:cognito-idp:…:userpool/…","userPoolClientID":"…","userPoolDomain":"…"}`;
 * - `auth-on-unauthenticated-request` (authenticate | allow | deny), `auth-scope`, `auth-session-cookie`,
 *   `auth-session-timeout` (seconds), `auth-authentication-request-extra-params` (stringMap);
 * - `jwt-validation`: `{"issuer":"https://…","jwksEndpoint":"https://…/jwks.json",
 *   "additionalClaims":[{"format":"string-array","name":"groups","values":["admin"]}]}`.
 * The limits are the ALB API's (AuthenticateOidcActionConfig, AuthenticateCognitoActionConfig,
 * JwtValidationActionConfig and JwtValidationActionAdditionalClaim in the ELBv2 API reference).
 * Every value here ends up in a URL the load balancer builds, a cookie or a header, so control
 * characters and anything a URL or cookie cannot carry are refused.
 * @module
 */
import type { JwtClaim } from '../model.js';
import type { CognitoIdp, JwtValidationAnnotation, OidcIdp } from './annotation-types.js';
import { describeJson, isJsonObject, member, type JsonObject } from './annotation-json.js';
import {
  accept,
  controlCharacterProblem,
  DNS_SUBDOMAIN,
  HTTP_TOKEN,
  orList,
  parseJson,
  parseStringMap,
  quote,
  reject,
  type Parsed,
} from './annotation-values.js';

/** ALB's bounds: SessionTimeout 1 s to 7 days; at most 10 extra parameters and 10 JWT claims of 10 values. */
export const SESSION_TIMEOUT = { min: 1, max: 604800 };
const MAX_EXTRA_PARAMS = 10;
const MAX_CLAIMS = 10;
const MAX_CLAIM_VALUES = 10;
const MAX_CLAIM_VALUE = 256;
/** JwtValidationActionConfig: Issuer and JwksEndpoint are at most 256 characters. */
const MAX_JWT_URL = 256;
/** No documented bound for the OIDC endpoints; long enough for any real IdP, short enough to echo. */
const MAX_ENDPOINT = 2048;
const CLAIMS_VALIDATED_BY_DEFAULT = ['exp', 'iss', 'nbf', 'iat'];
const JWT_CLAIM_FORMATS = ['single-string', 'string-array', 'space-separated-values'] as const;

const USER_POOL_ARN = /^arn:aws[-a-z]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool\/[\w-]+_[0-9A-Za-z]+$/;
const USER_POOL_CLIENT_ID = /^[\w+]{1,128}$/;
/** A Cognito domain prefix, or a custom domain's full host name. */
const USER_POOL_DOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
/** RFC 6265 cookie-name (an RFC 7230 token), at most this long. */
const MAX_COOKIE_NAME = 256;
/** RFC 6749 scope-token characters, separated by single spaces. */
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/;
const EXTRA_PARAM_KEY = /^[A-Za-z0-9_.~-]{1,256}$/;

/** An absolute https URL with a host and no user info or fragment, as the ALB requires for IdP endpoints. */
function httpsUrlProblem(value: string, maxLength: number): string | undefined {
  if (value.length > maxLength) return `is ${value.length} characters; at most ${maxLength} are allowed`;
  const control = controlCharacterProblem(value);
  if (control !== undefined) return control;
  if (/\s/.test(value)) return 'contains a space';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.protocol !== 'https:') return 'must use https';
  if (url.hostname === '') return 'has no host';
  if (url.username !== '' || url.password !== '') return 'must not carry a user name or password';
  if (url.hash !== '') return 'must not have a fragment (#…)';
  return undefined;
}

function requiredUrl(object: JsonObject, name: string, maxLength: number): Parsed<string> {
  const value = member(object, name);
  if (typeof value !== 'string' || value === '') return reject(`${name} must be an https URL, got ${describeJson(value)}`);
  const problem = httpsUrlProblem(value, maxLength);
  return problem === undefined ? accept(value) : reject(`${name} ${quote(value)} ${problem}`);
}

function requiredMatch(object: JsonObject, name: string, pattern: RegExp, expected: string): Parsed<string> {
  const value = member(object, name);
  if (typeof value !== 'string' || !pattern.test(value)) return reject(`${name} must be ${expected}, got ${describeJson(value)}`);
  return accept(value);
}

/** `{"key":"value",…}` inside an IdP's JSON. */
function extraParamsMember(object: JsonObject): Parsed<Record<string, string> | undefined> {
  const value = member(object, 'authenticationRequestExtraParams');
  if (value === undefined) return accept(undefined);
  if (!isJsonObject(value)) return reject(`authenticationRequestExtraParams must be an object of strings, got ${describeJson(value)}`);
  const params: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') return reject(`authenticationRequestExtraParams.${key} must be a string, got ${describeJson(item)}`);
    params[key] = item;
  }
  const problem = extraParamsProblem(params);
  return problem === undefined ? accept(params) : reject(`authenticationRequestExtraParams ${problem}`);
}

/** The extra parameters go into the IdP's authorization URL: URL-safe keys, no control characters in values. */
function extraParamsProblem(params: Readonly<Record<string, string>>): string | undefined {
  const entries = Object.entries(params);
  if (entries.length > MAX_EXTRA_PARAMS) return `has ${entries.length} parameters; the ALB allows ${MAX_EXTRA_PARAMS}`;
  for (const [key, value] of entries) {
    if (!EXTRA_PARAM_KEY.test(key)) return `key ${quote(key)} must be letters, digits, "_", ".", "~" or "-"`;
    const control = controlCharacterProblem(value);
    if (control !== undefined) return `value of ${quote(key)} ${control}`;
    if (value.length > 1024) return `value of ${quote(key)} is ${value.length} characters; at most 1024 are allowed`;
  }
  return undefined;
}

function objectOf(raw: string, example: string): Parsed<JsonObject> {
  const json = parseJson(raw);
  if (!json.ok) return json;
  return isJsonObject(json.value) ? accept(json.value) : reject(`expected a JSON object such as ${example}`);
}

export function parseOidcIdp(raw: string): Parsed<OidcIdp> {
  const object = objectOf(
    raw,
    '{"issuer":"https://…","authorizationEndpoint":"https://…","tokenEndpoint":"https://…","userInfoEndpoint":"https://…","secretName":"…"}',
  );
  if (!object.ok) return object;
  const urls: Record<'issuer' | 'authorizationEndpoint' | 'tokenEndpoint' | 'userInfoEndpoint', string> = {
    issuer: '',
    authorizationEndpoint: '',
    tokenEndpoint: '',
    userInfoEndpoint: '',
  };
  for (const name of Object.keys(urls) as (keyof typeof urls)[]) {
    const url = requiredUrl(object.value, name, MAX_ENDPOINT);
    if (!url.ok) return url;
    urls[name] = url.value;
  }
  const secretName = requiredMatch(
    object.value,
    'secretName',
    DNS_SUBDOMAIN,
    "the name of a Secret in the Ingress's namespace (with keys clientID and clientSecret)",
  );
  if (!secretName.ok) return secretName;
  if (secretName.value.length > 253) return reject('secretName must be at most 253 characters');
  const extra = extraParamsMember(object.value);
  if (!extra.ok) return extra;
  return accept({ ...urls, secretName: secretName.value, ...(extra.value && { authenticationRequestExtraParams: extra.value }) });
}

export function parseCognitoIdp(raw: string): Parsed<CognitoIdp> {
  const object = objectOf(raw, '{"userPoolARN":"arn:aws:cognito-idp:…:userpool/…","userPoolClientID":"…","userPoolDomain":"…"}');
  if (!object.ok) return object;
  const arn = requiredMatch(
    object.value,
    'userPoolARN',
    USER_POOL_ARN,
    'a user pool ARN such as arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf',
  );
  if (!arn.ok) return arn;
  const clientId = requiredMatch(object.value, 'userPoolClientID', USER_POOL_CLIENT_ID, 'an app client id (letters, digits, "_" or "+", at most 128)');
  if (!clientId.ok) return clientId;
  const domain = requiredMatch(
    object.value,
    'userPoolDomain',
    USER_POOL_DOMAIN,
    'the user pool\'s domain prefix or custom domain (lower-case letters, digits, "-" and ".")',
  );
  if (!domain.ok) return domain;
  const extra = extraParamsMember(object.value);
  if (!extra.ok) return extra;
  return accept({
    userPoolArn: arn.value,
    userPoolClientId: clientId.value,
    userPoolDomain: domain.value,
    ...(extra.value && { authenticationRequestExtraParams: extra.value }),
  });
}

export function parseScope(raw: string): Parsed<string> {
  return SCOPE.test(raw) && raw.length <= 1024
    ? accept(raw)
    : reject('expected space-separated OAuth scopes such as "openid email" (visible ASCII without " or \\, single spaces between)');
}

export function parseCookieName(raw: string): Parsed<string> {
  return raw.length <= MAX_COOKIE_NAME && HTTP_TOKEN.test(raw)
    ? accept(raw)
    : reject("expected a cookie name: letters, digits and !#$%&'*+.^_`|~- (at most 256)");
}

export function parseExtraParams(raw: string): Parsed<Record<string, string>> {
  const params = parseStringMap(raw);
  if (!params.ok) return params;
  const problem = extraParamsProblem(params.value);
  return problem === undefined ? params : reject(problem);
}

export function parseJwtValidation(raw: string): Parsed<JwtValidationAnnotation> {
  const object = objectOf(raw, '{"issuer":"https://…","jwksEndpoint":"https://…/jwks.json"}');
  if (!object.ok) return object;
  const issuer = member(object.value, 'issuer');
  if (typeof issuer !== 'string' || issuer === '' || issuer.length > MAX_JWT_URL) {
    return reject(`issuer must be a non-empty string of at most ${MAX_JWT_URL} characters, got ${describeJson(issuer)}`);
  }
  const issuerControl = controlCharacterProblem(issuer);
  if (issuerControl !== undefined) return reject(`issuer ${issuerControl}`);
  const jwksEndpoint = requiredUrl(object.value, 'jwksEndpoint', MAX_JWT_URL);
  if (!jwksEndpoint.ok) return jwksEndpoint;
  const claims = parseClaims(member(object.value, 'additionalClaims'));
  if (!claims.ok) return claims;
  return accept({ issuer, jwksEndpoint: jwksEndpoint.value, additionalClaims: claims.value });
}

function parseClaims(value: unknown): Parsed<JwtClaim[]> {
  if (value === undefined) return accept([]);
  if (!Array.isArray(value) || value.length > MAX_CLAIMS)
    return reject(`additionalClaims must be a list of at most ${MAX_CLAIMS} claims, got ${describeJson(value)}`);
  const claims: JwtClaim[] = [];
  for (const [index, item] of value.entries()) {
    const path = `additionalClaims[${index}]`;
    if (!isJsonObject(item)) return reject(`${path} must be an object {"format":"single-string","name":"…","values":["…"]}`);
    const format = member(item, 'format');
    const known = JWT_CLAIM_FORMATS.find((candidate) => candidate === format);
    if (known === undefined) return reject(`${path}.format must be ${orList(JWT_CLAIM_FORMATS)}, got ${describeJson(format)}`);
    const name = member(item, 'name');
    if (typeof name !== 'string' || name === '' || name.length > 256 || controlCharacterProblem(name) !== undefined) {
      return reject(`${path}.name must be a claim name (at most 256 characters, no control characters), got ${describeJson(name)}`);
    }
    if (CLAIMS_VALIDATED_BY_DEFAULT.includes(name)) return reject(`${path}.name ${quote(name)} is always validated by the load balancer and cannot be listed`);
    if (claims.some((claim) => claim.name === name)) return reject(`${path}.name ${quote(name)} is listed twice`);
    const values = member(item, 'values');
    if (!Array.isArray(values) || values.length === 0 || values.length > MAX_CLAIM_VALUES) {
      return reject(`${path}.values must list 1 to ${MAX_CLAIM_VALUES} strings, got ${describeJson(values)}`);
    }
    for (const [valueIndex, claimValue] of values.entries()) {
      if (typeof claimValue !== 'string' || claimValue === '' || claimValue.length > MAX_CLAIM_VALUE || controlCharacterProblem(claimValue) !== undefined) {
        return reject(
          `${path}.values[${valueIndex}] must be a non-empty string of at most ${MAX_CLAIM_VALUE} characters without control characters, got ${describeJson(claimValue)}`,
        );
      }
      if (known === 'space-separated-values' && claimValue.includes(' ')) {
        return reject(`${path}.values[${valueIndex}] must not contain a space: the format is space-separated-values`);
      }
    }
    claims.push({ format: known, name, values: values as string[] });
  }
  return accept(claims);
}
