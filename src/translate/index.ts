/**
 * translate: Snapshot + group key → LoadBalancerSpec + diagnostics. Pure: no I/O, no clock (the time
 * certificates are checked against is an option), the same input always gives the same output.
 * @module
 */
import type { CertificateSpec, Diagnostic, LoadBalancerSpec, TargetGroupSpec } from '../model.js';
import type { SnapshotView } from '../sources/snapshot.js';
import { OWN_PREFIX } from './annotation-types.js';
import { translateWithinBoundary } from './boundary.js';
import { annotationField, defectDetail, ingressDiagnostic } from './diagnostics.js';
import { groupConflicts, nameTakenDiagnostics, type GroupConflicts } from './group-conflicts.js';
import { groupIngresses, type Grouping, type IngressGroup } from './groups.js';
import { externalTargetGroupsOf } from './external-target-groups.js';
import { forwardedTargetGroups } from './forwarded-target-groups.js';
import { buildListeners, type BuiltListeners } from './listeners.js';
import { translateMember, type MemberContribution } from './member.js';
import { admitMembers } from './merge.js';
import { loadBalancerName } from './naming.js';
import { securityGroupSelection, subnetSelection } from './network.js';
import type { TranslateOptions } from './options.js';
import { withDisposition, type GroupTranslation, type TranslateAllResult, type TranslateResult } from './result.js';
import { gatewayStackId, isGatewayStackId, translateGateways, translateGatewayStack } from './gateway/index.js';
import { compareText } from './compare-text.js';

export type { Disposition, TranslateAllResult, TranslateResult } from './result.js';

export { defaultTranslateOptions, type TranslateOptions } from './options.js';
export { groupIngresses, type IngressGroup } from './groups.js';

export function translateAll(snapshot: SnapshotView, options: TranslateOptions): TranslateAllResult {
  const grouping = groupIngresses(snapshot, options);
  const conflicts = groupConflicts(grouping, options.clusterName);
  const held = heldGroups(grouping);
  const keys = [...new Set([...grouping.groups.keys(), ...held])].sort(compareText);
  const results = keys.map((key) => withDisposition(translateKey(snapshot, grouping, key, options, conflicts.get(key)), held.has(key)));
  const diagnostics = grouping.rejected.flatMap((rejected) => rejectedDiagnostics(snapshot, rejected, options));
  // Gateways are load balancers beside the IngressGroups: their keys (`gateway:…`) never meet a group's.
  const gateways = gatewaysWithinBoundary(snapshot, options);
  const gatewayResults = gateways.results.map((result) => ({ ...result, diagnostics: finishDiagnostics(snapshot, result.diagnostics) }));
  return {
    results: [...results, ...gatewayResults],
    rejected: grouping.rejected.map((rejected) => rejected.ref),
    diagnostics: finishDiagnostics(snapshot, diagnostics),
    gatewayApi: gateways.status,
  };
}

/**
 * The Gateway API translation, which has a boundary per Gateway and per route of its own; should it
 * fail anyway, the Ingresses are still served and the Gateways' load balancers are held, not deleted.
 */
function gatewaysWithinBoundary(snapshot: SnapshotView, options: TranslateOptions): ReturnType<typeof translateGateways> {
  try {
    return translateGateways(snapshot, options);
  } catch (error) {
    const results = snapshot.gateways().map((gateway) =>
      withDisposition(
        {
          stackId: gatewayStackId(gateway.metadata?.namespace ?? 'default', gateway.metadata?.name ?? ''),
          diagnostics: [
            {
              severity: 'error' as const,
              object: { kind: 'Gateway', namespace: gateway.metadata?.namespace ?? 'default', name: gateway.metadata?.name ?? '' },
              field: 'spec',
              message: `the Gateway API objects could not be translated (${defectDetail(error)}); this is a defect in ingress-bridge`,
            },
          ],
          members: [],
          leftOut: [],
        },
        true,
      ),
    );
    return { results, status: { gatewayClasses: [], gateways: [], routes: [] } };
  }
}

