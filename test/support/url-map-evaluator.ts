/**
 * Which backend service a Google Cloud URL map sends a request to, written from Google's URL map
 * documentation (cloud.google.com/load-balancing/docs/url-map-concepts and the UrlMap REST
 * reference), independently of the provider's translation:
 * - host rules: the request's host (port stripped, case-insensitive) picks the host rule with an
 *   exact host, else the one whose `*`-wildcard host has the longest suffix (`*` stands for any
 *   non-empty string of host characters — dots included, so `*.foo.com` matches `a.b.foo.com`),
 *   else `*`; no host rule: the URL map's own default;
 * - a path matcher with route rules tries them in ascending `priority`; a rule matches when any of
 *   its `matchRules` does; a match rule ANDs its one path match (`prefixMatch`, `fullPathMatch`,
 *   `regexMatch` — RE2, whole path — on the path without query), `ignoreCase`, every `headerMatches`
 *   (`:authority` is the Host header as sent, `:method` the method; exactMatch, prefixMatch,
 *   suffixMatch, presentMatch, regexMatch on the whole value, `invertMatch`) and every
 *   `queryParameterMatches` (exactMatch, regexMatch, presentMatch on the decoded value);
 *   no rule matches: the path matcher's default;
 * - a path matcher with path rules takes the longest matching path (`/x` exact, `/x/*` prefix);
 * - the action: `service`, `routeAction.weightedBackendServices`, a `faultInjectionPolicy.abort` at
 *   100 % (its status), or `urlRedirect` (its response code and Location).
 * @module
 */
export type UrlMapJson = Record<string, unknown>;

export type UrlMapRoute =
  | { kind: 'forward'; backendServices: string[]; weights: number[] }
  | { kind: 'status'; statusCode: number }
  | { kind: 'redirect'; statusCode: number; location: string };

export interface UrlMapRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
}

type Json = Record<string, unknown>;

export function evaluateUrlMap(urlMap: UrlMapJson, request: UrlMapRequest): UrlMapRoute {
  const url = parseRawUrl(request.url);
  const authority = request.headers?.['host'] ?? url.authority;
  const facts: Facts = {
    authority,
    host: authority.replace(/:\d*$/, '').toLowerCase(),
    path: url.path,
    query: url.query,
    method: request.method ?? 'GET',
    headers: request.headers ?? {},
    scheme: url.scheme,
  };
  const hostRule = selectHostRule((urlMap['hostRules'] ?? []) as Json[], facts.host);
  const matcher = hostRule && ((urlMap['pathMatchers'] ?? []) as Json[]).find((candidate) => candidate['name'] === hostRule['pathMatcher']);
  if (!matcher) return defaultOf(urlMap, facts);
  const routeRules = [...((matcher['routeRules'] ?? []) as Json[])].sort((a, b) => Number(a['priority']) - Number(b['priority']));
  for (const rule of routeRules) {
    const matchRules = (rule['matchRules'] ?? [{}]) as Json[];
    if (matchRules.some((match) => matchRuleMatches(match, facts))) return actionOf(rule, facts);
  }
  const pathRules = (matcher['pathRules'] ?? []) as Json[];
  let best: { length: number; rule: Json } | undefined;
  for (const rule of pathRules) {
    for (const path of (rule['paths'] ?? []) as string[]) {
      const matches = path.endsWith('/*') ? facts.path.startsWith(path.slice(0, -1)) || facts.path === path.slice(0, -2) : facts.path === path;
      if (matches && (!best || path.length > best.length)) best = { length: path.length, rule };
    }
  }
  if (best) return actionOf(best.rule, facts);
  return defaultOf(matcher, facts);
}

interface Facts {
  authority: string;
  host: string;
  path: string;
  query: string;
  method: string;
  headers: Record<string, string>;
  scheme: string;
}

function selectHostRule(rules: Json[], host: string): Json | undefined {
  let wildcard: { suffix: number; rule: Json } | undefined;
  let star: Json | undefined;
  for (const rule of rules) {
    for (const pattern of ((rule['hosts'] ?? []) as string[]).map((value) => value.toLowerCase().replace(/:\d+$/, ''))) {
      if (pattern === '*') star ??= rule;
      else if (pattern.startsWith('*')) {
        const suffix = pattern.slice(1);
        if (host.length > suffix.length && host.endsWith(suffix) && (!wildcard || suffix.length > wildcard.suffix)) wildcard = { suffix: suffix.length, rule };
      } else if (pattern === host) return rule;
    }
  }
  return wildcard?.rule ?? star;
}

function matchRuleMatches(match: Json, facts: Facts): boolean {
  const ignoreCase = match['ignoreCase'] === true;
  const path = ignoreCase ? facts.path.toLowerCase() : facts.path;
  const fold = (value: string): string => (ignoreCase ? value.toLowerCase() : value);
  if (typeof match['prefixMatch'] === 'string' && !path.startsWith(fold(match['prefixMatch']))) return false;
  if (typeof match['fullPathMatch'] === 'string' && path !== fold(match['fullPathMatch'])) return false;
  if (typeof match['regexMatch'] === 'string' && !re2FullMatch(match['regexMatch'], facts.path, ignoreCase)) return false;
  for (const header of (match['headerMatches'] ?? []) as Json[]) {
    if (!headerMatches(header, facts)) return false;
  }
  const parameters = parseQuery(facts.query);
  for (const parameter of (match['queryParameterMatches'] ?? []) as Json[]) {
    const values = parameters.filter((entry) => entry.key === parameter['name']).map((entry) => entry.value);
    if (values.length === 0) return false;
    const value = values[0]!;
    if (typeof parameter['exactMatch'] === 'string' && value !== parameter['exactMatch']) return false;
    if (typeof parameter['regexMatch'] === 'string' && !re2FullMatch(parameter['regexMatch'], value, false)) return false;
  }
  return true;
}

