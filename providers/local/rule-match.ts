/**
 * Which rule of a listener handles an HTTP request, evaluated exactly as an AWS Application Load
 * Balancer does (AWS docs: "Listener rules" and "Condition types for listener rules"). The local
 * load balancer calls this per request and the tests use it to check routing, so it is pure and
 * compiles every pattern once.
 *
 * Assumptions where AWS documents less than we need:
 * - host-header `regexValues` are matched case-insensitively, like host `values`;
 * - `regexValues` are used as written (unanchored, like RegExp.test): anchoring them is the
 *   translator's job; they run on RE2 (regex-values.ts) and wildcards on a non-backtracking
 *   matcher (wildcard.ts), so no value can make a request take more than linear time;
 * - the path is matched as it arrives in the facts: the caller (dispatch.ts) has removed its dot
 *   segments (path-normalization.ts) and decoded nothing else;
 * - query-string keys and values are percent-decoded; `+` stays a literal `+` (RFC 3986, not form
 *   encoding); a parameter without `=` has an empty value.
 * @module
 */
import { BlockList, isIP } from 'node:net';
import type { Action, Condition, ListenerSpec, QueryStringMatch, RuleSpec } from '../../src/model.js';
import { compileRegexValue } from './regex-values.js';
import { compileWildcard } from './wildcard.js';

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
export function selectListenerAction(listener: ListenerSpec, request: HttpRequestFacts): { action: Action; rule?: RuleSpec } {
  for (const rule of rulesInPriorityOrder(listener.rules)) {
    if (rule.conditions.every((condition) => conditionMatches(condition, request))) {
      return { action: terminalAction(rule), rule };
    }
  }
  return { action: listener.defaultAction };
}

export function conditionMatches(condition: Condition, request: HttpRequestFacts): boolean {
  return compiledCondition(condition).predicate(request);
}

/**
 * Compiles every condition of the listener's rules now, when its spec is installed, rather than on
 * the first request; the problems are the regex values that cannot be compiled (they never match).
 */
export function compileListenerRules(listener: ListenerSpec): string[] {
  return listener.rules.flatMap((rule) => rule.conditions.flatMap((condition) => compiledCondition(condition).problems));
}

interface CompiledCondition {
  predicate: RequestPredicate;
  problems: string[];
}

const compiledConditions = new WeakMap<Condition, CompiledCondition>();

function compiledCondition(condition: Condition): CompiledCondition {
  let compiled = compiledConditions.get(condition);
  if (!compiled) {
    compiled = compileCondition(condition);
    compiledConditions.set(condition, compiled);
  }
  return compiled;
}
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

function compileCondition(condition: Condition): CompiledCondition {
  switch (condition.field) {
    case 'host-header': {
      const { matches, problems } = compileMatchValues(condition, { caseInsensitive: true });
      return { predicate: (request) => matches(hostWithoutPort(request.host)), problems };
    }
    case 'path-pattern': {
      const { matches, problems } = compileMatchValues(condition, { caseInsensitive: false });
      return { predicate: (request) => matches(pathWithoutQuery(request.path)), problems };
    }
    case 'http-header': {
      const { matches, problems } = compileMatchValues(condition, { caseInsensitive: true });
      const name = condition.headerName.toLowerCase();
      return { predicate: (request) => headerValues(request.headers, name).some(matches), problems };
    }
    case 'http-request-method': {
      const methods = new Set(condition.values);
      return { predicate: (request) => methods.has(request.method), problems: [] };
    }
    case 'query-string': {
      const pairs = condition.values.map(compileQueryStringMatch);
      const predicate: RequestPredicate = (request) => {
        const parameters = parseQuery(request.query);
        return pairs.some((pair) => parameters.some(pair));
      };
      return { predicate, problems: [] };
    }
    case 'source-ip': {
      const blocks = blockListOf(condition.values);
      return { predicate: (request) => addressIn(blocks, request.sourceIp), problems: [] };
    }
  }
}

function compileMatchValues(
  condition: { values?: string[]; regexValues?: string[] },
  options: { caseInsensitive: boolean },
): { matches: StringPredicate; problems: string[] } {
  const problems: string[] = [];
  const predicates: StringPredicate[] = (condition.values ?? []).map((value) => compileWildcard(value, { ...options, backslashEscapes: false }));
  for (const source of condition.regexValues ?? []) {
    const compiled = compileRegexValue(source, options);
    if (compiled.ok) predicates.push(compiled.test);
    else problems.push(compiled.problem);
  }
  return { matches: (subject) => predicates.some((predicate) => predicate(subject)), problems };
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
  const value = compileWildcard(match.value, options);
  const key = match.key === undefined ? undefined : compileWildcard(match.key, options);
  return (parameter) => (key === undefined || key(parameter.key)) && value(parameter.value);
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
