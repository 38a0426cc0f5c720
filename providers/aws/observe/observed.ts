/**
 * What observe found for one stack, as plain data in the SDK's own types, so diff is a pure function
 * of it and tests can build one by hand. Only resources tagged for the stack are here, plus (inside
 * our own listeners) rules that are not tagged as ours: diff needs their priorities to avoid them,
 * and never touches them.
 * @module
 */
import type {
  Certificate,
  Listener,
  LoadBalancer,
  LoadBalancerAttribute,
  Rule,
  Tag,
  TargetGroup,
  TargetGroupAttribute,
  TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Observed } from '../../../src/provider.js';
import type { ObservedCertificate } from './certificates.js';
import type { SubnetResolution } from './subnets.js';
import type { ObservedSecurityGroups } from './security-groups.js';

/** What stands in front of the load balancer (addons.ts reads it). */
export interface ObservedAddons {
  /** Present when read: the ARN of the web ACL associated now, if any. */
  webAcl?: { associatedArn?: string };
  /** Present when read: the load balancer's Shield protection, if any (ours or anyone's). */
  shield?: { protectionId?: string };
}

export interface ObservedLoadBalancer {
  description: LoadBalancer;
  attributes: LoadBalancerAttribute[];
  tags: Tag[];
}

export interface ObservedRule {
  /** A non-default rule, as DescribeRules returns it. */
  description: Rule;
  tags: Tag[];
}

export interface ObservedListener {
  description: Listener;
  /** Every certificate of the listener, the default one included (IsDefault marks it). */
  certificates: Certificate[];
  tags: Tag[];
  rules: ObservedRule[];
}

export interface ObservedTargetGroup {
  description: TargetGroup;
  attributes: TargetGroupAttribute[];
  tags: Tag[];
  /** Registered targets with their health, as DescribeTargetHealth returns them. */
  targets: TargetHealthDescription[];
}

export interface AwsObserved extends Observed {
  readonly stackId: string;
  readonly provider: 'aws';
  loadBalancer?: ObservedLoadBalancer;
  /** The listeners of our load balancer that carry our tags. */
  listeners: ObservedListener[];
  targetGroups: ObservedTargetGroup[];
  certificates: ObservedCertificate[];
  securityGroups: ObservedSecurityGroups;
  /** Made when observe was given the spec: subnets, discovered certificates, backend groups. */
  lookups?: SpecLookups;
  /** Without a spec (the stack is deleted): our Shield protection, when the marker tag says there is one. */
  addons?: ObservedAddons;
  /** By function target-group key: the function it names, as Lambda answers (observe/functions.ts). Absent without functions. */
  functions?: Record<string, ObservedFunction>;
}

/** A function of a function target group, and our statement in its policy. */
export interface ObservedFunction {
  exists: boolean;
  /** The ARN RegisterTargets takes, qualifier included (read when the spec names the function). */
  arn?: string;
  /** Our statement (`ingress-bridge-<target group name>`) and the target group ARN it admits. */
  statement?: { sid: string; sourceArn?: string };
  /**
   * false when the function lacks `ingress-bridge.io/cluster=<this cluster>` (ListTags): the IAM
   * policy lets us add our statement to no other function, so it cannot be a target.
   */
  tagged?: boolean;
  /** Why the function cannot be a target (it does not exist, or is not tagged for this cluster). */
  problem?: string;
}

export function isAwsObserved(observed: Observed): observed is AwsObserved {
  return (observed as Partial<AwsObserved>).provider === 'aws';
}

/** Lookups that depend on the spec rather than on what the stack owns (observe/lookups.ts). */
export interface SpecLookups {
  /** Resolved when a load balancer is to be created or the spec names its subnets. */
  subnets?: SubnetResolution;
  discoveredCertificates: ObservedCertificate[];
  /** `${Certificate:key}` → why no issued certificate covers the key's hosts. */
  certificateProblems: Record<string, string>;
  backendGroupIds: string[];
  /** Names resolved to ARNs (named-resources.ts): web ACL name, trust store name, outside target-group key → ARN. */
  webAclArns?: Record<string, string>;
  trustStoreArns?: Record<string, string>;
  externalTargetGroupArns?: Record<string, string>;
  /** The attributes of kept listeners whose spec lists some, by port (listener-attributes.ts). */
  listenerAttributes?: Record<number, Record<string, string>>;
  /** Placeholder → why a name could not be resolved, for apply's error. */
  problems?: Record<string, string>;
  /** The web ACL and Shield protection of the load balancer, when the spec or our marker tags ask (addons.ts). */
  addons?: ObservedAddons;
}
