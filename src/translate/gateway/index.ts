/**
 * The Gateway API translator: Snapshot → one LoadBalancerSpec per Gateway of a GatewayClass whose
 * controllerName is ours, plus the status the specification asks for on every GatewayClass, Gateway
 * and Route concerned. Pure, like the Ingress translator, whose target, certificate, limit and
 * naming code it shares, and it yields the same TranslateResult, so the runtimes serve both alike.
 *
 * Precedence (HTTPRoute and GRPCRoute reference), across every route attached to the listeners of
 * one port, continuing on ties: the most specific hostname (precise before wildcard, longer first);
 * an Exact path; a RegularExpression path (its place is implementation-specific: ours is between
 * Exact and PathPrefix); the longest PathPrefix; a method match; the most header matches; the most
 * query matches; then the oldest route (creationTimestamp), then namespace/name, then the rule and
 * match order inside the route. Rule priorities encode exactly that order.
 * @module
 */
import type {
  CertificateSpec,
  Condition,
  Diagnostic,
  FunctionTargetGroupSpec,
  ListenerSpec,
  LoadBalancerSpec,
  ObjectRef,
  RuleSpec,
  TargetGroupSpec,
} from '../../model.js';
import { functionTargetGroupsOf } from '../function-backends.js';
import type {
  Gateway,
  GatewayClass,
  GatewayCondition,
  GatewayListener,
  GRPCRoute,
  HTTPRoute,
  ListenerStatus,
  ParentReference,
  RouteGroupKind,
} from '../../sources/gateway-kinds.js';
import { GATEWAY_API_GROUP } from '../../sources/gateway-kinds.js';
import type { SnapshotView } from '../../sources/snapshot.js';
import { parseIngressAnnotations } from '../annotations.js';
import { escapeControls } from '../annotation-values.js';
import { diagnostic, hasErrors } from '../diagnostics.js';
import { creationTime } from '../groups.js';
import { namespaceLabels, selectorMatches } from '../ingress-class-params.js';
import { loadBalancerName } from '../naming.js';
import type { TranslateOptions } from '../options.js';
import { withDisposition, type TranslateResult } from '../result.js';
import { checkTlsSecret } from '../tls-secret.js';
import { effectiveHostnames, hostnameCondition, hostnameProblem, hostnameRank, intersectHostname } from './hostnames.js';
import { gatewayStackId } from './keys.js';
import { referenceGranted } from './reference-grants.js';
import { compileRoute, type CompiledMatch, type CompiledRoute, type CompiledRule, type RouteKind } from './routes.js';
import { condition, GATEWAY_CONTROLLER_NAME, REASON, type GatewayApiStatus, type GatewayStatusEntry, type RouteStatusEntry } from './status.js';

export { gatewayOfStackId, gatewayStackId, isGatewayStackId } from './keys.js';
export { GATEWAY_CONTROLLER_NAME, withProgramming, type GatewayApiStatus } from './status.js';

export interface GatewayTranslation {
  results: TranslateResult[];
  status: GatewayApiStatus;
}

const NOT_FOUND = { type: 'fixed-response', statusCode: '404', contentType: 'text/plain', messageBody: 'Not Found' } as const;
const ROUTE_KINDS: readonly RouteKind[] = ['HTTPRoute', 'GRPCRoute'];

