/** Constructors for diagnostics that name a Kubernetes object and one of its fields. */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Diagnostic, IngressRef, ObjectRef, Severity } from '../model.js';
import { ALB_PREFIX, OWN_PREFIX } from './annotation-types.js';
import { escapeControls } from './annotation-values.js';

export function objectRef(kind: string, object: KubernetesObject): ObjectRef {
  const namespace = object.metadata?.namespace;
  return { kind, ...(namespace ? { namespace } : {}), name: object.metadata?.name ?? '' };
}

export function ingressRef(object: KubernetesObject): IngressRef {
  return { namespace: object.metadata?.namespace ?? 'default', name: object.metadata?.name ?? '' };
}

export function diagnostic(object: ObjectRef, field: string, severity: Severity, message: string): Diagnostic {
  return { severity, object, field, message };
}

export function ingressDiagnostic(ingress: KubernetesObject, field: string, severity: Severity, message: string): Diagnostic {
  return diagnostic(objectRef('Ingress', ingress), field, severity, message);
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((entry) => entry.severity === 'error');
}

/** The field of an annotation as the object spells it: our prefix when present, else the ALB one. */
export function annotationField(object: KubernetesObject, key: string): string {
  const annotations = object.metadata?.annotations ?? {};
  const prefix = `${OWN_PREFIX}${key}` in annotations || !(`${ALB_PREFIX}${key}` in annotations) ? OWN_PREFIX : ALB_PREFIX;
  return annotationKeyField(`${prefix}${key}`);
}

/** The field of one annotation key, whole (prefix included), as every diagnostic names it. */
export function annotationKeyField(key: string): string {
  return `metadata.annotations[${escapeControls(JSON.stringify(key))}]`;
}

/** What an exception translate did not expect says, fit for a diagnostic: its name and message, cut to 200 characters, controls escaped. */
export function defectDetail(error: unknown): string {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return escapeControls(detail.slice(0, 200));
}
