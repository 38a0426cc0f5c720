/**
 * Admission of a group's members into one load balancer. Group-wide settings are decided by age,
 * never by group.order (which a newer member could set to jump the queue): members are taken
 * oldest first (creationTimestamp, then namespace/name), and the first to set a setting decides it.
 * - Who can reach the load balancer, at which address, and what stands in front of it (scheme,
 *   load-balancer-scope, inbound-cidrs, the WAF web ACL, Shield Advanced) is the oldest member's, even
 *   where it left them to the default: a newer member can neither open the load balancer up, nor move
 *   it to a new address, nor take its web ACL off (nor put one on that blocks the other members'
 *   traffic) — the risk aws-load-balancer-controller's docs warn of.
 * - A later member that sets a load-balancer setting (scheme, ip-address-type, subnets,
 *   security-groups, inbound-cidrs, load-balancer-name, the web ACL, Shield, an attribute, a tag, a
 *   port's ssl-policy, mutual TLS or listener attribute) differently keeps its rules, but not that
 *   value: a warning names the setting and the member that decided it.
 * - A later member whose listener protocol on a port differs, or that brings a second default
 *   backend, cannot be served as written and is left out whole, with an error.
 * The admitted members come back in group order, which orders their rules.
 * @module
 */
import type { Action, Diagnostic } from '../model.js';
import type { IngressAnnotations } from './annotation-types.js';
import { annotationField, ingressDiagnostic } from './diagnostics.js';
import type { MemberContribution } from './member.js';

/** Settings that one member decides for the group, by the annotation that sets them. */
const EXCLUSIVE_SETTINGS: { key: string; name: keyof IngressAnnotations }[] = [
  { key: 'scheme', name: 'scheme' },
  { key: 'load-balancer-scope', name: 'loadBalancerScope' },
  { key: 'ip-address-type', name: 'ipAddressType' },
  { key: 'subnets', name: 'subnets' },
  { key: 'security-groups', name: 'securityGroups' },
  { key: 'inbound-cidrs', name: 'inboundCidrs' },
  { key: 'load-balancer-name', name: 'loadBalancerName' },
  { key: 'shield-advanced-protection', name: 'shieldAdvancedProtection' },
];

/**
 * Settings that decide who can reach the load balancer, at which address (a scope change gives it a
 * new one), and what filters traffic before it does.
 */
const EXPOSURE = ['scheme', 'load-balancer-scope', 'inbound-cidrs', 'wafv2-acl', 'shield-advanced-protection'];

export interface Admission {
  admitted: MemberContribution[];
  diagnostics: Diagnostic[];
}

function describe(owner: MemberContribution): string {
  return `${owner.member.ref.namespace}/${owner.member.ref.name}`;
}

/** A value one member decided. */
interface Claim {
  value: string;
  owner: MemberContribution;
}

interface SoftSetting {
  id: string;
  value: string;
  annotation: string;
  label: string;
  strip: (annotations: IngressAnnotations) => IngressAnnotations;
}

interface HardSetting {
  id: string;
  value: string;
  field: string;
  message: string;
}

export function admitMembers(contributions: readonly MemberContribution[]): Admission {
  const claims = new Map<string, Claim>();
  const kept = new Map<MemberContribution, MemberContribution>();
  const diagnostics: Diagnostic[] = [];
  const byAge = contributions.filter((contribution) => contribution.valid).sort((a, b) => a.member.ageRank - b.member.ageRank);
  for (const contribution of byAge) {
    const hard = hardSettingsOf(contribution);
    const soft = softSettingsOf(contribution);
    const conflict = hard.find((setting) => {
      const claim = claims.get(setting.id);
      return claim && (setting.id === 'default-backend' || claim.value !== setting.value);
    });
    if (conflict) {
      const claim = claims.get(conflict.id) as Claim;
      diagnostics.push(
        ingressDiagnostic(
          contribution.member.ingress,
          conflict.field,
          'error',
          `${conflict.message}, already set to ${claim.value} by ${describe(claim.owner)}, an older member of the group; ` +
            'the Ingress is left out of its load balancer until they agree',
        ),
      );
      continue;
    }
    for (const setting of hard) if (!claims.has(setting.id)) claims.set(setting.id, { value: setting.value, owner: contribution });
    // Exposure is the oldest member's even where it left it to the default: a newer member cannot open the load balancer up.
    if (kept.size === 0)
      for (const id of EXPOSURE) if (!soft.some((setting) => setting.id === id)) claims.set(id, { value: 'the default', owner: contribution });
    let annotations = contribution.member.annotations;
    for (const setting of soft) {
      const claim = claims.get(setting.id);
      if (!claim) {
        claims.set(setting.id, { value: setting.value, owner: contribution });
        continue;
      }
      if (claim.value === setting.value) continue;
      diagnostics.push(
        ingressDiagnostic(
          contribution.member.ingress,
          annotationField(contribution.member.ingress, setting.annotation),
          'warning',
          `${setting.label} is ${setting.value} here, but ${claim.value} for the whole group: ${describe(claim.owner)}, the oldest member that decides it; ` +
            'this value is not used (group.order does not change who decides)',
        ),
      );
      annotations = setting.strip(annotations);
    }
    kept.set(
      contribution,
      annotations === contribution.member.annotations ? contribution : { ...contribution, member: { ...contribution.member, annotations } },
    );
  }
  const admitted = contributions.flatMap((contribution) => {
    const admittedAs = kept.get(contribution);
    return admittedAs ? [admittedAs] : [];
  });
  return { admitted, diagnostics };
}

