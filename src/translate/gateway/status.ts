/**
 * Gateway API status as the specification defines it (API reference: GatewayClass, Gateway,
 * Listener and Route conditions): the condition types, the standard reasons, and the shapes the
 * controller writes into each object's status. Pure data; the runtime writes it only when it
 * changes. `lastTransitionTime` is left to the writer, which keeps the previous time of a condition
 * whose status did not change (translate has no clock).
 * @module
 */
import type { ObjectRef } from '../../model.js';
import type { GatewayCondition, ListenerStatus, RouteParentStatus } from '../../sources/gateway-kinds.js';

/** The controllerName a GatewayClass names to be ours. */
export const GATEWAY_CONTROLLER_NAME = 'ingress-bridge.io/gateway-controller';

export const REASON = {
  accepted: 'Accepted',
  programmed: 'Programmed',
  resolvedRefs: 'ResolvedRefs',
  pending: 'Pending',
  invalid: 'Invalid',
  invalidParameters: 'InvalidParameters',
  supportedVersion: 'SupportedVersion',
  unsupportedAddress: 'UnsupportedAddress',
  listenersNotValid: 'ListenersNotValid',
  unsupportedProtocol: 'UnsupportedProtocol',
  invalidCertificateRef: 'InvalidCertificateRef',
  invalidRouteKinds: 'InvalidRouteKinds',
  refNotPermitted: 'RefNotPermitted',
  protocolConflict: 'ProtocolConflict',
  hostnameConflict: 'HostnameConflict',
  noConflicts: 'NoConflicts',
  notAllowedByListeners: 'NotAllowedByListeners',
  noMatchingListenerHostname: 'NoMatchingListenerHostname',
  noMatchingParent: 'NoMatchingParent',
  unsupportedValue: 'UnsupportedValue',
  backendNotFound: 'BackendNotFound',
  invalidKind: 'InvalidKind',
} as const;

export function condition(type: string, ok: boolean, reason: string, message: string, generation: number | undefined): GatewayCondition {
  return { type, status: ok ? 'True' : 'False', reason, message, ...(generation !== undefined && { observedGeneration: generation }) };
}

export interface GatewayClassStatusEntry {
  ref: ObjectRef;
  conditions: GatewayCondition[];
}

export interface GatewayStatusEntry {
  ref: ObjectRef;
  /** The stack the Gateway is (its load balancer's id), to join the apply result's address. */
  stackId: string;
  generation?: number;
  conditions: GatewayCondition[];
  listeners: ListenerStatus[];
}

export interface RouteStatusEntry {
  ref: ObjectRef;
  parents: RouteParentStatus[];
}

/** The status of every Gateway API object ingress-bridge is responsible for, as translate sees it. */
export interface GatewayApiStatus {
  gatewayClasses: GatewayClassStatusEntry[];
  gateways: GatewayStatusEntry[];
  routes: RouteStatusEntry[];
}

/**
 * A Gateway's status once the load balancer's fate is known: Programmed with the address once it
 * serves; Pending while it has none (plan, or before the first apply); False when it failed.
 */
export function withProgramming(
  entry: GatewayStatusEntry,
  outcome: { address?: string; addressType?: 'Hostname' | 'IPAddress'; error?: string },
): GatewayStatusEntry & { addresses: { type: string; value: string }[] } {
  const accepted = entry.conditions.find((entry) => entry.type === 'Accepted')?.status === 'True';
  const programmed = !accepted
    ? condition('Programmed', false, REASON.invalid, 'the Gateway is not accepted', entry.generation)
    : outcome.error !== undefined
      ? condition('Programmed', false, REASON.invalid, `the load balancer could not be programmed: ${outcome.error}`, entry.generation)
      : outcome.address !== undefined
        ? condition('Programmed', true, REASON.programmed, `served by load balancer at ${outcome.address}`, entry.generation)
        : condition('Programmed', false, REASON.pending, 'the load balancer has no address yet', entry.generation);
  const listenerProgrammed = (listener: ListenerStatus): ListenerStatus => {
    const listenerAccepted = listener.conditions.every((entry) => entry.type !== 'Accepted' || entry.status === 'True');
    const refs = listener.conditions.every((entry) => entry.type !== 'ResolvedRefs' || entry.status === 'True');
    const ok = programmed.status === 'True' && listenerAccepted && refs;
    const reason = ok ? REASON.programmed : listenerAccepted && refs ? programmed.reason : REASON.invalid;
    const message = ok ? 'the listener is served' : listenerAccepted && refs ? programmed.message : 'the listener is not valid, so it is not served';
    return {
      ...listener,
      conditions: [...listener.conditions.filter((entry) => entry.type !== 'Programmed'), condition('Programmed', ok, reason, message, entry.generation)],
    };
  };
  return {
    ...entry,
    conditions: [...entry.conditions.filter((entry) => entry.type !== 'Programmed'), programmed],
    listeners: entry.listeners.map(listenerProgrammed),
    addresses: outcome.address === undefined ? [] : [{ type: outcome.addressType ?? 'Hostname', value: outcome.address }],
  };
}

/** What the controller writes into one object's `status`. */
export interface StatusDocument {
  kind: 'GatewayClass' | 'Gateway' | 'HTTPRoute' | 'GRPCRoute';
  namespace?: string;
  name: string;
  status: Record<string, unknown>;
}

/**
 * The status of every Gateway API object of ours, as written: each Gateway with what became of its
 * load balancer (`outcomeOf`: undefined while nothing is applied, as in `plan`), each route with its
 * parents of ours.
 */
export function statusDocuments(
  status: GatewayApiStatus,
  outcomeOf: (stackId: string) => { address?: string; addressType?: 'Hostname' | 'IPAddress'; error?: string } | undefined,
): StatusDocument[] {
  const documents: StatusDocument[] = [];
  for (const entry of status.gatewayClasses) documents.push({ kind: 'GatewayClass', name: entry.ref.name, status: { conditions: entry.conditions } });
  for (const entry of status.gateways) {
    const programmed = withProgramming(entry, outcomeOf(entry.stackId) ?? {});
    documents.push({
      kind: 'Gateway',
      ...(entry.ref.namespace !== undefined && { namespace: entry.ref.namespace }),
      name: entry.ref.name,
      status: { addresses: programmed.addresses, conditions: programmed.conditions, listeners: programmed.listeners },
    });
  }
  for (const entry of status.routes) {
    documents.push({
      kind: entry.ref.kind as 'HTTPRoute' | 'GRPCRoute',
      ...(entry.ref.namespace !== undefined && { namespace: entry.ref.namespace }),
      name: entry.ref.name,
      status: { parents: entry.parents },
    });
  }
  return documents;
}
