/**
 * Pod readiness gates for ip targets, the I/O shell around pod-gates.ts: it follows the Pods that
 * carry a target-health gate, learns each stack's ip target groups from its reconciles, asks the
 * provider about the targets whose gates are not True yet, and writes each gate's condition through
 * the Pod status subresource when it changes.
 *
 * Cost. A check of a stack reads the health of its not-yet-healthy registered targets only — one
 * read per target group, through Provider.targetHealth — and runs after a reconcile of the stack and
 * then every `pollMs` while such targets remain, never twice within `pollMs` (a burst of reconciles
 * waits for the next poll). Once every gate of a stack is True nothing is polled: a Pod whose gate
 * is True is never asked about again.
 *
 * Leader only, like every write: a follower keeps its index warm and checks nothing.
 *
 * A gate that no target group of any load balancer has any more (its Ingress was deleted, or moved
 * to instance targets, after the Pod was admitted) would hold the Pod back for good; after
 * `orphanDelayMs` such a gate is set True, as aws-load-balancer-controller does, so a rollout is
 * never stuck on a load balancer that no longer sends to it.
 * @module
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { LoadBalancerSpec } from '../model.js';
import type { Logger } from '../observability/logger.js';
import type { ReadinessGateBacklog } from '../observability/metrics.js';
import { WaitingSince } from '../observability/waiting-since.js';
import type { Provider } from '../provider.js';
import type { KubeClient } from '../sources/kube-http.js';
import { trimForCache } from '../sources/kube-objects.js';
import { objectKey } from '../sources/snapshot.js';
import type { SourceChange } from '../sources/source-change.js';
import { awaitsOnlyTargetHealth, isTargetHealthGate } from '../translate/readiness-gates.js';
import {
  conditionPatch,
  desiredCondition,
  gatedTargetGroups,
  healthQuery,
  pendingGates,
  type DesiredCondition,
  type GatedTargetGroup,
  type JsonPatchOperation,
  waitsOnGate,
} from './pod-gates.js';

/** Writes a JSON patch to a Pod's status subresource; returns the Pod as stored after it. */
export interface PodStatusWriter {
  patchStatus(namespace: string, name: string, operations: readonly JsonPatchOperation[]): Promise<V1Pod | undefined>;
}

