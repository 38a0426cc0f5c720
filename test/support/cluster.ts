/**
 * Compact builders for translate tests: Ingresses from a few fields, and a Service with its
 * EndpointSlice and a Node, put into a Snapshot the way the manifest source would.
 */
import assert from 'node:assert/strict';
import type { Diagnostic, LoadBalancerSpec } from '../../src/model.js';
import { addToSnapshot, parseManifestFile } from '../../src/sources/manifests.js';
import { Snapshot } from '../../src/sources/snapshot.js';
import { defaultTranslateOptions, translateAll, type TranslateOptions, type TranslateResult } from '../../src/translate/index.js';

/** A Snapshot from YAML text; fails the test if the YAML itself is malformed. */
export function snapshotFromYaml(yaml: string, file = 'test.yaml'): Snapshot {
  const parsed = parseManifestFile(yaml, file);
  const errors = parsed.diagnostics.filter((entry) => entry.severity === 'error');
  assert.deepEqual(errors, [], 'the test fixture YAML must be valid');
  const snapshot = new Snapshot();
  addToSnapshot(snapshot, parsed.objects);
  return snapshot;
}

export interface ServiceFixture {
  name: string;
  namespace?: string;
  port?: number;
  portName?: string;
  targetPort?: number | string;
  nodePort?: number;
  /** Endpoint addresses (all ready) on `endpointPort`. */
  endpoints?: string[];
  endpointPort?: number;
  annotations?: Record<string, string>;
}

/** A NodePort Service, its EndpointSlice, as YAML. */
export function serviceYaml(fixture: ServiceFixture): string {
  const namespace = fixture.namespace ?? 'default';
  const port = fixture.port ?? 80;
  const portName = fixture.portName ?? 'http';
  const annotations = fixture.annotations
    ? `  annotations:\n${Object.entries(fixture.annotations)
        .map(([key, value]) => `    ${key}: ${JSON.stringify(value)}`)
        .join('\n')}\n`
    : '';
  const endpoints = (fixture.endpoints ?? ['10.0.0.1'])
    .map((address) => `  - addresses: ["${address}"]\n    conditions: {ready: true}\n    zone: us-east-1a`)
    .join('\n');
  return `apiVersion: v1
kind: Service
metadata:
  name: ${fixture.name}
  namespace: ${namespace}
${annotations}spec:
  type: NodePort
  ports:
  - name: ${portName}
    port: ${port}
    targetPort: ${JSON.stringify(fixture.targetPort ?? 8080)}
    nodePort: ${fixture.nodePort ?? 30080}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${fixture.name}-1
  namespace: ${namespace}
  labels: {kubernetes.io/service-name: ${fixture.name}, endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io}
addressType: IPv4
ports: [{name: ${portName}, port: ${fixture.endpointPort ?? 8080}, protocol: TCP}]
endpoints:
${endpoints}
---
`;
}

/**
 * The Service `name` selecting the Pods `app: <name>` (port 80, `http`, to 8080), with no
 * EndpointSlice: for tests that make the Pods and their slices themselves (readiness gates).
 */
export function selectingServiceYaml(name: string, namespace: string): string {
  return `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  selector: {app: ${name}}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
`;
}

export const NODE_YAML = `apiVersion: v1
kind: Node
metadata: {name: node-a}
spec: {providerID: "aws:///us-east-1a/i-0aaaaaaaaaaaaaaaa"}
status:
  conditions: [{type: Ready, status: "True"}]
  addresses: [{type: InternalIP, address: 10.1.0.1}]
---
`;

