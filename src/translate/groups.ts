/**
 * IngressGroups: Ingresses of our class that share `group.name` (or whose IngressClassParams fixes
 * one) form one load balancer; an Ingress without one is its own group. Members are merged in group
 * order, then namespace/name.
 *
 * Tenancy: a group belongs to the namespace of its oldest member (creationTimestamp, then
 * namespace/name). A member from another namespace is refused with an error unless both it and the
 * oldest member are admitted by the same IngressClassParams through its namespaceSelector — the
 * cluster operator's decision that those namespaces share — or the controller runs with
 * allowCrossNamespaceGroups (aws-load-balancer-controller's behaviour, for migrations).
 * @module
 */
import type { V1Ingress, V1IngressClass } from '@kubernetes/client-node';
import type { Diagnostic, IngressRef } from '../model.js';
import type { SnapshotView } from '../sources/snapshot.js';
import type { IngressAnnotations } from './annotation-types.js';
import { parseIngressAnnotations } from './annotations.js';
import { annotationField, annotationKeyField, hasErrors, ingressDiagnostic, ingressRef, objectRef } from './diagnostics.js';
import { resolveIngressClass, type ClassOptions } from './ingress-class.js';
import { applyForcedSettings, namespaceLabels, resolveClassParams, selectorMatches, type ParamsScope } from './ingress-class-params.js';
import { NginxEstate } from './nginx/siblings.js';
import { nginxGroupName, readNginxIngress, writtenField } from './nginx/read.js';
import { compareText } from './compare-text.js';

export interface GroupMember {
  ingress: V1Ingress;
  ref: IngressRef;
  order: number;
  /** The member's annotations, with what its IngressClassParams forces applied. */
  annotations: IngressAnnotations;
  /** Diagnostics of the Ingress's own annotations and class. */
  diagnostics: Diagnostic[];
  /** The IngressClassParams whose namespaceSelector admitted the member: namespaces it admits may share groups. */
  sharedBy?: string;
  /** 0 for the group's oldest member (creationTimestamp, then namespace/name), and so on. */
  ageRank: number;
  /** Read from ingress-nginx's annotations (src/translate/nginx/): `ingress` is the converted Ingress. */
  nginx?: NginxMember;
}

export interface NginxMember {
  /** Paths (`<rule index>:<path index>`) that are nginx regexes. */
  regexPaths: ReadonlySet<string>;
  /** Converted field → the field of the Ingress as written, for diagnostics. */
  fields: ReadonlyMap<string, string>;
  /** A canary Ingress: its paths are served by this main Ingress's rules; it contributes none of its own. */
  canaryOf?: IngressRef;
}

/** A member of another namespace than the group's, which nothing admits. */
export interface RefusedMember {
  member: GroupMember;
  diagnostic: Diagnostic;
}

export interface IngressGroup {
  key: string;
  members: GroupMember[];
  refused?: RefusedMember[];
}

export interface Grouping {
  groups: Map<string, IngressGroup>;
  /**
   * Ingresses of our class that belong to no group because their annotations are invalid, with the
   * group each still names (none when its group name itself is invalid): that load balancer is held.
   */
  rejected: { ref: IngressRef; diagnostics: Diagnostic[]; namedGroup?: string; candidate: GroupMember }[];
}

export interface GroupingOptions extends ClassOptions {
  /** Lets any namespace join any group, as aws-load-balancer-controller does (flag --allow-cross-namespace-groups). */
  allowCrossNamespaceGroups?: boolean;
}

/** What classification reads of the cluster: IngressClasses, IngressClassParams and Namespaces. SnapshotView has it. */
export interface ClassScope extends ParamsScope {
  ingressClasses(): V1IngressClass[];
  /** The other Ingresses, which the nginx reader needs (a canary's main, a host's regex paths); SnapshotView has it. */
  ingresses?(): V1Ingress[];
}

/** The group key of a member: the group name (no `/` allowed in it) or `namespace/name`. */
function groupKeyOf(ref: IngressRef, annotations: IngressAnnotations): string {
  return annotations.groupName ?? `${ref.namespace}/${ref.name}`;
}

/** What translate makes of one Ingress: not ours, ours but rejected (bad annotations), or a member of a group. */
export type IngressClassification =
  | { kind: 'not-ours' }
  /**
   * `candidate`: the Ingress as a member would be, its invalid settings unset, so that its other
   * problems (paths, hosts, backends) are reported in the same round as the ones that reject it.
   */
  | { kind: 'rejected'; ref: IngressRef; diagnostics: Diagnostic[]; candidate: GroupMember }
  | { kind: 'member'; key: string; member: GroupMember };

