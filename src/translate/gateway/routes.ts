/**
 * One HTTPRoute or GRPCRoute → its rules in load-balancer terms: for each rule, each match's
 * conditions and its rank (the specification's precedence), the action (weighted forward, redirect,
 * or 500 when no backend resolves) and transforms, with every problem named by its field and
 * the status reason the specification gives it. Listener-independent: the hostnames are added
 * per listener (spec-listeners.ts).
 * @module
 */
import type { Action, Condition, Diagnostic, ObjectRef, Transform } from '../../model.js';
import type { GRPCRoute, HTTPRoute, HttpHeaderMatch, HttpRouteFilter, HttpRouteMatch } from '../../sources/gateway-kinds.js';
import { HTTP_TOKEN, quote } from '../annotation-values.js';
import { diagnostic } from '../diagnostics.js';
import { parsePath, pathCondition } from '../paths.js';
import { escapeRegex, regexValueProblem } from '../regex.js';
import { ruleLimitProblem, type AlbLimits } from '../../limits.js';
import { resolveBackends } from './backends.js';
import type { CompiledMatch, CompiledRoute, RouteContext, RouteKind } from './compiled.js';
import { REASON } from './status.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];
/** The Gateway API's bound on a header name (HTTPHeaderName). */
const MAX_HEADER_NAME = 256;

class RuleProblem extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export function compileRoute(
  kind: RouteKind,
  route: HTTPRoute | GRPCRoute,
  context: RouteContext,
  hostnameProblem: (raw: string) => string | undefined,
): CompiledRoute {
  const namespace = route.metadata?.namespace ?? 'default';
  const ref: ObjectRef = { kind, namespace, name: route.metadata?.name ?? '' };
  const compiled: CompiledRoute = { kind, route, ref, namespace, hostnames: [], rules: [], problems: [], diagnostics: [] };
  const problem = (field: string, severity: Diagnostic['severity'], message: string): void => {
    compiled.diagnostics.push(diagnostic(ref, field, severity, message));
  };
  (route.spec?.hostnames ?? []).forEach((raw, index) => {
    const invalid = hostnameProblem(raw);
    if (invalid) {
      problem(`spec.hostnames[${index}]`, 'error', `${invalid}; the hostname is ignored`);
      compiled.problems.push({ condition: 'PartiallyInvalid', reason: REASON.unsupportedValue, message: `spec.hostnames[${index}]: ${invalid}` });
    } else compiled.hostnames.push(raw);
  });
  const rules = route.spec?.rules ?? [];
  rules.forEach((rule, index) => {
    const field = `spec.rules[${index}]`;
    try {
      const backends = resolveBackends(kind, compiled, rule.backendRefs ?? [], context, field);
      const filters = applyFilters(rule.filters ?? [], field);
      const matches =
        kind === 'HTTPRoute'
          ? ((rule.matches as HttpRouteMatch[] | undefined)?.length ? (rule.matches as HttpRouteMatch[]) : [{}]).map((match, matchIndex) =>
              compileHttpMatch(match, `${field}.matches[${matchIndex}]`),
            )
          : grpcMatches(grpcRuleMatches(rule), field);
      checkLimits(matches, compiled.hostnames, context.limits);
      let action: Action = filters.redirect ?? backends.action;
      let transforms = filters.transforms;
      if (filters.prefixRewrite !== undefined) {
        const prefixes = new Set(matches.map((match) => match.prefix));
        const [prefix] = prefixes;
        if (prefixes.size !== 1 || prefix === undefined) {
          throw new RuleProblem(`${field}.filters`, REASON.unsupportedValue, 'ReplacePrefixMatch needs every match of the rule to be one PathPrefix');
        }
        transforms = [...(transforms ?? []), prefixRewrite(prefix, filters.prefixRewrite)];
      }
      if (filters.redirect?.type === 'redirect' && filters.redirectPrefix !== undefined) {
        throw new RuleProblem(
          `${field}.filters`,
          REASON.unsupportedValue,
          'RequestRedirect with ReplacePrefixMatch cannot be expressed as an ALB redirect (its path is fixed or kept whole)',
        );
      }
      if (action.type === 'redirect') transforms = undefined;
      if (action.type !== 'forward') action = { ...action };
      compiled.rules.push({
        index,
        matches,
        action,
        ...(transforms && transforms.length > 0 && { transforms }),
        targetGroups: action.type === 'forward' ? backends.targetGroups : [],
        functionTargetGroups: action.type === 'forward' ? backends.functionTargetGroups : [],
      });
    } catch (error) {
      if (!(error instanceof RuleProblem)) throw error;
      problem(error.field, 'error', `${error.message}; the rule is not served (${error.reason})`);
      compiled.problems.push({ condition: 'PartiallyInvalid', reason: error.reason, message: `${error.field}: ${error.message}` });
    }
  });
  if (rules.length > 0 && compiled.rules.length === 0) {
    const reasons = compiled.problems.filter((entry) => entry.condition === 'PartiallyInvalid');
    compiled.problems.push({
      condition: 'Accepted',
      reason: reasons[0]?.reason ?? REASON.unsupportedValue,
      message: `no rule of the route can be served: ${reasons.map((entry) => entry.message).join('; ')}`,
    });
  }
  return compiled;
}

