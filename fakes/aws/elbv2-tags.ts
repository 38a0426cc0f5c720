/**
 * ELBv2 tags on load balancers, target groups, listeners and rules. Each call is checked whole
 * before anything changes; unknown ARNs get the not-found code of their resource kind.
 * @module
 */
import type { AddTagsInput, DescribeTagsInput, RemoveTagsInput } from '@aws-sdk/client-elastic-load-balancing-v2';
import { elbv2ArnKind } from './arns.js';
import { checkTags, exceedsTagLimit, requireListener, requireLoadBalancer, requireRule, requireTargetGroup, TAGS_PER_RESOURCE } from './elbv2-common.js';
import { elbv2Error } from './errors.js';
import { handler, setTags, type FakeState, type Handler } from './state.js';

const DESCRIBE_TAGS_MAX_ARNS = 20;

/** Resolves an ARN of any taggable kind to itself, or throws that kind's not-found error. */
function requireTaggable(state: FakeState, arn: string): string {
  switch (elbv2ArnKind(arn)) {
    case 'loadbalancer':
      return requireLoadBalancer(state, arn).arn;
    case 'targetgroup':
      return requireTargetGroup(state, arn).arn;
    case 'listener':
      return requireListener(state, arn).arn;
    case 'listener-rule':
      requireRule(state, arn);
      return arn;
    case undefined:
      throw elbv2Error('ValidationError', `'${arn}' is not a valid Elastic Load Balancing resource ARN`);
  }
}

function requireArns(state: FakeState, arns: readonly string[] | undefined): string[] {
  if (arns === undefined || arns.length === 0) throw elbv2Error('ValidationError', 'At least one resource ARN must be specified');
  return arns.map((arn) => requireTaggable(state, arn));
}

function addTags(state: FakeState, input: AddTagsInput): object {
  const arns = requireArns(state, input.ResourceArns);
  const pairs = checkTags(input.Tags);
  if (pairs.length === 0) throw elbv2Error('ValidationError', 'At least one tag must be specified');
  const full = arns.find((arn) => exceedsTagLimit(state, arn, pairs));
  if (full !== undefined) throw elbv2Error('TooManyTags', `Resource '${full}' would have more than ${TAGS_PER_RESOURCE} tags`);
  for (const arn of arns) setTags(state, arn, pairs);
  return {};
}

function removeTags(state: FakeState, input: RemoveTagsInput): object {
  const arns = requireArns(state, input.ResourceArns);
  if ((input.TagKeys?.length ?? 0) === 0) throw elbv2Error('ValidationError', 'At least one tag key must be specified');
  for (const arn of arns) {
    const tags = state.tags.get(arn);
    for (const key of input.TagKeys ?? []) tags?.delete(key);
  }
  return {};
}

function describeTags(state: FakeState, input: DescribeTagsInput): object {
  const count = input.ResourceArns?.length ?? 0;
  if (count > DESCRIBE_TAGS_MAX_ARNS) {
    throw elbv2Error('ValidationError', `You can specify up to ${DESCRIBE_TAGS_MAX_ARNS} resources in a single DescribeTags call, got ${count}`);
  }
  const arns = requireArns(state, input.ResourceArns);
  return {
    TagDescriptions: arns.map((arn) => ({
      ResourceArn: arn,
      Tags: [...(state.tags.get(arn) ?? [])].map(([Key, Value]) => ({ Key, Value })),
    })),
  };
}

export const elbv2TagHandlers: Readonly<Record<string, Handler>> = {
  AddTags: handler(addTags),
  RemoveTags: handler(removeTags),
  DescribeTags: handler(describeTags),
};
