/**
 * Whether a Gateway is accepted (API reference, Gateway conditions): not when its annotations are
 * invalid, when it asks for addresses the cloud cannot honour, or when none of its listeners is
 * valid; accepted with ListenersNotValid when only some are.
 * @module
 */
import type { Diagnostic, ObjectRef } from '../../model.js';
import type { Gateway, GatewayCondition } from '../../sources/gateway-kinds.js';
import { diagnostic, hasErrors } from '../diagnostics.js';
import type { ListenerView } from './listeners.js';
import { condition, REASON } from './status.js';

export interface GatewayAcceptance {
  accepted: boolean;
  condition: GatewayCondition;
  diagnostics: Diagnostic[];
}

export function gatewayAcceptance(
  gateway: Gateway,
  ref: ObjectRef,
  annotationDiagnostics: readonly Diagnostic[],
  listeners: readonly ListenerView[],
): GatewayAcceptance {
  const generation = gateway.metadata?.generation;
  if (hasErrors(annotationDiagnostics)) {
    const first = annotationDiagnostics.find((entry) => entry.severity === 'error');
    return {
      accepted: false,
      condition: condition('Accepted', false, REASON.invalidParameters, `${first?.field ?? 'metadata.annotations'}: ${first?.message ?? ''}`, generation),
      diagnostics: [],
    };
  }
  if ((gateway.spec?.addresses ?? []).length > 0) {
    const message = 'spec.addresses cannot be honoured: the cloud assigns the load balancer its address';
    return {
      accepted: false,
      condition: condition('Accepted', false, REASON.unsupportedAddress, message, generation),
      diagnostics: [diagnostic(ref, 'spec.addresses', 'error', message)],
    };
  }
  if (listeners.length > 0 && listeners.every((listener) => !listener.usable)) {
    return {
      accepted: false,
      condition: condition('Accepted', false, REASON.listenersNotValid, 'no listener of the Gateway is valid', generation),
      diagnostics: [],
    };
  }
  const invalid = listeners.filter((listener) => !listener.usable).map((listener) => listener.name);
  return {
    accepted: true,
    condition: condition(
      'Accepted',
      true,
      invalid.length > 0 ? REASON.listenersNotValid : REASON.accepted,
      invalid.length > 0 ? `listeners not valid: ${invalid.join(', ')}` : 'the Gateway is accepted',
      generation,
    ),
    diagnostics: [],
  };
}
