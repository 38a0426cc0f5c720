/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection package does it:
 * only the replica holding the Lease mutates the cloud or writes status.
 *
 * Expiry is judged by this replica's own monotonic clock, never by comparing the Lease's renewTime
 * with our wall clock: a candidate takes over only after it has watched the record stay unchanged
 * (same resourceVersion) for the holder's leaseDurationSeconds. Clock skew between nodes therefore
 * cannot produce two leaders. The holder steps down when no renew *sent* within the last
 * renewDeadline has succeeded, and a candidate's observation of that renew is later than its
 * sending, so the holder has stopped (leaseDuration - renewDeadline) before anyone can take over.
 *
 * API calls: the holder renews with one PUT of the Lease it last wrote (a 409 falls back to a GET
 * and a PUT); a candidate makes one GET per retry period. With the defaults (2 s) that is 1,800
 * calls per hour per replica, 3,600 for a pair, against the 11,098 per hour that
 * aws-load-balancer-controller#3530 measured.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { V1Lease, V1LeaseSpec } from '@kubernetes/client-node';
import type { Logger } from '../observability/logger.js';
import { httpCodeOf, type KubeClient } from '../sources/kube-http.js';
import { systemClock, withTimeout, type Clock } from './clock.js';

/** A Lease as the API server sends and takes it: its times are metav1.MicroTime strings. */
export type Lease = Omit<V1Lease, 'spec'> & { spec?: Omit<V1LeaseSpec, 'acquireTime' | 'renewTime'> & { acquireTime?: string; renewTime?: string } };

/** The Lease calls leader election makes; a failure carries the HTTP code as `code` (KubeApiError). */
export interface LeaseApi {
  read(namespace: string, name: string): Promise<Lease>;
  create(namespace: string, lease: Lease): Promise<Lease>;
  replace(namespace: string, name: string, lease: Lease): Promise<Lease>;
}

