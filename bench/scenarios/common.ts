/**
 * What every scenario reports, and the helpers they share: calls counted by action, the per-action
 * table beside the floor, waiting for the controller to go quiet.
 * @module
 */
import type { CloudCall } from '../cloud.js';
import { totalCalls, type CallCounts } from '../floor.js';
import { ratio, round } from '../stats.js';
import type { World } from '../world.js';

export interface Figure {
  label: string;
  value: number | undefined;
  unit: string;
  floor?: number;
  /** value ÷ floor. */
  ratio?: number;
  note?: string;
}

export interface ActionRow {
  action: string;
  measured: number;
  floor: number;
  throttled: number;
}

export interface ScenarioResult {
  id: string;
  title: string;
  /** Set on a scenario carried over from an earlier results file (report.ts): the run it came from. */
  measured?: { command: string; commit: string; measuredAt: string };
  figures: Figure[];
  actions?: ActionRow[];
  notes: string[];
}

export function figure(label: string, value: number | undefined, unit: string, beside: { floor?: number | undefined; note?: string | undefined } = {}): Figure {
  const entry: Figure = { label, value: value === undefined ? undefined : round(value), unit };
  if (beside.floor !== undefined) {
    entry.floor = round(beside.floor);
    const r = value === undefined ? undefined : ratio(value, beside.floor);
    if (r !== undefined) entry.ratio = r;
  }
  if (beside.note !== undefined) entry.note = beside.note;
  return entry;
}

/** Requests by `service:Action`, throttled ones included (AWS counts every request it receives). */
export function countByAction(calls: readonly CloudCall[]): CallCounts {
  const counts: CallCounts = {};
  for (const call of calls) counts[`${call.service}:${call.action}`] = (counts[`${call.service}:${call.action}`] ?? 0) + 1;
  return counts;
}

export function isThrottled(call: CloudCall): boolean {
  return call.error !== undefined && /Throttl|RequestLimitExceeded|TooManyRequests/.test(call.error);
}

/** Describe*, List* and Get* read; everything else mutates. */
export function isMutatingAction(action: string): boolean {
  return !/^(Describe|List|Get)/.test(action);
}

export function actionRows(calls: readonly CloudCall[], floor: CallCounts): ActionRow[] {
  const measured = countByAction(calls);
  const throttled = countByAction(calls.filter(isThrottled));
  const actions = [...new Set([...Object.keys(measured), ...Object.keys(floor)])].sort();
  return actions.map((action) => ({ action, measured: measured[action] ?? 0, floor: floor[action] ?? 0, throttled: throttled[action] ?? 0 }));
}

export function callFigures(calls: readonly CloudCall[], floor: CallCounts): Figure[] {
  const throttled = calls.filter(isThrottled).length;
  return [
    figure('API calls (requests, retries included)', calls.length, 'calls', { floor: totalCalls(floor) }),
    figure('of which throttled', throttled, 'calls'),
  ];
}

/** Resolves once no call has started for `quietSeconds` of cloud time and the work queue is empty. */
export async function waitQuiet(world: World, options: { quietSeconds: number; timeoutSeconds: number }): Promise<void> {
  const { clock, cloud } = world;
  const deadline = clock.now() + options.timeoutSeconds * 1000;
  for (;;) {
    const last = cloud.calls.at(-1)?.startedAt ?? 0;
    const idleFor = clock.now() - last;
    if (idleFor >= options.quietSeconds * 1000 && (world.controller?.controller.queue.depth() ?? 0) === 0) return;
    if (clock.now() > deadline) throw new Error(`the controller did not go quiet within ${options.timeoutSeconds} cloud seconds`);
    await clock.sleep(Math.max(options.quietSeconds * 1000 - idleFor, 200));
  }
}

/** The end of the latest successful mutating call among these, cloud ms. */
export function lastMutationEnd(calls: readonly CloudCall[]): number | undefined {
  let last: number | undefined;
  for (const call of calls) if (call.error === undefined && isMutatingAction(call.action) && (last === undefined || call.endedAt > last)) last = call.endedAt;
  return last;
}

export const seconds = (ms: number): number => ms / 1000;

/** The reconciles that failed since the `from`-th event, as a figure whose note says why. */
export function failedReconciles(world: World, from: number): Figure {
  const failures = world.reconciles.slice(from).filter((event) => event.outcome === 'failed');
  const reasons = [...new Set(failures.map((event) => (event.error ?? 'unknown').replace(/arn:aws:[^\s,;]+/g, 'ARN').slice(0, 160)))];
  return figure('reconciles that failed', failures.length, 'reconciles', { floor: 0, ...(reasons.length > 0 && { note: reasons.slice(0, 3).join(' / ') }) });
}
