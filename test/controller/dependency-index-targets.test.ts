/**
 * The dependency index for the target fast path: an EndpointSlice or Node change names the target
 * groups it feeds, group by group, from each group's latest translation; what it cannot name is
 * reconciled whole.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1EndpointSlice, V1Node } from '@kubernetes/client-node';
import { DependencyIndex } from '../../src/controller/dependency-index.js';
import { translateAll } from '../../src/translate/index.js';
import { ingressYaml, INGRESS_CLASS_YAML, serviceYaml, snapshotFromYaml, testOptions } from '../support/cluster.js';

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
