/**
 * Lambda function backends on GCP. A function target group (an Ingress backend.resource of kind
 * lambda.ingress-bridge.io/Function) is an AWS Lambda function the ALB invokes; a Google load
 * balancer cannot invoke it, and GCP's own serverless network endpoint groups (Cloud Run, Cloud
 * Functions) are another thing with another reference, so nothing here maps one onto the other.
 * The paths that name a function are refused alone: they answer 503 (a fixed response, as translate
 * answers for a backend that does not resolve), with an error on each Ingress that names the
 * function, and the rest of the load balancer is still built and kept up to date. Pure.
 * @module
 */
import type { Action, Diagnostic, IngressRef, LoadBalancerSpec } from '../../../src/model.js';

/** What a path to a function answers on GCP: the status alone, as a URL map can serve no body of its own. */
export const FUNCTION_REFUSED: Action = { type: 'fixed-response', statusCode: '503' };

/**
 * The spec without its function target groups: a forward to functions alone answers 503, a weighted
 * forward keeps its other target groups; one error per Ingress and function, naming both. A spec
 * without functions comes back as it is.
 */
export function withoutFunctions(spec: LoadBalancerSpec): { spec: LoadBalancerSpec; diagnostics: Diagnostic[] } {
  const functions = new Map((spec.functionTargetGroups ?? []).map((group) => [group.key, group] as const));
  if (functions.size === 0) return { spec, diagnostics: [] };
  const found = new Map<string, Diagnostic>();
  const report = (ingress: IngressRef, key: string): void => {
    const fn = functions.get(key);
    if (!fn) return;
    const reference = fn.function.arn ?? fn.function.name;
    found.set(`${ingress.namespace}/${ingress.name}\u0000${key}`, {
      severity: 'error',
      object: { kind: 'Ingress', namespace: ingress.namespace, name: ingress.name },
      field: 'spec',
      message:
        `backend.resource lambda.ingress-bridge.io/Function ${reference}${fn.function.qualifier ? `:${fn.function.qualifier}` : ''}: ` +
        'Lambda function backends are AWS-only (on GCP, serve the code as a Service, or behind a Cloud Run / Cloud Functions serverless NEG ' +
        'outside this controller); its paths answer 503, the rest of the load balancer is served',
    });
  };
  const cleaned = (action: Action, blame: readonly IngressRef[]): Action => {
    if (action.type !== 'forward') return action;
    const gone = action.targetGroups.filter((group) => functions.has(group.targetGroupKey));
    if (gone.length === 0) return action;
    for (const group of gone) for (const ingress of blame) report(ingress, group.targetGroupKey);
    const kept = action.targetGroups.filter((group) => !functions.has(group.targetGroupKey));
    return kept.some((group) => group.weight > 0) ? { ...action, targetGroups: kept } : FUNCTION_REFUSED;
  };
  const listeners = spec.listeners.map((listener) => ({
    ...listener,
    defaultAction: cleaned(listener.defaultAction, spec.stack.members),
    rules: listener.rules.map((rule) => ({ ...rule, actions: rule.actions.map((action) => cleaned(action, [rule.origin.ingress])) })),
  }));
  const rest: LoadBalancerSpec = { ...spec, listeners };
  delete rest.functionTargetGroups;
  return { spec: rest, diagnostics: [...found.values()] };
}
