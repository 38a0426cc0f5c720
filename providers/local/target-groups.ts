/**
 * A target group being served: its targets, their health, their keep-alive connections and whose
 * turn it is. Kept across applies while its key stays in the spec, so a change of targets keeps the
 * health, connections and rotation of the targets that remain. A target that leaves gets no new
 * request; the ones it is answering finish, and its connections close after them
 * (upstream-pool.ts).
 * @module
 */
import type http from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import type { Target, TargetGroupSpec } from '../../src/model.js';
import { RoundRobin } from './balancer.js';
import { targetAddress, TargetHealthChecks, type TargetHealthState } from './health.js';
import { TargetConnections } from './upstream-pool.js';

/** What forwarding a request needs of the group its target came from (forward.ts). */
export interface UpstreamTargets {
  readonly protocol: 'HTTP' | 'HTTPS';
  /** The keep-alive pool of connections to this target. */
  agentFor(target: Target): http.Agent;
  /** The next target in rotation, never `except`; undefined when there is none. */
  pickTarget(options?: { except?: Target }): Target | undefined;
  /** The target could not be reached: out of rotation until its health check passes. */
  eject(target: Target): void;
}

export class ServedTargetGroup implements UpstreamTargets {
  private current: TargetGroupSpec;
  private readonly health: TargetHealthChecks;
  private readonly rotation = new RoundRobin();
  private readonly connections = new TargetConnections();

  constructor(spec: TargetGroupSpec, options: { healthCheckTimeScale: number }) {
    this.current = spec;
    this.health = new TargetHealthChecks(spec.healthCheck, options.healthCheckTimeScale, spec.protocolVersion);
    this.health.setTargets(spec.targets);
  }

  get protocol(): 'HTTP' | 'HTTPS' {
    return this.current.protocol;
  }

  get spec(): TargetGroupSpec {
    return this.current;
  }

  update(spec: TargetGroupSpec): void {
    const previous = this.current;
    this.current = spec;
    if (!isDeepStrictEqual(spec.healthCheck, previous.healthCheck) || spec.protocolVersion !== previous.protocolVersion) {
      this.health.setHealthCheck(spec.healthCheck, spec.protocolVersion);
    }
    if (!isDeepStrictEqual(spec.targets, previous.targets)) this.health.setTargets(spec.targets);
    this.connections.retainOnly(spec.targets, spec.protocol);
  }

  /** The next healthy target in rotation, other than `except`; undefined when there is none. */
  pickTarget(options: { except?: Target } = {}): Target | undefined {
    const except = options.except ? targetAddress(options.except) : undefined;
    return this.rotation.next(this.current.targets.filter((target) => this.health.isHealthy(target) && targetAddress(target) !== except));
  }

  agentFor(target: Target): http.Agent {
    return this.connections.agentFor(target, this.current.protocol);
  }

  eject(target: Target): void {
    this.health.eject(target);
  }

  /** Each target's place in rotation: healthy, unhealthy by its checks, or ejected after a failed request. */
  targetStates(): { target: Target; state: TargetHealthState }[] {
    return this.current.targets.map((target) => ({ target, state: this.health.stateOf(target) }));
  }

  /** Checks stop; requests in flight finish, and their connections close after them. */
  stop(): void {
    this.health.stop();
    this.connections.closeAll();
  }
}

/**
 * The target groups for a new spec: groups whose key stays are updated in place (so health and
 * rotation carry over), new keys start fresh. The map is new, so requests routed by the previous
 * spec keep finding the groups they knew; `retired` are to be stopped once the new spec is in place.
 */
export function nextTargetGroups(
  previous: ReadonlyMap<string, ServedTargetGroup>,
  specs: readonly TargetGroupSpec[],
  options: { healthCheckTimeScale: number },
): { groups: Map<string, ServedTargetGroup>; retired: ServedTargetGroup[] } {
  const groups = new Map<string, ServedTargetGroup>();
  for (const spec of specs) {
    const group = previous.get(spec.key);
    if (group) group.update(spec);
    groups.set(spec.key, group ?? new ServedTargetGroup(spec, options));
  }
  const retired = [...previous].filter(([key]) => !groups.has(key)).map(([, group]) => group);
  return { groups, retired };
}
