/**
 * A route rule's backendRefs → its action: a forward weighted as the specification says (scaled to
 * the ALB's range, one entry per target group) to the core Services and Lambda functions that
 * resolve, or a 500 when none does; with each refused reference in the route's status.
 * @module
 */
import type { Action, FunctionTargetGroupSpec, TargetGroupSpec, WeightedTargetGroup } from '../../model.js';
import { MAX_FORWARD_WEIGHT } from '../../limits.js';
import type { BackendReference } from '../../sources/gateway-kinds.js';
import { GATEWAY_API_GROUP } from '../../sources/gateway-kinds.js';
import type { TargetGroupAnnotations } from '../annotation-types.js';
import { quote } from '../annotation-values.js';
import { resolveServiceBackend } from '../backends.js';
import { diagnostic } from '../diagnostics.js';
import { FUNCTION_API_GROUP, FUNCTION_KIND, resolveFunctionBackend } from '../function-backends.js';
import type { CompiledRoute, RouteContext, RouteKind } from './compiled.js';
import { referenceGranted } from './reference-grants.js';
import { REASON } from './status.js';

const SERVER_ERROR: Action = {
  type: 'fixed-response',
  statusCode: '500',
  contentType: 'text/plain',
  messageBody: 'Internal Server Error: no backend of this route resolves',
};

export interface ResolvedBackends {
  action: Action;
  targetGroups: TargetGroupSpec[];
  functionTargetGroups: FunctionTargetGroupSpec[];
}

export function resolveBackends(
  kind: RouteKind,
  compiled: CompiledRoute,
  refs: readonly BackendReference[],
  context: RouteContext,
  field: string,
): ResolvedBackends {
  const targetGroups: TargetGroupSpec[] = [];
  const functionTargetGroups: FunctionTargetGroupSpec[] = [];
  const weighted: WeightedTargetGroup[] = [];
  let invalid = 0;
  // `reported`: the diagnostic is already out (function-backends.ts words it); only the status is added.
  const refused = (at: string, reason: string, message: string, reported = false): void => {
    invalid++;
    compiled.problems.push({ condition: 'ResolvedRefs', reason, message: `${at}: ${message}` });
    if (!reported) compiled.diagnostics.push(diagnostic(compiled.ref, at, 'error', message));
  };
  const settings: TargetGroupAnnotations = kind === 'GRPCRoute' ? { ...context.settings, backendProtocolVersion: 'GRPC' } : context.settings;
  refs.forEach((ref, index) => {
    const at = `${field}.backendRefs[${index}]`;
    if (ref.group === FUNCTION_API_GROUP) {
      const resolved = resolveFunction(kind, compiled, ref, context, at, refused);
      if (!resolved || (ref.weight ?? 1) === 0) return;
      functionTargetGroups.push(resolved);
      weighted.push({ targetGroupKey: resolved.key, weight: ref.weight ?? 1 });
      return;
    }
    if ((ref.group ?? '') !== '' || (ref.kind ?? 'Service') !== 'Service') {
      refused(
        at,
        REASON.invalidKind,
        `backend kind ${ref.group ? `${ref.group}/` : ''}${ref.kind ?? ''} is not supported; only core Services and ${FUNCTION_API_GROUP}/${FUNCTION_KIND} are`,
      );
      return;
    }
    const namespace = ref.namespace ?? compiled.namespace;
    const name = ref.name ?? '';
    if (
      namespace !== compiled.namespace &&
      !referenceGranted(context.snapshot, { group: GATEWAY_API_GROUP, kind, namespace: compiled.namespace }, { group: '', kind: 'Service', namespace, name })
    ) {
      refused(
        `${at}.namespace`,
        REASON.refNotPermitted,
        `Service ${namespace}/${name} is in another namespace and no ReferenceGrant in ${namespace} allows ${kind}s of ${compiled.namespace} to refer to it`,
      );
      return;
    }
    if (ref.port === undefined) {
      refused(`${at}.port`, REASON.unsupportedValue, 'a Service backend needs a port');
      return;
    }
    const weight = ref.weight ?? 1;
    const resolution = resolveServiceBackend(
      {
        snapshot: context.snapshot,
        clusterName: context.clusterName,
        stackId: context.stackId,
        namespace,
        defaultTargetType: context.defaultTargetType,
        ingressSettings: settings,
      },
      { name, port: ref.port },
    );
    compiled.diagnostics.push(...resolution.diagnostics);
    if (!resolution.ok) {
      refused(at, REASON.backendNotFound, resolution.message);
      return;
    }
    if (weight === 0) return;
    targetGroups.push(resolution.targetGroup);
    weighted.push({ targetGroupKey: resolution.targetGroup.key, weight });
  });
  if (invalid > 0 && weighted.length > 0) {
    compiled.diagnostics.push(
      diagnostic(
        compiled.ref,
        field,
        'warning',
        `${invalid} backend(s) of this rule do not resolve: the specification answers their share with 500, which an ALB forward cannot; the valid backends take all of it`,
      ),
    );
  }
  if (weighted.length === 0) return { action: SERVER_ERROR, targetGroups: [], functionTargetGroups: [] };
  return { action: { type: 'forward', targetGroups: scaleWeights(mergeSameTargets(weighted)) }, targetGroups, functionTargetGroups };
}