interface ListenerView {
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

interface Attachment {
  route: CompiledRoute;
  listener: ListenerView;
  hostnames: (string | undefined)[];
}

/** Every Gateway of our classes, and the status of every Gateway API object that concerns us. */
export function translateGateways(snapshot: SnapshotView, options: TranslateOptions): GatewayTranslation {
  const status: GatewayApiStatus = { gatewayClasses: [], gateways: [], routes: [] };
  const classes = new Map<string, GatewayClass>();
  for (const gatewayClass of snapshot.gatewayClasses()) {
    if (gatewayClass.spec?.controllerName !== GATEWAY_CONTROLLER_NAME) continue;
    const name = gatewayClass.metadata?.name ?? '';
    const generation = gatewayClass.metadata?.generation;
    const parametersRef = gatewayClass.spec.parametersRef;
    const accepted = parametersRef
      ? condition(
          'Accepted',
          false,
          REASON.invalidParameters,
          'parametersRef is not supported: set load-balancer settings as ingress-bridge.io/ annotations on the GatewayClass or the Gateway',
          generation,
        )
      : condition('Accepted', true, REASON.accepted, 'the GatewayClass is served by ingress-bridge', generation);
    status.gatewayClasses.push({
      ref: { kind: 'GatewayClass', name },
      conditions: [accepted, condition('SupportedVersion', true, REASON.supportedVersion, 'the Gateway API version is supported', generation)],
    });
    if (!parametersRef) classes.set(name, gatewayClass);
  }
  const routes = compileRoutes(snapshot);
  const routeStatus = new Map<string, RouteStatusEntry>();
  const results: TranslateResult[] = [];
  const gateways = snapshot.gateways().filter((gateway) => classes.has(gateway.spec?.gatewayClassName ?? '') && !gateway.metadata?.deletionTimestamp);
  for (const gateway of sortByName(gateways)) {
    const gatewayClass = classes.get(gateway.spec?.gatewayClassName ?? '') as GatewayClass;
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
  return [...objects].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

interface RouteSource {
  kind: RouteKind;
  route: HTTPRoute | GRPCRoute;
}

function compileRoutes(snapshot: SnapshotView): RouteSource[] {
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
): { result: TranslateResult; status: GatewayStatusEntry } {
  const namespace = gateway.metadata?.namespace ?? 'default';
  const name = gateway.metadata?.name ?? '';
  const ref: ObjectRef = { kind: 'Gateway', namespace, name };
  const stackId = gatewayStackId(namespace, name);
  const generation = gateway.metadata?.generation;
  const diagnostics: Diagnostic[] = [];
  // The GatewayClass's annotations are the defaults, the Gateway's win: one schema with the Ingress's.
  const annotations = parseIngressAnnotations({ ...gatewayClass.metadata?.annotations, ...gateway.metadata?.annotations }, ref);
  diagnostics.push(...annotations.diagnostics);
  const listeners = buildListenerViews(snapshot, gateway, ref, options, diagnostics);
  const gatewayConditions: GatewayCondition[] = [];
  let accepted = true;
  if (hasErrors(annotations.diagnostics)) {
    accepted = false;
    const first = annotations.diagnostics.find((entry) => entry.severity === 'error');
    gatewayConditions.push(
      condition('Accepted', false, REASON.invalidParameters, `${first?.field ?? 'metadata.annotations'}: ${first?.message ?? ''}`, generation),
    );
  } else if ((gateway.spec?.addresses ?? []).length > 0) {
    accepted = false;
    diagnostics.push(diagnostic(ref, 'spec.addresses', 'error', 'spec.addresses cannot be honoured: the cloud assigns the load balancer its address'));
    gatewayConditions.push(
      condition('Accepted', false, REASON.unsupportedAddress, 'spec.addresses cannot be honoured: the cloud assigns the load balancer its address', generation),
    );
  } else if (listeners.length > 0 && listeners.every((listener) => !listener.usable)) {
    accepted = false;
    gatewayConditions.push(condition('Accepted', false, REASON.listenersNotValid, 'no listener of the Gateway is valid', generation));
  } else {
    const invalid = listeners.filter((listener) => !listener.usable).map((listener) => listener.name);
    gatewayConditions.push(
      condition(
        'Accepted',
        true,
        invalid.length > 0 ? REASON.listenersNotValid : REASON.accepted,
        invalid.length > 0 ? `listeners not valid: ${invalid.join(', ')}` : 'the Gateway is accepted',
        generation,
      ),
    );
  }

  const context = {
    snapshot,
    limits: options.limits,
    clusterName: options.clusterName,
    stackId,
    defaultTargetType: annotations.value.targetType ?? options.defaultTargetType,
    settings: annotations.value,
    settingsHolder: {
      kind: 'Gateway',
      object: { metadata: { name, namespace, annotations: { ...gatewayClass.metadata?.annotations, ...gateway.metadata?.annotations } } },
    },
  };
  const attachments: Attachment[] = [];
  for (const source of routes) {
    const parents = (source.route.spec?.parentRefs ?? [])
      .map((parent, index) => ({ parent, index }))
      .filter(({ parent }) => refersTo(parent, source.route, namespace, name));
    if (parents.length === 0) continue;
    const compiled = compileWithinBoundary(source, () => compileRoute(source.kind, source.route, context, hostnameProblem));
    diagnostics.push(...compiled.diagnostics);
    for (const { parent, index } of parents) {
      const outcome = attach(snapshot, compiled, parent, `spec.parentRefs[${index}]`, listeners, accepted);
      attachments.push(...outcome.attachments);
      diagnostics.push(...outcome.diagnostics);
      const key = `${source.kind}/${compiled.namespace}/${compiled.ref.name}`;
      const entry = routeStatus.get(key) ?? { ref: compiled.ref, parents: [] };
      entry.parents.push({ parentRef: parent, controllerName: GATEWAY_CONTROLLER_NAME, conditions: outcome.conditions(source.route.metadata?.generation) });
      routeStatus.set(key, entry);
    }
  }
  for (const attachment of attachments) attachment.listener.attachedRoutes++;

  const status: GatewayStatusEntry = {
    ref,
    stackId,
    ...(generation !== undefined && { generation }),
    conditions: gatewayConditions,
    listeners: listeners.map((listener): ListenerStatus => ({
      name: listener.name,
      supportedKinds: listener.supportedKinds,
      attachedRoutes: listener.attachedRoutes,
      conditions: listener.conditions,
    })),
  };
  if (!accepted) {
    return { result: withDisposition({ stackId, diagnostics, members: [], leftOut: [] }, true), status };
  }
  const built = buildSpecListeners(listeners, attachments);
  diagnostics.push(...protocolClashes(attachments));
  const certificateKeys = new Set(built.listeners.flatMap((listener) => listener.certificateKeys));
  const certificates = new Map<string, CertificateSpec>();
  for (const certificate of listeners.flatMap((listener) => listener.certificates)) {
    if (!certificateKeys.has(certificate.key)) continue;
    const existing = certificates.get(certificate.key);
    if (existing) existing.hosts = [...new Set([...existing.hosts, ...certificate.hosts])];
    else certificates.set(certificate.key, { ...certificate, hosts: [...certificate.hosts] });
  }
  const rules = built.listeners.reduce((total, listener) => total + listener.rules.length, 0);
  if (rules > options.limits.rulesPerLoadBalancer) {
    diagnostics.push(
      diagnostic(
        ref,
        'spec.listeners',
        'error',
        `the Gateway's routes need ${rules} rules, over the limit of ${options.limits.rulesPerLoadBalancer} per load balancer (flag --rule-limit); its load balancer is kept as it is`,
      ),
    );
    status.conditions = [
      condition(
        'Accepted',
        false,
        REASON.invalid,
        `the routes need ${rules} rules, over the load balancer's limit of ${options.limits.rulesPerLoadBalancer}`,
        generation,
      ),
    ];
    return { result: withDisposition({ stackId, diagnostics, members: [], leftOut: [] }, true), status };
  }
  const settings = annotations.value;
  const ipAddressType = settings.ipAddressType ?? 'ipv4';
  const inboundCidrs = settings.inboundCidrs ?? (ipAddressType === 'dualstack' ? ['0.0.0.0/0', '::/0'] : ['0.0.0.0/0']);
  const spec: LoadBalancerSpec = {
    stack: { id: stackId, name: settings.loadBalancerName ?? loadBalancerName(options.clusterName, stackId), members: [] },
    scheme: settings.scheme ?? options.defaultScheme,
    ipAddressType,
    subnets: settings.subnets ? { kind: 'ids', ids: settings.subnets } : { kind: 'discover' },
    securityGroups: settings.securityGroups ? { kind: 'ids', ids: settings.securityGroups } : { kind: 'managed', inboundCidrs },
    attributes: { ...settings.loadBalancerAttributes },
    tags: { ...settings.tags },
    listeners: built.listeners,
    targetGroups: built.targetGroups,
    ...(built.functionTargetGroups.length > 0 && { functionTargetGroups: built.functionTargetGroups }),
    certificates: [...certificates.values()],
    ...(settings.webAcl && { webAcl: settings.webAcl }),
    ...(settings.shieldAdvancedProtection !== undefined && { shieldAdvancedProtection: settings.shieldAdvancedProtection }),
  };
  return { result: withDisposition({ stackId, spec, diagnostics, members: [], leftOut: [] }, false), status };
}

/**
 * One target group per Service port and target type: a Service port that an HTTPRoute and a GRPCRoute
 * both reach on one Gateway gets the first one's protocol version, which the other route is told.
 */
function protocolClashes(attachments: readonly Attachment[]): Diagnostic[] {
  const first = new Map<string, { version: string; route: CompiledRoute }>();
  const diagnostics: Diagnostic[] = [];
  for (const route of [...new Set(attachments.map((attachment) => attachment.route))]) {
    for (const group of route.rules.flatMap((rule) => rule.targetGroups)) {
      const seen = first.get(group.key);
      if (!seen) first.set(group.key, { version: group.protocolVersion, route });
      else if (seen.version !== group.protocolVersion) {
        diagnostics.push(
          diagnostic(
            route.ref,
            'spec.rules',
            'warning',
            `Service port ${group.key} is also a backend of ${seen.route.kind} ${seen.route.namespace}/${seen.route.ref.name} on this Gateway, with protocol version ${seen.version}; one target group serves both, with ${seen.version}`,
          ),
        );
      }
    }
  }
  return diagnostics;
}

/** Why an exception nobody expected is reported on the object that caused it (DESIGN.md section 8). */
function defectMessage(kind: string, error: unknown): string {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return `the ${kind} could not be translated (${escapeControls(detail.slice(0, 200))}); this is a defect in ingress-bridge: please report it with the ${kind}`;
}

/**
 * Each Gateway inside its own error boundary: an unexpected exception holds its load balancer as it
 * is (bad input never deletes), is a diagnostic on the Gateway, and no other Gateway or Ingress is touched.
 */
function translateWithinBoundary(
  gateway: Gateway,
  work: () => { result: TranslateResult; status: GatewayStatusEntry },
): { result: TranslateResult; status: GatewayStatusEntry } {
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
function compileWithinBoundary(source: RouteSource, work: () => CompiledRoute): CompiledRoute {
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

/** Whether a parentRef names this Gateway (group and kind default to Gateway's, namespace to the route's). */
function refersTo(parent: ParentReference, route: HTTPRoute | GRPCRoute, namespace: string, name: string): boolean {
  return (
    (parent.group ?? GATEWAY_API_GROUP) === GATEWAY_API_GROUP &&
    (parent.kind ?? 'Gateway') === 'Gateway' &&
    (parent.namespace ?? route.metadata?.namespace ?? 'default') === namespace &&
    parent.name === name
  );
}

const TLS_SECRET_TYPE = 'kubernetes.io/tls';

function buildListenerViews(snapshot: SnapshotView, gateway: Gateway, ref: ObjectRef, options: TranslateOptions, diagnostics: Diagnostic[]): ListenerView[] {
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
    let acceptedReason: { reason: string; message: string } | undefined;
    let refsReason: { reason: string; message: string } | undefined;
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
        const certificateProblem = collectListenerCertificates(snapshot, view, namespace, field, options.now);
        if (certificateProblem) {
          refsReason = certificateProblem;
          for (const message of certificateProblem.all) problem(`${field}.tls.certificateRefs`, message);
        }
      }
    }
    view.usable = acceptedReason === undefined && (view.protocol === 'HTTP' || view.certificates.length > 0);
    conditions.push(
      condition(
        'Accepted',
        acceptedReason === undefined,
        acceptedReason?.reason ?? REASON.accepted,
        acceptedReason?.message ?? 'the listener is accepted',
        generation,
      ),
    );
    conditions.push(
      condition(
        'ResolvedRefs',
        refsReason === undefined,
        refsReason?.reason ?? REASON.resolvedRefs,
        refsReason?.message ?? 'every reference resolves',
        generation,
      ),
    );
    return view;
  });
  markConflicts(views, generation);
  return views;
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

function collectListenerCertificates(
  snapshot: SnapshotView,
  view: ListenerView,
  namespace: string,
  field: string,
  now: Date,
): { reason: string; message: string; all: string[] } | undefined {
  const refs = view.listener.tls?.certificateRefs ?? [];
  const problems: { reason: string; message: string }[] = [];
  if (refs.length === 0) problems.push({ reason: REASON.invalidCertificateRef, message: 'an HTTPS listener needs tls.certificateRefs' });
  refs.forEach((ref, index) => {
    const at = `${field}.tls.certificateRefs[${index}]`;
    if ((ref.group ?? '') !== '' || (ref.kind ?? 'Secret') !== 'Secret') {
      problems.push({ reason: REASON.invalidCertificateRef, message: `${at}: only core Secrets are certificate references` });
      return;
    }
    const secretNamespace = ref.namespace ?? namespace;
    const name = ref.name ?? '';
    if (
      secretNamespace !== namespace &&
      !referenceGranted(snapshot, { group: GATEWAY_API_GROUP, kind: 'Gateway', namespace }, { group: '', kind: 'Secret', namespace: secretNamespace, name })
    ) {
      problems.push({
        reason: REASON.refNotPermitted,
        message: `${at}: Secret ${secretNamespace}/${name} is in another namespace and no ReferenceGrant there allows Gateways of ${namespace} to refer to it`,
      });
      return;
    }
    const secret = snapshot.secret(secretNamespace, name);
    if (!secret) {
      problems.push({ reason: REASON.invalidCertificateRef, message: `${at}: Secret ${secretNamespace}/${name} does not exist` });
      return;
    }
    if (secret.type !== undefined && secret.type !== TLS_SECRET_TYPE) {
      problems.push({
        reason: REASON.invalidCertificateRef,
        message: `${at}: Secret ${secretNamespace}/${name} is of type ${secret.type}, not ${TLS_SECRET_TYPE}`,
      });
      return;
    }
    const check = checkTlsSecret(secret, now);
    if (!check.ok) {
      problems.push({
        reason: REASON.invalidCertificateRef,
        message: `${at}: Secret ${secretNamespace}/${name}${check.field ? ` ${check.field}` : ''}: ${check.message}`,
      });
      return;
    }
    // The same key as an Ingress's: one import per Secret, whichever API names it.
    view.certificates.push({
      key: `secret:${secretNamespace}/${name}`,
      source: { kind: 'secret', namespace: secretNamespace, name },
      hosts: view.hostname ? [view.hostname] : [],
      fingerprint: check.fingerprint,
    });
  });
  const [first] = problems;
  return first ? { ...first, all: problems.map((entry) => entry.message) } : undefined;
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

interface PlacedEntry {
  hostname?: string;
  conditions: Condition[];
  match?: CompiledMatch;
  rule?: CompiledRule;
  route?: CompiledRoute;
  order: number;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function routeAge(route: CompiledRoute): number {
  return creationTime(route.route as Parameters<typeof creationTime>[0]);
}

/** The specification's precedence (see the module comment); a listener's catch-all 404 comes last among its hostname's entries. */
function comparePlaced(a: PlacedEntry, b: PlacedEntry): number {
  const [ah, al] = hostnameRank(a.hostname);
  const [bh, bl] = hostnameRank(b.hostname);
  if (ah !== bh) return ah - bh;
  if (al !== bl) return al - bl;
  if (!a.match || !b.match) return (a.match ? 0 : 1) - (b.match ? 0 : 1);
  const ar = a.match.rank;
  const br = b.match.rank;
  return (
    ar.pathKind - br.pathKind ||
    br.pathLength - ar.pathLength ||
    Number(br.method) - Number(ar.method) ||
    br.headers - ar.headers ||
    br.queries - ar.queries ||
    routeAge(a.route as CompiledRoute) - routeAge(b.route as CompiledRoute) ||
    compareText(`${a.route?.namespace}/${a.route?.ref.name}`, `${b.route?.namespace}/${b.route?.ref.name}`) ||
    a.order - b.order
  );
}

/**
 * Whether every request for `hostname` belongs to another listener of the port, whose hostname is
 * more specific than this one's: a request is its most specific listener's alone (API reference,
 * Listener hostname), so this listener's routes must not answer it there.
 */
function claimedByOtherListener(listener: ListenerView, hostname: string | undefined, onPort: readonly ListenerView[]): boolean {
  if (hostname === undefined) return false;
  return onPort.some(
    (other) =>
      other !== listener &&
      other.hostname !== undefined &&
      moreSpecific(other.hostname, listener.hostname) &&
      intersectHostname(other.hostname, hostname) === hostname,
  );
}

function moreSpecific(hostname: string, than: string | undefined): boolean {
  if (than === undefined) return true;
  const [rank, length] = hostnameRank(hostname);
  const [thanRank, thanLength] = hostnameRank(than);
  return rank < thanRank || (rank === thanRank && length < thanLength);
}

function buildSpecListeners(
  views: readonly ListenerView[],
  attachments: readonly Attachment[],
): { listeners: ListenerSpec[]; targetGroups: TargetGroupSpec[]; functionTargetGroups: FunctionTargetGroupSpec[] } {
  const byPort = new Map<number, ListenerView[]>();
  for (const view of views.filter((candidate) => candidate.usable)) byPort.set(view.port, [...(byPort.get(view.port) ?? []), view]);
  const targetGroups = new Map<string, TargetGroupSpec>();
  const functionCandidates: FunctionTargetGroupSpec[] = [];
  const listeners: ListenerSpec[] = [];
  for (const [port, onPort] of [...byPort].sort(([a], [b]) => a - b)) {
    const placed: PlacedEntry[] = [];
    let order = 0;
    for (const attachment of attachments.filter((entry) => onPort.includes(entry.listener))) {
      for (const hostname of attachment.hostnames) {
        if (claimedByOtherListener(attachment.listener, hostname, onPort)) continue;
        for (const rule of attachment.route.rules) {
          for (const match of rule.matches) {
            const host = hostnameCondition(hostname);
            placed.push({
              ...(hostname !== undefined && { hostname }),
              conditions: [...(host ? [host] : []), ...match.conditions],
              match,
              rule,
              route: attachment.route,
              order: order++,
            });
          }
        }
      }
    }
    // A request whose host a listener's hostname matches belongs to that listener alone: without a
    // fence, a less specific listener's rules on the same port would answer what it does not route.
    if (onPort.length > 1) {
      for (const view of onPort) {
        if (view.hostname !== undefined) placed.push({ hostname: view.hostname, conditions: [hostnameCondition(view.hostname) as Condition], order: order++ });
      }
    }
    const seen = new Set<string>();
    const rules: RuleSpec[] = [];
    for (const entry of placed.sort(comparePlaced)) {
      const signature = JSON.stringify(entry.conditions);
      // Of two matches that match the same requests the first in precedence is the one served.
      if (seen.has(signature)) continue;
      seen.add(signature);
      const route = entry.route;
      const rule = entry.rule;
      const actions = rule ? [rule.action] : [NOT_FOUND];
      if (rule) for (const group of rule.targetGroups) if (!targetGroups.has(group.key)) targetGroups.set(group.key, group);
      if (rule) functionCandidates.push(...rule.functionTargetGroups);
      rules.push({
        priority: rules.length + 1,
        conditions: entry.conditions.length > 0 ? entry.conditions : [{ field: 'path-pattern', values: ['/*'] }],
        actions: actions.map((action) => ({ ...action })),
        ...(rule?.transforms && { transforms: rule.transforms }),
        origin: {
          ingress: { namespace: route?.namespace ?? '', name: route?.ref.name ?? '' },
          ...(route && { route: route.ref }),
          ...(entry.hostname !== undefined && { host: entry.hostname }),
          ...(entry.match && { path: entry.match.field }),
        },
      });
    }
    const protocol = onPort[0]?.protocol ?? 'HTTP';
    const certificateKeys = protocol === 'HTTPS' ? [...new Set(onPort.flatMap((view) => view.certificates.map((certificate) => certificate.key)))] : [];
    listeners.push({ port, protocol, certificateKeys, defaultAction: { ...NOT_FOUND }, rules });
  }
  return {
    listeners,
    targetGroups: [...targetGroups.values()].sort((a, b) => compareText(a.key, b.key)),
    functionTargetGroups: functionTargetGroupsOf(listeners, functionCandidates),
  };
}
