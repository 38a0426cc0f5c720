/**
 * The Compute resources the provider manages, each with where it lives (region, zone or global),
 * the request fields its client names it by, its collection in REST paths, and the API family the
 * call reports and IAM permissions use (`regionUrlMaps`, `forwardingRules`, …). Pure data below every
 * part of the provider: sdk/compute.ts makes one client per kind, and observe, plan (names, plan
 * JSON) and apply hand these to it — plan never loads the SDK. It imports nothing of the provider.
 * @module
 */
import type { LoadBalancerScope } from '../../src/model.js';

/** The kinds a load balancer has in its own scope: Compute has a regional and a global collection of each. */
export type ScopedKind = 'address' | 'forwardingRule' | 'targetHttpProxy' | 'targetHttpsProxy' | 'urlMap' | 'backendService' | 'healthCheck' | 'sslCertificate';

/** The global collection of a scoped kind: `globalUrlMap`, `globalBackendService`, … */
export type GlobalKind = `global${Capitalize<ScopedKind>}`;

/** Zonal (NEGs, instance groups) or global (the firewall) whatever the load balancer's scope. */
export type SharedKind = 'networkEndpointGroup' | 'instanceGroup' | 'firewall';

export type Kind = ScopedKind | GlobalKind | SharedKind;

/** How a kind of resource is called. */
export interface KindInfo {
  /** The SDK client that calls it (sdk/compute.ts makes one per kind). */
  client: Kind;
  scope: 'region' | 'zone' | 'global';
  /** The REST collection, e.g. `urlMaps`. */
  collection: string;
  /** The API family in call names and IAM permissions, e.g. `regionUrlMaps`. */
  family: string;
  /** The request field that carries the resource body on insert and update, e.g. `urlMapResource`. */
  resourceField: string;
  /** The request field that names the resource, e.g. `urlMap`. */
  idField: string;
}

const SCOPED_KINDS: readonly ScopedKind[] = [
  'address',
  'forwardingRule',
  'targetHttpProxy',
  'targetHttpsProxy',
  'urlMap',
  'backendService',
  'healthCheck',
  'sslCertificate',
];

/** The regional collection of each scoped kind, and the zonal and global kinds every load balancer shares. */
const REGIONAL_AND_SHARED: Readonly<Record<ScopedKind | SharedKind, KindInfo>> = {
  address: { client: 'address', scope: 'region', collection: 'addresses', family: 'addresses', resourceField: 'addressResource', idField: 'address' },
  forwardingRule: {
    client: 'forwardingRule',
    scope: 'region',
    collection: 'forwardingRules',
    family: 'forwardingRules',
    resourceField: 'forwardingRuleResource',
    idField: 'forwardingRule',
  },
  targetHttpProxy: {
    client: 'targetHttpProxy',
    scope: 'region',
    collection: 'targetHttpProxies',
    family: 'regionTargetHttpProxies',
    resourceField: 'targetHttpProxyResource',
    idField: 'targetHttpProxy',
  },
  targetHttpsProxy: {
    client: 'targetHttpsProxy',
    scope: 'region',
    collection: 'targetHttpsProxies',
    family: 'regionTargetHttpsProxies',
    resourceField: 'targetHttpsProxyResource',
    idField: 'targetHttpsProxy',
  },
  urlMap: { client: 'urlMap', scope: 'region', collection: 'urlMaps', family: 'regionUrlMaps', resourceField: 'urlMapResource', idField: 'urlMap' },
  backendService: {
    client: 'backendService',
    scope: 'region',
    collection: 'backendServices',
    family: 'regionBackendServices',
    resourceField: 'backendServiceResource',
    idField: 'backendService',
  },
  healthCheck: {
    client: 'healthCheck',
    scope: 'region',
    collection: 'healthChecks',
    family: 'regionHealthChecks',
    resourceField: 'healthCheckResource',
    idField: 'healthCheck',
  },
  sslCertificate: {
    client: 'sslCertificate',
    scope: 'region',
    collection: 'sslCertificates',
    family: 'regionSslCertificates',
    resourceField: 'sslCertificateResource',
    idField: 'sslCertificate',
  },
  networkEndpointGroup: {
    client: 'networkEndpointGroup',
    scope: 'zone',
    collection: 'networkEndpointGroups',
    family: 'networkEndpointGroups',
    resourceField: 'networkEndpointGroupResource',
    idField: 'networkEndpointGroup',
  },
  instanceGroup: {
    client: 'instanceGroup',
    scope: 'zone',
    collection: 'instanceGroups',
    family: 'instanceGroups',
    resourceField: 'instanceGroupResource',
    idField: 'instanceGroup',
  },
  firewall: { client: 'firewall', scope: 'global', collection: 'firewalls', family: 'firewalls', resourceField: 'firewallResource', idField: 'firewall' },
};

/**
 * A scoped kind's global collection: the same collection and request fields without the region. The
 * family is the collection's own name (`urlMaps`), except addresses and forwarding rules, whose
 * regional families already have the plain name (`globalAddresses`, `globalForwardingRules`).
 */
function globalInfo(kind: ScopedKind): KindInfo {
  const regional = REGIONAL_AND_SHARED[kind];
  const family = kind === 'address' || kind === 'forwardingRule' ? globalKind(regional.collection) : regional.collection;
  return { ...regional, client: globalKind(kind), scope: 'global', family };
}

function globalKind<K extends string>(kind: K): `global${Capitalize<K>}` {
  return `global${kind.charAt(0).toUpperCase()}${kind.slice(1)}` as `global${Capitalize<K>}`;
}

export const KINDS: Readonly<Record<Kind, KindInfo>> = {
  ...REGIONAL_AND_SHARED,
  ...(Object.fromEntries(SCOPED_KINDS.map((kind) => [globalKind(kind), globalInfo(kind)])) as Record<GlobalKind, KindInfo>),
};

/** The kind of a load balancer's resource in its scope: `urlMap` when regional, `globalUrlMap` when global. */
export function inScope(kind: ScopedKind, scope: LoadBalancerScope): ScopedKind | GlobalKind {
  return scope === 'global' ? globalKind(kind) : kind;
}

/** What a kind is whatever its scope (`globalUrlMap` is a `urlMap`): the decisions that do not depend on the scope. */
export function baseKind(kind: Kind): ScopedKind | SharedKind {
  if (!kind.startsWith('global')) return kind as ScopedKind | SharedKind;
  return `${kind.charAt(6).toLowerCase()}${kind.slice(7)}` as ScopedKind;
}

/** Dependents before what they depend on: the order deletes run in (creates run in reverse). Each scope's kind beside the other's. */
export const DELETE_ORDER: readonly Kind[] = [
  ...(['forwardingRule', 'address', 'targetHttpsProxy', 'targetHttpProxy', 'urlMap', 'sslCertificate', 'backendService', 'healthCheck'] as const).flatMap(
    (kind) => [kind, globalKind(kind)],
  ),
  'networkEndpointGroup',
  'instanceGroup',
  'firewall',
];

/** A resource body as the API reads and writes it (JSON, Compute's own field names). */
export type Resource = Record<string, unknown>;

/** A resource as observed: its kind, where it is, and its body. */
export interface Located {
  kind: Kind;
  /** The zone of a zonal resource; undefined for regional and global ones. */
  zone?: string;
  name: string;
  body: Resource;
}