/**
 * A backendRef `{group: lambda.ingress-bridge.io, kind: Function, name}` → its function target group,
 * parsed and named as an Ingress `backend.resource` is (function-backends.ts), with the mapping
 * annotation `lambda.ingress-bridge.io/<name>` read from the route. Undefined when refused.
 */
function resolveFunction(
  kind: RouteKind,
  compiled: CompiledRoute,
  ref: BackendReference,
  context: RouteContext,
  at: string,
  refused: (at: string, reason: string, message: string, reported?: boolean) => void,
): FunctionTargetGroupSpec | undefined {
  if (ref.kind !== FUNCTION_KIND) {
    refused(
      `${at}.kind`,
      REASON.invalidKind,
      `kind ${quote(ref.kind ?? '')} is not one ingress-bridge serves in ${FUNCTION_API_GROUP}: the kind is ${FUNCTION_KIND}`,
    );
    return undefined;
  }
  if (kind === 'GRPCRoute') {
    refused(at, REASON.unsupportedValue, 'a GRPCRoute cannot reach a Function: an ALB invokes a Lambda function with HTTP/1.1 events, never gRPC');
    return undefined;
  }
  // A function is not a namespaced object: the spec's default (the route's own namespace) is the only
  // namespace that names it; another one could never be granted a meaning by a ReferenceGrant.
  if (ref.namespace !== undefined && ref.namespace !== compiled.namespace) {
    refused(
      `${at}.namespace`,
      REASON.unsupportedValue,
      `a Function is not a namespaced object; namespace ${quote(ref.namespace)} cannot name one (leave it out, or set the route's own namespace)`,
    );
    return undefined;
  }
  if (ref.port !== undefined) {
    compiled.diagnostics.push(diagnostic(compiled.ref, `${at}.port`, 'warning', 'a Function has no port; the port is ignored'));
  }
  const resolution = resolveFunctionBackend(
    {
      holder: { kind, object: compiled.route },
      unserved: 'the backend is not served',
      settingsHolder: context.settingsHolder,
      clusterName: context.clusterName,
      stackId: context.stackId,
      targetGroupAttributes: context.settings.targetGroupAttributes,
      tags: context.settings.tags,
    },
    { apiGroup: FUNCTION_API_GROUP, kind: FUNCTION_KIND, name: ref.name ?? '' },
    at,
  );
  compiled.diagnostics.push(...resolution.diagnostics);
  if (!resolution.ok) {
    // A name that no Lambda function can have names a backend that does not exist.
    const [error] = resolution.diagnostics;
    refused(error?.field ?? at, REASON.backendNotFound, error?.message ?? 'the function does not resolve', true);
    return undefined;
  }
  return resolution.targetGroup;
}

function mergeSameTargets(weighted: readonly WeightedTargetGroup[]): WeightedTargetGroup[] {
  const byKey = new Map<string, number>();
  for (const entry of weighted) byKey.set(entry.targetGroupKey, (byKey.get(entry.targetGroupKey) ?? 0) + entry.weight);
  return [...byKey].map(([targetGroupKey, weight]) => ({ targetGroupKey, weight }));
}

/** Gateway API weights go to 1,000,000; the ALB's to 999: scaled down, keeping every non-zero weight non-zero. */
function scaleWeights(weighted: WeightedTargetGroup[]): WeightedTargetGroup[] {
  const largest = Math.max(...weighted.map((entry) => entry.weight));
  if (largest <= MAX_FORWARD_WEIGHT) return weighted;
  return weighted.map((entry) => ({ ...entry, weight: Math.max(1, Math.round((entry.weight * MAX_FORWARD_WEIGHT) / largest)) }));
}
