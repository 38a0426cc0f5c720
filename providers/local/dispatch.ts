/**
 * Which load balancer (stack), and which of its rules, handles a request that arrived on a port.
 *
 * In the cloud each load balancer has its own address, so a request reaches exactly one of them.
 * Locally every stack shares this machine's sockets (one server per address:port), so a request
 * that could belong to several must be given to one:
 * 1. each stack's listener for the port is evaluated with the ALB's own matching
 *    (`selectListenerAction`);
 * 2. among the stacks whose *rule* matched — not just their default action — the one whose rule
 *    names the host most exactly wins: an exact host-header value over a wildcard or regex host over
 *    a rule without host condition; ties go to the first stack by id;
 * 3. with no matching rule anywhere, a stack that names the request's host in one of its rules
 *    answers with its default action — DNS would have sent that host to its load balancer — the
 *    most exact host first, ties to the first stack by id;
 * 4. else the first stack (by id) whose default action forwards (a `defaultBackend`) answers;
 * 5. else the request gets a 404.
 * Pure: the caller hands in the candidates sorted by stack id.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { Action, ListenerSpec, RuleSpec } from '../../src/model.js';
import { normalizeRequestPath } from './path-normalization.js';
import { conditionMatches, selectListenerAction, type HttpRequestFacts } from './rule-match.js';

export interface RouteCandidate<Stack> {
  stackId: string;
  listener: ListenerSpec;
  stack: Stack;
  /** The rules of all the stack's listeners: the hosts a stack names on any port are its own (step 3). */
  hostRules: readonly RuleSpec[];
}

export interface ChosenRoute<Stack> {
  candidate: RouteCandidate<Stack>;
  action: Action;
  rule?: RuleSpec;
}

/** How exactly a rule names the host: 2 an exact host, 1 a wildcard or regex host, 0 none. */
export function hostSpecificity(rule: RuleSpec): number {
  let specificity = 0;
  for (const condition of rule.conditions) {
    if (condition.field !== 'host-header') continue;
    const exact = condition.values !== undefined && condition.values.every((value) => !/[*?]/.test(value));
    specificity = Math.max(specificity, exact ? 2 : 1);
  }
  return specificity;
}

export function chooseRoute<Stack>(candidates: readonly RouteCandidate<Stack>[], request: HttpRequestFacts): ChosenRoute<Stack> | undefined {
  let best: { route: ChosenRoute<Stack>; specificity: number } | undefined;
  let hostOwner: { route: ChosenRoute<Stack>; specificity: number } | undefined;
  let fallback: ChosenRoute<Stack> | undefined;
  for (const candidate of candidates) {
    const { action, rule } = selectListenerAction(candidate.listener, request);
    if (rule) {
      const specificity = hostSpecificity(rule);
      if (!best || specificity > best.specificity) best = { route: { candidate, action, rule }, specificity };
      continue;
    }
    const named = namedHostSpecificity(candidate.hostRules, request);
    if (named > 0 && (!hostOwner || named > hostOwner.specificity)) hostOwner = { route: { candidate, action }, specificity: named };
    if (!fallback && action.type === 'forward') fallback = { candidate, action };
  }
  return best?.route ?? hostOwner?.route ?? fallback;
}

/** How exactly the rules name the request's host (see hostSpecificity); 0 when none does. */
function namedHostSpecificity(rules: readonly RuleSpec[], request: HttpRequestFacts): number {
  let specificity = 0;
  for (const rule of rules) {
    const hostConditions = rule.conditions.filter((condition) => condition.field === 'host-header');
    if (hostConditions.length > 0 && hostConditions.every((condition) => conditionMatches(condition, request))) {
      specificity = Math.max(specificity, hostSpecificity(rule));
    }
  }
  return specificity;
}

/**
 * What the rules look at, taken from the request as it arrived, except that the path's dot
 * segments are removed (path-normalization.ts); nothing else is decoded.
 */
export function requestFacts(request: IncomingMessage): HttpRequestFacts {
  const { path, query } = requestTarget(request);
  return {
    host: request.headers.host ?? '',
    path,
    query,
    method: request.method ?? 'GET',
    headers: request.headers,
    sourceIp: clientAddress(request),
  };
}

/** The request's path (normalised) and query (as sent, without `?`): what rules match and what the target is sent. */
function requestTarget(request: IncomingMessage): { path: string; query: string } {
  const target = originForm(request.url ?? '/');
  const queryStart = target.indexOf('?');
  return {
    path: normalizeRequestPath(queryStart === -1 ? target : target.slice(0, queryStart)),
    query: queryStart === -1 ? '' : target.slice(queryStart + 1),
  };
}

/** The origin-form request target for the target: the normalised path and the query as sent. */
export function forwardedRequestTarget(request: IncomingMessage): string {
  const { path, query } = requestTarget(request);
  return (request.url ?? '').includes('?') ? `${path}?${query}` : path;
}

/** The client's address; IPv4 clients of a dual-stack socket appear as `::ffff:a.b.c.d`. */
export function clientAddress(request: IncomingMessage): string {
  const address = request.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address;
}

/** A request line may carry an absolute URL (`GET http://host/path`); rules see its path. */
function originForm(target: string): string {
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(target);
  if (!absolute) return target;
  const rest = target.slice(absolute[0].length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}
