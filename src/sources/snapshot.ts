/**
 * The in-memory view of the cluster objects the controller reads. The manifest source and the kube
 * informers fill it the same way (`upsert` / `remove`); translate only reads it (`SnapshotView`).
 * @module
 */
import type {
  V1EndpointSlice,
  V1Ingress,
  V1IngressClass,
  V1LabelSelector,
  V1Namespace,
  V1Node,
  V1ObjectMeta,
  V1Pod,
  V1Secret,
  V1Service,
} from '@kubernetes/client-node';
import {
  GATEWAY_KINDS,
  type GatewayClass,
  type GatewayKind,
  type GatewayKindToObject,
  type Gateway,
  type GRPCRoute,
  type HTTPRoute,
  type ReferenceGrant,
} from './gateway-kinds.js';

export type WatchedKind =
  'Ingress' | 'IngressClass' | 'IngressClassParams' | 'Namespace' | 'Service' | 'EndpointSlice' | 'Node' | 'Secret' | 'Pod' | GatewayKind;

export const WATCHED_KINDS: readonly WatchedKind[] = [
  'Ingress',
  'IngressClass',
  'IngressClassParams',
  'Namespace',
  'Service',
  'EndpointSlice',
  'Node',
  'Secret',
  'Pod',
  ...GATEWAY_KINDS,
];

/** The API group of our own kinds (IngressClassParams). */
export const OWN_API_GROUP = 'ingress-bridge.io';

/**
 * What the cluster operator decides for the Ingresses of one IngressClass (cluster-scoped,
 * `ingress-bridge.io/v1`, named by the IngressClass's `spec.parameters`). Field names are
 * aws-load-balancer-controller's IngressClassParams', so its objects port by changing the apiVersion.
 * Values are checked by translate (ingress-class-params.ts), not here.
 */
export interface IngressClassParamsSpec {
  /** Which namespaces may use the class; their Ingresses may then share groups across namespaces. */
  namespaceSelector?: V1LabelSelector;
  /** Every Ingress of the class is in this group, whatever its own group.name. */
  group?: { name?: string };
  scheme?: string;
  ipAddressType?: string;
  inboundCIDRs?: string[];
  sslPolicy?: string;
  subnets?: { ids?: string[] };
  tags?: { key?: string; value?: string }[];
  loadBalancerAttributes?: { key?: string; value?: string }[];
}

export interface IngressClassParams {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec?: IngressClassParamsSpec;
}

export interface KindToObject extends GatewayKindToObject {
  Ingress: V1Ingress;
  IngressClass: V1IngressClass;
  IngressClassParams: IngressClassParams;
  Namespace: V1Namespace;
  Service: V1Service;
  EndpointSlice: V1EndpointSlice;
  Node: V1Node;
  Secret: V1Secret;
  /** Held only in part (kube-objects.ts): identity, readiness gates, address and conditions. */
  Pod: V1Pod;
}

export type WatchedObject = KindToObject[WatchedKind];

/** Where an object was read from, when it came from a manifest file. */
export interface ObjectSource {
  file: string;
  document: number;
}

/** The label that ties an EndpointSlice to its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface SnapshotView {
  ingresses(): V1Ingress[];
  ingress(namespace: string, name: string): V1Ingress | undefined;
  ingressClasses(): V1IngressClass[];
  ingressClassParams(name: string): IngressClassParams | undefined;
  /** A Namespace object, when the source has it (the kube source watches them; manifests may define them). */
  namespace(name: string): V1Namespace | undefined;
  service(namespace: string, name: string): V1Service | undefined;
  /** The EndpointSlices labelled for one Service. */
  endpointSlicesOf(namespace: string, service: string): V1EndpointSlice[];
  nodes(): V1Node[];
  secret(namespace: string, name: string): V1Secret | undefined;
  /** A Pod, as far as the source keeps it: an EndpointSlice endpoint's targetRef names it. */
  pod(namespace: string, name: string): V1Pod | undefined;
  /** Gateway API objects (gateway-kinds.ts); empty where the cluster serves no Gateway API. */
  gatewayClasses(): GatewayClass[];
  gateways(): Gateway[];
  httpRoutes(): HTTPRoute[];
  grpcRoutes(): GRPCRoute[];
  referenceGrants(): ReferenceGrant[];
  /** The manifest file an object came from, for diagnostics; undefined for cluster objects. */
  sourceOf(kind: WatchedKind, namespace: string | undefined, name: string): ObjectSource | undefined;
}

