import type { Scheme, TargetType } from '../model.js';
import { CONTROLLER_NAME } from './ingress-class.js';
import { DEFAULT_ALB_LIMITS, type AlbLimits } from '../limits.js';

export interface TranslateOptions {
  /** Goes into names and ownership, so two clusters in one account never collide. */
  clusterName: string;
  /** The IngressClass name this controller answers to. */
  ingressClass: string;
  controllerName: string;
  defaultScheme: Scheme;
  defaultTargetType: TargetType;
  limits: AlbLimits;
  /** The time certificates are checked against; injected so translate stays pure. */
  now: Date;
  /**
   * A trust decision: any namespace may join any IngressGroup by naming it, as with
   * aws-load-balancer-controller (for migrations). Off: only an IngressClassParams admits other namespaces.
   */
  allowCrossNamespaceGroups: boolean;
  /** `--nginx-unsupported`: a snippet annotation on an nginx-class Ingress refuses it (`error`) or is a warning (`warn`, the default). */
  nginxUnsupported?: 'warn' | 'error';
}

export function defaultTranslateOptions(overrides: Partial<TranslateOptions> = {}): TranslateOptions {
  return {
    clusterName: 'ingress-bridge',
    ingressClass: 'ingress-bridge',
    controllerName: CONTROLLER_NAME,
    defaultScheme: 'internal',
    defaultTargetType: 'instance',
    limits: DEFAULT_ALB_LIMITS,
    now: new Date(),
    allowCrossNamespaceGroups: false,
    ...overrides,
  };
}
