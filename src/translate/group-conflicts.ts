/**
 * What one group can do to another: two groups are two load balancers, so they must not share a
 * load-balancer name, and should not both route a host (DNS picks one of them). The older group —
 * the one whose oldest member is older (creationTimestamp, then key) — keeps what it has: a name
 * collision is an error on the newer group only, which is left out whole; a shared host is a
 * warning on the newer group's Ingresses that route it, naming the other group. Computed from the
 * grouping alone (no translation of the other groups), so the per-group reconcile sees it too.
 * @module
 */
import type { Diagnostic } from '../model.js';
import { annotationField, ingressDiagnostic } from './diagnostics.js';
import { creationTime, type Grouping, type GroupMember, type IngressGroup } from './groups.js';
import { loadBalancerName } from './naming.js';
import { compareText } from './compare-text.js';

export interface GroupConflicts {
  /** Set when an older group has the load-balancer name this group asks for. */
  nameTakenBy?: { name: string; group: string };
  /** Warnings on this group's members about hosts an older group routes too. */
  diagnostics: Diagnostic[];
}

function oldestMember(group: IngressGroup): GroupMember | undefined {
  return group.members.reduce<GroupMember | undefined>((oldest, member) => (!oldest || member.ageRank < oldest.ageRank ? member : oldest), undefined);
}

function compareGroupAge(a: IngressGroup, b: IngressGroup): number {
  const left = oldestMember(a);
  const right = oldestMember(b);
  const byTime = (left ? creationTime(left.ingress) : Infinity) - (right ? creationTime(right.ingress) : Infinity);
  if (byTime !== 0 && !Number.isNaN(byTime)) return byTime;
  return compareText(a.key, b.key);
}

/** The name the group's load balancer gets: the oldest member's load-balancer-name, else the generated one. */
function intendedName(group: IngressGroup, clusterName: string): string {
  const named = [...group.members].sort((a, b) => a.ageRank - b.ageRank).find((member) => member.annotations.loadBalancerName !== undefined);
  return named?.annotations.loadBalancerName ?? loadBalancerName(clusterName, group.key);
}

export function groupConflicts(grouping: Grouping, clusterName: string): Map<string, GroupConflicts> {
  const groups = [...grouping.groups.values()].filter((group) => group.members.length > 0).sort(compareGroupAge);
  const conflicts = new Map<string, GroupConflicts>(groups.map((group) => [group.key, { diagnostics: [] }]));
  const names = new Map<string, string>();
  const hosts = new Map<string, string>();
  for (const group of groups) {
    const found = conflicts.get(group.key) as GroupConflicts;
    const name = intendedName(group, clusterName);
    const owner = names.get(name);
    if (owner === undefined) names.set(name, group.key);
    else {
      found.nameTakenBy = { name, group: owner };
      // A group left out has no load balancer, so it routes no host either.
      continue;
    }
    const claimedHere = new Set<string>();
    for (const member of group.members) {
      (member.ingress.spec?.rules ?? []).forEach((rule, index) => {
        const host = rule.host?.toLowerCase();
        if (!host) return;
        const other = hosts.get(host);
        if (other !== undefined && other !== group.key) {
          found.diagnostics.push(
            ingressDiagnostic(
              member.ingress,
              `spec.rules[${index}].host`,
              'warning',
              `host ${host} is also routed by group "${other}", another load balancer that had it first; ` +
                'DNS decides which of the two clients reach. Route each host through one group',
            ),
          );
        }
        claimedHere.add(host);
      });
    }
    for (const host of claimedHere) if (!hosts.has(host)) hosts.set(host, group.key);
  }
  return conflicts;
}

/** The error each member of a group gets when an older group has its load-balancer name. */
export function nameTakenDiagnostics(group: IngressGroup, taken: { name: string; group: string }): Diagnostic[] {
  return group.members.map((member) =>
    ingressDiagnostic(
      member.ingress,
      annotationField(member.ingress, 'load-balancer-name'),
      'error',
      `load balancer name "${taken.name}" is already used by group "${taken.group}", which is older; ` +
        'this group is left out (its load balancer is neither created nor changed) until the names differ',
    ),
  );
}
