/**
 * The controller against a cluster: informers fill the Snapshot, the dependency index turns each
 * change into the group keys it affects, the work queue runs one reconcile per key at a time, and a
 * reconcile translates the group, lets the provider converge it, then writes status, finalizers and
 * Events. Only the leader reconciles; losing the Lease pauses the queue at once.
 *
 * A change costs what it touches: between resyncs a reconcile asks the provider to read only what
 * the change must verify, and an EndpointSlice, Node or Pod change that feeds only target groups
 * the stack (IngressGroup or Gateway) already has takes the provider's target fast path
 * (registrations alone, no status writes or Events). Every group gets a full read of its cloud state once per full-resync period, staggered
 * across groups, which is how drift made outside the controller is found.
 * @module
 */
import type { V1Ingress, V1Pod } from '@kubernetes/client-node';
import type { Diagnostic, IngressRef, LoadBalancerSpec, TargetGroupSpec } from '../model.js';
import type { ControllerMetrics } from '../observability/metrics.js';
import type { Logger } from '../observability/logger.js';
import type { Provider } from '../provider.js';
import { DependencyIndex, routingFieldsChanged } from './dependency-index.js';
import { KubeSource } from '../sources/kube.js';
import type { KubeClient } from '../sources/kube-http.js';
import { Snapshot } from '../sources/snapshot.js';
import type { SourceChange } from '../sources/source-change.js';
import { classifyIngress, groupIngresses, namedGroupKey } from '../translate/groups.js';
import { currentTargets } from '../translate/backends.js';
import { translate, type TranslateOptions, type TranslateResult } from '../translate/index.js';
import type { EventRecorder } from './event-recorder.js';
import { hasFinalizer, type IngressWriter } from './ingress-writer.js';
import { gatewaysUsingService } from './gateway-dependencies.js';
import { gatesToInject, injectionEnabled, readinessGatePatch, servicesSelecting, type StackTargetGroup } from './pod-gate-injection.js';
import { gatedTargetGroups, type JsonPatchOperation } from './pod-gates.js';
import { kubePodStatusWriter, ReadinessGates, type PodStatusWriter } from './readiness-gates.js';
import type { Clock } from './clock.js';
import { reconcileStack, reconcileTargets } from './reconcile.js';
import { WorkQueue, type BackoffPolicy, type RunOutcome } from './work-queue.js';
import { gatewayOfStackId, gatewayStackId, isGatewayStackId, translateGateways } from '../translate/gateway/index.js';
import {
  hasGatewayFinalizer,
  kubeGatewayStatusWriter,
  setGatewayFinalizer,
  statusWrites,
  type GatewayOutcome,
  type GatewayStatusWriter,
} from './gateway-status.js';

export interface KubeControllerOptions {
  /** The Kubernetes API: the informers read it, the status writers write it. */
  client: KubeClient;
  provider: Provider;
  translateOptions: () => TranslateOptions;
  writer: IngressWriter;
  events: EventRecorder;
  logger: Logger;
  metrics: ControllerMetrics;
  /** Whether this replica may mutate now; without leader election, always. */
  isLeader: () => boolean;
  watchNamespace?: string;
  concurrency?: number;
  backoff?: BackoffPolicy;
  /** Every known group is reconciled this often, from what the provider remembers (cheap), in case an event was missed. */
  resyncMs?: number;
  /** Every known group's cloud state is read in full this often, staggered across groups, to find drift made outside the controller. */
  fullResyncMs?: number;
  /** The work queue's time (backoff, resyncs); tests pass one they move. */
  clock?: Clock;
  /** Pod readiness gates (when the provider reports target health): where conditions are written, how often health is polled. */
  readinessGates?: { writer?: PodStatusWriter; pollMs?: number; orphanDelayMs?: number };
  /** Where Gateway API status is written (default: the cluster's status subresources). */
  gatewayStatus?: GatewayStatusWriter;
}

/** What a group's next run must do; the works of coalesced events merge (mergeGroupWork). */
export interface GroupWork {
  /** Only the registered targets of these target groups changed (EndpointSlices, Nodes, Pods awaiting their gates); absent: the whole group. */
  targets?: Set<string>;
  /** Read the group's cloud state in full (resync, start, leadership gained), not only what the change touches. */
  full?: boolean;
}

