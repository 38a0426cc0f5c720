/**
 * What the provider remembers of one stack between reconciles: the last full observe, kept up to
 * date by the results of its own successful calls (write-through.ts). A reconcile diffs against it
 * and reads from AWS only what its change must verify (refresh.ts), so a change costs what it
 * touches; drift made by others is found by the full observe of the next resync.
 *
 * Targets are kept as `id:port` keys, not as the SDK's TargetHealthDescription: an L cluster has
 * over 100,000 of them, and diff only needs to know which are registered (health is read where it
 * matters, by the readiness gates). A draining target counts as gone, as it does in diff.
 * @module
 */
import type { Tag, TargetDescription, TargetGroup, TargetGroupAttribute, TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import { targetKey } from '../plan/diff-targets.js';
import type { AwsObserved } from './observed.js';

export interface RememberedTargetGroup {
  description: TargetGroup;
  /** The attributes last read or set; only those a spec manages are read (observe.ts). */
  attributes: TargetGroupAttribute[];
  tags: Tag[];
  /** Registered targets as `targetKey`s. */
  targets: Set<string>;
}

/**
 * Everything observe saw of the stack (whatever parts AwsObserved has), targets kept compactly;
 * the spec's lookups are not part of it (they are cached by their own modules).
 */
export interface StackMemory extends Omit<AwsObserved, 'provider' | 'targetGroups' | 'lookups'> {
  targetGroups: RememberedTargetGroup[];
  /** Our own EC2 calls changed the security groups in a way not written through: read them again before relying on them. */
  securityGroupsStale: boolean;
}

/** The inverse of targetKey (plan/diff-targets.ts); an IPv6 id holds colons, the port never does. */
export function targetOfKey(key: string): TargetDescription {
  const colon = key.lastIndexOf(':');
  const port = key.slice(colon + 1);
  return { Id: key.slice(0, colon), ...(port !== '' && { Port: Number(port) }) };
}

/** The registered targets of an observe, draining ones left out. */
function registeredKeys(targets: readonly TargetHealthDescription[]): Set<string> {
  const keys = new Set<string>();
  for (const { Target, TargetHealth } of targets) {
    if (Target?.Id !== undefined && TargetHealth?.State !== 'draining') keys.add(targetKey(Target));
  }
  return keys;
}

/** Parts of an observe the memory does not keep: targets are kept apart, lookups belong to the spec. */
const NOT_REMEMBERED: ReadonlySet<string> = new Set(['provider', 'lookups', 'targetGroups']);

/** A full observe, as the memory keeps it: its own copy, which write-through changes in place. */
export function rememberObserved(observed: AwsObserved): StackMemory {
  const parts = Object.fromEntries(Object.entries(observed).filter(([key]) => !NOT_REMEMBERED.has(key))) as Omit<
    StackMemory,
    'targetGroups' | 'securityGroupsStale'
  >;
  return {
    ...structuredClone(parts),
    targetGroups: observed.targetGroups.map((group) => ({
      description: structuredClone(group.description),
      attributes: structuredClone(group.attributes),
      tags: structuredClone(group.tags),
      targets: registeredKeys(group.targets),
    })),
    securityGroupsStale: false,
  };
}

/**
 * The memory as an Observed that diff reads. Shares the memory's objects (diff never changes what
 * it is given); only the target lists are made, for this call.
 */
export function viewOf(memory: StackMemory): AwsObserved {
  const parts = Object.fromEntries(Object.entries(memory).filter(([key]) => key !== 'targetGroups' && key !== 'securityGroupsStale')) as Omit<
    AwsObserved,
    'provider' | 'targetGroups'
  >;
  return {
    ...parts,
    provider: 'aws',
    targetGroups: memory.targetGroups.map((group) => ({
      description: group.description,
      attributes: group.attributes,
      tags: group.tags,
      targets: [...group.targets].map((key) => ({ Target: targetOfKey(key) })),
    })),
  };
}
