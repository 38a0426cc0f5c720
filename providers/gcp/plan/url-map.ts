/**
 * One listener's rules as a URL map, routing exactly as the ALB-shaped spec does
 * (docs/providers.md: ascending priority, first match wins, else the default action).
 *
 * Regional: why one path matcher behind the catch-all host rule `*`: a URL map picks a host rule
 * first and evaluates only that path matcher's route rules, while the spec's rules interleave hosts
 * in one priority order; and a URL-map host wildcard `*.foo.com` matches any number of labels where
 * the Ingress's matches one. So every rule becomes a route rule with the spec's own priority, and its
 * host condition an anchored, case-insensitive RE2 match on the `:authority` pseudo-header (port
 * allowed), which the regional EXTERNAL_MANAGED and the INTERNAL_MANAGED load balancers accept.
 * Global URL maps take no regex: there each host gets its own host rule and path matcher with the
 * host-less rules beside its own (hostLayout), and the matches are exact ones or refusals
 * (global-matches.ts). Paths map to Compute's own matches where they are exact: a literal is `fullPathMatch`,
 * `X*` is `prefixMatch`, anything else an anchored `regexMatch`. Values of one condition are OR-ed
 * and conditions AND-ed: a route rule's `matchRules` are OR-ed, each AND-ing its path and
 * header/query matches, so path (and query) alternatives become one match rule each.
 *
 * What a URL map cannot say is a problem naming the rule, never an approximation: source-ip
 * conditions, query matches without a key, authentication, transforms, stickiness, fixed responses
 * with a body or a content type of their own, and redirects that rewrite the port, the query, or use
 * placeholders GCP has no equivalent of. A fixed response's status is a fault-injection abort
 * (100 %) in front of a backend service with no backends — GCP's only way to answer without a backend.
 * @module
 */
import type { Action, Condition, ListenerSpec, LoadBalancerScope, RuleOrigin, RuleSpec } from '../../../src/model.js';
import type { Resource } from '../kinds.js';
import { globalMatchesOf } from './global-matches.js';

/** The response translate gives a request no rule matches; GCP's abort sends its own short body. */
const STANDARD_BODIES = new Set([undefined, '', 'Not Found']);

export interface UrlMapProblem {
  origin?: RuleOrigin;
  field: string;
  message: string;
}

export interface UrlMapContext {
  /** The backend service URL of a target group key. */
  backendService(targetGroupKey: string): string;
  /** The backend service with no backends that fixed responses stand in front of. */
  sinkBackendService: string;
  /** Global URL maps have no regex matches: hosts become host rules, and the rest exact matches or refusals (global-matches.ts). */
  scope?: LoadBalancerScope;
}

export interface BuiltUrlMap {
  body: Resource;
  problems: UrlMapProblem[];
  /** Whether a fixed response needs the sink backend service. */
  usesSink: boolean;
}

/** Limits of a URL map, as Compute documents them, checked before any call. */
export const URL_MAP_LIMITS = { routeRulesPerPathMatcher: 200, matchRulesPerRouteRule: 5, headerMatchesPerMatchRule: 5, regexLength: 1024 };

const PATH_MATCHER = 'rules';

