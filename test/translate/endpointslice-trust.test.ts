/**
 * EndpointSlices are believed only when the EndpointSlice controller manages them, or when every
 * endpoint's targetRef is a Pod of the Service's namespace (CVE-2021-25740: whoever can write a slice,
 * or an Endpoints object the mirroring controller copies, could point a load balancer at another
 * namespace's Pods). Others are ignored, with a warning on the Ingress naming the slice.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INGRESS_CLASS_YAML, ingressYaml, NODE_YAML, onlySpec, translateYaml } from '../support/cluster.js';

const SERVICE = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{name: http, port: 80, targetPort: 8080}]
---
`;

function slice(name: string, labels: Record<string, string>, endpoints: { ip: string; targetRef?: Record<string, string> }[]): string {
  const items = endpoints
    .map(
      (endpoint) =>
        `- addresses: ["${endpoint.ip}"]\n  conditions: {ready: true}${endpoint.targetRef ? `\n  targetRef: ${JSON.stringify(endpoint.targetRef)}` : ''}`,
    )
    .join('\n');
  return `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${name}
  namespace: shop
  labels: ${JSON.stringify({ 'kubernetes.io/service-name': 'web', ...labels })}
addressType: IPv4
ports: [{name: http, port: 8080, protocol: TCP}]
endpoints:
${items}
---
`;
}

const MANAGED = { 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' };
const INGRESS = ingressYaml({
  name: 'shop',
  namespace: 'shop',
  annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip' },
  rules: [{ host: 'shop.example.com', paths: [{ path: '/', pathType: 'Prefix', service: 'web' }] }],
});

function translateSlices(slices: string) {
  const translated = translateYaml(INGRESS_CLASS_YAML + NODE_YAML + SERVICE + slices + INGRESS);
  const targets = onlySpec(translated)
    .targetGroups.flatMap((group) => group.targets.map((target) => target.ip))
    .sort();
  const warnings = translated.diagnostics.filter((entry) => entry.severity === 'warning' && entry.object.kind === 'Ingress');
  return { targets, warnings };
}

describe('EndpointSlice trust', () => {
  it('uses the slices the EndpointSlice controller manages, and those whose every endpoint is a Pod of the Service’s namespace', () => {
    const { targets, warnings } = translateSlices(
      slice('web-managed', MANAGED, [{ ip: '10.0.0.1' }]) +
        slice('web-pods', {}, [{ ip: '10.0.0.2', targetRef: { kind: 'Pod', namespace: 'shop', name: 'web-2' } }]),
    );
    assert.deepEqual(targets, ['10.0.0.1', '10.0.0.2']);
    assert.deepEqual(warnings, []);
  });

  it('ignores a hand-written slice that points at another namespace’s Pod, naming the slice on the Ingress', () => {
    const { targets, warnings } = translateSlices(
      slice('web-managed', MANAGED, [{ ip: '10.0.0.1' }]) +
        slice('web-evil', {}, [{ ip: '10.9.9.9', targetRef: { kind: 'Pod', namespace: 'payments', name: 'vault-0' } }]),
    );
    assert.deepEqual(targets, ['10.0.0.1']);
    assert.deepEqual(
      warnings.map((entry) => [entry.object.name, entry.field]),
      [['shop', 'spec.rules[0].http.paths[0].backend.service.name']],
    );
    assert.match(warnings[0]?.message ?? '', /EndpointSlice shop\/web-evil is ignored: .* refers to Pod payments\/vault-0, not a Pod of namespace shop/);
  });

  it('ignores a mirrored or unlabelled slice whose endpoints have no Pod targetRef', () => {
    const mirrored = { 'endpointslice.kubernetes.io/managed-by': 'endpointslice-mirroring-controller.k8s.io' };
    const { targets, warnings } = translateSlices(
      slice('web-mirrored', mirrored, [{ ip: '10.9.9.8' }]) + slice('web-node', {}, [{ ip: '10.9.9.7', targetRef: { kind: 'Node', name: 'node-a' } }]),
    );
    assert.deepEqual(targets, []);
    assert.deepEqual(warnings.map((entry) => /EndpointSlice shop\/(\S+) is ignored/.exec(entry.message)?.[1]).sort(), ['web-mirrored', 'web-node']);
  });
});
