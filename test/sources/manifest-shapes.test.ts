import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { loadManifestDirectory, parseManifestFile } from '../../src/sources/manifests.js';
import { validateDocument } from '../../src/sources/manifest-validate.js';
import type { WatchedKind } from '../../src/sources/snapshot.js';

const SOURCE = { file: 'shapes.yaml', document: 0 };

/** One fully valid object of each kind, using every field the shape checks look at. */
const VALID: Record<WatchedKind, Record<string, unknown>> = {
  Ingress: {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      ingressClassName: 'ingress-bridge',
      defaultBackend: { resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'static' } },
      rules: [
        { host: 'a.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } }] } },
        { http: { paths: [{ path: '/api', pathType: 'Exact', backend: { service: { name: 'api', port: { number: 80 } } } }] } },
      ],
      tls: [{ hosts: ['a.example.com'], secretName: 'tls' }],
    },
  },
  IngressClass: {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: 'ingress-bridge' },
    spec: { controller: 'ingress-bridge.io/controller', parameters: { apiGroup: 'example.com', kind: 'Params', name: 'p', scope: 'Cluster' } },
  },
  Service: {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      type: 'NodePort',
      selector: { app: 'web' },
      ports: [
        { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 },
        { name: 'admin', port: 9000, targetPort: 'admin' },
      ],
    },
  },
  EndpointSlice: {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-1', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: [
      {
        addresses: ['10.0.0.1'],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: 'node-a',
        zone: 'us-east-1a',
        targetRef: { kind: 'Pod', namespace: 'shop', name: 'web-1' },
      },
    ],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  },
  IngressClassParams: {
    apiVersion: 'ingress-bridge.io/v1',
    kind: 'IngressClassParams',
    metadata: { name: 'shared' },
    spec: {
      namespaceSelector: { matchLabels: { team: 'shop' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] },
      group: { name: 'shop' },
      scheme: 'internal',
      inboundCIDRs: ['10.0.0.0/8'],
      tags: [{ key: 'team', value: 'shop' }],
    },
  },
  Namespace: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'shop' } } },
  Node: {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-a' },
    spec: { providerID: 'aws:///us-east-1a/i-1', unschedulable: false },
    status: {
      conditions: [{ type: 'Ready', status: 'True' }],
      addresses: [{ type: 'InternalIP', address: '10.1.0.1' }],
    },
  },
  Secret: {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'tls', namespace: 'shop' },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': 'Y2VydA==', 'tls.key': 'a2V5' },
  },
  GatewayClass: {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name: 'ingress-bridge' },
    spec: { controllerName: 'ingress-bridge.io/gateway-controller' },
  },
  Gateway: {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      gatewayClassName: 'ingress-bridge',
      listeners: [
        { name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { team: 'shop' } } } } },
        { name: 'https', port: 443, protocol: 'HTTPS', hostname: 'shop.example.com', tls: { certificateRefs: [{ name: 'tls' }] } },
      ],
    },
  },
  HTTPRoute: {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      parentRefs: [{ name: 'web', sectionName: 'http' }],
      hostnames: ['shop.example.com'],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' }, headers: [{ name: 'x-env', value: 'canary' }], method: 'GET' }],
          backendRefs: [{ name: 'web', port: 80, weight: 10 }],
        },
      ],
    },
  },
  GRPCRoute: {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GRPCRoute',
    metadata: { name: 'api', namespace: 'shop' },
    spec: {
      parentRefs: [{ name: 'web' }],
      rules: [{ matches: [{ method: { service: 'shop.Cart', method: 'Add' } }], backendRefs: [{ name: 'grpc', port: 50051 }] }],
    },
  },
  ReferenceGrant: {
    apiVersion: 'gateway.networking.k8s.io/v1beta1',
    kind: 'ReferenceGrant',
    metadata: { name: 'from-shop', namespace: 'backends' },
    spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'shop' }], to: [{ group: '', kind: 'Service' }] },
  },
  Pod: {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'shop' },
    spec: { readinessGates: [{ conditionType: 'target-health.ingress-bridge.io/web-80-0123456789' }] },
    status: { podIP: '127.0.0.2', conditions: [{ type: 'ContainersReady', status: 'True', reason: 'Ready', message: 'up' }] },
  },
};