/** Undefined work is the whole group, read only where it changes; it absorbs target-only work. */
export function mergeGroupWork(pending: GroupWork | undefined, next: GroupWork | undefined): GroupWork | undefined {
  const full = pending?.full === true || next?.full === true;
  const targets = pending?.targets && next?.targets ? new Set([...pending.targets, ...next.targets]) : undefined;
  if (!full && !targets) return undefined;
  return { ...(full && { full }), ...(targets && { targets }) };
}

const FULL: GroupWork = { full: true };

const ref = (ingress: V1Ingress): IngressRef => ({ namespace: ingress.metadata?.namespace ?? 'default', name: ingress.metadata?.name ?? '' });
const keyOf = (ingress: IngressRef): string => `${ingress.namespace}/${ingress.name}`;

export class KubeController {
  readonly snapshot = new Snapshot();
  readonly queue: WorkQueue<GroupWork>;
  /** Set once the informers have synced: before that, a change event must not start a reconcile of a partial cluster. */
  private synchronized = false;
  private readonly source: KubeSource;
  private readonly index: DependencyIndex;
  /** Each group's last full translation, targets left out (rememberTranslation). */
  private readonly translations = new Map<string, LoadBalancerSpec>();
  /** Pod readiness gates; undefined when the provider cannot report target health. */
  readonly gates: ReadinessGates | undefined;
  private readonly gatewayStatus: GatewayStatusWriter;

  constructor(private readonly options: KubeControllerOptions) {
    this.gatewayStatus = options.gatewayStatus ?? kubeGatewayStatusWriter(options.client);
    this.index = new DependencyIndex({ snapshot: this.snapshot, classes: options.translateOptions() });
    this.gates = options.provider.targetHealth
      ? new ReadinessGates({
          provider: options.provider,
          writer: options.readinessGates?.writer ?? kubePodStatusWriter(options.client),
          isLeader: options.isLeader,
          logger: options.logger,
          currentGates: () => this.currentGates(),
          ...(options.readinessGates?.pollMs !== undefined ? { pollMs: options.readinessGates.pollMs } : {}),
          ...(options.readinessGates?.orphanDelayMs !== undefined ? { orphanDelayMs: options.readinessGates.orphanDelayMs } : {}),
        })
      : undefined;
    const gates = this.gates;
    if (gates) options.metrics.observeReadinessGates(() => gates.backlog());
    this.queue = new WorkQueue<GroupWork>({
      handler: (key, work) => this.reconcile(key, work),
      merge: mergeGroupWork,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      ...(options.backoff ? { backoff: options.backoff } : {}),
      onRun: (report) => {
        if (report.convergenceMs !== undefined) options.metrics.recordConvergence(report.convergenceMs / 1000);
        options.metrics.recordStackRun({ stack: report.key, outcome: report.outcome, failures: report.failures, durationMs: report.durationMs });
        if (report.outcome === 'retry')
          options.logger.warn({ stack: report.key, failures: report.failures, retryInMs: report.retryInMs }, 'reconcile will be retried');
      },
    });
    options.metrics.observeQueueDepth(() => this.queue.depth());
    this.source = new KubeSource({
      client: options.client,
      snapshot: this.snapshot,
      ...(options.watchNamespace ? { watchNamespace: options.watchNamespace } : {}),
      onChange: (change) => this.onChange(change),
      onError: (failure) =>
        failure.phase === 'older-version'
          ? options.logger.info({ kind: failure.kind }, (failure.error as Error).message)
          : options.logger.warn({ kind: failure.kind, phase: failure.phase, restartInMs: failure.restartInMs, err: failure.error }, 'watch failed'),
    });
  }

  /** Starts the informers; reconciles begin once they have synced (a partial cluster would look like deletions). */
  async start(): Promise<void> {
    if (!this.options.isLeader()) this.queue.pause();
    await this.source.start();
    await this.source.whenSynced();
    this.synchronized = true;
    for (const key of this.allKeys()) this.queue.enqueue(key, 'resync', FULL);
    if (this.options.resyncMs) this.queue.startResync(this.options.resyncMs, () => this.allKeys());
    if (this.options.fullResyncMs) this.queue.startStaggeredResync(this.options.fullResyncMs, () => this.allKeys(), FULL);
  }

  synced(): boolean {
    return this.source.synced();
  }

