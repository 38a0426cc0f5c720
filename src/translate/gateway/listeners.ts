/**
 * A Gateway's listeners, each checked as the specification asks (API reference, Listener): a
 * protocol the load balancer speaks, a valid hostname, route kinds we serve, TLS terminated with
 * certificates that resolve, and no conflict with another listener of its port. Each keeps its
 * Accepted, ResolvedRefs and Conflicted conditions; only a usable one serves routes.
 * @module
 */
import type { CertificateSpec, Diagnostic, ObjectRef } from '../../model.js';
import type { Gateway, GatewayCondition, GatewayListener, RouteGroupKind } from '../../sources/gateway-kinds.js';
import { GATEWAY_API_GROUP } from '../../sources/gateway-kinds.js';
import type { SnapshotView } from '../../sources/snapshot.js';
import { diagnostic } from '../diagnostics.js';
import type { TranslateOptions } from '../options.js';
import { hostnameProblem } from './hostnames.js';
import { collectListenerCertificates } from './listener-certificates.js';
import type { RouteKind } from './compiled.js';
import { condition, REASON } from './status.js';

const ROUTE_KINDS: readonly RouteKind[] = ['HTTPRoute', 'GRPCRoute'];

export interface ListenerView {
  listener: GatewayListener;
  /** The Gateway's namespace, which `allowedRoutes.namespaces.from: Same` means. */
  gatewayNamespace: string;
  index: number;
  name: string;
  port: number;
  protocol: 'HTTP' | 'HTTPS';
  hostname?: string;
  supportedKinds: RouteGroupKind[];
  certificates: CertificateSpec[];
  conditions: GatewayCondition[];
  /** Accepted, not conflicted, references resolved: its routes are served. */
  usable: boolean;
  attachedRoutes: number;
}

interface ListenerProblem {
  reason: string;
  message: string;
}

export function buildListenerViews(
  snapshot: SnapshotView,
  gateway: Gateway,
  ref: ObjectRef,
  options: TranslateOptions,
  diagnostics: Diagnostic[],
): ListenerView[] {
  const namespace = ref.namespace ?? 'default';
  const generation = gateway.metadata?.generation;
  const views = (gateway.spec?.listeners ?? []).map((listener, index): ListenerView => {
    const field = `spec.listeners[${index}]`;
    const problem = (at: string, message: string): void => {
      diagnostics.push(diagnostic(ref, at, 'error', message));
    };
    const conditions: GatewayCondition[] = [];
    const view: ListenerView = {
      listener,
      gatewayNamespace: namespace,
      index,
      name: listener.name ?? `#${index}`,
      port: listener.port ?? 0,
      protocol: listener.protocol === 'HTTPS' ? 'HTTPS' : 'HTTP',
      supportedKinds: [],
      certificates: [],
      conditions,
      usable: true,
      attachedRoutes: 0,
    };
    let acceptedReason: ListenerProblem | undefined;
    let refsReason: ListenerProblem | undefined;
    if (listener.protocol !== 'HTTP' && listener.protocol !== 'HTTPS') {
      acceptedReason = {
        reason: REASON.unsupportedProtocol,
        message: `protocol ${listener.protocol ?? '(none)'} is not served: the load balancer speaks HTTP and HTTPS`,
      };
      problem(`${field}.protocol`, acceptedReason.message);
    }
    if (listener.hostname !== undefined) {
      const invalid = hostnameProblem(listener.hostname);
      if (invalid) {
        acceptedReason = { reason: REASON.invalid, message: invalid };
        problem(`${field}.hostname`, invalid);
      } else view.hostname = listener.hostname;
    }
    const requested = listener.allowedRoutes?.kinds;
    const kinds = requested ?? ROUTE_KINDS.map((kind) => ({ group: GATEWAY_API_GROUP, kind }));
    for (const kind of kinds) {
      if ((kind.group ?? GATEWAY_API_GROUP) === GATEWAY_API_GROUP && ROUTE_KINDS.includes(kind.kind as RouteKind))
        view.supportedKinds.push({ group: GATEWAY_API_GROUP, kind: kind.kind });
      else {
        refsReason = {
          reason: REASON.invalidRouteKinds,
          message: `route kind ${kind.group ? `${kind.group}/` : ''}${kind.kind ?? ''} is not supported (HTTPRoute and GRPCRoute are)`,
        };
        problem(`${field}.allowedRoutes.kinds`, refsReason.message);
      }
    }
    if (view.protocol === 'HTTPS' && acceptedReason === undefined) {
      if ((listener.tls?.mode ?? 'Terminate') !== 'Terminate') {
        acceptedReason = {
          reason: REASON.unsupportedProtocol,
          message: `TLS mode ${listener.tls?.mode ?? ''} is not served: the load balancer terminates TLS`,
        };
        problem(`${field}.tls.mode`, acceptedReason.message);
      } else {
        const collected = collectListenerCertificates(snapshot, listener, view.hostname, namespace, field, options.now);
        view.certificates.push(...collected.certificates);
        if (collected.problem) {
          refsReason = collected.problem;
          for (const message of collected.problem.all) problem(`${field}.tls.certificateRefs`, message);
        }
      }
    }
    view.usable = acceptedReason === undefined && (view.protocol === 'HTTP' || view.certificates.length > 0);
    conditions.push(conditionUnless('Accepted', acceptedReason, REASON.accepted, 'the listener is accepted', generation));
    conditions.push(conditionUnless('ResolvedRefs', refsReason, REASON.resolvedRefs, 'every reference resolves', generation));
    return view;
  });
  markConflicts(views, generation);
  return views;
}

/** A condition that holds unless a problem falsifies it, with the problem's reason and message. */
function conditionUnless(
  type: string,
  problem: ListenerProblem | undefined,
  reason: string,
  message: string,
  generation: number | undefined,
): GatewayCondition {
  return condition(type, problem === undefined, problem?.reason ?? reason, problem?.message ?? message, generation);
}

/** Listeners sharing a port must share its protocol, and must differ in hostname (API reference, Listener conflicts). */
function markConflicts(views: ListenerView[], generation: number | undefined): void {
  for (const view of views) {
    const samePort = views.filter((other) => other !== view && other.port === view.port);
    const protocolClash = samePort.some((other) => other.protocol !== view.protocol);
    const hostnameClash = !protocolClash && samePort.some((other) => other.index < view.index && other.hostname === view.hostname);
    const conflicted = protocolClash || hostnameClash;
    if (conflicted) view.usable = false;
    view.conditions.push(
      condition(
        'Conflicted',
        conflicted,
        protocolClash ? REASON.protocolConflict : hostnameClash ? REASON.hostnameConflict : REASON.noConflicts,
        protocolClash
          ? `another listener on port ${view.port} has another protocol`
          : hostnameClash
            ? `an earlier listener on port ${view.port} has the same hostname`
            : 'no conflicts',
        generation,
      ),
    );
  }
}
