/**
 * Routes → the listeners of one Gateway they attach to (API reference, "Attaching Routes to
 * Gateways"): a parentRef names the Gateway, and optionally a listener by sectionName or port; the
 * listener must be usable, allow the route's kind and namespace, and share a hostname with it. Each
 * parentRef gets the Accepted, ResolvedRefs and (when some rule is refused) PartiallyInvalid
 * conditions of the route's status.
 * @module
 */
import type { Diagnostic } from '../../model.js';
import type { GatewayCondition, GRPCRoute, HTTPRoute, ParentReference } from '../../sources/gateway-kinds.js';
import { GATEWAY_API_GROUP } from '../../sources/gateway-kinds.js';
import type { SnapshotView } from '../../sources/snapshot.js';
import { diagnostic } from '../diagnostics.js';
import { namespaceLabels, selectorMatches } from '../ingress-class-params.js';
import { compileWithinBoundary } from './boundaries.js';
import { effectiveHostnames, hostnameProblem } from './hostnames.js';
import type { ListenerView } from './listeners.js';
import type { CompiledRoute, RouteContext, RouteSource } from './compiled.js';
import { compileRoute } from './routes.js';
import { condition, GATEWAY_CONTROLLER_NAME, REASON, type RouteStatusEntry } from './status.js';

/** A route served on one listener, for the hostnames they share (undefined: every host). */
export interface Attachment {
  route: CompiledRoute;
  listener: ListenerView;
  hostnames: (string | undefined)[];
}

export interface GatewayRef {
  namespace: string;
  name: string;
}

/**
 * Every route whose parentRefs name this Gateway, compiled and attached; each parentRef's status is
 * added to `routeStatus` (a route may name several Gateways), and each listener counts its routes.
 */
export function attachRoutes(
  snapshot: SnapshotView,
  routes: readonly RouteSource[],
  gateway: GatewayRef,
  listeners: readonly ListenerView[],
  gatewayAccepted: boolean,
  context: RouteContext,
  routeStatus: Map<string, RouteStatusEntry>,
): { attachments: Attachment[]; diagnostics: Diagnostic[] } {
  const attachments: Attachment[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const source of routes) {
    const parents = (source.route.spec?.parentRefs ?? [])
      .map((parent, index) => ({ parent, index }))
      .filter(({ parent }) => refersTo(parent, source.route, gateway));
    if (parents.length === 0) continue;
    const compiled = compileWithinBoundary(source, () => compileRoute(source.kind, source.route, context, hostnameProblem));
    diagnostics.push(...compiled.diagnostics);
    for (const { parent, index } of parents) {
      const outcome = attach(snapshot, compiled, parent, `spec.parentRefs[${index}]`, listeners, gatewayAccepted);
      attachments.push(...outcome.attachments);
      diagnostics.push(...outcome.diagnostics);
      const key = `${source.kind}/${compiled.namespace}/${compiled.ref.name}`;
      const entry = routeStatus.get(key) ?? { ref: compiled.ref, parents: [] };
      entry.parents.push({ parentRef: parent, controllerName: GATEWAY_CONTROLLER_NAME, conditions: outcome.conditions(source.route.metadata?.generation) });
      routeStatus.set(key, entry);
    }
  }
  for (const attachment of attachments) attachment.listener.attachedRoutes++;
  return { attachments, diagnostics };
}

/** Whether a parentRef names this Gateway (group and kind default to Gateway's, namespace to the route's). */
function refersTo(parent: ParentReference, route: HTTPRoute | GRPCRoute, gateway: GatewayRef): boolean {
  return (
    (parent.group ?? GATEWAY_API_GROUP) === GATEWAY_API_GROUP &&
    (parent.kind ?? 'Gateway') === 'Gateway' &&
    (parent.namespace ?? route.metadata?.namespace ?? 'default') === gateway.namespace &&
    parent.name === gateway.name
  );
}

interface AttachOutcome {
  attachments: Attachment[];
  diagnostics: Diagnostic[];
  conditions: (generation: number | undefined) => GatewayCondition[];
}

