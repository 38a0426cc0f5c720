/**
 * Scenario 3 — endpoint churn: for 5 minutes, 10% of the cluster's endpoints are replaced per minute,
 * as rolling updates do it: a change replaces every endpoint of one ip-target Service (new pod IPs) in
 * one EndpointSlice update, and changes are spread evenly over each minute (Services picked by the
 * seed). Instance-target Services are left alone: their targets are Nodes, which a rollout does not
 * change.
 * Latency of a new endpoint = the end of the first successful RegisterTargets naming it, minus the
 * moment its EndpointSlice change reached the API server.
 *
 * It runs on a slower clock than the other scenarios (`--churn-time-scale`, default 2): its figures
 * are a few tens of cloud milliseconds, and at the default scale 20 one wall millisecond — the
 * controller's CPU per change, the fakes' in the same process, a timer's granularity — would be
 * 20 cloud milliseconds of them.
 * @module
 */
import type { CloudCall } from '../cloud.js';
import { registrationLatencyFloor } from '../floor.js';
import { endpointSliceObject, type GeneratedService } from '../generate.js';
import { pick, seededRandom } from '../random.js';
import { percentile } from '../stats.js';
import { waitUntil, type World } from '../world.js';
import { failedReconciles, figure, isThrottled, seconds, waitQuiet, type ScenarioResult } from './common.js';

export const CHURN_MINUTES = 5;
export const DEFAULT_CHURN_TIME_SCALE = 2;
export const CHURN_SHARE_PER_MINUTE = 0.1;

interface Change {
  at: number;
  added: string[];
  removed: string[];
}

export async function endpointChurn(world: World, options: { timeScale?: number } = {}): Promise<ScenarioResult> {
  const { clock } = world;
  const scale = clock.scale;
  clock.setScale(options.timeScale ?? scale);
  try {
    return await measureChurn(world);
  } finally {
    clock.setScale(scale);
  }
}

async function measureChurn(world: World): Promise<ScenarioResult> {
  const { clock, cloud, cluster } = world;
  const random = seededRandom(world.options.seed + 3);
  const ipServices = cluster.services.filter((service) => service.targetType === 'ip');
  const totalEndpoints = cluster.services.reduce((total, service) => total + service.endpoints.length, 0);
  const perService = ipServices.reduce((total, service) => total + service.endpoints.length, 0) / ipServices.length;
  const changesPerMinute = Math.max(1, Math.round((CHURN_SHARE_PER_MINUTE * totalEndpoints) / perService));
  const interval = 60_000 / changesPerMinute;
  const firstReconcile = world.reconciles.length;
  const startedAt = clock.now();
  const changes: Change[] = [];
  for (let index = 0; index < changesPerMinute * CHURN_MINUTES; index += 1) {
    const due = startedAt + index * interval;
    if (due > clock.now()) await clock.sleep(due - clock.now());
    const service = ipServices[pick(random, ipServices.length)] as GeneratedService;
    const removed = service.endpoints;
    service.endpoints = removed.map(() => cluster.nextAddress());
    changes.push({ at: clock.now(), added: service.endpoints, removed });
    world.kube.apply(endpointSliceObject(service, cluster.nodes));
  }
  const wanted = new Set(changes.flatMap((change) => change.added).filter((address) => ipServices.some((service) => service.endpoints.includes(address))));
  const allRegistered = (): boolean => {
    const registered = firstSeen(cloud.callsSince(startedAt), 'RegisterTargets');
    return [...wanted].every((address) => registered.has(address));
  };
  await waitUntil(clock, allRegistered, { timeoutSeconds: 4 * 3600, what: 'every new endpoint to be registered', pollMs: 1000 });
  await waitQuiet(world, { quietSeconds: 15, timeoutSeconds: 4 * 3600 });
  const calls = cloud.callsSince(startedAt);
  const registered = firstSeen(calls, 'RegisterTargets');
  const deregistered = firstSeen(calls, 'DeregisterTargets');
  const registration = changes.flatMap((change) =>
    change.added.filter((address) => wanted.has(address)).map((address) => seconds((registered.get(address) ?? Number.NaN) - change.at)),
  );
  const deregistration = changes.flatMap((change) =>
    change.removed.flatMap((address) => (deregistered.has(address) ? [seconds((deregistered.get(address) ?? 0) - change.at)] : [])),
  );
  const targetCalls = calls.filter((call) => call.error === undefined && (call.action === 'RegisterTargets' || call.action === 'DeregisterTargets'));
  const targetsMoved = targetCalls.reduce((total, call) => total + (call.targets?.length ?? 0), 0);
  const floorLatencies = registrationLatencyFloor(
    changes.map((change) => seconds(change.at)),
    { latencyMs: world.options.latencyMs },
  );
  const endpointsPerChange = changes.reduce((total, change) => total + change.added.length, 0) / changes.length;
  return {
    id: 'churn',
    title: `3. Endpoint churn: ${CHURN_SHARE_PER_MINUTE * 100}% of endpoints replaced per minute for ${CHURN_MINUTES} minutes (time scale ${clock.scale})`,
    figures: [
      figure('EndpointSlice changes', changes.length, 'changes', { note: `${changesPerMinute}/min, ${endpointsPerChange.toFixed(1)} endpoints each` }),
      figure('(de)registration calls per change', targetCalls.length / changes.length, 'calls', {
        floor: 2,
        note: 'one RegisterTargets + one DeregisterTargets when reacting at once; batching two changes of a Service goes below',
      }),
      figure('all cloud calls per change', calls.length / changes.length, 'calls', { floor: 2 }),
      figure('targets per (de)registration call', targetsMoved / Math.max(1, targetCalls.length), 'targets', { floor: endpointsPerChange }),
      figure('p50 change → target registered', percentile(registration, 50), 'cloud s', {
        floor: percentile(floorLatencies, 50),
        note: 'floor: registrations alone, first come first served',
      }),
      figure('p99 change → target registered', percentile(registration, 99), 'cloud s', { floor: percentile(floorLatencies, 99) }),
      figure('p50 change → old target deregistered', percentile(deregistration, 50), 'cloud s'),
      figure('throttled calls', calls.filter(isThrottled).length, 'calls', { floor: 0 }),
      failedReconciles(world, firstReconcile),
    ],
    notes: [
      `calls by action during the churn and until quiet: ${summarize(calls)}`,
      `slowest change → target registered (cloud s): ${[...registration]
        .sort((a, b) => b - a)
        .slice(0, 8)
        .map((value) => value.toFixed(3))
        .join(', ')}`,
    ],
  };
}

/** address → end of the first successful call of this action naming it. */
function firstSeen(calls: readonly CloudCall[], action: string): Map<string, number> {
  const seen = new Map<string, number>();
  for (const call of calls) {
    if (call.action !== action || call.error !== undefined || call.endedAt === 0) continue;
    for (const target of call.targets ?? []) if (!seen.has(target) || (seen.get(target) ?? 0) > call.endedAt) seen.set(target, call.endedAt);
  }
  return seen;
}

function summarize(calls: readonly CloudCall[]): string {
  const counts = new Map<string, number>();
  for (const call of calls) counts.set(call.action, (counts.get(call.action) ?? 0) + 1);
  return [...counts]
    .sort(([, a], [, b]) => b - a)
    .map(([action, count]) => `${action} ${count}`)
    .join(', ');
}
