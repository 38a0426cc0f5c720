/**
 * The GatewayClasses whose controllerName is ours: each is told it is accepted (or why not) and that
 * its Gateway API version is supported; the accepted ones are the classes whose Gateways we serve.
 * @module
 */
import type { GatewayClass } from '../../sources/gateway-kinds.js';
import type { SnapshotView } from '../../sources/snapshot.js';
import { condition, GATEWAY_CONTROLLER_NAME, REASON, type GatewayClassStatusEntry } from './status.js';

export interface OurGatewayClasses {
  /** The accepted classes by name. */
  accepted: Map<string, GatewayClass>;
  statuses: GatewayClassStatusEntry[];
}

export function ourGatewayClasses(snapshot: SnapshotView): OurGatewayClasses {
  const accepted = new Map<string, GatewayClass>();
  const statuses: GatewayClassStatusEntry[] = [];
  for (const gatewayClass of snapshot.gatewayClasses()) {
    if (gatewayClass.spec?.controllerName !== GATEWAY_CONTROLLER_NAME) continue;
    const name = gatewayClass.metadata?.name ?? '';
    const generation = gatewayClass.metadata?.generation;
    const parametersRef = gatewayClass.spec.parametersRef;
    const acceptedCondition = parametersRef
      ? condition(
          'Accepted',
          false,
          REASON.invalidParameters,
          'parametersRef is not supported: set load-balancer settings as ingress-bridge.io/ annotations on the GatewayClass or the Gateway',
          generation,
        )
      : condition('Accepted', true, REASON.accepted, 'the GatewayClass is served by ingress-bridge', generation);
    statuses.push({
      ref: { kind: 'GatewayClass', name },
      conditions: [acceptedCondition, condition('SupportedVersion', true, REASON.supportedVersion, 'the Gateway API version is supported', generation)],
    });
    if (!parametersRef) accepted.set(name, gatewayClass);
  }
  return { accepted, statuses };
}