/** `estate`: the nginx-class Ingresses, indexed once when many Ingresses are classified against one snapshot. */
export function classifyIngress(written: V1Ingress, scope: ClassScope, options: ClassOptions, estate?: NginxEstate): IngressClassification {
  const decision = resolveIngressClass(written, scope.ingressClasses(), options);
  if (!decision.ours) return { kind: 'not-ours' };
  const ref = ingressRef(written);
  // An Ingress of ingress-nginx's class is served as its nginx annotations say, in our own annotations.
  const reading =
    decision.reader === 'nginx'
      ? readNginxIngress(written, (estate ?? new NginxEstate(scope, options)).siblings(written), { unsupported: options.nginxUnsupported ?? 'warn' })
      : undefined;
  const ingress = reading?.ingress ?? written;
  const parsed = parseIngressAnnotations(ingress.metadata?.annotations, objectRef('Ingress', ingress));
  if (reading) for (const entry of parsed.diagnostics) entry.field = writtenField(entry.field, reading.fields);
  if (reading) parsed.value.groupName ??= nginxGroupName(ref.namespace);
  const diagnostics = [...decision.diagnostics, ...(reading?.diagnostics ?? []), ...parsed.diagnostics];
  const nginx: NginxMember | undefined = reading && {
    regexPaths: reading.regexPaths,
    fields: reading.fields,
    ...(reading.canaryOf && { canaryOf: ingressRef(reading.canaryOf) }),
  };
  const rejected = (annotations: IngressAnnotations): IngressClassification => ({
    kind: 'rejected',
    ref,
    diagnostics,
    candidate: { ingress, ref, order: annotations.groupOrder ?? 0, annotations, diagnostics, ageRank: 0, ...(nginx && { nginx }) },
  });
  // A bad annotation must not move the Ingress onto a load balancer other than the one intended.
  if (hasErrors(parsed.diagnostics)) return rejected(parsed.value);
  // An nginx annotation that cannot be honoured safely (protection, or a strict-mode snippet): not served.
  if (reading?.refused) return rejected(parsed.value);
  const classField = ingress.spec?.ingressClassName ? 'spec.ingressClassName' : 'metadata.annotations';
  const resolved = resolveClassParams(decision.ingressClass, scope);
  diagnostics.push(...resolved.diagnostics);
  if (!resolved.ok) {
    diagnostics.push(ingressDiagnostic(ingress, classField, 'error', `${resolved.problem}; the Ingress is left out until the IngressClassParams is fixed`));
    return rejected(parsed.value);
  }
  const params = resolved.params;
  let annotations = parsed.value;
  let sharedBy: string | undefined;
  if (params) {
    if (params.namespaceSelector) {
      if (!selectorMatches(params.namespaceSelector, namespaceLabels(scope, ref.namespace))) {
        diagnostics.push(
          ingressDiagnostic(
            ingress,
            classField,
            'error',
            `namespace ${ref.namespace} is not selected by spec.namespaceSelector of IngressClassParams "${params.name}", so it may not use this IngressClass; the Ingress is left out`,
          ),
        );
        return rejected(annotations);
      }
      sharedBy = params.name;
    }
    annotations = applyForcedSettings(annotations, params, (key, message) =>
      diagnostics.push(ingressDiagnostic(ingress, annotationField(ingress, key), 'warning', message)),
    );
    if (params.groupName !== undefined) {
      if (annotations.groupName !== undefined && annotations.groupName !== params.groupName) {
        diagnostics.push(
          ingressDiagnostic(
            ingress,
            annotationField(ingress, 'group.name'),
            'warning',
            `group.name is "${params.groupName}" for every Ingress of this class (IngressClassParams "${params.name}"); this Ingress's "${annotations.groupName}" is not used`,
          ),
        );
      }
      annotations = { ...annotations, groupName: params.groupName };
    }
  }
  const member: GroupMember = {
    ingress,
    ref,
    order: annotations.groupOrder ?? 0,
    annotations,
    diagnostics,
    ageRank: 0,
    ...(sharedBy ? { sharedBy } : {}),
    ...(nginx && { nginx }),
  };
  // A canary joins its main Ingress's load balancer, whose rules serve it; without a main served, it is not either.
  const canaryOf = reading?.canaryOf;
  if (!canaryOf) return { kind: 'member', key: groupKeyOf(ref, annotations), member };
  const main = classifyIngress(canaryOf, scope, options, estate);
  if (main.kind === 'member') return { kind: 'member', key: main.key, member };
  diagnostics.push(
    ingressDiagnostic(
      ingress,
      annotationKeyField('nginx.ingress.kubernetes.io/canary'),
      'error',
      `its main Ingress ${canaryOf.metadata?.name ?? ''} is not served (see its own diagnostics), so neither is this canary`,
    ),
  );
  return rejected(annotations);
}

/**
 * The group an Ingress names, whatever its class and even while it is being deleted: where its rules
 * were, so the group can be reconciled to let it go. An invalid group name names no group. With the
 * cluster's classes given, a group fixed by the class's IngressClassParams wins, as in classifyIngress.
 */