export function buildUrlMap(listener: ListenerSpec, context: UrlMapContext): BuiltUrlMap {
  const problems: UrlMapProblem[] = [];
  let usesSink = false;
  const actionOf = (action: Action, origin: RuleOrigin | undefined, field: string): Resource => {
    const mapped = mapAction(action, listener, context, (message) => problems.push({ ...(origin && { origin }), field, message }));
    if (mapped.sink) usesSink = true;
    return mapped.fields;
  };
  const defaults = actionOf(listener.defaultAction, undefined, `listener ${listener.port} default action`);
  const body: Resource = { ...defaultFields(defaults) };
  const rules = [...listener.rules].sort((a, b) => a.priority - b.priority);
  if (rules.length > URL_MAP_LIMITS.routeRulesPerPathMatcher) {
    problems.push({
      field: `listener ${listener.port}`,
      message: `${rules.length} rules exceed a URL map path matcher's ${URL_MAP_LIMITS.routeRulesPerPathMatcher} route rules`,
    });
  }
  const reporter =
    (rule: RuleSpec): Report =>
    (field, message) =>
      problems.push({ origin: rule.origin, field, message });
  if (rules.length > 0 && context.scope === 'global') {
    const routed = rules.map((rule) => {
      const { hosts, matchRules } = globalMatchesOf(rule.conditions, reporter(rule));
      if (matchRules.some((match) => ((match['headerMatches'] ?? []) as unknown[]).length > URL_MAP_LIMITS.headerMatchesPerMatchRule))
        reporter(rule)('conditions', `more than ${URL_MAP_LIMITS.headerMatchesPerMatchRule} header matches`);
      return { ...(hosts !== undefined && { hosts }), routeRule: routeRule(rule, matchRules, reporter(rule), actionOf) };
    });
    Object.assign(body, hostLayout(routed, defaultFields(defaults)));
  } else if (rules.length > 0) {
    const routeRules = rules.map((rule) => routeRule(rule, matchRulesOf(rule.conditions, reporter(rule)), reporter(rule), actionOf));
    body['hostRules'] = [{ hosts: ['*'], pathMatcher: PATH_MATCHER }];
    body['pathMatchers'] = [{ name: PATH_MATCHER, ...defaultFields(defaults), routeRules }];
  }
  return { body, problems, usesSink };
}

/**
 * The global layout: a URL map picks a host rule by the request's host, then tries only its path
 * matcher's route rules. So each host's path matcher holds the rules of that host and every host-less
 * rule, in the spec's priority order — what the spec's interleaved order gives a request to that host;
 * hosts with the same rules share one. The `*` host rule holds the host-less rules alone; every path
 * matcher's default is the listener's.
 */
function hostLayout(routed: readonly { hosts?: string[]; routeRule: Resource }[], defaults: Resource): Resource {
  const hosts = [...new Set(routed.flatMap((entry) => entry.hosts ?? []))];
  const matchers = new Map<string, { hosts: string[]; routeRules: Resource[] }>();
  for (const host of hosts) {
    const routeRules = routed.filter((entry) => entry.hosts === undefined || entry.hosts.includes(host)).map((entry) => entry.routeRule);
    const key = JSON.stringify(routeRules.map((rule) => rule['priority']));
    const matcher = matchers.get(key) ?? { hosts: [], routeRules };
    matcher.hosts.push(host);
    matchers.set(key, matcher);
  }
  const hostRules: Resource[] = [];
  const pathMatchers: Resource[] = [];
  for (const [index, matcher] of [...matchers.values()].entries()) {
    const name = `hosts-${index + 1}`;
    hostRules.push({ hosts: matcher.hosts, pathMatcher: name });
    pathMatchers.push({ name, ...defaults, routeRules: matcher.routeRules });
  }
  const hostLess = routed.filter((entry) => entry.hosts === undefined).map((entry) => entry.routeRule);
  if (hostLess.length > 0) {
    hostRules.push({ hosts: ['*'], pathMatcher: PATH_MATCHER });
    pathMatchers.push({ name: PATH_MATCHER, ...defaults, routeRules: hostLess });
  }
  return hostRules.length > 0 ? { hostRules, pathMatchers } : {};
}

/** A route action or redirect as a URL map's (or path matcher's) default. */
function defaultFields(fields: Resource): Resource {
  if (fields['service'] !== undefined) return { defaultService: fields['service'] };
  if (fields['urlRedirect'] !== undefined) return { defaultUrlRedirect: fields['urlRedirect'] };
  return { defaultRouteAction: fields['routeAction'] };
}

type Report = (field: string, message: string) => void;

function routeRule(
  rule: RuleSpec,
  matchRules: Resource[],
  report: Report,
  actionOf: (action: Action, origin: RuleOrigin, field: string) => Resource,
): Resource {
  if (rule.authentication)
    report('authentication', `${rule.authentication.type} authentication has no URL-map equivalent (use Identity-Aware Proxy outside the controller)`);
  if (rule.transforms?.length) report('transforms', 'regex URL and host rewrites have no URL-map equivalent');
  const action = rule.actions.at(-1);
  const fields = action ? actionOf(action, rule.origin, 'actions') : {};
  if (matchRules.length > URL_MAP_LIMITS.matchRulesPerRouteRule) {
    report(
      'conditions',
      `${matchRules.length} match rules (path and query alternatives) exceed the ${URL_MAP_LIMITS.matchRulesPerRouteRule} a route rule takes`,
    );
  }
  return { priority: rule.priority, matchRules, ...fields };
}

