/**
 * A listener's rules, changed so that no request served both before and after meets the listener's
 * default 404 in between. Observed rules (ours only: untagged rules are never touched) are matched to
 * desired ones by content, with target-group ARNs named by key:
 * 1. same content at the same priority: kept as is;
 * 2. same content at another priority: moved, all moves of the listener in ONE SetRulePriorities
 *    call, which AWS applies atomically;
 * 3. a desired priority held by a stale rule (content not wanted anywhere) with the same conditions:
 *    ModifyRule of its actions in place, so the requests it matches switch with no gap;
 * 4. the desired rules left: CreateRule. A stale rule on a priority that a move or a create needs is
 *    parked, in the same SetRulePriorities, at a free priority from 50000 down;
 * 5. the stale rules left: DeleteRule, in the second half of the plan, after every create.
 * A stale rule with other conditions is not modified into a new one: its requests would have no rule
 * until the rule that serves them next was in place. Instead every rule content that served before
 * stays until the deletes, and every content that serves after exists before them, so a request
 * served before and after always finds a rule. Parking may send a stale rule's requests to a later
 * rule for a moment (another backend, never the default 404); test/aws-diff-rules.test.ts checks it.
 * Creates come before deletes, so a listener at its rule limit meets TooManyRules; apply then
 * alternates one pending delete with a retried create (see apply.ts).
 *
 * A rule's content is its conditions, its actions (an authentication first), its transforms and, for
 * an OIDC login, the fingerprint of the client secret: ELBv2 never returns the secret, so the rule
 * carries the fingerprint it was last given in a tag (CLIENT_SECRET_TAG). A rotated Secret is then a
 * changed content at the same priority with the same conditions: ModifyRule in place, with the new
 * secret, and the tag follows in the tag phase (after the ModifyRule, so a crash in between only
 * repeats the ModifyRule). A ModifyRule for any other reason keeps the secret the rule has
 * (UseExistingClientSecret); a CreateRule sends it.
 * @module
 */
import type { Action as Elbv2Action, RuleCondition, RuleTransform } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { RuleSpec } from '../../../src/model.js';
import { clientSecretFingerprint, toElbv2RuleActions, toElbv2Transforms, transformsKey } from './auth-actions.js';
import { tagChange, type TagChange } from './diff-tags.js';
import { type ResolveTargetGroupArn, toElbv2Conditions, toElbv2Tags } from './elbv2-shapes.js';
import type { ObservedRule } from '../observe/observed.js';
import type { AwsOperation } from './operations.js';
import { ruleId, targetGroupRef } from './resource-ids.js';
import { conditionsKey, type NameArn, ruleContentKey } from './rule-content.js';
import { CLIENT_SECRET_TAG, isOwnedBy, ownershipTags, tagValue } from './tags.js';

/** The highest rule priority ALB accepts; parked rules go from here down. */
const MAX_RULE_PRIORITY = 50000;

export interface RulePlan {
  /** Zero or one SetRulePriorities. */
  reorder: AwsOperation[];
  create: AwsOperation[];
  modify: AwsOperation[];
  delete: AwsOperation[];
  tagChanges: TagChange[];
}

export interface RuleContext {
  port: number;
  /** The listener's ARN or placeholder. */
  listenerArn: string;
  clusterName: string;
  stackId: string;
  specTags: Record<string, string>;
  nameArn: NameArn;
  /** The ARN (or placeholder) a forward names for a target-group key; ours are placeholders, outside ones real ARNs. */
  resolveTargetGroup?: ResolveTargetGroupArn;
}

interface DesiredEntry {
  rule: RuleSpec;
  content: { Conditions: RuleCondition[]; Actions: Elbv2Action[]; Transforms?: RuleTransform[] };
  fingerprint: string | undefined;
  /** Canonical conditions, and conditions + actions: see rule-content.ts. */
  conditions: string;
  key: string;
}

interface ObservedEntry {
  rule: ObservedRule;
  arn: string;
  priority: number;
  conditions: string;
  key: string;
  /** The fingerprint tag of a rule with an OIDC login. */
  fingerprint: string | undefined;
  hasTransforms: boolean;
}

