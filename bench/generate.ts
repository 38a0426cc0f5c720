/**
 * The generated cluster, deterministic for a size and a seed. Ingresses come in groups (one load
 * balancer each), spread over one namespace per group; every Ingress has two Prefix paths on its
 * group's TLS host, each to a Service of its own, so every Service is one target group. Every fourth
 * group uses instance targets (the Service's NodePort on every Node), the others ip targets (the
 * ready endpoints of the Service's EndpointSlice).
 * @module
 */
import type { KubeObject } from '../fakes/kube/index.js';
import { pick, seededRandom } from './random.js';

export type SizeName = 'S' | 'M' | 'L';

export interface SizeSpec {
  ingresses: number;
  groups: number;
  endpoints: number;
  nodes: number;
}

export const PATHS_PER_INGRESS = 2;

/** L is the figure: 1,000 Ingresses in 40 groups, 2,000 Services, 20,000 endpoints, 200 Nodes, 40 Secrets. */
export const SIZES: Readonly<Record<SizeName, SizeSpec>> = {
  S: { ingresses: 40, groups: 4, endpoints: 800, nodes: 20 },
  M: { ingresses: 200, groups: 10, endpoints: 4_000, nodes: 50 },
  L: { ingresses: 1_000, groups: 40, endpoints: 20_000, nodes: 200 },
};

export interface GeneratedNode {
  name: string;
  instanceId: string;
  ip: string;
}

export interface GeneratedService {
  namespace: string;
  name: string;
  targetType: 'ip' | 'instance';
  endpoints: string[];
}

export interface GeneratedIngress {
  namespace: string;
  name: string;
  group: string;
  targetType: 'ip' | 'instance';
  paths: { path: string; service: string }[];
}

export interface Cluster {
  size: SizeName;
  nodes: GeneratedNode[];
  services: GeneratedService[];
  ingresses: GeneratedIngress[];
  secrets: { namespace: string; name: string; host: string }[];
  /** Fresh endpoint addresses, never used before in this cluster. */
  nextAddress(): string;
}

export const CERTIFICATE_DOMAIN = 'bench.test';
const pad = (value: number, width: number): string => String(value).padStart(width, '0');

export function generateCluster(size: SizeName, seed: number): Cluster {
  const spec = SIZES[size];
  const random = seededRandom(seed);
  let addressCounter = 0;
  // 10.64.0.0/10 and up: private, outside the cluster VPC's node range.
  const nextAddress = (): string => {
    const n = addressCounter++;
    return `10.${64 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
  };
  const nodes = Array.from({ length: spec.nodes }, (_, index) => ({
    name: `node-${pad(index, 3)}`,
    instanceId: `i-0${index.toString(16).padStart(16, '0')}`,
    ip: `10.0.${32 + Math.floor(index / 250)}.${1 + (index % 250)}`,
  }));
  const groupOf = (index: number): number => Math.floor((index * spec.groups) / spec.ingresses);
  const targetTypeOf = (group: number): 'ip' | 'instance' => (group % 4 === 3 ? 'instance' : 'ip');
  const ingresses: GeneratedIngress[] = [];
  const services: GeneratedService[] = [];
  for (let index = 0; index < spec.ingresses; index += 1) {
    const group = groupOf(index);
    const namespace = `team-${pad(group, 2)}`;
    const targetType = targetTypeOf(group);
    const paths = Array.from({ length: PATHS_PER_INGRESS }, (_, path) => ({
      path: `/i${pad(index, 4)}/${'ab'[path]}`,
      service: `svc-${pad(index, 4)}-${'ab'[path]}`,
    }));
    ingresses.push({ namespace, name: `ing-${pad(index, 4)}`, group: `g-${pad(group, 2)}`, targetType, paths });
    for (const { service } of paths) services.push({ namespace, name: service, targetType, endpoints: [] });
  }
  // Endpoints: an even share per Service, the remainder to Services picked by the seed.
  const share = Math.floor(spec.endpoints / services.length);
  for (const service of services) service.endpoints = Array.from({ length: share }, nextAddress);
  for (let extra = share * services.length; extra < spec.endpoints; extra += 1) services[pick(random, services.length)]?.endpoints.push(nextAddress());
  const secrets = Array.from({ length: spec.groups }, (_, group) => ({
    namespace: `team-${pad(group, 2)}`,
    name: `tls-${pad(group, 2)}`,
    host: `g${pad(group, 2)}.${CERTIFICATE_DOMAIN}`,
  }));
  return { size, nodes, services, ingresses, secrets, nextAddress };
}

export function hostOf(ingress: GeneratedIngress): string {
  return `g${ingress.group.slice(2)}.${CERTIFICATE_DOMAIN}`;
}

/** Every Kubernetes object of the cluster, in an order that creates each object's dependencies first. */
export function clusterObjects(cluster: Cluster, certificate: { certificatePem: string; privateKeyPem: string }): KubeObject[] {
  return [
    { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'ingress-bridge' }, spec: { controller: 'ingress-bridge.io/controller' } },
    ...cluster.nodes.map(nodeObject),
    ...cluster.secrets.map((secret) => secretObject(secret, certificate)),
    ...cluster.services.flatMap((service, index) => [serviceObject(service, index), endpointSliceObject(service, cluster.nodes)]),
    ...cluster.ingresses.map((ingress) => ingressObject(ingress)),
  ];
}

function nodeObject(node: GeneratedNode): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: node.name },
    spec: { providerID: `aws:///us-east-1a/${node.instanceId}` },
    status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: node.ip }] },
  };
}

function secretObject(secret: Cluster['secrets'][number], certificate: { certificatePem: string; privateKeyPem: string }): KubeObject {
  const base64 = (text: string): string => Buffer.from(text).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: secret.name, namespace: secret.namespace },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': base64(certificate.certificatePem), 'tls.key': base64(certificate.privateKeyPem) },
  };
}

function serviceObject(service: GeneratedService, index: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: service.name, namespace: service.namespace },
    spec: {
      type: 'NodePort',
      selector: { app: service.name },
      ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30000 + (index % 2700), protocol: 'TCP' }],
    },
  };
}

export function endpointSliceObject(service: GeneratedService, nodes: readonly GeneratedNode[]): KubeObject {
  const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${service.name}-1`,
      namespace: service.namespace,
      labels: { 'kubernetes.io/service-name': service.name, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
    },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: service.endpoints.map((address, index) => ({
      addresses: [address],
      conditions: { ready: true },
      zone: zones[index % zones.length],
      nodeName: nodes[(index * 7 + service.name.length) % nodes.length]?.name,
    })),
  };
}

export function ingressObject(ingress: GeneratedIngress): KubeObject {
  const host = hostOf(ingress);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: ingress.name,
      namespace: ingress.namespace,
      annotations: { 'ingress-bridge.io/group.name': ingress.group, 'ingress-bridge.io/target-type': ingress.targetType },
    },
    spec: {
      ingressClassName: 'ingress-bridge',
      tls: [{ hosts: [host], secretName: `tls-${ingress.group.slice(2)}` }],
      rules: [
        {
          host,
          http: {
            paths: ingress.paths.map(({ path, service }) => ({ path, pathType: 'Prefix', backend: { service: { name: service, port: { number: 80 } } } })),
          },
        },
      ],
    },
  };
}

/** Ingresses, Services, EndpointSlices, Nodes and Secrets: what bytes per object divides by. */
export function objectCount(cluster: Cluster): number {
  return cluster.ingresses.length + 2 * cluster.services.length + cluster.nodes.length + cluster.secrets.length;
}
