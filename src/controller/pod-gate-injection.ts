/**
 * Which target-health readiness gates a Pod gets at creation, decided the way
 * aws-load-balancer-controller decides it: only in a namespace labelled
 * `ingress-bridge.io/pod-readiness-gate-inject=enabled`, one gate per ip target group whose Service
 * selects the Pod (its selector is non-empty and every key of it is a label of the Pod with the same
 * value). Instance target groups get none: their targets are Nodes, not Pods. Pure; the webhook
 * server (webhook-server.ts) is the shell.
 * @module
 */
import type { V1Namespace, V1Pod, V1Service } from '@kubernetes/client-node';
import type { TargetGroupSpec } from '../model.js';
import { targetHealthGate } from '../translate/readiness-gates.js';
import type { JsonPatchOperation } from './pod-gates.js';

export const INJECT_LABEL = 'ingress-bridge.io/pod-readiness-gate-inject';
export const INJECT_ENABLED = 'enabled';

/** A target group of a load balancer, as the webhook sees the Services that feed it. */
export interface StackTargetGroup {
  stackId: string;
  targetGroup: Pick<TargetGroupSpec, 'key' | 'service' | 'targetType'>;
}

export interface InjectionInputs {
  pod: V1Pod;
  /** The Pod's namespace: an admission request carries its name, and the Pod may not say it yet. */
  namespace: string;
  /** The Namespace object, for its labels; undefined when not known. */
  namespaceObject: V1Namespace | undefined;
  /** The Services of that namespace. */
  services: readonly V1Service[];
  /** The target groups of every load balancer that reach those Services. */
  targetGroups: readonly StackTargetGroup[];
}

export function injectionEnabled(namespace: V1Namespace | undefined): boolean {
  return namespace?.metadata?.labels?.[INJECT_LABEL] === INJECT_ENABLED;
}

/** The Services of the list that select the Pod. */
export function servicesSelecting(pod: V1Pod, services: readonly V1Service[]): V1Service[] {
  const labels = pod.metadata?.labels ?? {};
  return services.filter((service) => {
    const selector = Object.entries(service.spec?.selector ?? {});
    return selector.length > 0 && selector.every(([key, value]) => labels[key] === value);
  });
}

/** The gates to add: sorted, none the Pod already has. */
export function gatesToInject(inputs: InjectionInputs): string[] {
  if (!injectionEnabled(inputs.namespaceObject)) return [];
  const selecting = new Set(servicesSelecting(inputs.pod, inputs.services).map((service) => service.metadata?.name ?? ''));
  const existing = new Set((inputs.pod.spec?.readinessGates ?? []).map((gate) => gate.conditionType));
  const gates = inputs.targetGroups
    .filter(
      ({ targetGroup }) => targetGroup.targetType === 'ip' && targetGroup.service.namespace === inputs.namespace && selecting.has(targetGroup.service.name),
    )
    .map(({ stackId, targetGroup }) => targetHealthGate(stackId, targetGroup))
    .filter((gate) => !existing.has(gate));
  return [...new Set(gates)].sort();
}

/** The JSON patch that appends the gates to the Pod's spec.readinessGates. */
export function readinessGatePatch(pod: V1Pod, gates: readonly string[]): JsonPatchOperation[] {
  if (gates.length === 0) return [];
  const entries = gates.map((conditionType) => ({ conditionType }));
  if (!pod.spec?.readinessGates) return [{ op: 'add', path: '/spec/readinessGates', value: entries }];
  return entries.map((value) => ({ op: 'add', path: '/spec/readinessGates/-', value }));
}