function matchRulesOf(conditions: readonly Condition[], report: Report): Resource[] {
  const headerMatches: Resource[] = [];
  let paths: Resource[] = [{}];
  let queries: Resource[][] = [[]];
  for (const condition of conditions) {
    switch (condition.field) {
      case 'host-header':
        headerMatches.push({ headerName: ':authority', regexMatch: hostRegex(condition, report) });
        break;
      case 'path-pattern':
        paths = [...(condition.values ?? []).map(pathMatch), ...(condition.regexValues ?? []).map((regexMatch) => ({ regexMatch }))];
        break;
      case 'http-header':
        headerMatches.push({ headerName: condition.headerName.toLowerCase(), regexMatch: anyOf(condition, report, true) });
        break;
      case 'http-request-method':
        headerMatches.push({ headerName: ':method', regexMatch: `^(?:${condition.values.map(escapeRegex).join('|')})$` });
        break;
      case 'query-string':
        queries = condition.values.map((pair) => {
          if (pair.key === undefined || /[*?]/.test(pair.key.replace(/\\[*?\\]/g, ''))) {
            report('conditions', 'a query-string match needs a literal key on GCP (queryParameterMatches name one parameter)');
            return [];
          }
          return [{ name: unescapeQueryWildcards(pair.key), regexMatch: `(?i)^${wildcardRegex(pair.value, true)}$` }];
        });
        break;
      case 'source-ip':
        report('conditions', 'source-ip conditions have no URL-map equivalent (Cloud Armor filters by source address)');
        break;
    }
  }
  if (headerMatches.length > URL_MAP_LIMITS.headerMatchesPerMatchRule)
    report('conditions', `more than ${URL_MAP_LIMITS.headerMatchesPerMatchRule} header matches`);
  return paths.flatMap((path) =>
    queries.map((query) => ({
      ...path,
      ...(headerMatches.length > 0 && { headerMatches }),
      ...(query.length > 0 && { queryParameterMatches: query }),
    })),
  );
}

/** A literal path is an exact match, `X*` a prefix, any other ALB wildcard an anchored regex. */
function pathMatch(value: string): Resource {
  if (!/[*?]/.test(value)) return { fullPathMatch: value };
  if (/^[^*?]*\*$/.test(value)) return { prefixMatch: value.slice(0, -1) };
  return { regexMatch: `^${wildcardRegex(value, false)}$` };
}

/** Host values against `:authority`, which carries the port when the client sent one. */
function hostRegex(condition: { values?: string[]; regexValues?: string[] }, report: Report): string {
  const alternatives = [
    ...(condition.values ?? []).map((value) => wildcardRegex(value, false)),
    ...(condition.regexValues ?? []).map((regex) => unanchored(regex, report)),
  ];
  return `(?i)^(?:${alternatives.join('|')})(?::[0-9]*)?$`;
}

function anyOf(condition: { values?: string[]; regexValues?: string[] }, report: Report, caseInsensitive: boolean): string {
  const alternatives = [
    ...(condition.values ?? []).map((value) => wildcardRegex(value, false)),
    ...(condition.regexValues ?? []).map((regex) => unanchored(regex, report)),
  ];
  return `${caseInsensitive ? '(?i)' : ''}^(?:${alternatives.join('|')})$`;
}

/** A spec regex is anchored at both ends; without its anchors it can be embedded in a larger anchored one. */
function unanchored(regex: string, report: Report): string {
  if (!regex.startsWith('^') || !regex.endsWith('$') || regex.endsWith('\\$')) {
    report('conditions', `regex ${JSON.stringify(regex)} is not anchored at both ends`);
    return regex;
  }
  return `(?:${regex.slice(1, -1)})`;
}

