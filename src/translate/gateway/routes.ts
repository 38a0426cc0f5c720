/**
 * One HTTPRoute or GRPCRoute → its rules in load-balancer terms: for each rule, each match's
 * conditions and its rank (the specification's precedence), the action (weighted forward, redirect,
 * or 500 when no backend resolves) and transforms, with every problem named by its field and
 * the status reason the specification gives it. Listener-independent: the hostnames are added
 * per listener (index.ts).
 * @module
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Action, Condition, Diagnostic, FunctionTargetGroupSpec, ObjectRef, TargetGroupSpec, Transform, WeightedTargetGroup } from '../../model.js';
import type { BackendReference, GRPCRoute, HTTPRoute, HttpHeaderMatch, HttpRouteFilter, HttpRouteMatch } from '../../sources/gateway-kinds.js';
import { GATEWAY_API_GROUP } from '../../sources/gateway-kinds.js';
import type { SnapshotView } from '../../sources/snapshot.js';
import type { TargetGroupAnnotations } from '../annotation-types.js';
import { quote } from '../annotation-values.js';
import { resolveServiceBackend } from '../backends.js';
import { diagnostic } from '../diagnostics.js';
import { FUNCTION_API_GROUP, FUNCTION_KIND, resolveFunctionBackend } from '../function-backends.js';
import { parsePath, pathCondition } from '../paths.js';
import { escapeRegex, regexValueProblem } from '../regex.js';
import { ruleLimitProblem, type AlbLimits } from '../../limits.js';
import { REASON } from './status.js';
import { referenceGranted } from './reference-grants.js';

export type RouteKind = 'HTTPRoute' | 'GRPCRoute';

/** A route as the snapshot holds it, before it is compiled. */
export interface RouteSource {
  kind: RouteKind;
  route: HTTPRoute | GRPCRoute;
}

/** What decides a match's precedence, most significant first (compareRank). */
export interface MatchRank {
  /** 0 Exact, 1 RegularExpression, 2 PathPrefix. */
  pathKind: number;
  pathLength: number;
  method: boolean;
  headers: number;
  queries: number;
}

export interface CompiledMatch {
  conditions: Condition[];
  rank: MatchRank;
  /** The PathPrefix it matched, for ReplacePrefixMatch. */
  prefix?: string;
  field: string;
}

export interface CompiledRule {
  index: number;
  matches: CompiledMatch[];
  action: Action;
  transforms?: Transform[];
  targetGroups: TargetGroupSpec[];
  /** The function target groups the forward names (backendRefs of kind Function). */
  functionTargetGroups: FunctionTargetGroupSpec[];
}

/** A problem reported in the route's status for each parent: which condition it falsifies and why. */
export interface RouteProblem {
  condition: 'Accepted' | 'ResolvedRefs' | 'PartiallyInvalid';
  reason: string;
  message: string;
}

export interface CompiledRoute {
  kind: RouteKind;
  route: HTTPRoute | GRPCRoute;
  ref: ObjectRef;
  namespace: string;
  hostnames: string[];
  rules: CompiledRule[];
  problems: RouteProblem[];
  diagnostics: Diagnostic[];
}

export interface RouteContext {
  snapshot: SnapshotView;
  limits: AlbLimits;
  clusterName: string;
  stackId: string;
  defaultTargetType: TargetGroupAnnotations['targetType'] & string;
  settings: TargetGroupAnnotations;
  /** The Gateway, with its GatewayClass's annotations under its own: where `settings` were written. */
  settingsHolder: { kind: string; object: KubernetesObject };
}

const SERVER_ERROR: Action = {
  type: 'fixed-response',
  statusCode: '500',
  contentType: 'text/plain',
  messageBody: 'Internal Server Error: no backend of this route resolves',
};
/** The ALB's largest forward weight. */
const MAX_WEIGHT = 999;
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,256}$/;

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
    if (!HEADER_NAME.test(name)) throw new RuleProblem(`${at}.name`, REASON.unsupportedValue, `${quote(name)} is not a header name`);
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

