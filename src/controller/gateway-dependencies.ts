/**
 * Which Gateways a change affects, by stack id: a Gateway itself; every Gateway of a GatewayClass;
 * the Gateways a route names in its parentRefs, before and after the change (a route that moves
 * must leave the old one); for a ReferenceGrant, a Service or a Secret, the Gateways whose routes or
 * listeners may refer to it. Routes are scanned rather than indexed: Gateways and routes are few
 * beside Ingresses, and the scan reads only the Snapshot. Pure.
 * @module
 */
import { isDeepStrictEqual } from 'node:util';
import type { V1ObjectMeta } from '@kubernetes/client-node';
import type { Gateway, GatewayKind, GRPCRoute, HTTPRoute, ParentReference } from '../sources/gateway-kinds.js';
import { GATEWAY_API_GROUP } from '../sources/gateway-kinds.js';
import type { SnapshotView } from '../sources/snapshot.js';
import type { SourceChange } from '../sources/source-change.js';
import { gatewayStackId } from '../translate/gateway/keys.js';

function gatewayKey(gateway: Gateway): string {
  return gatewayStackId(gateway.metadata?.namespace ?? 'default', gateway.metadata?.name ?? '');
}

function parentKeys(route: HTTPRoute | GRPCRoute): string[] {
  const namespace = route.metadata?.namespace ?? 'default';
  return (route.spec?.parentRefs ?? [])
    .filter((parent: ParentReference) => (parent.group ?? GATEWAY_API_GROUP) === GATEWAY_API_GROUP && (parent.kind ?? 'Gateway') === 'Gateway')
    .map((parent) => gatewayStackId(parent.namespace ?? namespace, parent.name ?? ''));
}

function allRoutes(snapshot: SnapshotView): (HTTPRoute | GRPCRoute)[] {
  return [...snapshot.httpRoutes(), ...snapshot.grpcRoutes()];
}

/** A change of a Gateway API kind (the dependency index hands the others to their own lookups). */
export function gatewaysAffectedBy(change: Extract<SourceChange, { kind: GatewayKind }>, snapshot: SnapshotView): string[] {
  // Our own status writes come back as updates: they change nothing translate reads.
  if (change.type === 'update' && change.previous && !readFieldsChanged(change.previous, change.object)) return [];
  switch (change.kind) {
    case 'Gateway':
      return [gatewayKey(change.object)];
    case 'GatewayClass': {
      const name = change.object.metadata?.name;
      return snapshot
        .gateways()
        .filter((gateway) => gateway.spec?.gatewayClassName === name)
        .map(gatewayKey);
    }
    case 'HTTPRoute':
    case 'GRPCRoute':
      return [...new Set([...parentKeys(change.object), ...(change.previous ? parentKeys(change.previous) : [])])];
    case 'ReferenceGrant':
      // A grant can admit a backend of any route, or a certificate of any listener, that points into its namespace.
      return snapshot.gateways().map(gatewayKey);
  }
}

/** What translate reads of a Gateway API object: its spec, annotations (load-balancer settings), creation time and deletion. */
function readFieldsChanged(before: { spec?: unknown; metadata?: V1ObjectMeta }, after: { spec?: unknown; metadata?: V1ObjectMeta }): boolean {
  const read = (object: { spec?: unknown; metadata?: V1ObjectMeta }): unknown => [
    object.spec,
    object.metadata?.annotations,
    object.metadata?.generation,
    object.metadata?.creationTimestamp,
    object.metadata?.deletionTimestamp,
  ];
  return !isDeepStrictEqual(read(before), read(after));
}

/** Gateways whose routes name the Service (in its namespace or, granted or not, from another). */
export function gatewaysUsingService(snapshot: SnapshotView, namespace: string, name: string): string[] {
  if (name === '') return [];
  const keys = allRoutes(snapshot)
    .filter((route) =>
      (route.spec?.rules ?? []).some((rule) =>
        (rule.backendRefs ?? []).some((ref) => ref.name === name && (ref.namespace ?? route.metadata?.namespace ?? 'default') === namespace),
      ),
    )
    .flatMap(parentKeys);
  return [...new Set(keys)];
}

/** Gateways whose listeners name the Secret. */
export function gatewaysUsingSecret(snapshot: SnapshotView, namespace: string, name: string): string[] {
  return snapshot
    .gateways()
    .filter((gateway) =>
      (gateway.spec?.listeners ?? []).some((listener) =>
        (listener.tls?.certificateRefs ?? []).some((ref) => ref.name === name && (ref.namespace ?? gateway.metadata?.namespace ?? 'default') === namespace),
      ),
    )
    .map(gatewayKey);
}