export const INGRESS_CLASS_YAML = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: ingress-bridge}
spec: {controller: ingress-bridge.io/controller}
---
`;

export function testOptions(overrides: Partial<TranslateOptions> = {}): TranslateOptions {
  return defaultTranslateOptions({ clusterName: 'test', now: new Date('2026-11-21T00:00:00Z'), ...overrides });
}

export interface Translated {
  results: TranslateResult[];
  specs: LoadBalancerSpec[];
  diagnostics: Diagnostic[];
}

export function translateYaml(yaml: string, options: TranslateOptions = testOptions()): Translated {
  const all = translateAll(snapshotFromYaml(yaml), options);
  return {
    results: all.results,
    specs: all.results.flatMap((result) => (result.spec ? [result.spec] : [])),
    diagnostics: [...all.diagnostics, ...all.results.flatMap((result) => result.diagnostics)],
  };
}

/** The one spec a single-group fixture produces. */
export function onlySpec(translated: Translated): LoadBalancerSpec {
  assert.equal(translated.specs.length, 1, `expected one load balancer, got ${translated.specs.length}: ${JSON.stringify(translated.diagnostics)}`);
  return translated.specs[0] as LoadBalancerSpec;
}

export function errorsOf(translated: Translated): Diagnostic[] {
  return translated.diagnostics.filter((entry) => entry.severity === 'error');
}

export interface PathFixture {
  path?: string;
  pathType?: string;
  service: string;
  port?: number | string;
}

export interface IngressFixture {
  name: string;
  namespace?: string;
  annotations?: Record<string, string>;
  rules?: { host?: string; paths: PathFixture[] }[];
  defaultBackend?: { service: string; port?: number | string };
  tls?: { hosts?: string[]; secretName?: string }[];
  ingressClassName?: string | null;
}

function backendYaml(service: string, port: number | string | undefined, indent: string): string {
  const portField = typeof port === 'string' ? `name: ${JSON.stringify(port)}` : `number: ${port ?? 80}`;
  return `${indent}service:\n${indent}  name: ${service}\n${indent}  port: {${portField}}`;
}

/** An Ingress of our class as YAML; paths keep the order given (precedence must not depend on it). */
export function ingressYaml(fixture: IngressFixture): string {
  const lines = ['apiVersion: networking.k8s.io/v1', 'kind: Ingress', 'metadata:', `  name: ${fixture.name}`, `  namespace: ${fixture.namespace ?? 'default'}`];
  if (fixture.annotations) {
    lines.push('  annotations:');
    for (const [key, value] of Object.entries(fixture.annotations)) lines.push(`    ${key}: ${JSON.stringify(value)}`);
  }
  lines.push('spec:');
  if (fixture.ingressClassName !== null) lines.push(`  ingressClassName: ${fixture.ingressClassName ?? 'ingress-bridge'}`);
  if (fixture.defaultBackend) lines.push('  defaultBackend:', backendYaml(fixture.defaultBackend.service, fixture.defaultBackend.port, '    '));
  if (fixture.tls) {
    lines.push('  tls:');
    for (const entry of fixture.tls) {
      lines.push(`  - hosts: ${JSON.stringify(entry.hosts ?? [])}`);
      if (entry.secretName) lines.push(`    secretName: ${entry.secretName}`);
    }
  }
  if (fixture.rules) {
    lines.push('  rules:');
    for (const rule of fixture.rules) {
      lines.push(rule.host === undefined ? '  - http:' : `  - host: ${JSON.stringify(rule.host)}\n    http:`);
      lines.push('      paths:');
      for (const path of rule.paths) {
        lines.push(`      - backend:\n${backendYaml(path.service, path.port, '          ')}`);
        if (path.path !== undefined) lines.push(`        path: ${JSON.stringify(path.path)}`);
        if (path.pathType !== undefined) lines.push(`        pathType: ${path.pathType}`);
      }
    }
  }
  return `${lines.join('\n')}\n---\n`;
}

/** A kubernetes.io/tls Secret holding the certificate and key, as YAML. */
export function tlsSecretYaml(name: string, certificate: { certificatePem: string; privateKeyPem: string }, namespace = 'default'): string {
  const base64 = (text: string): string => Buffer.from(text).toString('base64');
  return `apiVersion: v1
kind: Secret
metadata: {name: ${name}, namespace: ${namespace}}
type: kubernetes.io/tls
data:
  tls.crt: ${base64(certificate.certificatePem)}
  tls.key: ${base64(certificate.privateKeyPem)}
---
`;
}
