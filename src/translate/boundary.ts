/**
 * The group's error boundary, behind each member's own (member.ts): should the group-wide steps
 * (admission, listeners, quotas, merging) throw, the members that fail on their own are left out
 * with an error naming them and the others are translated without them. When no single member
 * fails alone, every member is left out with that error and no spec, which keeps the existing load
 * balancer as it is: bad input never deletes what exists.
 * @module
 */
import type { GroupMember, IngressGroup } from './groups.js';
import type { GroupTranslation } from './result.js';
import { unexpectedFailure } from './member.js';

export function translateWithinBoundary(group: IngressGroup, translateGroup: (group: IngressGroup) => GroupTranslation): GroupTranslation {
  try {
    return translateGroup(group);
  } catch (groupError) {
    const failing = new Map<GroupMember, unknown>();
    for (const member of group.members) {
      try {
        translateGroup({ key: group.key, members: [member] });
      } catch (error) {
        failing.set(member, error);
      }
    }
    const rest = group.members.filter((member) => !failing.has(member));
    if (failing.size > 0 && rest.length > 0) {
      try {
        const result = translateGroup({ key: group.key, members: rest });
        const culprits = [...failing];
        return {
          ...result,
          diagnostics: [...result.diagnostics, ...culprits.map(([member, error]) => unexpectedFailure(member.ingress, error))],
          leftOut: [...result.leftOut, ...culprits.map(([member]) => member.ref)],
        };
      } catch {
        // The rest fails together too: fall through and leave everyone out.
      }
    }
    return {
      stackId: group.key,
      diagnostics: group.members.map((member) => unexpectedFailure(member.ingress, failing.get(member) ?? groupError)),
      members: [],
      leftOut: group.members.map((member) => member.ref),
    };
  }
}