  /** Leadership gained: everything is reconciled once, since changes were not acted on meanwhile. */
  startedLeading(): void {
    this.queue.resume();
    // What another leader did meanwhile is not in this replica's memory of the cloud: read it all.
    for (const key of this.allKeys()) this.queue.enqueue(key, 'resync', FULL);
    this.gates?.resume();
  }

  stoppedLeading(): void {
    this.queue.pause();
    this.gates?.pause();
    this.options.metrics.forgetStacks();
  }

  /** Finishes the reconciles in flight and stops watching. */
  async stop(): Promise<void> {
    await this.queue.drain();
    await this.gates?.stop();
    await this.source.stop();
  }

  /**
   * For the admission webhook: the JSON patch adding the target-health readiness gates a Pod being
   * created in `namespace` should carry (pod-gate-injection.ts), from the Snapshot as it is now.
   */
  readinessGatePatch(pod: V1Pod, namespace: string): JsonPatchOperation[] {
    const namespaceObject = this.snapshot.namespace(namespace);
    if (!injectionEnabled(namespaceObject)) return [];
    const services = this.snapshot.list('Service').filter((service) => service.metadata?.namespace === namespace);
    const selecting = servicesSelecting(pod, services).map((service) => service.metadata?.name ?? '');
    const targetGroups = this.targetGroupsReaching(namespace, selecting);
    return readinessGatePatch(pod, gatesToInject({ pod, namespace, namespaceObject, services, targetGroups }));
  }

  /** The target groups of every load balancer (IngressGroup or Gateway) that reach these Services, translated from the Snapshot now. */
  private targetGroupsReaching(namespace: string, services: readonly string[]): StackTargetGroup[] {
    const stacks = new Set(
      services.flatMap((service) => [...this.index.groupsForService(namespace, service), ...gatewaysUsingService(this.snapshot, namespace, service)]),
    );
    const options = this.options.translateOptions();
    return [...stacks].flatMap((stackId) =>
      (translate(this.snapshot, stackId, options).spec?.targetGroups ?? []).map((targetGroup) => ({ stackId, targetGroup })),
    );
  }

  /**
   * Every readiness gate some load balancer has now: every group and Gateway translated afresh (used
   * only for gates no stack is known to have; a Gateway's left out would be released as orphaned).
   */
  private currentGates(): Set<string> {
    const options = this.options.translateOptions();
    const keys = groupIngresses(this.snapshot, options).groups.keys();
    const specs = [
      ...[...keys].map((key) => translate(this.snapshot, key, options).spec),
      ...translateGateways(this.snapshot, options).results.map((result) => result.spec),
    ];
    return new Set(specs.flatMap((spec) => gatedTargetGroups(spec).map((group) => group.gate)));
  }

  private onChange(change: SourceChange): void {
    this.options.metrics.recordInformerEvent(change.kind, change.type);
    const affected = this.index.affectedBy(change);
    // Pods are followed from the first list on; some changes make their stacks register them (readiness-gates.ts).
    const podStacks = change.kind === 'Pod' ? (this.gates?.onPodChange(change) ?? []) : [];
    affected.push(...podStacks);
    if (!this.synchronized) return;
    // Only the leader reconciles, so only its record of changes means anything.
    if (this.options.isLeader()) this.options.metrics.recordStackChange(change.kind, affected);
    if (change.kind === 'Ingress' && change.type !== 'delete') this.reportRejected(change.object);
    // An Ingress that holds our finalizer names the group that must let it go, even while translate
    // rejects it — unless the change is only our own status or finalizer write.
    const ownWrite =
      change.kind === 'Ingress' && change.type === 'update' && change.previous !== undefined && !routingFieldsChanged(change.previous, change.object);
    const named =
      change.kind === 'Ingress' && !ownWrite && hasFinalizer(change.object) ? this.finalizerGroup(change.object, this.options.translateOptions()) : undefined;
    const targets = change.kind === 'Pod' ? this.index.podTargetGroups(change.object, podStacks) : this.index.targetGroupsAffectedBy(change);
    for (const key of new Set([...affected, ...(named ? [named] : [])])) {
      const only = targets?.targets.get(key);
      this.queue.enqueue(key, 'change', only && !targets?.whole.includes(key) ? { targets: only } : undefined);
    }
  }