/** One group by key; a key no Ingress of ours names yields no spec (the load balancer should be deleted). */
export function translate(snapshot: SnapshotView, groupKey: string, options: TranslateOptions): TranslateResult {
  if (isGatewayStackId(groupKey)) {
    const result = translateGatewayStack(snapshot, groupKey, options);
    return { ...result, diagnostics: finishDiagnostics(snapshot, result.diagnostics) };
  }
  const grouping = groupIngresses(snapshot, options);
  const conflicts = grouping.groups.has(groupKey) ? groupConflicts(grouping, options.clusterName).get(groupKey) : undefined;
  return withDisposition(translateKey(snapshot, grouping, groupKey, options, conflicts), heldGroups(grouping).has(groupKey));
}

/**
 * What rejects an Ingress (its annotations, its IngressClassParams) and, in the same round, what
 * else would keep it out once that is fixed: its paths, hosts and backends, checked as a member.
 * Problems the member check finds in the annotations are left out: they echo the ones reported.
 */
function rejectedDiagnostics(snapshot: SnapshotView, rejected: Grouping['rejected'][number], options: TranslateOptions): Diagnostic[] {
  const { candidate, ref } = rejected;
  const asMember = translateMember(snapshot, candidate, rejected.namedGroup ?? `${ref.namespace}/${ref.name}`, options);
  const more = asMember.diagnostics.filter((entry) => !rejected.diagnostics.includes(entry) && !entry.field.startsWith('metadata.annotations'));
  return [...rejected.diagnostics, ...more];
}

/** Groups an invalid Ingress of ours still names: their load balancers are kept until it is fixed or deleted. */
function heldGroups(grouping: Grouping): Set<string> {
  return new Set(grouping.rejected.flatMap((rejected) => (rejected.namedGroup === undefined ? [] : [rejected.namedGroup])));
}

function translateKey(
  snapshot: SnapshotView,
  grouping: Grouping,
  key: string,
  options: TranslateOptions,
  conflicts: GroupConflicts | undefined,
): GroupTranslation {
  const group = grouping.groups.get(key);
  return group ? translateFormedGroup(snapshot, group, options, conflicts) : { stackId: key, diagnostics: [], members: [], leftOut: [] };
}

/**
 * A group as groupIngresses formed it: its members of refused namespaces are left out with their
 * error, and what other groups decide for it (group-conflicts.ts) is applied.
 */
function translateFormedGroup(snapshot: SnapshotView, group: IngressGroup, options: TranslateOptions, conflicts: GroupConflicts | undefined): GroupTranslation {
  const refused = group.refused ?? [];
  const refusedDiagnostics = refused.flatMap((entry) => [...entry.member.diagnostics, entry.diagnostic]);
  const refusedRefs = refused.map((entry) => entry.member.ref);
  if (conflicts?.nameTakenBy) {
    return {
      stackId: group.key,
      diagnostics: finishDiagnostics(snapshot, [...nameTakenDiagnostics(group, conflicts.nameTakenBy), ...refusedDiagnostics]),
      members: [],
      leftOut: [...group.members.map((member) => member.ref), ...refusedRefs],
    };
  }
  const result = translateWithinBoundary(group, (part) => translateGroup(snapshot, part, options));
  const extra = [...(conflicts?.diagnostics ?? []), ...refusedDiagnostics];
  if (extra.length === 0) return result;
  return { ...result, diagnostics: finishDiagnostics(snapshot, [...result.diagnostics, ...extra]), leftOut: [...result.leftOut, ...refusedRefs] };
}

function translateGroup(snapshot: SnapshotView, group: IngressGroup, options: TranslateOptions): GroupTranslation {
  const contributions = group.members.map((member) => translateMember(snapshot, member, group.key, options));
  const admission = admitMembers(contributions);
  const diagnostics: Diagnostic[] = [...contributions.flatMap((contribution) => contribution.diagnostics), ...admission.diagnostics];
  let admitted = admission.admitted;
  let built = buildListeners(admitted);
  for (let overflow = findOverflow(admitted, built, options); overflow; overflow = findOverflow(admitted, built, options)) {
    diagnostics.push(
      ingressDiagnostic(
        overflow.member.member.ingress,
        'spec',
        'error',
        `${overflow.message}; the Ingress is left out of its load balancer (members are admitted in group order)`,
      ),
    );
    admitted = admitted.filter((contribution) => contribution !== overflow.member);
    built = buildListeners(admitted);
  }
  diagnostics.push(...built.diagnostics);
  const members = admitted.map((contribution) => contribution.member.ref);
  const leftOut = group.members.map((member) => member.ref).filter((ref) => !members.includes(ref));
  // assembleSpec adds its own diagnostics, so they are finished after it.
  const spec = admitted.length > 0 ? assembleSpec(group.key, admitted, built, options, diagnostics) : undefined;
  return { stackId: group.key, diagnostics: finishDiagnostics(snapshot, diagnostics), members, leftOut, ...(spec && { spec }) };
}

