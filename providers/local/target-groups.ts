/**
 * A target group being served: its targets, their health, and whose turn it is. Kept across
 * applies while its key stays in the spec, so a change of targets keeps the health and rotation of
 * the targets that remain.
 * @module
 */
import { isDeepStrictEqual } from 'node:util';
import type { Target, TargetGroupSpec } from '../../src/model.js';
import { RoundRobin } from './balancer.js';
import { TargetHealthChecks } from './health.js';

export class ServedTargetGroup {
  private current: TargetGroupSpec;
  private readonly health: TargetHealthChecks;
  private readonly rotation = new RoundRobin();

  constructor(spec: TargetGroupSpec, options: { healthCheckTimeScale: number }) {
    this.current = spec;
    this.health = new TargetHealthChecks(spec.healthCheck, options.healthCheckTimeScale);
    this.health.setTargets(spec.targets);
  }

  get spec(): TargetGroupSpec {
    return this.current;
  }

  update(spec: TargetGroupSpec): void {
    const previous = this.current;
    this.current = spec;
    if (!isDeepStrictEqual(spec.healthCheck, previous.healthCheck)) this.health.setHealthCheck(spec.healthCheck);
    if (!isDeepStrictEqual(spec.targets, previous.targets)) this.health.setTargets(spec.targets);
  }

  /** The next healthy target in rotation; undefined when none is healthy. */
  pickTarget(): Target | undefined {
    return this.rotation.next(this.current.targets.filter((target) => this.health.isHealthy(target)));
  }

  stop(): void {
    this.health.stop();
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
