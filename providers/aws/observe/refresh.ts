/**
 * Reads again, into the memory, only the parts of a stack a change touches (plan/touched.ts), so a
 * reconcile verifies what it is about to change without reading the whole stack: an edited path
 * costs DescribeRules of its listeners, not the ~100 reads of an L stack. Tags are read only for
 * resources the memory does not know yet (a rule someone added by hand, say).
 *
 * Answers false when something the memory names is gone: the caller then observes the stack in full.
 * @module
 */
import type { Tag } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { TouchedParts } from '../plan/touched.js';
import { resourceIdOf } from '../plan/tags.js';
import { targetGroupKeyOf } from '../plan/resource-ids.js';
import type { AwsClients } from '../sdk/clients.js';
import { isListenerOrRuleNotFound, isNotFound } from '../sdk/errors.js';
import type { Call } from '../sdk/retry.js';
import { observeCertificates } from './certificates.js';
import {
  describeListenerCertificates,
  describeListenerDetails,
  describeListeners,
  describeLoadBalancer,
  describeLoadBalancerAttributes,
  describeRules,
  describeTags,
  describeTargetGroupAttributes,
  describeTargetGroups,
  type Elbv2Reader,
} from './elbv2.js';
import type { StackMemory } from './memory.js';
import { ownerOf } from './observe.js';
import { observeSecurityGroups } from './security-groups.js';

export interface RefreshContext {
  clients: AwsClients;
  call: Call;
  clusterName: string;
  /** Whether the spec manages any attribute of the target group with this key (only those are read). */
  managedAttributes: (key: string | undefined) => boolean;
}

export async function refreshTouched(memory: StackMemory, touched: TouchedParts, context: RefreshContext): Promise<boolean> {
  const reader: Elbv2Reader = { clients: context.clients, call: context.call };
  try {
    const found = await Promise.all([
      touched.loadBalancer ? refreshLoadBalancer(reader, memory) : true,
      touched.targetGroups.size > 0 ? refreshTargetGroups(reader, memory, touched.targetGroups, context) : true,
      touched.certificates ? refreshCertificates(memory, context) : true,
      touched.securityGroups ? refreshSecurityGroups(memory, context) : true,
      refreshListeners(reader, memory, touched),
    ]);
    return found.every(Boolean);
  } catch (error) {
    if (isNotFound(error) || isListenerOrRuleNotFound(error)) return false;
    throw error;
  }
}

/** The security groups, when our own EC2 calls left them stale (write-through.ts). */
export async function refreshSecurityGroups(memory: StackMemory, context: RefreshContext): Promise<true> {
  memory.securityGroups = await context.call('observeSecurityGroups', () => observeSecurityGroups(context.clients, context.clusterName, memory.stackId));
  memory.securityGroupsStale = false;
  return true;
}

async function refreshLoadBalancer(reader: Elbv2Reader, memory: StackMemory): Promise<boolean> {
  const remembered = memory.loadBalancer;
  if (!remembered) return true;
  const arn = remembered.description.LoadBalancerArn ?? '';
  const [description, attributes] = await Promise.all([describeLoadBalancer(reader, arn), describeLoadBalancerAttributes(reader, arn)]);
  if (!description) return false;
  remembered.description = description;
  remembered.attributes = attributes;
  return true;
}

async function refreshTargetGroups(reader: Elbv2Reader, memory: StackMemory, keys: ReadonlySet<string>, context: RefreshContext): Promise<boolean> {
  const remembered = memory.targetGroups.filter((group) => keys.has(targetGroupKeyOf(resourceIdOf(group.tags)) ?? ''));
  if (remembered.length === 0) return true;
  const descriptions = await describeTargetGroups(
    reader,
    remembered.map((group) => group.description.TargetGroupArn ?? ''),
  );
  if (descriptions.length !== remembered.length) return false;
  await Promise.all(
    remembered.map(async (group) => {
      const description = descriptions.find((candidate) => candidate.TargetGroupArn === group.description.TargetGroupArn);
      if (description) group.description = description;
      if (context.managedAttributes(targetGroupKeyOf(resourceIdOf(group.tags))))
        group.attributes = await describeTargetGroupAttributes(reader, group.description.TargetGroupArn ?? '');
    }),
  );
  return true;
}

/** Every certificate the cluster imported, those the memory holds read directly should the tagging index lag. */
async function refreshCertificates(memory: StackMemory, context: RefreshContext): Promise<true> {
  const knownArns = memory.certificates.filter((certificate) => certificate.secret !== undefined).map((certificate) => certificate.arn);
  memory.certificates = await context.call('observeCertificates', () =>
    observeCertificates(context.clients, context.clusterName, memory.stackId, { knownArns }),
  );
  return true;
}

/** The listener list, and the rules and certificate lists of the touched listeners. */
async function refreshListeners(reader: Elbv2Reader, memory: StackMemory, touched: TouchedParts): Promise<boolean> {
  const lbArn = memory.loadBalancer?.description.LoadBalancerArn;
  if (lbArn === undefined) return true;
  if (touched.listeners) {
    const descriptions = await describeListeners(reader, lbArn);
    const known = new Map(memory.listeners.map((listener) => [listener.description.ListenerArn, listener]));
    const added = await Promise.all(
      descriptions.filter((description) => !known.has(description.ListenerArn)).map((description) => describeListenerDetails(reader, description)),
    );
    await tagUnknown(
      reader,
      added.flatMap((listener) => [listener, ...listener.rules]),
      (listener) => ('rules' in listener ? listener.description.ListenerArn : listener.description.RuleArn),
    );
    const owner = ownerOf(memory.loadBalancer?.tags ?? []);
    memory.listeners = [
      ...descriptions.flatMap((description) => {
        const listener = known.get(description.ListenerArn);
        if (!listener) return [];
        listener.description = description;
        return [listener];
      }),
      // A listener on our load balancer without our tags is someone else's: never touched.
      ...added.filter((listener) => owner !== undefined && ownerOf(listener.tags) === owner),
    ];
  }
  await Promise.all(
    memory.listeners.map(async (listener) => {
      const port = listener.description.Port ?? 0;
      const arn = listener.description.ListenerArn ?? '';
      const [rules, certificates] = await Promise.all([
        touched.rules.has(port) ? describeRules(reader, arn) : undefined,
        touched.listenerCertificates.has(port) && listener.description.Protocol === 'HTTPS' ? describeListenerCertificates(reader, arn) : undefined,
      ]);
      if (certificates) listener.certificates = certificates;
      if (!rules) return;
      const tags = new Map(listener.rules.map((rule) => [rule.description.RuleArn, rule.tags]));
      listener.rules = rules.map((description) => ({ description, tags: tags.get(description.RuleArn) ?? [] }));
      await tagUnknown(
        reader,
        listener.rules.filter((rule) => !tags.has(rule.description.RuleArn)),
        (rule) => rule.description.RuleArn,
      );
    }),
  );
  return true;
}

/** DescribeTags for resources whose tags are not known, in batches of 20. */
async function tagUnknown<T extends { tags: Tag[] }>(reader: Elbv2Reader, resources: readonly T[], arnOf: (resource: T) => string | undefined): Promise<void> {
  if (resources.length === 0) return;
  const tags = await describeTags(
    reader,
    resources.map((resource) => arnOf(resource) ?? ''),
  );
  for (const resource of resources) resource.tags = tags.get(arnOf(resource) ?? '') ?? [];
}
