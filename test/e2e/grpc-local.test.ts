/**
 * gRPC through the local load balancer, over real sockets, as behind an ALB: the HTTPS listener
 * negotiates HTTP/2 by ALPN, a target group of protocol version GRPC speaks h2c to its target, and
 * the call's trailers (grpc-status, grpc-message) reach the client. The three ways a GRPC target
 * group is written are served by `run --manifests` with the local provider: our annotation, the
 * ingress-nginx one under `--ingress-class nginx`, and a Gateway API GRPCRoute.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunHandle } from '../../src/commands/run-manifests.js';
import type { LocalProvider } from '../../providers/local/index.js';
import { startEchoBackend, type EchoBackend } from '../../demo/echo-backend.js';
import { INGRESS_CLASS_YAML, ingressYaml, testOptions } from '../support/cluster.js';
import { GATEWAY_CLASS_YAML } from '../support/gateway.js';
import { selfSignedCertificate, tlsSecretYaml } from '../support/local-lb.js';
import { loopbackServiceYaml, startLocalRun } from '../support/manifest-run.js';

const HOSTS = ['grpc.test', 'plain.test', 'gw.test', 'nginx.test', 'slow.test'];

/** A gRPC message on the wire: a 1-byte compressed flag and a 4-byte big-endian length, then the bytes. */
function frame(message: string): Buffer {
  const body = Buffer.from(message);
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(body.length, 1);
  return Buffer.concat([prefix, body]);
}

function unframe(data: Buffer): string {
  return data.length < 5 ? '' : data.subarray(5, 5 + data.readUInt32BE(1)).toString();
}

interface GrpcBackend {
  port: number;
  /** Stops listening and drops its connections, as a Pod that died. */
  stop(): Promise<void>;
}

/**
 * A gRPC-ish server over h2c: `/test.Echo/Say` answers the message it got, prefixed with its name
 * and what the load balancer told it (Host, X-Forwarded-Proto), then the status in trailers; any
 * other method is UNIMPLEMENTED (12) in a trailers-only answer, as gRPC servers answer the ALB's
 * default health check; `/test.Slow/Wait` is never answered.
 */
async function startGrpcBackend(name: string): Promise<GrpcBackend> {
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    // Never answered: the load balancer's idle timeout ends the call.
    if (headers[':path'] === '/test.Slow/Wait') return;
    if (headers[':path'] !== '/test.Echo/Say') {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12' }, { endStream: true });
      return;
    }
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': `served by ${name}` }));
      const seen = `${name}|${String(headers[':authority'])}|${String(headers['x-forwarded-proto'])}|${String(headers['content-type'])}`;
      stream.end(frame(`${seen}|${unframe(Buffer.concat(chunks))}`));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stop: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const session of sessions) session.destroy();
      await closed;
    },
  };
}

interface GrpcAnswer {
  status: number | undefined;
  headers: http2.IncomingHttpHeaders;
  trailers: http2.IncomingHttpHeaders;
  message: string;
}

/** A unary gRPC call over TLS with ALPN h2; grpc-status comes from the trailers or a trailers-only answer. */
function call(port: number, options: { host: string; ca: string; path?: string; message?: string }): Promise<GrpcAnswer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`https://${options.host}:${port}`, {
      ca: options.ca,
      servername: options.host,
      lookup: (_host, _options, done) => done(null, [{ address: '127.0.0.1', family: 4 }]),
    } as http2.SecureClientSessionOptions);
    session.on('error', reject);
    const stream = session.request({
      ':method': 'POST',
      ':path': options.path ?? '/test.Echo/Say',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    let headers: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('response', (received) => (headers = received));
    stream.on('trailers', (received: http2.IncomingHttpHeaders) => (trailers = received));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', reject);
    stream.on('end', () => {
      session.close();
      const status = trailers['grpc-status'] ?? headers['grpc-status'];
      resolve({ status: status === undefined ? undefined : Number(status), headers, trailers, message: unframe(Buffer.concat(chunks)) });
    });
    stream.end(frame(options.message ?? 'hello'));
  });
}

/** An HTTP/1.1 request over TLS to the same listener; no ALPN offered, as older clients do. */
function http1Get(port: number, options: { host: string; ca: string; path: string }): Promise<{ status: number; version: string; body: string }> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      { host: '127.0.0.1', port, path: options.path, servername: options.host, ca: options.ca, headers: { host: options.host }, agent: false },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, version: response.httpVersion, body }));
      },
    );
    request.on('error', reject);
    request.end();
  });
}

const certificate = selfSignedCertificate(HOSTS);

function grpcServiceYaml(name: string, port: number): string {
  return loopbackServiceYaml(name, port);
}