  /** Every group with members, and every group an Ingress still holding our finalizer names. */
  private allKeys(): string[] {
    const options = this.options.translateOptions();
    const keys = new Set(groupIngresses(this.snapshot, options).groups.keys());
    for (const ingress of this.snapshot.ingresses()) {
      const named = hasFinalizer(ingress) ? this.finalizerGroup(ingress, options) : undefined;
      if (named) keys.add(named);
    }
    // Every Gateway of our classes is a load balancer, like a group; one that holds our finalizer still has one to delete.
    for (const result of translateGateways(this.snapshot, options).results) keys.add(result.stackId);
    for (const gateway of this.snapshot.gateways()) {
      if (hasGatewayFinalizer(gateway)) keys.add(gatewayStackId(gateway.metadata?.namespace ?? 'default', gateway.metadata?.name ?? ''));
    }
    return [...keys];
  }

  /** Ingresses of this group that hold our finalizer but are being deleted or are no longer ours. */
  private departing(key: string, result: TranslateResult, options: TranslateOptions): V1Ingress[] {
    const staying = new Set([...result.members, ...result.leftOut].map(keyOf));
    return this.snapshot
      .ingresses()
      .filter((ingress) => hasFinalizer(ingress) && !staying.has(keyOf(ref(ingress))) && this.finalizerGroup(ingress, options) === key);
  }

  /**
   * The group that must let go of an Ingress holding our finalizer: the one it is a member of now
   * or, being deleted or no longer a member, the one whose last translation served it. Its own
   * annotations are not enough: an nginx canary joins its main Ingress's group, which only the
   * main names (namedGroupKey would say nginx.<namespace>). Without a translation yet (just
   * started), the group it names.
   */
  private finalizerGroup(ingress: V1Ingress, options: TranslateOptions): string | undefined {
    const joined = this.index.joinedGroup(ingress.metadata?.namespace ?? 'default', ingress.metadata?.name ?? '');
    if (joined === undefined) return namedGroupKey(ingress, this.snapshot, options);
    if (ingress.metadata?.deletionTimestamp) return joined;
    const now = classifyIngress(ingress, this.snapshot, options);
    return now.kind === 'member' ? now.key : joined;
  }

  private async reconcile(key: string, work: GroupWork | undefined): Promise<RunOutcome> {
    if (!this.options.isLeader()) return 'done';
    if (work?.targets && !work.full) {
      const done = await this.reconcileTargets(key, work.targets);
      if (done) return done;
    }
    const { provider, writer, metrics, logger } = this.options;
    const started = performance.now();
    const options = this.options.translateOptions();
    const result = translate(this.snapshot, key, options);
    this.index.onTranslated(result);
    this.rememberTranslation(key, result.disposition === 'hold' ? undefined : result.spec);
    const members = result.members.flatMap((member) => this.snapshot.ingress(member.namespace, member.name) ?? []);
    await this.reportDiagnostics(result, members);

    // Bad input never deletes what exists: translate holds a group whose every Ingress is invalid.
    if (result.disposition === 'hold') {
      await this.writeGatewayStatus(key, result, {});
      metrics.recordReconcile('skipped', (performance.now() - started) / 1000);
      return 'done';
    }
    try {
      if (result.spec) for (const ingress of members) await writer.addFinalizer(ingress);
      if (result.spec) await this.setGatewayFinalizer(key, true);
      const outcome = await reconcileStack(provider, result, { mayMutate: this.options.isLeader, read: work?.full ? 'full' : 'changes' });
      if (outcome.error !== undefined) {
        logger.error({ stack: key, error: outcome.error, apiCalls: outcome.apiCalls }, 'reconcile failed');
        await this.writeGatewayStatus(key, result, { error: outcome.error });
        return await this.failed(members, outcome.error, started);
      }
      const address = outcome.result?.address;
      for (const ingress of members) await writer.setAddress(ingress, address);
      await this.writeGatewayStatus(key, result, address ? { address } : {});
      this.gates?.onReconciled(key, result.spec);
      const pending = outcome.result?.pending ?? [];
      if (pending.length > 0) {
        // The cloud still holds what is left to delete: keep the finalizers that guard it and come back.
        logger.info({ stack: key, pending: pending.map((operation) => `${operation.action} ${operation.resource}`) }, 'cleanup pending; will retry');
        metrics.recordReconcile('success', (performance.now() - started) / 1000);
        return 'retry';
      }
      for (const ingress of this.departing(key, result, options)) {
        const ours = classifyIngress(ingress, this.snapshot, options).kind !== 'not-ours';
        if (!ours) await writer.setAddress(ingress, undefined);
        await writer.removeFinalizer(ingress);
        if (ingress.metadata?.deletionTimestamp) this.options.events.forget(ref(ingress));
      }
      // The Gateway's load balancer is gone (deleted, or no longer of our class): it may go too.
      if (!result.spec) await this.setGatewayFinalizer(key, false);
      const operations = outcome.plan?.operations.length ?? 0;
      metrics.recordAppliedOperations(key, operations);
      logger.info({ stack: key, operations, apiCalls: outcome.apiCalls }, operations > 0 ? 'load balancer converged' : 'load balancer in step');
      if (operations > 0) {
        for (const ingress of members) {
          await this.options.events.record(
            {
              ingress: ref(ingress),
              type: 'Normal',
              reason: 'SuccessfullyReconciled',
              message: `load balancer ${result.spec?.stack.name ?? key} ${result.spec ? 'updated' : 'deleted'} (${operations} operations)`,
            },
            ingress.metadata?.uid,
          );
        }
      }
      metrics.recordReconcile('success', (performance.now() - started) / 1000);
      return 'done';
    } catch (error) {
      // reconcileStack returns the provider's failures as values; what lands here is a Kubernetes write.
      logger.error({ stack: key, err: error }, 'reconcile failed');
      return await this.failed(members, error instanceof Error ? error.message : String(error), started);
    }
  }

