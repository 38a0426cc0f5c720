/**
 * The target fast path: keeps each target group's registered targets in step with what the spec
 * wants, one RegisterTargets and one DeregisterTargets in flight per group at most, without reading
 * anything (the memory says what is registered; write-through keeps it so).
 *
 * - Coalescing: what a group should hold can change while a call is in flight; the next call of the
 *   group carries everything that piled up meanwhile, up to the API's 200 targets per call.
 * - Registrations first: a new Pod cannot take traffic until it is registered, a leaving one can
 *   wait. Registrations take budget tokens as any call; a deregistration waits for a spare token
 *   (ApiBudget.acquireSpare: none waiting, a reserve left) and is built only then, from what is
 *   unwanted at that moment. So when the registration bucket is the limit (endpoint churn at scale),
 *   registrations go at the floor and deregistrations drain in batches behind them.
 * - `converge` resolves once every target wanted at that moment is registered (or no longer wanted);
 *   deregistrations carry on after it, in the background.
 * - A failed registration rejects the waiters and drops the stack's memory (the next reconcile
 *   observes it in full); a failed deregistration drops the memory too, and the next reconcile or
 *   resync finishes it. Nothing is leaked by a crash: what is registered is in AWS, and a restart's
 *   full observe plans whatever is left.
 * @module
 */
