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

/** `skipped`: nothing to do for the key (e.g. not leader, or the stack is not ours). */
export type ReconcileResult = 'success' | 'error' | 'skipped';
export type ApiCallOutcome = 'success' | 'throttled' | 'error';
export type InformerKind = 'Ingress' | 'IngressClass' | 'IngressClassParams' | 'Namespace' | 'Service' | 'EndpointSlice' | 'Node' | 'Secret' | 'Pod';
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
}

/** One reconcile takes from milliseconds (nothing changed) to minutes (a new load balancer). */
const RECONCILE_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** Convergence includes queueing and backoff, up to the 5-minute backoff cap and beyond. */
const CONVERGENCE_BUCKETS = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800];

export class ControllerMetrics {
  readonly registry = new Registry();
  private readonly reconciles: Counter<'result'>;
  private readonly reconcileDuration: Histogram;
  private readonly apiCalls: Counter<'provider' | 'service' | 'action' | 'outcome'>;
  private readonly convergence: Histogram;
  private readonly informerEvents: Counter<'kind' | 'type'>;
  private queueDepth: () => number = () => 0;
  private leading: () => boolean = () => false;

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
    const metrics = this;
    new Gauge({
      name: 'ingress_bridge_queue_depth',
      help: 'Stacks waiting to be reconciled or backing off after a failure.',
      registers,
      collect() {
        this.set(metrics.queueDepth());
      },
    });
    new Gauge({
      name: 'ingress_bridge_leader',
      help: '1 while this replica holds the leader lease, else 0.',
      registers,
      collect() {
        this.set(metrics.leading() ? 1 : 0);
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
