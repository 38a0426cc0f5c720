/**
 * The Gateway API translator: Snapshot → one LoadBalancerSpec per Gateway of a GatewayClass whose
 * controllerName is ours, plus the status the specification asks for on every GatewayClass, Gateway
 * and Route concerned. Pure, like the Ingress translator, whose target, certificate, limit and
 * naming code it shares, and it yields the same TranslateResult, so the runtimes serve both alike.
 *
 * Per Gateway, in order: its annotations over its class's, its listeners (listeners.ts), whether
 * it is accepted (acceptance.ts), the routes attached to it (attachment.ts), and its load balancer
 * (stack.ts), whose rules follow the specification's precedence (precedence.ts).
 * @module
 */
import type { Diagnostic, ObjectRef } from '../../model.js';
import type { Gateway, GatewayClass, ListenerStatus } from '../../sources/gateway-kinds.js';
import type { SnapshotView } from '../../sources/snapshot.js';
import { parseIngressAnnotations } from '../annotations.js';
import type { TranslateOptions } from '../options.js';
import { withDisposition, type TranslateResult } from '../result.js';
import { gatewayAcceptance } from './acceptance.js';
import { attachRoutes } from './attachment.js';
import { translateWithinBoundary, type TranslatedGateway } from './boundaries.js';
import { ourGatewayClasses } from './classes.js';
import { gatewayStackId } from './keys.js';
import { buildListenerViews } from './listeners.js';
import type { RouteContext, RouteSource } from './compiled.js';
import { assembleGatewayStack } from './stack.js';
import type { GatewayApiStatus, GatewayStatusEntry, RouteStatusEntry } from './status.js';
import { compareText } from '../compare-text.js';

export { gatewayOfStackId, gatewayStackId, isGatewayStackId } from './keys.js';
export { GATEWAY_CONTROLLER_NAME, withProgramming, type GatewayApiStatus } from './status.js';

export interface GatewayTranslation {
  results: TranslateResult[];
  status: GatewayApiStatus;
}

/** Every Gateway of our classes, and the status of every Gateway API object that concerns us. */
export function translateGateways(snapshot: SnapshotView, options: TranslateOptions): GatewayTranslation {
  const classes = ourGatewayClasses(snapshot);
  const status: GatewayApiStatus = { gatewayClasses: classes.statuses, gateways: [], routes: [] };
  const routes = routeSources(snapshot);
  const routeStatus = new Map<string, RouteStatusEntry>();
  const results: TranslateResult[] = [];
  const gateways = snapshot.gateways().filter((gateway) => classes.accepted.has(gateway.spec?.gatewayClassName ?? '') && !gateway.metadata?.deletionTimestamp);
  for (const gateway of sortByName(gateways)) {
    const gatewayClass = classes.accepted.get(gateway.spec?.gatewayClassName ?? '') as GatewayClass;
    const translated = translateWithinBoundary(gateway, () => translateOneGateway(snapshot, gateway, gatewayClass, routes, options, routeStatus));
    results.push(translated.result);
    status.gateways.push(translated.status);
  }
  status.routes = [...routeStatus.values()];
  return { results, status };
}

/** One Gateway by its stack id; a Gateway that is gone or not ours yields no spec (its load balancer goes). */
export function translateGatewayStack(snapshot: SnapshotView, stackId: string, options: TranslateOptions): TranslateResult {
  const found = translateGateways(snapshot, options).results.find((result) => result.stackId === stackId);
  return found ?? withDisposition({ stackId, diagnostics: [], members: [], leftOut: [] }, false);
}

function sortByName<T extends { metadata?: { namespace?: string; name?: string } }>(objects: readonly T[]): T[] {
  const key = (object: T): string => `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
  return [...objects].sort((a, b) => compareText(key(a), key(b)));
}

function routeSources(snapshot: SnapshotView): RouteSource[] {
  return [
    ...sortByName(snapshot.httpRoutes()).map((route) => ({ kind: 'HTTPRoute' as const, route })),
    ...sortByName(snapshot.grpcRoutes()).map((route) => ({ kind: 'GRPCRoute' as const, route })),
  ];
}

function translateOneGateway(
  snapshot: SnapshotView,
  gateway: Gateway,
  gatewayClass: GatewayClass,
  routes: readonly RouteSource[],
  options: TranslateOptions,
  routeStatus: Map<string, RouteStatusEntry>,
): TranslatedGateway {
  const namespace = gateway.metadata?.namespace ?? 'default';
  const name = gateway.metadata?.name ?? '';
  const ref: ObjectRef = { kind: 'Gateway', namespace, name };
  const stackId = gatewayStackId(namespace, name);
  const generation = gateway.metadata?.generation;
  const diagnostics: Diagnostic[] = [];
  // The GatewayClass's annotations are the defaults, the Gateway's win: one schema with the Ingress's.
  const written = { ...gatewayClass.metadata?.annotations, ...gateway.metadata?.annotations };
  const annotations = parseIngressAnnotations(written, ref);
  diagnostics.push(...annotations.diagnostics);
  const listeners = buildListenerViews(snapshot, gateway, ref, options, diagnostics);
  const acceptance = gatewayAcceptance(gateway, ref, annotations.diagnostics, listeners);
  diagnostics.push(...acceptance.diagnostics);

  const context: RouteContext = {
    snapshot,
    limits: options.limits,
    clusterName: options.clusterName,
    stackId,
    defaultTargetType: annotations.value.targetType ?? options.defaultTargetType,
    settings: annotations.value,
    settingsHolder: { kind: 'Gateway', object: { metadata: { name, namespace, annotations: { ...written } } } },
  };
  const attached = attachRoutes(snapshot, routes, { namespace, name }, listeners, acceptance.accepted, context, routeStatus);
  diagnostics.push(...attached.diagnostics);

  const status: GatewayStatusEntry = {
    ref,
    stackId,
    ...(generation !== undefined && { generation }),
    conditions: [acceptance.condition],
    listeners: listeners.map((listener): ListenerStatus => ({
      name: listener.name,
      supportedKinds: listener.supportedKinds,
      attachedRoutes: listener.attachedRoutes,
      conditions: listener.conditions,
    })),
  };
  const held = (): TranslatedGateway => ({ result: withDisposition({ stackId, diagnostics, members: [], leftOut: [] }, true), status });
  if (!acceptance.accepted) return held();
  const stack = assembleGatewayStack({ ref, stackId, generation, settings: annotations.value, options, listeners, attachments: attached.attachments });
  diagnostics.push(...stack.diagnostics);
  if (!stack.ok) {
    status.conditions = [stack.refusal];
    return held();
  }
  return { result: withDisposition({ stackId, spec: stack.spec, diagnostics, members: [], leftOut: [] }, false), status };
}
