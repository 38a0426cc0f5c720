/**
 * Lookups and checks every ELBv2 module shares: resolving ARNs (and a Describe's names) to
 * records (with the API's own not-found codes), name and tag rules, paging, and which load
 * balancers use a target group.
 * @module
 */
import type { Action, Tag } from '@aws-sdk/client-elastic-load-balancing-v2';
import { elbv2ArnKind } from './arns.js';
import { elbv2Error } from './errors.js';
import { checkPageSize, pageOf } from './pagination.js';
import type { FakeState, ListenerRecord, LoadBalancerRecord, RuleRecord, TargetGroupRecord } from './state.js';

export const TAGS_PER_RESOURCE = 50;

/** ALB and target-group names: 1-32 alphanumerics or hyphens, no hyphen at either end. */
export function checkResourceName(name: string | undefined, kind: 'load balancer' | 'target group'): string {
  if (name === undefined || name === '') throw elbv2Error('ValidationError', `A ${kind} name must be specified`);
  if (name.length > 32) {
    throw elbv2Error('ValidationError', `The ${kind} name '${name}' cannot be longer than '32' characters`);
  }
  if (!/^[A-Za-z0-9-]+$/.test(name) || name.startsWith('-') || name.endsWith('-')) {
    throw elbv2Error(
      'ValidationError',
      `The ${kind} name '${name}' must contain only alphanumeric characters or hyphens, and must not begin or end with a hyphen`,
    );
  }
  if (kind === 'load balancer' && name.startsWith('internal-')) {
    throw elbv2Error('ValidationError', `The load balancer name '${name}' cannot begin with 'internal-'`);
  }
  return name;
}

/** Validated tag pairs in request order. */
export function checkTags(tags: readonly Tag[] | undefined): [string, string][] {
  const pairs: [string, string][] = [];
  const seen = new Set<string>();
  for (const tag of tags ?? []) {
    const key = tag.Key ?? '';
    const value = tag.Value ?? '';
    if (key.length < 1 || key.length > 128) throw elbv2Error('ValidationError', `Tag key '${key}' must be 1-128 characters long`);
    if (value.length > 256) throw elbv2Error('ValidationError', `The value of tag '${key}' cannot be longer than 256 characters`);
    if (key.toLowerCase().startsWith('aws:')) throw elbv2Error('ValidationError', `Tag keys starting with 'aws:' are reserved`);
    if (seen.has(key)) throw elbv2Error('DuplicateTagKeys', `Tag key '${key}' is specified more than once`);
    seen.add(key);
    pairs.push([key, value]);
  }
  if (pairs.length > TAGS_PER_RESOURCE) throw elbv2Error('TooManyTags', `A resource can have at most ${TAGS_PER_RESOURCE} tags`);
  return pairs;
}

/** Whether adding these tags would take a resource past the per-resource limit. */
export function exceedsTagLimit(state: FakeState, arn: string, pairs: readonly [string, string][]): boolean {
  const keys = new Set(state.tags.get(arn)?.keys() ?? []);
  for (const [key] of pairs) keys.add(key);
  return keys.size > TAGS_PER_RESOURCE;
}

function checkArn(arn: string | undefined, kind: ReturnType<typeof elbv2ArnKind>, label: string): string {
  if (arn === undefined || elbv2ArnKind(arn) !== kind) {
    throw elbv2Error('ValidationError', `'${arn ?? ''}' is not a valid ${label} ARN`);
  }
  return arn;
}

export function requireLoadBalancer(state: FakeState, arn: string | undefined): LoadBalancerRecord {
  const record = state.loadBalancers.get(checkArn(arn, 'loadbalancer', 'load balancer'));
  if (record === undefined) throw elbv2Error('LoadBalancerNotFound', `Load balancer '${arn}' not found`);
  return record;
}

export function requireListener(state: FakeState, arn: string | undefined): ListenerRecord {
  const record = state.listeners.get(checkArn(arn, 'listener', 'listener'));
  if (record === undefined) throw elbv2Error('ListenerNotFound', `Listener '${arn}' not found`);
  return record;
}

export function requireTargetGroup(state: FakeState, arn: string | undefined): TargetGroupRecord {
  const record = state.targetGroups.get(checkArn(arn, 'targetgroup', 'target group'));
  if (record === undefined) throw elbv2Error('TargetGroupNotFound', `Target group '${arn}' not found`);
  return record;
}

