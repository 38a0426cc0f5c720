/**
 * Which addresses a target group sends traffic to:
 * - instance: the Service's NodePort on every Ready Node that has a providerID and is not excluded
 *   from external load balancers (and, with `target-node-labels`, carries all of those labels);
 * - ip: the EndpointSlice endpoints that are ready, on the slice port whose name is the Service port's
 *   name (that is how the endpoints controller resolves targetPort); endpoints that still serve while
 *   terminating only when none is ready (KEP-1669, see `ipTargets`); and a not-ready endpoint whose
 *   Pod waits only for its target-health readiness gates (readiness-gates.ts), which cannot pass
 *   before the target is registered.
 * @module
 */
import type { V1Endpoint, V1EndpointSlice, V1Node, V1ServicePort } from '@kubernetes/client-node';
import type { Target } from '../model.js';
import { compareText } from './compare-text.js';

const EXCLUDE_FROM_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

function isReady(node: V1Node): boolean {
  return node.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false;
}

function internalIp(node: V1Node): string | undefined {
  return node.status?.addresses?.find((address) => address.type === 'InternalIP')?.address;
}

/** Whether the Node carries every label of the selector (an empty selector selects every Node). */
function carriesLabels(node: V1Node, labels: Readonly<Record<string, string>>): boolean {
  const own = node.metadata?.labels ?? {};
  return Object.entries(labels).every(([key, value]) => own[key] === value);
}

export function instanceTargets(nodes: readonly V1Node[], nodePort: number, nodeLabels: Readonly<Record<string, string>> = {}): Target[] {
  const targets: Target[] = [];
  for (const node of nodes) {
    const providerId = node.spec?.providerID;
    const ip = internalIp(node);
    if (!providerId || !ip || !isReady(node) || node.metadata?.labels?.[EXCLUDE_FROM_LB_LABEL] !== undefined) continue;
    if (!carriesLabels(node, nodeLabels)) continue;
    targets.push({ id: providerId, ip, port: nodePort, node: node.metadata?.name ?? '' });
  }
  return targets.sort((a, b) => compareText(a.id, b.id));
}

/** The label the EndpointSlice controller sets on the slices it writes from a Service's selector. */
const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
const ENDPOINTSLICE_CONTROLLER = 'endpointslice-controller.k8s.io';

export interface SliceTrust {
  trusted: V1EndpointSlice[];
  /** Slices whose addresses are not used, each with why. */
  ignored: { slice: V1EndpointSlice; reason: string }[];
}

/**
 * Which EndpointSlices of a Service are believed (CVE-2021-25740): anyone who can write a slice (or
 * an Endpoints object, which the mirroring controller copies into one) could otherwise point a load
 * balancer at another namespace's Pods. A slice counts when the EndpointSlice controller manages it,
 * or when every endpoint's targetRef is a Pod of the Service's own namespace.
 */
export function trustedSlices(slices: readonly V1EndpointSlice[], namespace: string): SliceTrust {
  const trust: SliceTrust = { trusted: [], ignored: [] };
  for (const slice of slices) {
    if (slice.metadata?.labels?.[MANAGED_BY_LABEL] === ENDPOINTSLICE_CONTROLLER) {
      trust.trusted.push(slice);
      continue;
    }
    const foreign = (slice.endpoints ?? []).find((endpoint) => endpoint.targetRef?.kind !== 'Pod' || (endpoint.targetRef.namespace ?? '') !== namespace);
    if (!foreign) trust.trusted.push(slice);
    else {
      const target = foreign.targetRef
        ? `${foreign.targetRef.kind ?? '?'} ${foreign.targetRef.namespace ?? '(no namespace)'}/${foreign.targetRef.name ?? ''}`
        : 'nothing';
      trust.ignored.push({
        slice,
        reason: `it is not managed by the EndpointSlice controller (label ${MANAGED_BY_LABEL}: ${ENDPOINTSLICE_CONTROLLER}) and its endpoint ${foreign.addresses[0] ?? ''} refers to ${target}, not a Pod of namespace ${namespace}`,
      });
    }
  }
  return trust;
}

