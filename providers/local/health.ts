/**
 * Health checks of one target group's targets. Each target has its own loop: probe, count the
 * result, wait `intervalSeconds`, probe again. `unhealthyThresholdCount` failures in a row take a
 * target out of rotation; `healthyThresholdCount` successes in a row put it back.
 *
 * Targets start healthy. The cloud starts them `initial` and sends nothing until they pass, but a
 * local load balancer should serve the moment it is applied — in a demo or a test, the backends are
 * already up — and a broken target is taken out after a few intervals anyway.
 *
 * Timers are unref'd so that checks never keep the process alive, and a probe in flight is aborted
 * when its target or the group goes away.
 * @module
 */
import type { HealthCheckSpec, Target } from '../../src/model.js';
import { parseSuccessCodes, probeTarget } from './health-probe.js';

interface TargetState {
  target: Target;
  healthy: boolean;
  /** Consecutive results that disagree with `healthy`. */
  streak: number;
  timer: NodeJS.Timeout | undefined;
  abort: AbortController;
}

export function targetAddress(target: Pick<Target, 'ip' | 'port'>): string {
  return `${target.ip}:${target.port}`;
}

export class TargetHealthChecks {
  private readonly states = new Map<string, TargetState>();
  private healthCheck: HealthCheckSpec;
  private isSuccess: (status: number) => boolean;
  private readonly timeScale: number;

  constructor(healthCheck: HealthCheckSpec, timeScale: number) {
    this.timeScale = timeScale;
    this.healthCheck = healthCheck;
    this.isSuccess = parseSuccessCodes(healthCheck.successCodes);
  }

  isHealthy(target: Target): boolean {
    return this.states.get(targetAddress(target))?.healthy ?? true;
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
  setHealthCheck(healthCheck: HealthCheckSpec): void {
    this.healthCheck = healthCheck;
    this.isSuccess = parseSuccessCodes(healthCheck.successCodes);
    for (const [address, state] of [...this.states]) {
      this.stopTarget(address, state);
      this.startTarget(address, state.target, { healthy: state.healthy });
    }
  }

  stop(): void {
    for (const [address, state] of this.states) this.stopTarget(address, state);
  }

  private startTarget(address: string, target: Target, initial = { healthy: true }): void {
    const state: TargetState = { target, healthy: initial.healthy, streak: 0, timer: undefined, abort: new AbortController() };
    this.states.set(address, state);
    this.schedule(state);
  }

  private stopTarget(address: string, state: TargetState): void {
    clearTimeout(state.timer);
    state.abort.abort();
    this.states.delete(address);
  }

  private schedule(state: TargetState): void {
    state.timer = setTimeout(() => void this.check(state), this.healthCheck.intervalSeconds * 1000 * this.timeScale);
    state.timer.unref();
  }

  private async check(state: TargetState): Promise<void> {
    const { healthCheck } = this;
    const status = await probeTarget({
      protocol: healthCheck.protocol,
      ip: state.target.ip,
      port: healthCheck.port === 'traffic-port' ? state.target.port : healthCheck.port,
      path: healthCheck.path,
      timeoutMs: healthCheck.timeoutSeconds * 1000 * this.timeScale,
      signal: state.abort.signal,
    });
    if (state.abort.signal.aborted) return;
    this.record(state, status !== undefined && this.isSuccess(status));
    this.schedule(state);
  }

  private record(state: TargetState, passed: boolean): void {
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