export function kubeLeaseApi(client: KubeClient): LeaseApi {
  const leases = (namespace: string): string => `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
  return {
    read: (namespace, name) => client.get<Lease>(`${leases(namespace)}/${encodeURIComponent(name)}`),
    create: (namespace, lease) => client.create<Lease>(leases(namespace), lease),
    replace: (namespace, name, lease) => client.replace<Lease>(`${leases(namespace)}/${encodeURIComponent(name)}`, lease),
  };
}

/** metav1.MicroTime: RFC 3339 with exactly six fractional digits, as the API server requires of Lease times. */
export function microTime(date: Date): string {
  // toISOString always gives three fractional digits.
  return date.toISOString().replace(/Z$/, '000Z');
}

export interface LeaseTimings {
  /** How long candidates wait, after the record last changed, before taking over. */
  leaseDurationMs: number;
  /** How long the holder keeps leading without a successful renew. */
  renewDeadlineMs: number;
  /** Interval between attempts to acquire or renew. */
  retryPeriodMs: number;
}

export const DEFAULT_LEASE_TIMINGS: LeaseTimings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };
export const DEFAULT_LEASE_NAME = 'ingress-bridge-leader';

export interface LeaderElectorOptions extends Partial<LeaseTimings> {
  api: LeaseApi;
  /** The controller's own namespace. */
  namespace: string;
  leaseName?: string;
  /** Unique per process; defaults to defaultLeaderIdentity(). */
  identity?: string;
  logger: Logger;
  clock?: Clock;
  /** Called synchronously on becoming leader. */
  onStartedLeading?: () => void;
  /** Called synchronously, before anything else runs, on losing leadership: stop mutating now. */
  onStoppedLeading?: () => void;
}

/** The pod name (the hostname in a pod) plus a random suffix, so a restarted pod is a new candidate. */
export function defaultLeaderIdentity(): string {
  return `${hostname()}_${randomBytes(4).toString('hex')}`;
}

/** Why these timings could let two replicas lead at once, or undefined when they are sound. */
export function leaseTimingsProblem(timings: LeaseTimings): string | undefined {
  if (!(timings.retryPeriodMs > 0)) return 'the retry period must be positive';
  if (timings.renewDeadlineMs <= timings.retryPeriodMs) return 'the renew deadline must be longer than the retry period';
  if (timings.leaseDurationMs <= timings.renewDeadlineMs) return 'the lease duration must be longer than the renew deadline';
  return undefined;
}

type AttemptResult = 'leading' | 'following';

export class LeaderElector {
  readonly identity: string;
  private readonly timings: LeaseTimings;
  private readonly clock: Clock;
  private readonly leaseName: string;
  /** What the Lease promises candidates: whole seconds, rounded up. */
  private readonly leaseDurationSeconds: number;
  private leading = false;
  private known = false;
  private stopped = true;
  /** The Lease as last read or written, for the next renew. */
  private lease: Lease | undefined;
  /** When this replica first saw the Lease at its current resourceVersion. */
  private observed: { resourceVersion: string; at: number } | undefined;
  private attempt: Promise<void> | undefined;
  /** When the last write of the Lease was sent. */
  private writeSentAt = 0;
  private cancelNextAttempt: (() => void) | undefined;
  private cancelDeadline: (() => void) | undefined;

  constructor(private readonly options: LeaderElectorOptions) {
    this.timings = {
      leaseDurationMs: options.leaseDurationMs ?? DEFAULT_LEASE_TIMINGS.leaseDurationMs,
      renewDeadlineMs: options.renewDeadlineMs ?? DEFAULT_LEASE_TIMINGS.renewDeadlineMs,
      retryPeriodMs: options.retryPeriodMs ?? DEFAULT_LEASE_TIMINGS.retryPeriodMs,
    };
    const problem = leaseTimingsProblem(this.timings);
    if (problem) throw new Error(`leader election: ${problem}`);
    this.identity = options.identity ?? defaultLeaderIdentity();
    this.clock = options.clock ?? systemClock;
    this.leaseName = options.leaseName ?? DEFAULT_LEASE_NAME;
    this.leaseDurationSeconds = Math.ceil(this.timings.leaseDurationMs / 1000);
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** True once one attempt has completed, so this replica knows whether it leads (for /readyz). */
  leadershipKnown(): boolean {
    return this.known;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.runAttempt();
  }

  /** Stops competing and steps down without touching the Lease (others take over when it expires). */
  stop(): void {
    this.stopped = true;
    this.cancelNextAttempt?.();
    this.stepDown('stopped');
  }

  /** For shutdown: steps down, then empties the Lease's holder so another replica takes over at once. */
  async release(): Promise<void> {
    this.stop();
    await this.attempt;
    try {
      const current = await this.read();
      if (current?.spec?.holderIdentity !== this.identity) return;
      const now = microTime(new Date());
      await this.replace({ ...current, spec: { ...current.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now } });
      this.options.logger.info({ lease: this.leaseName, identity: this.identity }, 'released the leader lease');
    } catch (error) {
      this.options.logger.warn({ err: error, lease: this.leaseName }, 'could not release the leader lease; another replica takes over when it expires');
    }
  }

  private runAttempt(): void {
    this.attempt = this.tryAcquireOrRenew().finally(() => {
      this.attempt = undefined;
      if (!this.stopped) this.cancelNextAttempt = this.clock.schedule(this.timings.retryPeriodMs, () => this.runAttempt());
    });
  }

  private async tryAcquireOrRenew(): Promise<void> {
    let result: AttemptResult;
    try {
      result = await this.acquireOrRenew();
    } catch (error) {
      // A leader keeps leading through failed renews until its deadline timer fires.
      this.options.logger.warn({ err: error, lease: this.leaseName }, 'leader lease request failed');
      return;
    }
    if (this.stopped) return;
    this.known = true;
    if (result === 'following') this.stepDown('another replica holds the lease');
    else this.renewed();
  }

  private async acquireOrRenew(): Promise<AttemptResult> {
    if (this.leading && this.lease) {
      try {
        return this.wrote(await this.replace(this.renewal(this.lease)));
      } catch (error) {
        if (!isStatus(error, 409)) throw error;
      }
    }
    const current = await this.read();
    if (!current) {
      try {
        return this.wrote(await this.create());
      } catch (error) {
        if (isStatus(error, 409)) return 'following';
        throw error;
      }
    }
    this.observe(current);
    if (current.spec?.holderIdentity !== this.identity && !this.expired(current)) return 'following';
    try {
      return this.wrote(await this.replace(this.renewal(current)));
    } catch (error) {
      if (isStatus(error, 409)) return 'following';
      throw error;
    }
  }

  /** The Lease with us as holder: a renew keeps acquireTime and leaseTransitions, a takeover bumps them. */
  private renewal(lease: Lease): Lease {
    const spec = lease.spec ?? {};
    const renewTime = microTime(new Date());
    if (spec.holderIdentity === this.identity) return { ...lease, spec: { ...spec, renewTime, leaseDurationSeconds: this.leaseDurationSeconds } };
    const leaseTransitions = (spec.leaseTransitions ?? 0) + 1;
    return {
      ...lease,
      spec: { ...spec, holderIdentity: this.identity, acquireTime: renewTime, renewTime, leaseDurationSeconds: this.leaseDurationSeconds, leaseTransitions },
    };
  }

  private expired(lease: Lease): boolean {
    if (!lease.spec?.holderIdentity) return true;
    const durationMs = (lease.spec.leaseDurationSeconds ?? this.leaseDurationSeconds) * 1000;
    return this.observed !== undefined && this.clock.now() - this.observed.at >= durationMs;
  }

  private observe(lease: Lease): void {
    const resourceVersion = lease.metadata?.resourceVersion ?? '';
    if (this.observed?.resourceVersion !== resourceVersion) this.observed = { resourceVersion, at: this.clock.now() };
  }

  private wrote(lease: Lease): AttemptResult {
    this.lease = lease;
    this.observe(lease);
    return 'leading';
  }

  /**
   * The deadline counts from when the successful write was sent: the server stored it no earlier,
   * so candidates saw it no earlier. The request timeout keeps the remaining time above half the deadline.
   */
  private renewed(): void {
    this.cancelDeadline?.();
    const remainingMs = this.writeSentAt + this.timings.renewDeadlineMs - this.clock.now();
    this.cancelDeadline = this.clock.schedule(remainingMs, () => this.stepDown('no successful renew within the renew deadline'));
    if (this.leading) return;
    this.leading = true;
    this.options.logger.info({ lease: this.leaseName, identity: this.identity }, 'started leading');
    this.options.onStartedLeading?.();
  }

  private stepDown(reason: string): void {
    this.cancelDeadline?.();
    this.cancelDeadline = undefined;
    if (!this.leading) return;
    this.leading = false;
    this.lease = undefined;
    this.options.logger.warn({ lease: this.leaseName, identity: this.identity, reason }, 'stopped leading');
    this.options.onStoppedLeading?.();
  }

  private async read(): Promise<Lease | undefined> {
    try {
      return await this.call(this.options.api.read(this.options.namespace, this.leaseName));
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }

  private create(): Promise<Lease> {
    const now = microTime(new Date());
    const body: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.leaseName, namespace: this.options.namespace },
      spec: { holderIdentity: this.identity, leaseDurationSeconds: this.leaseDurationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
    };
    this.writeSentAt = this.clock.now();
    return this.call(this.options.api.create(this.options.namespace, body));
  }

  private replace(body: Lease): Promise<Lease> {
    this.writeSentAt = this.clock.now();
    return this.call(this.options.api.replace(this.options.namespace, this.leaseName, body));
  }

  /**
   * A request without an answer within half the renew deadline counts as failed (client-go's
   * resourcelock.NewFromKubeconfig gives its client the same timeout), so a hung connection cannot
   * stall the loop.
   */
  private call<T>(request: Promise<T>): Promise<T> {
    return withTimeout(this.clock, this.timings.renewDeadlineMs / 2, request, 'lease request');
  }
}

function isStatus(error: unknown, code: number): boolean {
  return httpCodeOf(error) === code;
}