function withoutKey(annotations: IngressAnnotations, name: keyof IngressAnnotations): IngressAnnotations {
  const copy = { ...annotations };
  // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- the annotation is left out, not set to undefined
  delete copy[name];
  return copy;
}

function withoutListenerAttribute(all: IngressAnnotations['listenerAttributes'], port: number, key: string): IngressAnnotations['listenerAttributes'] {
  const copy = new Map(all);
  const entry = copy.get(port);
  if (entry) copy.set(port, { ...entry, attributes: Object.fromEntries(Object.entries(entry.attributes).filter(([other]) => other !== key)) });
  return copy;
}

/** Settings a member can give up and still be served: decided by the oldest member that sets them. */
function softSettingsOf(contribution: MemberContribution): SoftSetting[] {
  const { annotations } = contribution.member;
  const settings: SoftSetting[] = [];
  for (const { key, name } of EXCLUSIVE_SETTINGS) {
    const value = annotations[name];
    if (value === undefined) continue;
    settings.push({ id: key, value: JSON.stringify(value), annotation: key, label: key, strip: (current) => withoutKey(current, name) });
  }
  if (annotations.webAcl !== undefined) {
    // One setting, whichever annotation names it: a member cannot bring a second ACL by name.
    const annotation = annotations.webAcl.kind === 'name' ? 'wafv2-acl-name' : 'wafv2-acl-arn';
    const value =
      annotations.webAcl.kind === 'arn' ? annotations.webAcl.arn : annotations.webAcl.kind === 'name' ? `the ACL named ${annotations.webAcl.name}` : 'none';
    settings.push({ id: 'wafv2-acl', value, annotation, label: 'the WAF web ACL', strip: (current) => withoutKey(current, 'webAcl') });
  }
  for (const [port, mutual] of annotations.mutualAuthentication ?? []) {
    settings.push({
      id: `mutual-authentication:${port}`,
      value: JSON.stringify(mutual),
      annotation: 'mutual-authentication',
      label: `mutual-authentication of port ${port}`,
      strip: (current) => ({ ...current, mutualAuthentication: new Map([...(current.mutualAuthentication ?? [])].filter(([other]) => other !== port)) }),
    });
  }
  for (const [port, { protocol, attributes }] of annotations.listenerAttributes) {
    for (const [key, value] of Object.entries(attributes)) {
      settings.push({
        id: `listener-attribute:${port}:${key}`,
        value: JSON.stringify(value),
        annotation: `listener-attributes.${protocol}-${port}`,
        label: `listener attribute ${key} of port ${port}`,
        strip: (current) => ({ ...current, listenerAttributes: withoutListenerAttribute(current.listenerAttributes, port, key) }),
      });
    }
  }
  for (const [key, value] of Object.entries(annotations.loadBalancerAttributes)) {
    settings.push({
      id: `attribute:${key}`,
      value: JSON.stringify(value),
      annotation: 'load-balancer-attributes',
      label: `load balancer attribute ${key}`,
      strip: (current) => ({
        ...current,
        loadBalancerAttributes: Object.fromEntries(Object.entries(current.loadBalancerAttributes).filter(([other]) => other !== key)),
      }),
    });
  }
  for (const [key, value] of Object.entries(annotations.tags)) {
    settings.push({
      id: `tag:${key}`,
      value: JSON.stringify(value),
      annotation: 'tags',
      label: `tag ${key}`,
      strip: (current) => ({ ...current, tags: Object.fromEntries(Object.entries(current.tags).filter(([other]) => other !== key)) }),
    });
  }
  if (annotations.sslPolicy !== undefined) {
    for (const { protocol, port } of contribution.listenPorts) {
      if (protocol !== 'HTTPS') continue;
      // One policy per member: a member that loses it on one port loses it on all, so it never mixes.
      settings.push({
        id: `ssl-policy:${port}`,
        value: annotations.sslPolicy,
        annotation: 'ssl-policy',
        label: `ssl-policy of port ${port}`,
        strip: (current) => withoutKey(current, 'sslPolicy'),
      });
    }
  }
  return settings;
}

/** Settings a member cannot be served without: a disagreement leaves it out. */
function hardSettingsOf(contribution: MemberContribution): HardSetting[] {
  const { ingress } = contribution.member;
  const settings: HardSetting[] = contribution.listenPorts.map(({ protocol, port }) => ({
    id: `listener:${port}`,
    value: protocol,
    field: annotationField(ingress, 'listen-ports'),
    message: `port ${port} is ${protocol}`,
  }));
  if (contribution.defaultAction) {
    settings.push({ id: 'default-backend', value: 'a defaultBackend', field: 'spec.defaultBackend', message: 'the group has one default backend' });
  }
  return settings;
}

/** The member that supplies the group's default backend, if any. */
export function defaultBackendOwner(admitted: readonly MemberContribution[]): { owner: MemberContribution; action: Action } | undefined {
  const owner = admitted.find((contribution) => contribution.defaultAction);
  return owner?.defaultAction ? { owner, action: owner.defaultAction } : undefined;
}
