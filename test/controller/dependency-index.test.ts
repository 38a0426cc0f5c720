import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1EndpointSlice, V1Ingress, V1IngressClass, V1Node } from '@kubernetes/client-node';
import { DependencyIndex, routingFieldsChanged } from '../../src/controller/dependency-index.js';
import type { Snapshot } from '../../src/sources/snapshot.js';
import { translateAll } from '../../src/translate/index.js';
import { ingressYaml, INGRESS_CLASS_YAML, serviceYaml, snapshotFromYaml, testOptions, type IngressFixture } from '../support/cluster.js';

const GROUP = 'alb.ingress.kubernetes.io/group.name';

function ingress(fixture: IngressFixture): V1Ingress {
  return snapshotFromYaml(ingressYaml(fixture)).ingresses()[0] as V1Ingress;
}

/** A Snapshot from YAML and an index that has seen every Ingress in it, as the kube source would report them. */
function indexed(yaml: string): { snapshot: Snapshot; index: DependencyIndex } {
  const snapshot = snapshotFromYaml(yaml);
  const index = new DependencyIndex({ snapshot, classes: testOptions() });
  for (const each of snapshot.ingresses()) index.onIngress(each);
  return { snapshot, index };
}

/** Replaces an Ingress in the Snapshot and tells the index, as a watch update does. */
function update(setup: { snapshot: Snapshot; index: DependencyIndex }, next: V1Ingress): string[] {
  setup.snapshot.upsert('Ingress', next);
  return setup.index.affectedBy({ kind: 'Ingress', type: 'update', object: next });
}

function translateInto(setup: { snapshot: Snapshot; index: DependencyIndex }): void {
  for (const result of translateAll(setup.snapshot, testOptions()).results) setup.index.onTranslated(result);
}

const web = (overrides: Partial<IngressFixture> = {}): IngressFixture => ({
  name: 'web',
  rules: [{ paths: [{ path: '/', pathType: 'Prefix', service: 'web-svc' }] }],
  ...overrides,
});

describe('DependencyIndex: Ingress changes', () => {
  it('maps an Ingress to its own namespace/name, or to its group name', () => {
    const { index } = indexed(INGRESS_CLASS_YAML);
    assert.deepEqual(index.onIngress(ingress(web())), ['default/web']);
    assert.deepEqual(index.onIngress(ingress(web({ name: 'api', annotations: { [GROUP]: 'shared' } }))), ['shared']);
    assert.deepEqual(index.groupKeys(), ['default/web', 'shared']);
  });

  it('re-queues both the group an Ingress leaves and the one it joins', () => {
    const setup = indexed(INGRESS_CLASS_YAML + ingressYaml(web({ annotations: { [GROUP]: 'blue' } })));
    assert.deepEqual(update(setup, ingress(web({ annotations: { [GROUP]: 'green' } }))), ['blue', 'green']);
    assert.deepEqual(setup.index.groupsForService('default', 'web-svc'), ['green']);
    assert.deepEqual(setup.index.groupKeys(), ['green']);
  });

  it('re-queues the group an Ingress leaves when it moves to another class, and forgets its references', () => {
    const setup = indexed(INGRESS_CLASS_YAML + ingressYaml(web({ annotations: { [GROUP]: 'blue' } })));
    assert.deepEqual(update(setup, ingress(web({ ingressClassName: 'nginx', annotations: { [GROUP]: 'blue' } }))), ['blue']);
    assert.deepEqual(setup.index.groupsForService('default', 'web-svc'), []);
    assert.deepEqual(setup.index.groupKeys(), []);
  });

  it('puts an Ingress with an invalid annotation in no group, as translate rejects it', () => {
    const setup = indexed(INGRESS_CLASS_YAML + ingressYaml(web()));
    assert.deepEqual(update(setup, ingress(web({ annotations: { 'alb.ingress.kubernetes.io/scheme': 'sideways' } }))), ['default/web']);
    assert.deepEqual(setup.index.groupKeys(), []);
  });

  it('re-queues the group of a deleted Ingress once', () => {
    const setup = indexed(INGRESS_CLASS_YAML + ingressYaml(web({ annotations: { [GROUP]: 'blue' } })));
    const gone = setup.snapshot.ingress('default', 'web') as V1Ingress;
    setup.snapshot.remove('Ingress', 'default', 'web');
    assert.deepEqual(setup.index.affectedBy({ kind: 'Ingress', type: 'delete', object: gone }), ['blue']);
    assert.deepEqual(setup.index.onIngressDeleted('default', 'web'), []);
  });

  it('re-resolves every Ingress when an IngressClass appears, and re-queues every group', () => {
    const setup = indexed(ingressYaml(web({ ingressClassName: 'internal' })) + ingressYaml(web({ name: 'other', annotations: { [GROUP]: 'g' } })));
    assert.deepEqual(setup.index.groupKeys(), ['g'], 'class "internal" does not exist yet, so web is not ours');
    const internal: V1IngressClass = { metadata: { name: 'internal' }, spec: { controller: 'ingress-bridge.io/controller' } };
    setup.snapshot.upsert('IngressClass', internal);
    assert.deepEqual(setup.index.affectedBy({ kind: 'IngressClass', type: 'add', object: internal }), ['default/web', 'g']);
    assert.deepEqual(setup.index.groupsForService('default', 'web-svc'), ['default/web', 'g']);
  });
});

