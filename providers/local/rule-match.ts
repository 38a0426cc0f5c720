/**
 * Which rule of a listener handles an HTTP request, evaluated exactly as an AWS Application Load
 * Balancer does (AWS docs: "Listener rules" and "Condition types for listener rules"). The local
 * load balancer calls this per request and the tests use it to check routing, so it is pure and
 * compiles every pattern once.
 *
 * Assumptions where AWS documents less than we need:
 * - host-header `regexValues` are matched case-insensitively, like host `values`;
 * - `regexValues` are used as written (RegExp.test, not implicitly anchored): anchoring them is the
 *   translator's job;
 * - the path is matched as the client sent it (not percent-decoded, not normalised);
 * - query-string keys and values are percent-decoded; `+` stays a literal `+` (RFC 3986, not form
 *   encoding); a parameter without `=` has an empty value.
 * @module
 */
import { BlockList, isIP } from 'node:net';
import type { Action, Condition, ListenerSpec, QueryStringMatch, RuleSpec } from '../../src/model.js';

export interface HttpRequestFacts {
  /** The Host header as sent, possibly with a `:port` suffix. */
  host: string;
  /** The request path, without the query string. */
  path: string;
  method: string;
  headers: Record<string, string | string[] | undefined>;
  /** The raw query string, with or without its leading `?`. */
  query: string;
  sourceIp: string;
}

type RequestPredicate = (request: HttpRequestFacts) => boolean;
type StringPredicate = (subject: string) => boolean;

/**
 * Which rule of the listener handles a request: rules in ascending priority, the first whose
 * conditions all match; else the listener's default action.
 */
export function selectListenerAction(
  listener: ListenerSpec,
  request: HttpRequestFacts,
): { action: Action; rule?: RuleSpec } {
  for (const rule of rulesInPriorityOrder(listener.rules)) {
    if (rule.conditions.every((condition) => conditionMatches(condition, request))) {
      return { action: terminalAction(rule), rule };
    }
  }
  return { action: listener.defaultAction };
}

export function conditionMatches(condition: Condition, request: HttpRequestFacts): boolean {
  let predicate = compiledConditions.get(condition);
  if (!predicate) {
    predicate = compileCondition(condition);
    compiledConditions.set(condition, predicate);
  }
  return predicate(request);
}

const compiledConditions = new WeakMap<Condition, RequestPredicate>();
const sortedRules = new WeakMap<RuleSpec[], RuleSpec[]>();

function rulesInPriorityOrder(rules: RuleSpec[]): RuleSpec[] {
  let sorted = sortedRules.get(rules);
  if (!sorted) {
    sorted = [...rules].sort((a, b) => a.priority - b.priority);
    sortedRules.set(rules, sorted);
  }
  return sorted;
}

/** ALB requires exactly one forward, redirect or fixed-response per rule, and it comes last. */
function terminalAction(rule: RuleSpec): Action {
  const action = rule.actions.at(-1);
  if (!action) throw new Error(`listener rule with priority ${rule.priority} has no action`);
  return action;
}

function compileCondition(condition: Condition): RequestPredicate {
  switch (condition.field) {
    case 'host-header': {
      const matches = compileMatchValues(condition, { caseInsensitive: true });
      return (request) => matches(hostWithoutPort(request.host));
    }
    case 'path-pattern': {
      const matches = compileMatchValues(condition, { caseInsensitive: false });
      return (request) => matches(pathWithoutQuery(request.path));
    }
    case 'http-header': {
      const matches = compileMatchValues(condition, { caseInsensitive: true });
      const name = condition.headerName.toLowerCase();
      return (request) => headerValues(request.headers, name).some(matches);
    }
    case 'http-request-method': {
      const methods = new Set(condition.values);
      return (request) => methods.has(request.method);
    }
    case 'query-string': {
      const pairs = condition.values.map(compileQueryStringMatch);
      return (request) => {
        const parameters = parseQuery(request.query);
        return pairs.some((pair) => parameters.some(pair));
      };
    }
    case 'source-ip': {
      const blocks = blockListOf(condition.values);
      return (request) => addressIn(blocks, request.sourceIp);
    }
  }
}

