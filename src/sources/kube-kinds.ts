/**
 * What the kube source watches, per kind: the collection path both the list and the watch read,
 * and the selector that keeps out objects translate never uses.
 * @module
 */
import { OWN_API_GROUP, type KindToObject, type WatchedKind } from './snapshot.js';
import { GATEWAY_API_GROUP, type GatewayKind } from './gateway-kinds.js';

const TLS_SECRET_TYPE = 'kubernetes.io/tls';
const TLS_SECRET_SELECTOR = `type=${TLS_SECRET_TYPE}`;

export interface WatchedKindSpec<K extends WatchedKind = WatchedKind> {
  kind: K;
  apiVersion: string;
  /** Cluster-scoped kinds are watched everywhere even when the source is limited to one namespace. */
  namespaced: boolean;
  /** `/api/v1` or `/apis/<group>/<version>` and the resource's plural name. */
  apiPath: string;
  resource: string;
  fieldSelector?: string;
  /** The field selector as a predicate, for a server that ignores it (and to say so in one place). */
  accepts?: (object: KindToObject[K]) => boolean;
  /** A kind a cluster may not serve (the Gateway API's CRDs): its absence is reported once and the other kinds work on. */
  optional?: boolean;
  /**
   * The same kind at an older version, read when the cluster does not serve this one (HTTP 404 on
   * the first list): ReferenceGrant is v1 from Gateway API v1.5 on, v1beta1 before.
   */
  olderVersion?: WatchedKindSpec<K>;
}

export const WATCHED_KIND_SPECS: { [K in Exclude<WatchedKind, GatewayKind>]: WatchedKindSpec<K> } = {
  Ingress: {
    kind: 'Ingress',
    apiVersion: 'networking.k8s.io/v1',
    namespaced: true,
    apiPath: '/apis/networking.k8s.io/v1',
    resource: 'ingresses',
  },
  IngressClass: {
    kind: 'IngressClass',
    apiVersion: 'networking.k8s.io/v1',
    namespaced: false,
    apiPath: '/apis/networking.k8s.io/v1',
    resource: 'ingressclasses',
  },
  IngressClassParams: {
    kind: 'IngressClassParams',
    apiVersion: `${OWN_API_GROUP}/v1`,
    namespaced: false,
    apiPath: `/apis/${OWN_API_GROUP}/v1`,
    resource: 'ingressclassparams',
  },
  Namespace: {
    kind: 'Namespace',
    apiVersion: 'v1',
    namespaced: false,
    apiPath: '/api/v1',
    resource: 'namespaces',
  },
  Service: {
    kind: 'Service',
    apiVersion: 'v1',
    namespaced: true,
    apiPath: '/api/v1',
    resource: 'services',
  },
  EndpointSlice: {
    kind: 'EndpointSlice',
    apiVersion: 'discovery.k8s.io/v1',
    namespaced: true,
    apiPath: '/apis/discovery.k8s.io/v1',
    resource: 'endpointslices',
  },
  Node: {
    kind: 'Node',
    apiVersion: 'v1',
    namespaced: false,
    apiPath: '/api/v1',
    resource: 'nodes',
  },
  Secret: {
    kind: 'Secret',
    apiVersion: 'v1',
    namespaced: true,
    apiPath: '/api/v1',
    resource: 'secrets',
    // Only TLS Secrets: the others (service-account tokens, app credentials) never enter the process.
    fieldSelector: TLS_SECRET_SELECTOR,
    accepts: (secret) => secret.type === TLS_SECRET_TYPE,
  },
  Pod: {
    kind: 'Pod',
    apiVersion: 'v1',
    namespaced: true,
    apiPath: '/api/v1',
    // For readiness gates: only identity, gates, address and conditions are kept (kube-objects.ts).
    resource: 'pods',
  },
};

/** A Gateway API kind: a custom resource, served only where its CRD is installed. */
function gatewayKindSpec<K extends GatewayKind>(kind: K, resource: string, namespaced: boolean, version = 'v1'): WatchedKindSpec<K> {
  return {
    kind,
    apiVersion: `${GATEWAY_API_GROUP}/${version}`,
    namespaced,
    apiPath: `/apis/${GATEWAY_API_GROUP}/${version}`,
    resource,
    optional: true,
  };
}

/** The Gateway API kinds at the versions of the standard channel's CRDs. */
export const GATEWAY_KIND_SPECS: { [K in GatewayKind]: WatchedKindSpec<K> } = {
  GatewayClass: gatewayKindSpec('GatewayClass', 'gatewayclasses', false),
  Gateway: gatewayKindSpec('Gateway', 'gateways', true),
  HTTPRoute: gatewayKindSpec('HTTPRoute', 'httproutes', true),
  GRPCRoute: gatewayKindSpec('GRPCRoute', 'grpcroutes', true),
  // v1 from Gateway API v1.5 on; a cluster with older CRDs serves only v1beta1, read in its place.
  ReferenceGrant: {
    ...gatewayKindSpec('ReferenceGrant', 'referencegrants', true, 'v1'),
    olderVersion: gatewayKindSpec('ReferenceGrant', 'referencegrants', true, 'v1beta1'),
  },
};

/** The collection path a list and a watch request: namespaced kinds narrowed to `namespace` when one is given. */
export function collectionPath(spec: WatchedKindSpec, namespace: string | undefined): string {
  const scope = spec.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${spec.apiPath}${scope}/${spec.resource}`;
}
