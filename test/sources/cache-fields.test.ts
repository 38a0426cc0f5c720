/**
 * What the informer caches keep of each kind (cache-fields.ts, through kube-objects.ts
 * trimForCache): the fields the controller reads, not what a real API server also sends —
 * managedFields, kubectl's last-applied copy, a Node's images and inventory, heartbeat times,
 * endpoint hints — since every object stays in memory for the life of the process (issue 12).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LAST_APPLIED_ANNOTATION } from '../../src/sources/cache-fields.js';
import { trimForCache } from '../../src/sources/kube-objects.js';

const MANAGED_FIELDS = [
  {
    manager: 'kubectl-client-side-apply',
    operation: 'Update',
    apiVersion: 'v1',
    time: '2026-11-01T10:00:00Z',
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:metadata': { 'f:labels': {} } },
  },
];

/** Identity and bookkeeping as the API server sends them. */
const IDENTITY = { name: 'x', namespace: 'team-a', uid: 'u-1', resourceVersion: '42', generation: 3, creationTimestamp: '2026-11-01T10:00:00Z' };
/** What the kinds counted in thousands keep of it: no uid, generation or creationTimestamp. */
const NAMED = { name: 'x', namespace: 'team-a', resourceVersion: '42' };

function served(kind: string, apiVersion: string, rest: Record<string, unknown>, metadata: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion,
    kind,
    metadata: {
      ...IDENTITY,
      ...metadata,
      managedFields: MANAGED_FIELDS,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d9', uid: 'rs-1', controller: true }],
      selfLink: '/api/v1/namespaces/team-a/x',
    },
    ...rest,
  };
}

