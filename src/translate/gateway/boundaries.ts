/**
 * The Gateway translator's error boundaries (DESIGN.md section 8): an exception nobody expected is a
 * defect, reported on the object that caused it; it holds that Gateway's load balancer as it is, or
 * refuses that route alone, and touches no other Gateway, route or Ingress.
 * @module
 */
import type { ObjectRef } from '../../model.js';
import type { Gateway } from '../../sources/gateway-kinds.js';
import { defectDetail, diagnostic } from '../diagnostics.js';
import { withDisposition, type TranslateResult } from '../result.js';
import { gatewayStackId } from './keys.js';
import type { CompiledRoute, RouteSource } from './compiled.js';
import { condition, REASON, type GatewayStatusEntry } from './status.js';

export interface TranslatedGateway {
  result: TranslateResult;
  status: GatewayStatusEntry;
}

function defectMessage(kind: string, error: unknown): string {
  return `the ${kind} could not be translated (${defectDetail(error)}); this is a defect in ingress-bridge: please report it with the ${kind}`;
}

/** Each Gateway inside its own boundary: bad input never deletes, so a defect holds its load balancer. */
export function translateWithinBoundary(gateway: Gateway, work: () => TranslatedGateway): TranslatedGateway {
  try {
    return work();
  } catch (error) {
    const ref: ObjectRef = { kind: 'Gateway', namespace: gateway.metadata?.namespace ?? 'default', name: gateway.metadata?.name ?? '' };
    const stackId = gatewayStackId(ref.namespace ?? 'default', ref.name);
    const message = defectMessage('Gateway', error);
    const generation = gateway.metadata?.generation;
    return {
      result: withDisposition({ stackId, diagnostics: [diagnostic(ref, 'spec', 'error', message)], members: [], leftOut: [] }, true),
      status: {
        ref,
        stackId,
        ...(generation !== undefined && { generation }),
        conditions: [condition('Accepted', false, REASON.invalid, message, generation)],
        listeners: [],
      },
    };
  }
}

/** Each route inside its own boundary: an unexpected exception refuses that route alone. */
export function compileWithinBoundary(source: RouteSource, work: () => CompiledRoute): CompiledRoute {
  try {
    return work();
  } catch (error) {
    const namespace = source.route.metadata?.namespace ?? 'default';
    const ref: ObjectRef = { kind: source.kind, namespace, name: source.route.metadata?.name ?? '' };
    const message = defectMessage(source.kind, error);
    return {
      kind: source.kind,
      route: source.route,
      ref,
      namespace,
      hostnames: [],
      rules: [],
      problems: [{ condition: 'Accepted', reason: REASON.unsupportedValue, message }],
      diagnostics: [diagnostic(ref, 'spec', 'error', message)],
    };
  }
}