/** One parentRef of a route against this Gateway's listeners, with the Accepted and ResolvedRefs conditions the specification asks for. */
function attach(
  snapshot: SnapshotView,
  route: CompiledRoute,
  parent: ParentReference,
  field: string,
  listeners: readonly ListenerView[],
  gatewayAccepted: boolean,
): AttachOutcome {
  const diagnostics: Diagnostic[] = [];
  const refused = (reason: string, message: string): AttachOutcome => {
    diagnostics.push(diagnostic(route.ref, field, 'error', message));
    return {
      attachments: [],
      diagnostics,
      conditions: (generation) => [condition('Accepted', false, reason, message, generation), resolvedRefs(route, generation)],
    };
  };
  if (!gatewayAccepted) return refused(REASON.noMatchingParent, `Gateway ${parent.namespace ?? route.namespace}/${parent.name ?? ''} is not accepted`);
  let candidates = listeners.filter((listener) => listener.usable);
  if (parent.sectionName !== undefined) candidates = candidates.filter((listener) => listener.name === parent.sectionName);
  if (parent.port !== undefined) candidates = candidates.filter((listener) => listener.port === parent.port);
  if (candidates.length === 0) {
    const what = [parent.sectionName !== undefined && `named ${parent.sectionName}`, parent.port !== undefined && `on port ${parent.port}`]
      .filter(Boolean)
      .join(' ');
    return refused(REASON.noMatchingParent, `the Gateway has no valid listener${what ? ` ${what}` : ''}`);
  }
  const allowed = candidates.filter((listener) => allowsRoute(snapshot, listener, route));
  if (allowed.length === 0) return refused(REASON.notAllowedByListeners, `no listener of the Gateway allows ${route.kind}s from namespace ${route.namespace}`);
  const attachments = allowed.flatMap((listener): Attachment[] => {
    const hostnames = effectiveHostnames(listener.hostname, route.hostnames);
    return hostnames.length > 0 ? [{ route, listener, hostnames }] : [];
  });
  if (attachments.length === 0)
    return refused(REASON.noMatchingListenerHostname, `no hostname of the route intersects the hostname of a listener that allows it`);
  const accepted = route.problems.find((problem) => problem.condition === 'Accepted');
  if (accepted)
    return {
      attachments: [],
      diagnostics,
      conditions: (generation) => [condition('Accepted', false, accepted.reason, accepted.message, generation), resolvedRefs(route, generation)],
    };
  const partial = route.problems.filter((problem) => problem.condition === 'PartiallyInvalid');
  return {
    attachments,
    diagnostics,
    conditions: (generation) => [
      condition(
        'Accepted',
        true,
        REASON.accepted,
        `attached to listener${attachments.length > 1 ? 's' : ''} ${attachments.map((entry) => entry.listener.name).join(', ')}`,
        generation,
      ),
      resolvedRefs(route, generation),
      ...(partial.length > 0
        ? [
            {
              ...condition(
                'PartiallyInvalid',
                true,
                partial[0]?.reason ?? REASON.unsupportedValue,
                partial.map((entry) => entry.message).join('; '),
                generation,
              ),
            },
          ]
        : []),
    ],
  };
}

function resolvedRefs(route: CompiledRoute, generation: number | undefined): GatewayCondition {
  const problems = route.problems.filter((problem) => problem.condition === 'ResolvedRefs');
  const [first] = problems;
  return first
    ? condition('ResolvedRefs', false, first.reason, problems.map((entry) => entry.message).join('; '), generation)
    : condition('ResolvedRefs', true, REASON.resolvedRefs, 'every backend reference resolves', generation);
}

function allowsRoute(snapshot: SnapshotView, listener: ListenerView, route: CompiledRoute): boolean {
  if (!listener.supportedKinds.some((kind) => kind.kind === route.kind)) return false;
  const namespaces = listener.listener.allowedRoutes?.namespaces;
  const from = namespaces?.from ?? 'Same';
  if (from === 'All') return true;
  if (from === 'Same') return route.namespace === listener.gatewayNamespace;
  if (from === 'Selector') return namespaces?.selector !== undefined && selectorMatches(namespaces.selector, namespaceLabels(snapshot, route.namespace));
  return false;
}