export function namedGroupKey(ingress: V1Ingress, scope?: ClassScope, options?: ClassOptions): string | undefined {
  const ref = ingressRef(ingress);
  let nginx = false;
  if (scope && options) {
    const decision = resolveIngressClass(ingress, scope.ingressClasses(), options);
    const resolved = decision.ours ? resolveClassParams(decision.ingressClass, scope) : undefined;
    const fixed = resolved?.ok ? resolved.params?.groupName : undefined;
    if (fixed !== undefined) return fixed;
    nginx = decision.reader === 'nginx';
  }
  const parsed = parseIngressAnnotations(ingress.metadata?.annotations, objectRef('Ingress', ingress));
  if (nginx) parsed.value.groupName ??= nginxGroupName(ref.namespace);
  // Only a bad group.name leaves the group unknown; a bad scheme, say, does not move the Ingress.
  const badGroupName = parsed.diagnostics.some((entry) => entry.severity === 'error' && entry.field.includes('group.name'));
  return badGroupName ? undefined : groupKeyOf(ref, parsed.value);
}

export function groupIngresses(snapshot: SnapshotView, options: GroupingOptions): Grouping {
  const groups = new Map<string, IngressGroup>();
  const rejected: Grouping['rejected'] = [];
  const estate = new NginxEstate(snapshot, options);
  for (const ingress of snapshot.ingresses()) {
    // Being deleted: its rules leave the load balancer, so the runtime can then drop its finalizer.
    if (ingress.metadata?.deletionTimestamp) continue;
    const classified = classifyIngress(ingress, snapshot, options, estate);
    if (classified.kind === 'rejected') {
      const namedGroup = namedGroupKey(ingress, snapshot, options);
      rejected.push({
        ref: classified.ref,
        diagnostics: classified.diagnostics,
        candidate: classified.candidate,
        ...(namedGroup !== undefined && { namedGroup }),
      });
    }
    if (classified.kind !== 'member') continue;
    const group = groups.get(classified.key);
    if (group) group.members.push(classified.member);
    else groups.set(classified.key, { key: classified.key, members: [classified.member] });
  }
  for (const group of groups.values()) {
    rankByAge(group.members);
    admitNamespaces(group, options.allowCrossNamespaceGroups ?? false);
    group.members.sort(compareMembers);
    warnOnSharedOrders(group);
  }
  return { groups, rejected };
}

/** Milliseconds since the epoch; an Ingress without a creationTimestamp (a manifest file) is newest. */
export function creationTime(ingress: V1Ingress): number {
  const stamp = ingress.metadata?.creationTimestamp as Date | string | undefined;
  const time = stamp === undefined ? Number.NaN : new Date(stamp).getTime();
  return Number.isNaN(time) ? Number.POSITIVE_INFINITY : time;
}

function compareAge(a: GroupMember, b: GroupMember): number {
  const byTime = creationTime(a.ingress) - creationTime(b.ingress);
  if (byTime !== 0 && !Number.isNaN(byTime)) return byTime;
  const left = `${a.ref.namespace}/${a.ref.name}`;
  const right = `${b.ref.namespace}/${b.ref.name}`;
  return compareText(left, right);
}

function rankByAge(members: GroupMember[]): void {
  [...members].sort(compareAge).forEach((member, rank) => {
    member.ageRank = rank;
  });
}

/** The oldest member's namespace owns the group; members of other namespaces need an admission. */
function admitNamespaces(group: IngressGroup, allowCrossNamespace: boolean): void {
  const owner = group.members.find((member) => member.ageRank === 0);
  if (!owner || allowCrossNamespace) return;
  const refused: RefusedMember[] = [];
  group.members = group.members.filter((member) => {
    const { namespace } = member.ref;
    if (namespace === owner.ref.namespace) return true;
    if (member.sharedBy !== undefined && member.sharedBy === owner.sharedBy) return true;
    const field = member.sharedBy === undefined ? annotationField(member.ingress, 'group.name') : 'spec.ingressClassName';
    refused.push({
      member,
      diagnostic: ingressDiagnostic(
        member.ingress,
        field,
        'error',
        `group "${group.key}" belongs to namespace ${owner.ref.namespace} (its oldest member, ${owner.ref.namespace}/${owner.ref.name}); ` +
          `namespace ${namespace} may not join it without an IngressClassParams that admits it (an IngressClass whose parameters ` +
          'select both namespaces with a namespaceSelector); the Ingress is left out of the load balancer',
      ),
    });
    return false;
  });
  if (refused.length > 0) group.refused = refused;
}

function compareMembers(a: GroupMember, b: GroupMember): number {
  if (a.order !== b.order) return a.order - b.order;
  const left = `${a.ref.namespace}/${a.ref.name}`;
  const right = `${b.ref.namespace}/${b.ref.name}`;
  return compareText(left, right);
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
      ingressDiagnostic(
        member.ingress,
        annotationField(member.ingress, 'group.order'),
        'warning',
        `group.order ${explicit} is also set on ${first.ref.namespace}/${first.ref.name} in group "${group.key}"; ` +
          `their rules are ordered by namespace/name. Give each member its own order to decide it`,
      ),
    );
  }
}
