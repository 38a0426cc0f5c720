/**
 * Which application protocol an HTTPS connection speaks, chosen by ALPN (RFC 7301) as an ALB's
 * HTTPS listener chooses it: `h2` first, then `http/1.1`. The load balancer attribute
 * `routing.http2.enabled` (default `true`) turns HTTP/2 off: the listener then offers `http/1.1`
 * only, and an HTTP/2-capable client falls back to HTTP/1.1, as every browser and HTTP/2 client
 * that also offers `http/1.1` does. Pure.
 *
 * Several load balancers may share one local HTTPS port: a connection is held to the attribute of
 * the load balancer whose certificate its server name gets, as it is held to that one's ssl-policy.
 * @module
 */

export const HTTP2_ATTRIBUTE = 'routing.http2.enabled';

const WITH_HTTP2 = ['h2', 'http/1.1'] as const;
const WITHOUT_HTTP2 = ['http/1.1'] as const;

/**
 * Whether a load balancer's attributes let clients speak HTTP/2. The cloud accepts only `true` and
 * `false`; another value keeps the default (on) and is named in `problem`, for a diagnostic.
 */
export function http2Setting(attributes: Readonly<Record<string, string>>): { enabled: boolean; problem?: string } {
  const value = attributes[HTTP2_ATTRIBUTE];
  if (value === undefined || value === 'true') return { enabled: true };
  if (value === 'false') return { enabled: false };
  return { enabled: true, problem: `${HTTP2_ATTRIBUTE} must be true or false, got ${JSON.stringify(value)}` };
}

/**
 * The protocol to answer a client's ALPN offer with: the first of ours the client offers. Undefined
 * when it offers none of them, which ends the handshake with `no_application_protocol` (RFC 7301
 * section 3.2), as Node does for a fixed protocol list.
 */
export function selectApplicationProtocol(offered: readonly string[], http2Enabled: boolean): string | undefined {
  return (http2Enabled ? WITH_HTTP2 : WITHOUT_HTTP2).find((protocol) => offered.includes(protocol));
}
