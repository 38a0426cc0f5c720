/**
 * Scenario 2 — restart of a converged controller: a new controller process (no remembered ARNs, a
 * fresh budget) starts against the converged cluster; done when every group's reconcile has reported
 * it in step. No call may mutate.
 * @module
 */
import { restartCalls, timeFloor } from '../floor.js';
import { waitUntil, type World } from '../world.js';
import { actionRows, callFigures, failedReconciles, figure, isMutatingAction, seconds, type ScenarioResult } from './common.js';

/** GetResources → DescribeLoadBalancers → DescribeListeners → DescribeRules → DescribeTags. */
export const RESTART_CRITICAL_PATH = 5;

export async function restart(world: World): Promise<ScenarioResult> {
  const { clock, cloud } = world;
  await world.stopController();
  // Let every bucket refill, as it would while a pod is rescheduled.
  await clock.sleep(60_000);
  const startedAt = clock.now();
  const firstReconcile = world.reconciles.length;
  await world.startController();
  const groups = world.desired.specs.length;
  const seen = (): Set<string> =>
    new Set(
      world.reconciles
        .slice(firstReconcile)
        .filter((event) => event.outcome !== 'failed')
        .map((event) => event.stack),
    );
  await waitUntil(clock, () => seen().size >= groups, { timeoutSeconds: 6 * 3600, what: 'every group to be reconciled after the restart', pollMs: 100 });
  const events = world.reconciles.slice(firstReconcile);
  const doneAt = Math.max(...events.map((event) => event.at));
  const calls = cloud.calls.filter((call) => call.startedAt >= startedAt && call.startedAt <= doneAt);
  const mutating = calls.filter((call) => isMutatingAction(call.action));
  const floorCalls = restartCalls(world.desired.model, { certificatesInCluster: world.desired.expected.certificates });
  const floor = timeFloor(floorCalls, { latencyMs: world.options.latencyMs, criticalPath: RESTART_CRITICAL_PATH });
  const elapsed = seconds(doneAt - startedAt);
  return {
    id: 'restart',
    title: '2. Restart of a converged controller',
    figures: [
      figure('time until every group is known in step', elapsed, 'cloud s', { floor: floor.seconds, note: `floor set by ${floor.binding}` }),
      ...callFigures(calls, floorCalls),
      figure('mutating calls', mutating.length, 'calls', {
        floor: 0,
        note: mutating.length > 0 ? [...new Set(mutating.map((call) => call.action))].join(', ') : undefined,
      }),
      figure('groups found changed (not in step)', events.filter((event) => event.outcome === 'changed').length, 'groups', { floor: 0 }),
      failedReconciles(world, firstReconcile),
    ],
    actions: actionRows(calls, floorCalls),
    notes: ['floor = the read formula of providers/aws/observe.ts for a first observe (ARNs found by tags), per group'],
  };
}
