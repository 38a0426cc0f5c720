/**
 * The admitted members' rule entries → listeners with prioritized rules. Priorities encode the Ingress
 * specification's precedence, whatever order the paths were written in:
 * 1. a named host before a wildcard host before host-less rules;
 * 2. the longer path first; for equal paths, Exact before Prefix;
 * 3. a rule with more annotation conditions (e.g. a header canary) before one without;
 * 4. group order, then namespace/name, then the order in the manifest.
 * Of rules that match exactly the same requests only one is kept, the older member's (group.order
 * does not decide it); the others get a warning.
 * On HTTPS listeners each rule (and the default action) carries its Ingress's authentication; a
 * rule's transforms come with it unless ssl-redirect turned it into a redirect. Listener settings
 * (mutual TLS, listener attributes) come from the members on the port; merge.ts has already taken
 * a disagreeing member's value away.
 * @module
 */
import type { Action, Authentication, Diagnostic, ListenerSpec, RuleSpec, Transform } from '../model.js';
import { ingressDiagnostic } from './diagnostics.js';
import type { HostClass } from './hosts.js';
import type { MemberContribution, RuleEntry } from './member.js';
import { defaultBackendOwner } from './merge.js';

const NOT_FOUND: Action = { type: 'fixed-response', statusCode: '404', contentType: 'text/plain', messageBody: 'Not Found' };

const HOST_RANK: Record<HostClass, number> = { exact: 0, wildcard: 1, none: 2 };

function redirectTo(port: number): Action {
  return { type: 'redirect', protocol: 'HTTPS', port: String(port), statusCode: 'HTTP_301' };
}

function comparePrecedence(a: RuleEntry, b: RuleEntry): number {
  return (
    HOST_RANK[a.hostClass] - HOST_RANK[b.hostClass] ||
    b.path.path.length - a.path.path.length ||
    (a.path.pathType === b.path.pathType ? 0 : a.path.pathType === 'Exact' ? -1 : 1) ||
    b.extraConditionCount - a.extraConditionCount
  );
}

interface PlacedEntry {
  entry: RuleEntry;
  owner: MemberContribution;
  action: Action;
  authentication?: Authentication;
  transforms?: Transform[];
}

export interface BuiltListeners {
  listeners: ListenerSpec[];
  diagnostics: Diagnostic[];
}

