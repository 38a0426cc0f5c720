/**
 * Rule merging: a pure pre-pass that spends fewer of the load balancer's rules (100 by default) on
 * the same routing.
 *
 * Two rules that are adjacent in priority order, have the same conditions apart from their paths,
 * and end in the same actions (with the same authentication and transforms: a login or a rewrite is
 * as much a part of what a rule does) become one rule whose path-pattern holds both rules' values. Routing
 * is unchanged: a request the first rule matched is matched by the merged rule, with the same action;
 * a request only the second matched reached it next (nothing sat between them), and gets the same
 * action from the merged rule; a request neither matched falls through to the same later rules.
 * A merge is made only while the rule stays within the ALB's value limits (`ruleLimitProblem`), and
 * never mixes wildcard values with regex values, which one condition cannot hold together.
 * The merged rule keeps the first rule's priority and origin.
 * @module
 */
import type { Condition, ListenerSpec, RuleSpec } from '../../../src/model.js';
import { type AlbLimits, DEFAULT_ALB_LIMITS, ruleLimitProblem } from '../../../src/limits.js';

export function mergeAdjacentRules(listener: ListenerSpec, limits: AlbLimits = DEFAULT_ALB_LIMITS): ListenerSpec {
  const ordered = [...listener.rules].sort((a, b) => a.priority - b.priority);
  const merged: RuleSpec[] = [];
  for (const rule of ordered) {
    const previous = merged.at(-1);
    const combined = previous ? combinePaths(previous, rule, limits) : undefined;
    if (combined) merged[merged.length - 1] = combined;
    else merged.push(rule);
  }
  return { ...listener, rules: merged };
}

type PathCondition = Extract<Condition, { field: 'path-pattern' }>;

function combinePaths(first: RuleSpec, second: RuleSpec, limits: AlbLimits): RuleSpec | undefined {
  if (behaviourOf(first) !== behaviourOf(second)) return undefined;
  const a = splitPath(first.conditions);
  const b = splitPath(second.conditions);
  if (!a || !b || a.others !== b.others) return undefined;
  const path = unionOf(a.path, b.path);
  if (!path) return undefined;
  const conditions = first.conditions.map((condition) => (condition.field === 'path-pattern' ? path : condition));
  if (ruleLimitProblem(conditions, limits) !== undefined) return undefined;
  return { ...first, conditions };
}

/** Everything a rule does to a request it matches. */
function behaviourOf(rule: RuleSpec): string {
  return JSON.stringify([rule.actions, rule.authentication ?? null, rule.transforms ?? []]);
}

/** The rule's one path condition and a canonical string of the rest; undefined without exactly one path. */
function splitPath(conditions: readonly Condition[]): { path: PathCondition; others: string } | undefined {
  const paths = conditions.filter((condition): condition is PathCondition => condition.field === 'path-pattern');
  const [path] = paths;
  if (paths.length !== 1 || !path) return undefined;
  const others = conditions
    .filter((condition) => condition.field !== 'path-pattern')
    .map((condition) => JSON.stringify(condition))
    .sort();
  return { path, others: JSON.stringify(others) };
}

function unionOf(a: PathCondition, b: PathCondition): PathCondition | undefined {
  if (a.values !== undefined && b.values !== undefined) {
    return { field: 'path-pattern', values: [...new Set([...a.values, ...b.values])] };
  }
  if (a.regexValues !== undefined && b.regexValues !== undefined) {
    return { field: 'path-pattern', regexValues: [...new Set([...a.regexValues, ...b.regexValues])] };
  }
  return undefined;
}