const MISSING = Symbol('missing');

interface WrongShape {
  kind: WatchedKind;
  /** The path set to `to` in a copy of the valid object (`MISSING` deletes it). */
  set: string;
  to: unknown;
  /** The field the diagnostic names, when it is not `set` itself. */
  field?: string;
  message: RegExp;
}

const PORT_NUMBER = 'spec.rules[1].http.paths[0].backend.service.port.number';
const SERVICE_BACKEND = 'spec.rules[1].http.paths[0].backend.service';

const WRONG_SHAPES: WrongShape[] = [
  { kind: 'Ingress', set: 'spec', to: 'rules', message: /^spec must be a mapping, not a string$/ },
  { kind: 'Ingress', set: 'spec.ingressClassName', to: 5, message: /^ingressClassName must be a string, not the number 5; quote the value in YAML$/ },
  { kind: 'Ingress', set: 'spec.defaultBackend', to: 'web', message: /^defaultBackend must be a mapping, not a string$/ },
  { kind: 'Ingress', set: 'spec.defaultBackend.resource.kind', to: MISSING, message: /^kind is missing; it must be a string$/ },
  { kind: 'Ingress', set: 'spec.rules', to: 'all', message: /^rules must be a list, not a string$/ },
  { kind: 'Ingress', set: 'spec.rules[0]', to: 'a.example.com', message: /^rules\[0\] must be a mapping, not a string$/ },
  { kind: 'Ingress', set: 'spec.rules[0].host', to: true, message: /^host must be a string, not the boolean true; quote/ },
  { kind: 'Ingress', set: 'spec.rules[0].http', to: [], message: /^http must be a mapping, not a list$/ },
  { kind: 'Ingress', set: 'spec.rules[0].http.paths', to: MISSING, message: /^paths is missing; it must be a list$/ },
  { kind: 'Ingress', set: 'spec.rules[0].http.paths[0].path', to: 1, message: /^path must be a string, not the number 1/ },
  { kind: 'Ingress', set: 'spec.rules[0].http.paths[0].pathType', to: ['Prefix'], message: /^pathType must be a string, not a list$/ },
  { kind: 'Ingress', set: 'spec.rules[0].http.paths[0].backend', to: MISSING, message: /^backend is missing; it must be a mapping$/ },
  { kind: 'Ingress', set: 'spec.rules[0].http.paths[0].backend.service.port.name', to: 8080, message: /^name must be a string, not the number 8080; quote/ },
  { kind: 'Ingress', set: PORT_NUMBER, to: '80', message: /^number must be an integer from 1 to 65535, not the string "80"; write 80 without quotes$/ },
  { kind: 'Ingress', set: PORT_NUMBER, to: 80.5, message: /^number must be an integer from 1 to 65535, not the number 80\.5$/ },
  { kind: 'Ingress', set: PORT_NUMBER, to: 0, message: /^number must be an integer from 1 to 65535, not the number 0$/ },
  { kind: 'Ingress', set: PORT_NUMBER, to: '70000', message: /^number must be an integer from 1 to 65535, not the string "70000"$/ },
  { kind: 'Ingress', set: `${SERVICE_BACKEND}.name`, to: MISSING, message: /^name is missing; it must be a string$/ },
  { kind: 'Ingress', set: `${SERVICE_BACKEND}.port`, to: MISSING, message: /^port is missing; it must be a mapping$/ },
  {
    kind: 'Ingress',
    set: `${SERVICE_BACKEND}.port`,
    to: { number: 80, name: 'http' },
    message: /^port must give exactly one of number or name, but it gives number and name$/,
  },
  { kind: 'Ingress', set: `${SERVICE_BACKEND}.port`, to: {}, message: /^port must give exactly one of number or name, but it gives neither$/ },
  { kind: 'Ingress', set: `${SERVICE_BACKEND}.port`, to: 80, message: /^port must be a mapping, not the number 80$/ },
  { kind: 'Ingress', set: 'spec.tls', to: { hosts: [] }, message: /^tls must be a list, not a mapping$/ },
  { kind: 'Ingress', set: 'spec.tls[0].hosts', to: 'a.example.com', message: /^hosts must be a list, not a string$/ },
  { kind: 'Ingress', set: 'spec.tls[0].hosts[0]', to: 1.5, message: /^hosts\[0\] must be a string, not the number 1\.5; quote/ },
  { kind: 'Ingress', set: 'spec.tls[0].secretName', to: false, message: /^secretName must be a string, not the boolean false/ },
  { kind: 'IngressClass', set: 'spec', to: MISSING, message: /^spec is missing; it must be a mapping$/ },
  { kind: 'IngressClass', set: 'spec.controller', to: MISSING, message: /^controller is missing; it must be a string$/ },
  { kind: 'IngressClass', set: 'spec.controller', to: 1, message: /^controller must be a string/ },
  { kind: 'IngressClass', set: 'spec.parameters', to: 'params', message: /^parameters must be a mapping, not a string$/ },
  { kind: 'IngressClass', set: 'spec.parameters.name', to: MISSING, message: /^name is missing/ },
  { kind: 'Service', set: 'spec.type', to: 1, message: /^type must be a string/ },
  { kind: 'Service', set: 'spec.selector', to: ['web'], message: /^spec\.selector must be a mapping of string keys to string values, not a list$/ },
  { kind: 'Service', set: 'spec.selector.app', to: 1, field: 'spec.selector["app"]', message: /^selector value must be a string, not the number 1; quote/ },
  { kind: 'Service', set: 'spec.ports', to: 'http', message: /^ports must be a list, not a string$/ },
  { kind: 'Service', set: 'spec.ports[1]', to: 9000, message: /^ports\[1\] must be a mapping, not the number 9000$/ },
  { kind: 'Service', set: 'spec.ports[0].port', to: MISSING, message: /^port is missing; it must be an integer from 1 to 65535$/ },
  { kind: 'Service', set: 'spec.ports[0].port', to: '80', message: /^port must be an integer from 1 to 65535, not the string "80"; write 80 without quotes$/ },
  { kind: 'Service', set: 'spec.ports[0].port', to: 65536, message: /^port must be an integer from 1 to 65535, not the number 65536$/ },
  {
    kind: 'Service',
    set: 'spec.ports[0].targetPort',
    to: '8080',
    message: /^targetPort must be a port number \(an integer from 1 to 65535\) or a port name, not the string "8080"; write 8080 without quotes$/,
  },
  { kind: 'Service', set: 'spec.ports[0].targetPort', to: 8080.5, message: /^targetPort must be a port number .* not the number 8080\.5$/ },
  { kind: 'Service', set: 'spec.ports[0].targetPort', to: true, message: /^targetPort must be a port number .* not the boolean true$/ },
  {
    kind: 'Service',
    set: 'spec.ports[0].nodePort',
    to: '30080',
    message: /^nodePort must be an integer from 1 to 65535, not the string "30080"; write 30080 without quotes$/,
  },
  { kind: 'Service', set: 'spec.ports[0].protocol', to: 6, message: /^protocol must be a string/ },
  { kind: 'Service', set: 'spec.ports[1].name', to: true, message: /^name must be a string, not the boolean true/ },
  { kind: 'EndpointSlice', set: 'addressType', to: MISSING, message: /^addressType is missing; it must be a string$/ },
  { kind: 'EndpointSlice', set: 'endpoints', to: { addresses: [] }, message: /^endpoints must be a list, not a mapping$/ },
  { kind: 'EndpointSlice', set: 'endpoints[0].addresses', to: MISSING, message: /^addresses is missing; it must be a non-empty list$/ },
  { kind: 'EndpointSlice', set: 'endpoints[0].addresses', to: [], message: /^addresses must be a non-empty list, not an empty list$/ },
  { kind: 'EndpointSlice', set: 'endpoints[0].addresses', to: '10.0.0.1', message: /^addresses must be a non-empty list, not a string$/ },
  { kind: 'EndpointSlice', set: 'endpoints[0].addresses[0]', to: 10, message: /^addresses\[0\] must be a string/ },
  { kind: 'EndpointSlice', set: 'endpoints[0].conditions', to: ['ready'], message: /^conditions must be a mapping, not a list$/ },
  {
    kind: 'EndpointSlice',
    set: 'endpoints[0].conditions.ready',
    to: 'true',
    message: /^ready must be a boolean \(true or false\), not the string "true"; write true without quotes$/,
  },
  { kind: 'EndpointSlice', set: 'endpoints[0].conditions.terminating', to: 1, message: /^terminating must be a boolean/ },
  { kind: 'EndpointSlice', set: 'endpoints[0].nodeName', to: 1, message: /^nodeName must be a string/ },
  { kind: 'EndpointSlice', set: 'endpoints[0].zone', to: ['a'], message: /^zone must be a string, not a list$/ },
  { kind: 'EndpointSlice', set: 'endpoints[0].targetRef', to: 'pod', message: /^targetRef must be a mapping/ },
  { kind: 'EndpointSlice', set: 'ports', to: 'http', message: /^ports must be a list, not a string$/ },
  { kind: 'EndpointSlice', set: 'ports[0].port', to: '8080', message: /; write 8080 without quotes$/ },
  { kind: 'EndpointSlice', set: 'ports[0].protocol', to: 6, message: /^protocol must be a string/ },
  { kind: 'Node', set: 'spec.providerID', to: 1, message: /^providerID must be a string/ },
  {
    kind: 'Node',
    set: 'spec.unschedulable',
    to: 'false',
    message: /^unschedulable must be a boolean \(true or false\), not the string "false"; write false without quotes$/,
  },
  { kind: 'Node', set: 'spec.unschedulable', to: 'no', message: /^unschedulable must be a boolean \(true or false\), not a string$/ },
  { kind: 'Node', set: 'status', to: 'Ready', message: /^status must be a mapping, not a string$/ },
  { kind: 'Node', set: 'status.conditions', to: { Ready: 'True' }, message: /^conditions must be a list, not a mapping$/ },
  { kind: 'Node', set: 'status.conditions[0].type', to: MISSING, message: /^type is missing; it must be a string$/ },
  { kind: 'Node', set: 'status.conditions[0].status', to: true, message: /^status must be a string, not the boolean true; quote the value in YAML$/ },
  { kind: 'Node', set: 'status.addresses', to: '10.1.0.1', message: /^addresses must be a list, not a string$/ },
  { kind: 'Node', set: 'status.addresses[0].address', to: MISSING, message: /^address is missing; it must be a string$/ },
  { kind: 'Secret', set: 'type', to: 1, message: /^type must be a string, not the number 1/ },
];