/** The port number endpoints of this Service port listen on, per slice (a named targetPort may differ by pod). */
function slicePort(slice: V1EndpointSlice, servicePort: V1ServicePort): number | undefined {
  const name = servicePort.name ?? '';
  return slice.ports?.find((port) => (port.name ?? '') === name && (port.protocol ?? 'TCP') === 'TCP')?.port;
}

type EndpointUse = 'ready' | 'serving-terminating' | 'awaiting-gates' | 'none';

/**
 * How kube-proxy reads an endpoint's conditions (pkg/proxy/endpointslicecache.go): `ready` and
 * `serving` unset count as true, `terminating` unset as false. A terminating Pod's endpoint has
 * ready false; serving stays true while its readiness probe passes. A not-ready endpoint that is
 * not terminating may be waiting for nothing but its target-health gates.
 */
function endpointUse(endpoint: V1Endpoint, awaitsTargetHealth: (endpoint: V1Endpoint) => boolean): EndpointUse {
  const conditions = endpoint.conditions ?? {};
  if (conditions.ready !== false) return 'ready';
  if (conditions.terminating === true) return conditions.serving !== false ? 'serving-terminating' : 'none';
  return awaitsTargetHealth(endpoint) ? 'awaiting-gates' : 'none';
}

/**
 * The endpoints of one Service port that get new requests, as kube-proxy chooses them (KEP-1669):
 * the ready ones; only while none of the Service port's endpoints is ready, those that still serve
 * while terminating — a Service whose every Pod is being replaced keeps answering until the last one
 * is gone, and one that has a ready Pod sends nothing to a Pod on its way out. So a terminating
 * endpoint leaves the target group as soon as it stops being ready, unless nothing else could serve.
 * An endpoint whose Pod awaits only its target-health gates (`awaitsTargetHealth`) is registered too,
 * without counting as ready: the load balancer sends it nothing before it is healthy, so it must not
 * take the place of the terminating endpoints that still serve.
 */
export function ipTargets(
  slices: readonly V1EndpointSlice[],
  servicePort: V1ServicePort,
  awaitsTargetHealth: (endpoint: V1Endpoint) => boolean = () => false,
): Target[] {
  const byUse: Record<Exclude<EndpointUse, 'none'>, Map<string, Target>> = {
    ready: new Map(),
    'serving-terminating': new Map(),
    'awaiting-gates': new Map(),
  };
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4') continue;
    const port = slicePort(slice, servicePort);
    if (port === undefined) continue;
    for (const endpoint of slice.endpoints ?? []) {
      const ip = endpoint.addresses[0];
      const use = endpointUse(endpoint, awaitsTargetHealth);
      if (!ip || use === 'none') continue;
      const target: Target = { id: ip, ip, port };
      if (endpoint.nodeName) target.node = endpoint.nodeName;
      if (endpoint.zone) target.zone = endpoint.zone;
      // The same endpoint may sit in two slices while the endpoints controller moves it.
      byUse[use].set(`${ip}:${port}`, target);
    }
  }
  const { ready, 'serving-terminating': servingTerminating, 'awaiting-gates': awaitingGates } = byUse;
  const chosen = new Map([...awaitingGates, ...(ready.size > 0 ? ready : servingTerminating)]);
  return [...chosen.values()].sort((a, b) => compareText(a.id, b.id) || a.port - b.port);
}

/** The port of the first endpoint with this Service port's name: how a named port resolves for ip targets. */
export function endpointPortNamed(slices: readonly V1EndpointSlice[], name: string): number | undefined {
  for (const slice of slices) {
    const port = slice.ports?.find((candidate) => (candidate.name ?? '') === name)?.port;
    if (port !== undefined) return port;
  }
  return undefined;
}
