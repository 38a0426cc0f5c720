/**
 * Writes to Gateway API objects: our finalizer on each Gateway whose load balancer exists (so a
 * Gateway deleted while no controller runs still has its load balancer deleted), and status
 * (translate/gateway/status.ts): the GatewayClasses of
 * ours, each Gateway with what became of its load balancer, and each route's parents of ours (the
 * parents other controllers wrote are kept). Only the leader writes, and only what changed: a
 * condition keeps its lastTransitionTime while its status stays, so an unchanged status compares
 * equal and costs no request. Merge patches of the status subresource.
 * @module
 */
import { isDeepStrictEqual } from 'node:util';
import type { LoadBalancerAddress } from '../provider.js';
import type { KubeClient } from '../sources/kube-http.js';
import type { Gateway, GatewayCondition, RouteParentStatus } from '../sources/gateway-kinds.js';
import { FINALIZER } from './ingress-writer.js';
import { GATEWAY_API_GROUP } from '../sources/gateway-kinds.js';
import type { SnapshotView } from '../sources/snapshot.js';
import { statusDocuments, type GatewayApiStatus, type StatusDocument } from '../translate/gateway/status.js';
import { GATEWAY_CONTROLLER_NAME } from '../translate/gateway/status.js';
import { gatewayOfStackId } from '../translate/gateway/keys.js';

const PLURALS: Record<StatusDocument['kind'], string> = {
  GatewayClass: 'gatewayclasses',
  Gateway: 'gateways',
  HTTPRoute: 'httproutes',
  GRPCRoute: 'grpcroutes',
};

export interface GatewayStatusWriter {
  /** Replaces the object's status (a merge patch of `status`). */
  patchStatus(document: StatusDocument): Promise<void>;
  /** Sets the Gateway's finalizers (with the resourceVersion it was computed from: a stale one gets 409 and the reconcile runs again). */
  patchFinalizers(gateway: Gateway, finalizers: string[]): Promise<void>;
}

export function hasGatewayFinalizer(gateway: Gateway): boolean {
  return gateway.metadata?.finalizers?.includes(FINALIZER) ?? false;
}

/** Adds (true) or removes (false) our finalizer where that changes something; returns whether it wrote. */
export async function setGatewayFinalizer(writer: GatewayStatusWriter, gateway: Gateway, wanted: boolean): Promise<boolean> {
  if (hasGatewayFinalizer(gateway) === wanted) return false;
  const others = (gateway.metadata?.finalizers ?? []).filter((finalizer) => finalizer !== FINALIZER);
  await writer.patchFinalizers(gateway, wanted ? [...others, FINALIZER] : others);
  return true;
}

export function kubeGatewayStatusWriter(client: KubeClient): GatewayStatusWriter {
  const pathOf = (plural: string, namespace: string | undefined, name: string): string =>
    `/apis/${GATEWAY_API_GROUP}/v1${namespace === undefined ? '' : `/namespaces/${encodeURIComponent(namespace)}`}/${plural}/${encodeURIComponent(name)}`;
  return {
    async patchFinalizers(gateway, finalizers) {
      const body = { metadata: { finalizers, resourceVersion: gateway.metadata?.resourceVersion } };
      await client.patch(pathOf('gateways', gateway.metadata?.namespace ?? 'default', gateway.metadata?.name ?? ''), 'merge', body);
    },
    async patchStatus(document) {
      await client.patch(`${pathOf(PLURALS[document.kind], document.namespace, document.name)}/status`, 'merge', { status: document.status });
    },
  };
}

/** What a reconcile of one Gateway's load balancer came to. */
export interface GatewayOutcome {
  address?: LoadBalancerAddress;
  error?: string;
}

/**
 * The documents to write after a Gateway's reconcile: the GatewayClasses, that Gateway, and the
 * routes with a parent of ours, each carrying lastTransitionTime from the object as the cluster
 * holds it where a condition's status did not change; those equal to the current status are left out.
 */
