/**
 * What the provider remembers of one stack between reconciles: the last full observe, kept up to
 * date by the results of its own successful calls (write-through.ts). A reconcile diffs against it
 * and reads from AWS only what its change must verify (refresh.ts), so a change costs what it
 * touches; drift made by others is found by the full observe of the next resync.
 *
 * Targets are kept as ids by port (RegisteredTargets), not as the SDK's TargetHealthDescription: an
 * L cluster has over 100,000 of them, and diff only needs to know which are registered (health is
 * read where it matters, by the readiness gates). A draining target counts as gone, as it does in diff.
 * @module
 */
import type { Tag, TargetDescription, TargetGroup, TargetGroupAttribute, TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import { targetKey } from '../plan/diff-targets.js';
import { observedFunctions, type RememberedFunctions } from './function-memory.js';
import type { AwsObserved } from './observed.js';

export interface RememberedTargetGroup {
  description: TargetGroup;
  /** The attributes last read or set; only those a spec manages are read (observe.ts). */
  attributes: TargetGroupAttribute[];
  tags: Tag[];
  targets: RegisteredTargets;
}

/**
 * Instance ids are shared by every instance target group (each Node is a target of each), so one
 * string each serves them all: 100,000 of an L cluster's targets name 200 instances. Grows with the
 * Nodes the process ever saw, not with endpoints (ip addresses are not shared, so not kept here).
 */
const instanceIds = new Map<string, string>();

function shared(id: string): string {
  if (!id.startsWith('i-')) return id;
  const known = instanceIds.get(id);
  if (known !== undefined) return known;
  instanceIds.set(id, id);
  return id;
}

/** One target group's registered targets: by port, the ids; asked by `targetKey` (plan/diff-targets.ts). */
export class RegisteredTargets {
  private readonly byPort = new Map<number | undefined, Set<string>>();

  add(target: TargetDescription): void {
    const ids = this.byPort.get(target.Port) ?? new Set<string>();
    ids.add(shared(target.Id ?? ''));
    this.byPort.set(target.Port, ids);
  }

  delete(target: TargetDescription): void {
    const ids = this.byPort.get(target.Port);
    ids?.delete(target.Id ?? '');
    if (ids?.size === 0) this.byPort.delete(target.Port);
  }

  has(key: string): boolean {
    const target = targetOfKey(key);
    return this.byPort.get(target.Port)?.has(target.Id ?? '') ?? false;
  }

  *keys(): IterableIterator<string> {
    for (const [Port, ids] of this.byPort) for (const Id of ids) yield targetKey({ Id, ...(Port !== undefined && { Port }) });
  }

  *targets(): IterableIterator<TargetDescription> {
    for (const [Port, ids] of this.byPort) for (const Id of ids) yield { Id, ...(Port !== undefined && { Port }) };
  }
}

/**
 * Everything observe saw of the stack (whatever parts AwsObserved has), targets kept compactly;
 * the spec's lookups are not part of it (they are cached by their own modules).
 */
export interface StackMemory extends Omit<AwsObserved, 'provider' | 'targetGroups' | 'lookups' | 'functions'> {
  targetGroups: RememberedTargetGroup[];
  /** Lambda's answers for the stack's functions, with what was asked (function-memory.ts); absent without functions. */
  functions?: RememberedFunctions;
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
function registeredTargets(targets: readonly TargetHealthDescription[]): RegisteredTargets {
  const registered = new RegisteredTargets();
  for (const { Target, TargetHealth } of targets) {
    if (Target?.Id !== undefined && TargetHealth?.State !== 'draining') registered.add(Target);
  }
  return registered;
}

/**
 * Parts of an observe the memory does not keep: targets are kept apart, lookups belong to the spec,
 * functions are kept with what was asked of Lambda (the provider sets them after it reads them).
 */
const NOT_REMEMBERED: ReadonlySet<string> = new Set(['provider', 'lookups', 'targetGroups', 'functions']);

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
      targets: registeredTargets(group.targets),
    })),
    securityGroupsStale: false,
  };
}

/** Parts of the memory that are not an Observed's as they are. */
const NOT_VIEWED: ReadonlySet<string> = new Set(['targetGroups', 'functions', 'securityGroupsStale']);

/**
 * The memory as an Observed that diff reads. Shares the memory's objects (diff never changes what
 * it is given); only the target lists are made, for this call.
 */
export function viewOf(memory: StackMemory): AwsObserved {
  const parts = Object.fromEntries(Object.entries(memory).filter(([key]) => !NOT_VIEWED.has(key))) as Omit<
    AwsObserved,
    'provider' | 'targetGroups' | 'functions'
  >;
  return {
    ...parts,
    ...(memory.functions && { functions: observedFunctions(memory.functions) }),
    provider: 'aws',
    targetGroups: memory.targetGroups.map((group) => ({
      description: group.description,
      attributes: group.attributes,
      tags: group.tags,
      targets: [...group.targets.targets()].map((Target) => ({ Target })),
    })),
  };
}
