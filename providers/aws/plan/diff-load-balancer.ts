/**
 * The load balancer itself. Created with its name, scheme, address type, subnets, security groups
 * and tags in one call; then only what differs is changed: attributes (only the keys the spec lists),
 * security groups, subnets (only when the spec names them: discovered subnets are chosen once, at
 * creation, so a reconcile costs no subnet lookups), the address type (SetIpAddressType changes an
 * ALB between ipv4 and dualstack in place).
 *
 * The scheme cannot change on an existing load balancer: the plan deletes it (its listeners and rules
 * go with it) and creates it again under the same name. That drops traffic until the new one is up,
 * and its DNS name changes, so the plan names the replacement in the operation's resource.
 * @module
 */
import type { LoadBalancerSpec } from '../../../src/model.js';
import { tagChange, type TagChange } from './diff-tags.js';
import { toElbv2Attributes, toElbv2Tags } from './elbv2-shapes.js';
import type { ObservedLoadBalancer } from '../observe/observed.js';
import type { AwsOperation } from './operations.js';
import { LOAD_BALANCER_ID, LOAD_BALANCER_REF } from './resource-ids.js';
import { ownershipTags } from './tags.js';

export interface LoadBalancerPlan {
  /** True when the observed load balancer is deleted and created again (with its listeners and rules). */
  replaced: boolean;
  operations: AwsOperation[];
  tagChange?: TagChange;
  /** `${LoadBalancer}` → ARN when the observed one is kept. */
  references: Record<string, string>;
  /** The DNS name when the observed load balancer is kept. */
  hostname?: string;
}

export interface LoadBalancerPlacement {
  /** Subnet ids (resolved before diff when they could be), or `[${Subnets}]` for apply to discover. */
  subnets: string[];
  /** Security group ids or placeholders. */
  securityGroups: string[];
  /** Placeholders already known (the companions' references), to compare placeholders with ids. */
  known: Readonly<Record<string, string>>;
}

export function planLoadBalancer(options: {
  spec: LoadBalancerSpec;
  observed: ObservedLoadBalancer | undefined;
  clusterName: string;
  placement: LoadBalancerPlacement;
  /** Marker tags of what the provider set on the load balancer (diff-protection.ts). */
  extraTags?: Readonly<Record<string, string>>;
}): LoadBalancerPlan {
  const { spec, observed, placement } = options;
  const tags = { ...spec.tags, ...options.extraTags, ...ownershipTags(options.clusterName, spec.stack.id, LOAD_BALANCER_ID) };
  if (!observed) return { replaced: false, operations: createLoadBalancer(spec, tags, placement), references: {} };

  const arn = observed.description.LoadBalancerArn ?? '';
  if (observed.description.Scheme !== spec.scheme) {
    const replace: AwsOperation = {
      action: 'DeleteLoadBalancer',
      resource: `${LOAD_BALANCER_ID} (replaced: the scheme changes from ${observed.description.Scheme ?? 'unknown'} to ${spec.scheme})`,
      detail: { service: 'elbv2', input: { LoadBalancerArn: arn } },
    };
    return { replaced: true, operations: [replace, ...createLoadBalancer(spec, tags, placement)], references: {} };
  }

  const operations: AwsOperation[] = [];
  const modify = (action: string, input: Record<string, unknown>): void => {
    operations.push({ action, resource: LOAD_BALANCER_ID, detail: { service: 'elbv2', input: { LoadBalancerArn: LOAD_BALANCER_REF, ...input } } });
  };
  const current = new Map(observed.attributes.map(({ Key, Value }) => [Key, Value]));
  const attributes = toElbv2Attributes(spec.attributes).filter(({ Key, Value }) => current.get(Key) !== Value);
  if (attributes.length > 0) modify('ModifyLoadBalancerAttributes', { Attributes: attributes });
  if (
    !sameSet(
      placement.securityGroups.map((id) => placement.known[id] ?? id),
      observed.description.SecurityGroups ?? [],
    )
  ) {
    modify('SetSecurityGroups', { SecurityGroups: placement.securityGroups });
  }
  const subnetIds = (observed.description.AvailabilityZones ?? []).flatMap((zone) => (zone.SubnetId ? [zone.SubnetId] : []));
  if (spec.subnets.kind === 'ids' && !sameSet(placement.subnets, subnetIds)) modify('SetSubnets', { Subnets: placement.subnets });
  if (observed.description.IpAddressType !== spec.ipAddressType) modify('SetIpAddressType', { IpAddressType: spec.ipAddressType });

  const change = tagChange({ arn: LOAD_BALANCER_REF, resource: LOAD_BALANCER_ID, desired: tags, observed: observed.tags });
  return {
    replaced: false,
    operations,
    ...(change && { tagChange: change }),
    references: { [LOAD_BALANCER_REF]: arn },
    ...(observed.description.DNSName !== undefined && { hostname: observed.description.DNSName }),
  };
}

function createLoadBalancer(spec: LoadBalancerSpec, tags: Record<string, string>, placement: LoadBalancerPlacement): AwsOperation[] {
  const operations: AwsOperation[] = [
    {
      action: 'CreateLoadBalancer',
      resource: LOAD_BALANCER_ID,
      detail: {
        service: 'elbv2',
        input: {
          Name: spec.stack.name,
          Type: 'application',
          Scheme: spec.scheme,
          IpAddressType: spec.ipAddressType,
          Subnets: placement.subnets,
          SecurityGroups: placement.securityGroups,
          Tags: toElbv2Tags(tags),
        },
        produces: { ref: LOAD_BALANCER_REF, outputPath: 'LoadBalancers.0.LoadBalancerArn' },
      },
    },
  ];
  const attributes = toElbv2Attributes(spec.attributes);
  if (attributes.length > 0) {
    operations.push({
      action: 'ModifyLoadBalancerAttributes',
      resource: LOAD_BALANCER_ID,
      detail: { service: 'elbv2', input: { LoadBalancerArn: LOAD_BALANCER_REF, Attributes: attributes } },
    });
  }
  return operations;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((value) => right.has(value));
}