interface ResolvedBackends {
  action: Action;
  targetGroups: TargetGroupSpec[];
  functionTargetGroups: FunctionTargetGroupSpec[];
}

function resolveBackends(kind: RouteKind, compiled: CompiledRoute, refs: readonly BackendReference[], context: RouteContext, field: string): ResolvedBackends {
  const targetGroups: TargetGroupSpec[] = [];
  const functionTargetGroups: FunctionTargetGroupSpec[] = [];
  const weighted: WeightedTargetGroup[] = [];
  let invalid = 0;
  // `reported`: the diagnostic is already out (function-backends.ts words it); only the status is added.
  const refused = (at: string, reason: string, message: string, reported = false): void => {
    invalid++;
    compiled.problems.push({ condition: 'ResolvedRefs', reason, message: `${at}: ${message}` });
    if (!reported) compiled.diagnostics.push(diagnostic(compiled.ref, at, 'error', message));
  };
  const settings: TargetGroupAnnotations = kind === 'GRPCRoute' ? { ...context.settings, backendProtocolVersion: 'GRPC' } : context.settings;
  refs.forEach((ref, index) => {
    const at = `${field}.backendRefs[${index}]`;
    if (ref.group === FUNCTION_API_GROUP) {
      const resolved = resolveFunction(kind, compiled, ref, context, at, refused);
      if (!resolved || (ref.weight ?? 1) === 0) return;
      functionTargetGroups.push(resolved);
      weighted.push({ targetGroupKey: resolved.key, weight: ref.weight ?? 1 });
      return;
    }
    if ((ref.group ?? '') !== '' || (ref.kind ?? 'Service') !== 'Service') {
      refused(
        at,
        REASON.invalidKind,
        `backend kind ${ref.group ? `${ref.group}/` : ''}${ref.kind ?? ''} is not supported; only core Services and ${FUNCTION_API_GROUP}/${FUNCTION_KIND} are`,
      );
      return;
    }
    const namespace = ref.namespace ?? compiled.namespace;
    const name = ref.name ?? '';
    if (
      namespace !== compiled.namespace &&
      !referenceGranted(context.snapshot, { group: GATEWAY_API_GROUP, kind, namespace: compiled.namespace }, { group: '', kind: 'Service', namespace, name })
    ) {
      refused(
        `${at}.namespace`,
        REASON.refNotPermitted,
        `Service ${namespace}/${name} is in another namespace and no ReferenceGrant in ${namespace} allows ${kind}s of ${compiled.namespace} to refer to it`,
      );
      return;
    }
    if (ref.port === undefined) {
      refused(`${at}.port`, REASON.unsupportedValue, 'a Service backend needs a port');
      return;
    }
    const weight = ref.weight ?? 1;
    const resolution = resolveServiceBackend(
      {
        snapshot: context.snapshot,
        clusterName: context.clusterName,
        stackId: context.stackId,
        namespace,
        defaultTargetType: context.defaultTargetType,
        ingressSettings: settings,
      },
      { name, port: ref.port },
    );
    compiled.diagnostics.push(...resolution.diagnostics);
    if (!resolution.ok) {
      refused(at, REASON.backendNotFound, resolution.message);
      return;
    }
    if (weight === 0) return;
    targetGroups.push(resolution.targetGroup);
    weighted.push({ targetGroupKey: resolution.targetGroup.key, weight });
  });
  if (invalid > 0 && weighted.length > 0) {
    compiled.diagnostics.push(
      diagnostic(
        compiled.ref,
        field,
        'warning',
        `${invalid} backend(s) of this rule do not resolve: the specification answers their share with 500, which an ALB forward cannot; the valid backends take all of it`,
      ),
    );
  }
  if (weighted.length === 0) return { action: SERVER_ERROR, targetGroups: [], functionTargetGroups: [] };
  return { action: { type: 'forward', targetGroups: scaleWeights(mergeSameTargets(weighted)) }, targetGroups, functionTargetGroups };
}

