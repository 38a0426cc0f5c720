/**
 * Write-through: what one successful call of ours did to the stack, applied to the memory
 * (memory.ts), from the call's own input and answer, so the next reconcile knows it without reading
 * it back. Each ELBv2 create and modify answers with the resource as Describe shows it; deletes,
 * registrations and tags change what the input names. ACM tags and the security groups' grants
 * (write-through-security-groups.ts) are applied the same way; an EC2 call that module does not
 * know marks the groups stale, to be read again before the next diff relies on them. Our statements
 * in functions' policies (AddPermission, RemovePermission) go to the remembered functions
 * (function-memory.ts).
 *
 * A call this module does not know makes the provider drop the memory, so the next observe is full.
 * @module
 */
import type {
  Certificate,
  Listener,
  LoadBalancer,
  LoadBalancerAttribute,
  Rule,
  Tag,
  TargetDescription,
  TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { FINGERPRINT_TAG, USED_BY_TAG_PREFIX, usedByTagKey } from '../plan/tags.js';
import type { AwsService } from '../plan/operations.js';
import { observedCertificate } from './certificates.js';
import { writeFunctionCall } from './function-memory.js';
import { RegisteredTargets, type StackMemory } from './memory.js';
import { writeSecurityGroupCall } from './write-through-security-groups.js';
import type { ObservedListener } from './observed.js';

/** One call that succeeded: the input as sent (placeholders resolved) and AWS's answer. */
export interface SucceededCall {
  service: AwsService;
  action: string;
  input: Record<string, unknown>;
  output: unknown;
}

type Fields = Record<string, unknown>;

/**
 * False when the call is one this module cannot mirror (an action added to the plans but not here):
 * the memory may then differ from AWS in ways diff would see, and the caller drops it.
 */
export function writeThrough(memory: StackMemory, call: SucceededCall, clusterName: string): boolean {
  const output = (call.output ?? {}) as Fields;
  if (call.service === 'ec2') {
    if (!writeSecurityGroupCall(memory.securityGroups, call.action, call.input, output)) memory.securityGroupsStale = true;
    return true;
  }
  if (call.service === 'acm') return writeCertificate(memory, call, clusterName);
  // The web ACL association and the Shield protection are not remembered: each observe reads them (addons.ts).
  if (call.service === 'wafv2' || call.service === 'shield') return true;
  if (call.service === 'lambda') return writeFunctionCall(memory.functions ?? new Map<string, never>(), call.action, call.input);
  if (call.service !== 'elbv2') return false;
  const write = ELBV2[call.action];
  write?.(memory, call.input, output);
  return write !== undefined;
}

type Write = (memory: StackMemory, input: Fields, output: Fields) => void;

const ELBV2: Readonly<Record<string, Write>> = {
  CreateLoadBalancer: (memory, input, output) => {
    const description = first(output.LoadBalancers) as LoadBalancer | undefined;
    if (!description) return;
    // By the same name AWS answers with the load balancer that exists; its listeners are then the ones remembered.
    const same = memory.loadBalancer?.description.LoadBalancerArn === description.LoadBalancerArn;
    memory.loadBalancer = { description, attributes: same ? (memory.loadBalancer?.attributes ?? []) : [], tags: tagsOf(input) };
    if (!same) memory.listeners = [];
  },
  DeleteLoadBalancer: (memory, input) => {
    if (memory.loadBalancer?.description.LoadBalancerArn !== input.LoadBalancerArn) return;
    delete memory.loadBalancer;
    memory.listeners = [];
  },
  ModifyLoadBalancerAttributes: (memory, _input, output) => {
    if (memory.loadBalancer) memory.loadBalancer.attributes = (output.Attributes as LoadBalancerAttribute[] | undefined) ?? memory.loadBalancer.attributes;
  },
  SetSecurityGroups: (memory, _input, output) => {
    if (memory.loadBalancer) memory.loadBalancer.description = { ...memory.loadBalancer.description, SecurityGroups: output.SecurityGroupIds as string[] };
  },
  SetSubnets: (memory, _input, output) => {
    if (!memory.loadBalancer) return;
    const { AvailabilityZones, IpAddressType } = output as Pick<LoadBalancer, 'AvailabilityZones' | 'IpAddressType'>;
    memory.loadBalancer.description = {
      ...memory.loadBalancer.description,
      ...(AvailabilityZones && { AvailabilityZones }),
      ...(IpAddressType && { IpAddressType }),
    };
  },
  SetIpAddressType: (memory, _input, output) => {
    if (memory.loadBalancer)
      memory.loadBalancer.description = { ...memory.loadBalancer.description, IpAddressType: output.IpAddressType as LoadBalancer['IpAddressType'] };
  },
  CreateListener: (memory, input, output) => {
    const description = first(output.Listeners) as Listener | undefined;
    if (!description) return;
    const certificates: Certificate[] = (description.Certificates ?? []).map((certificate) => ({
      CertificateArn: certificate.CertificateArn,
      IsDefault: true,
    }));
    memory.listeners = [
      ...memory.listeners.filter((listener) => listener.description.ListenerArn !== description.ListenerArn),
      { description, certificates, tags: tagsOf(input), rules: [] },
    ];
  },
  ModifyListener: (memory, _input, output) => {
    const description = first(output.Listeners) as Listener | undefined;
    const listener = description && listenerOf(memory, description.ListenerArn);
    if (!description || !listener) return;
    listener.description = description;
    const defaultArn = description.Certificates?.[0]?.CertificateArn;
    const extras = description.Protocol === 'HTTPS' ? listener.certificates.filter((certificate) => !certificate.IsDefault) : [];
    listener.certificates = [...(defaultArn !== undefined ? [{ CertificateArn: defaultArn, IsDefault: true }] : []), ...extras];
  },
  // Listener attributes are not remembered: each observe reads them with the spec's lookups (lookups.ts).
  ModifyListenerAttributes: () => undefined,
  DeleteListener: (memory, input) => {
    memory.listeners = memory.listeners.filter((listener) => listener.description.ListenerArn !== input.ListenerArn);
  },
  AddListenerCertificates: (memory, input, output) => {
    const listener = listenerOf(memory, input.ListenerArn);
    if (!listener) return;
    for (const { CertificateArn } of (output.Certificates as Certificate[] | undefined) ?? []) {
      if (!listener.certificates.some((certificate) => certificate.CertificateArn === CertificateArn))
        listener.certificates.push({ CertificateArn, IsDefault: false });
    }
  },
  RemoveListenerCertificates: (memory, input) => {
    const listener = listenerOf(memory, input.ListenerArn);
    if (!listener) return;
    const removed = new Set(((input.Certificates as Certificate[] | undefined) ?? []).map((certificate) => certificate.CertificateArn));
    listener.certificates = listener.certificates.filter((certificate) => certificate.IsDefault || !removed.has(certificate.CertificateArn));
  },
  CreateRule: (memory, input, output) => {
    const description = first(output.Rules) as Rule | undefined;
    const listener = listenerOf(memory, input.ListenerArn);
    if (description && listener) listener.rules.push({ description, tags: tagsOf(input) });
  },
  ModifyRule: (memory, _input, output) => {
    const description = first(output.Rules) as Rule | undefined;
    const rule = description && ruleOf(memory, description.RuleArn);
    if (description && rule) rule.description = description;
  },
  SetRulePriorities: (memory, _input, output) => {
    for (const description of (output.Rules as Rule[] | undefined) ?? []) {
      const rule = ruleOf(memory, description.RuleArn);
      if (rule) rule.description = description;
    }
  },
  DeleteRule: (memory, input) => {
    for (const listener of memory.listeners) listener.rules = listener.rules.filter((rule) => rule.description.RuleArn !== input.RuleArn);
  },
  CreateTargetGroup: (memory, input, output) => {
    const description = first(output.TargetGroups) as TargetGroup | undefined;
    if (!description) return;
    const known = memory.targetGroups.find((group) => group.description.TargetGroupArn === description.TargetGroupArn);
    if (known) known.description = description;
    else memory.targetGroups.push({ description, attributes: [], tags: tagsOf(input), targets: new RegisteredTargets() });
  },
  ModifyTargetGroup: (memory, _input, output) => {
    const description = first(output.TargetGroups) as TargetGroup | undefined;
    const group = description && memory.targetGroups.find((candidate) => candidate.description.TargetGroupArn === description.TargetGroupArn);
    if (description && group) group.description = description;
  },
  ModifyTargetGroupAttributes: (memory, input, output) => {
    const group = memory.targetGroups.find((candidate) => candidate.description.TargetGroupArn === input.TargetGroupArn);
    if (group) group.attributes = (output.Attributes as LoadBalancerAttribute[] | undefined) ?? group.attributes;
  },
  DeleteTargetGroup: (memory, input) => {
    memory.targetGroups = memory.targetGroups.filter((group) => group.description.TargetGroupArn !== input.TargetGroupArn);
  },
  RegisterTargets: (memory, input) => {
    const group = memory.targetGroups.find((candidate) => candidate.description.TargetGroupArn === input.TargetGroupArn);
    for (const target of (input.Targets as TargetDescription[] | undefined) ?? []) group?.targets.add(target);
  },
  DeregisterTargets: (memory, input) => {
    const group = memory.targetGroups.find((candidate) => candidate.description.TargetGroupArn === input.TargetGroupArn);
    for (const target of (input.Targets as TargetDescription[] | undefined) ?? []) group?.targets.delete(target);
  },
  AddTags: (memory, input) => {
    const added = (input.Tags as Tag[] | undefined) ?? [];
    for (const arn of (input.ResourceArns as string[] | undefined) ?? []) {
      const holder = tagHolderOf(memory, arn);
      if (holder) holder.tags = [...holder.tags.filter((tag) => !added.some((add) => add.Key === tag.Key)), ...added];
    }
  },
  RemoveTags: (memory, input) => {
    const removed = new Set((input.TagKeys as string[] | undefined) ?? []);
    for (const arn of (input.ResourceArns as string[] | undefined) ?? []) {
      const holder = tagHolderOf(memory, arn);
      if (holder) holder.tags = holder.tags.filter((tag) => !removed.has(tag.Key ?? ''));
    }
  },
};

/** Imports, tag changes and deletions of the cluster's imported certificates. */
function writeCertificate(memory: StackMemory, call: SucceededCall, clusterName: string): boolean {
  const input = call.input;
  const output = (call.output ?? {}) as Fields;
  const arn = (input.CertificateArn ?? output.CertificateArn) as string | undefined;
  const known = memory.certificates.find((certificate) => certificate.arn === arn);
  switch (call.action) {
    case 'ImportCertificate': {
      // A reimport in place (CertificateArn given) carries no tags; AddTagsToCertificate follows it.
      if (arn === undefined || input.CertificateArn !== undefined || known) return true;
      const imported = observedCertificate(arn, tagsOf(input), clusterName, memory.stackId);
      if (imported) memory.certificates.push(imported);
      return true;
    }
    case 'AddTagsToCertificate':
      for (const { Key, Value } of tagsOf(input)) {
        if (!known || Key === undefined) continue;
        if (Key === FINGERPRINT_TAG) known.fingerprint = Value ?? '';
        if (Key.startsWith(USED_BY_TAG_PREFIX) && Value !== undefined) {
          known.usedBy = [...new Set([...(known.usedBy ?? []), Value])];
          if (Key === usedByTagKey(memory.stackId)) known.inUse = true;
        }
      }
      return true;
    case 'RemoveTagsFromCertificate': {
      if (!known) return true;
      const keys = new Set(tagsOf(input).map((tag) => tag.Key));
      known.usedBy = (known.usedBy ?? []).filter((stackId) => !keys.has(usedByTagKey(stackId)));
      if (keys.has(usedByTagKey(memory.stackId))) known.inUse = false;
      return true;
    }
    case 'DeleteCertificate':
      memory.certificates = memory.certificates.filter((certificate) => certificate.arn !== arn);
      return true;
    default:
      return false;
  }
}

/** The first element of a list in an answer (the resource a create or modify answers with). */
function first(list: unknown): unknown {
  return Array.isArray(list) ? (list[0] as unknown) : undefined;
}

function tagsOf(input: Fields): Tag[] {
  return (input.Tags as Tag[] | undefined) ?? [];
}

function listenerOf(memory: StackMemory, arn: unknown): ObservedListener | undefined {
  return memory.listeners.find((listener) => listener.description.ListenerArn === arn);
}

function ruleOf(memory: StackMemory, arn: unknown): { description: Rule; tags: Tag[] } | undefined {
  for (const listener of memory.listeners) {
    const rule = listener.rules.find((candidate) => candidate.description.RuleArn === arn);
    if (rule) return rule;
  }
  return undefined;
}

/** The remembered resource (load balancer, listener, rule, target group) whose tags an ARN names. */
function tagHolderOf(memory: StackMemory, arn: string): { tags: Tag[] } | undefined {
  if (memory.loadBalancer?.description.LoadBalancerArn === arn) return memory.loadBalancer;
  return listenerOf(memory, arn) ?? ruleOf(memory, arn) ?? memory.targetGroups.find((group) => group.description.TargetGroupArn === arn);
}
