/**
 * The other actors of a rollout, played on the Kubernetes API fake for the readiness-gate tests: the
 * ReplicaSet controller creates a Service's Pods through the API (so the API server calls the
 * admission webhook), the kubelet reports their address and readiness, and the EndpointSlice
 * controller lists them as endpoints (not ready while a gate holds them back).
 * @module
 */
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import type { KubeFake, KubeObject } from '../../fakes/kube/index.js';

/** A Service selecting the Pods `app: <name>` on port `http` 8080, as selectingServiceYaml writes it. */
export interface SelectingService {
  namespace: string;
  name: string;
}

export interface Endpoint {
  pod: string;
  ip: string;
  ready: boolean;
}

export interface PodCondition {
  type?: string;
  status?: string;
  reason?: string;
}

/** The EndpointSlice the EndpointSlice controller keeps for the Service. */
export function endpointSlice(service: SelectingService, endpoints: readonly Endpoint[]): KubeObject {
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
    endpoints: endpoints.map(({ pod, ip, ready }) => ({
      addresses: [ip],
      conditions: { ready, serving: ready, terminating: false },
      targetRef: { kind: 'Pod', namespace: service.namespace, name: pod },
      zone: 'us-east-1a',
    })),
  };
}

/** The Pods of one Service and their endpoints, as the cluster's own controllers and the kubelet would move them. */
export class PodRollout {
  private readonly endpoints: Endpoint[] = [];

  constructor(
    private readonly kube: KubeFake,
    private readonly service: SelectingService,
  ) {}

  /** The EndpointSlice controller writes the Service's slice as it stands. */
  publishEndpoints(): void {
    this.kube.apply(endpointSlice(this.service, this.endpoints));
  }

  /** The ReplicaSet controller creates the Pod through the API; the kubelet starts it; the EndpointSlice controller lists it, not ready. */
  async startPod(name: string, ip: string): Promise<V1Pod> {
    const { namespace, name: app } = this.service;
    const created = await this.kube
      .adminKubeConfig()
      .makeApiClient(CoreV1Api)
      .createNamespacedPod({ namespace, body: { metadata: { name, labels: { app } }, spec: { containers: [{ name: app, image: app }] } } });
    this.kube.patch('pods', namespace, name, {
      status: {
        podIP: ip,
        conditions: [
          { type: 'ContainersReady', status: 'True' },
          { type: 'Ready', status: 'False' },
        ],
      },
    });
    this.endpoints.push({ pod: name, ip, ready: false });
    this.publishEndpoints();
    return created;
  }

  /** The kubelet sees every readiness gate True: the Pod is Ready, and its endpoint with it. */
  podReady(name: string): void {
    const conditions = this.conditions(name).map((condition) => (condition.type === 'Ready' ? { ...condition, status: 'True' } : condition));
    this.kube.patch('pods', this.service.namespace, name, { status: { conditions } });
    for (const endpoint of this.endpoints) if (endpoint.pod === name) endpoint.ready = true;
    this.publishEndpoints();
  }

  /** The Pod's condition of `type` (a readiness gate's, say), if it has one. */
  condition(pod: string, type: string | undefined): PodCondition | undefined {
    return this.conditions(pod).find((condition) => condition.type === type);
  }

  private conditions(pod: string): PodCondition[] {
    const status = this.kube.get('pods', this.service.namespace, pod)?.status as { conditions?: PodCondition[] } | undefined;
    return status?.conditions ?? [];
  }
}