/**
 * The ALB's per-rule quotas (values, wildcards, lengths), checked before any load balancer sees the
 * rule. The host condition is added per listener later; it is counted here as one value, and as a
 * wildcard unless every hostname of the route is precise (a listener's hostname may be a wildcard).
 */
function checkLimits(matches: readonly CompiledMatch[], hostnames: readonly string[], limits: AlbLimits): void {
  const precise = hostnames.length > 0 && hostnames.every((hostname) => !hostname.startsWith('*.'));
  const host: Condition = { field: 'host-header', values: [precise ? 'host' : '*.host'] };
  for (const match of matches) {
    const problem = ruleLimitProblem([host, ...match.conditions], limits);
    if (problem) throw new RuleProblem(match.field, REASON.unsupportedValue, `the ALB rule for this match cannot be created: ${problem}`);
  }
}

type GrpcMatchList = NonNullable<NonNullable<GRPCRoute['spec']>['rules']>[number]['matches'];

function compileHttpMatch(match: HttpRouteMatch, field: string): CompiledMatch {
  const conditions: Condition[] = [];
  const type = match.path?.type ?? 'PathPrefix';
  const value = match.path?.value ?? '/';
  let pathKind: number;
  let prefix: string | undefined;
  if (type === 'Exact' || type === 'PathPrefix') {
    const parsed = parsePath(value, type === 'Exact' ? 'Exact' : 'Prefix');
    if (!parsed.ok) throw new RuleProblem(`${field}.path.value`, REASON.unsupportedValue, parsed.message);
    conditions.push(pathCondition(parsed.value));
    pathKind = type === 'Exact' ? 0 : 2;
    if (type === 'PathPrefix') prefix = parsed.value.path;
  } else if (type === 'RegularExpression') {
    const pattern = `^(?:${value})$`;
    const invalid = regexValueProblem(pattern);
    if (invalid) throw new RuleProblem(`${field}.path.value`, REASON.unsupportedValue, `the regular expression ${invalid}`);
    conditions.push({ field: 'path-pattern', regexValues: [pattern] });
    pathKind = 1;
  } else {
    throw new RuleProblem(`${field}.path.type`, REASON.unsupportedValue, `path type ${quote(type)} is not Exact, PathPrefix or RegularExpression`);
  }
  if (match.method !== undefined) {
    if (!METHODS.includes(match.method))
      throw new RuleProblem(`${field}.method`, REASON.unsupportedValue, `method ${quote(match.method)} is not an HTTP method`);
    conditions.push({ field: 'http-request-method', values: [match.method] });
  }
  conditions.push(...headerConditions(match.headers ?? [], `${field}.headers`));
  (match.queryParams ?? []).forEach((query, index) => {
    const at = `${field}.queryParams[${index}]`;
    if ((query.type ?? 'Exact') !== 'Exact')
      throw new RuleProblem(`${at}.type`, REASON.unsupportedValue, 'the ALB matches query parameters by value only: RegularExpression is not supported');
    const name = query.name ?? '';
    const text = query.value ?? '';
    // `*` and `?` are the ALB's wildcards in query values: a literal one cannot be said.
    if (/[*?]/.test(name + text))
      throw new RuleProblem(at, REASON.unsupportedValue, 'a query parameter with "*" or "?" cannot be matched literally by the ALB');
    if (name === '') throw new RuleProblem(`${at}.name`, REASON.unsupportedValue, 'the query parameter has no name');
    conditions.push({ field: 'query-string', values: [{ key: name, value: text }] });
  });
  return {
    conditions,
    rank: {
      pathKind,
      pathLength: value.length,
      method: match.method !== undefined,
      headers: match.headers?.length ?? 0,
      queries: match.queryParams?.length ?? 0,
    },
    ...(prefix !== undefined && { prefix }),
    field,
  };
}

