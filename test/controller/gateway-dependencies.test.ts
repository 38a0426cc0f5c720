/**
 * Which Gateways a change re-queues: the Gateway itself, every Gateway of a changed GatewayClass, the
 * parents a route names before and after the change, and the Gateways whose routes or listeners
 * use a changed Service or Secret; our own status writes re-queue nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DependencyIndex } from '../../src/controller/dependency-index.js';
import type { HTTPRoute } from '../../src/sources/gateway-kinds.js';
import type { SourceChange } from '../../src/sources/source-change.js';
import { serviceYaml, snapshotFromYaml, testOptions } from '../support/cluster.js';
import { GATEWAY_CLASS_YAML, gatewayYaml } from '../support/gateway.js';

const YAML =
  GATEWAY_CLASS_YAML +
  serviceYaml({ name: 'api' }) +
  gatewayYaml('one', ['{name: https, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: one-tls}]}}']) +
  gatewayYaml('two', ['{name: http, port: 80, protocol: HTTP}']) +
  `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api, namespace: default}
spec:
  parentRefs: [{name: two}]
  rules: [{backendRefs: [{name: api, port: 80}]}]
---
`;

describe('the dependency index for Gateway API objects', () => {
  const snapshot = snapshotFromYaml(YAML);
  const index = new DependencyIndex({ snapshot, classes: testOptions() });
  const route = snapshot.get('HTTPRoute', 'default', 'api') as HTTPRoute;

  it('a route re-queues the Gateways it names, before and after a move', () => {
    const moved: HTTPRoute = { ...route, spec: { ...route.spec, parentRefs: [{ name: 'one' }] } };
    const change: SourceChange = { kind: 'HTTPRoute', type: 'update', object: moved, previous: route };
    assert.deepEqual(index.affectedBy(change).sort(), ['gateway:default/one', 'gateway:default/two']);
  });

  it('a status-only update re-queues nothing', () => {
    const written: HTTPRoute = { ...route, status: { parents: [] } };
    assert.deepEqual(index.affectedBy({ kind: 'HTTPRoute', type: 'update', object: written, previous: route }), []);
  });

  it('a GatewayClass re-queues its Gateways; a Service and a Secret the Gateways that use them', () => {
    const gatewayClass = snapshot.gatewayClasses()[0];
    assert.ok(gatewayClass);
    assert.deepEqual(index.affectedBy({ kind: 'GatewayClass', type: 'add', object: gatewayClass }).sort(), ['gateway:default/one', 'gateway:default/two']);
    const service = snapshot.service('default', 'api');
    assert.ok(service);
    assert.deepEqual(index.affectedBy({ kind: 'Service', type: 'update', object: service }), ['gateway:default/two']);
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'one-tls', namespace: 'default' }, type: 'kubernetes.io/tls' };
    assert.deepEqual(index.affectedBy({ kind: 'Secret', type: 'add', object: secret }), ['gateway:default/one']);
  });
});
