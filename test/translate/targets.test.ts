/**
 * Targets and names: which Nodes and endpoints a target group registers, the port each is reached
 * on, and the cloud names of load balancers and target groups (at most 32 characters, stable).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoadBalancerSpec, TargetGroupSpec } from '../../src/model.js';
import { routeOf } from '../support/alb-evaluator.js';
import { INGRESS_CLASS_YAML, ingressYaml, NODE_YAML, onlySpec, serviceYaml, testOptions, translateYaml, type IngressFixture } from '../support/cluster.js';

const IP = { 'alb.ingress.kubernetes.io/target-type': 'ip' };
const WEB: IngressFixture = { name: 'web', rules: [{ paths: [{ path: '/', pathType: 'Prefix', service: 'app' }] }] };

function onlyTargetGroup(spec: LoadBalancerSpec): TargetGroupSpec {
  assert.equal(spec.targetGroups.length, 1, JSON.stringify(spec.targetGroups.map((group) => group.key)));
  return spec.targetGroups[0] as TargetGroupSpec;
}

function targetGroupOf(yaml: string, ingress: IngressFixture = WEB): TargetGroupSpec {
  return onlyTargetGroup(onlySpec(translateYaml(INGRESS_CLASS_YAML + yaml + ingressYaml(ingress))));
}

interface NodeFixture {
  name: string;
  providerID?: string;
  ready?: string;
  labels?: Record<string, string>;
  internalIp?: string;
}

function nodeYaml(node: NodeFixture): string {
  const labels = node.labels ? `\n  labels: ${JSON.stringify(node.labels)}` : '';
  const spec = node.providerID ? `spec: {providerID: "${node.providerID}"}\n` : '';
  const addresses = node.internalIp ? `\n  addresses: [{type: InternalIP, address: ${node.internalIp}}]` : '';
  return `apiVersion: v1\nkind: Node\nmetadata:\n  name: ${node.name}${labels}\n${spec}status:\n  conditions: [{type: Ready, status: "${node.ready ?? 'True'}"}]${addresses}\n---\n`;
}

describe('instance targets', () => {
  const provider = (name: string) => `aws:///us-east-1a/i-${name}`;
  const NODES: { node: NodeFixture; registered: boolean }[] = [
    { node: { name: 'ready-b', providerID: provider('b'), internalIp: '10.1.0.2' }, registered: true },
    { node: { name: 'ready-a', providerID: provider('a'), internalIp: '10.1.0.1' }, registered: true },
    { node: { name: 'not-ready', providerID: provider('c'), internalIp: '10.1.0.3', ready: 'False' }, registered: false },
    { node: { name: 'ready-unknown', providerID: provider('d'), internalIp: '10.1.0.4', ready: 'Unknown' }, registered: false },
    { node: { name: 'no-provider-id', internalIp: '10.1.0.5' }, registered: false },
    {
      node: { name: 'excluded', providerID: provider('f'), internalIp: '10.1.0.6', labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } },
      registered: false,
    },
    { node: { name: 'no-internal-ip', providerID: provider('g') }, registered: false },
  ];

  it('are the NodePort on Ready Nodes with a providerID that are not excluded from load balancers', () => {
    const group = targetGroupOf(serviceYaml({ name: 'app', nodePort: 31234 }) + NODES.map((entry) => nodeYaml(entry.node)).join(''));
    const expected = NODES.filter((entry) => entry.registered)
      .map(({ node }) => ({ id: node.providerID, ip: node.internalIp, port: 31234, node: node.name }))
      .sort((a, b) => (String(a.id) < String(b.id) ? -1 : 1));
    assert.deepEqual([group.targetType, group.port, group.targets], ['instance', 31234, expected]);
  });
});

interface EndpointFixture {
  address: string;
  /** The conditions as YAML flow mapping, or undefined for none at all. */
  conditions?: string;
  served: boolean;
}

function sliceYaml(name: string, options: { addressType?: string; ports: string; endpoints: EndpointFixture[] }): string {
  const endpoints = options.endpoints
    .map((endpoint) => `- addresses: ["${endpoint.address}"]\n  nodeName: node-a${endpoint.conditions ? `\n  conditions: ${endpoint.conditions}` : ''}`)
    .join('\n');
  return (
    `apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: ${name}\n  namespace: default\n  labels: {kubernetes.io/service-name: app, endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io}\n` +
    `addressType: ${options.addressType ?? 'IPv4'}\nports: ${options.ports}\nendpoints:\n${endpoints}\n---\n`
  );
}

const CLUSTER_IP_SERVICE = `apiVersion: v1
kind: Service
metadata: {name: app, namespace: default}
spec:
  ports:
  - {name: http, port: 80, targetPort: http-alt}
  - {name: metrics, port: 9100, targetPort: 9100}
---
`;

