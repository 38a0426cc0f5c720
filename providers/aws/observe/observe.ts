/**
 * Observe one stack: find its load balancer and target groups by ownership tags, then read
 * everything else by ARN.
 *
 * Finding: the Resource Groups Tagging API's GetResources, filtered server-side by the cluster and
 * stack tags and by type (every page followed). The ARNs found are remembered per stack (`KnownArns`,
 * kept by the provider); the next observe of the stack verifies them by reading them directly and
 * skips GetResources. A remembered ARN that is gone, or no longer tagged as ours, falls back to the
 * tag search. Created ARNs are added by apply, so a just-created resource is seen even before the
 * tagging index (eventually consistent) lists it.
 *
 * Reads of an unchanged resync, from remembered ARNs, for a stack of L listeners (H of them HTTPS),
 * T target groups and R rules:
 *   DescribeLoadBalancers 1 + DescribeLoadBalancerAttributes 1 + DescribeListeners 1
 *   + DescribeRules L + DescribeListenerCertificates H + DescribeTargetGroups 1
 *   + DescribeTargetGroupAttributes A + DescribeTargetHealth T + DescribeTags ⌈(1+L+T+R)/20⌉
 *   + the certificate and security-group observers' own reads (and the spec's lookups, cached for
 *   minutes: see lookups.ts).
 * where A counts the target groups whose spec manages an attribute (diff compares only the keys a
 * spec lists, so the others' attributes are not read when observe is given the spec).
 * That is the minimum for seeing every property the provider manages: each read is the only API that
 * returns its part (rules, listener certificates, attributes and registered targets have no
 * multi-resource form), the by-ARN describes take all ARNs in one call, and DescribeTags takes 20
 * ARNs of any kind per call. The first observe of a stack costs one GetResources page per 100
 * resources more, and DescribeTags skips the load balancer and target groups, whose tags came with it.
 * @module
 */
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import type { Tag, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import { observeCertificates } from './certificates.js';
import type { AwsClients } from '../sdk/clients.js';
import type { AwsObserved, ObservedListener, ObservedLoadBalancer } from './observed.js';
import {
  describeListenerDetails,
  describeListeners,
  describeLoadBalancer,
  describeLoadBalancerAttributes,
  describeTags,
  describeTargetGroupDetails,
  describeTargetGroups,
  type Elbv2Reader,
} from './elbv2.js';
import { isNotFound } from '../sdk/errors.js';
import type { Call } from '../sdk/retry.js';
import { observeSecurityGroups } from './security-groups.js';
import { targetGroupKeyOf } from '../plan/resource-ids.js';
import { CLUSTER_TAG, isOwnedBy, resourceIdOf, STACK_TAG } from '../plan/tags.js';

/** The stack's load balancer and target groups by ARN, as last seen or created. */
export interface KnownArns {
  loadBalancerArn?: string;
  targetGroupArns: string[];
}

export interface ObserveOptions {
  clients: AwsClients;
  call: Call;
  clusterName: string;
  stackId: string;
  /** ARNs remembered from the last observe or apply of this stack. */
  known?: KnownArns;
  /** Whether to read the attributes of the target group with this key (default: every group's). */
  managedAttributes?: (key: string | undefined) => boolean;
}

export interface ObserveResult {
  observed: AwsObserved;
  known: KnownArns;
}

export async function observeStack(options: ObserveOptions): Promise<ObserveResult> {
  const reader: Elbv2Reader = { clients: options.clients, call: options.call };
  const remembered = options.known;
  const managed = options.managedAttributes ?? (() => true);
  let elbv2 = remembered && hasAny(remembered) ? await readRemembered(reader, options, remembered, managed) : undefined;
  if (!elbv2) {
    const found = await findByTags(options);
    elbv2 = await readStack(reader, found, found.tags, managed);
  }
  const [certificates, securityGroups] = await Promise.all([
    options.call('observeCertificates', () => observeCertificates(options.clients, options.clusterName, options.stackId)),
    options.call('observeSecurityGroups', () => observeSecurityGroups(options.clients, options.clusterName, options.stackId)),
  ]);
  const observed: AwsObserved = { provider: 'aws', stackId: options.stackId, ...elbv2, certificates, securityGroups };
  const known: KnownArns = {
    ...(observed.loadBalancer?.description.LoadBalancerArn !== undefined && { loadBalancerArn: observed.loadBalancer.description.LoadBalancerArn }),
    targetGroupArns: observed.targetGroups.flatMap((group) => group.description.TargetGroupArn ?? []),
  };
  return { observed, known };
}

function hasAny(known: KnownArns): boolean {
  return known.loadBalancerArn !== undefined || known.targetGroupArns.length > 0;
}

interface FoundArns extends KnownArns {
  /** Tags that came with the search, so DescribeTags need not ask again. */
  tags: Map<string, Tag[]>;
}

async function findByTags(options: ObserveOptions): Promise<FoundArns> {
  const found: FoundArns = { targetGroupArns: [], tags: new Map() };
  let token: string | undefined;
  do {
    const page = await options.call('GetResources', () =>
      options.clients.tagging.send(
        new GetResourcesCommand({
          TagFilters: [
            { Key: CLUSTER_TAG, Values: [options.clusterName] },
            { Key: STACK_TAG, Values: [options.stackId] },
          ],
          ResourceTypeFilters: ['elasticloadbalancing:loadbalancer', 'elasticloadbalancing:targetgroup'],
          ...(token !== undefined && { PaginationToken: token }),
        }),
      ),
    );
    for (const mapping of page.ResourceTagMappingList ?? []) {
      const arn = mapping.ResourceARN ?? '';
      found.tags.set(arn, mapping.Tags ?? []);
      if (arn.includes(':loadbalancer/app/')) found.loadBalancerArn ??= arn;
      else if (arn.includes(':targetgroup/')) found.targetGroupArns.push(arn);
    }
    token = page.PaginationToken || undefined;
  } while (token !== undefined);
  return found;
}

/** The remembered ARNs read directly; undefined when one is gone or not ours any more. */
async function readRemembered(
  reader: Elbv2Reader,
  options: ObserveOptions,
  known: KnownArns,
  managed: (key: string | undefined) => boolean,
): Promise<ElbState | undefined> {
  try {
    const state = await readStack(reader, known, new Map(), managed);
    const ours = (tags: Tag[]): boolean => isOwnedBy(tags, options.clusterName, options.stackId);
    const lost =
      (known.loadBalancerArn !== undefined && !(state.loadBalancer && ours(state.loadBalancer.tags))) ||
      state.targetGroups.length !== known.targetGroupArns.length ||
      state.targetGroups.some((group) => !ours(group.tags));
    return lost ? undefined : state;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

type ElbState = Pick<AwsObserved, 'loadBalancer' | 'listeners' | 'targetGroups'>;

async function readStack(
  reader: Elbv2Reader,
  arns: KnownArns,
  knownTags: Map<string, Tag[]>,
  managed: (key: string | undefined) => boolean,
): Promise<ElbState> {
  const [description, groups] = await Promise.all([
    arns.loadBalancerArn ? describeLoadBalancer(reader, arns.loadBalancerArn) : undefined,
    describeTargetGroups(reader, arns.targetGroupArns),
  ]);
  const lbArn = description?.LoadBalancerArn;
  const [attributes, listenerDescriptions] = await Promise.all([
    lbArn ? describeLoadBalancerAttributes(reader, lbArn) : [],
    lbArn ? describeListeners(reader, lbArn) : [],
  ]);
  const listeners: ObservedListener[] = await Promise.all(listenerDescriptions.map((listener) => describeListenerDetails(reader, listener)));
  const untagged = [
    ...(lbArn && !knownTags.has(lbArn) ? [lbArn] : []),
    ...groups.flatMap((group) => (group.TargetGroupArn && !knownTags.has(group.TargetGroupArn) ? [group.TargetGroupArn] : [])),
    ...listeners.flatMap((listener) => [listener.description.ListenerArn ?? '', ...listener.rules.map((rule) => rule.description.RuleArn ?? '')]),
  ];
  const tags = new Map([...knownTags, ...(untagged.length > 0 ? await describeTags(reader, untagged) : [])]);
  const tagsOf = (arn: string | undefined): Tag[] => tags.get(arn ?? '') ?? [];
  for (const listener of listeners) {
    listener.tags = tagsOf(listener.description.ListenerArn);
    for (const rule of listener.rules) rule.tags = tagsOf(rule.description.RuleArn);
  }
  const loadBalancer: ObservedLoadBalancer | undefined = description && { description, attributes, tags: tagsOf(lbArn) };
  const stackOwner = loadBalancer ? ownerOf(loadBalancer.tags) : undefined;
  return {
    ...(loadBalancer && { loadBalancer }),
    // A listener on our load balancer that lacks our tags is someone else's: never touched.
    listeners: listeners.filter((listener) => stackOwner !== undefined && ownerOf(listener.tags) === stackOwner),
    targetGroups: await Promise.all(
      groups.map((group: TargetGroup) => {
        const tags = tagsOf(group.TargetGroupArn);
        return describeTargetGroupDetails(reader, group, tags, managed(targetGroupKeyOf(resourceIdOf(tags))));
      }),
    ),
  };
}

/** Cluster and stack of a resource's ownership tags, as one comparable value. */
export function ownerOf(tags: readonly Tag[]): string | undefined {
  const cluster = tags.find((tag) => tag.Key === CLUSTER_TAG)?.Value;
  const stack = tags.find((tag) => tag.Key === STACK_TAG)?.Value;
  return cluster !== undefined && stack !== undefined ? `${cluster}\u0000${stack}` : undefined;
}
