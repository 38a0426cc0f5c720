/**
 * The dependency index for the target fast path: an EndpointSlice, Node or Pod change names the
 * target groups it feeds, stack by stack (IngressGroups and Gateways alike), from each stack's
 * latest translation; what it cannot name is reconciled whole.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1EndpointSlice, V1Node, V1Pod } from '@kubernetes/client-node';
import { DependencyIndex } from '../../src/controller/dependency-index.js';
import { translateAll } from '../../src/translate/index.js';
import { ingressYaml, INGRESS_CLASS_YAML, serviceYaml, snapshotFromYaml, testOptions } from '../support/cluster.js';
import { GATEWAY_CLASS_YAML, gatewayYaml } from '../support/gateway.js';

const IP = { 'alb.ingress.kubernetes.io/target-type': 'ip' };
const GROUP = 'alb.ingress.kubernetes.io/group.name';

function setup(translated: boolean) {
  const snapshot = snapshotFromYaml(
    INGRESS_CLASS_YAML +
      serviceYaml({ name: 'web' }) +
      serviceYaml({ name: 'api', endpoints: ['10.0.0.2'] }) +
      ingressYaml({ name: 'a', annotations: { ...IP, [GROUP]: 'shared' }, rules: [{ paths: [{ path: '/', pathType: 'Prefix', service: 'web' }] }] }) +
      ingressYaml({ name: 'b', annotations: { ...IP, [GROUP]: 'shared' }, rules: [{ paths: [{ path: '/api', pathType: 'Prefix', service: 'api' }] }] }) +
      ingressYaml({ name: 'nodes', rules: [{ paths: [{ path: '/', pathType: 'Prefix', service: 'web' }] }] }),
  );
  const index = new DependencyIndex({ snapshot, classes: testOptions() });
  for (const ingress of snapshot.ingresses()) index.onIngress(ingress);
  if (translated) for (const result of translateAll(snapshot, testOptions()).results) index.onTranslated(result);
  const slice = (service: string): V1EndpointSlice => snapshot.endpointSlicesOf('default', service)[0] as V1EndpointSlice;
  return { index, slice };
}

const node = (ready: string): V1Node => ({
  metadata: { name: 'node-a' },
  spec: { providerID: 'aws:///us-east-1a/i-0aaaaaaaaaaaaaaaa' },
  status: { conditions: [{ type: 'Ready', status: ready }], addresses: [{ type: 'InternalIP', address: '10.1.0.1' }] },
});

describe('DependencyIndex: target groups a change feeds', () => {
  it('an EndpointSlice change feeds the ip target group of its Service in each group that has one', () => {
    const { index, slice } = setup(true);
    const affected = index.targetGroupsAffectedBy({ kind: 'EndpointSlice', type: 'update', object: slice('web'), previous: slice('web') });
    assert.deepEqual(affected?.whole, []);
    assert.deepEqual(
      [...(affected?.targets ?? [])].map(([group, keys]) => [group, [...keys]]),
      [['shared', ['default/web:80/ip']]],
      'the instance-target group of Ingress "nodes" reads Nodes, not endpoints',
    );
  });

  it('before any translation, every group reaching the Service is reconciled whole', () => {
    const { index, slice } = setup(false);
    const affected = index.targetGroupsAffectedBy({ kind: 'EndpointSlice', type: 'add', object: slice('api') });
    assert.deepEqual(affected, { targets: new Map(), whole: ['shared'] });
  });

  it('a Node change feeds every instance target group; a heartbeat feeds none', () => {
    const { index } = setup(true);
    const affected = index.targetGroupsAffectedBy({ kind: 'Node', type: 'update', object: node('False'), previous: node('True') });
    assert.deepEqual(
      [...(affected?.targets ?? [])].map(([group, keys]) => [group, [...keys]]),
      [['default/nodes', ['default/web:80/instance']]],
    );
    assert.deepEqual(index.targetGroupsAffectedBy({ kind: 'Node', type: 'update', object: node('True'), previous: node('True') }), {
      targets: new Map(),
      whole: [],
    });
  });

  it('says nothing about other kinds of change', () => {
    const { index } = setup(true);
    assert.equal(index.targetGroupsAffectedBy({ kind: 'Service', type: 'update', object: { metadata: { namespace: 'default', name: 'web' } } }), undefined);
  });
});

describe('DependencyIndex: target groups a change feeds, for Gateways', () => {
  const route = (name: string, gateway: string, service: string): string => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: default}
spec:
  parentRefs: [{name: ${gateway}}]
  rules: [{backendRefs: [{name: ${service}, port: 80}]}]
---
`;
  function gateways(translated: boolean) {
    const snapshot = snapshotFromYaml(
      GATEWAY_CLASS_YAML +
        serviceYaml({ name: 'api', endpoints: ['10.0.0.2'] }) +
        serviceYaml({ name: 'shop', nodePort: 30081 }) +
        gatewayYaml('web', ['{name: http, port: 80, protocol: HTTP}'], { annotations: { 'ingress-bridge.io/target-type': 'ip' } }) +
        gatewayYaml('nodes', ['{name: http, port: 80, protocol: HTTP}'], { annotations: { 'ingress-bridge.io/target-type': 'instance' } }) +
        route('api', 'web', 'api') +
        route('shop', 'nodes', 'shop'),
    );
    const index = new DependencyIndex({ snapshot, classes: testOptions() });
    if (translated) for (const result of translateAll(snapshot, testOptions()).results) index.onTranslated(result);
    return { index, snapshot, slice: (service: string) => snapshot.endpointSlicesOf('default', service)[0] as V1EndpointSlice };
  }
  const byStack = (affected: ReturnType<DependencyIndex['targetGroupsAffectedBy']>) =>
    [...(affected?.targets ?? [])].map(([stack, keys]) => [stack, [...keys]]);

  it("an EndpointSlice change feeds the ip target group of the Gateway whose route sends to the slice's Service", () => {
    const { index, slice } = gateways(true);
    const change = { kind: 'EndpointSlice', type: 'update', object: slice('api'), previous: slice('api') } as const;
    const affected = index.targetGroupsAffectedBy(change);
    assert.deepEqual(affected?.whole, []);
    assert.deepEqual(byStack(affected), [['gateway:default/web', ['default/api:80/ip']]]);
    assert.deepEqual(index.affectedBy(change), ['gateway:default/web']);
    assert.deepEqual(index.affectedBy({ ...change, object: slice('shop'), previous: slice('shop') }), [], 'an instance-target Gateway reads Nodes');
  });

  it('before its first translation, a Gateway reaching the Service is reconciled whole', () => {
    const { index, slice } = gateways(false);
    assert.deepEqual(index.targetGroupsAffectedBy({ kind: 'EndpointSlice', type: 'add', object: slice('api') }), {
      targets: new Map(),
      whole: ['gateway:default/web'],
    });
  });

  it("a Node change feeds an instance-target Gateway's target groups, and re-queues it", () => {
    const { index } = gateways(true);
    const change = { kind: 'Node', type: 'update', object: node('False'), previous: node('True') } as const;
    assert.deepEqual(byStack(index.targetGroupsAffectedBy(change)), [['gateway:default/nodes', ['default/shop:80/instance']]]);
    assert.deepEqual(index.affectedBy(change), ['gateway:default/nodes']);
  });

  it('a Gateway whose translation yields no load balancer is forgotten', () => {
    const { index } = gateways(true);
    index.onTranslated({ stackId: 'gateway:default/nodes' });
    assert.deepEqual(index.groupsWithInstanceTargets(), []);
  });

  it("a Pod's change feeds the ip target groups whose EndpointSlices list it; a stack none of whose slices does is reconciled whole", () => {
    const { index, snapshot } = gateways(true);
    const pod: V1Pod = { metadata: { namespace: 'default', name: 'api-1' } };
    const listed: V1EndpointSlice = {
      addressType: 'IPv4',
      metadata: { namespace: 'default', name: 'api-1', labels: { 'kubernetes.io/service-name': 'api' } },
      endpoints: [{ addresses: ['10.0.0.3'], conditions: { ready: false }, targetRef: { kind: 'Pod', namespace: 'default', name: 'api-1' } }],
    };
    assert.deepEqual(index.podTargetGroups(pod, ['gateway:default/web']), { targets: new Map(), whole: ['gateway:default/web'] }, 'no slice lists it yet');
    snapshot.upsert('EndpointSlice', listed);
    const affected = index.podTargetGroups(pod, ['gateway:default/web', 'gateway:default/nodes', 'gateway:default/unknown']);
    assert.deepEqual(byStack(affected), [['gateway:default/web', ['default/api:80/ip']]]);
    assert.deepEqual(affected.whole, ['gateway:default/nodes', 'gateway:default/unknown']);
  });
});
