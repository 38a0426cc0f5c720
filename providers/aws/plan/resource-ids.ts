/**
 * The logical ids the provider writes into the `ingress-bridge.io/resource` tag, and the placeholders
 * a plan uses for ARNs and IDs that apply fills in. One place, so observe, diff and apply agree.
 *
 * Rules are tagged per listener, not per priority: a rule keeps its identity (and its tags) when
 * SetRulePriorities moves it, and diff matches rules by content anyway.
 * @module
 */
import { placeholder } from './operations.js';

export const LOAD_BALANCER_ID = 'LoadBalancer';

export function listenerId(port: number): string {
  return `Listener/${port}`;
}

export function ruleId(port: number): string {
  return `Rule/${port}`;
}

const TARGET_GROUP_PREFIX = 'TargetGroup/';

export function targetGroupId(key: string): string {
  return `${TARGET_GROUP_PREFIX}${key}`;
}

/** The target-group key in a `TargetGroup/<key>` resource id. */
export function targetGroupKeyOf(resourceId: string | undefined): string | undefined {
  return resourceId?.startsWith(TARGET_GROUP_PREFIX) ? resourceId.slice(TARGET_GROUP_PREFIX.length) : undefined;
}

export const LOAD_BALANCER_REF = placeholder('LoadBalancer');
/** The load balancer's DNS name, recorded by apply when CreateLoadBalancer answers. */
export const LOAD_BALANCER_DNS_REF = placeholder('LoadBalancer', 'dns');
/** A list placeholder: the array element `${Subnets}` becomes the discovered subnet ids at apply time. */
export const SUBNETS_REF = placeholder('Subnets');
/** The VPC new target groups (and a managed security group) go into, found at apply time when unknown. */
export const VPC_REF = placeholder('Vpc');
export const FRONTEND_SECURITY_GROUP_REF = placeholder('SecurityGroup', 'frontend');

export function listenerRef(port: number): string {
  return placeholder('Listener', String(port));
}

export function targetGroupRef(key: string): string {
  return placeholder('TargetGroup', key);
}

const [TARGET_GROUP_REF_PREFIX = '', TARGET_GROUP_REF_SUFFIX = ''] = targetGroupRef('\u0000').split('\u0000');

/** The target-group key in a `${TargetGroup:<key>}` reference (the inverse of targetGroupRef). */
export function targetGroupKeyOfRef(ref: string): string | undefined {
  return ref.startsWith(TARGET_GROUP_REF_PREFIX) && ref.endsWith(TARGET_GROUP_REF_SUFFIX)
    ? ref.slice(TARGET_GROUP_REF_PREFIX.length, ref.length - TARGET_GROUP_REF_SUFFIX.length)
    : undefined;
}

export function certificateRef(key: string): string {
  return placeholder('Certificate', key);
}

/** An OIDC client secret, read from its Secret by apply when the call is sent: never in a plan. */
export function clientSecretRef(namespace: string, name: string): string {
  return placeholder('ClientSecret', `${namespace}/${name}`);
}

/** A web ACL, trust store or outside target group given by name, whose lookup found nothing (apply fails with why). */
export function webAclRef(name: string): string {
  return placeholder('WebAcl', name);
}

export function trustStoreRef(name: string): string {
  return placeholder('TrustStore', name);
}

/** The Shield protection the provider creates for the stack's load balancer. */
export const SHIELD_PROTECTION_ID = 'ShieldProtection';

/** Logical ids of the managed security group and of our rules on the targets' groups. */
export const FRONTEND_RESOURCE = 'SecurityGroup/frontend';
export const BACKEND_RULE_RESOURCE = 'SecurityGroupRule/backend';