import type { TargetDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { OperationOutcome } from '../../../src/provider.js';
import { targetKey, TARGET_BATCH_SIZE } from '../plan/diff-targets.js';
import type { AwsOperation } from '../plan/operations.js';
import type { ApiBudget } from '../sdk/budget.js';
import type { AwsClients } from '../sdk/clients.js';
import { describeError, isNotFound } from '../sdk/errors.js';
import type { Call } from '../sdk/retry.js';
import { targetOfKey } from '../observe/memory.js';
import { sendOperation } from './commands.js';

export interface TargetGroupWanted {
  stackId: string;
  arn: string;
  /** The logical resource (`TargetGroup/<key>`), for outcomes. */
  resource: string;
  targets: readonly TargetDescription[];
}

export interface TargetSyncOptions {
  clients: AwsClients;
  call: Call;
  /** When given, deregistrations take only spare tokens of it. */
  budget?: ApiBudget;
  /** The registered targets the memory holds for a group, by `targetKey`; undefined when the group or stack is not remembered. */
  registered: (stackId: string, arn: string) => RegisteredView | undefined;
  /** A call succeeded: write it through to the memory. */
  succeeded: (stackId: string, operation: AwsOperation, input: Record<string, unknown>) => void;
  /** A call failed: the memory of the stack can no longer be trusted. */
  failed: (stackId: string) => void;
}

/** What the engine asks of a group's registered targets (a Set of keys will do). */
export interface RegisteredView {
  has(key: string): boolean;
  keys(): Iterable<string>;
}

interface Waiter {
  keys: string[];
  resolve: () => void;
  reject: (error: Error) => void;
}

/** One target group's state: what it should hold, and the calls under way. */
interface Lane {
  stackId: string;
  arn: string;
  resource: string;
  wanted: Map<string, TargetDescription>;
  registering?: Set<string>;
  deregistering?: Set<string>;
  /** Waiting for a spare token before building a deregistration. */
  awaitingSpare: boolean;
  waiters: Waiter[];
  done: OperationOutcome[];
}

class TargetSyncError extends Error {
  override readonly name = 'TargetSyncError';
}

export class TargetSync {
  private readonly lanes = new Map<string, Lane>();
  private readonly inFlight = new Set<Promise<void>>();
  private mayMutate: () => boolean = () => true;
  private closed = false;

  constructor(private readonly options: TargetSyncOptions) {}

  /**
   * Sets what these groups should hold; resolves once every target wanted now is registered, with the
   * calls the groups made meanwhile, or with the error that stopped a registration.
   */
  async converge(groups: readonly TargetGroupWanted[], options: { mayMutate?: () => boolean } = {}): Promise<{ outcomes: OperationOutcome[]; error?: string }> {
    if (options.mayMutate) this.mayMutate = options.mayMutate;
    const lanes = groups.map((group) => this.laneFor(group));
    const marks = lanes.map((lane) => lane.done.length);
    const registered = lanes.map((lane) => this.whenRegistered(lane));
    for (const lane of lanes) this.pump(lane);
    const settled = await Promise.allSettled(registered);
    const outcomes = lanes.flatMap((lane, index) => lane.done.slice(marks[index]));
    const failure = settled.find((result) => result.status === 'rejected');
    return failure ? { outcomes, error: describeError(failure.reason) } : { outcomes };
  }

  /**
   * After a full apply: groups with calls under way (or waiting) take the spec's targets as theirs,
   * so a call that lands after the apply's own is corrected, not left to the next resync.
   */
  follow(groups: readonly TargetGroupWanted[]): void {
    for (const group of groups) if (this.lanes.has(group.arn)) this.pump(this.laneFor(group));
  }

  /** The stack's memory changed under the groups (a full apply or observe): each checks again what it still has to do. */
  recheck(stackId: string): void {
    for (const lane of [...this.lanes.values()]) if (lane.stackId === stackId) this.pump(lane);
  }

  /** Forgets the groups of a stack (its memory was dropped); calls under way finish. */
  forget(stackId: string): void {
    for (const lane of [...this.lanes.values()]) {
      if (lane.stackId !== stackId) continue;
      this.fail(lane, new TargetSyncError(`the targets of ${lane.resource} are left to the next reconcile: stack ${stackId} is observed again`));
    }
  }

  /** Stops starting calls and waits for those in flight. */
  async close(): Promise<void> {
    this.closed = true;
    for (const lane of [...this.lanes.values()]) this.fail(lane, new TargetSyncError('the provider is closing'));
    await Promise.all([...this.inFlight]);
  }

  /** The group's lane, wanting the group's targets from now on. */
  private laneFor(group: TargetGroupWanted): Lane {
    let lane = this.lanes.get(group.arn);
    if (!lane) {
      lane = { stackId: group.stackId, arn: group.arn, resource: group.resource, wanted: new Map(), awaitingSpare: false, waiters: [], done: [] };
      this.lanes.set(group.arn, lane);
    }
    lane.wanted = new Map(group.targets.map((target) => [targetKey(target), target]));
    return lane;
  }

  /** Settles once the lane's targets wanted now are registered; pump decides. */
  private whenRegistered(lane: Lane): Promise<void> {
    const keys = [...lane.wanted.keys()];
    return new Promise((resolve, reject) => lane.waiters.push({ keys, resolve, reject }));
  }

  /** Starts whatever calls the group needs and has none in flight for; drops the lane once it is in step and idle. */
  private pump(lane: Lane): void {
    if (this.lanes.get(lane.arn) !== lane) return;
    const registered = this.options.registered(lane.stackId, lane.arn);
    if (!registered) {
      this.fail(lane, new TargetSyncError(`${lane.resource} is not remembered: its targets are left to a full reconcile`));
      return;
    }
    if (!lane.registering) {
      const batch = [...lane.wanted.keys()].filter((key) => !registered.has(key) && !lane.deregistering?.has(key)).slice(0, TARGET_BATCH_SIZE);
      if (batch.length > 0) this.start(lane, 'RegisterTargets', batch);
    }
    if (!lane.deregistering && !lane.awaitingSpare && this.unwanted(lane, registered).length > 0) void this.deregisterWhenSpare(lane);
    this.settleWaiters(lane);
    if (!lane.registering && !lane.deregistering && !lane.awaitingSpare && lane.waiters.length === 0) this.lanes.delete(lane.arn);
  }

  private unwanted(lane: Lane, registered: RegisteredView): string[] {
    return [...registered.keys()].filter((key) => !lane.wanted.has(key) && !lane.registering?.has(key));
  }

  private async deregisterWhenSpare(lane: Lane): Promise<void> {
    lane.awaitingSpare = true;
    await this.options.budget?.acquireSpare('elbv2', 'DeregisterTargets');
    lane.awaitingSpare = false;
    const registered = this.options.registered(lane.stackId, lane.arn);
    // Built now, not before the wait: everything that became unwanted meanwhile goes in this call.
    const batch = registered && this.lanes.get(lane.arn) === lane ? this.unwanted(lane, registered).slice(0, TARGET_BATCH_SIZE) : [];
    if (batch.length > 0) this.start(lane, 'DeregisterTargets', batch);
    else this.pump(lane);
  }

  private start(lane: Lane, action: 'RegisterTargets' | 'DeregisterTargets', keys: string[]): void {
    if (this.closed || !this.mayMutate()) {
      this.fail(
        lane,
        new TargetSyncError(`stopped before ${action} ${lane.resource}: ${this.closed ? 'the provider is closing' : 'this replica is no longer the leader'}`),
      );
      return;
    }
    const targets = keys.map((key) => lane.wanted.get(key) ?? targetOfKey(key));
    const input = { TargetGroupArn: lane.arn, Targets: targets.map(({ Id, Port }) => ({ Id, ...(Port !== undefined && { Port }) })) };
    const operation: AwsOperation = { action, resource: lane.resource, detail: { service: 'elbv2', input } };
    const calls = action === 'RegisterTargets' ? 'registering' : 'deregistering';
    lane[calls] = new Set(keys);
    const flight = this.options
      .call(action, () => sendOperation(this.options.clients, 'elbv2', action, input))
      .then(
        () => {
          this.options.succeeded(lane.stackId, operation, input);
          lane.done.push({ operation });
        },
        (error: unknown) => {
          if (action === 'DeregisterTargets' && isNotFound(error)) return; // the group is gone, and its targets with it
          lane.done.push({ operation, error: describeError(error) });
          this.options.failed(lane.stackId);
          this.fail(lane, new TargetSyncError(`${action} ${lane.resource} failed: ${describeError(error)}`));
        },
      )
      .finally(() => {
        if (action === 'RegisterTargets') delete lane.registering;
        else delete lane.deregistering;
        this.inFlight.delete(flight);
        this.pump(lane);
      });
    this.inFlight.add(flight);
  }

  /** Resolves the waiters whose targets are all registered or no longer wanted. */
  private settleWaiters(lane: Lane): void {
    const registered = this.options.registered(lane.stackId, lane.arn);
    if (!registered) return;
    lane.waiters = lane.waiters.filter((waiter) => {
      const pending = waiter.keys.some((key) => lane.wanted.has(key) && !registered.has(key));
      if (!pending) waiter.resolve();
      return pending;
    });
  }

  private fail(lane: Lane, error: Error): void {
    if (this.lanes.get(lane.arn) === lane) this.lanes.delete(lane.arn);
    for (const waiter of lane.waiters.splice(0)) waiter.reject(error);
  }
}