describe('the informer caches keep what the controller reads', () => {
  it('an Ingress: everything but managedFields, owner references and the last-applied copy; its other annotations stay', () => {
    const spec = {
      ingressClassName: 'ingress-bridge',
      rules: [{ host: 'a.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }],
    };
    const annotations = { 'alb.ingress.kubernetes.io/scheme': 'internet-facing', 'ingress-bridge.io/group.name': 'g' };
    const ingress = served(
      'Ingress',
      'networking.k8s.io/v1',
      { spec, status: { loadBalancer: { ingress: [{ hostname: 'lb.example.com' }] } } },
      {
        annotations: { ...annotations, [LAST_APPLIED_ANNOTATION]: JSON.stringify({ spec }) },
        labels: { app: 'web' },
        finalizers: ['ingress-bridge.io/finalizer'],
      },
    );
    assert.deepEqual(trimForCache(structuredClone(ingress)), {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { ...IDENTITY, annotations, labels: { app: 'web' }, finalizers: ['ingress-bridge.io/finalizer'] },
      spec,
      status: { loadBalancer: { ingress: [{ hostname: 'lb.example.com' }] } },
    });
  });

  it('a Node: name, labels, providerID, condition types and statuses, addresses — nothing of its inventory', () => {
    const node = served(
      'Node',
      'v1',
      {
        spec: { providerID: 'aws:///us-east-1a/i-0abc', podCIDR: '10.0.1.0/24', taints: [{ key: 'example', effect: 'NoSchedule' }] },
        status: {
          conditions: [
            {
              type: 'MemoryPressure',
              status: 'False',
              lastHeartbeatTime: '2026-11-01T10:00:00Z',
              lastTransitionTime: '2026-11-01T09:00:00Z',
              reason: 'KubeletHasSufficientMemory',
              message: 'kubelet has sufficient memory available',
            },
            {
              type: 'Ready',
              status: 'True',
              lastHeartbeatTime: '2026-11-01T10:00:00Z',
              lastTransitionTime: '2026-11-01T09:00:00Z',
              reason: 'KubeletReady',
              message: 'kubelet is posting ready status',
            },
          ],
          addresses: [
            { type: 'InternalIP', address: '10.0.1.5' },
            { type: 'Hostname', address: 'ip-10-0-1-5' },
          ],
          images: [{ names: ['registry.example.com/app@sha256:abc'], sizeBytes: 123456789 }],
          nodeInfo: { kubeletVersion: 'v1.31.0', osImage: 'Bottlerocket', machineID: 'm', systemUUID: 's', bootID: 'b' },
          capacity: { cpu: '4', memory: '16Gi', pods: '110' },
          allocatable: { cpu: '3920m', memory: '15Gi', pods: '110' },
          daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
          volumesAttached: [{ name: 'kubernetes.io/csi/ebs^vol-1', devicePath: '' }],
        },
      },
      {
        labels: { 'topology.kubernetes.io/zone': 'us-east-1a' },
        annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'csi.volume.kubernetes.io/nodeid': '{"ebs.csi.aws.com":"i-0abc"}' },
      },
    );
    // Nodes are cluster-scoped.
    Reflect.deleteProperty(node.metadata as object, 'namespace');
    assert.deepEqual(trimForCache(structuredClone(node)), {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'x', resourceVersion: '42', labels: { 'topology.kubernetes.io/zone': 'us-east-1a' } },
      spec: { providerID: 'aws:///us-east-1a/i-0abc' },
      status: {
        conditions: [
          { type: 'MemoryPressure', status: 'False' },
          { type: 'Ready', status: 'True' },
        ],
        addresses: [
          { type: 'InternalIP', address: '10.0.1.5' },
          { type: 'Hostname', address: 'ip-10-0-1-5' },
        ],
      },
    });
  });

  it("an EndpointSlice: its name and labels; per endpoint its addresses, conditions, node, zone and the targetRef's identity", () => {
    const slice = served(
      'EndpointSlice',
      'discovery.k8s.io/v1',
      {
        addressType: 'IPv4',
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        endpoints: [
          {
            addresses: ['10.64.0.1'],
            conditions: { ready: true, serving: true, terminating: false },
            hostname: 'web-0',
            nodeName: 'node-a',
            zone: 'us-east-1a',
            hints: { forZones: [{ name: 'us-east-1a' }] },
            deprecatedTopology: { 'kubernetes.io/hostname': 'node-a' },
            targetRef: { kind: 'Pod', namespace: 'team-a', name: 'web-0', uid: 'pod-1', resourceVersion: '77' },
          },
        ],
      },
      { labels: { 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } },
    );
    const trimmed = trimForCache(structuredClone(slice));
    assert.deepEqual(trimmed?.endpoints, [
      {
        addresses: ['10.64.0.1'],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: 'node-a',
        zone: 'us-east-1a',
        targetRef: { kind: 'Pod', namespace: 'team-a', name: 'web-0', uid: 'pod-1' },
      },
    ]);
    assert.deepEqual(
      [trimmed?.addressType, trimmed?.ports, trimmed?.metadata],
      [
        'IPv4',
        [{ name: 'http', port: 8080, protocol: 'TCP' }],
        { ...NAMED, labels: { 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } },
      ],
    );
  });

  it('a Service: its name, spec and annotations, not its status', () => {
    const spec = {
      type: 'NodePort',
      selector: { app: 'web' },
      ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080, protocol: 'TCP' }],
      clusterIP: '172.20.0.10',
    };
    const service = served(
      'Service',
      'v1',
      { spec, status: { loadBalancer: {} } },
      { annotations: { 'alb.ingress.kubernetes.io/healthcheck-path': '/healthz', [LAST_APPLIED_ANNOTATION]: '{}' } },
    );
    assert.deepEqual(trimForCache(structuredClone(service)), {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { ...NAMED, annotations: { 'alb.ingress.kubernetes.io/healthcheck-path': '/healthz' } },
      spec,
    });
  });

  it('a TLS Secret: its data, without the last-applied copy that repeats it', () => {
    const data = { 'tls.crt': 'Y2VydA==', 'tls.key': 'a2V5' };
    const secret = served('Secret', 'v1', { type: 'kubernetes.io/tls', data }, { annotations: { [LAST_APPLIED_ANNOTATION]: JSON.stringify({ data }) } });
    assert.deepEqual(trimForCache(structuredClone(secret)), {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { ...NAMED, annotations: {} },
      type: 'kubernetes.io/tls',
      data,
    });
  });

  it('a Pod: identity, readiness gates, Pod IP and conditions', () => {
    const pod = served(
      'Pod',
      'v1',
      {
        spec: {
          containers: [{ name: 'app', image: 'registry.example.com/app:1', env: [{ name: 'A', value: 'b' }] }],
          readinessGates: [{ conditionType: 'target-health.ingress-bridge.io/x' }],
          nodeName: 'node-a',
        },
        status: {
          phase: 'Running',
          podIP: '10.64.0.1',
          podIPs: [{ ip: '10.64.0.1' }],
          conditions: [{ type: 'Ready', status: 'False' }],
          containerStatuses: [{ name: 'app', ready: true }],
        },
      },
      { labels: { app: 'web' } },
    );
    assert.deepEqual(trimForCache(structuredClone(pod)), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'x', namespace: 'team-a', uid: 'u-1', resourceVersion: '42' },
      spec: { readinessGates: [{ conditionType: 'target-health.ingress-bridge.io/x' }] },
      status: { podIP: '10.64.0.1', conditions: [{ type: 'Ready', status: 'False' }] },
    });
  });

  it('leaves the object it was given as it was, and refuses what the cache could not hold', () => {
    const node = served('Node', 'v1', { status: { images: [{ names: ['a'] }] } });
    const before = structuredClone(node);
    trimForCache(node);
    assert.deepEqual(node, before);
    assert.deepEqual([trimForCache(null), trimForCache({ metadata: {} }), trimForCache([])], [undefined, undefined, undefined]);
  });
});