  /**
   * The target fast path: the group translated as usual, then only these target groups' targets
   * registered and deregistered. No status, finalizer or Event is written (nothing they show
   * changed), and target churn at scale would otherwise flood the API server with Events.
   * Undefined when the provider cannot take it (a group new since the last reconcile, nothing
   * remembered, a failed call): the caller reconciles the whole group, which reads what it must.
   */
  private async reconcileTargets(key: string, targetGroupKeys: ReadonlySet<string>): Promise<RunOutcome | undefined> {
    const { provider, metrics, logger } = this.options;
    const started = performance.now();
    const spec = this.withCurrentTargets(key, targetGroupKeys);
    if (!spec) return undefined;
    const outcome = await reconcileTargets(provider, { stackId: key, spec, diagnostics: [] }, [...targetGroupKeys], { mayMutate: this.options.isLeader });
    if (!outcome) return undefined;
    if (outcome.error !== undefined) {
      logger.warn({ stack: key, error: outcome.error, apiCalls: outcome.apiCalls }, 'target fast path failed; reconciling the whole group');
      return undefined;
    }
    if (this.gates) this.gates.onReconciled(key, this.withCurrentIpTargets(key));
    const operations = outcome.result?.outcomes.length ?? 0;
    metrics.recordAppliedOperations(key, operations);
    metrics.recordReconcile('success', (performance.now() - started) / 1000);
    logger.info({ stack: key, targetGroups: targetGroupKeys.size, operations, apiCalls: outcome.apiCalls }, 'targets converged');
    return 'done';
  }

  /**
   * The group's last full translation with the named target groups' targets computed from the
   * Snapshot now (currentTargets), and no other group's: translating the whole group reads every
   * Ingress of the cluster, which an endpoint change at scale cannot afford. Undefined when a group
   * is not in that translation or its Service is gone.
   */
  private withCurrentTargets(key: string, targetGroupKeys: ReadonlySet<string>): LoadBalancerSpec | undefined {
    const translated = this.translations.get(key);
    if (!translated) return undefined;
    const targetGroups: TargetGroupSpec[] = [];
    for (const target of targetGroupKeys) {
      const group = translated.targetGroups.find((candidate) => candidate.key === target);
      const targets = group && currentTargets(this.snapshot, group);
      if (!group || !targets) return undefined;
      targetGroups.push({ ...group, targets });
    }
    return { ...translated, targetGroups };
  }

  /** For the readiness gates, which follow every ip target group of a stack: the last translation with their targets as they are now. */
  private withCurrentIpTargets(key: string): LoadBalancerSpec | undefined {
    const translated = this.translations.get(key);
    return (
      translated && {
        ...translated,
        targetGroups: translated.targetGroups.map((group) =>
          group.targetType === 'ip' ? { ...group, targets: currentTargets(this.snapshot, group) ?? [] } : group,
        ),
      }
    );
  }

  /** Kept per group for the target fast path: the spec of its last full translation, without targets (they are what changes). */
  private rememberTranslation(key: string, spec: LoadBalancerSpec | undefined): void {
    if (spec) this.translations.set(key, { ...spec, targetGroups: spec.targetGroups.map((group) => ({ ...group, targets: [] })) });
    else this.translations.delete(key);
  }

