/**
 * What the kube source watches, per kind: the collection path, how to list it, and the selector
 * that keeps out objects translate never uses. The list goes through client-node's typed API;
 * the watch takes the path and selector directly (ListWatch puts selectors on the watch only, so
 * each list here applies the same selector itself).
 * @module
 */
import { CoreV1Api, CustomObjectsApi, DiscoveryV1Api, NetworkingV1Api, type KubeConfig } from '@kubernetes/client-node';
import { OWN_API_GROUP, type KindToObject, type WatchedKind } from './snapshot.js';
import { GATEWAY_API_GROUP, type GatewayKind } from './gateway-kinds.js';

const TLS_SECRET_TYPE = 'kubernetes.io/tls';
const TLS_SECRET_SELECTOR = `type=${TLS_SECRET_TYPE}`;

/** One page of a list call, in the typed form client-node returns. */
export interface TypedPage {
  metadata?: { resourceVersion?: string; _continue?: string };
  items: object[];
}

export interface PageRequest {
  namespace?: string;
  continueToken?: string;
  limit: number;
}

export interface KubeApis {
  core: CoreV1Api;
  networking: NetworkingV1Api;
  discovery: DiscoveryV1Api;
  custom: CustomObjectsApi;
}

export function makeKubeApis(config: KubeConfig): KubeApis {
  return {
    core: config.makeApiClient(CoreV1Api),
    networking: config.makeApiClient(NetworkingV1Api),
    discovery: config.makeApiClient(DiscoveryV1Api),
    custom: config.makeApiClient(CustomObjectsApi),
  };
}

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
  listPage(apis: KubeApis, request: PageRequest): Promise<TypedPage>;
}

const page = (request: PageRequest) => ({ _continue: request.continueToken, limit: request.limit });

export const WATCHED_KIND_SPECS: { [K in Exclude<WatchedKind, GatewayKind>]: WatchedKindSpec<K> } = {
  Ingress: {
    kind: 'Ingress',
    apiVersion: 'networking.k8s.io/v1',
    namespaced: true,
    apiPath: '/apis/networking.k8s.io/v1',
    resource: 'ingresses',
    listPage: (apis, request) =>
      request.namespace
        ? apis.networking.listNamespacedIngress({ namespace: request.namespace, ...page(request) })
        : apis.networking.listIngressForAllNamespaces(page(request)),
  },
  IngressClass: {
    kind: 'IngressClass',
    apiVersion: 'networking.k8s.io/v1',
    namespaced: false,
    apiPath: '/apis/networking.k8s.io/v1',
    resource: 'ingressclasses',
    listPage: (apis, request) => apis.networking.listIngressClass(page(request)),
  },
  IngressClassParams: {
    kind: 'IngressClassParams',
    apiVersion: `${OWN_API_GROUP}/v1`,
    namespaced: false,
    apiPath: `/apis/${OWN_API_GROUP}/v1`,
    resource: 'ingressclassparams',
    // A custom resource: client-node has no typed list for it; the list is the API server's JSON.
    listPage: async (apis, request) =>
      (await apis.custom.listClusterCustomObject({ group: OWN_API_GROUP, version: 'v1', plural: 'ingressclassparams', ...page(request) })) as TypedPage,
  },
  Namespace: {
    kind: 'Namespace',
    apiVersion: 'v1',
    namespaced: false,
    apiPath: '/api/v1',
    resource: 'namespaces',
    listPage: (apis, request) => apis.core.listNamespace(page(request)),
  },
  Service: {
    kind: 'Service',
    apiVersion: 'v1',
    namespaced: true,
    apiPath: '/api/v1',
    resource: 'services',
    listPage: (apis, request) =>
      request.namespace
        ? apis.core.listNamespacedService({ namespace: request.namespace, ...page(request) })
        : apis.core.listServiceForAllNamespaces(page(request)),
  },
  EndpointSlice: {
    kind: 'EndpointSlice',
    apiVersion: 'discovery.k8s.io/v1',
    namespaced: true,
    apiPath: '/apis/discovery.k8s.io/v1',
    resource: 'endpointslices',
    listPage: (apis, request) =>
      request.namespace
        ? apis.discovery.listNamespacedEndpointSlice({ namespace: request.namespace, ...page(request) })
        : apis.discovery.listEndpointSliceForAllNamespaces(page(request)),
  },
  Node: {
    kind: 'Node',
    apiVersion: 'v1',
    namespaced: false,
    apiPath: '/api/v1',
    resource: 'nodes',
    listPage: (apis, request) => apis.core.listNode(page(request)),
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
    listPage: (apis, request) =>
      request.namespace
        ? apis.core.listNamespacedSecret({ namespace: request.namespace, fieldSelector: TLS_SECRET_SELECTOR, ...page(request) })
        : apis.core.listSecretForAllNamespaces({ fieldSelector: TLS_SECRET_SELECTOR, ...page(request) }),
  },
  Pod: {
    kind: 'Pod',
    apiVersion: 'v1',
    namespaced: true,
    apiPath: '/api/v1',
    resource: 'pods',
    // For readiness gates: only identity, gates, address and conditions are kept (kube-objects.ts).
    listPage: (apis, request) =>
      request.namespace ? apis.core.listNamespacedPod({ namespace: request.namespace, ...page(request) }) : apis.core.listPodForAllNamespaces(page(request)),
  },
};

/** A Gateway API kind, listed as the custom resource it is (client-node has no typed API for it). */
function gatewayKindSpec<K extends GatewayKind>(kind: K, resource: string, namespaced: boolean, version = 'v1'): WatchedKindSpec<K> {
  return {
    kind,
    apiVersion: `${GATEWAY_API_GROUP}/${version}`,
    namespaced,
    apiPath: `/apis/${GATEWAY_API_GROUP}/${version}`,
    resource,
    optional: true,
    listPage: async (apis, request) => {
      const base = { group: GATEWAY_API_GROUP, version, plural: resource, ...page(request) };
      const list = namespaced
        ? request.namespace
          ? apis.custom.listNamespacedCustomObject({ ...base, namespace: request.namespace })
          : apis.custom.listClusterCustomObject(base)
        : apis.custom.listClusterCustomObject(base);
      return (await list) as TypedPage;
    },
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

/** The collection path a watch requests: namespaced kinds narrowed to `namespace` when one is given. */
export function collectionPath(spec: WatchedKindSpec, namespace: string | undefined): string {
  const scope = spec.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${spec.apiPath}${scope}/${spec.resource}`;
}
