/**
 * Every problem of an Ingress in one round (issue 13): a newcomer with three mistakes sees three
 * diagnostics at once, not one per save; and an annotation of another controller is named with what
 * to use instead, never ignored without a word.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runPlan } from '../../src/commands/plan.js';
import { INGRESS_CLASS_YAML, serviceYaml, testOptions } from '../support/cluster.js';

/** Three mistakes: a scheme that does not exist, a path without its leading "/", and a Service name with capitals. */
const THREE_MISTAKES = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  namespace: default
  annotations:
    ingress-bridge.io/scheme: public
    nginx.ingress.kubernetes.io/rewrite-target: /
    nginx.ingress.kubernetes.io/proxy-body-size: 8m
spec:
  ingressClassName: ingress-bridge
  rules:
    - host: shop.test
      http:
        paths:
          - path: api
            pathType: Prefix
            backend: {service: {name: web, port: {number: 80}}}
          - path: /cart
            pathType: Prefix
            backend: {service: {name: Web_Cart, port: {number: 80}}}
---
`;

describe('plan reports every problem of an Ingress at once', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'problems-'));
    await writeFile(join(dir, 'shop.yaml'), INGRESS_CLASS_YAML + serviceYaml({ name: 'web' }) + THREE_MISTAKES);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('three mistakes give three errors, each naming its field', async () => {
    const outcome = await runPlan({ manifests: dir, output: 'text', provider: 'aws', translate: testOptions() });
    const errors = outcome.diagnostics.filter((entry) => entry.severity === 'error');
    assert.deepEqual(
      errors.map((entry) => entry.field),
      ['metadata.annotations["ingress-bridge.io/scheme"]', 'spec.rules[0].http.paths[0].path', 'spec.rules[0].http.paths[1].backend.service.name'],
    );
    assert.ok(outcome.hasErrors);
    assert.match(outcome.stdout, /3 errors/);
  });

  // The adoption advice comes once per Ingress, on its first nginx annotation only.
  it('names each annotation of another controller with what to use instead', async () => {
    const outcome = await runPlan({ manifests: dir, output: 'text', provider: 'aws', translate: testOptions() });
    const warnings = outcome.diagnostics.filter((entry) => entry.severity === 'warning' && entry.field.includes('nginx.ingress.kubernetes.io'));
    assert.deepEqual(
      warnings.map((entry) => entry.message),
      [
        "nginx.ingress.kubernetes.io/rewrite-target is ingress-nginx's and is not read by ingress-bridge; ignored (rewrite the path with ingress-bridge.io/transforms.<service> (a url-rewrite), or in the application); to serve it as ingress-nginx does without converting it, keep ingressClassName: nginx and run ingress-bridge with --ingress-class nginx, which reads nginx.ingress.kubernetes.io/ annotations (docs/migrating-from-ingress-nginx.md)",
        "nginx.ingress.kubernetes.io/proxy-body-size is ingress-nginx's and is not read by ingress-bridge; ignored (see docs/annotations.md for the ingress-bridge.io/ annotations)",
      ],
    );
  });
});
