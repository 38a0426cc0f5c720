/**
 * What translate returns for a group, and for every group: the spec, the diagnostics, which
 * Ingresses are on the load balancer or left out, and what the runtime does with the load balancer.
 * Its own module so the group's error boundary and the runtime can name it without importing the
 * translator.
 * @module
 */
import type { Diagnostic, IngressRef, LoadBalancerSpec } from '../model.js';
import type { GatewayApiStatus } from './gateway/status.js';

/**
 * What becomes of the group's load balancer, decided by translate once so that the manifest runner
 * and the cluster controller cannot disagree:
 * - `apply`: make it match `spec`;
 * - `delete`: no Ingress of ours names the group any more, so it should not exist;
 * - `hold`: keep it exactly as it is, because every Ingress that names the group is invalid (left out,
 *   or rejected for its annotations) — bad input never deletes what exists.
 */
export type Disposition = 'apply' | 'delete' | 'hold';

/** A group's translation before its disposition is known (the group's error boundary works on these). */
export interface GroupTranslation {
  stackId: string;
  /** Undefined when no member of the group can be served. */
  spec?: LoadBalancerSpec;
  diagnostics: Diagnostic[];
  /** The group's Ingresses whose rules are on the load balancer. */
  members: IngressRef[];
  /** The group's Ingresses left out (invalid, conflicting or over a limit); each has an error diagnostic. */
  leftOut: IngressRef[];
}

export interface TranslateResult extends GroupTranslation {
  disposition: Disposition;
}

export interface TranslateAllResult {
  /** Every group an Ingress of ours names, a group only rejected Ingresses name included (held). */
  results: TranslateResult[];
  /** Ingresses of our class that belong to no group: their group annotations are invalid. */
  rejected: IngressRef[];
  /** Diagnostics of Ingresses of our class that belong to no group (their group annotations are invalid). */
  diagnostics: Diagnostic[];
  /** The status of every Gateway API object of ours, as translate decides it (Gateways' results are among `results`). */
  gatewayApi?: GatewayApiStatus;
}

/** `namedByRejected`: an Ingress of ours whose annotations are invalid still names the group. */
export function withDisposition(translation: GroupTranslation, namedByRejected: boolean): TranslateResult {
  const disposition: Disposition = translation.spec ? 'apply' : translation.leftOut.length > 0 || namedByRejected ? 'hold' : 'delete';
  return { ...translation, disposition };
}
