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
  /**
   * The IngressClass name this controller answers to (flag --ingress-class). A comma-separated list
   * names several; a class it names is ours whatever controller its IngressClass names (adoption),
   * so that an ingress-nginx estate can be served beside ingress-nginx, unchanged.
   */
  ingressClass: string;
  controllerName: string;
  /** `--nginx-unsupported`: whether a snippet annotation on an nginx-class Ingress refuses it (`error`) or is a warning (`warn`, the default). */
  nginxUnsupported?: 'warn' | 'error';
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
  /**
   * `nginx` when the Ingress is ours through a class ingress-nginx serves (its IngressClass names
   * ingress-nginx's controller, or there is none and the class has ingress-nginx's default name
   * `nginx`): its `nginx.ingress.kubernetes.io/` annotations are read (src/translate/nginx/).
   */
  reader?: 'nginx';
}

/** ingress-nginx's controller value, and the class name its chart installs. */
export const NGINX_CONTROLLER = 'k8s.io/ingress-nginx';
export const NGINX_CLASS = 'nginx';

/** The class names --ingress-class names. */
export function ourClassNames(options: ClassOptions): string[] {
  return options.ingressClass
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

/**
 * Ours by adoption: the flag names the class, whose IngressClass names another controller or does
 * not exist. That IngressClass's parameters are the other controller's, so none are applied.
 */
function adopted(ingressClass: V1IngressClass | undefined, name: string): ClassDecision {
  const nginx = ingressClass ? ingressClass.spec?.controller === NGINX_CONTROLLER : name === NGINX_CLASS;
  return { ours: true, diagnostics: [], ...(nginx ? { reader: 'nginx' as const } : {}) };
}

export function resolveIngressClass(ingress: V1Ingress, classes: readonly V1IngressClass[], options: ClassOptions): ClassDecision {
  const names = ourClassNames(options);
  const legacy = ingress.metadata?.annotations?.[LEGACY_CLASS_ANNOTATION];
  if (legacy !== undefined) {
    if (!names.includes(legacy)) return { ours: false, diagnostics: [] };
    const named = classes.find((candidate) => candidate.metadata?.name === legacy);
    if (named?.spec?.controller === options.controllerName) return { ours: true, diagnostics: [], ingressClass: named };
    return adopted(named, legacy);
  }

  const className = ingress.spec?.ingressClassName;
  if (className) {
    const ingressClass = classes.find((candidate) => candidate.metadata?.name === className);
    if (ingressClass)
      return ingressClass.spec?.controller === options.controllerName
        ? { ours: true, diagnostics: [], ingressClass }
        : names.includes(className)
          ? adopted(ingressClass, className)
          : { ours: false, diagnostics: [] };
    if (!names.includes(className)) return { ours: false, diagnostics: [] };
    if (className === NGINX_CLASS) return adopted(undefined, className);
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
  if (defaults.length !== 1 || !only) return { ours: false, diagnostics: [] };
  if (only.spec?.controller === options.controllerName) return { ours: true, diagnostics: [], ingressClass: only };
  return names.includes(only.metadata?.name ?? '') ? adopted(only, only.metadata?.name ?? '') : { ours: false, diagnostics: [] };
}
