/**
 * The Gateway API kinds ingress-bridge reads (gateway.networking.k8s.io, standard channel): their
 * fields as far as translate uses them. client-node has no types for custom resources, so they are
 * declared here, after the API reference (v1; ReferenceGrant also at v1beta1). Every field is
 * optional: the manifest reader checks shapes, translate checks meaning and reports what is missing.
 * @module
 */
import type { V1LabelSelector, V1ObjectMeta } from '@kubernetes/client-node';

export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

export type GatewayKind = 'GatewayClass' | 'Gateway' | 'HTTPRoute' | 'GRPCRoute' | 'ReferenceGrant';

export const GATEWAY_KINDS: readonly GatewayKind[] = ['GatewayClass', 'Gateway', 'HTTPRoute', 'GRPCRoute', 'ReferenceGrant'];

/** The versions each kind is read at, preferred first (a cluster may serve ReferenceGrant only at v1beta1). */
export const GATEWAY_API_VERSIONS: Readonly<Record<GatewayKind, readonly string[]>> = {
  GatewayClass: [`${GATEWAY_API_GROUP}/v1`],
  Gateway: [`${GATEWAY_API_GROUP}/v1`],
  HTTPRoute: [`${GATEWAY_API_GROUP}/v1`],
  GRPCRoute: [`${GATEWAY_API_GROUP}/v1`],
  ReferenceGrant: [`${GATEWAY_API_GROUP}/v1`, `${GATEWAY_API_GROUP}/v1beta1`],
};

/** A status condition as metav1.Condition defines it. */
export interface GatewayCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

interface GatewayApiObject<Spec, Status> {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec?: Spec;
  status?: Status;
}

export interface ParametersReference {
  group?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

export type GatewayClass = GatewayApiObject<
  { controllerName?: string; parametersRef?: ParametersReference; description?: string },
  { conditions?: GatewayCondition[] }
>;

export interface SecretObjectReference {
  group?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

export interface RouteGroupKind {
  group?: string;
  kind?: string;
}

export interface GatewayListener {
  name?: string;
  hostname?: string;
  port?: number;
  protocol?: string;
  tls?: { mode?: string; certificateRefs?: SecretObjectReference[]; options?: Record<string, string> };
  allowedRoutes?: {
    namespaces?: { from?: string; selector?: V1LabelSelector };
    kinds?: RouteGroupKind[];
  };
}

export interface GatewayStatusAddress {
  type?: string;
  value: string;
}

export interface ListenerStatus {
  name: string;
  supportedKinds: RouteGroupKind[];
  attachedRoutes: number;
  conditions: GatewayCondition[];
}

export type Gateway = GatewayApiObject<
  { gatewayClassName?: string; listeners?: GatewayListener[]; addresses?: { type?: string; value?: string }[] },
  { addresses?: GatewayStatusAddress[]; conditions?: GatewayCondition[]; listeners?: ListenerStatus[] }
>;

export interface ParentReference {
  group?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  sectionName?: string;
  port?: number;
}

export interface BackendReference {
  group?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  port?: number;
  weight?: number;
  filters?: HttpRouteFilter[];
}

export interface HttpHeaderMatch {
  type?: string;
  name?: string;
  value?: string;
}

export interface HttpRouteMatch {
  path?: { type?: string; value?: string };
  headers?: HttpHeaderMatch[];
  queryParams?: HttpHeaderMatch[];
  method?: string;
}

export interface HttpPathModifier {
  type?: string;
  replaceFullPath?: string;
  replacePrefixMatch?: string;
}

export interface HttpRouteFilter {
  type?: string;
  requestRedirect?: { scheme?: string; hostname?: string; path?: HttpPathModifier; port?: number; statusCode?: number };
  urlRewrite?: { hostname?: string; path?: HttpPathModifier };
  requestHeaderModifier?: unknown;
  responseHeaderModifier?: unknown;
  requestMirror?: unknown;
  extensionRef?: unknown;
  cors?: unknown;
}

export interface HttpRouteRule {
  name?: string;
  matches?: HttpRouteMatch[];
  filters?: HttpRouteFilter[];
  backendRefs?: BackendReference[];
  timeouts?: unknown;
  retry?: unknown;
  sessionPersistence?: unknown;
}

export interface RouteParentStatus {
  parentRef: ParentReference;
  controllerName: string;
  conditions: GatewayCondition[];
}

export interface RouteStatus {
  parents?: RouteParentStatus[];
}

export type HTTPRoute = GatewayApiObject<{ parentRefs?: ParentReference[]; hostnames?: string[]; rules?: HttpRouteRule[] }, RouteStatus>;

export interface GrpcMethodMatch {
  type?: string;
  service?: string;
  method?: string;
}

export interface GrpcRouteRule {
  name?: string;
  matches?: { method?: GrpcMethodMatch; headers?: HttpHeaderMatch[] }[];
  filters?: HttpRouteFilter[];
  backendRefs?: BackendReference[];
  sessionPersistence?: unknown;
}

export type GRPCRoute = GatewayApiObject<{ parentRefs?: ParentReference[]; hostnames?: string[]; rules?: GrpcRouteRule[] }, RouteStatus>;

export type ReferenceGrant = GatewayApiObject<
  {
    from?: { group?: string; kind?: string; namespace?: string }[];
    to?: { group?: string; kind?: string; name?: string }[];
  },
  never
>;

export interface GatewayKindToObject {
  GatewayClass: GatewayClass;
  Gateway: Gateway;
  HTTPRoute: HTTPRoute;
  GRPCRoute: GRPCRoute;
  ReferenceGrant: ReferenceGrant;
}