export function statusWrites(snapshot: SnapshotView, status: GatewayApiStatus, stackId: string, outcome: GatewayOutcome, now: Date): StatusDocument[] {
  const documents = statusDocuments(status, (id) =>
    id === stackId
      ? {
          ...(outcome.address?.hostname !== undefined && { address: outcome.address.hostname.toLowerCase(), addressType: 'Hostname' as const }),
          ...(outcome.address?.hostname === undefined &&
            outcome.address?.ip !== undefined && { address: outcome.address.ip, addressType: 'IPAddress' as const }),
          ...(outcome.error !== undefined && { error: outcome.error }),
        }
      : undefined,
  );
  const gateway = status.gateways.find((entry) => entry.stackId === stackId);
  const routesOfGateway = new Set(
    status.routes
      .filter((entry) =>
        entry.parents.some(
          (parent) => (parent.parentRef.namespace ?? entry.ref.namespace) === gateway?.ref.namespace && parent.parentRef.name === gateway?.ref.name,
        ),
      )
      .map((entry) => `${entry.ref.kind}/${entry.ref.namespace ?? ''}/${entry.ref.name}`),
  );
  // Routes that still carry an entry of ours for the reconciled Gateway (deleted, of another class,
  // or no longer named) while translate gives them none for it: their status must lose that entry.
  // A route translate leaves out altogether gets a document with no parents of ours.
  const named = gatewayOfStackId(stackId);
  if (named) {
    for (const route of staleRoutes(snapshot, named)) {
      const key = `${route.kind}/${route.namespace}/${route.name}`;
      if (routesOfGateway.has(key)) continue;
      routesOfGateway.add(key);
      if (!documents.some((document) => `${document.kind}/${document.namespace ?? ''}/${document.name}` === key))
        documents.push({ ...route, status: { parents: [] } });
    }
  }
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const writes: StatusDocument[] = [];
  for (const document of documents) {
    const key = `${document.kind}/${document.namespace ?? ''}/${document.name}`;
    const concerned =
      document.kind === 'GatewayClass' ||
      (document.kind === 'Gateway' && document.namespace === gateway?.ref.namespace && document.name === gateway?.ref.name) ||
      routesOfGateway.has(key);
    if (!concerned) continue;
    const current = currentStatus(snapshot, document);
    const wanted = stampTransitions(document, current, stamp);
    if (!isDeepStrictEqual(normalize(wanted.status), normalize(current ?? {}))) writes.push(wanted);
  }
  return writes;
}

/** The routes whose status holds a parent entry of our controller that names this Gateway. */
function staleRoutes(
  snapshot: SnapshotView,
  gateway: { namespace: string; name: string },
): { kind: 'HTTPRoute' | 'GRPCRoute'; namespace: string; name: string }[] {
  const routes = [
    ...snapshot.httpRoutes().map((route) => ({ kind: 'HTTPRoute' as const, route })),
    ...snapshot.grpcRoutes().map((route) => ({ kind: 'GRPCRoute' as const, route })),
  ];
  return routes
    .filter(({ route }) =>
      (route.status?.parents ?? []).some(
        (entry) =>
          entry.controllerName === GATEWAY_CONTROLLER_NAME &&
          (entry.parentRef.group ?? GATEWAY_API_GROUP) === GATEWAY_API_GROUP &&
          (entry.parentRef.kind ?? 'Gateway') === 'Gateway' &&
          (entry.parentRef.namespace ?? route.metadata?.namespace ?? 'default') === gateway.namespace &&
          entry.parentRef.name === gateway.name,
      ),
    )
    .map(({ kind, route }) => ({ kind, namespace: route.metadata?.namespace ?? 'default', name: route.metadata?.name ?? '' }));
}

function currentStatus(snapshot: SnapshotView, document: StatusDocument): Record<string, unknown> | undefined {
  const object =
    document.kind === 'GatewayClass'
      ? snapshot.gatewayClasses().find((entry) => entry.metadata?.name === document.name)
      : document.kind === 'Gateway'
        ? snapshot.gateways().find((entry) => entry.metadata?.namespace === document.namespace && entry.metadata?.name === document.name)
        : (document.kind === 'HTTPRoute' ? snapshot.httpRoutes() : snapshot.grpcRoutes()).find(
            (entry) => entry.metadata?.namespace === document.namespace && entry.metadata?.name === document.name,
          );
  return object?.status as Record<string, unknown> | undefined;
}

/** Conditions whose status is unchanged keep their time; others get `stamp`. Routes keep other controllers' parents. */
function stampTransitions(document: StatusDocument, current: Record<string, unknown> | undefined, stamp: string): StatusDocument {
  const stampAll = (conditions: GatewayCondition[], before: GatewayCondition[] | undefined): GatewayCondition[] =>
    conditions.map((entry) => {
      const previous = before?.find((candidate) => candidate.type === entry.type);
      return { ...entry, lastTransitionTime: previous?.status === entry.status && previous.lastTransitionTime ? previous.lastTransitionTime : stamp };
    });
  const status = { ...document.status };
  if (Array.isArray(status.conditions))
    status.conditions = stampAll(status.conditions as GatewayCondition[], current?.conditions as GatewayCondition[] | undefined);
  if (Array.isArray(status.listeners)) {
    const before = (current?.listeners ?? []) as { name: string; conditions?: GatewayCondition[] }[];
    status.listeners = (status.listeners as { name: string; conditions: GatewayCondition[] }[]).map((listener) => ({
      ...listener,
      conditions: stampAll(listener.conditions, before.find((entry) => entry.name === listener.name)?.conditions),
    }));
  }
  if (Array.isArray(status.parents)) {
    const before = (current?.parents ?? []) as RouteParentStatus[];
    const ours = (status.parents as RouteParentStatus[]).map((parent) => ({
      ...parent,
      conditions: stampAll(
        parent.conditions,
        before.find((entry) => entry.controllerName === GATEWAY_CONTROLLER_NAME && isDeepStrictEqual(entry.parentRef, parent.parentRef))?.conditions,
      ),
    }));
    status.parents = [...before.filter((entry) => entry.controllerName !== GATEWAY_CONTROLLER_NAME), ...ours];
  }
  return { ...document, status };
}

/** JSON as the API server returns it: absent and undefined fields are the same. */
function normalize(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? {})) as unknown;
}
