/**
 * The resource table: which kinds the fake serves, under which group, version and plural, whether
 * they are namespaced and whether they have a status subresource. Everything else in the fake is
 * driven by these entries.
 */
import { ApiError } from './errors.js';

export interface ResourceType {
  /** '' for the core group (served under /api/v1). */
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  /** With a status subresource the main resource ignores status writes and /status changes only status. */
  statusSubresource: boolean;
  /**
   * Other versions the resource is served at, from the same storage (as a CRD with several served
   * versions): objects keep `version`'s apiVersion, the conversion being the identity here.
   */
  alsoServedAt?: readonly string[];
}

export const RESOURCE_TYPES: readonly ResourceType[] = [
  { group: 'networking.k8s.io', version: 'v1', plural: 'ingresses', kind: 'Ingress', namespaced: true, statusSubresource: true },
  { group: 'networking.k8s.io', version: 'v1', plural: 'ingressclasses', kind: 'IngressClass', namespaced: false, statusSubresource: false },
  { group: 'ingress-bridge.io', version: 'v1', plural: 'ingressclassparams', kind: 'IngressClassParams', namespaced: false, statusSubresource: false },
  { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false, statusSubresource: true },
  { group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true, statusSubresource: true },
  { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true, statusSubresource: false },
  { group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true, statusSubresource: false },
  { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false, statusSubresource: true },
  { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true, statusSubresource: true },
  { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', kind: 'EndpointSlice', namespaced: true, statusSubresource: false },
  { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true, statusSubresource: false },
  { group: 'events.k8s.io', version: 'v1', plural: 'events', kind: 'Event', namespaced: true, statusSubresource: false },
  { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'gatewayclasses', kind: 'GatewayClass', namespaced: false, statusSubresource: true },
  { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'gateways', kind: 'Gateway', namespaced: true, statusSubresource: true },
  { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes', kind: 'HTTPRoute', namespaced: true, statusSubresource: true },
  { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'grpcroutes', kind: 'GRPCRoute', namespaced: true, statusSubresource: true },
  // Gateway API v1.5 CRDs serve both; a fake started with `unservedVersions` plays an older or newer release.
  {
    group: 'gateway.networking.k8s.io',
    version: 'v1beta1',
    plural: 'referencegrants',
    kind: 'ReferenceGrant',
    namespaced: true,
    statusSubresource: false,
    alsoServedAt: ['v1'],
  },
  {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    plural: 'mutatingwebhookconfigurations',
    kind: 'MutatingWebhookConfiguration',
    namespaced: false,
    statusSubresource: false,
  },
];

export function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

/** `ingresses.networking.k8s.io`, or just `services` for the core group, as the API's messages name it. */
export function qualifiedResource(type: ResourceType): string {
  return type.group === '' ? type.plural : `${type.plural}.${type.group}`;
}

/** `Ingress.networking.k8s.io`, as validation messages name a kind. */
export function qualifiedKind(type: ResourceType): string {
  return type.group === '' ? type.kind : `${type.kind}.${type.group}`;
}

function servedAt(type: ResourceType, version: string): boolean {
  return type.version === version || (type.alsoServedAt?.includes(version) ?? false);
}

/** Whether an object's apiVersion is one the type is served at. */
export function servesApiVersion(type: ResourceType, apiVersion: string): boolean {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return type.group === group && version !== undefined && servedAt(type, version);
}

export function findResourceByPath(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((type) => type.group === group && servedAt(type, version) && type.plural === plural);
}

function findResourceForObject(apiVersion: string, kind: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((type) => servesApiVersion(type, apiVersion) && type.kind === kind);
}

/**
 * Resolves the names tests use: a plural (`ingresses`), a plural with its group
 * (`events.events.k8s.io`) or a kind (`Ingress`). `events` and `Event` mean the core v1 Events;
 * the two Event APIs are stored separately in this fake.
 */
export function resolveResource(name: string): ResourceType {
  const found = RESOURCE_TYPES.find((type) => type.plural === name || qualifiedResource(type) === name || type.kind === name);
  if (!found) {
    const known = RESOURCE_TYPES.map(qualifiedResource).join(', ');
    throw new ApiError({ code: 404, message: `the fake serves no resource "${name}" (known: ${known})` });
  }
  return found;
}

/** The resource an object's apiVersion and kind belong to; throws when the fake does not serve it. */
export function resourceForObject(object: { apiVersion?: unknown; kind?: unknown }): ResourceType {
  const { apiVersion, kind } = object;
  const found = typeof apiVersion === 'string' && typeof kind === 'string' ? findResourceForObject(apiVersion, kind) : undefined;
  if (!found) {
    throw new ApiError({ code: 400, message: `the fake serves no kind ${String(kind)} in ${String(apiVersion)}` });
  }
  return found;
}
