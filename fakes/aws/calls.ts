/**
 * The call log and the fault injectors: throttling (random with a seed, or every n-th call) and
 * the simulated crash after k mutating calls. Both are decided before a handler runs, so a
 * rejected call never changes state.
 * @module
 */
import type { ServiceId } from './errors.js';
import { seededRandom } from './random.js';

export interface FakeCall {
  service: ServiceId;
  action: string;
  input: unknown;
  /** The error's `name` when the call was rejected. */
  error?: string;
}

/** Describe*, List* and Get* read; everything else counts as mutating, as in AWS's throttling buckets. */
export function isMutating(action: string): boolean {
  return !/^(Describe|List|Get)/.test(action);
}

export class CallLog {
  private entries: FakeCall[] = [];

  record(service: ServiceId, action: string, input: unknown): FakeCall {
    const call: FakeCall = { service, action, input };
    this.entries.push(call);
    return call;
  }

  all(): FakeCall[] {
    return this.entries.map((call) => ({ ...call }));
  }

  mutating(): FakeCall[] {
    return this.all().filter((call) => isMutating(call.action));
  }

  /** Counts by `service:Action`, e.g. `elbv2:CreateRule`. */
  counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const call of this.entries) {
      const key = `${call.service}:${call.action}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }

  reset(): void {
    this.entries = [];
  }
}

/** One authorization the fake's IAM made for a call (a call may need several). */
export interface FakeAuthorization {
  service: ServiceId;
  /** The API action called. */
  call: string;
  /** The IAM action authorized, e.g. `elasticloadbalancing:AddTags`. */
  action: string;
  resource: string;
  allowed: boolean;
  /** The statement that allowed it, or the Deny that refused it. */
  statement?: string;
}

/** A call IAM refused: the first authorization that failed, and why. */
export interface DeniedCall {
  service: ServiceId;
  action: string;
  input: unknown;
  iamAction: string;
  resource: string;
  reason: 'explicit-deny' | 'no-allow';
  statement?: string;
}

export class IamLog {
  private authorizations: FakeAuthorization[] = [];
  private denials: DeniedCall[] = [];

  record(authorization: FakeAuthorization): void {
    this.authorizations.push(authorization);
  }

  deny(call: DeniedCall): void {
    this.denials.push(call);
  }

  all(): FakeAuthorization[] {
    return this.authorizations.map((authorization) => ({ ...authorization }));
  }

  denied(): DeniedCall[] {
    return this.denials.map((call) => ({ ...call }));
  }

  reset(): void {
    this.authorizations = [];
    this.denials = [];
  }
}

export type ThrottleOptions = { probability: number; seed?: number } | { everyNth: number };

export class FaultInjector {
  private throttleRule: ThrottleOptions | undefined;
  private random: () => number = Math.random;
  private callsSinceThrottleSet = 0;
  private crashAfter: number | undefined;
  private mutationsSinceCrashSet = 0;

  throttle(options: ThrottleOptions | undefined): void {
    this.throttleRule = options;
    this.callsSinceThrottleSet = 0;
    if (options !== undefined && 'probability' in options) {
      this.random = options.seed === undefined ? Math.random : seededRandom(options.seed);
    }
  }

  shouldThrottle(): boolean {
    const rule = this.throttleRule;
    if (rule === undefined) return false;
    this.callsSinceThrottleSet += 1;
    if ('everyNth' in rule) return this.callsSinceThrottleSet % rule.everyNth === 0;
    return this.random() < rule.probability;
  }

  failAfterMutations(k: number | undefined): void {
    this.crashAfter = k;
    this.mutationsSinceCrashSet = 0;
  }

  /**
   * Counts a mutating call and says whether the simulated process is dead by now. Once k calls
   * have passed, every later mutating call crashes too, until `failAfterMutations` is reset.
   */
  shouldCrash(): boolean {
    if (this.crashAfter === undefined) return false;
    this.mutationsSinceCrashSet += 1;
    return this.mutationsSinceCrashSet > this.crashAfter;
  }
}