export function planRules(desired: readonly RuleSpec[], observed: readonly ObservedRule[], context: RuleContext): RulePlan {
  const plan: RulePlan = { reorder: [], create: [], modify: [], delete: [], tagChanges: [] };
  const resolve = context.resolveTargetGroup ?? targetGroupRef;
  const wanted = [...desired].sort((a, b) => a.priority - b.priority).map((rule) => desiredEntry(rule, resolve));
  const ours = observed
    .filter((rule) => isOwnedBy(rule.tags, context.clusterName, context.stackId))
    .map((rule) => observedEntry(rule, context.nameArn))
    .sort((a, b) => a.priority - b.priority);

  const matched = matchByContent(wanted, ours);
  const used = new Set(matched.values());
  const modified = new Map<DesiredEntry, ObservedEntry>();
  for (const entry of wanted.filter((candidate) => !matched.has(candidate))) {
    const holder = ours.find((candidate) => !used.has(candidate) && candidate.priority === entry.rule.priority);
    if (holder && holder.conditions === entry.conditions) {
      modified.set(entry, holder);
      used.add(holder);
    }
  }
  const created = wanted.filter((entry) => !matched.has(entry) && !modified.has(entry));
  const stale = ours.filter((entry) => !used.has(entry));

  const moves = [...matched].filter(([want, have]) => want.rule.priority !== have.priority);
  const needed = new Set([...moves.map(([want]) => want.rule.priority), ...created.map((entry) => entry.rule.priority)]);
  const taken = new Set([...observed.map(priorityOf), ...wanted.map((entry) => entry.rule.priority)]);
  const parkings = stale.filter((entry) => needed.has(entry.priority)).map((entry) => ({ RuleArn: entry.arn, Priority: nextFreePriority(taken) }));
  if (moves.length + parkings.length > 0) {
    plan.reorder.push({
      action: 'SetRulePriorities',
      resource: `${ruleId(context.port)}/*`,
      detail: {
        service: 'elbv2',
        input: { RulePriorities: [...parkings, ...moves.map(([want, have]) => ({ RuleArn: have.arn, Priority: want.rule.priority }))] },
      },
    });
  }

  const baseTags = { ...context.specTags, ...ownershipTags(context.clusterName, context.stackId, ruleId(context.port)) };
  const tagsOf = (entry: DesiredEntry): Record<string, string> => ({
    ...baseTags,
    ...(entry.fingerprint !== undefined && { [CLIENT_SECRET_TAG]: entry.fingerprint }),
  });
  for (const entry of created) {
    plan.create.push(
      ruleOperation('CreateRule', context.port, entry.rule.priority, {
        ListenerArn: context.listenerArn,
        Priority: entry.rule.priority,
        ...entry.content,
        Tags: toElbv2Tags(tagsOf(entry)),
      }),
    );
  }
  for (const [want, have] of modified) {
    const keepSecret = want.fingerprint !== undefined && want.fingerprint === have.fingerprint;
    const actions = toElbv2RuleActions(want.rule.authentication, want.rule.actions, resolve, keepSecret ? 'keep-existing' : 'from-secret');
    const transforms = want.content.Transforms ? { Transforms: want.content.Transforms } : have.hasTransforms ? { ResetTransforms: true } : {};
    plan.modify.push(ruleOperation('ModifyRule', context.port, want.rule.priority, { RuleArn: have.arn, Actions: actions, ...transforms }));
  }
  for (const entry of stale) plan.delete.push(ruleOperation('DeleteRule', context.port, entry.priority, { RuleArn: entry.arn }));
  for (const [want, have] of [...matched, ...modified]) {
    const change = tagChange({ arn: have.arn, resource: `${ruleId(context.port)}/${want.rule.priority}`, desired: tagsOf(want), observed: have.rule.tags });
    if (change) plan.tagChanges.push(change);
  }
  return plan;
}

/** Same content at the same priority first, then same content anywhere (lowest priority first). */
function matchByContent(wanted: readonly DesiredEntry[], ours: readonly ObservedEntry[]): Map<DesiredEntry, ObservedEntry> {
  const matched = new Map<DesiredEntry, ObservedEntry>();
  const used = new Set<ObservedEntry>();
  const claim = (samePriority: boolean): void => {
    for (const want of wanted) {
      if (matched.has(want)) continue;
      const have = ours.find((candidate) => !used.has(candidate) && candidate.key === want.key && (!samePriority || candidate.priority === want.rule.priority));
      if (!have) continue;
      matched.set(want, have);
      used.add(have);
    }
  };
  claim(true);
  claim(false);
  return matched;
}

/** Everything that makes two rules route alike: see the module comment. */
function contentKey(
  conditions: readonly RuleCondition[],
  actions: readonly Elbv2Action[],
  transforms: readonly RuleTransform[] | undefined,
  fingerprint: string | undefined,
  nameArn: NameArn,
): string {
  return `${ruleContentKey(conditions, actions, nameArn)}|${transformsKey(transforms)}|${fingerprint ?? ''}`;
}

function desiredEntry(rule: RuleSpec, resolve: ResolveTargetGroupArn): DesiredEntry {
  const conditions = toElbv2Conditions(rule.conditions);
  const actions = toElbv2RuleActions(rule.authentication, rule.actions, resolve, 'from-secret');
  const transforms = toElbv2Transforms(rule.transforms);
  const fingerprint = clientSecretFingerprint(rule.authentication);
  return {
    rule,
    content: { Conditions: conditions, Actions: actions, ...(transforms.length > 0 && { Transforms: transforms }) },
    fingerprint,
    conditions: conditionsKey(conditions),
    key: contentKey(conditions, actions, transforms, fingerprint, (arn) => arn),
  };
}

function observedEntry(rule: ObservedRule, nameArn: NameArn): ObservedEntry {
  const { RuleArn, Conditions, Actions, Transforms } = rule.description;
  const fingerprint = (Actions ?? []).some((action) => action.Type === 'authenticate-oidc') ? tagValue(rule.tags, CLIENT_SECRET_TAG) : undefined;
  return {
    rule,
    arn: RuleArn ?? '',
    priority: priorityOf(rule),
    conditions: conditionsKey(Conditions ?? []),
    key: contentKey(Conditions ?? [], Actions ?? [], Transforms, fingerprint, nameArn),
    fingerprint,
    hasTransforms: (Transforms?.length ?? 0) > 0,
  };
}

function priorityOf(rule: ObservedRule): number {
  return Number(rule.description.Priority);
}

function nextFreePriority(taken: Set<number>): number {
  let priority = MAX_RULE_PRIORITY;
  while (taken.has(priority)) priority -= 1;
  taken.add(priority);
  return priority;
}

function ruleOperation(action: string, port: number, priority: number, input: Record<string, unknown>): AwsOperation {
  return { action, resource: `${ruleId(port)}/${priority}`, detail: { service: 'elbv2', input } };
}
