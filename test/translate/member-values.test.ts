/**
 * Ingress fields from a manifest the API server never checked (issue 11): a backend that names no
 * valid Service or port is an error on that field, and no message carries a control character from
 * the input, since messages go into logs and Events one line each.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Ingress } from '@kubernetes/client-node';
import type { Diagnostic } from '../../src/model.js';
import { translateAll } from '../../src/translate/index.js';
import { INGRESS_CLASS_YAML, NODE_YAML, serviceYaml, snapshotFromYaml, testOptions } from '../support/cluster.js';

function translateWith(rule: NonNullable<NonNullable<V1Ingress['spec']>['rules']>[number]): Diagnostic[] {
  const snapshot = snapshotFromYaml(INGRESS_CLASS_YAML + NODE_YAML + serviceYaml({ name: 'app' }));
  snapshot.upsert('Ingress', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web', namespace: 'default' },
    spec: { ingressClassName: 'ingress-bridge', rules: [rule] },
  });
  const all = translateAll(snapshot, testOptions());
  return [...all.diagnostics, ...all.results.flatMap((result) => result.diagnostics)].filter((entry) => entry.severity === 'error');
}

const backend = (name: string, port: { number?: number; name?: string }) => ({ service: { name, port } });
const onlyError = (diagnostics: Diagnostic[]): Diagnostic => {
  assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
  return diagnostics[0] as Diagnostic;
};

describe('backend, host and path values', () => {
  const CASES: { name: string; rule: Parameters<typeof translateWith>[0]; field: string; message: RegExp }[] = [
    {
      name: 'a Service name with CR/LF',
      rule: { http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend('app\r\nX: y', { number: 80 }) }] } },
      field: 'spec.rules[0].http.paths[0].backend.service.name',
      message: /^"app\\r\\nX: y" is not a Service name/,
    },
    {
      name: 'an upper-case Service name',
      rule: { http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend('App', { number: 80 }) }] } },
      field: 'spec.rules[0].http.paths[0].backend.service.name',
      message: /"App" is not a Service name/,
    },
    {
      name: 'a port name with a control character',
      rule: { http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend('app', { name: 'ht\u0085tp' }) }] } },
      field: 'spec.rules[0].http.paths[0].backend.service.port',
      message: /"ht\\u0085tp" is not a port number from 1 to 65535 or a port name/,
    },
    {
      name: 'a port number out of range',
      rule: { http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend('app', { number: 70000 }) }] } },
      field: 'spec.rules[0].http.paths[0].backend.service.port',
      message: /70000 is not a port number/,
    },
    {
      name: 'a host with U+0085',
      rule: { host: 'a\u0085.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend('app', { number: 80 }) }] } },
      field: 'spec.rules[0].host',
      message: /^host "a\\u0085\.test" is not a valid DNS name/,
    },
    {
      name: 'a path with CR/LF',
      rule: { http: { paths: [{ path: '/a\r\nb', pathType: 'Prefix', backend: backend('app', { number: 80 }) }] } },
      field: 'spec.rules[0].http.paths[0].path',
      message: /^path "\/a\\r\\nb" has spaces, control or non-ASCII characters/,
    },
    {
      name: 'a pathType with LF',
      rule: { http: { paths: [{ path: '/', pathType: 'Prefix\n', backend: backend('app', { number: 80 }) }] } },
      field: 'spec.rules[0].http.paths[0].pathType',
      message: /^pathType "Prefix\\n" is not one of/,
    },
  ];
  for (const entry of CASES) {
    it(`${entry.name} is an error on that field, shown escaped`, () => {
      const error = onlyError(translateWith(entry.rule));
      assert.deepEqual([error.object, error.field], [{ kind: 'Ingress', namespace: 'default', name: 'web' }, entry.field]);
      assert.match(error.message, entry.message);
      assert.doesNotMatch(error.message, /\p{Cc}/u);
    });
  }
});
