/**
 * How the local load balancer spreads requests:
 * - among a forward action's target groups by weight, with smooth weighted round-robin (the nginx
 *   algorithm): deterministic, so weights 3:1 give exactly 3 of every 4 requests to the first group,
 *   and interleaved (A A B A, not A A A B); a group of weight 0 is never chosen;
 * - among a target group's healthy targets, plain round-robin.
 * @module
 */

export interface Weighted<T> {
  item: T;
  weight: number;
}

export class SmoothWeightedRoundRobin<T> {
  private readonly entries: { item: T; weight: number; current: number }[];
  private readonly totalWeight: number;

  constructor(choices: readonly Weighted<T>[]) {
    this.entries = choices.filter((choice) => choice.weight > 0).map((choice) => ({ ...choice, current: 0 }));
    this.totalWeight = this.entries.reduce((sum, entry) => sum + entry.weight, 0);
  }

  /** Undefined when every weight is 0. */
  next(): T | undefined {
    let best: (typeof this.entries)[number] | undefined;
    for (const entry of this.entries) {
      entry.current += entry.weight;
      if (!best || entry.current > best.current) best = entry;
    }
    if (!best) return undefined;
    best.current -= this.totalWeight;
    return best.item;
  }
}

export class RoundRobin {
  private cursor = 0;

  /** The next of `items`; the cursor carries over when the list changes (targets come and go). */
  next<T>(items: readonly T[]): T | undefined {
    if (items.length === 0) return undefined;
    const item = items[this.cursor % items.length];
    this.cursor = (this.cursor + 1) % Number.MAX_SAFE_INTEGER;
    return item;
  }
}

/** One chooser per forward action, created on first use; a new spec brings new action objects. */
export class ForwardChoosers {
  private readonly byAction = new WeakMap<object, SmoothWeightedRoundRobin<string>>();

  next(action: { targetGroups: readonly { targetGroupKey: string; weight: number }[] }): string | undefined {
    let chooser = this.byAction.get(action);
    if (!chooser) {
      chooser = new SmoothWeightedRoundRobin(action.targetGroups.map((group) => ({ item: group.targetGroupKey, weight: group.weight })));
      this.byAction.set(action, chooser);
    }
    return chooser.next();
  }
}
