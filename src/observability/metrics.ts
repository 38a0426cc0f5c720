/**
 * The controller's Prometheus metrics, in a Registry of its own (never prom-client's global one, so
 * tests and embedders can create as many as they like). Callers use the typed record/observe
 * methods and never spell a metric or label name.
 *
 * Reconcile errors are counted by `ingress_bridge_reconciles_total{result="error"}`; a separate
 * errors-by-reason counter would need a reason taxonomy that the reconcile outcome does not have,
 * and failed cloud calls are already counted by action and outcome in
 * `ingress_bridge_cloud_api_calls_total`.
 * @module
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DriftDetector } from './drift.js';
import { WaitingSince } from './waiting-since.js';

/** `skipped`: nothing to do for the key (e.g. not leader, or the stack is not ours). */
export type ReconcileResult = 'success' | 'error' | 'skipped';
export type ApiCallOutcome = 'success' | 'throttled' | 'error';
export type InformerKind =
  | 'Ingress'
  | 'IngressClass'
  | 'IngressClassParams'
  | 'Namespace'
  | 'Service'
  | 'EndpointSlice'
  | 'Node'
  | 'Secret'
  | 'Pod'
  | 'GatewayClass'
  | 'Gateway'
  | 'HTTPRoute'
  | 'GRPCRoute'
  | 'ReferenceGrant';
export type InformerEventType = 'add' | 'update' | 'delete';

export interface ApiCall {
  /** The provider's name, e.g. `aws`. */
  provider: string;
  /** The cloud service, e.g. `elbv2`. */
  service: string;
  /** The API action, e.g. `DescribeLoadBalancers`. */
  action: string;
  outcome: ApiCallOutcome;
}

export interface ControllerMetricsOptions {
  /** prom-client's process and Node.js runtime metrics; on by default. */
  defaultMetrics?: boolean;
  /** Milliseconds, monotonic; tests pass their own. */
  now?: () => number;
}

/** One finished run of a stack's reconcile, as the work queue reports it. */
export interface StackRun {
  stack: string;
  outcome: 'done' | 'retry';
  /** Consecutive failed runs of the stack, this one included; 0 after a done run. */
  failures: number;
  durationMs: number;
}

/** Pods whose target-health readiness gate is not yet True, as the readiness-gate tracker sees them. */
export interface ReadinessGateBacklog {
  pending: number;
  /** How long the oldest of them has waited; 0 when none waits. */
  oldestPendingSeconds: number;
}

/** One reconcile takes from milliseconds (nothing changed) to minutes (a new load balancer). */
const RECONCILE_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** Convergence includes queueing and backoff, up to the 5-minute backoff cap and beyond. */
const CONVERGENCE_BUCKETS = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800];
/** A target waits from under a second (fast path) to minutes (a throttled registration bucket). */
const TARGET_REGISTRATION_BUCKETS = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800];

export class ControllerMetrics {
  readonly registry = new Registry();
  private readonly reconciles: Counter<'result'>;
  private readonly reconcileDuration: Histogram;
  private readonly apiCalls: Counter<'provider' | 'service' | 'action' | 'outcome'>;
  private readonly convergence: Histogram;
  private readonly informerEvents: Counter<'kind' | 'type'>;
  private readonly stackFailures: Gauge<'stack'>;
  private readonly driftRepairs: Counter<'stack'>;
  private readonly targetRegistration: Histogram;
  private readonly targetWaits = new WaitingSince();
  /** Operations the last run of each stack applied, read when the work queue reports the run. */
  private readonly appliedOperations = new Map<string, number>();
  private readonly drift = new DriftDetector();
  private readonly now: () => number;
  private queueDepth: () => number = () => 0;
  private leading: () => boolean = () => false;
  private readinessGates: () => ReadinessGateBacklog = () => ({ pending: 0, oldestPendingSeconds: 0 });

