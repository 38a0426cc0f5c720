/**
 * The load balancer attribute `routing.http2.enabled`, as an ALB applies it to its HTTPS listeners:
 * on (the default), ALPN offers `h2` first; off, only `http/1.1`, and an HTTP/2-capable client falls
 * back to HTTP/1.1. A change holds from the next connection on; a value other than true or false is
 * an error diagnostic and HTTP/2 stays on. Load balancers sharing the local port each keep their own.
 */
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import type { CertificateSpec, LoadBalancerSpec } from '../../../src/model.js';
import type { LocalProvider } from '../../../providers/local/index.js';
import { http2Setting, selectApplicationProtocol } from '../../../providers/local/alpn.js';
import { applySpec, materialOf, MemoryCertificates, selfSignedCertificate } from '../../support/local-lb.js';
import { recordingTarget, serve, simpleSpec, startProvider } from './support.js';

describe('ALPN choice (pure)', () => {
  it('prefers h2 when HTTP/2 is on, and never picks it when off', () => {
    assert.equal(selectApplicationProtocol(['http/1.1', 'h2'], true), 'h2');
    assert.equal(selectApplicationProtocol(['h2', 'http/1.1'], false), 'http/1.1');
    assert.equal(selectApplicationProtocol(['http/1.1'], true), 'http/1.1');
    assert.equal(selectApplicationProtocol(['h2'], false), undefined, 'an h2-only client has nothing in common with an HTTP/1.1-only listener');
    assert.equal(selectApplicationProtocol(['spdy/3'], true), undefined);
  });

  it('reads the attribute as the cloud does: true and false only, on by default', () => {
    assert.deepEqual(http2Setting({}), { enabled: true });
    assert.deepEqual(http2Setting({ 'routing.http2.enabled': 'true' }), { enabled: true });
    assert.deepEqual(http2Setting({ 'routing.http2.enabled': 'false' }), { enabled: false });
    assert.deepEqual(http2Setting({ 'routing.http2.enabled': 'off' }), {
      enabled: true,
      problem: 'routing.http2.enabled must be true or false, got "off"',
    });
  });
});

function secretCertificate(name: string, hosts: string[]): CertificateSpec {
  return { key: `secret/default/${name}`, source: { kind: 'secret', namespace: 'default', name }, hosts };
}

/** The protocol the server picks for a client that offers h2 and http/1.1, as browsers and curl do. */
function negotiated(port: number, servername: string): Promise<string | false> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false, ALPNProtocols: ['h2', 'http/1.1'] }, () => {
      const protocol = socket.alpnProtocol ?? false;
      socket.destroy();
      resolve(protocol);
    });
    socket.once('error', reject);
  });
}

/** A GET from an HTTP/2 client that falls back to HTTP/1.1 (Node's http2 compat client cannot, so ALPN decides first). */
function get(port: number, host: string): Promise<{ protocol: string | false; status: number }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: host, rejectUnauthorized: false, ALPNProtocols: ['h2', 'http/1.1'] }, () => {
      const protocol = socket.alpnProtocol ?? false;
      if (protocol !== 'h2') {
        socket.write(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
        const chunks: Buffer[] = [];
        socket.on('data', (chunk: Buffer) => chunks.push(chunk));
        socket.on('end', () => resolve({ protocol, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(Buffer.concat(chunks).toString())?.[1] ?? 0) }));
        return;
      }
      const session = http2.connect(`https://${host}`, { createConnection: () => socket });
      session.on('error', reject);
      const stream = session.request({ ':path': '/', ':authority': host });
      stream.on('response', (headers) => {
        stream.resume();
        stream.on('end', () => {
          session.close();
          resolve({ protocol, status: Number(headers[':status']) });
        });
      });
      stream.on('error', reject);
    });
    socket.once('error', reject);
  });
}

describe('routing.http2.enabled on the local HTTPS listener', () => {
  const material = new MemoryCertificates();
  let provider: LocalProvider;
  let target: Awaited<ReturnType<typeof recordingTarget>>;
  before(async () => {
    material.set('default', 'a-tls', materialOf(selfSignedCertificate(['a.test'])));
    material.set('default', 'b-tls', materialOf(selfSignedCertificate(['b.test'])));
    target = await recordingTarget();
    ({ provider } = startProvider({}, material));
  });
  after(async () => {
    await provider.close();
    await target.close();
  });

  const spec = (stackId: string, host: string, attributes: Record<string, string>): LoadBalancerSpec =>
    simpleSpec({
      stackId,
      target: { ip: '127.0.0.1', port: target.port },
      port: 443,
      protocol: 'HTTPS',
      certificates: [secretCertificate(`${host[0] ?? ''}-tls`, [host])],
      attributes,
    });

  it('serves an HTTP/2 client over h2 by default, over HTTP/1.1 when off, and a change holds for new connections', async () => {
    const port = await serve(provider, spec('default/alpn', 'a.test', {}));
    assert.deepEqual(await get(port, 'a.test'), { protocol: 'h2', status: 200 });

    const applied = await applySpec(provider, spec('default/alpn', 'a.test', { 'routing.http2.enabled': 'false' }));
    assert.deepEqual(applied.diagnostics, []);
    assert.deepEqual(await get(port, 'a.test'), { protocol: 'http/1.1', status: 200 });

    await applySpec(provider, spec('default/alpn', 'a.test', { 'routing.http2.enabled': 'true' }));
    assert.deepEqual(await get(port, 'a.test'), { protocol: 'h2', status: 200 });
    assert.equal(target.received.length, 3, 'each request reached the target');
  });

  it('holds each connection to the load balancer its server name reaches, on a shared port', async () => {
    const port = await serve(provider, spec('default/alpn', 'a.test', {}));
    await applySpec(provider, spec('default/alpn-off', 'b.test', { 'routing.http2.enabled': 'false' }));
    assert.equal(await negotiated(port, 'a.test'), 'h2');
    assert.equal(await negotiated(port, 'b.test'), 'http/1.1');
    await provider.delete({ id: 'default/alpn-off' });
  });

  it('a value that is neither true nor false is an error naming the annotation, and HTTP/2 stays on', async () => {
    const port = await serve(provider, spec('default/alpn', 'a.test', {}));
    const applied = await applySpec(provider, spec('default/alpn', 'a.test', { 'routing.http2.enabled': 'no' }));
    assert.deepEqual(
      applied.diagnostics.map(({ severity, field, message, object }) => ({ severity, field, message, object })),
      [
        {
          severity: 'error',
          field: 'metadata.annotations["alb.ingress.kubernetes.io/load-balancer-attributes"]',
          message: 'routing.http2.enabled must be true or false, got "no": the cloud refuses the value; the local load balancer keeps offering HTTP/2',
          object: { kind: 'Ingress', namespace: 'default', name: 'hardening' },
        },
      ],
    );
    assert.equal(await negotiated(port, 'a.test'), 'h2');
  });
});