/** A rule, or the listener whose default rule the ARN names. */
export function requireRule(state: FakeState, arn: string | undefined): RuleRecord | ListenerRecord {
  const checked = checkArn(arn, 'listener-rule', 'rule');
  const rule = state.rules.get(checked);
  if (rule !== undefined) return rule;
  const owner = [...state.listeners.values()].find((listener) => listener.defaultRuleArn === checked);
  if (owner === undefined) throw elbv2Error('RuleNotFound', `Rule '${arn}' not found`);
  return owner;
}

/**
 * What a Describe of load balancers or target groups selects by ARNs or by names (the caller
 * rejects both at once), in the request's order: one that does not exist fails the whole call.
 * Neither: all of them.
 */
export function selectByArnsOrNames<T extends { name: string }>(
  records: ReadonlyMap<string, T>,
  arns: readonly string[] | undefined,
  names: readonly string[] | undefined,
  lookups: { require: (arn: string) => T; notFound: () => Error },
): T[] {
  if (arns !== undefined) return arns.map(lookups.require);
  if (names === undefined) return [...records.values()];
  return names.map((name) => {
    const found = [...records.values()].find((record) => record.name === name);
    if (found === undefined) throw lookups.notFound();
    return found;
  });
}

export function isDefaultRuleOwner(record: RuleRecord | ListenerRecord): record is ListenerRecord {
  return 'defaultRuleArn' in record;
}

/** One page of a Describe* answer, with ELBv2's Marker/PageSize vocabulary. */
export function elbv2Page<T>(
  state: FakeState,
  api: string,
  all: readonly T[],
  input: { Marker?: string | undefined; PageSize?: number | undefined },
): { items: T[]; NextMarker?: string } {
  const invalid = (message: string): Error => elbv2Error('ValidationError', message);
  const requested = checkPageSize(input.PageSize, { min: 1, max: 400, field: 'PageSize' }, invalid);
  const page = pageOf(state, all, { api, token: input.Marker, requested, defaultSize: 400, invalidToken: invalid });
  return page.next === undefined ? { items: page.items } : { items: page.items, NextMarker: page.next };
}

/** Every target group an action list forwards to. */
export function targetGroupArnsOf(actions: readonly Action[]): string[] {
  const arns = new Set<string>();
  for (const action of actions) {
    if (action.TargetGroupArn !== undefined) arns.add(action.TargetGroupArn);
    for (const group of action.ForwardConfig?.TargetGroups ?? []) {
      if (group.TargetGroupArn !== undefined) arns.add(group.TargetGroupArn);
    }
  }
  return [...arns];
}

/** Actions of every listener default and rule, each with the load balancer it belongs to. */
export function actionsInUse(state: FakeState): { loadBalancerArn: string; actions: Action[] }[] {
  const uses: { loadBalancerArn: string; actions: Action[] }[] = [];
  for (const listener of state.listeners.values()) {
    uses.push({ loadBalancerArn: listener.loadBalancerArn, actions: listener.defaultActions });
  }
  for (const rule of state.rules.values()) {
    const listener = state.listeners.get(rule.listenerArn);
    if (listener !== undefined) uses.push({ loadBalancerArn: listener.loadBalancerArn, actions: rule.actions });
  }
  return uses;
}

/** The load balancers whose listeners or rules forward to a target group. */
export function loadBalancersUsing(state: FakeState, targetGroupArn: string): string[] {
  const arns = new Set<string>();
  for (const use of actionsInUse(state)) {
    if (targetGroupArnsOf(use.actions).includes(targetGroupArn)) arns.add(use.loadBalancerArn);
  }
  return [...arns];
}

/** Deletes a listener with its rules and their tags, as DeleteListener and DeleteLoadBalancer do. */
export function removeListener(state: FakeState, listener: ListenerRecord): void {
  for (const rule of [...state.rules.values()]) {
    if (rule.listenerArn !== listener.arn) continue;
    state.rules.delete(rule.arn);
    state.tags.delete(rule.arn);
  }
  state.tags.delete(listener.defaultRuleArn);
  state.listeners.delete(listener.arn);
  state.tags.delete(listener.arn);
}
