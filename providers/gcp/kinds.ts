/**
 * The Compute resources the provider manages, each with where it lives (region, zone or global),
 * the request fields its client names it by, its collection in REST paths, and the API family the
 * call reports and IAM permissions use (`regionUrlMaps`, `forwardingRules`, …). Pure data below every
 * part of the provider: sdk/compute.ts makes one client per kind, and observe, plan (names, plan
 * JSON) and apply hand these to it — plan never loads the SDK. It imports nothing of the provider.
 * @module
 */
export type Kind =
  | 'address'
  | 'forwardingRule'
  | 'targetHttpProxy'
  | 'targetHttpsProxy'
  | 'urlMap'
  | 'backendService'
  | 'healthCheck'
  | 'sslCertificate'
  | 'networkEndpointGroup'
  | 'instanceGroup'
  | 'firewall';

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

export const KINDS: Readonly<Record<Kind, KindInfo>> = {
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

/** Dependents before what they depend on: the order deletes run in (creates run in reverse). */
export const DELETE_ORDER: readonly Kind[] = [
  'forwardingRule',
  'address',
  'targetHttpsProxy',
  'targetHttpProxy',
  'urlMap',
  'sslCertificate',
  'backendService',
  'healthCheck',
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
