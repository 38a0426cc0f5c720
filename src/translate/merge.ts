/**
 * Admission of a group's members into one load balancer. Members are taken in group order; the first
 * to set a load-balancer-wide setting (scheme, subnets, a listener's protocol, the default backend…)
 * decides it, and a later member that disagrees is left out whole, with a diagnostic naming the field
 * and the member it conflicts with, so it never changes what the others get.
 * @module
 */
import type { Action, Diagnostic } from '../model.js';
import type { IngressAnnotations } from './annotation-types.js';
import { annotationField, ingressDiagnostic } from './diagnostics.js';
import type { MemberContribution } from './member.js';

type Claim = { value: string; owner: MemberContribution };

/** Settings that must agree across a group, by the annotation that sets them. */
const EXCLUSIVE_SETTINGS: { key: string; read: (annotations: IngressAnnotations) => unknown }[] = [
  { key: 'scheme', read: (annotations) => annotations.scheme },
  { key: 'ip-address-type', read: (annotations) => annotations.ipAddressType },
  { key: 'subnets', read: (annotations) => annotations.subnets },
  { key: 'security-groups', read: (annotations) => annotations.securityGroups },
  { key: 'load-balancer-name', read: (annotations) => annotations.loadBalancerName },
];

export interface Admission {
  admitted: MemberContribution[];
  diagnostics: Diagnostic[];
}

function describe(owner: MemberContribution): string {
  return `${owner.member.ref.namespace}/${owner.member.ref.name}`;
}

export function admitMembers(contributions: readonly MemberContribution[]): Admission {
  const claims = new Map<string, Claim>();
  const admitted: MemberContribution[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const contribution of contributions) {
    if (!contribution.valid) continue;
    const conflict = findConflict(contribution, claims);
    if (conflict) {
      diagnostics.push(
        ingressDiagnostic(contribution.member.ingress, conflict.field, 'error',
          `${conflict.message}, already set to ${conflict.claim.value} by ${describe(conflict.claim.owner)} earlier in the group; ` +
            'the Ingress is left out of its load balancer until they agree'),
      );
      continue;
    }
    for (const [name, value] of claimsOf(contribution)) if (!claims.has(name)) claims.set(name, { value: value.value, owner: contribution });
    admitted.push(contribution);
  }
  return { admitted, diagnostics };
}

interface ClaimValue {
  value: string;
  field: string;
  message: string;
}

/** Every group-wide setting the member states, keyed so that two members' claims can be compared. */
function claimsOf(contribution: MemberContribution): Map<string, ClaimValue> {
  const { ingress, annotations } = contribution.member;
  const claims = new Map<string, ClaimValue>();
  for (const setting of EXCLUSIVE_SETTINGS) {
    const value = setting.read(annotations);
    if (value !== undefined) {
      claims.set(setting.key, { value: JSON.stringify(value), field: annotationField(ingress, setting.key), message: `${setting.key} is ${JSON.stringify(value)}` });
    }
  }
  for (const [key, value] of Object.entries(annotations.loadBalancerAttributes)) {
    claims.set(`attribute:${key}`, { value: JSON.stringify(value), field: annotationField(ingress, 'load-balancer-attributes'), message: `load balancer attribute ${key} is ${JSON.stringify(value)}` });
  }
  for (const { protocol, port } of contribution.listenPorts) {
    claims.set(`listener:${port}`, { value: protocol, field: annotationField(ingress, 'listen-ports'), message: `port ${port} is ${protocol}` });
    if (protocol === 'HTTPS' && annotations.sslPolicy !== undefined) {
      claims.set(`ssl-policy:${port}`, { value: annotations.sslPolicy, field: annotationField(ingress, 'ssl-policy'), message: `ssl-policy of port ${port} is ${annotations.sslPolicy}` });
    }
  }
  if (contribution.defaultAction) {
    claims.set('default-backend', { value: 'a defaultBackend', field: 'spec.defaultBackend', message: 'the group has one default backend' });
  }
  return claims;
}

function findConflict(contribution: MemberContribution, claims: ReadonlyMap<string, Claim>): (ClaimValue & { claim: Claim }) | undefined {
  for (const [name, value] of claimsOf(contribution)) {
    const claim = claims.get(name);
    if (claim && (name === 'default-backend' || claim.value !== value.value)) return { ...value, claim };
  }
  return undefined;
}

/** The member that supplies the group's default backend, if any. */
export function defaultBackendOwner(admitted: readonly MemberContribution[]): { owner: MemberContribution; action: Action } | undefined {
  const owner = admitted.find((contribution) => contribution.defaultAction);
  return owner?.defaultAction ? { owner, action: owner.defaultAction } : undefined;
}
