/**
 * ELBv2 listener rules: priorities 1-50000 unique per listener, a rules-per-load-balancer limit,
 * an untouchable default rule per listener, and atomic SetRulePriorities.
 * @module
 */
import type {
  CreateRuleInput,
  DeleteRuleInput,
  DescribeRulesInput,
  ModifyRuleInput,
  Rule,
  RuleTransform,
  SetRulePrioritiesInput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ruleArn } from './arns.js';
import { checkActions } from './elbv2-actions.js';
import { withoutClientSecrets } from './elbv2-auth.js';
import { checkTags, elbv2Page, isDefaultRuleOwner, requireListener, requireRule } from './elbv2-common.js';
import { checkConditions } from './elbv2-conditions.js';
import { elbv2Error } from './errors.js';
import { handler, setTags, type FakeState, type Handler, type ListenerRecord, type RuleRecord } from './state.js';

function describeRule(record: RuleRecord | ListenerRecord): Rule {
  if (isDefaultRuleOwner(record)) {
    return { RuleArn: record.defaultRuleArn, Priority: 'default', Conditions: [], Actions: withoutClientSecrets(record.defaultActions), IsDefault: true };
  }
  const rule: Rule = {
    RuleArn: record.arn,
    Priority: String(record.priority),
    Conditions: structuredClone(record.conditions),
    Actions: withoutClientSecrets(record.actions),
    IsDefault: false,
  };
  if (record.transforms.length > 0) rule.Transforms = structuredClone(record.transforms);
  return rule;
}

function checkPriority(priority: number | undefined): number {
  if (priority === undefined || !Number.isInteger(priority) || priority < 1 || priority > 50000) {
    throw elbv2Error('ValidationError', `Rule priority '${priority ?? ''}' must be an integer between 1 and 50000`);
  }
  return priority;
}

function checkTransforms(transforms: readonly RuleTransform[] | undefined): RuleTransform[] {
  const types = new Set<string>();
  for (const transform of transforms ?? []) {
    const type = transform.Type ?? '';
    const config = type === 'host-header-rewrite' ? transform.HostHeaderRewriteConfig : type === 'url-rewrite' ? transform.UrlRewriteConfig : undefined;
    if (config === undefined) throw elbv2Error('ValidationError', `Transform type '${type}' needs its matching rewrite config`);
    if (types.has(type)) throw elbv2Error('ValidationError', `A rule can have only one '${type}' transform`);
    types.add(type);
    if ((config.Rewrites?.length ?? 0) !== 1) throw elbv2Error('ValidationError', `A '${type}' transform needs exactly one rewrite`);
  }
  return structuredClone([...(transforms ?? [])]);
}

function rulesOfListener(state: FakeState, listenerArn: string): RuleRecord[] {
  return [...state.rules.values()].filter((rule) => rule.listenerArn === listenerArn);
}

function createRule(state: FakeState, input: CreateRuleInput): object {
  const listener = requireListener(state, input.ListenerArn);
  const priority = checkPriority(input.Priority);
  const conditions = checkConditions(input.Conditions);
  const actions = checkActions(state, input.Actions, { loadBalancerArn: listener.loadBalancerArn, protocol: listener.protocol });
  const transforms = checkTransforms(input.Transforms);
  const tags = checkTags(input.Tags);
  if (rulesOfListener(state, listener.arn).some((rule) => rule.priority === priority)) {
    throw elbv2Error('PriorityInUse', `Priority '${priority}' is currently in use`);
  }
  const listenersOfLoadBalancer = new Set([...state.listeners.values()].filter((l) => l.loadBalancerArn === listener.loadBalancerArn).map((l) => l.arn));
  const ruleCount = [...state.rules.values()].filter((rule) => listenersOfLoadBalancer.has(rule.listenerArn)).length;
  if (ruleCount >= state.limits.rulesPerLoadBalancer) {
    throw elbv2Error('TooManyRules', `The load balancer already has ${ruleCount} rules, the most it can have`);
  }
  const rule: RuleRecord = { arn: ruleArn(listener.arn, state.ids.hex(16)), listenerArn: listener.arn, priority, conditions, actions, transforms };
  state.rules.set(rule.arn, rule);
  if (tags.length > 0) setTags(state, rule.arn, tags);
  return { Rules: [describeRule(rule)] };
}

