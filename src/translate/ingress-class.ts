/**
 * Whether an Ingress is ours: its class resolves to our controller through the legacy
 * `kubernetes.io/ingress.class` annotation (which wins, as in aws-load-balancer-controller),
 * `spec.ingressClassName`, or the cluster's default IngressClass.
 * @module
 */
import type { V1Ingress, V1IngressClass } from '@kubernetes/client-node';
import type { Diagnostic } from '../model.js';
import { ingressDiagnostic } from './diagnostics.js';

export const CONTROLLER_NAME = 'ingress-bridge.io/controller';
export const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

export interface ClassOptions {
  /** The IngressClass name this controller answers to (flag --ingress-class). */
  ingressClass: string;
  controllerName: string;
}

export interface ClassDecision {
  ours: boolean;
  diagnostics: Diagnostic[];
  /**
   * The IngressClass an Ingress of ours resolves to, when it exists: its spec.parameters (an
   * IngressClassParams) apply. The legacy annotation resolves to the class of the same name too, so
   * that spelling cannot step around what the operator set on the class.
   */
  ingressClass?: V1IngressClass;
}

export function resolveIngressClass(ingress: V1Ingress, classes: readonly V1IngressClass[], options: ClassOptions): ClassDecision {
  const legacy = ingress.metadata?.annotations?.[LEGACY_CLASS_ANNOTATION];
  if (legacy !== undefined) {
    if (legacy !== options.ingressClass) return { ours: false, diagnostics: [] };
    const named = classes.find((candidate) => candidate.metadata?.name === legacy && candidate.spec?.controller === options.controllerName);
    return { ours: true, diagnostics: [], ...(named ? { ingressClass: named } : {}) };
  }

  const className = ingress.spec?.ingressClassName;
  if (className) {
    const ingressClass = classes.find((candidate) => candidate.metadata?.name === className);
    if (ingressClass)
      return ingressClass.spec?.controller === options.controllerName ? { ours: true, diagnostics: [], ingressClass } : { ours: false, diagnostics: [] };
    if (className !== options.ingressClass) return { ours: false, diagnostics: [] };
    return {
      ours: true,
      diagnostics: [
        ingressDiagnostic(
          ingress,
          'spec.ingressClassName',
          'warning',
          `IngressClass "${className}" does not exist; the Ingress is treated as ours because it names ` +
            `our class. Create the IngressClass with controller ${options.controllerName}`,
        ),
      ],
    };
  }

  const defaults = classes.filter((candidate) => candidate.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true');
  // With several defaults the API server refuses class-less Ingresses, so none of them is the default.
  const [only] = defaults;
  return defaults.length === 1 && only?.spec?.controller === options.controllerName
    ? { ours: true, diagnostics: [], ingressClass: only }
    : { ours: false, diagnostics: [] };
}
