/**
 * Health checks of one target group's targets. Each target has its own loop: probe, count the
 * result, wait `intervalSeconds`, probe again. `unhealthyThresholdCount` failures in a row take a
 * target out of rotation; `healthyThresholdCount` successes in a row put it back.
 *
 * Targets start healthy. The cloud starts them `initial` and sends nothing until they pass, but a
 * local load balancer should serve the moment it is applied — in a demo or a test, the backends are
 * already up — and a broken target is taken out after a few intervals anyway.
 *
 * A request that cannot reach a target (refused, or reset before any answer: retry-policy.ts)
 * ejects it: out of rotation until a check started after the failure passes, whatever its health
 * counts say — as nginx's `max_fails=1` or Envoy's outlier detection take a failing host out without
 * waiting for the active checks to notice. The next check runs at once, so a target whose failure
 * was a one-off (an idle connection it closed as the request went out) is back within a round trip,
 * and a dead one stays out and goes on to fail its checks.
 *
 * Timers are unref'd so that checks never keep the process alive, and a probe in flight is aborted
 * when its target or the group goes away.
 * @module
 */
import type { HealthCheckSpec, Target, TargetGroupSpec } from '../../src/model.js';
import { parseSuccessCodes, probeFor } from './health-probe.js';

interface TargetState {
  target: Target;
  healthy: boolean;
  /** Consecutive results that disagree with `healthy`. */
  streak: number;
  timer: NodeJS.Timeout | undefined;
  abort: AbortController;
  /** Checks started so far; a check numbers itself from this. */
  checksStarted: number;
  checking: boolean;
  /** Set while ejected: the number of checks started before the failure, none of which may end it. */
  ejectedAfterCheck: number | undefined;
}

export type TargetHealthState = 'healthy' | 'unhealthy' | 'ejected';

export function targetAddress(target: Pick<Target, 'ip' | 'port'>): string {
  return `${target.ip}:${target.port}`;
}

export class TargetHealthChecks {
  private readonly states = new Map<string, TargetState>();
  private healthCheck: HealthCheckSpec;
  private isSuccess: (status: number) => boolean;
  private readonly timeScale: number;
  /** HTTP2: checks are made over HTTP/2; GRPC: they are gRPC calls and the success codes gRPC status codes (health-probe.ts). */
  private protocolVersion: TargetGroupSpec['protocolVersion'];

  constructor(healthCheck: HealthCheckSpec, timeScale: number, protocolVersion: TargetGroupSpec['protocolVersion'] = 'HTTP1') {
    this.timeScale = timeScale;
    this.protocolVersion = protocolVersion;
    this.healthCheck = healthCheck;
    this.isSuccess = parseSuccessCodes(healthCheck.successCodes);
  }

  /** In rotation: healthy by its checks and not ejected. */
  isHealthy(target: Target): boolean {
    return this.stateOf(target) === 'healthy';
  }

  /** Targets not checked here (not, or no longer, in the group) count as healthy. */
  stateOf(target: Pick<Target, 'ip' | 'port'>): TargetHealthState {
    const state = this.states.get(targetAddress(target));
    if (!state) return 'healthy';
    if (!state.healthy) return 'unhealthy';
    return state.ejectedAfterCheck === undefined ? 'healthy' : 'ejected';
  }

  /**
   * A request could not reach the target: out of rotation until a check started from now on
   * passes; that check starts at once unless one is under way. Unknown targets are ignored.
   */
  eject(target: Pick<Target, 'ip' | 'port'>): void {
    const state = this.states.get(targetAddress(target));
    if (!state || state.ejectedAfterCheck !== undefined) return;
    state.ejectedAfterCheck = state.checksStarted;
    if (state.checking) return;
    clearTimeout(state.timer);
    this.schedule(state, 0);
  }

  /** Starts checking new targets and stops checking the ones that are gone; known ones keep their state. */
  setTargets(targets: readonly Target[]): void {
    const wanted = new Map(targets.map((target) => [targetAddress(target), target]));
    for (const [address, state] of this.states) {
      if (!wanted.has(address)) this.stopTarget(address, state);
    }
    for (const [address, target] of wanted) {
      const state = this.states.get(address);
      if (state) state.target = target;
      else this.startTarget(address, target);
    }
  }

  /** New settings take effect from each target's next check; health so far is kept. */
  setHealthCheck(healthCheck: HealthCheckSpec, protocolVersion = this.protocolVersion): void {
    this.healthCheck = healthCheck;
    this.protocolVersion = protocolVersion;
    this.isSuccess = parseSuccessCodes(healthCheck.successCodes);
    for (const [address, state] of [...this.states]) {
      this.stopTarget(address, state);
      this.startTarget(address, state.target, { healthy: state.healthy, ejected: state.ejectedAfterCheck !== undefined });
    }
  }

  stop(): void {
    for (const [address, state] of this.states) this.stopTarget(address, state);
  }

  private startTarget(address: string, target: Target, initial = { healthy: true, ejected: false }): void {
    const state: TargetState = {
      target,
      healthy: initial.healthy,
      streak: 0,
      timer: undefined,
      abort: new AbortController(),
      checksStarted: 0,
      checking: false,
      ejectedAfterCheck: initial.ejected ? 0 : undefined,
    };
    this.states.set(address, state);
    this.schedule(state);
  }

  private stopTarget(address: string, state: TargetState): void {
    clearTimeout(state.timer);
    state.abort.abort();
    this.states.delete(address);
  }

  private schedule(state: TargetState, delayMs = this.healthCheck.intervalSeconds * 1000 * this.timeScale): void {
    state.timer = setTimeout(() => void this.check(state), delayMs);
    state.timer.unref();
  }

  private async check(state: TargetState): Promise<void> {
    const { healthCheck } = this;
    state.checking = true;
    state.checksStarted += 1;
    const number = state.checksStarted;
    const status = await probeFor(this.protocolVersion)({
      protocol: healthCheck.protocol,
      ip: state.target.ip,
      port: healthCheck.port === 'traffic-port' ? state.target.port : healthCheck.port,
      path: healthCheck.path,
      timeoutMs: healthCheck.timeoutSeconds * 1000 * this.timeScale,
      signal: state.abort.signal,
    });
    state.checking = false;
    if (state.abort.signal.aborted) return;
    this.record(state, status !== undefined && this.isSuccess(status), number);
    this.schedule(state);
  }

  private record(state: TargetState, passed: boolean, number: number): void {
    if (passed && state.ejectedAfterCheck !== undefined && number > state.ejectedAfterCheck) state.ejectedAfterCheck = undefined;
    if (passed === state.healthy) {
      state.streak = 0;
      return;
    }
    state.streak += 1;
    const threshold = passed ? this.healthCheck.healthyThresholdCount : this.healthCheck.unhealthyThresholdCount;
    if (state.streak >= threshold) {
      state.healthy = passed;
      state.streak = 0;
    }
  }
}
