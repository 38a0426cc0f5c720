/**
 * Health checks of HTTP2 target groups, as the ALB makes them: a GET of the check's path over HTTP/2
 * (h2c for HTTP, TLS with ALPN h2 for HTTPS). A target that speaks only HTTP/2 is healthy in an HTTP2
 * target group; in an HTTP1 one, checked over HTTP/1.1 as before, it is not.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoadBalancerSpec, TargetGroupSpec } from '../../../src/model.js';
import { probeHttp2Target } from '../../../providers/local/health-probe.js';
import { selfSignedCertificate } from '../../support/local-lb.js';
import { serve, simpleSpec, startProvider } from './support.js';

interface Http2OnlyTarget {
  port: number;
  /** `version path` of each request, e.g. `2.0 /healthz`. */
  seen: string[];
  close(): Promise<void>;
}

/** A server that speaks HTTP/2 only (no HTTP/1.1 fallback): `/healthz` answers 200, anything else 404. */
async function http2OnlyTarget(secure: boolean): Promise<Http2OnlyTarget> {
  const seen: string[] = [];
  const certificate = secure ? selfSignedCertificate(['target.test']) : undefined;
  const server = certificate
    ? http2.createSecureServer({ cert: certificate.certificatePem, key: certificate.privateKeyPem, allowHTTP1: false })
    : http2.createServer();
  server.on('stream', (stream, headers) => {
    const path = String(headers[':path']);
    seen.push(`2.0 ${path}`);
    stream.respond({ ':status': path === '/healthz' ? 200 : 404 });
    stream.end('ok');
  });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const session of sessions) session.destroy();
      await closed;
    },
  };
}

const probe = (protocol: 'HTTP' | 'HTTPS', port: number, path = '/healthz'): Promise<number | undefined> =>
  probeHttp2Target({ protocol, ip: '127.0.0.1', port, path, timeoutMs: 2000, signal: new AbortController().signal });

describe('the HTTP/2 health probe', () => {
  const targets: Http2OnlyTarget[] = [];
  after(() => Promise.all(targets.map((target) => target.close())));

  it('GETs the path over h2c and over TLS with h2, and reads the status', async () => {
    const cleartext = await http2OnlyTarget(false);
    const secure = await http2OnlyTarget(true);
    targets.push(cleartext, secure);
    assert.equal(await probe('HTTP', cleartext.port), 200);
    assert.equal(await probe('HTTP', cleartext.port, '/missing'), 404);
    assert.equal(await probe('HTTPS', secure.port), 200);
    assert.deepEqual(cleartext.seen, ['2.0 /healthz', '2.0 /missing']);
    assert.deepEqual(secure.seen, ['2.0 /healthz']);
  });

  it('a target that speaks only HTTP/1.1 gives no answer', async () => {
    const server = http.createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      assert.equal(await probe('HTTP', (server.address() as AddressInfo).port), undefined);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

function withVersion(spec: LoadBalancerSpec, version: TargetGroupSpec['protocolVersion'], protocol: 'HTTP' | 'HTTPS'): LoadBalancerSpec {
  const copy = structuredClone(spec);
  const group = copy.targetGroups[0] ?? assert.fail('the spec has a target group');
  group.protocolVersion = version;
  group.protocol = protocol;
  // A check every 100 ms at the provider's time scale 0.02, each allowed 100 ms.
  group.healthCheck = { ...group.healthCheck, protocol, intervalSeconds: 5, timeoutSeconds: 5, healthyThresholdCount: 2, unhealthyThresholdCount: 2 };
  return copy;
}

describe('health checks of target groups through the local provider', () => {
  const { provider } = startProvider({ healthCheckTimeScale: 0.02 });
  let cleartext: Http2OnlyTarget;
  let secure: Http2OnlyTarget;
  before(async () => {
    cleartext = await http2OnlyTarget(false);
    secure = await http2OnlyTarget(true);
  });
  after(async () => {
    await provider.close();
    await cleartext.close();
    await secure.close();
  });

  const healthState = async (stackId: string, target: Http2OnlyTarget): Promise<string | undefined> => {
    const ref = { id: `127.0.0.1:${target.port}`, port: target.port };
    return (await provider.targetHealth(stackId, new Map([['tg', [ref]]]))).get('tg')?.get(`${ref.id}:${ref.port}`)?.state;
  };

  /** The target's state once it left `healthy` or `checks` more requests reached it (enough to cross either threshold). */
  const stateAfterChecks = async (stackId: string, target: Http2OnlyTarget, spec: LoadBalancerSpec, checks: number): Promise<string | undefined> => {
    await serve(provider, spec);
    const before = target.seen.length;
    const deadline = Date.now() + 10_000;
    while (target.seen.length < before + checks && (await healthState(stackId, target)) === 'healthy') {
      assert.ok(Date.now() < deadline, 'the checks never decided');
      await sleep(20);
    }
    return healthState(stackId, target);
  };

  it('an HTTP2 target group checks over h2c: a target that speaks only h2c is healthy', async () => {
    const spec = withVersion(simpleSpec({ stackId: 'default/h2c-health', target: { ip: '127.0.0.1', port: cleartext.port } }), 'HTTP2', 'HTTP');
    assert.equal(await stateAfterChecks('default/h2c-health', cleartext, spec, 4), 'healthy');
    assert.ok(cleartext.seen.filter((line) => line === '2.0 /healthz').length >= 4, `the checks reached it over HTTP/2 (${cleartext.seen.join(', ')})`);
    await provider.delete({ id: 'default/h2c-health' });
  });

  it('an HTTP2 target group with HTTPS checks over TLS with h2', async () => {
    const spec = withVersion(simpleSpec({ stackId: 'default/h2-health', target: { ip: '127.0.0.1', port: secure.port } }), 'HTTP2', 'HTTPS');
    assert.equal(await stateAfterChecks('default/h2-health', secure, spec, 4), 'healthy');
    await provider.delete({ id: 'default/h2-health' });
  });

  it('an HTTP1 target group still checks over HTTP/1.1: the same h2c-only target fails its checks', async () => {
    const spec = withVersion(simpleSpec({ stackId: 'default/h1-health', target: { ip: '127.0.0.1', port: cleartext.port } }), 'HTTP1', 'HTTP');
    const seen = cleartext.seen.length;
    assert.equal(await stateAfterChecks('default/h1-health', cleartext, spec, 1), 'unhealthy');
    assert.equal(cleartext.seen.length, seen, 'no HTTP/1.1 check was understood as a request');
    await provider.delete({ id: 'default/h1-health' });
  });
});