describe('ip targets', () => {
  const HTTP_PORTS = '[{name: metrics, port: 9100, protocol: TCP}, {name: http, port: 8080, protocol: TCP}]';
  const ENDPOINTS: EndpointFixture[] = [
    { address: '10.0.0.1', conditions: '{ready: true}', served: true },
    { address: '10.0.0.2', served: true },
    { address: '10.0.0.3', conditions: '{serving: true}', served: true },
    { address: '10.0.0.4', conditions: '{ready: false, serving: true, terminating: true}', served: false },
    { address: '10.0.0.5', conditions: '{ready: false, serving: false, terminating: false}', served: false },
    { address: '10.0.0.6', conditions: '{ready: false}', served: false },
    { address: '10.0.0.7', conditions: '{ready: false, serving: false, terminating: true}', served: false },
  ];

  it('are the ready endpoints (ready unset counts as ready), not those terminating while others are ready', () => {
    const group = targetGroupOf(CLUSTER_IP_SERVICE + sliceYaml('app-1', { ports: HTTP_PORTS, endpoints: ENDPOINTS }), { ...WEB, annotations: IP });
    const expected = ENDPOINTS.filter((endpoint) => endpoint.served).map((endpoint) => ({
      id: endpoint.address,
      ip: endpoint.address,
      port: 8080,
      node: 'node-a',
    }));
    assert.deepEqual([group.targetType, group.port, group.targets], ['ip', 8080, expected]);
  });

  describe('while Pods terminate (KEP-1669, as kube-proxy chooses)', () => {
    const ips = (endpoints: EndpointFixture[], more = ''): string[] =>
      targetGroupOf(CLUSTER_IP_SERVICE + sliceYaml('app-1', { ports: HTTP_PORTS, endpoints }) + more, { ...WEB, annotations: IP }).targets.map(
        (target) => target.ip,
      );
    const TERMINATING_SERVING = '{ready: false, serving: true, terminating: true}';

    it('serving-but-terminating endpoints get traffic only while no endpoint is ready', () => {
      const terminating: EndpointFixture[] = [
        { address: '10.0.1.1', conditions: TERMINATING_SERVING, served: true },
        { address: '10.0.1.2', conditions: '{ready: false, terminating: true}', served: true },
        { address: '10.0.1.3', conditions: '{ready: false, serving: false, terminating: true}', served: false },
        { address: '10.0.1.4', conditions: '{ready: false, serving: true}', served: false },
      ];
      assert.deepEqual(ips(terminating), ['10.0.1.1', '10.0.1.2'], 'serving unset counts as serving; not terminating and not ready is never used');
      assert.deepEqual(
        ips([...terminating, { address: '10.0.2.1', conditions: '{ready: true}', served: true }]),
        ['10.0.2.1'],
        'one ready endpoint takes them all out',
      );
    });

    it('a rolling update: the old Pod leaves as soon as a new one is ready, and stays while none is', () => {
      const oldPod = (conditions: string): EndpointFixture => ({ address: '10.0.3.1', conditions, served: true });
      const newPod = (conditions: string): EndpointFixture => ({ address: '10.0.3.2', conditions, served: true });
      assert.deepEqual(
        ips([oldPod('{ready: true}'), newPod('{ready: false, serving: false, terminating: false}')]),
        ['10.0.3.1'],
        'the new Pod is not ready yet',
      );
      assert.deepEqual(
        ips([oldPod(TERMINATING_SERVING), newPod('{ready: false, serving: false, terminating: false}')]),
        ['10.0.3.1'],
        'the old Pod terminates first: it serves on, alone',
      );
      assert.deepEqual(ips([oldPod(TERMINATING_SERVING), newPod('{ready: true}')]), ['10.0.3.2'], 'the new Pod is ready: the terminating one is deregistered');
      assert.deepEqual(ips([oldPod('{ready: false, serving: false, terminating: true}')]), [], 'a terminating Pod that stopped serving is never used');
    });

    it('a ready endpoint in another slice of the Service counts too', () => {
      const other = sliceYaml('app-2', { ports: HTTP_PORTS, endpoints: [{ address: '10.0.4.2', served: true }] });
      assert.deepEqual(ips([{ address: '10.0.4.1', conditions: TERMINATING_SERVING, served: false }], other), ['10.0.4.2']);
    });
  });

  it('dedupe an endpoint that two slices hold, and ignore IPv6 slices', () => {
    const yaml =
      CLUSTER_IP_SERVICE +
      sliceYaml('app-1', {
        ports: HTTP_PORTS,
        endpoints: [
          { address: '10.0.0.1', served: true },
          { address: '10.0.0.2', served: true },
        ],
      }) +
      sliceYaml('app-2', {
        ports: HTTP_PORTS,
        endpoints: [
          { address: '10.0.0.2', served: true },
          { address: '10.0.0.3', served: true },
        ],
      }) +
      sliceYaml('app-v6', { addressType: 'IPv6', ports: HTTP_PORTS, endpoints: [{ address: 'fd00::1', served: false }] });
    const group = targetGroupOf(yaml, { ...WEB, annotations: IP });
    assert.deepEqual(
      group.targets.map((target) => `${target.ip}:${target.port}`),
      ['10.0.0.1:8080', '10.0.0.2:8080', '10.0.0.3:8080'],
    );
  });

  it('resolve a named targetPort through the slice port of the same name, per slice', () => {
    const yaml =
      CLUSTER_IP_SERVICE +
      sliceYaml('app-old', { ports: '[{name: http, port: 8080}]', endpoints: [{ address: '10.0.0.1', served: true }] }) +
      sliceYaml('app-new', { ports: '[{name: http, port: 8081, protocol: TCP}]', endpoints: [{ address: '10.0.0.2', served: true }] }) +
      sliceYaml('app-udp', { ports: '[{name: http, port: 5353, protocol: UDP}]', endpoints: [{ address: '10.0.0.3', served: true }] });
    const group = targetGroupOf(yaml, { ...WEB, annotations: IP });
    assert.deepEqual(
      group.targets.map((target) => `${target.ip}:${target.port}`),
      ['10.0.0.1:8080', '10.0.0.2:8081'],
    );
  });

  it("take the metrics port's own endpoints when the Ingress names that port", () => {
    const ingress: IngressFixture = { name: 'web', annotations: IP, rules: [{ paths: [{ path: '/', pathType: 'Prefix', service: 'app', port: 'metrics' }] }] };
    const group = targetGroupOf(CLUSTER_IP_SERVICE + sliceYaml('app-1', { ports: HTTP_PORTS, endpoints: [{ address: '10.0.0.1', served: true }] }), ingress);
    assert.deepEqual([group.key, group.port, group.targets.map((target) => target.port)], ['default/app:9100/ip', 9100, [9100]]);
  });
});

