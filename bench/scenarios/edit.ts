/**
 * Scenario 4 — one Ingress edited while every other is converged, 20 times: its first path gets a new
 * value each time. Converged = every listener of its group has a rule with the new path (the end of
 * the last successful CreateRule/ModifyRule carrying it), measured from the moment the edit reached
 * the API server.
 * @module
 */
import { restartCalls, timeFloor, type DesiredModel } from '../floor.js';
import { ingressObject } from '../generate.js';
import { percentile } from '../stats.js';
import { waitUntil, type World } from '../world.js';
import { failedReconciles, figure, seconds, waitQuiet, type ScenarioResult } from './common.js';

export const EDITS = 20;

export async function editOne(world: World): Promise<ScenarioResult> {
  const { clock, cloud, cluster } = world;
  const ingress = cluster.ingresses[0];
  const stackIndex = 0;
  const stack = world.desired.model.stacks[stackIndex];
  if (!ingress || !stack) throw new Error('the cluster has no Ingress to edit');
  const listeners = stack.listeners.length;
  const firstReconcile = world.reconciles.length;
  const latencies: number[] = [];
  for (let edit = 1; edit <= EDITS; edit += 1) {
    const path = `/i0000/a-v${edit}`;
    const first = ingress.paths[0];
    if (!first) throw new Error('the edited Ingress has no path');
    first.path = path;
    const firstCall = cloud.calls.length;
    const editedAt = clock.now();
    world.kube.apply(ingressObject(ingress));
    // From the first call after the edit on: the log is long at L and this runs every 20 ms.
    const carrying = () => cloud.calls.slice(firstCall).filter((call) => call.error === undefined && call.endedAt > 0 && (call.paths ?? []).includes(path));
    await waitUntil(clock, () => carrying().length >= listeners, { timeoutSeconds: 3600, what: `edit ${edit} to converge`, pollMs: 20 });
    latencies.push(seconds(Math.max(...carrying().map((call) => call.endedAt)) - editedAt));
    await waitQuiet(world, { quietSeconds: 5, timeoutSeconds: 3600 });
  }
  const oneCall = world.options.latencyMs / 1000;
  const single: DesiredModel = { stacks: [stack], importedCertificates: 0 };
  const reads = restartCalls(single, { certificatesInCluster: world.desired.expected.certificates });
  const withReads = timeFloor({ ...reads, 'elbv2:ModifyRule': listeners }, { latencyMs: world.options.latencyMs, criticalPath: 5 });
  return {
    id: 'edit',
    title: `4. One Ingress edited while all are converged (${EDITS} edits)`,
    figures: [
      figure('p50 time to its convergence', percentile(latencies, 50), 'cloud s', { floor: oneCall, note: 'floor: one ModifyRule per listener, in parallel' }),
      figure('p99 time to its convergence', percentile(latencies, 99), 'cloud s', { floor: oneCall }),
      figure('p50 against a floor that re-reads the group', percentile(latencies, 50), 'cloud s', {
        floor: withReads.seconds,
        note: 'floor: the observe read formula for one group, then the ModifyRules',
      }),
      failedReconciles(world, firstReconcile),
    ],
    notes: [`latencies (cloud s): ${latencies.map((value) => value.toFixed(2)).join(', ')}`],
  };
}
