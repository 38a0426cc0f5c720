/**
 * Readiness gates in translate: the condition type's name (a valid, stable qualified name per load
 * balancer and target group), and the endpoints registered although not ready because their Pod
 * waits only for its target-health gates.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import type { TargetGroupSpec } from '../../src/model.js';
import { awaitsOnlyTargetHealth, targetHealthGate, TARGET_HEALTH_GATE_PREFIX } from '../../src/translate/readiness-gates.js';
import { INGRESS_CLASS_YAML, ingressYaml, onlySpec, translateYaml } from '../support/cluster.js';

/** Kubernetes' qualified name: an optional DNS-subdomain prefix and `/`, then at most 63 characters of this form. */
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const group = (service: string, port: number, key = `shop/${service}:${port}/ip`): Pick<TargetGroupSpec, 'key' | 'service'> => ({
  key,
  service: { namespace: 'shop', name: service, port },
});

describe('the target-health readiness gate name', () => {
  const cases = [group('web', 80), group('a'.repeat(63), 65535), group('x-'.repeat(31) + 'y', 8080), group('-web-', 443)];
  for (const targetGroup of cases) {
    it(`is a valid condition type for Service ${targetGroup.service.name.slice(0, 20)}… port ${targetGroup.service.port}`, () => {
      const gate = targetHealthGate('shop/web', targetGroup);
      assert.ok(gate.startsWith(TARGET_HEALTH_GATE_PREFIX), gate);
      const name = gate.slice(TARGET_HEALTH_GATE_PREFIX.length);
      assert.ok(name.length <= 63, `${name} has ${name.length} characters`);
      assert.match(name, QUALIFIED_NAME);
      assert.ok(name.includes(`-${targetGroup.service.port}-`) || name.startsWith(`${targetGroup.service.port}-`), name);
    });
  }

  it('reads as the Service and port, and is the same for the same stack and target group', () => {
    assert.match(targetHealthGate('shop/web', group('web', 80)), /^target-health\.ingress-bridge\.io\/web-80-[0-9a-f]{10}$/);
    assert.equal(targetHealthGate('shop/web', group('web', 80)), targetHealthGate('shop/web', group('web', 80)));
  });

  it('differs between two load balancers of one Service port, and between target groups', () => {
    const names = new Set([
      targetHealthGate('shop/web', group('web', 80)),
      targetHealthGate('shop/admin', group('web', 80)),
      targetHealthGate('shop/web', group('web', 80, 'shop/web:80/instance')),
      targetHealthGate('shop/web', group('web', 81)),
    ]);
    assert.equal(names.size, 4);
  });
});

const GATE = `${TARGET_HEALTH_GATE_PREFIX}app-80-0123456789`;
const condition = (type: string, status: string) => ({ type, status });
const pod = (fields: { gates?: string[]; conditions?: { type: string; status: string }[]; deleting?: boolean }): V1Pod => ({
  metadata: { name: 'app-1', namespace: 'default', ...(fields.deleting ? { deletionTimestamp: new Date('2026-01-01T00:00:00Z') } : {}) },
  spec: { containers: [], readinessGates: (fields.gates ?? []).map((conditionType) => ({ conditionType })) },
  status: { conditions: fields.conditions ?? [] },
});

describe('a Pod that waits only for its target-health gates', () => {
  const cases: { why: string; pod: V1Pod | undefined; awaits: boolean }[] = [
    { why: 'containers ready, our gate not yet True', pod: pod({ gates: [GATE], conditions: [condition('ContainersReady', 'True')] }), awaits: true },
    { why: 'our gate False', pod: pod({ gates: [GATE], conditions: [condition('ContainersReady', 'True'), condition(GATE, 'False')] }), awaits: true },
    {
      why: 'another gate passed too',
      pod: pod({ gates: [GATE, 'example.com/ok'], conditions: [condition('ContainersReady', 'True'), condition('example.com/ok', 'True')] }),
      awaits: true,
    },
    { why: 'not: containers not ready', pod: pod({ gates: [GATE], conditions: [condition('ContainersReady', 'False')] }), awaits: false },
    { why: 'not: no ContainersReady condition yet', pod: pod({ gates: [GATE] }), awaits: false },
    { why: 'not: no target-health gate (not ready for its own reasons)', pod: pod({ conditions: [condition('ContainersReady', 'True')] }), awaits: false },
    {
      why: 'not: another gate still closed',
      pod: pod({ gates: [GATE, 'example.com/warm'], conditions: [condition('ContainersReady', 'True')] }),
      awaits: false,
    },
    { why: 'not: being deleted', pod: pod({ gates: [GATE], conditions: [condition('ContainersReady', 'True')], deleting: true }), awaits: false },
    { why: 'not: no Pod known', pod: undefined, awaits: false },
  ];
  for (const { why, pod: subject, awaits } of cases) {
    it(why, () => assert.equal(awaitsOnlyTargetHealth(subject), awaits));
  }
});

