/**
 * Gateway API hostnames (API reference, "Hostnames in Gateway API"): a precise name or a wildcard
 * `*.suffix`. Unlike an Ingress host, a wildcard is a suffix match: `*.example.com` matches
 * `foo.example.com` and `foo.bar.example.com`, never `example.com`. A port in the Host header is
 * ignored. A Route attaches to a Listener only where their hostnames intersect, and only the
 * intersecting names are routed.
 * @module
 */
import type { Condition } from '../../model.js';
import { quote } from '../annotation-values.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Why a hostname is not valid (the CRD's pattern, IPs excluded); undefined when it is. */
export function hostnameProblem(raw: string): string | undefined {
  const name = raw.startsWith('*.') ? raw.slice(2) : raw;
  const valid = raw.length <= 253 && name.length > 0 && name.split('.').every((label) => label.length <= 63 && DNS_LABEL.test(label));
  if (!valid) return `hostname ${quote(raw)} is not a lower-case DNS name, optionally starting with "*." (one wildcard label)`;
  if (/^[0-9.]+$/.test(name)) return `hostname ${quote(raw)} is an IP address; Gateway API hostnames must be DNS names`;
  return undefined;
}

function isWildcard(hostname: string): boolean {
  return hostname.startsWith('*.');
}

/** Whether a precise name falls under a wildcard: at least one label before its suffix. */
function coveredBy(name: string, wildcard: string): boolean {
  return name.endsWith(wildcard.slice(1)) && name.length > wildcard.length - 1;
}

/**
 * The names a listener hostname and a route hostname both match, written as the narrower of the
 * two; undefined when they are disjoint. No listener hostname: the route's as it is.
 */
export function intersectHostname(listener: string | undefined, route: string): string | undefined {
  if (listener === undefined) return route;
  if (!isWildcard(listener) && !isWildcard(route)) return listener === route ? route : undefined;
  if (isWildcard(listener) && !isWildcard(route)) return coveredBy(route, listener) ? route : undefined;
  if (!isWildcard(listener) && isWildcard(route)) return coveredBy(listener, route) ? listener : undefined;
  if (listener === route) return route;
  if (coveredBy(listener.slice(2), route)) return listener;
  return coveredBy(route.slice(2), listener) ? route : undefined;
}

/**
 * The hostnames a route is served under on a listener: the intersections of its own with the
 * listener's; with none of its own, the listener's (or every host). `[]` means no intersection.
 */
export function effectiveHostnames(listener: string | undefined, route: readonly string[]): (string | undefined)[] {
  if (route.length === 0) return [listener];
  const names = route.flatMap((name) => intersectHostname(listener, name) ?? []);
  return [...new Set(names)];
}

/**
 * Precedence of hostnames, most specific first, as the API reference orders matching: a precise name
 * before a wildcard; among wildcards the longer suffix first; no hostname last.
 */
export function hostnameRank(hostname: string | undefined): [number, number] {
  if (hostname === undefined) return [2, 0];
  return isWildcard(hostname) ? [1, -hostname.length] : [0, -hostname.length];
}

/** The ALB's `*` spans dots, which is exactly the Gateway API's suffix match; hosts match case-insensitively and without the port. */
export function hostnameCondition(hostname: string | undefined): Condition | undefined {
  return hostname === undefined ? undefined : { field: 'host-header', values: [hostname] };
}