function headerConditions(headers: readonly HttpHeaderMatch[], field: string): Condition[] {
  return headers.map((header, index) => {
    const at = `${field}[${index}]`;
    const name = header.name ?? '';
    if (name.length > MAX_HEADER_NAME || !HTTP_TOKEN.test(name))
      throw new RuleProblem(`${at}.name`, REASON.unsupportedValue, `${quote(name)} is not a header name`);
    const type = header.type ?? 'Exact';
    const value = header.value ?? '';
    // Exact values are case-sensitive (the ALB's plain values are not), so an anchored regex says it.
    const pattern = type === 'Exact' ? `^${escapeRegex(value)}$` : type === 'RegularExpression' ? `^(?:${value})$` : undefined;
    if (pattern === undefined)
      throw new RuleProblem(`${at}.type`, REASON.unsupportedValue, `header match type ${quote(type)} is not Exact or RegularExpression`);
    const invalid = regexValueProblem(pattern);
    if (invalid) throw new RuleProblem(`${at}.value`, REASON.unsupportedValue, `the header value ${invalid}`);
    return { field: 'http-header', headerName: name, regexValues: [pattern] };
  });
}

/**
 * gRPC matches are on the request path `/<service>/<method>` (GRPCRoute reference): both named is an
 * exact path, a service alone every method of it, a method alone that method of any service.
 */
/**
 * A GRPCRoute rule's matches. The rule comes typed as HTTPRoute's or GRPCRoute's; asserting the
 * union member directly is judged needed by TypeScript 7 (tsc) and needless by TypeScript 6
 * (typescript-eslint) depending on the program, so the assertion starts from `unknown`.
 */
function grpcRuleMatches(rule: { matches?: unknown }): GrpcMatchList | undefined {
  return rule.matches as GrpcMatchList | undefined;
}

function grpcMatches(matches: GrpcMatchList | undefined, field: string): CompiledMatch[] {
  const list = matches && matches.length > 0 ? matches : [{}];
  return list.map((match, index) => {
    const at = `${field}.matches[${index}]`;
    const method = match.method ?? {};
    const type = method.type ?? 'Exact';
    if (type !== 'Exact')
      throw new RuleProblem(`${at}.method.type`, REASON.unsupportedValue, `gRPC method match type ${quote(type)} is not supported (only Exact)`);
    const segment = /^[A-Za-z0-9_.]+$/;
    for (const [name, value] of [
      ['service', method.service],
      ['method', method.method],
    ] as const) {
      if (value !== undefined && !segment.test(value))
        throw new RuleProblem(`${at}.method.${name}`, REASON.unsupportedValue, `${quote(value)} is not a gRPC ${name} name`);
    }
    const conditions: Condition[] = [];
    let pathKind = 2;
    let length = 0;
    if (method.service !== undefined && method.method !== undefined) {
      conditions.push({ field: 'path-pattern', values: [`/${method.service}/${method.method}`] });
      pathKind = 0;
      length = method.service.length + method.method.length + 2;
    } else if (method.service !== undefined) {
      conditions.push({ field: 'path-pattern', regexValues: [`^/${escapeRegex(method.service)}/[^/]+$`] });
      pathKind = 1;
      length = method.service.length + 1;
    } else if (method.method !== undefined) {
      conditions.push({ field: 'path-pattern', regexValues: [`^/[^/]+/${escapeRegex(method.method)}$`] });
      // The GRPCRoute reference ranks a matching service before a matching method.
      pathKind = 2;
      length = method.method.length + 1;
    }
    conditions.push(...headerConditions(match.headers ?? [], `${at}.headers`));
    return { conditions, rank: { pathKind, pathLength: length, method: false, headers: match.headers?.length ?? 0, queries: 0 }, field: at };
  });
}

