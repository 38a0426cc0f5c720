/**
 * The specification's precedence (HTTPRoute and GRPCRoute reference), across every route attached
 * to the listeners of one port, continuing on ties: the most specific hostname (precise before
 * wildcard, longer first); an Exact path; a RegularExpression path (its place is
 * implementation-specific: ours is between Exact and PathPrefix); the longest PathPrefix; a method
 * match; the most header matches; the most query matches; then the oldest route
 * (creationTimestamp), then namespace/name, then the rule and match order inside the route. Rule
 * priorities encode exactly that order (spec-listeners.ts).
 * @module
 */
import type { Condition } from '../../model.js';
import { creationTime } from '../groups.js';
import { hostnameRank, intersectHostname } from './hostnames.js';
import type { ListenerView } from './listeners.js';
import type { CompiledMatch, CompiledRoute, CompiledRule } from './compiled.js';
import { compareText } from '../compare-text.js';

/** One match of a route on one hostname, or a listener's hostname fence (no match), placed among the port's rules. */
export interface PlacedEntry {
  hostname?: string;
  conditions: Condition[];
  match?: CompiledMatch;
  rule?: CompiledRule;
  route?: CompiledRoute;
  order: number;
}

function routeAge(route: CompiledRoute): number {
  return creationTime(route.route as Parameters<typeof creationTime>[0]);
}

/** The specification's precedence (see the module comment); a listener's catch-all 404 comes last among its hostname's entries. */
export function comparePlaced(a: PlacedEntry, b: PlacedEntry): number {
  const [ah, al] = hostnameRank(a.hostname);
  const [bh, bl] = hostnameRank(b.hostname);
  if (ah !== bh) return ah - bh;
  if (al !== bl) return al - bl;
  if (!a.match || !b.match) return (a.match ? 0 : 1) - (b.match ? 0 : 1);
  const ar = a.match.rank;
  const br = b.match.rank;
  return (
    ar.pathKind - br.pathKind ||
    br.pathLength - ar.pathLength ||
    Number(br.method) - Number(ar.method) ||
    br.headers - ar.headers ||
    br.queries - ar.queries ||
    routeAge(a.route as CompiledRoute) - routeAge(b.route as CompiledRoute) ||
    compareText(`${a.route?.namespace}/${a.route?.ref.name}`, `${b.route?.namespace}/${b.route?.ref.name}`) ||
    a.order - b.order
  );
}

/**
 * Whether every request for `hostname` belongs to another listener of the port, whose hostname is
 * more specific than this one's: a request is its most specific listener's alone (API reference,
 * Listener hostname), so this listener's routes must not answer it there.
 */
export function claimedByOtherListener(listener: ListenerView, hostname: string | undefined, onPort: readonly ListenerView[]): boolean {
  if (hostname === undefined) return false;
  return onPort.some(
    (other) =>
      other !== listener &&
      other.hostname !== undefined &&
      moreSpecific(other.hostname, listener.hostname) &&
      intersectHostname(other.hostname, hostname) === hostname,
  );
}

function moreSpecific(hostname: string, than: string | undefined): boolean {
  if (than === undefined) return true;
  const [rank, length] = hostnameRank(hostname);
  const [thanRank, thanLength] = hostnameRank(than);
  return rank < thanRank || (rank === thanRank && length < thanLength);
}
