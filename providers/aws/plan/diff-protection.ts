/**
 * What stands in front of the load balancer: its WAFv2 web ACL (AssociateWebACL, DisassociateWebACL)
 * and its Shield Advanced protection (CreateProtection, DeleteProtection). Pure.
 *
 * Neither the association nor (always) the protection is ours, so the provider undoes only what it
 * did, and remembers what it did in marker tags on the load balancer (tags.ts): the ARN of the web
 * ACL it associated, and that it created the protection. An ACL or protection set outside
 * ingress-bridge (Firewall Manager, the console) is never removed because an annotation is absent —
 * aws-load-balancer-controller removed such ACLs until v2.8.2, which its security advisory describes.
 * `wafv2-acl-arn: none` removes any association, as in aws-load-balancer-controller.
 *
 * Order, for crash safety: a marker is added (tag phase) before the call it records, and removed
 * after the call it records is undone; so a crash in between leaves a marker whose next reconcile
 * finishes the job, never an association or protection of ours without a marker:
 *   before tags: DisassociateWebACL, DeleteProtection   (their markers go in the tag phase)
 *   after tags:  AssociateWebACL, CreateProtection      (their markers came in the tag phase)
 * A load balancer created in this plan gets its markers in CreateLoadBalancer's own tags.
 * @module
 */
import type { LoadBalancerSpec } from '../../../src/model.js';
import type { ObservedAddons, ObservedLoadBalancer } from '../observe/observed.js';
import { toElbv2Tags } from './elbv2-shapes.js';
import type { AwsOperation } from './operations.js';
import { LOAD_BALANCER_ID, LOAD_BALANCER_REF, SHIELD_PROTECTION_ID, webAclRef } from './resource-ids.js';
import { ownershipTags, SHIELD_TAG, tagValue, WEB_ACL_TAG } from './tags.js';

export interface ProtectionPlan {
  /** Marker tags the load balancer should carry after this plan (merged into its desired tags). */
  markerTags: Record<string, string>;
  beforeTags: AwsOperation[];
  afterTags: AwsOperation[];
}

export interface ProtectionInput {
  spec: LoadBalancerSpec;
  /** The load balancer kept by the plan; undefined when it is created (or replaced) now. */
  loadBalancer: ObservedLoadBalancer | undefined;
  addons: ObservedAddons | undefined;
  /** Web ACL name → ARN, from the lookups. */
  webAclArns: Readonly<Record<string, string>>;
  clusterName: string;
}

const WAF_RESOURCE = `${LOAD_BALANCER_ID}/WebACL`;

export function planProtection(input: ProtectionInput): ProtectionPlan {
  const plan: ProtectionPlan = { markerTags: {}, beforeTags: [], afterTags: [] };
  planWebAcl(input, plan);
  planShield(input, plan);
  return plan;
}

function planWebAcl(input: ProtectionInput, plan: ProtectionPlan): void {
  const { spec, loadBalancer, addons } = input;
  const marker = loadBalancer && tagValue(loadBalancer.tags, WEB_ACL_TAG);
  const current = loadBalancer ? addons?.webAcl?.associatedArn : undefined;
  const wanted = spec.webAcl;
  if (wanted?.kind === 'arn' || wanted?.kind === 'name') {
    const resolved = wanted.kind === 'arn' ? wanted.arn : input.webAclArns[wanted.name];
    const arn = resolved ?? webAclRef(wanted.kind === 'name' ? wanted.name : '');
    // A name the lookup did not find is left to its placeholder, which fails the association saying
    // why; nothing else of the plan (the load balancer's tags among it) may depend on it.
    if (resolved !== undefined) plan.markerTags[WEB_ACL_TAG] = resolved;
    else if (marker !== undefined) plan.markerTags[WEB_ACL_TAG] = marker;
    if (current !== arn) plan.afterTags.push(wafOperation('AssociateWebACL', { WebACLArn: arn, ResourceArn: LOAD_BALANCER_REF }));
    return;
  }
  // `none` removes whatever is associated; no annotation removes only what we associated ourselves.
  const ours = wanted?.kind === 'none' ? current !== undefined : marker !== undefined && current === marker;
  if (ours) plan.beforeTags.push(wafOperation('DisassociateWebACL', { ResourceArn: LOAD_BALANCER_REF }));
}

function planShield(input: ProtectionInput, plan: ProtectionPlan): void {
  const { spec, loadBalancer, addons } = input;
  const marked = loadBalancer !== undefined && tagValue(loadBalancer.tags, SHIELD_TAG) !== undefined;
  const protectionId = loadBalancer ? addons?.shield?.protectionId : undefined;
  if (spec.shieldAdvancedProtection === true) {
    if (protectionId === undefined) {
      plan.markerTags[SHIELD_TAG] = 'true';
      plan.afterTags.push(createProtection(spec, input.clusterName));
    } else if (marked) {
      plan.markerTags[SHIELD_TAG] = 'true';
    }
    return;
  }
  if (marked && protectionId !== undefined) plan.beforeTags.push(deleteProtection(protectionId));
}

/** When the stack goes: our protection is deleted before its load balancer (the association goes with the load balancer). */
export function planProtectionCleanup(loadBalancer: ObservedLoadBalancer | undefined, addons: ObservedAddons | undefined): AwsOperation[] {
  const marked = loadBalancer !== undefined && tagValue(loadBalancer.tags, SHIELD_TAG) !== undefined;
  const protectionId = addons?.shield?.protectionId;
  return marked && protectionId !== undefined ? [deleteProtection(protectionId)] : [];
}

function wafOperation(action: 'AssociateWebACL' | 'DisassociateWebACL', input: Record<string, unknown>): AwsOperation {
  return { action, resource: WAF_RESOURCE, detail: { service: 'wafv2', input } };
}

/** Shield's Name allows letters, digits, spaces and `_.-`: the load balancer's name is made of those. */
function createProtection(spec: LoadBalancerSpec, clusterName: string): AwsOperation {
  return {
    action: 'CreateProtection',
    resource: SHIELD_PROTECTION_ID,
    detail: {
      service: 'shield',
      input: {
        Name: `ingress-bridge ${spec.stack.name}`,
        ResourceArn: LOAD_BALANCER_REF,
        Tags: toElbv2Tags(ownershipTags(clusterName, spec.stack.id, SHIELD_PROTECTION_ID)),
      },
    },
  };
}

function deleteProtection(protectionId: string): AwsOperation {
  return { action: 'DeleteProtection', resource: SHIELD_PROTECTION_ID, detail: { service: 'shield', input: { ProtectionId: protectionId } } };
}
