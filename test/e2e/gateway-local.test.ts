/**
 * The core HTTPRoute behaviours the Gateway API specification defines, over real sockets: `run
 * --manifests` with the local provider serves two Gateways written as a user of the standard-channel
 * CRDs writes them, and each request must reach the backend the specification says, with the status
 * reasons it says for the references that do not resolve.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunHandle } from '../../src/commands/run-manifests.js';
import type { LocalProvider } from '../../providers/local/index.js';
import { startEchoBackend, type EchoBackend } from '../../demo/echo-backend.js';
import { echo, selfSignedCertificate, send, tlsSecretYaml, type SelfSignedCertificate } from '../support/local-lb.js';
import { eventually, loopbackServiceYaml, startLocalRun } from '../support/manifest-run.js';
import { GATEWAY_CLASS_YAML } from '../support/gateway.js';
import { testOptions } from '../support/cluster.js';

const BACKENDS = ['a', 'b', 'c', 'd'] as const;

const GATEWAYS = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: default}
spec:
  gatewayClassName: ingress-bridge
  listeners:
  - name: http
    port: 80
    protocol: HTTP
    hostname: "*.web.test"
    allowedRoutes:
      namespaces: {from: All}
  - name: https
    port: 443
    protocol: HTTPS
    hostname: secure.test
    tls:
      mode: Terminate
      certificateRefs:
      - {kind: Secret, name: secure-tls}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: other, namespace: default}
spec:
  gatewayClassName: ingress-bridge
  listeners:
  - {name: http, port: 80, protocol: HTTP, hostname: other.test}
---
`;

/** The precedence case split over two routes, each written least specific first. */
const ROUTES = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: paths-short, namespace: default}
spec:
  parentRefs: [{name: web, sectionName: http}]
  hostnames: [paths.web.test]
  rules:
  - matches: [{path: {type: PathPrefix, value: /}}]
    backendRefs: [{name: a, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /foo}}]
    backendRefs: [{name: b, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: paths-long, namespace: default}
spec:
  parentRefs: [{name: web}]
  hostnames: [paths.web.test]
  rules:
  - matches: [{path: {type: PathPrefix, value: /foo/bar}}]
    backendRefs: [{name: c, port: 80}]
  - matches: [{path: {type: Exact, value: /foo}}]
    backendRefs: [{name: d, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: matching, namespace: default}
spec:
  parentRefs: [{name: web}]
  hostnames: [match.web.test]
  rules:
  - matches: [{headers: [{name: x-env, value: canary}]}]
    backendRefs: [{name: b, port: 80}]
  - matches: [{queryParams: [{name: animal, value: whale}]}]
    backendRefs: [{name: c, port: 80}]
  - matches: [{method: DELETE}]
    backendRefs: [{name: d, port: 80}]
  - backendRefs: [{name: a, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: weights, namespace: default}
spec:
  parentRefs: [{name: web}]
  hostnames: [weights.web.test]
  rules:
  - backendRefs: [{name: a, port: 80, weight: 1}, {name: b, port: 80, weight: 1}, {name: c, port: 80, weight: 0}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: redirect, namespace: default}
spec:
  parentRefs: [{name: web}]
  hostnames: [old.web.test]
  rules:
  - filters:
    - type: RequestRedirect
      requestRedirect: {hostname: new.web.test, statusCode: 301}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: secure, namespace: default}
spec:
  parentRefs: [{name: web, sectionName: https}]
  rules:
  - backendRefs: [{name: d, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: other, namespace: default}
spec:
  parentRefs: [{name: other}]
  rules:
  - backendRefs: [{name: b, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: outside, namespace: default}
spec:
  parentRefs: [{name: web}]
  hostnames: [elsewhere.test]
  rules:
  - backendRefs: [{name: a, port: 80}]
---
`;

/** Routes of namespace team reach Services of default only where a ReferenceGrant there says so (Service d). */
const CROSS_NAMESPACE = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: cross, namespace: team}
spec:
  parentRefs: [{name: web, namespace: default}]
  hostnames: [cross.web.test]
  rules:
  - backendRefs: [{name: d, namespace: default, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: denied, namespace: team}
spec:
  parentRefs: [{name: web, namespace: default}]
  hostnames: [denied.web.test]
  rules:
  - backendRefs: [{name: c, namespace: default, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: missing, namespace: default}
spec:
  parentRefs: [{name: web}]
  hostnames: [missing.web.test]
  rules:
  - backendRefs: [{name: nowhere, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: ReferenceGrant
metadata: {name: team-routes, namespace: default}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: team}]
  to: [{group: "", kind: Service, name: d}]
---
`;

describe('Gateway API over real sockets: run --manifests with the local provider', () => {
  let dir = '';
  let handle: RunHandle;
  let httpPort = 0;
  let httpsPort = 0;
  let certificate: SelfSignedCertificate;
  const backends = new Map<string, EchoBackend>();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'e2e-gateway-'));
    for (const name of BACKENDS) backends.set(name, await startEchoBackend({ name }));
    certificate = selfSignedCertificate(['secure.test']);
    const services = BACKENDS.map((name) => loopbackServiceYaml(name, (backends.get(name) as EchoBackend).port)).join('');
    await writeFile(join(dir, 'base.yaml'), GATEWAY_CLASS_YAML + services + tlsSecretYaml('secure-tls', certificate));
    await writeFile(join(dir, 'gateways.yaml'), GATEWAYS);
    await writeFile(join(dir, 'routes.yaml'), ROUTES);
    await writeFile(join(dir, 'cross.yaml'), CROSS_NAMESPACE);
    // ip targets: the loopback endpoints themselves (instance targets would need Nodes).
    handle = await startLocalRun(dir, { translateOptions: () => testOptions({ now: new Date(), defaultTargetType: 'ip' }) });
    const provider = handle.provider as LocalProvider;
    httpPort = provider.boundPort(80) ?? assert.fail('port 80 is served');
    httpsPort = provider.boundPort(443) ?? assert.fail('port 443 is served');
    await eventually(async () => assert.equal((await send({ port: httpPort, host: 'paths.web.test', path: '/' })).status, 200));
  });

  after(async () => {
    await handle?.stop();
    await Promise.all([...backends.values()].map((backend) => backend.close()));
    await rm(dir, { recursive: true, force: true });
  });

  const backendOf = async (host: string, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<string> =>
    (await echo({ port: httpPort, host, path, ...options })).backend;

  it('path match order across routes: Exact, then the longest PathPrefix', async () => {
    const expected: Record<string, string> = {
      '/': 'a',
      '/x': 'a',
      '/foo': 'd',
      '/foo/': 'b',
      '/foo/x': 'b',
      '/foobar': 'a',
      '/foo/bar': 'c',
      '/foo/bar/x': 'c',
    };
    for (const [path, backend] of Object.entries(expected)) assert.equal(await backendOf('paths.web.test', path), backend, path);
  });

  it('header, query parameter and method matching', async () => {
    assert.equal(await backendOf('match.web.test', '/', { headers: { 'x-env': 'canary' } }), 'b');
    assert.equal(await backendOf('match.web.test', '/?animal=whale'), 'c');
    assert.equal(await backendOf('match.web.test', '/', { method: 'DELETE' }), 'd');
    assert.equal(await backendOf('match.web.test', '/?animal=dolphin', { headers: { 'x-env': 'prod' } }), 'a');
  });

  it('hostname intersection: a route hostname outside the listener’s is not served; the listener hostname decides the Gateway', async () => {
    assert.equal((await send({ port: httpPort, host: 'elsewhere.test', path: '/' })).status, 404);
    assert.equal((await send({ port: httpPort, host: 'web.test', path: '/' })).status, 404);
    assert.equal(await backendOf('other.test', '/anything'), 'b');
  });

  it('weights: traffic splits over the weighted backends, none to weight 0', async () => {
    const seen = new Map<string, number>();
    for (let index = 0; index < 60; index++) {
      const backend = await backendOf('weights.web.test', '/');
      seen.set(backend, (seen.get(backend) ?? 0) + 1);
    }
    assert.deepEqual([...seen.keys()].sort(), ['a', 'b']);
  });

  it('RequestRedirect: host and status code', async () => {
    const response = await send({ port: httpPort, host: 'old.web.test', path: '/path?q=1' });
    assert.equal(response.status, 301);
    assert.equal(response.headers.location, `http://new.web.test:${httpPort}/path?q=1`);
  });

  it('HTTPS listener: the certificateRefs Secret is served for the listener hostname', async () => {
    const response = await send({ port: httpsPort, host: 'secure.test', path: '/', tls: { ca: [certificate.certificatePem], servername: 'secure.test' } });
    assert.equal(response.status, 200);
    assert.equal((JSON.parse(response.body) as { backend: string }).backend, 'd');
    assert.match(String(response.certificate?.subjectaltname), /DNS:secure\.test/);
  });

  it('cross-namespace backends: served with a ReferenceGrant, 500 without; a missing Service is 500', async () => {
    assert.equal(await backendOf('cross.web.test', '/'), 'd');
    assert.equal((await send({ port: httpPort, host: 'denied.web.test', path: '/' })).status, 500);
    assert.equal((await send({ port: httpPort, host: 'missing.web.test', path: '/' })).status, 500);
  });
});