  constructor(options: ControllerMetricsOptions = {}) {
    const registers = [this.registry];
    this.reconciles = new Counter({ name: 'ingress_bridge_reconciles_total', help: 'Reconciles of a stack, by result.', labelNames: ['result'], registers });
    this.reconcileDuration = new Histogram({
      name: 'ingress_bridge_reconcile_duration_seconds',
      help: 'Time one reconcile of a stack took.',
      buckets: RECONCILE_BUCKETS,
      registers,
    });
    this.apiCalls = new Counter({
      name: 'ingress_bridge_cloud_api_calls_total',
      help: 'Cloud API calls (retries included in one call), by provider, service, action and outcome.',
      labelNames: ['provider', 'service', 'action', 'outcome'],
      registers,
    });
    this.convergence = new Histogram({
      name: 'ingress_bridge_convergence_seconds',
      help: 'Time from the first change event for a stack to the reconcile that brought the cloud in step with it.',
      buckets: CONVERGENCE_BUCKETS,
      registers,
    });
    this.informerEvents = new Counter({
      name: 'ingress_bridge_informer_events_total',
      help: 'Events delivered by the Kubernetes informers, by object kind and event type.',
      labelNames: ['kind', 'type'],
      registers,
    });
    const queueDepth = (): number => this.queueDepth();
    const leading = (): boolean => this.leading();
    const oldestTargetWaitMs = (): number => this.targetWaits.oldestMs(this.now());
    const readinessGates = (): ReadinessGateBacklog => this.readinessGates();
    new Gauge({
      name: 'ingress_bridge_queue_depth',
      help: 'Stacks waiting to be reconciled or backing off after a failure.',
      registers,
      collect() {
        this.set(queueDepth());
      },
    });
    new Gauge({
      name: 'ingress_bridge_leader',
      help: '1 while this replica holds the leader lease, else 0.',
      registers,
      collect() {
        this.set(leading() ? 1 : 0);
      },
    });
    this.now = options.now ?? (() => performance.now());
    // Per-stack series exist only while the stack fails, so a healthy estate of thousands of stacks
    // costs no series, and a fixed or deleted stack leaves none behind.
    this.stackFailures = new Gauge({
      name: 'ingress_bridge_stack_reconcile_failures',
      help: 'Consecutive failed reconciles of a stack (the group key); a stack has a series only while it fails.',
      labelNames: ['stack'],
      registers,
    });
    this.driftRepairs = new Counter({
      name: 'ingress_bridge_drift_repairs_total',
      help: 'Reconciles that changed the cloud though no change in the cluster asked for it: drift made outside the controller, repaired.',
      labelNames: ['stack'],
      registers,
    });
    this.targetRegistration = new Histogram({
      name: 'ingress_bridge_target_registration_lag_seconds',
      help: "Time from an EndpointSlice or Node change to the reconcile that put its stack's targets in step with it.",
      buckets: TARGET_REGISTRATION_BUCKETS,
      registers,
    });
    new Gauge({
      name: 'ingress_bridge_target_registration_oldest_pending_seconds',
      help: 'How long the oldest EndpointSlice or Node change not yet in its load balancer has waited; 0 when none waits.',
      registers,
      collect() {
        this.set(oldestTargetWaitMs() / 1000);
      },
    });
    new Gauge({
      name: 'ingress_bridge_readiness_gates_pending',
      help: 'Pods whose target-health readiness gate is not yet True.',
      registers,
      collect() {
        this.set(readinessGates().pending);
      },
    });
    new Gauge({
      name: 'ingress_bridge_readiness_gate_oldest_pending_seconds',
      help: 'How long the oldest Pod with a readiness gate not yet True has waited; 0 when none waits.',
      registers,
      collect() {
        this.set(readinessGates().oldestPendingSeconds);
      },
    });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  recordReconcile(result: ReconcileResult, seconds: number): void {
    this.reconciles.inc({ result });
    if (result !== 'skipped') this.reconcileDuration.observe(seconds);
  }

  recordApiCall(call: ApiCall): void {
    this.apiCalls.inc({ provider: call.provider, service: call.service, action: call.action, outcome: call.outcome });
  }

  recordConvergence(seconds: number): void {
    this.convergence.observe(seconds);
  }

  recordInformerEvent(kind: InformerKind, type: InformerEventType): void {
    this.informerEvents.inc({ kind, type });
  }

  /**
   * A change from the cluster and the stacks it affects, on the leader. After an EndpointSlice or
   * Node change, the stacks' targets wait until a run that started after it is done.
   */
  recordStackChange(kind: InformerKind, stacks: Iterable<string>): void {
    const at = this.now();
    for (const stack of stacks) {
      this.drift.noteChange(stack, at);
      if (kind === 'EndpointSlice' || kind === 'Node') this.targetWaits.start(stack, at);
    }
  }

  /** How many operations a reconcile of `stack` applied; the run's report decides whether that was drift. */
  recordAppliedOperations(stack: string, operations: number): void {
    this.appliedOperations.set(stack, operations);
  }

  /**
   * A finished run: the stack's failure series, the end of its targets' wait, and whether it
   * repaired drift (drift.ts decides).
   */
  recordStackRun(run: StackRun): void {
    const labels = { stack: run.stack };
    if (run.failures > 0) this.stackFailures.set(labels, run.failures);
    else this.stackFailures.remove(labels);
    const operations = this.appliedOperations.get(run.stack) ?? 0;
    this.appliedOperations.delete(run.stack);
    const finishedAt = this.now();
    const startedAt = finishedAt - run.durationMs;
    if (this.drift.noteRun(run.stack, { outcome: run.outcome, startedAt, operations })) this.driftRepairs.inc(labels);
    if (run.outcome !== 'done') return;
    // A change that came in while the run read the Snapshot may have missed it: that wait goes on.
    const waitedMs = this.targetWaits.resolve(run.stack, finishedAt, startedAt);
    if (waitedMs !== undefined) this.targetRegistration.observe(waitedMs / 1000);
  }

  /** Leadership lost: the new leader reports the stacks now; this replica's view of them would only go stale. */
  forgetStacks(): void {
    this.stackFailures.reset();
    this.targetWaits.clear();
    this.appliedOperations.clear();
    this.drift.clear();
  }

  /** Read at scrape time from the readiness-gate tracker. */
  observeReadinessGates(backlog: () => ReadinessGateBacklog): void {
    this.readinessGates = backlog;
  }

  /** The queue depth is read at scrape time, so it is never stale. */
  observeQueueDepth(depth: () => number): void {
    this.queueDepth = depth;
  }

  observeLeadership(isLeader: () => boolean): void {
    this.leading = isLeader;
  }

  /** The text exposition format and its Content-Type, for /metrics. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
