/**
 * The Location of a redirect action, with ALB semantics: each part the action leaves unset keeps the
 * request's own value, and a set part may embed `#{protocol}`, `#{host}`, `#{port}`, `#{path}` (no
 * leading `/`) and `#{query}`. Pure.
 *
 * The port in the Location is a spec port (443, say). Locally spec port 443 is served on the https
 * port mapping (8443 by default), so the Location uses that local port — `https://host:8443/path` —
 * or the redirect would send the browser to a port nothing listens on. A port that is the protocol's
 * default after mapping is left out, as the ALB does.
 * @module
 */
import type { Action, ListenerProtocol } from '../../src/model.js';

export type RedirectAction = Extract<Action, { type: 'redirect' }>;

export interface RedirectRequest {
  /** The protocol of the listener the request arrived on. */
  protocol: ListenerProtocol;
  /** The Host header as sent (a `:port` suffix is dropped, as `#{host}` has none). */
  host: string;
  /** The spec port of the listener the request arrived on. */
  specPort: number;
  path: string;
  /** Without the leading `?`. */
  query: string;
}

export function redirectLocation(action: RedirectAction, request: RedirectRequest, localPortFor: (specPort: number) => number): string {
  const placeholders: Record<string, string> = {
    protocol: request.protocol,
    host: hostWithoutPort(request.host),
    port: String(request.specPort),
    path: request.path.replace(/^\//, ''),
    query: request.query,
  };
  const fill = (template: string | undefined, fallback: string): string =>
    (template ?? fallback).replace(/#\{(\w+)\}/g, (whole, name: string) => placeholders[name] ?? whole);
  const protocol = fill(action.protocol, '#{protocol}').toLowerCase();
  const specPort = Number(fill(action.port, '#{port}'));
  const port = localPortFor(Number.isInteger(specPort) ? specPort : request.specPort);
  const defaultPort = protocol === 'https' ? 443 : 80;
  const authority = fill(action.host, '#{host}') + (port === defaultPort ? '' : `:${port}`);
  const query = fill(action.query, '#{query}');
  return `${protocol}://${authority}${fill(action.path, '/#{path}')}${query ? `?${query}` : ''}`;
}

export function redirectStatus(action: RedirectAction): 301 | 302 {
  return action.statusCode === 'HTTP_301' ? 301 : 302;
}

function hostWithoutPort(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end === -1 ? host : host.slice(0, end + 1);
  }
  return host.replace(/:\d*$/, '');
}
