/**
 * The Resource Groups Tagging API's GetResources over everything the fake holds: tag filters (AND
 * across keys, OR across a key's values, any value when none are given), resource-type filters
 * (`service` or `service:type`), or an explicit ARN list. Like the real API it lists only resources
 * that are or were tagged, and ends pagination with an empty PaginationToken.
 * @module
 */
import type { GetResourcesInput, ResourceTagMapping } from '@aws-sdk/client-resource-groups-tagging-api';
import { ec2Arn } from './arns.js';
import { taggingError } from './errors.js';
import { checkPageSize, pageOf } from './pagination.js';
import { handler, type FakeState, type Handler } from './state.js';

interface TaggedResource {
  arn: string;
  /** `service:type`, with an ALB's `/app` subtype kept so `elasticloadbalancing:loadbalancer` matches it. */
  type: string;
  /** Where its tags live in state.tags (ARN, or EC2 id). */
  tagKey: string;
}

function allResources(state: FakeState): TaggedResource[] {
  const byArn =
    (type: string) =>
    (arn: string): TaggedResource => ({ arn, type, tagKey: arn });
  const byEc2Id =
    (resourceType: string) =>
    (id: string): TaggedResource => ({
      arn: ec2Arn(state, resourceType, id),
      type: `ec2:${resourceType}`,
      tagKey: id,
    });
  const listeners = [...state.listeners.values()];
  return [
    ...[...state.loadBalancers.keys()].map(byArn('elasticloadbalancing:loadbalancer/app')),
    ...[...state.targetGroups.keys()].map(byArn('elasticloadbalancing:targetgroup')),
    ...listeners.map((listener) => listener.arn).map(byArn('elasticloadbalancing:listener/app')),
    ...[...state.rules.keys(), ...listeners.map((listener) => listener.defaultRuleArn)].map(byArn('elasticloadbalancing:listener-rule/app')),
    ...[...state.certificates.keys()].map(byArn('acm:certificate')),
    ...[...state.securityGroups.keys()].map(byEc2Id('security-group')),
    ...[...state.securityGroupRules.keys()].map(byEc2Id('security-group-rule')),
    ...[...state.subnets.keys()].map(byEc2Id('subnet')),
    ...[...state.vpcs.keys()].map(byEc2Id('vpc')),
    ...[...state.instances.keys()].map(byEc2Id('instance')),
    ...[...state.networkInterfaces.keys()].map(byEc2Id('network-interface')),
  ];
}

function typeMatches(type: string, filter: string): boolean {
  const service = type.slice(0, type.indexOf(':'));
  return filter === service || filter === type || type.startsWith(`${filter}/`);
}

function checkInput(input: GetResourcesInput): void {
  const invalid = (message: string): Error => taggingError('InvalidParameterException', message);
  if (input.ResourceARNList !== undefined) {
    const combined = [input.TagFilters, input.ResourceTypeFilters, input.PaginationToken, input.ResourcesPerPage].some((part) => part !== undefined);
    if (combined) throw invalid('ResourceARNList cannot be combined with TagFilters, ResourceTypeFilters or pagination parameters');
    if (input.ResourceARNList.length < 1 || input.ResourceARNList.length > 100) throw invalid('ResourceARNList must hold 1 to 100 ARNs');
  }
  if ((input.TagFilters?.length ?? 0) > 50) throw invalid('At most 50 TagFilters can be specified');
  for (const filter of input.TagFilters ?? []) {
    if ((filter.Key ?? '') === '') throw invalid('Every TagFilter needs a Key');
    if ((filter.Values?.length ?? 0) > 20) throw invalid(`TagFilter '${filter.Key ?? ''}' can have at most 20 values`);
  }
  if ((input.ResourceTypeFilters?.length ?? 0) > 100) throw invalid('At most 100 ResourceTypeFilters can be specified');
}

function getResources(state: FakeState, input: GetResourcesInput): object {
  checkInput(input);
  const wantedArns = input.ResourceARNList === undefined ? undefined : new Set(input.ResourceARNList);
  const matching = allResources(state).filter((resource) => {
    const tags = state.tags.get(resource.tagKey);
    if (tags === undefined) return false;
    if (wantedArns !== undefined) return wantedArns.has(resource.arn);
    const typeFilters = input.ResourceTypeFilters;
    if (typeFilters !== undefined && !typeFilters.some((filter) => typeMatches(resource.type, filter))) return false;
    return (input.TagFilters ?? []).every((filter) => {
      const value = tags.get(filter.Key ?? '');
      if (value === undefined) return false;
      return (filter.Values?.length ?? 0) === 0 || (filter.Values ?? []).includes(value);
    });
  });
  const invalid = (message: string): Error => taggingError('InvalidParameterException', message);
  const requested = checkPageSize(input.ResourcesPerPage, { min: 1, max: 100, field: 'ResourcesPerPage' }, invalid);
  const page = pageOf(state, matching, { api: 'GetResources', token: input.PaginationToken, requested, defaultSize: 50, invalidToken: invalid });
  const mappings: ResourceTagMapping[] = page.items.map((resource) => ({
    ResourceARN: resource.arn,
    Tags: [...(state.tags.get(resource.tagKey) ?? [])].map(([Key, Value]) => ({ Key, Value })),
  }));
  return { ResourceTagMappingList: mappings, PaginationToken: page.next ?? '' };
}

export const taggingHandlers: Readonly<Record<string, Handler>> = {
  GetResources: handler(getResources),
};
