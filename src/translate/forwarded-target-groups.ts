/**
 * The target groups a load balancer's listeners forward to. A target group is created only when a
 * forward still names it: the rule that named it may have been left out with its member, or dropped
 * as a duplicate or over a limit, and then its target group goes with it.
 * @module
 */
import type { Action, ListenerSpec } from '../model.js';
import { compareText } from './compare-text.js';

/** The keys of every target group a forward of the listeners names, default actions included. */
export function forwardedTargetGroupKeys(listeners: readonly ListenerSpec[]): Set<string> {
  const keys = new Set<string>();
  const collect = (action: Action): void => {
    if (action.type !== 'forward') return;
    for (const group of action.targetGroups) keys.add(group.targetGroupKey);
  };
  for (const listener of listeners) {
    collect(listener.defaultAction);
    for (const rule of listener.rules) rule.actions.forEach(collect);
  }
  return keys;
}

/** The candidates a forward names, each key once (the first candidate wins, as the oldest member's settings do), in key order. */
export function forwardedTargetGroups<T extends { key: string }>(listeners: readonly ListenerSpec[], candidates: readonly T[]): T[] {
  const forwarded = forwardedTargetGroupKeys(listeners);
  const byKey = new Map<string, T>();
  for (const candidate of candidates) if (forwarded.has(candidate.key) && !byKey.has(candidate.key)) byKey.set(candidate.key, candidate);
  return [...byKey.values()].sort((a, b) => compareText(a.key, b.key));
}