/** `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export class Snapshot implements SnapshotView {
  private readonly byKind = new Map<WatchedKind, Map<string, WatchedObject>>(WATCHED_KINDS.map((kind) => [kind, new Map()]));
  /** `namespace/service` → EndpointSlice keys, kept in step with upsert/remove. */
  private readonly slicesByService = new Map<string, Set<string>>();
  private readonly sources = new Map<string, ObjectSource>();

  upsert<K extends WatchedKind>(kind: K, object: KindToObject[K], source?: ObjectSource): void {
    const key = objectKey(object.metadata?.namespace, object.metadata?.name ?? '');
    if (kind === 'EndpointSlice') this.unindexSlice(key);
    this.table(kind).set(key, object);
    if (kind === 'EndpointSlice') this.indexSlice(key, object as V1EndpointSlice);
    const sourceKey = `${kind}:${key}`;
    if (source) this.sources.set(sourceKey, source);
    else this.sources.delete(sourceKey);
  }

  remove(kind: WatchedKind, namespace: string | undefined, name: string): void {
    const key = objectKey(namespace, name);
    if (kind === 'EndpointSlice') this.unindexSlice(key);
    this.table(kind).delete(key);
    this.sources.delete(`${kind}:${key}`);
  }

  get<K extends WatchedKind>(kind: K, namespace: string | undefined, name: string): KindToObject[K] | undefined {
    return this.table(kind).get(objectKey(namespace, name)) as KindToObject[K] | undefined;
  }

  list<K extends WatchedKind>(kind: K): KindToObject[K][] {
    return [...this.table(kind).values()] as KindToObject[K][];
  }

  size(): number {
    let total = 0;
    for (const table of this.byKind.values()) total += table.size;
    return total;
  }

  ingresses(): V1Ingress[] {
    return this.list('Ingress');
  }

  ingress(namespace: string, name: string): V1Ingress | undefined {
    return this.get('Ingress', namespace, name);
  }

  ingressClasses(): V1IngressClass[] {
    return this.list('IngressClass');
  }

  ingressClassParams(name: string): IngressClassParams | undefined {
    return this.get('IngressClassParams', undefined, name);
  }

  namespace(name: string): V1Namespace | undefined {
    return this.get('Namespace', undefined, name);
  }

  service(namespace: string, name: string): V1Service | undefined {
    return this.get('Service', namespace, name);
  }

  endpointSlicesOf(namespace: string, service: string): V1EndpointSlice[] {
    const keys = this.slicesByService.get(objectKey(namespace, service));
    if (!keys) return [];
    const slices = this.table('EndpointSlice');
    return [...keys].sort().map((key) => slices.get(key) as V1EndpointSlice);
  }

  nodes(): V1Node[] {
    return this.list('Node');
  }

  secret(namespace: string, name: string): V1Secret | undefined {
    return this.get('Secret', namespace, name);
  }

  pod(namespace: string, name: string): V1Pod | undefined {
    return this.get('Pod', namespace, name);
  }

  gatewayClasses(): GatewayClass[] {
    return this.list('GatewayClass');
  }

  gateways(): Gateway[] {
    return this.list('Gateway');
  }

  httpRoutes(): HTTPRoute[] {
    return this.list('HTTPRoute');
  }

  grpcRoutes(): GRPCRoute[] {
    return this.list('GRPCRoute');
  }

  referenceGrants(): ReferenceGrant[] {
    return this.list('ReferenceGrant');
  }

  sourceOf(kind: WatchedKind, namespace: string | undefined, name: string): ObjectSource | undefined {
    return this.sources.get(`${kind}:${objectKey(namespace, name)}`);
  }

  private table(kind: WatchedKind): Map<string, WatchedObject> {
    return this.byKind.get(kind) as Map<string, WatchedObject>;
  }

  private indexSlice(key: string, slice: V1EndpointSlice): void {
    const service = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!service) return;
    const serviceKey = objectKey(slice.metadata?.namespace, service);
    let keys = this.slicesByService.get(serviceKey);
    if (!keys) this.slicesByService.set(serviceKey, (keys = new Set()));
    keys.add(key);
  }

  private unindexSlice(key: string): void {
    const previous = this.table('EndpointSlice').get(key) as V1EndpointSlice | undefined;
    const service = previous?.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!previous || !service) return;
    const serviceKey = objectKey(previous.metadata?.namespace, service);
    const keys = this.slicesByService.get(serviceKey);
    keys?.delete(key);
    if (keys?.size === 0) this.slicesByService.delete(serviceKey);
  }
}