interface Overflow {
  member: MemberContribution;
  message: string;
}

/** The last admitted member that adds to a load-balancer-wide quota the spec exceeds. */
function findOverflow(admitted: readonly MemberContribution[], built: BuiltListeners, options: TranslateOptions): Overflow | undefined {
  const { limits } = options;
  const lastWith = (has: (contribution: MemberContribution) => boolean): MemberContribution | undefined => [...admitted].reverse().find(has);
  const rules = built.listeners.reduce((total, listener) => total + listener.rules.length, 0);
  if (rules > limits.rulesPerLoadBalancer) {
    const member = lastWith((contribution) => contribution.entries.length > 0);
    if (member)
      return { member, message: `the group needs ${rules} rules, over the limit of ${limits.rulesPerLoadBalancer} per load balancer (flag --rule-limit)` };
  }
  // A function's target group counts toward the ALB's quota like a Service's.
  const functionGroups = forwardedTargetGroups(
    built.listeners,
    admitted.flatMap((contribution) => contribution.functionTargetGroups ?? []),
  ).length;
  const targetGroups = referencedTargetGroups(admitted, built).length + functionGroups;
  if (targetGroups > limits.targetGroupsPerLoadBalancer) {
    const member = lastWith((contribution) => contribution.targetGroups.length > 0 || (contribution.functionTargetGroups?.length ?? 0) > 0);
    if (member)
      return {
        member,
        message: `the group needs ${targetGroups} target groups, over the ALB's limit of ${limits.targetGroupsPerLoadBalancer} per load balancer`,
      };
  }
  for (const listener of built.listeners) {
    if (listener.certificateKeys.length > limits.certificatesPerListener + 1) {
      const member = lastWith((contribution) => contribution.certificates.length > 0 && contribution.listenPorts.some((port) => port.port === listener.port));
      if (member)
        return {
          member,
          message: `the listener on port ${listener.port} needs ${listener.certificateKeys.length} certificates, over the limit of ${limits.certificatesPerListener} besides the default`,
        };
    }
  }
  return undefined;
}

function referencedTargetGroups(admitted: readonly MemberContribution[], built: BuiltListeners): TargetGroupSpec[] {
  return forwardedTargetGroups(
    built.listeners,
    admitted.flatMap((contribution) => contribution.targetGroups),
  );
}

