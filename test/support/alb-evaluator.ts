/**
 * Answers "which backend would the load balancer send this request to?" for a LoadBalancerSpec,
 * using the same rule evaluator as the local load balancer. Tests state routing as tables of
 * URL → route instead of inspecting rule priorities and conditions.
 * @module
 */
import type { Action, LoadBalancerSpec, RuleSpec } from '../../src/model.js';
import { selectListenerAction } from '../../providers/local/rule-match.js';
import type { HttpRequestFacts } from '../../providers/local/rule-match.js';

export interface AlbTestRequest {
  /** The listener port; defaults to 80 for `http:` URLs and 443 for `https:` ones. */
  port?: number;
  /** An absolute URL; its authority (case and port kept) becomes the Host header. */
  url: string;
  method?: string;
  /** Extra headers; a `host` header here overrides the URL's authority. */
  headers?: Record<string, string | string[]>;
  sourceIp?: string;
}

export type AlbRoute =
  | {
      kind: 'forward';
      /** `namespace/name:port` of each weighted target group's Service, in action order. */
      services: string[];
      targetGroupKeys: string[];
      weights: number[];
      rule?: RuleSpec;
    }
  | { kind: 'fixed-response'; statusCode: number; rule?: RuleSpec }
  | { kind: 'redirect'; statusCode: 301 | 302; location: string; rule?: RuleSpec };

export function evaluateAlbRequest(spec: LoadBalancerSpec, request: AlbTestRequest): AlbRoute {
  const url = parseRawUrl(request.url);
  const port = request.port ?? (url.scheme === 'https' ? 443 : 80);
  const listener = spec.listeners.find((candidate) => candidate.port === port);
  if (!listener) {
    const ports = spec.listeners.map((candidate) => candidate.port).join(', ');
    throw new Error(`the spec has no listener on port ${port} (listeners: ${ports || 'none'})`);
  }
  const hostOverride = Object.entries(request.headers ?? {}).find(([name]) => name.toLowerCase() === 'host');
  const headers = hostOverride ? { ...request.headers } : { host: url.authority, ...request.headers };
  const facts: HttpRequestFacts = {
    host: hostOverride ? (firstValue(hostOverride[1]) ?? '') : url.authority,
    path: url.path,
    method: request.method ?? 'GET',
    headers,
    query: url.query,
    sourceIp: request.sourceIp ?? '127.0.0.1',
  };
  const { action, rule } = selectListenerAction(listener, facts);
  return describeAction(spec, action, { facts, protocol: listener.protocol, port, rule });
}

/** A short route for table tests: `default/foo:80`, `404`, `redirect:301`. */
export function routeOf(spec: LoadBalancerSpec, url: string, options: Omit<AlbTestRequest, 'url'> = {}): string {
  const route = evaluateAlbRequest(spec, { ...options, url });
  switch (route.kind) {
    case 'forward':
      return route.services.join(',');
    case 'fixed-response':
      return String(route.statusCode);
    case 'redirect':
      return `redirect:${route.statusCode}`;
  }
}

interface RequestContext {
  facts: HttpRequestFacts;
  protocol: string;
  port: number;
  rule: RuleSpec | undefined;
}

function describeAction(spec: LoadBalancerSpec, action: Action, context: RequestContext): AlbRoute {
  const rule = context.rule;
  switch (action.type) {
    case 'forward': {
      const keys = action.targetGroups.map((weighted) => weighted.targetGroupKey);
      return {
        kind: 'forward',
        services: keys.map((key) => serviceOf(spec, key)),
        targetGroupKeys: keys,
        weights: action.targetGroups.map((weighted) => weighted.weight),
        rule,
      };
    }
    case 'fixed-response':
      return { kind: 'fixed-response', statusCode: Number(action.statusCode), rule };
    case 'redirect':
      return {
        kind: 'redirect',
        statusCode: action.statusCode === 'HTTP_301' ? 301 : 302,
        location: redirectLocation(action, context),
        rule,
      };
  }
}

function serviceOf(spec: LoadBalancerSpec, targetGroupKey: string): string {
  const targetGroup = spec.targetGroups.find((candidate) => candidate.key === targetGroupKey);
  // A function target group is named by its key (`function:<name>`): it has no Service.
  if (!targetGroup && spec.functionTargetGroups?.some((candidate) => candidate.key === targetGroupKey)) return targetGroupKey;
  if (!targetGroup) throw new Error(`action names target group ${targetGroupKey}, which the spec does not define`);
  const { namespace, name, port } = targetGroup.service;
  return `${namespace}/${name}:${port}`;
}

/**
 * ALB redirect parts default to the request's own (`#{protocol}`, `#{host}`, `#{port}`, `/#{path}`,
 * `#{query}`) and may embed those placeholders; `#{path}` has no leading `/`.
 */
function redirectLocation(action: Extract<Action, { type: 'redirect' }>, context: RequestContext): string {
  const hostOnly = context.facts.host.replace(/:\d*$/, '');
  const placeholders: Record<string, string> = {
    protocol: context.protocol,
    host: hostOnly,
    port: String(context.port),
    path: context.facts.path.replace(/^\//, ''),
    query: context.facts.query.replace(/^\?/, ''),
  };
  const fill = (template: string | undefined, fallback: string): string =>
    (template ?? fallback).replace(/#\{(\w+)\}/g, (whole, name: string) => placeholders[name] ?? whole);
  const protocol = fill(action.protocol, '#{protocol}').toLowerCase();
  const port = fill(action.port, '#{port}');
  const defaultPort = protocol === 'https' ? '443' : '80';
  const query = fill(action.query, '#{query}');
  const authority = fill(action.host, '#{host}') + (port === defaultPort ? '' : `:${port}`);
  return `${protocol}://${authority}${fill(action.path, '/#{path}')}${query ? `?${query}` : ''}`;
}

/** Split by hand: WHATWG URL parsing lower-cases the host and normalises the path, hiding what ALB sees. */
function parseRawUrl(url: string): { scheme: string; authority: string; path: string; query: string } {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?/i.exec(url);
  if (!match) throw new Error(`not an absolute URL: ${url}`);
  return {
    scheme: (match[1] ?? '').toLowerCase(),
    authority: match[2] ?? '',
    path: match[3] || '/',
    query: match[4] ?? '',
  };
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