/** An ALB wildcard value (`*` any characters, `?` one) as RE2, everything else literal. */
export function wildcardRegex(value: string, backslashEscapes: boolean): string {
  let regex = '';
  for (let index = 0; index < value.length; index += 1) {
    const char = value.charAt(index);
    const next = value.charAt(index + 1);
    if (backslashEscapes && char === '\\' && (next === '*' || next === '?' || next === '\\')) {
      regex += escapeRegex(next);
      index += 1;
    } else if (char === '*') regex += '.*';
    else if (char === '?') regex += '.';
    else regex += escapeRegex(char);
  }
  return regex;
}

function unescapeQueryWildcards(key: string): string {
  return key.replace(/\\([*?\\])/g, '$1');
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

interface MappedAction {
  fields: Resource;
  sink: boolean;
}

function mapAction(action: Action, listener: ListenerSpec, context: UrlMapContext, refuse: (message: string) => void): MappedAction {
  switch (action.type) {
    case 'forward': {
      if (action.stickiness?.enabled) refuse('target-group stickiness has no URL-map equivalent (session affinity is a backend service setting)');
      const [only] = action.targetGroups;
      if (action.targetGroups.length === 1 && only) return { fields: { service: context.backendService(only.targetGroupKey) }, sink: false };
      return {
        fields: {
          routeAction: {
            weightedBackendServices: action.targetGroups.map((weighted) => ({
              backendService: context.backendService(weighted.targetGroupKey),
              weight: weighted.weight,
            })),
          },
        },
        sink: false,
      };
    }
    case 'fixed-response': {
      const status = Number(action.statusCode);
      if (!STANDARD_BODIES.has(action.messageBody) || (action.contentType !== undefined && action.contentType !== 'text/plain')) {
        refuse(`a fixed response with a body or content type of its own cannot be served by a URL map (only the status ${action.statusCode} can)`);
      }
      if (!(status >= 200 && status <= 599)) refuse(`fixed-response status ${action.statusCode} is outside 200-599`);
      return {
        fields: {
          routeAction: {
            weightedBackendServices: [{ backendService: context.sinkBackendService, weight: 100 }],
            faultInjectionPolicy: { abort: { httpStatus: status, percentage: 100 } },
          },
        },
        sink: true,
      };
    }
    case 'redirect':
      return { fields: { urlRedirect: redirectOf(action, listener, refuse) }, sink: false };
  }
}

/** ALB redirect parts default to the request's own; GCP's do too, and say only what changes. */
function redirectOf(action: Extract<Action, { type: 'redirect' }>, listener: ListenerSpec, refuse: (message: string) => void): Resource {
  const redirect: Resource = { redirectResponseCode: action.statusCode === 'HTTP_301' ? 'MOVED_PERMANENTLY_DEFAULT' : 'FOUND', stripQuery: false };
  const protocol = action.protocol === undefined || action.protocol === '#{protocol}' ? listener.protocol : action.protocol.toUpperCase();
  if (protocol === 'HTTPS' && listener.protocol === 'HTTP') redirect['httpsRedirect'] = true;
  else if (protocol !== listener.protocol) refuse(`a redirect from ${listener.protocol} to ${protocol} is not possible on GCP (httpsRedirect only upgrades)`);
  const defaultPort = protocol === 'HTTPS' ? '443' : '80';
  const port = action.port === undefined || action.port === '#{port}' ? String(listener.port) : action.port;
  // GCP redirects to the scheme's default port: any other port (kept or set) cannot be said.
  if (port !== defaultPort) refuse(`a redirect to port ${port} is not possible on GCP (the redirect goes to the scheme's default port)`);
  if (action.host !== undefined && action.host !== '#{host}') {
    if (action.host.includes('#{')) refuse(`redirect host ${action.host} uses placeholders GCP cannot fill`);
    redirect['hostRedirect'] = action.host;
  }
  if (action.path !== undefined && action.path !== '/#{path}') {
    if (action.path.includes('#{')) refuse(`redirect path ${action.path} uses placeholders GCP cannot fill`);
    redirect['pathRedirect'] = action.path;
  }
  if (action.query !== undefined && action.query !== '#{query}') {
    if (action.query === '') redirect['stripQuery'] = true;
    else refuse(`redirect query ${action.query} cannot be set on GCP (only kept or stripped)`);
  }
  return redirect;
}