describe('target group keys', () => {
  it('a Service port referenced by name and by number is one target group', () => {
    const ingress: IngressFixture = {
      name: 'web',
      annotations: IP,
      rules: [
        {
          paths: [
            { path: '/by-number', pathType: 'Prefix', service: 'app', port: 80 },
            { path: '/by-name', pathType: 'Prefix', service: 'app', port: 'http' },
          ],
        },
      ],
    };
    const spec = onlySpec(translateYaml(INGRESS_CLASS_YAML + serviceYaml({ name: 'app' }) + ingressYaml(ingress)));
    assert.deepEqual(
      spec.targetGroups.map((group) => group.key),
      ['default/app:80/ip'],
    );
    const keys = spec.listeners[0]?.rules.map((rule) =>
      rule.actions[0]?.type === 'forward' ? rule.actions[0].targetGroups.map((target) => target.targetGroupKey) : [],
    );
    assert.deepEqual(keys, [['default/app:80/ip'], ['default/app:80/ip']]);
    assert.deepEqual([routeOf(spec, 'http://x.test/by-name'), routeOf(spec, 'http://x.test/by-number')], ['default/app:80', 'default/app:80']);
  });
});

describe('cloud names', () => {
  const LONG = 'a-very-long-name-that-uses-most-of-the-sixty-three-characters-ok';
  const NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;
  const yaml =
    INGRESS_CLASS_YAML +
    NODE_YAML +
    [`${LONG.slice(0, 60)}-v1`, `${LONG.slice(0, 60)}-v2`].map((name, index) => serviceYaml({ name, namespace: LONG, nodePort: 30100 + index })).join('') +
    ingressYaml({
      name: LONG,
      namespace: LONG,
      rules: [
        {
          paths: [
            { path: '/v1', pathType: 'Prefix', service: `${LONG.slice(0, 60)}-v1` },
            { path: '/v2', pathType: 'Prefix', service: `${LONG.slice(0, 60)}-v2` },
          ],
        },
      ],
    });
  const namesOf = (clusterName: string): string[] => {
    const spec = onlySpec(translateYaml(yaml, testOptions({ clusterName })));
    return [spec.stack.name, ...spec.targetGroups.map((group) => group.name)];
  };

  it('fit in 32 characters of lower-case alphanumerics and single inner hyphens', () => {
    const names = namesOf('test');
    assert.equal(names.length, 3);
    for (const name of names) {
      assert.ok(name.length <= 32, `${name} is ${name.length} characters`);
      assert.match(name, NAME);
    }
  });

  it('differ between Services whose names share a long prefix', () => {
    const [, first, second] = namesOf('test');
    assert.notEqual(first, second);
  });

  it('are the same for the same input, and differ for another cluster name', () => {
    const names = namesOf('blue');
    assert.deepEqual(namesOf('blue'), names);
    const green = namesOf('green');
    names.forEach((name, index) => assert.notEqual(green[index], name, `name ${index} must depend on the cluster`));
  });
});
