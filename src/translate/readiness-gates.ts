/**
 * Pod readiness gates for ip targets: the condition type a Pod carries per target group, and which
 * Pods wait for nothing but that condition.
 *
 * The name. `target-health.ingress-bridge.io/<service>-<port>-<hash>`: the Service's name (cut to
 * fit), the Service port, and 10 hex digits of sha256 over the stack id and the target-group key. The
 * part after the slash is at most 63 characters and a valid qualified name, as the API requires of a
 * condition type. It is stable for as long as the load balancer (stack) and the target group's key
 * (namespace/service:port/ip) are, so a change of health check, protocol or target-group name keeps
 * the gates of running Pods meaningful; and it differs between two load balancers that send to the
 * same Service port, so a Pod is Ready only once healthy in both.
 *
 * Waiting only for it. A Pod whose containers are ready but which is held back by its target-health
 * gates is not Ready, so its EndpointSlice endpoint is not ready either. Translate registers such an
 * endpoint all the same (as aws-load-balancer-controller does): the load balancer cannot report a
 * target healthy before the target is registered, and the gate cannot open before it is healthy.
 * @module
 */
import { createHash } from 'node:crypto';
import type { V1Pod } from '@kubernetes/client-node';
import type { TargetGroupSpec } from '../model.js';

export const TARGET_HEALTH_GATE_PREFIX = 'target-health.ingress-bridge.io/';

/** Kubernetes' limit on the name part of a qualified name (the condition type after the slash). */
const QUALIFIED_NAME_MAX = 63;
const HASH_LENGTH = 10;

/** The readiness-gate condition type of a target group of a stack. */
export function targetHealthGate(stackId: string, targetGroup: Pick<TargetGroupSpec, 'key' | 'service'>): string {
  const hash = createHash('sha256').update(`${stackId}\u0000${targetGroup.key}`).digest('hex').slice(0, HASH_LENGTH);
  const port = String(targetGroup.service.port);
  const budget = QUALIFIED_NAME_MAX - port.length - HASH_LENGTH - 2;
  const service = targetGroup.service.name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, budget)
    .replace(/-+$/, '');
  return `${TARGET_HEALTH_GATE_PREFIX}${service ? `${service}-` : ''}${port}-${hash}`;
}

export function isTargetHealthGate(conditionType: string | undefined): boolean {
  return conditionType?.startsWith(TARGET_HEALTH_GATE_PREFIX) ?? false;
}

function conditionTrue(pod: V1Pod, type: string): boolean {
  return pod.status?.conditions?.some((condition) => condition.type === type && condition.status === 'True') ?? false;
}

/**
 * Containers ready, not being deleted, at least one target-health gate, and every other readiness
 * gate passed: the Pod would be Ready but for the load balancer.
 */
export function awaitsOnlyTargetHealth(pod: V1Pod | undefined): boolean {
  if (!pod || pod.metadata?.deletionTimestamp || !conditionTrue(pod, 'ContainersReady')) return false;
  const gates = (pod.spec?.readinessGates ?? []).map((gate) => gate.conditionType);
  return gates.some(isTargetHealthGate) && gates.every((gate) => isTargetHealthGate(gate) || conditionTrue(pod, gate));
}