const IP_INGRESS = ingressYaml({
  name: 'web',
  annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip' },
  rules: [{ paths: [{ path: '/', pathType: 'Prefix', service: 'app' }] }],
});

interface Endpoint {
  ip: string;
  pod: string;
  ready: boolean;
  terminating?: boolean;
}

function clusterYaml(endpoints: Endpoint[], pods: string): string {
  const lines = endpoints.map(
    (endpoint) =>
      `  - addresses: ["${endpoint.ip}"]\n    conditions: {ready: ${endpoint.ready}, serving: ${endpoint.ready || endpoint.terminating === true}, terminating: ${endpoint.terminating === true}}\n    targetRef: {kind: Pod, namespace: default, name: ${endpoint.pod}}`,
  );
  return `${INGRESS_CLASS_YAML}apiVersion: v1
kind: Service
metadata: {name: app, namespace: default}
spec:
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: app-1
  namespace: default
  labels: {kubernetes.io/service-name: app, endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io}
addressType: IPv4
ports: [{name: http, port: 8080, protocol: TCP}]
endpoints:
${lines.join('\n')}
---
${pods}${IP_INGRESS}`;
}

function podYaml(name: string, conditions: Record<string, string>, gates: string[] = [GATE]): string {
  const list = Object.entries(conditions)
    .map(([type, status]) => `{type: ${JSON.stringify(type)}, status: "${status}"}`)
    .join(', ');
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: default}
spec:
  readinessGates: [${gates.map((gate) => `{conditionType: ${JSON.stringify(gate)}}`).join(', ')}]
status:
  podIP: "${name === 'new' ? '10.0.0.9' : '10.0.0.1'}"
  conditions: [${list}]
---
`;
}

const targetsOf = (yaml: string): string[] => onlySpec(translateYaml(yaml)).targetGroups[0]?.targets.map((target) => target.id) ?? [];

describe('ip targets of Pods held back by their target-health gates', () => {
  it('registers a not-ready endpoint whose Pod waits only for the gate, beside the ready ones', () => {
    const yaml = clusterYaml(
      [
        { ip: '10.0.0.1', pod: 'old', ready: true },
        { ip: '10.0.0.9', pod: 'new', ready: false },
      ],
      podYaml('new', { ContainersReady: 'True', Ready: 'False' }),
    );
    assert.deepEqual(targetsOf(yaml), ['10.0.0.1', '10.0.0.9']);
  });

  it('leaves out a not-ready endpoint whose containers are not ready, or whose Pod has no such gate', () => {
    const notReady = clusterYaml(
      [
        { ip: '10.0.0.1', pod: 'old', ready: true },
        { ip: '10.0.0.9', pod: 'new', ready: false },
      ],
      podYaml('new', { ContainersReady: 'False' }),
    );
    assert.deepEqual(targetsOf(notReady), ['10.0.0.1']);
    const noGate = clusterYaml(
      [
        { ip: '10.0.0.1', pod: 'old', ready: true },
        { ip: '10.0.0.9', pod: 'new', ready: false },
      ],
      podYaml('new', { ContainersReady: 'True' }, []),
    );
    assert.deepEqual(targetsOf(noGate), ['10.0.0.1']);
    const unknownPod = clusterYaml(
      [
        { ip: '10.0.0.1', pod: 'old', ready: true },
        { ip: '10.0.0.9', pod: 'gone', ready: false },
      ],
      podYaml('new', { ContainersReady: 'True' }),
    );
    assert.deepEqual(targetsOf(unknownPod), ['10.0.0.1']);
  });

  it('keeps the serving-terminating endpoints while the new Pod is not yet healthy: it does not count as ready', () => {
    const yaml = clusterYaml(
      [
        { ip: '10.0.0.1', pod: 'old', ready: false, terminating: true },
        { ip: '10.0.0.9', pod: 'new', ready: false },
      ],
      podYaml('new', { ContainersReady: 'True' }),
    );
    assert.deepEqual(targetsOf(yaml), ['10.0.0.1', '10.0.0.9']);
  });
});