/** `spec.rules[1].http` → ['spec', 'rules', 1, 'http']. */
function segments(path: string): (string | number)[] {
  return path.split(/\.|(?=\[)/).map((part) => (part.startsWith('[') ? Number(part.slice(1, -1)) : part));
}

function withValue(object: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(object);
  const parts = segments(path);
  const last = parts.pop() as string | number;
  let parent: unknown = copy;
  for (const part of parts) parent = (parent as Record<string | number, unknown>)[part];
  const container = parent as Record<string | number, unknown>;
  assert.ok(last in container || value !== MISSING, `${path} is not in the valid object`);
  if (value === MISSING) Reflect.deleteProperty(container, last);
  else container[last] = value;
  return copy;
}

describe('shape checks of each watched kind', () => {
  for (const [kind, valid] of Object.entries(VALID)) {
    it(`loads a fully valid ${kind} unchanged, with no diagnostic`, () => {
      const { objects, diagnostics } = validateDocument(valid, SOURCE);
      assert.deepEqual(diagnostics, []);
      assert.deepEqual(objects, [{ kind, object: valid, source: SOURCE }]);
    });
  }

  for (const wrong of WRONG_SHAPES) {
    const field = wrong.field ?? wrong.set;
    it(`${wrong.kind}: leaves the object out when ${field} is ${wrong.to === MISSING ? 'missing' : JSON.stringify(wrong.to)}`, () => {
      const { objects, diagnostics } = validateDocument(withValue(VALID[wrong.kind], wrong.set, wrong.to), SOURCE);
      assert.deepEqual(objects, []);
      assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
      const [diagnostic] = diagnostics;
      assert.equal(diagnostic?.severity, 'error');
      assert.equal(diagnostic?.field, field);
      assert.equal(diagnostic?.object.kind, wrong.kind);
      assert.match(diagnostic?.message ?? '', wrong.message);
    });
  }

  it('reports every wrong field of an object, not only the first', () => {
    const service = withValue(withValue(VALID.Service, 'spec.ports[0].port', '80'), 'spec.ports[1].targetPort', 9000.5);
    const { objects, diagnostics } = validateDocument(service, SOURCE);
    assert.deepEqual(objects, []);
    assert.deepEqual(
      diagnostics.map((d) => d.field),
      ['spec.ports[0].port', 'spec.ports[1].targetPort'],
    );
  });
});

describe('shape checks on YAML text', () => {
  it('names the exact field of a quoted port number in an Ingress', () => {
    const text = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: web }
spec:
  rules:
    - http:
        paths: [{ path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }]
    - http:
        paths: [{ path: /, pathType: Prefix, backend: { service: { name: web, port: { number: "80" } } } }]
`;
    const { objects, diagnostics } = parseManifestFile(text, 'web.yaml');
    assert.deepEqual(objects, []);
    assert.deepEqual(
      diagnostics.map((d) => [d.severity, d.field, d.source]),
      [['error', PORT_NUMBER, { file: 'web.yaml', document: 0 }]],
    );
    assert.match(diagnostics[0]?.message ?? '', /write 80 without quotes/);
  });

  it('catches an unquoted True in a Node condition, which YAML 1.1 reads as a boolean', () => {
    const text = 'apiVersion: v1\nkind: Node\nmetadata: { name: node-a }\nstatus:\n  conditions: [{ type: Ready, status: True }]\n';
    const { objects, diagnostics } = parseManifestFile(text, 'node.yaml');
    assert.deepEqual(objects, []);
    assert.deepEqual(
      diagnostics.map((d) => d.field),
      ['status.conditions[0].status'],
    );
    assert.match(diagnostics[0]?.message ?? '', /quote the value in YAML/);
  });

  it('reads null optional fields as absent and null selector values as "", as the API server does', () => {
    const text = 'apiVersion: v1\nkind: Service\nmetadata: { name: web }\nspec:\n  type:\n  selector: { app: }\n  ports:\n    - name:\n      port: 80\n';
    const { objects, diagnostics } = parseManifestFile(text, 'svc.yaml');
    assert.deepEqual(diagnostics, []);
    const service = objects[0]?.object;
    assert.deepEqual(service && 'spec' in service ? service.spec : undefined, { selector: { app: '' }, ports: [{ port: 80 }] });
  });

  it('prefixes the field with the item index of a List', () => {
    const text =
      'apiVersion: v1\nkind: List\nitems:\n  - { apiVersion: v1, kind: Service, metadata: { name: a }, spec: { ports: [{ port: 80 }] } }\n  - { apiVersion: v1, kind: Service, metadata: { name: b }, spec: { ports: [{ port: "80" }] } }\n';
    const { objects, diagnostics } = parseManifestFile(text, 'list.yaml');
    assert.deepEqual(
      objects.map((o) => o.object.metadata?.name),
      ['a'],
    );
    assert.deepEqual(
      diagnostics.map((d) => [d.field, d.object.name]),
      [['items[1].spec.ports[0].port', 'b']],
    );
  });
});

describe('the examples directory', () => {
  it('loads with no error or warning', async () => {
    const examples = fileURLToPath(new URL('../../examples/', import.meta.url));
    const { snapshot, diagnostics, files } = await loadManifestDirectory(examples);
    assert.deepEqual(
      diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning'),
      [],
    );
    assert.ok(files.length > 0, 'examples/ holds manifest files');
    assert.ok(snapshot.ingresses().length > 0 && snapshot.nodes().length > 0, 'the examples define Ingresses and a Node');
  });
});