/**
 * A backendRef `{group: lambda.ingress-bridge.io, kind: Function, name}` → its function target group,
 * parsed and named as an Ingress `backend.resource` is (function-backends.ts), with the mapping
 * annotation `lambda.ingress-bridge.io/<name>` read from the route. Undefined when refused.
 */
function resolveFunction(
  kind: RouteKind,
  compiled: CompiledRoute,
  ref: BackendReference,
  context: RouteContext,
  at: string,
  refused: (at: string, reason: string, message: string, reported?: boolean) => void,
): FunctionTargetGroupSpec | undefined {
  if (ref.kind !== FUNCTION_KIND) {
    refused(
      `${at}.kind`,
      REASON.invalidKind,
      `kind ${quote(ref.kind ?? '')} is not one ingress-bridge serves in ${FUNCTION_API_GROUP}: the kind is ${FUNCTION_KIND}`,
    );
    return undefined;
  }
  if (kind === 'GRPCRoute') {
    refused(at, REASON.unsupportedValue, 'a GRPCRoute cannot reach a Function: an ALB invokes a Lambda function with HTTP/1.1 events, never gRPC');
    return undefined;
  }
  // A function is not a namespaced object: the spec's default (the route's own namespace) is the only
  // namespace that names it; another one could never be granted a meaning by a ReferenceGrant.
  if (ref.namespace !== undefined && ref.namespace !== compiled.namespace) {
    refused(
      `${at}.namespace`,
      REASON.unsupportedValue,
      `a Function is not a namespaced object; namespace ${quote(ref.namespace)} cannot name one (leave it out, or set the route's own namespace)`,
    );
    return undefined;
  }
  if (ref.port !== undefined) {
    compiled.diagnostics.push(diagnostic(compiled.ref, `${at}.port`, 'warning', 'a Function has no port; the port is ignored'));
  }
  const resolution = resolveFunctionBackend(
    {
      holder: { kind, object: compiled.route },
      unserved: 'the backend is not served',
      settingsHolder: context.settingsHolder,
      clusterName: context.clusterName,
      stackId: context.stackId,
      targetGroupAttributes: context.settings.targetGroupAttributes,
      tags: context.settings.tags,
    },
    { apiGroup: FUNCTION_API_GROUP, kind: FUNCTION_KIND, name: ref.name ?? '' },
    at,
  );
  compiled.diagnostics.push(...resolution.diagnostics);
  if (!resolution.ok) {
    // A name that no Lambda function can have names a backend that does not exist.
    const [error] = resolution.diagnostics;
    refused(error?.field ?? at, REASON.backendNotFound, error?.message ?? 'the function does not resolve', true);
    return undefined;
  }
  return resolution.targetGroup;
}

function mergeSameTargets(weighted: readonly WeightedTargetGroup[]): WeightedTargetGroup[] {
  const byKey = new Map<string, number>();
  for (const entry of weighted) byKey.set(entry.targetGroupKey, (byKey.get(entry.targetGroupKey) ?? 0) + entry.weight);
  return [...byKey].map(([targetGroupKey, weight]) => ({ targetGroupKey, weight }));
}

/** Gateway API weights go to 1,000,000; the ALB's to 999: scaled down, keeping every non-zero weight non-zero. */
function scaleWeights(weighted: WeightedTargetGroup[]): WeightedTargetGroup[] {
  const largest = Math.max(...weighted.map((entry) => entry.weight));
  if (largest <= MAX_WEIGHT) return weighted;
  return weighted.map((entry) => ({ ...entry, weight: Math.max(1, Math.round((entry.weight * MAX_WEIGHT) / largest)) }));
}