function assembleSpec(
  stackId: string,
  admitted: readonly MemberContribution[],
  built: BuiltListeners,
  options: TranslateOptions,
  diagnostics: Diagnostic[],
): LoadBalancerSpec {
  const first = <T>(read: (contribution: MemberContribution) => T | undefined): T | undefined => {
    for (const contribution of admitted) {
      const value = read(contribution);
      if (value !== undefined) return value;
    }
    return undefined;
  };
  const ipAddressType = first((contribution) => contribution.member.annotations.ipAddressType) ?? 'ipv4';
  const subnets = first((contribution) => contribution.member.annotations.subnets);
  const securityGroups = first((contribution) => contribution.member.annotations.securityGroups);
  const cidrs = admitted.flatMap((contribution) => contribution.member.annotations.inboundCidrs ?? []);
  const webAcl = first((contribution) => contribution.member.annotations.webAcl);
  const scope = first((contribution) => contribution.member.annotations.loadBalancerScope);
  const shieldAdvancedProtection = first((contribution) => contribution.member.annotations.shieldAdvancedProtection);
  const externalTargetGroups = externalTargetGroupsOf(built.listeners);
  const functionTargetGroups = forwardedTargetGroups(
    built.listeners,
    admitted.flatMap((contribution) => contribution.functionTargetGroups ?? []),
  );
  const usedCertificates = new Set(built.listeners.flatMap((listener) => listener.certificateKeys));
  const certificates = new Map<string, CertificateSpec>();
  for (const certificate of admitted.flatMap((contribution) => contribution.certificates)) {
    if (usedCertificates.has(certificate.key) && !certificates.has(certificate.key)) certificates.set(certificate.key, certificate);
  }
  const attributes: LoadBalancerSpec['attributes'] = {};
  for (const contribution of admitted) Object.assign(attributes, contribution.member.annotations.loadBalancerAttributes);
  return {
    stack: {
      id: stackId,
      name: first((contribution) => contribution.member.annotations.loadBalancerName) ?? loadBalancerName(options.clusterName, stackId),
      members: admitted.map((contribution) => contribution.member.ref),
    },
    scheme: first((contribution) => contribution.member.annotations.scheme) ?? options.defaultScheme,
    ...(scope !== undefined && { scope }),
    ipAddressType,
    subnets: subnetSelection(subnets),
    securityGroups: securityGroupSelection(securityGroups, cidrs.length > 0 ? [...new Set(cidrs)] : undefined, ipAddressType),
    attributes,
    tags: mergeTags(admitted, diagnostics),
    listeners: built.listeners,
    targetGroups: mergeTargetGroups(referencedTargetGroups(admitted, built), admitted, diagnostics),
    certificates: [...certificates.values()],
    ...(externalTargetGroups.length > 0 && { externalTargetGroups }),
    ...(functionTargetGroups.length > 0 && { functionTargetGroups }),
    ...(webAcl && { webAcl }),
    ...(shieldAdvancedProtection !== undefined && { shieldAdvancedProtection }),
  };
}

/** Tag keys under our own prefix (the annotations') mark what the controller owns; users cannot set them. */
const RESERVED_TAG_PREFIX = OWN_PREFIX;

/** Tags merge across members; admitMembers (merge.ts) has already taken a clashing value off the newer member. */
function mergeTags(admitted: readonly MemberContribution[], diagnostics: Diagnostic[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const contribution of admitted) {
    for (const [key, value] of Object.entries(contribution.member.annotations.tags)) {
      if (key.startsWith(RESERVED_TAG_PREFIX)) {
        diagnostics.push(
          ingressDiagnostic(
            contribution.member.ingress,
            annotationField(contribution.member.ingress, 'tags'),
            'warning',
            `tag ${key} is ignored: keys under ${RESERVED_TAG_PREFIX} decide ownership and are set by ingress-bridge`,
          ),
        );
        continue;
      }
      tags[key] = value;
    }
  }
  return tags;
}

/** A target group two members reach with different settings keeps the first member's settings. */
function mergeTargetGroups(chosen: TargetGroupSpec[], admitted: readonly MemberContribution[], diagnostics: Diagnostic[]): TargetGroupSpec[] {
  const settingsOf = (group: TargetGroupSpec): string =>
    JSON.stringify([group.protocol, group.healthCheck, group.attributes, group.tags, group.nodeLabels ?? {}]);
  const byKey = new Map(chosen.map((group) => [group.key, group]));
  for (const contribution of admitted) {
    for (const group of contribution.targetGroups) {
      const kept = byKey.get(group.key);
      if (kept && kept !== group && settingsOf(kept) !== settingsOf(group)) {
        diagnostics.push(
          ingressDiagnostic(
            contribution.member.ingress,
            'metadata.annotations',
            'warning',
            `target group ${group.key} is also used by an earlier member with other health-check, protocol, attribute, tag or target-node-labels settings; the earlier member's settings are used`,
          ),
        );
      }
    }
  }
  return chosen;
}

/** De-duplicated, in a stable order, each naming the manifest file its object came from. */
function finishDiagnostics(snapshot: SnapshotView, diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Map<string, Diagnostic>();
  for (const entry of diagnostics) {
    const key = JSON.stringify([entry.severity, entry.object, entry.field, entry.message]);
    if (seen.has(key)) continue;
    const kind = entry.object.kind as Parameters<SnapshotView['sourceOf']>[0];
    const source = entry.source ?? snapshot.sourceOf(kind, entry.object.namespace, entry.object.name);
    seen.set(key, source ? { ...entry, source } : entry);
  }
  return [...seen.values()];
}