describe('gRPC through the local load balancer', () => {
  let dir = '';
  let nginxDir = '';
  let handle: RunHandle;
  let nginxHandle: RunHandle;
  let httpsPort = 0;
  let nginxHttpsPort = 0;
  const grpc = new Map<string, GrpcBackend>();
  let echoBackend: EchoBackend;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'e2e-grpc-'));
    nginxDir = await mkdtemp(join(tmpdir(), 'e2e-grpc-nginx-'));
    for (const name of ['annotated', 'doomed', 'routed', 'nginx']) grpc.set(name, await startGrpcBackend(name));
    echoBackend = await startEchoBackend({ name: 'plain' });
    const port = (name: string): number => (grpc.get(name) as GrpcBackend).port;
    const tls = [{ hosts: HOSTS, secretName: 'grpc-tls' }];
    const grpcVersion = { 'ingress-bridge.io/target-type': 'ip', 'ingress-bridge.io/backend-protocol-version': 'GRPC' };
    await writeFile(
      join(dir, 'estate.yaml'),
      INGRESS_CLASS_YAML +
        GATEWAY_CLASS_YAML +
        tlsSecretYaml('grpc-tls', certificate) +
        ['annotated', 'doomed', 'routed'].map((name) => grpcServiceYaml(name, port(name))).join('') +
        loopbackServiceYaml('plain', echoBackend.port) +
        ingressYaml({
          name: 'grpc',
          annotations: grpcVersion,
          tls,
          rules: [
            {
              host: 'grpc.test',
              paths: [
                { path: '/test.Doomed', pathType: 'Prefix', service: 'doomed' },
                { path: '/', pathType: 'Prefix', service: 'annotated' },
              ],
            },
          ],
        }) +
        '---\n' +
        ingressYaml({
          name: 'slow',
          // Its own load balancer (no group), with a 1 s idle timeout.
          annotations: { ...grpcVersion, 'ingress-bridge.io/load-balancer-attributes': 'idle_timeout.timeout_seconds=1' },
          tls,
          rules: [{ host: 'slow.test', paths: [{ path: '/', pathType: 'Prefix', service: 'annotated' }] }],
        }) +
        '---\n' +
        ingressYaml({
          name: 'plain',
          annotations: { 'ingress-bridge.io/target-type': 'ip' },
          tls,
          rules: [{ host: 'plain.test', paths: [{ path: '/', pathType: 'Prefix', service: 'plain' }] }],
        }) +
        `---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: ingress-bridge
  listeners:
  - {name: https, port: 443, protocol: HTTPS, hostname: gw.test, tls: {mode: Terminate, certificateRefs: [{kind: Secret, name: grpc-tls}]}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: echo, namespace: default}
spec:
  parentRefs: [{name: gw}]
  hostnames: [gw.test]
  rules:
  - matches: [{method: {service: test.Echo, method: Say}}]
    backendRefs: [{name: routed, port: 80}]
---
`,
    );
    await writeFile(
      join(nginxDir, 'estate.yaml'),
      `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
` +
        tlsSecretYaml('grpc-tls', certificate) +
        grpcServiceYaml('nginx', port('nginx')) +
        ingressYaml({
          name: 'grpc',
          ingressClassName: 'nginx',
          annotations: { 'nginx.ingress.kubernetes.io/backend-protocol': 'GRPC' },
          tls,
          rules: [{ host: 'nginx.test', paths: [{ path: '/', pathType: 'Prefix', service: 'nginx' }] }],
        }),
    );
    handle = await startLocalRun(dir, { translateOptions: () => testOptions({ now: new Date(), defaultTargetType: 'ip' }) });
    nginxHandle = await startLocalRun(nginxDir, { translateOptions: () => testOptions({ now: new Date(), ingressClass: 'nginx', defaultTargetType: 'ip' }) });
    httpsPort = (handle.provider as LocalProvider).boundPort(443) ?? assert.fail('port 443 is served');
    nginxHttpsPort = (nginxHandle.provider as LocalProvider).boundPort(443) ?? assert.fail('port 443 is served (nginx)');
  });

  after(async () => {
    await handle?.stop();
    await nginxHandle?.stop();
    await Promise.all([...grpc.values()].map((backend) => backend.stop()));
    await echoBackend?.close();
    await rm(dir, { recursive: true, force: true });
    await rm(nginxDir, { recursive: true, force: true });
  });

  it('serves every object, none refused', () => {
    for (const run of [handle, nginxHandle]) {
      const diagnostics = [...run.first.diagnostics, ...run.first.outcomes.flatMap((outcome) => outcome.diagnostics)];
      assert.deepEqual(
        diagnostics.filter((entry) => entry.severity === 'error'),
        [],
      );
    }
  });

  it('ingress-bridge.io/backend-protocol-version: GRPC: a unary call reaches the target over h2c, its trailers reach the client', async () => {
    const answer = await call(httpsPort, { host: 'grpc.test', ca: certificate.certificatePem, message: 'ping' });
    assert.equal(answer.headers[':status'], 200);
    assert.equal(answer.status, 0);
    assert.equal(answer.trailers['grpc-message'], 'served by annotated');
    // The target sees the client's authority as Host, HTTPS as the forwarded protocol, and the body as sent.
    assert.equal(answer.message, `annotated|grpc.test:${httpsPort}|https|application/grpc|ping`);
  });

  it("ingress-nginx's backend-protocol: GRPC under --ingress-class nginx", async () => {
    const answer = await call(nginxHttpsPort, { host: 'nginx.test', ca: certificate.certificatePem });
    assert.deepEqual([answer.status, answer.trailers['grpc-message']], [0, 'served by nginx']);
    assert.match(answer.message, /^nginx\|nginx\.test:\d+\|https\|application\/grpc\|hello$/);
  });

  it('a Gateway API GRPCRoute routes by service and method', async () => {
    const answer = await call(httpsPort, { host: 'gw.test', ca: certificate.certificatePem });
    assert.deepEqual([answer.status, answer.trailers['grpc-message']], [0, 'served by routed']);
    // Another method of the service matches no rule: the Gateway answers 404, as a plain HTTP answer.
    const unmatched = await call(httpsPort, { host: 'gw.test', ca: certificate.certificatePem, path: '/test.Echo/Other' });
    assert.equal(unmatched.headers[':status'], 404);
  });

  it("the target's own gRPC error passes through in a trailers-only answer", async () => {
    const answer = await call(httpsPort, { host: 'grpc.test', ca: certificate.certificatePem, path: '/test.Echo/Missing' });
    assert.deepEqual([answer.headers[':status'], answer.status], [200, 12]);
  });

  it('a target that stopped answers UNAVAILABLE (14) with HTTP 200, as a gRPC status', async () => {
    const before = await call(httpsPort, { host: 'grpc.test', ca: certificate.certificatePem, path: '/test.Doomed/Say' });
    assert.equal(before.status, 12);
    await (grpc.get('doomed') as GrpcBackend).stop();
    const answer = await call(httpsPort, { host: 'grpc.test', ca: certificate.certificatePem, path: '/test.Doomed/Say' });
    assert.deepEqual([answer.headers[':status'], answer.status, answer.headers['content-type']], [200, 14, 'application/grpc']);
  });

  it('a target silent past the idle timeout answers DEADLINE_EXCEEDED (4) with HTTP 200', async () => {
    const started = Date.now();
    const answer = await call(httpsPort, { host: 'slow.test', ca: certificate.certificatePem, path: '/test.Slow/Wait' });
    assert.deepEqual([answer.headers[':status'], answer.status], [200, 4]);
    assert.ok(Date.now() - started >= 900, 'not before the 1 s idle timeout');
  });

  it("HTTP/1.1 still works on the same HTTPS listener; to a GRPC target group it gets the ALB's 464", async () => {
    const plain = await http1Get(httpsPort, { host: 'plain.test', ca: certificate.certificatePem, path: '/hello' });
    assert.deepEqual([plain.status, plain.version], [200, '1.1']);
    assert.equal((JSON.parse(plain.body) as { backend: string }).backend, 'plain');
    const refused = await http1Get(httpsPort, { host: 'grpc.test', ca: certificate.certificatePem, path: '/test.Echo/Say' });
    assert.equal(refused.status, 464);
  });

  it('464 as well for a gRPC call to an HTTP1 target group, and for an HTTP/2 request that is not a POST to a GRPC one', async () => {
    const grpcToHttp1 = await call(httpsPort, { host: 'plain.test', ca: certificate.certificatePem });
    assert.equal(grpcToHttp1.headers[':status'], 464);
    const session = http2.connect(`https://grpc.test:${httpsPort}`, {
      ca: certificate.certificatePem,
      lookup: (_host, _options, done) => done(null, [{ address: '127.0.0.1', family: 4 }]),
    } as http2.SecureClientSessionOptions);
    try {
      const stream = session.request({ ':path': '/test.Echo/Say' });
      const status = await new Promise((resolve, reject) => {
        stream.on('response', (headers) => resolve(headers[':status']));
        stream.on('error', reject);
      });
      stream.resume();
      assert.equal(status, 464);
    } finally {
      session.close();
    }
  });

  it('an HTTP/2 client reaches an HTTP/1 target group through the same rules and headers', async () => {
    const session = http2.connect(`https://plain.test:${httpsPort}`, {
      ca: certificate.certificatePem,
      lookup: (_host, _options, done) => done(null, [{ address: '127.0.0.1', family: 4 }]),
    } as http2.SecureClientSessionOptions);
    try {
      const stream = session.request({ ':path': '/h2?x=1' });
      let status = 0;
      let body = '';
      stream.on('response', (headers) => (status = Number(headers[':status'])));
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (body += chunk));
      await new Promise((resolve, reject) => {
        stream.on('end', resolve);
        stream.on('error', reject);
      });
      const reply = JSON.parse(body) as { backend: string; path: string; query: string; host: string; headers: Record<string, string> };
      assert.equal(status, 200);
      assert.deepEqual([reply.backend, reply.path, reply.query, reply.host], ['plain', '/h2', 'x=1', `plain.test:${httpsPort}`]);
      assert.equal(reply.headers['x-forwarded-proto'], 'https');
      assert.equal(reply.headers['x-forwarded-port'], '443');
      assert.equal(reply.headers[':path'], undefined);
    } finally {
      session.close();
    }
  });
});