function compileMatchValues(
  condition: { values?: string[]; regexValues?: string[] },
  options: { caseInsensitive: boolean },
): StringPredicate {
  const flags = options.caseInsensitive ? 'i' : '';
  const patterns = [
    ...(condition.values ?? []).map((value) => wildcardRegExp(value, { ...options, backslashEscapes: false })),
    ...(condition.regexValues ?? []).map((source) => new RegExp(source, flags)),
  ];
  return (subject) => patterns.some((pattern) => pattern.test(subject));
}

/**
 * An ALB wildcard value as an anchored RegExp: `*` is any run of characters (`/` and `.` included),
 * `?` exactly one; everything else is literal. Only query-string values may escape `*` and `?`
 * with a backslash (AWS documents that for query strings alone).
 */
function wildcardRegExp(value: string, options: { caseInsensitive: boolean; backslashEscapes: boolean }): RegExp {
  let source = '';
  for (let index = 0; index < value.length; index += 1) {
    const char = value.charAt(index);
    const next = value.charAt(index + 1);
    if (options.backslashEscapes && char === '\\' && (next === '*' || next === '?' || next === '\\')) {
      source += escapeRegExp(next);
      index += 1;
    } else if (char === '*') source += '[\\s\\S]*';
    else if (char === '?') source += '[\\s\\S]';
    else source += escapeRegExp(char);
  }
  return new RegExp(`^${source}$`, options.caseInsensitive ? 'i' : '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/** Strips `:port`; an IPv6 literal keeps its brackets (`[::1]:8080` → `[::1]`). */
function hostWithoutPort(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end === -1 ? host : host.slice(0, end + 1);
  }
  return host.replace(/:\d*$/, '');
}

function pathWithoutQuery(path: string): string {
  const queryStart = path.indexOf('?');
  return queryStart === -1 ? path : path.slice(0, queryStart);
}

function headerValues(headers: HttpRequestFacts['headers'], lowerCaseName: string): string[] {
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== lowerCaseName || value === undefined) continue;
    return Array.isArray(value) ? value : [value];
  }
  return [];
}

interface QueryParameter {
  key: string;
  value: string;
}

function compileQueryStringMatch(match: QueryStringMatch): (parameter: QueryParameter) => boolean {
  const options = { caseInsensitive: true, backslashEscapes: true };
  const value = wildcardRegExp(match.value, options);
  const key = match.key === undefined ? undefined : wildcardRegExp(match.key, options);
  return (parameter) => (key === undefined || key.test(parameter.key)) && value.test(parameter.value);
}

function parseQuery(query: string): QueryParameter[] {
  const raw = query.startsWith('?') ? query.slice(1) : query;
  if (raw === '') return [];
  return raw.split('&').map((part) => {
    const equals = part.indexOf('=');
    return equals === -1
      ? { key: percentDecode(part), value: '' }
      : { key: percentDecode(part.slice(0, equals)), value: percentDecode(part.slice(equals + 1)) };
  });
}

/** A malformed escape is kept as sent rather than failing the request. */
function percentDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function blockListOf(cidrs: string[]): BlockList {
  const blocks = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', prefix] = cidr.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    const bits = prefix === undefined ? (family === 'ipv6' ? 128 : 32) : Number(prefix);
    blocks.addSubnet(address, bits, family);
  }
  return blocks;
}

/**
 * A dual-stack socket reports IPv4 clients as `::ffff:a.b.c.d`; ALB sees them as IPv4, and so does
 * BlockList, which matches IPv4-mapped addresses against IPv4 subnets.
 */
function addressIn(blocks: BlockList, sourceIp: string): boolean {
  const family = isIP(sourceIp);
  if (family === 0) return false;
  return blocks.check(sourceIp, family === 6 ? 'ipv6' : 'ipv4');
}