interface FilterResult {
  redirect?: Action;
  redirectPrefix?: string;
  transforms?: Transform[];
  prefixRewrite?: string;
}

const UNSUPPORTED_FILTERS: Record<string, string> = {
  RequestHeaderModifier: 'the ALB cannot add, set or remove request headers',
  ResponseHeaderModifier: 'the ALB cannot add, set or remove response headers',
  RequestMirror: 'the ALB cannot mirror requests',
  ExtensionRef: 'ingress-bridge defines no extension filters',
  CORS: 'the ALB has no CORS filter',
};

/** RequestRedirect and URLRewrite map onto ALB redirects and transforms; the others are refused, never approximated. */
function applyFilters(filters: readonly HttpRouteFilter[], field: string): FilterResult {
  const result: FilterResult = {};
  filters.forEach((filter, index) => {
    const at = `${field}.filters[${index}]`;
    const type = filter.type ?? '';
    if (type === 'RequestRedirect') {
      const redirect = filter.requestRedirect ?? {};
      const statusCode = redirect.statusCode ?? 302;
      if (statusCode !== 301 && statusCode !== 302)
        throw new RuleProblem(`${at}.requestRedirect.statusCode`, REASON.unsupportedValue, `the ALB redirects with 301 or 302 only, not ${statusCode}`);
      const scheme = redirect.scheme;
      if (scheme !== undefined && scheme !== 'http' && scheme !== 'https')
        throw new RuleProblem(`${at}.requestRedirect.scheme`, REASON.unsupportedValue, `scheme ${quote(scheme)} is not http or https`);
      // With the scheme changed and no port given, the specification says the scheme's well-known port.
      const port = redirect.port ?? (scheme === 'https' ? 443 : scheme === 'http' ? 80 : undefined);
      const path = redirect.path;
      if (path?.type === 'ReplacePrefixMatch') result.redirectPrefix = path.replacePrefixMatch ?? '/';
      result.redirect = {
        type: 'redirect',
        statusCode: statusCode === 301 ? 'HTTP_301' : 'HTTP_302',
        ...(scheme !== undefined && { protocol: scheme.toUpperCase() }),
        ...(redirect.hostname !== undefined && { host: redirect.hostname }),
        ...(port !== undefined && { port: String(port) }),
        ...(path?.type === 'ReplaceFullPath' && { path: path.replaceFullPath ?? '/' }),
      };
      return;
    }
    if (type === 'URLRewrite') {
      const rewrite = filter.urlRewrite ?? {};
      const transforms: Transform[] = [];
      if (rewrite.hostname !== undefined) transforms.push({ type: 'host-header-rewrite', regex: '^.*$', replace: rewrite.hostname });
      if (rewrite.path?.type === 'ReplaceFullPath') transforms.push({ type: 'url-rewrite', regex: '^[^?]*', replace: rewrite.path.replaceFullPath ?? '/' });
      else if (rewrite.path?.type === 'ReplacePrefixMatch') result.prefixRewrite = rewrite.path.replacePrefixMatch ?? '/';
      result.transforms = transforms;
      return;
    }
    const why = UNSUPPORTED_FILTERS[type] ?? `filter type ${quote(type)} is not known`;
    throw new RuleProblem(`${at}.type`, REASON.unsupportedValue, `filter ${type}: ${why}`);
  });
  return result;
}

/**
 * ReplacePrefixMatch as one url-rewrite: the matched prefix (whole path segments) is replaced, the
 * rest of the path and the query kept; `/` as replacement must not leave a double slash.
 */
function prefixRewrite(prefix: string, replacement: string): Transform {
  const target = replacement.replace(/\/+$/, '');
  if (target === '') return { type: 'url-rewrite', regex: `^${escapeRegex(prefix)}/?([^?]*)(.*)$`, replace: '/$1$2' };
  return { type: 'url-rewrite', regex: `^${escapeRegex(prefix)}(/[^?]*)?(\\?.*)?$`, replace: `${target}$1$2` };
}
