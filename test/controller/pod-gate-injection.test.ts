/**
 * Which readiness gates a Pod gets at creation (src/controller/pod-gate-injection.ts), table-tested
 * from cluster YAML: the namespace label, Service selectors, and the target type of the target groups
 * of the load balancers that reach the Services.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { gatesToInject, INJECT_LABEL, readinessGatePatch, type StackTargetGroup } from '../../src/controller/pod-gate-injection.js';
import { targetHealthGate } from '../../src/translate/readiness-gates.js';
import { applyJsonPatch } from '../../fakes/kube/patch.js';
import { INGRESS_CLASS_YAML, ingressYaml, snapshotFromYaml, testOptions } from '../support/cluster.js';
import { translateAll } from '../../src/translate/index.js';

function serviceYaml(name: string, selector: Record<string, string> | undefined, namespace = 'shop'): string {
  return `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${namespace}}
spec:
${selector ? `  selector: ${JSON.stringify(selector)}\n` : ''}  type: NodePort
  ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30080}]
---
`;
}

const namespaceYaml = (labels: Record<string, string>): string =>
  `apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: ${JSON.stringify(labels)}}\n---\n`;
const ENABLED = { [INJECT_LABEL]: 'enabled' };

function ingress(name: string, service: string, targetType: 'ip' | 'instance', group?: string): string {
  return ingressYaml({
    name,
    namespace: 'shop',
    annotations: { 'alb.ingress.kubernetes.io/target-type': targetType, ...(group ? { 'alb.ingress.kubernetes.io/group.name': group } : {}) },
    rules: [{ host: `${name}.example.com`, paths: [{ path: '/', pathType: 'Prefix', service }] }],
  });
}

const pod = (labels: Record<string, string>, gates: string[] = []): V1Pod => ({
  metadata: { generateName: 'web-', labels },
  spec: { containers: [{ name: 'web', image: 'web' }], ...(gates.length > 0 ? { readinessGates: gates.map((conditionType) => ({ conditionType })) } : {}) },
});

/** The gates the decision gives a Pod in namespace `shop` of this cluster. */
function decide(yaml: string, subject: V1Pod): string[] {
  const snapshot = snapshotFromYaml(INGRESS_CLASS_YAML + yaml);
  const targetGroups: StackTargetGroup[] = translateAll(snapshot, testOptions()).results.flatMap((result) =>
    (result.spec?.targetGroups ?? []).map((targetGroup) => ({ stackId: result.stackId, targetGroup })),
  );
  return gatesToInject({ pod: subject, namespace: 'shop', namespaceObject: snapshot.namespace('shop'), services: snapshot.list('Service'), targetGroups });
}

const gate = (stackId: string, service: string, targetType = 'ip'): string =>
  targetHealthGate(stackId, { key: `shop/${service}:80/${targetType}`, service: { namespace: 'shop', name: service, port: 80 } });
const WEB_POD = pod({ app: 'web', tier: 'front' });

describe('readiness gates injected at Pod creation', () => {
  const cases: { why: string; yaml: string; pod?: V1Pod; gates: string[] }[] = [
    {
      why: 'a Pod of a labelled namespace, selected by a Service an ip-target Ingress uses, gets its gate',
      yaml: namespaceYaml(ENABLED) + serviceYaml('web', { app: 'web' }) + ingress('web', 'web', 'ip'),
      gates: [gate('shop/web', 'web')],
    },
    { why: 'none in a namespace without the label', yaml: namespaceYaml({}) + serviceYaml('web', { app: 'web' }) + ingress('web', 'web', 'ip'), gates: [] },
    {
      why: 'none when the label says anything but enabled',
      yaml: namespaceYaml({ [INJECT_LABEL]: 'disabled' }) + serviceYaml('web', { app: 'web' }) + ingress('web', 'web', 'ip'),
      gates: [],
    },
    { why: 'none when the namespace is not known', yaml: serviceYaml('web', { app: 'web' }) + ingress('web', 'web', 'ip'), gates: [] },
    {
      why: 'none for instance targets: their targets are Nodes',
      yaml: namespaceYaml(ENABLED) + serviceYaml('web', { app: 'web' }) + ingress('web', 'web', 'instance'),
      gates: [],
    },
    {
      why: 'none when the Service selects other Pods',
      yaml: namespaceYaml(ENABLED) + serviceYaml('web', { app: 'api' }) + ingress('web', 'web', 'ip'),
      gates: [],
    },
    {
      why: 'none when the selector asks for a label the Pod lacks',
      yaml: namespaceYaml(ENABLED) + serviceYaml('web', { app: 'web', version: 'v2' }) + ingress('web', 'web', 'ip'),
      gates: [],
    },
    {
      why: 'none from a Service without a selector (its endpoints are managed by hand)',
      yaml: namespaceYaml(ENABLED) + serviceYaml('web', undefined) + ingress('web', 'web', 'ip'),
      gates: [],
    },
    {
      why: 'none when no Ingress uses the Service',
      yaml: namespaceYaml(ENABLED) + serviceYaml('web', { app: 'web' }) + serviceYaml('other', { app: 'other' }) + ingress('web', 'other', 'ip'),
      gates: [],
    },
    {
      why: 'one per load balancer when two send to the same Service',
      yaml: namespaceYaml(ENABLED) + serviceYaml('web', { app: 'web' }) + ingress('web', 'web', 'ip') + ingress('admin', 'web', 'ip'),
      gates: [gate('shop/admin', 'web'), gate('shop/web', 'web')].sort(),
    },
    {
      why: 'one per Service that selects it',
      yaml:
        namespaceYaml(ENABLED) +
        serviceYaml('web', { app: 'web' }) +
        serviceYaml('front', { tier: 'front' }) +
        ingress('web', 'web', 'ip') +
        ingress('front', 'front', 'ip'),
      gates: [gate('shop/front', 'front'), gate('shop/web', 'web')].sort(),
    },
    {
      why: 'per target group of an IngressGroup',
      yaml: namespaceYaml(ENABLED) + serviceYaml('web', { app: 'web' }) + ingress('web', 'web', 'ip', 'public'),
      gates: [gate('public', 'web')],
    },
    {
      why: 'none it already carries',
      yaml: namespaceYaml(ENABLED) + serviceYaml('web', { app: 'web' }) + ingress('web', 'web', 'ip'),
      pod: pod({ app: 'web' }, [gate('shop/web', 'web')]),
      gates: [],
    },
  ];
  for (const { why, yaml, pod: subject, gates } of cases) {
    it(why, () => assert.deepEqual(decide(yaml, subject ?? WEB_POD), gates));
  }
});

describe('the JSON patch that adds the gates', () => {
  it('creates the list when the Pod has none, and appends to it otherwise, keeping the gates it had', () => {
    const created = applyJsonPatch(WEB_POD, readinessGatePatch(WEB_POD, ['a/x', 'a/y'])) as V1Pod;
    assert.deepEqual(created.spec?.readinessGates, [{ conditionType: 'a/x' }, { conditionType: 'a/y' }]);
    const gated = pod({ app: 'web' }, ['example.com/warm']);
    const appended = applyJsonPatch(gated, readinessGatePatch(gated, ['a/x'])) as V1Pod;
    assert.deepEqual(appended.spec?.readinessGates, [{ conditionType: 'example.com/warm' }, { conditionType: 'a/x' }]);
    assert.deepEqual(readinessGatePatch(WEB_POD, []), []);
  });
});