function describeRules(state: FakeState, input: DescribeRulesInput): object {
  const byListener = input.ListenerArn !== undefined;
  if (byListener === (input.RuleArns !== undefined)) throw elbv2Error('ValidationError', 'You must specify either rule ARNs or a listener ARN');
  let selected: (RuleRecord | ListenerRecord)[];
  if (byListener) {
    const listener = requireListener(state, input.ListenerArn);
    selected = [...rulesOfListener(state, listener.arn).sort((a, b) => a.priority - b.priority), listener];
  } else {
    selected = (input.RuleArns ?? []).map((arn) => requireRule(state, arn));
  }
  const { items, ...marker } = elbv2Page(state, 'DescribeRules', selected, input);
  return { Rules: items.map(describeRule), ...marker };
}

function requireNonDefaultRule(state: FakeState, arn: string | undefined): RuleRecord {
  const record = requireRule(state, arn);
  if (isDefaultRuleOwner(record)) throw elbv2Error('OperationNotPermitted', 'The default rule cannot be modified or deleted; use ModifyListener');
  return record;
}

function modifyRule(state: FakeState, input: ModifyRuleInput): object {
  const rule = requireNonDefaultRule(state, input.RuleArn);
  const listener = requireListener(state, rule.listenerArn);
  const conditions = input.Conditions === undefined ? rule.conditions : checkConditions(input.Conditions);
  const actions =
    input.Actions === undefined
      ? rule.actions
      : checkActions(state, input.Actions, { loadBalancerArn: listener.loadBalancerArn, protocol: listener.protocol, replacing: rule.actions });
  if (input.ResetTransforms === true && input.Transforms !== undefined) {
    throw elbv2Error('ValidationError', 'ResetTransforms and Transforms cannot be given together');
  }
  const transforms = input.ResetTransforms === true ? [] : input.Transforms === undefined ? rule.transforms : checkTransforms(input.Transforms);
  Object.assign(rule, { conditions, actions, transforms });
  return { Rules: [describeRule(rule)] };
}

function deleteRule(state: FakeState, input: DeleteRuleInput): object {
  const rule = requireNonDefaultRule(state, input.RuleArn);
  state.rules.delete(rule.arn);
  state.tags.delete(rule.arn);
  return {};
}

/** Applies every new priority at once; the resulting set must be free of duplicates per listener. */
function setRulePriorities(state: FakeState, input: SetRulePrioritiesInput): object {
  const pairs = input.RulePriorities ?? [];
  if (pairs.length === 0) throw elbv2Error('ValidationError', 'At least one rule priority must be specified');
  const next = new Map<string, number>();
  for (const pair of pairs) {
    const rule = requireNonDefaultRule(state, pair.RuleArn);
    if (next.has(rule.arn)) throw elbv2Error('ValidationError', `Rule '${rule.arn}' is specified more than once`);
    next.set(rule.arn, checkPriority(pair.Priority));
  }
  const listenerArns = new Set([...next.keys()].map((arn) => state.rules.get(arn)?.listenerArn));
  for (const listenerArn of listenerArns) {
    const used = new Set<number>();
    for (const rule of rulesOfListener(state, listenerArn ?? '')) {
      const priority = next.get(rule.arn) ?? rule.priority;
      if (used.has(priority)) throw elbv2Error('PriorityInUse', `Priority '${priority}' is currently in use`);
      used.add(priority);
    }
  }
  const changed: RuleRecord[] = [];
  for (const [arn, priority] of next) {
    const rule = state.rules.get(arn);
    if (rule === undefined) continue;
    rule.priority = priority;
    changed.push(rule);
  }
  return { Rules: changed.map(describeRule) };
}

export const ruleHandlers: Readonly<Record<string, Handler>> = {
  CreateRule: handler(createRule),
  DescribeRules: handler(describeRules),
  ModifyRule: handler(modifyRule),
  DeleteRule: handler(deleteRule),
  SetRulePriorities: handler(setRulePriorities),
};