export function kubePodStatusWriter(client: KubeClient): PodStatusWriter {
  return {
    async patchStatus(namespace, name, operations) {
      const stored = await client.patch(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/status`, 'json', operations);
      return trimForCache(stored);
    },
  };
}

export interface ReadinessGatesOptions {
  provider: Pick<Provider, 'targetHealth'>;
  writer: PodStatusWriter;
  isLeader: () => boolean;
  logger: Logger;
  /** Every gate the load balancers have now, computed afresh from the cluster (for orphaned gates). */
  currentGates: () => ReadonlySet<string>;
  /** Between two health reads of a stack that still has targets pending (default 10 s). */
  pollMs?: number;
  /** How long a gate no stack is known to have waits before it is checked against every load balancer (default 30 s). */
  orphanDelayMs?: number;
  now?: () => Date;
}

const DEFAULT_POLL_MS = 10_000;
const DEFAULT_ORPHAN_DELAY_MS = 30_000;
const ORPHANED: DesiredCondition = {
  status: 'True',
  reason: 'TargetGroupGone',
  message: 'no load balancer of this controller sends to this target group any more',
};

type PodChange = Extract<SourceChange, { kind: 'Pod' }>;

export class ReadinessGates {
  /** Pods that carry target-health gates not yet True, by gate, then `namespace/name`. */
  private readonly podsByGate = new Map<string, Map<string, V1Pod>>();
  /** When each pending gate of each Pod was first seen pending, by `gate\u0000namespace/name`. */
  private readonly pendingSince = new WaitingSince();
  private readonly groupsByStack = new Map<string, GatedTargetGroup[]>();
  private readonly stackOfGate = new Map<string, string>();
  private readonly polls = new Map<string, NodeJS.Timeout>();
  /** When each stack's health was last read (performance.now()). */
  private readonly lastRead = new Map<string, number>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private orphanTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: ReadinessGatesOptions) {}

  /**
   * A Pod changed (the Snapshot already holds it). Returns the stacks to reconcile again: those of
   * its gates when whether it waits only for them changed, since translate registers such a Pod
   * while not ready, and its EndpointSlice does not change when that happens.
   */
  onPodChange(change: PodChange): string[] {
    const key = objectKey(change.object.metadata?.namespace, change.object.metadata?.name ?? '');
    this.reindex(key, [...gatesOf(change.object), ...(change.previous ? gatesOf(change.previous) : [])], change.type === 'delete' ? undefined : change.object);
    const before = change.previous !== undefined && awaitsOnlyTargetHealth(change.previous);
    const after = change.type !== 'delete' && awaitsOnlyTargetHealth(change.object);
    if (before === after) return [];
    return [...new Set(gatesOf(change.object).flatMap((gate) => this.stackOfGate.get(gate) ?? []))].sort();
  }

  /** After a reconcile of the stack (undefined spec: it is gone): its ip target groups now, then a check. */
  onReconciled(stackId: string, spec: LoadBalancerSpec | undefined): void {
    for (const group of this.groupsByStack.get(stackId) ?? []) this.stackOfGate.delete(group.gate);
    const groups = gatedTargetGroups(spec);
    if (groups.length === 0) this.groupsByStack.delete(stackId);
    else this.groupsByStack.set(stackId, groups);
    for (const group of groups) this.stackOfGate.set(group.gate, stackId);
    if (groups.length === 0) this.lastRead.delete(stackId);
    const sinceRead = performance.now() - (this.lastRead.get(stackId) ?? -Infinity);
    if (sinceRead >= this.pollMs()) void this.check(stackId);
    else this.schedulePoll(stackId, this.pollMs() - sinceRead);
  }

  private pollMs(): number {
    return this.options.pollMs ?? DEFAULT_POLL_MS;
  }

  /** Leadership gained: stacks are checked as they reconcile; gates no stack is known to have, after a while. */
  resume(): void {
    if ([...this.podsByGate.keys()].some((gate) => !this.stackOfGate.has(gate))) this.scheduleOrphanCheck();
  }

  /** Leadership lost: no more checks until the next reconcile of the new term. */
  pause(): void {
    for (const timer of this.polls.values()) clearTimeout(timer);
    this.polls.clear();
    clearTimeout(this.orphanTimer);
    this.orphanTimer = undefined;
  }

  /** Stops every timer and waits for the checks in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.pause();
    await Promise.all(this.running.values());
  }

  /** Stacks with a health read scheduled: Pods of theirs wait on a registered target, or a reconcile came within a poll period of the last read. */
  pollingStacks(): string[] {
    return [...this.polls.keys()].sort();
  }

  /** Gates not yet True, counted per Pod and gate, and how long the oldest has waited. */
  backlog(): ReadinessGateBacklog {
    return { pending: this.pendingSince.size, oldestPendingSeconds: this.pendingSince.oldestMs(this.clock().getTime()) / 1000 };
  }

  private clock(): Date {
    return (this.options.now ?? (() => new Date()))();
  }

  /** Files the Pod under each of these gates it still waits on, and under none of the others. */
  private reindex(key: string, gates: readonly string[], pod: V1Pod | undefined): void {
    let unknown = false;
    for (const gate of new Set(gates)) {
      const waiting = pod !== undefined && waitsOnGate(pod, gate);
      const pods = this.podsByGate.get(gate);
      const since = `${gate}\u0000${key}`;
      if (!waiting) {
        pods?.delete(key);
        if (pods?.size === 0) this.podsByGate.delete(gate);
        this.pendingSince.end(since);
        continue;
      }
      if (pods) pods.set(key, pod);
      else this.podsByGate.set(gate, new Map([[key, pod]]));
      this.pendingSince.start(since, this.clock().getTime());
      unknown ||= !this.stackOfGate.has(gate);
    }
    if (unknown) this.scheduleOrphanCheck();
  }

  /** One check per stack at a time; a check asked for meanwhile runs once after it. */
  private check(stackId: string): Promise<void> {
    if (this.stopped || !this.options.isLeader()) return Promise.resolve();
    const inFlight = this.running.get(stackId);
    if (inFlight) {
      this.again.add(stackId);
      return inFlight;
    }
    clearTimeout(this.polls.get(stackId));
    this.polls.delete(stackId);
    const run = this.checkStack(stackId)
      .catch((error: unknown) => {
        this.options.logger.warn({ stack: stackId, err: error }, 'readiness gates: target health check failed; will retry');
        this.schedulePoll(stackId);
      })
      .finally(() => {
        this.running.delete(stackId);
        if (this.again.delete(stackId)) void this.check(stackId);
      });
    this.running.set(stackId, run);
    return run;
  }

  private async checkStack(stackId: string): Promise<void> {
    const groups = this.groupsByStack.get(stackId) ?? [];
    const pending = pendingGates(groups, (gate) => this.podsByGate.get(gate)?.values() ?? []);
    const query = healthQuery(pending);
    if (query.size === 0 || !this.options.provider.targetHealth) return;
    this.lastRead.set(stackId, performance.now());
    const report = await this.options.provider.targetHealth(stackId, query);
    let waiting = false;
    for (const entry of pending) {
      if (entry.targets.length === 0) continue;
      const desired = desiredCondition(entry, report);
      waiting ||= desired?.status !== 'True';
      if (desired) await this.write(entry.pod, entry.gate, desired);
    }
    if (waiting) this.schedulePoll(stackId);
  }

  private schedulePoll(stackId: string, delayMs = this.pollMs()): void {
    if (this.stopped || this.polls.has(stackId) || !this.options.isLeader()) return;
    const timer = setTimeout(() => {
      this.polls.delete(stackId);
      void this.check(stackId);
    }, delayMs);
    timer.unref();
    this.polls.set(stackId, timer);
  }

  /** Writes the condition unless the Pod already has it; a Pod changed meanwhile is tried again at the next check. */
  private async write(pod: V1Pod, gate: string, desired: DesiredCondition): Promise<void> {
    const patch = conditionPatch(pod, gate, desired, this.clock());
    const namespace = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    if (!patch || !this.options.isLeader()) return;
    try {
      const stored = await this.options.writer.patchStatus(namespace, name, patch);
      // The watch brings the same Pod soon; indexing it now keeps a check in between from writing twice.
      const key = objectKey(namespace, name);
      if (stored) this.reindex(key, gatesOf(pod), stored);
      this.options.logger.info({ pod: key, gate, status: desired.status, reason: desired.reason }, 'readiness gate written');
    } catch (error) {
      this.options.logger.warn({ pod: `${namespace}/${name}`, gate, err: error }, 'readiness gate not written; will retry');
    }
  }

  private scheduleOrphanCheck(): void {
    if (this.stopped || this.orphanTimer || !this.options.isLeader()) return;
    this.orphanTimer = setTimeout(() => {
      this.orphanTimer = undefined;
      void this.releaseOrphans();
    }, this.options.orphanDelayMs ?? DEFAULT_ORPHAN_DELAY_MS);
    this.orphanTimer.unref();
  }

  /** Gates no stack is known to have are checked against every load balancer now; those none has are set True. */
  private async releaseOrphans(): Promise<void> {
    const unknown = [...this.podsByGate.keys()].filter((gate) => !this.stackOfGate.has(gate));
    if (unknown.length === 0 || !this.options.isLeader()) return;
    const current = this.options.currentGates();
    for (const gate of unknown.filter((candidate) => !current.has(candidate))) {
      for (const pod of [...(this.podsByGate.get(gate)?.values() ?? [])]) await this.write(pod, gate, ORPHANED);
    }
    // A gate a load balancer has becomes known when that stack reconciles; one whose write failed is tried again.
    if ([...this.podsByGate.keys()].some((gate) => !this.stackOfGate.has(gate) && !current.has(gate))) this.scheduleOrphanCheck();
  }
}

function gatesOf(pod: V1Pod): string[] {
  return (pod.spec?.readinessGates ?? []).map((gate) => gate.conditionType).filter(isTargetHealthGate);
}