export function buildListeners(admitted: readonly MemberContribution[]): BuiltListeners {
  const diagnostics: Diagnostic[] = [];
  const ports = new Map<number, { protocol: ListenerSpec['protocol']; members: MemberContribution[] }>();
  for (const contribution of admitted) {
    for (const { port, protocol } of contribution.listenPorts) {
      const listener = ports.get(port) ?? { protocol, members: [] };
      listener.members.push(contribution);
      ports.set(port, listener);
    }
  }
  const fallback = defaultBackendOwner(admitted);
  const listeners: ListenerSpec[] = [];
  for (const [port, { protocol, members }] of [...ports].sort(([a], [b]) => a - b)) {
    const certificateKeys = protocol === 'HTTPS' ? [...new Set(members.flatMap((member) => member.certificates.map((certificate) => certificate.key)))] : [];
    if (protocol === 'HTTPS' && certificateKeys.length === 0) {
      for (const member of members) {
        diagnostics.push(
          ingressDiagnostic(
            member.member.ingress,
            'spec.tls',
            'error',
            `the HTTPS listener on port ${port} has no usable certificate, so it is not created; fix the TLS Secret or set certificate-arn`,
          ),
        );
      }
      continue;
    }
    const redirectPorts = new Set(members.map((member) => (protocol === 'HTTP' ? member.member.annotations.sslRedirect : undefined)));
    const [onlyRedirect] = redirectPorts;
    const sslPolicy = protocol === 'HTTPS' ? members.find((member) => member.member.annotations.sslPolicy)?.member.annotations.sslPolicy : undefined;
    const listener: ListenerSpec = { port, protocol, certificateKeys, defaultAction: NOT_FOUND, rules: [] };
    if (sslPolicy) listener.sslPolicy = sslPolicy;
    const mutualAuthentication =
      protocol === 'HTTPS'
        ? members.find((member) => member.member.annotations.mutualAuthentication?.has(port))?.member.annotations.mutualAuthentication?.get(port)
        : undefined;
    if (mutualAuthentication) listener.mutualAuthentication = mutualAuthentication;
    const attributes = Object.assign({}, ...members.map((member) => member.member.annotations.listenerAttributes.get(port)?.attributes ?? {})) as Record<
      string,
      string
    >;
    if (Object.keys(attributes).length > 0) listener.attributes = attributes;

    // Every member redirects this HTTP port: one default redirect, no rules spent.
    if (redirectPorts.size === 1 && onlyRedirect !== undefined) {
      listener.defaultAction = redirectTo(onlyRedirect);
      listeners.push(listener);
      continue;
    }
    const actionOf = (member: MemberContribution, action: Action): Action => {
      const redirect = protocol === 'HTTP' ? member.member.annotations.sslRedirect : undefined;
      return redirect === undefined ? action : redirectTo(redirect);
    };
    if (fallback && members.includes(fallback.owner)) {
      listener.defaultAction = actionOf(fallback.owner, fallback.action);
      if (protocol === 'HTTPS' && fallback.owner.defaultAuthentication) listener.defaultAuthentication = fallback.owner.defaultAuthentication;
    }
    const placed: PlacedEntry[] = members.flatMap((owner) =>
      owner.entries.map((entry) => {
        const action = actionOf(owner, entry.action);
        // A redirect to HTTPS needs neither: the request comes back on the HTTPS listener and gets them there.
        const redirected = action !== entry.action;
        return {
          entry,
          owner,
          action,
          ...(protocol === 'HTTPS' && entry.authentication && { authentication: entry.authentication }),
          ...(!redirected && entry.transforms && { transforms: entry.transforms }),
        };
      }),
    );
    listener.rules = prioritize(placed, diagnostics);
    listeners.push(listener);
  }
  return { listeners, diagnostics };
}

function prioritize(placed: PlacedEntry[], diagnostics: Diagnostic[]): RuleSpec[] {
  // Array.prototype.sort is stable, so members keep group order and paths their manifest order.
  const ordered = [...placed].sort((a, b) => comparePrecedence(a.entry, b.entry));
  // Of two rules that match exactly the same requests, the older member's is kept: group.order
  // orders rules, but cannot let a newer member take a host and path another member already routes.
  const claimed = new Map<string, PlacedEntry>();
  for (const item of ordered) {
    const signature = JSON.stringify(item.entry.conditions);
    const earlier = claimed.get(signature);
    if (!earlier || item.owner.member.ageRank < earlier.owner.member.ageRank) claimed.set(signature, item);
  }
  const rules: RuleSpec[] = [];
  for (const item of ordered) {
    const kept = claimed.get(JSON.stringify(item.entry.conditions)) as PlacedEntry;
    if (kept !== item) {
      const byAge = kept.owner !== item.owner && kept.owner.member.ageRank < item.owner.member.ageRank;
      diagnostics.push(
        ingressDiagnostic(
          item.owner.member.ingress,
          item.entry.field,
          'warning',
          `this path matches exactly what ${kept.entry.field} of ${kept.owner.member.ref.namespace}/${kept.owner.member.ref.name} matches, which ` +
            (byAge ? 'is an older member of the group and keeps it whatever group.order says' : 'comes first') +
            '; it never receives requests',
        ),
      );
      continue;
    }
    rules.push({
      priority: rules.length + 1,
      conditions: item.entry.conditions,
      actions: [item.action],
      ...(item.authentication && { authentication: item.authentication }),
      ...(item.transforms && { transforms: item.transforms }),
      origin: item.entry.origin,
    });
  }
  return rules;
}