describe('DependencyIndex: Services, Secrets and EndpointSlices', () => {
  it('finds the groups whose backends, default backend or forward actions name a Service', () => {
    const actions = JSON.stringify({
      type: 'forward',
      forwardConfig: {
        targetGroups: [
          { serviceName: 'canary', servicePort: 80, weight: 10 },
          { serviceName: 'stable', servicePort: 80, weight: 90 },
        ],
      },
    });
    const setup = indexed(
      INGRESS_CLASS_YAML +
        ingressYaml(web({ name: 'a', annotations: { [GROUP]: 'g1' } })) +
        ingressYaml(web({ name: 'b', annotations: { [GROUP]: 'g1' } })) +
        ingressYaml({ name: 'c', defaultBackend: { service: 'fallback' } }) +
        ingressYaml({
          name: 'd',
          annotations: { 'alb.ingress.kubernetes.io/actions.split': actions },
          rules: [{ paths: [{ path: '/', pathType: 'Prefix', service: 'split', port: 'use-annotation' }] }],
        }),
    );
    assert.deepEqual(setup.index.groupsForService('default', 'web-svc'), ['g1'], 'two members of one group, one key');
    assert.deepEqual(setup.index.groupsForService('default', 'fallback'), ['default/c']);
    assert.deepEqual(setup.index.groupsForService('default', 'canary'), ['default/d']);
    assert.deepEqual(setup.index.groupsForService('default', 'stable'), ['default/d']);
    assert.deepEqual(setup.index.groupsForService('default', 'split'), [], 'use-annotation names an action, not a Service');
    assert.deepEqual(setup.index.groupsForService('other', 'web-svc'), [], 'a Service is looked up in the Ingress namespace');
  });

  it('drops a Service reference when the backend changes', () => {
    const setup = indexed(INGRESS_CLASS_YAML + ingressYaml(web()));
    update(setup, ingress({ name: 'web', rules: [{ paths: [{ path: '/', pathType: 'Prefix', service: 'new-svc' }] }] }));
    assert.deepEqual(setup.index.groupsForService('default', 'web-svc'), []);
    assert.deepEqual(setup.index.affectedBy({ kind: 'Service', type: 'update', object: { metadata: { namespace: 'default', name: 'new-svc' } } }), [
      'default/web',
    ]);
  });

  it('finds the groups whose spec.tls names a Secret', () => {
    const setup = indexed(INGRESS_CLASS_YAML + ingressYaml(web({ tls: [{ hosts: ['a.example.com'], secretName: 'a-tls' }] })));
    assert.deepEqual(setup.index.groupsForSecret('default', 'a-tls'), ['default/web']);
    assert.deepEqual(setup.index.groupsForSecret('default', 'b-tls'), []);
    assert.deepEqual(setup.index.affectedBy({ kind: 'Secret', type: 'delete', object: { metadata: { namespace: 'default', name: 'a-tls' } } }), [
      'default/web',
    ]);
  });

  it('sends EndpointSlice changes to groups reaching the Service with ip targets, not instance-only ones', () => {
    const setup = indexed(
      INGRESS_CLASS_YAML +
        serviceYaml({ name: 'web-svc' }) +
        ingressYaml(web({ name: 'by-ip', annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip' } })) +
        ingressYaml(web({ name: 'by-node' })),
    );
    const slice = setup.snapshot.endpointSlicesOf('default', 'web-svc')[0] as V1EndpointSlice;
    assert.deepEqual(setup.index.groupsForEndpointSlice(slice), ['default/by-ip', 'default/by-node'], 'before any translation, every referencing group');
    translateInto(setup);
    assert.deepEqual(setup.index.affectedBy({ kind: 'EndpointSlice', type: 'update', object: slice, previous: slice }), ['default/by-ip']);
  });

  it('sends an EndpointSlice relabelled to another Service to the groups of both', () => {
    const setup = indexed(
      INGRESS_CLASS_YAML + ingressYaml(web()) + ingressYaml({ name: 'api', rules: [{ paths: [{ path: '/', pathType: 'Prefix', service: 'api-svc' }] }] }),
    );
    const before: V1EndpointSlice = {
      addressType: 'IPv4',
      endpoints: [],
      metadata: { namespace: 'default', name: 's1', labels: { 'kubernetes.io/service-name': 'web-svc' } },
    };
    const after: V1EndpointSlice = {
      addressType: 'IPv4',
      endpoints: [],
      metadata: { namespace: 'default', name: 's1', labels: { 'kubernetes.io/service-name': 'api-svc' } },
    };
    assert.deepEqual(setup.index.affectedBy({ kind: 'EndpointSlice', type: 'update', object: after, previous: before }), ['default/api', 'default/web']);
  });
});

describe('DependencyIndex: Nodes', () => {
  const node = (fields: { ready?: string; heartbeat?: string; providerID?: string; excluded?: boolean; ip?: string } = {}): V1Node => ({
    metadata: { name: 'node-a', ...(fields.excluded ? { labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } } : {}) },
    spec: { providerID: fields.providerID ?? 'aws:///us-east-1a/i-0aaaaaaaaaaaaaaaa' },
    status: {
      conditions: [{ type: 'Ready', status: fields.ready ?? 'True', lastHeartbeatTime: (fields.heartbeat ?? '2026-11-21T10:00:00Z') as unknown as Date }],
      addresses: [{ type: 'InternalIP', address: fields.ip ?? '10.1.0.1' }],
    },
  });
  const setup = (): DependencyIndex => {
    const built = indexed(
      INGRESS_CLASS_YAML +
        serviceYaml({ name: 'web-svc' }) +
        ingressYaml(web({ name: 'by-node' })) +
        ingressYaml(web({ name: 'by-ip', annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip' } })),
    );
    translateInto(built);
    return built.index;
  };

  it('ignores an update that only moves the heartbeat', () => {
    const index = setup();
    assert.deepEqual(index.affectedBy({ kind: 'Node', type: 'update', object: node({ heartbeat: '2026-11-21T10:00:10Z' }), previous: node() }), []);
  });

  it('re-queues the groups with instance targets when a Node becomes NotReady, and only those', () => {
    const index = setup();
    assert.deepEqual(index.groupsWithInstanceTargets(), ['default/by-node']);
    assert.deepEqual(index.affectedBy({ kind: 'Node', type: 'update', object: node({ ready: 'False' }), previous: node() }), ['default/by-node']);
  });

  it('counts providerID, address and exclusion-label changes, additions and deletions', () => {
    const index = setup();
    for (const changed of [node({ providerID: 'aws:///us-east-1b/i-0bbbbbbbbbbbbbbbb' }), node({ ip: '10.1.0.2' }), node({ excluded: true })]) {
      assert.deepEqual(index.groupsForNode(changed, node()), ['default/by-node']);
    }
    assert.deepEqual(index.affectedBy({ kind: 'Node', type: 'add', object: node() }), ['default/by-node']);
    assert.deepEqual(index.affectedBy({ kind: 'Node', type: 'delete', object: node() }), ['default/by-node']);
  });

  it('forgets a group whose translation yields no load balancer', () => {
    const index = setup();
    index.onTranslated({ stackId: 'default/by-node' });
    assert.deepEqual(index.groupsWithInstanceTargets(), []);
  });
});

describe('Ingress updates that change nothing translate reads', () => {
  it('status, finalizer and resourceVersion changes re-queue nothing; spec, annotation and deletion changes do', () => {
    const base = {
      metadata: { name: 'web', namespace: 'default', generation: 1, resourceVersion: '1', annotations: { a: '1' } },
      spec: { ingressClassName: 'x' },
    };
    const changed = (patch: object): typeof base => JSON.parse(JSON.stringify({ ...base, ...patch })) as typeof base;
    assert.equal(routingFieldsChanged(base, changed({ status: { loadBalancer: { ingress: [{ hostname: 'h' }] } } })), false);
    const reordered = {
      metadata: { annotations: { a: '1' }, resourceVersion: '3', namespace: 'default', name: 'web', generation: 1 },
      spec: { ingressClassName: 'x' },
    };
    assert.equal(routingFieldsChanged(base, reordered), false, 'a listed and a watched copy differ only in key order');
    assert.equal(
      routingFieldsChanged(base, changed({ metadata: { ...base.metadata, resourceVersion: '2', finalizers: ['ingress-bridge.io/finalizer'] } })),
      false,
    );
    assert.equal(routingFieldsChanged(base, changed({ metadata: { ...base.metadata, generation: 2 }, spec: { ingressClassName: 'y' } })), true);
    assert.equal(routingFieldsChanged(base, changed({ metadata: { ...base.metadata, annotations: { a: '2' } } })), true);
    assert.equal(routingFieldsChanged(base, changed({ metadata: { ...base.metadata, deletionTimestamp: '2026-11-21T00:00:00Z' } })), true);
  });
});
