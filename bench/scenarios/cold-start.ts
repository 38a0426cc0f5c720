/**
 * Scenario 1 — cold start: the controller starts against the whole cluster and an empty account, and
 * runs until the cloud holds the desired state and every Ingress shows its address.
 * Converged = the end of the last mutating call before that was seen; the calls counted are those that
 * started before it. The reconciles that follow are counted apart, as the cost of settling.
 * @module
 */
import { coldStartCalls, timeFloor, type CallCounts } from '../floor.js';
import { cloudConverged, statusesWritten, waitUntil, type World } from '../world.js';
import { actionRows, callFigures, failedReconciles, figure, lastMutationEnd, seconds, waitQuiet, type ScenarioResult } from './common.js';

/** GetResources → CreateSecurityGroup → CreateLoadBalancer → CreateListener → CreateRule. */
export const COLD_START_CRITICAL_PATH = 5;

export interface ColdStartMeasure {
  /** Cloud seconds from controller start to converged. */
  seconds: number;
  floorSeconds: number;
  failedReconciles: number;
  result: ScenarioResult;
}

export async function measureColdStart(
  world: World,
  options: { id: string; title: string; apiShare?: number; neighbour?: () => Readonly<Record<string, number>> },
): Promise<ColdStartMeasure> {
  const { clock, cloud } = world;
  const startedAt = clock.now();
  const firstReconcile = world.reconciles.length;
  await world.startController(options.apiShare !== undefined ? { apiShare: options.apiShare } : {});
  const syncedAt = clock.now();
  await waitUntil(clock, () => statusesWritten(world.kube) && cloudConverged(world), {
    timeoutSeconds: 6 * 3600,
    what: 'the cold start to converge',
    pollMs: 1000,
  });
  const seenAt = clock.now();
  const calls = cloud.calls.filter((call) => call.startedAt >= startedAt && call.startedAt <= seenAt);
  const convergedAt = lastMutationEnd(calls) ?? seenAt;
  const toConverge = calls.filter((call) => call.startedAt <= convergedAt);
  const floorCalls: CallCounts = coldStartCalls(world.desired.model);
  const floor = timeFloor(floorCalls, {
    latencyMs: world.options.latencyMs,
    criticalPath: COLD_START_CRITICAL_PATH,
    ...(options.neighbour && { neighbour: options.neighbour() }),
  });
  await waitQuiet(world, { quietSeconds: 15, timeoutSeconds: 3600 });
  const settling = cloud.calls.filter((call) => call.startedAt > convergedAt);
  const elapsed = seconds(convergedAt - startedAt);
  const failed = failedReconciles(world, firstReconcile);
  return {
    seconds: elapsed,
    floorSeconds: floor.seconds,
    failedReconciles: failed.value ?? 0,
    result: {
      id: options.id,
      title: options.title,
      figures: [
        figure('time to all converged', elapsed, 'cloud s', { floor: floor.seconds, note: `floor set by ${floor.binding}` }),
        ...callFigures(toConverge, floorCalls),
        figure('informer sync (from start)', seconds(syncedAt - startedAt), 'cloud s', { note: `${Math.round((syncedAt - startedAt) / clock.scale)} ms wall` }),
        failed,
        figure('calls after converged, until quiet', settling.length, 'calls', {
          floor: 0,
          note: 'each group is reconciled once more: see bench/README.md, "Where the figures are far from their floors"',
        }),
      ],
      actions: actionRows(toConverge, floorCalls),
      notes: [
        `floor by bucket (cloud s): ${
          Object.entries(floor.byBucket)
            .filter(([, value]) => value > 0)
            .map(([key, value]) => `${key} ${Math.round(value)}`)
            .join(', ') || 'none waits'
        }`,
      ],
    },
  };
}

export async function coldStart(world: World): Promise<ColdStartMeasure> {
  return measureColdStart(world, { id: 'cold-start', title: '1. Cold start to all converged' });
}