function headerMatches(header: Json, facts: Facts): boolean {
  const name = String(header['headerName']).toLowerCase();
  let value: string | undefined;
  if (name === ':authority' || name === 'host') value = facts.authority;
  else if (name === ':method') value = facts.method;
  else if (name === ':path') value = facts.path + (facts.query ? `?${facts.query}` : '');
  else value = Object.entries(facts.headers).find(([key]) => key.toLowerCase() === name)?.[1];
  let matched: boolean;
  if (header['presentMatch'] === true) matched = value !== undefined;
  else if (value === undefined) matched = false;
  else if (typeof header['exactMatch'] === 'string') matched = value === header['exactMatch'];
  else if (typeof header['prefixMatch'] === 'string') matched = value.startsWith(header['prefixMatch']);
  else if (typeof header['suffixMatch'] === 'string') matched = value.endsWith(header['suffixMatch']);
  else if (typeof header['regexMatch'] === 'string') matched = re2FullMatch(header['regexMatch'], value, false);
  else matched = true;
  return header['invertMatch'] === true ? !matched : matched;
}

/** RE2 against the whole subject; a leading `(?i)` flag is RE2's case-insensitive mode. */
function re2FullMatch(pattern: string, subject: string, ignoreCase: boolean): boolean {
  const insensitive = pattern.startsWith('(?i)');
  const body = insensitive ? pattern.slice(4) : pattern;
  return new RegExp(`^(?:${body})$`, insensitive || ignoreCase ? 'i' : '').test(subject);
}

function defaultOf(holder: Json, facts: Facts): UrlMapRoute {
  if (typeof holder['defaultService'] === 'string') return { kind: 'forward', backendServices: [holder['defaultService']], weights: [1] };
  if (holder['defaultUrlRedirect'] !== undefined) return redirectOf(holder['defaultUrlRedirect'] as Json, facts);
  if (holder['defaultRouteAction'] !== undefined) return routeActionOf(holder['defaultRouteAction'] as Json);
  throw new Error('a URL map (or path matcher) without a default');
}

function actionOf(rule: Json, facts: Facts): UrlMapRoute {
  if (rule['urlRedirect'] !== undefined) return redirectOf(rule['urlRedirect'] as Json, facts);
  if (rule['routeAction'] !== undefined) return routeActionOf(rule['routeAction'] as Json);
  return { kind: 'forward', backendServices: [String(rule['service'])], weights: [1] };
}

function routeActionOf(action: Json): UrlMapRoute {
  const abort = ((action['faultInjectionPolicy'] as Json | undefined)?.['abort'] ?? undefined) as Json | undefined;
  if (abort && Number(abort['percentage']) >= 100) return { kind: 'status', statusCode: Number(abort['httpStatus']) };
  const weighted = (action['weightedBackendServices'] ?? []) as Json[];
  return {
    kind: 'forward',
    backendServices: weighted.map((entry) => String(entry['backendService'])),
    weights: weighted.map((entry) => Number(entry['weight'])),
  };
}

const REDIRECT_CODES: Record<string, number> = { MOVED_PERMANENTLY_DEFAULT: 301, FOUND: 302, SEE_OTHER: 303, TEMPORARY_REDIRECT: 307, PERMANENT_REDIRECT: 308 };

function redirectOf(redirect: Json, facts: Facts): UrlMapRoute {
  const scheme = redirect['httpsRedirect'] === true ? 'https' : facts.scheme;
  const host = typeof redirect['hostRedirect'] === 'string' ? redirect['hostRedirect'] : facts.host;
  const path = typeof redirect['pathRedirect'] === 'string' ? redirect['pathRedirect'] : facts.path;
  const query = redirect['stripQuery'] === true || facts.query === '' ? '' : `?${facts.query}`;
  return {
    kind: 'redirect',
    statusCode: REDIRECT_CODES[typeof redirect['redirectResponseCode'] === 'string' ? redirect['redirectResponseCode'] : 'MOVED_PERMANENTLY_DEFAULT'] ?? 301,
    location: `${scheme}://${host}${path}${query}`,
  };
}

function parseRawUrl(url: string): { scheme: string; authority: string; path: string; query: string } {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?/i.exec(url);
  if (!match) throw new Error(`not an absolute URL: ${url}`);
  return { scheme: (match[1] ?? '').toLowerCase(), authority: match[2] ?? '', path: match[3] || '/', query: match[4] ?? '' };
}

function parseQuery(query: string): { key: string; value: string }[] {
  if (query === '') return [];
  return query.split('&').map((part) => {
    const equals = part.indexOf('=');
    const decode = (text: string): string => {
      try {
        return decodeURIComponent(text);
      } catch {
        return text;
      }
    };
    return equals === -1 ? { key: decode(part), value: '' } : { key: decode(part.slice(0, equals)), value: decode(part.slice(equals + 1)) };
  });
}