  /**
   * After a Gateway's reconcile (its stack id says so): the Gateway API status of what it concerns,
   * written where it changed, and each diagnostic logged and sent as a Warning Event on its object.
   * A failed write is logged; the next reconcile of the Gateway writes again.
   */
  private async writeGatewayStatus(key: string, result: TranslateResult, outcome: GatewayOutcome): Promise<void> {
    if (!isGatewayStackId(key) || !this.options.isLeader()) return;
    const { logger } = this.options;
    for (const diagnostic of result.diagnostics) {
      if (diagnostic.severity === 'info') continue;
      logger.warn({ stack: key, object: diagnostic.object, field: diagnostic.field }, diagnostic.message);
      const { kind, namespace = 'default', name } = diagnostic.object;
      if (kind !== 'Gateway' && kind !== 'HTTPRoute' && kind !== 'GRPCRoute') continue;
      const uid = this.snapshot.get(kind, namespace, name)?.metadata?.uid;
      await this.options.events.record(
        {
          ingress: { namespace, name },
          involvedKind: kind,
          type: 'Warning',
          reason: diagnostic.severity === 'error' ? `Invalid${kind}` : `${kind}Warning`,
          message: `${diagnostic.field}: ${diagnostic.message}`,
        },
        uid,
      );
    }
    try {
      const status = translateGateways(this.snapshot, this.options.translateOptions()).status;
      for (const document of statusWrites(this.snapshot, status, key, outcome, new Date())) await this.gatewayStatus.patchStatus(document);
    } catch (error) {
      logger.warn({ stack: key, err: error }, 'writing Gateway API status failed; the next reconcile of the Gateway writes it again');
    }
  }

  /** Our finalizer on the Gateway a stack id names, while its load balancer exists. */
  private async setGatewayFinalizer(key: string, wanted: boolean): Promise<void> {
    const named = gatewayOfStackId(key);
    const gateway = named && this.snapshot.get('Gateway', named.namespace, named.name);
    if (gateway) await setGatewayFinalizer(this.gatewayStatus, gateway, wanted);
  }

  /** A failed reconcile: a Warning Event on each member, and another try later (with backoff). */
  private async failed(members: readonly V1Ingress[], message: string, started: number): Promise<RunOutcome> {
    for (const ingress of members) {
      await this.options.events.record({ ingress: ref(ingress), type: 'Warning', reason: 'FailedReconcile', message }, ingress.metadata?.uid);
    }
    this.options.metrics.recordReconcile('error', (performance.now() - started) / 1000);
    return 'retry';
  }

  /** A Warning Event per diagnostic, on the Ingress it names (Service and Secret problems go to the group's members). */
  private async reportDiagnostics(result: TranslateResult, members: readonly V1Ingress[]): Promise<void> {
    for (const diagnostic of result.diagnostics) {
      if (diagnostic.severity === 'info') continue;
      const targets = diagnostic.object.kind === 'Ingress' ? [diagnostic.object as IngressRef] : members.map(ref);
      for (const target of targets) await this.warn(target, diagnostic);
    }
  }

  private reportRejected(ingress: V1Ingress): void {
    if (!this.options.isLeader()) return;
    const classified = classifyIngress(ingress, this.snapshot, this.options.translateOptions());
    if (classified.kind !== 'rejected') return;
    for (const diagnostic of classified.diagnostics) if (diagnostic.severity !== 'info') void this.warn(classified.ref, diagnostic);
  }

  private async warn(target: IngressRef, diagnostic: Diagnostic): Promise<void> {
    const uid = this.snapshot.ingress(target.namespace, target.name)?.metadata?.uid;
    const about = diagnostic.object.kind === 'Ingress' ? '' : `${diagnostic.object.kind} ${diagnostic.object.namespace ?? ''}/${diagnostic.object.name} `;
    await this.options.events.record(
      {
        ingress: target,
        type: 'Warning',
        reason: diagnostic.severity === 'error' ? 'InvalidIngress' : 'IngressWarning',
        message: `${about}${diagnostic.field}: ${diagnostic.message}`,
      },
      uid,
    );
    this.options.logger.warn({ ingress: keyOf(target), field: diagnostic.field, object: diagnostic.object }, diagnostic.message);
  }
}
