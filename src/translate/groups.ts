/**
 * IngressGroups: Ingresses of our class that share `group.name` form one load balancer; an Ingress
 * without one is its own group. Members are merged in group order, then namespace/name.
 * @module
 */
import type { V1Ingress, V1IngressClass } from '@kubernetes/client-node';
import type { Diagnostic, IngressRef } from '../model.js';
import type { SnapshotView } from '../sources/snapshot.js';
import type { IngressAnnotations } from './annotation-types.js';
import { parseIngressAnnotations } from './annotations.js';
import { annotationField, hasErrors, ingressDiagnostic, ingressRef, objectRef } from './diagnostics.js';
import { resolveIngressClass, type ClassOptions } from './ingress-class.js';

export interface GroupMember {
  ingress: V1Ingress;
  ref: IngressRef;
  order: number;
  annotations: IngressAnnotations;
  /** Diagnostics of the Ingress's own annotations and class. */
  diagnostics: Diagnostic[];
}

export interface IngressGroup {
  key: string;
  members: GroupMember[];
}

export interface Grouping {
  groups: Map<string, IngressGroup>;
  /** Ingresses of our class that belong to no group because their annotations are invalid. */
  rejected: { ref: IngressRef; diagnostics: Diagnostic[] }[];
}

/** The group key of a member: the group name (no `/` allowed in it) or `namespace/name`. */
export function groupKeyOf(ref: IngressRef, annotations: IngressAnnotations): string {
  return annotations.groupName ?? `${ref.namespace}/${ref.name}`;
}

/** What translate makes of one Ingress: not ours, ours but rejected (bad annotations), or a member of a group. */
export type IngressClassification =
  | { kind: 'not-ours' }
  | { kind: 'rejected'; ref: IngressRef; diagnostics: Diagnostic[] }
  | { kind: 'member'; key: string; member: GroupMember };

export function classifyIngress(ingress: V1Ingress, classes: readonly V1IngressClass[], options: ClassOptions): IngressClassification {
  const decision = resolveIngressClass(ingress, classes, options);
  if (!decision.ours) return { kind: 'not-ours' };
  const ref = ingressRef(ingress);
  const parsed = parseIngressAnnotations(ingress.metadata?.annotations, objectRef('Ingress', ingress));
  const diagnostics = [...decision.diagnostics, ...parsed.diagnostics];
  // A bad annotation must not move the Ingress onto a load balancer other than the one intended.
  if (hasErrors(parsed.diagnostics)) return { kind: 'rejected', ref, diagnostics };
  const member: GroupMember = { ingress, ref, order: parsed.value.groupOrder ?? 0, annotations: parsed.value, diagnostics };
  return { kind: 'member', key: groupKeyOf(ref, parsed.value), member };
}

/**
 * The group an Ingress names, whatever its class and even while it is being deleted: where its rules
 * were, so the group can be reconciled to let it go. An invalid group name names no group.
 */
export function namedGroupKey(ingress: V1Ingress): string | undefined {
  const ref = ingressRef(ingress);
  const parsed = parseIngressAnnotations(ingress.metadata?.annotations, objectRef('Ingress', ingress));
  // Only a bad group.name leaves the group unknown; a bad scheme, say, does not move the Ingress.
  const badGroupName = parsed.diagnostics.some((entry) => entry.severity === 'error' && entry.field.includes('group.name'));
  return badGroupName ? undefined : groupKeyOf(ref, parsed.value);
}

/**
 * Groups an invalid Ingress of ours still names: bad input must not delete what exists, so these
 * load balancers are kept as they are until the Ingress is fixed or deleted.
 */
export function groupsHeldByRejected(snapshot: SnapshotView, options: ClassOptions): Set<string> {
  const classes = snapshot.ingressClasses();
  const held = new Set<string>();
  for (const ingress of snapshot.ingresses()) {
    if (ingress.metadata?.deletionTimestamp || classifyIngress(ingress, classes, options).kind !== 'rejected') continue;
    const key = namedGroupKey(ingress);
    if (key) held.add(key);
  }
  return held;
}

export function groupIngresses(snapshot: SnapshotView, options: ClassOptions): Grouping {
  const classes = snapshot.ingressClasses();
  const groups = new Map<string, IngressGroup>();
  const rejected: Grouping['rejected'] = [];
  for (const ingress of snapshot.ingresses()) {
    // Being deleted: its rules leave the load balancer, so the runtime can then drop its finalizer.
    if (ingress.metadata?.deletionTimestamp) continue;
    const classified = classifyIngress(ingress, classes, options);
    if (classified.kind === 'rejected') rejected.push({ ref: classified.ref, diagnostics: classified.diagnostics });
    if (classified.kind !== 'member') continue;
    const group = groups.get(classified.key);
    if (group) group.members.push(classified.member);
    else groups.set(classified.key, { key: classified.key, members: [classified.member] });
  }
  for (const group of groups.values()) {
    group.members.sort(compareMembers);
    warnOnSharedOrders(group);
  }
  return { groups, rejected };
}

function compareMembers(a: GroupMember, b: GroupMember): number {
  if (a.order !== b.order) return a.order - b.order;
  const left = `${a.ref.namespace}/${a.ref.name}`;
  const right = `${b.ref.namespace}/${b.ref.name}`;
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Two members that set the same explicit order: legal, but their relative priority is by name only. */
function warnOnSharedOrders(group: IngressGroup): void {
  const firstWithOrder = new Map<number, GroupMember>();
  for (const member of group.members) {
    const explicit = member.annotations.groupOrder;
    if (explicit === undefined) continue;
    const first = firstWithOrder.get(explicit);
    if (!first) {
      firstWithOrder.set(explicit, member);
      continue;
    }
    member.diagnostics.push(
      ingressDiagnostic(member.ingress, annotationField(member.ingress, 'group.order'), 'warning',
        `group.order ${explicit} is also set on ${first.ref.namespace}/${first.ref.name} in group "${group.key}"; ` +
          `their rules are ordered by namespace/name. Give each member its own order to decide it`),
    );
  }
}
