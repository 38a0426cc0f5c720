/**
 * The ELBv2 reads of observe, by ARN only: never a listing of the account's load balancers or target
 * groups. Pages are followed; every call goes through `call`, which retries throttling.
 * @module
 */
import {
  type Certificate,
  DescribeListenerCertificatesCommand,
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type Listener,
  type LoadBalancer,
  type Rule,
  type Tag,
  type TargetGroup,
  type TargetGroupAttribute,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { isNotFound } from '../sdk/errors.js';
import type { AwsClients } from '../sdk/clients.js';
import { chunks } from '../plan/diff-tags.js';
import type { ObservedListener, ObservedTargetGroup } from './observed.js';
import type { Call } from '../sdk/retry.js';

/** DescribeTags takes at most 20 ARNs, of any ELBv2 kind. */
const DESCRIBE_TAGS_BATCH = 20;

export interface Elbv2Reader {
  clients: AwsClients;
  call: Call;
}

async function allPages<T>(fetch: (marker: string | undefined) => Promise<{ items: T[] | undefined; next: string | undefined }>): Promise<T[]> {
  const items: T[] = [];
  let marker: string | undefined;
  do {
    const page = await fetch(marker);
    items.push(...(page.items ?? []));
    marker = page.next;
  } while (marker !== undefined);
  return items;
}

/** Undefined when the load balancer is gone (the tagging index can list a deleted one for a while). */
export async function describeLoadBalancer(reader: Elbv2Reader, arn: string): Promise<LoadBalancer | undefined> {
  try {
    const output = await reader.call('DescribeLoadBalancers', () => reader.clients.elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] })));
    return output.LoadBalancers?.[0];
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** The target groups that exist: one call for all; only when one is gone, one call each to leave it out. */
export async function describeTargetGroups(reader: Elbv2Reader, arns: readonly string[]): Promise<TargetGroup[]> {
  if (arns.length === 0) return [];
  try {
    return await allPages(async (Marker) => {
      const output = await reader.call('DescribeTargetGroups', () =>
        reader.clients.elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [...arns], Marker })),
      );
      return { items: output.TargetGroups, next: output.NextMarker };
    });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    if (arns.length === 1) return [];
    return (await Promise.all(arns.map((arn) => describeTargetGroups(reader, [arn])))).flat();
  }
}

export async function describeLoadBalancerAttributes(reader: Elbv2Reader, arn: string): Promise<{ Key?: string; Value?: string }[]> {
  const output = await reader.call('DescribeLoadBalancerAttributes', () =>
    reader.clients.elbv2.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn })),
  );
  return output.Attributes ?? [];
}

export function describeListeners(reader: Elbv2Reader, loadBalancerArn: string): Promise<Listener[]> {
  return allPages(async (Marker) => {
    const output = await reader.call('DescribeListeners', () =>
      reader.clients.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn, Marker })),
    );
    return { items: output.Listeners, next: output.NextMarker };
  });
}

/** The listener's rules, the default rule left out (it is the listener's default action). */
export async function describeRules(reader: Elbv2Reader, listenerArn: string): Promise<Rule[]> {
  const rules = await allPages(async (Marker) => {
    const output = await reader.call('DescribeRules', () => reader.clients.elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn, Marker })));
    return { items: output.Rules, next: output.NextMarker };
  });
  return rules.filter((rule) => !rule.IsDefault);
}

export function describeListenerCertificates(reader: Elbv2Reader, listenerArn: string): Promise<Certificate[]> {
  return allPages(async (Marker) => {
    const output = await reader.call('DescribeListenerCertificates', () =>
      reader.clients.elbv2.send(new DescribeListenerCertificatesCommand({ ListenerArn: listenerArn, Marker })),
    );
    return { items: output.Certificates, next: output.NextMarker };
  });
}

export async function describeTags(reader: Elbv2Reader, arns: readonly string[]): Promise<Map<string, Tag[]>> {
  const tags = new Map<string, Tag[]>();
  const batches = await Promise.all(
    chunks(arns, DESCRIBE_TAGS_BATCH).map((batch) =>
      reader.call('DescribeTags', () => reader.clients.elbv2.send(new DescribeTagsCommand({ ResourceArns: batch }))),
    ),
  );
  for (const output of batches) {
    for (const description of output.TagDescriptions ?? []) {
      if (description.ResourceArn) tags.set(description.ResourceArn, description.Tags ?? []);
    }
  }
  return tags;
}

/**
 * A target group's registered targets and, when `withAttributes`, its attributes: one call each, the
 * API has no batch form. Attributes are read only for groups whose spec manages one (diff compares
 * only the keys the spec lists), which halves the reads of a stack whose groups keep the defaults.
 */
export async function describeTargetGroupDetails(reader: Elbv2Reader, group: TargetGroup, tags: Tag[], withAttributes = true): Promise<ObservedTargetGroup> {
  const arn = group.TargetGroupArn ?? '';
  const [attributes, health] = await Promise.all([
    withAttributes ? describeTargetGroupAttributes(reader, arn) : [],
    reader.call('DescribeTargetHealth', () => reader.clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }))),
  ]);
  return { description: group, attributes, tags, targets: health.TargetHealthDescriptions ?? [] };
}

export async function describeTargetGroupAttributes(reader: Elbv2Reader, arn: string): Promise<TargetGroupAttribute[]> {
  const output = await reader.call('DescribeTargetGroupAttributes', () =>
    reader.clients.elbv2.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn })),
  );
  return output.Attributes ?? [];
}

/** A listener's rules and, for HTTPS, its certificate list; tags are filled in by the caller. */
export async function describeListenerDetails(reader: Elbv2Reader, listener: Listener): Promise<ObservedListener> {
  const arn = listener.ListenerArn ?? '';
  const [rules, certificates] = await Promise.all([
    describeRules(reader, arn),
    listener.Protocol === 'HTTPS' ? describeListenerCertificates(reader, arn) : Promise.resolve([]),
  ]);
  return { description: listener, certificates, tags: [], rules: rules.map((rule) => ({ description: rule, tags: [] })) };
}
