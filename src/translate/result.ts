/**
 * What translate returns for a group, and for every group: the spec, the diagnostics, and which
 * Ingresses are on the load balancer or left out. Its own module so the group's error boundary and
 * the runtime can name it without importing the translator.
 * @module
 */
import type { Diagnostic, IngressRef, LoadBalancerSpec } from '../model.js';

export interface TranslateResult {
  stackId: string;
  /** Undefined when no member of the group can be served: the group's load balancer should not exist. */
  spec?: LoadBalancerSpec;
  diagnostics: Diagnostic[];
  /** The group's Ingresses whose rules are on the load balancer. */
  members: IngressRef[];
  /** The group's Ingresses left out (invalid, conflicting or over a limit); each has an error diagnostic. */
  leftOut: IngressRef[];
}

export interface TranslateAllResult {
  results: TranslateResult[];
  /** Ingresses of our class that belong to no group: their group annotations are invalid. */
  rejected: IngressRef[];
  /** Diagnostics of Ingresses of our class that belong to no group (their group annotations are invalid). */
  diagnostics: Diagnostic[];
}
