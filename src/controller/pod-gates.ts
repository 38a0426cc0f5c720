/**
 * Readiness-gate decisions, pure: which Pods of a stack wait on a target-health gate, which of their
 * targets to ask the load balancer about, the condition each gate should have given the answer, and
 * the JSON patch of the Pod's status that writes it — or none when it already says so.
 *
 * A gate turns True once every target of the Pod in the target group is `healthy`, and stays True:
 * True is what lets the rollout go on, and a Pod that later fails its load-balancer checks is taken
 * out by the load balancer itself, not by making the Pod unready (which would deregister it). Until
 * then it is False with the load balancer's reason; a Pod not registered yet is left as it is.
 * @module
 */
import type { V1Pod, V1PodCondition } from '@kubernetes/client-node';
import type { LoadBalancerSpec, Target } from '../model.js';
import type { TargetHealth, TargetHealthReport, TargetRef } from '../provider.js';
import { kubernetesTime } from '../sources/kube-objects.js';
import { targetHealthGate } from '../translate/readiness-gates.js';

/** An ip target group of a stack, with the gate its Pods carry and its targets now. */
export interface GatedTargetGroup {
  key: string;
  namespace: string;
  gate: string;
  targets: readonly Target[];
}

/** The ip target groups of a spec: the only kind whose targets are Pods. */
export function gatedTargetGroups(spec: LoadBalancerSpec | undefined): GatedTargetGroup[] {
  return (spec?.targetGroups ?? [])
    .filter((group) => group.targetType === 'ip')
    .map((group) => ({ key: group.key, namespace: group.service.namespace, gate: targetHealthGate(spec?.stack.id ?? '', group), targets: group.targets }));
}

/** A Pod's gate that is not True yet, and its targets in the gate's target group (none while not registered). */
export interface PendingGate {
  pod: V1Pod;
  gate: string;
  targetGroupKey: string;
  targets: TargetRef[];
}

function conditionOf(pod: V1Pod, type: string): V1PodCondition | undefined {
  return pod.status?.conditions?.find((condition) => condition.type === type);
}

/** Whether the Pod still waits on the gate: it carries it, is not being deleted, and the gate is not True yet. */
export function waitsOnGate(pod: V1Pod, gate: string): boolean {
  const carries = pod.spec?.readinessGates?.some((entry) => entry.conditionType === gate) ?? false;
  return carries && !pod.metadata?.deletionTimestamp && conditionOf(pod, gate)?.status !== 'True';
}

/** The gates of these groups that Pods still wait on; `podsWithGate` names the Pods that carry a gate. */
export function pendingGates(groups: readonly GatedTargetGroup[], podsWithGate: (gate: string) => Iterable<V1Pod>): PendingGate[] {
  const pending: PendingGate[] = [];
  for (const group of groups) {
    for (const pod of podsWithGate(group.gate)) {
      if (pod.metadata?.namespace !== group.namespace || !waitsOnGate(pod, group.gate)) continue;
      const ip = pod.status?.podIP;
      const targets = ip ? group.targets.filter((target) => target.ip === ip).map((target) => ({ id: target.id, port: target.port })) : [];
      pending.push({ pod, gate: group.gate, targetGroupKey: group.key, targets });
    }
  }
  return pending;
}

/** What to ask the provider: the registered targets of the pending gates, by target group. */
export function healthQuery(pending: readonly PendingGate[]): Map<string, TargetRef[]> {
  const query = new Map<string, Map<string, TargetRef>>();
  for (const entry of pending) {
    for (const target of entry.targets) {
      let targets = query.get(entry.targetGroupKey);
      if (!targets) query.set(entry.targetGroupKey, (targets = new Map<string, TargetRef>()));
      targets.set(`${target.id}:${target.port}`, target);
    }
  }
  return new Map([...query].map(([key, targets]) => [key, [...targets.values()]]));
}

export interface DesiredCondition {
  status: 'True' | 'False';
  reason: string;
  message: string;
}

/**
 * The gate's condition from the report; undefined when there is nothing to say yet (the Pod is not a
 * target, or the provider could not read its target group).
 */
export function desiredCondition(pending: PendingGate, report: TargetHealthReport): DesiredCondition | undefined {
  const group = report.get(pending.targetGroupKey);
  if (pending.targets.length === 0 || !group) return undefined;
  const unhealthy = pending.targets
    .map((target) => ({ target, health: group.get(`${target.id}:${target.port}`) }))
    .find(({ health }) => health?.state !== 'healthy');
  if (!unhealthy) {
    return { status: 'True', reason: 'TargetHealthy', message: `healthy in the load balancer's target group ${pending.targetGroupKey}` };
  }
  const where = `${unhealthy.target.id}:${unhealthy.target.port}`;
  return notHealthy(where, unhealthy.health);
}

function notHealthy(where: string, health: TargetHealth | undefined): DesiredCondition {
  if (!health) return { status: 'False', reason: 'Target.NotRegistered', message: `target ${where} is not registered in the load balancer yet` };
  return { status: 'False', reason: health.reason ?? `Target.${health.state}`, message: health.description ?? `target ${where} is ${health.state}` };
}

export type JsonPatchOperation = { op: 'test' | 'add' | 'replace'; path: string; value: unknown };

/**
 * The JSON patch of the Pod's status that sets the condition, guarded by the resourceVersion it was
 * computed from (a Pod changed meanwhile gets 422, and the next check uses the newer Pod); undefined
 * when the condition already says this. The transition time moves only when the status does.
 */
export function conditionPatch(pod: V1Pod, type: string, desired: DesiredCondition, now: Date): JsonPatchOperation[] | undefined {
  const conditions = pod.status?.conditions;
  const index = conditions?.findIndex((condition) => condition.type === type) ?? -1;
  const current = index >= 0 ? conditions?.[index] : undefined;
  if (current && current.status === desired.status && (current.reason ?? '') === desired.reason && (current.message ?? '') === desired.message)
    return undefined;
  const lastTransitionTime =
    current && current.status === desired.status && current.lastTransitionTime !== undefined ? timeText(current.lastTransitionTime) : kubernetesTime(now);
  const condition = { type, status: desired.status, reason: desired.reason, message: desired.message, lastTransitionTime };
  const resourceVersion = pod.metadata?.resourceVersion;
  const guard: JsonPatchOperation[] = resourceVersion ? [{ op: 'test', path: '/metadata/resourceVersion', value: resourceVersion }] : [];
  if (index >= 0) return [...guard, { op: 'replace', path: `/status/conditions/${index}`, value: condition }];
  if (conditions) return [...guard, { op: 'add', path: '/status/conditions/-', value: condition }];
  if (pod.status) return [...guard, { op: 'add', path: '/status/conditions', value: [condition] }];
  return [...guard, { op: 'add', path: '/status', value: { conditions: [condition] } }];
}

/** The Snapshot holds wire JSON (strings); a typed object from client-node holds Dates. */
function timeText(value: Date | string): string {
  return typeof value === 'string' ? value : kubernetesTime(value);
}
