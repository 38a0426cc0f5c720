/**
 * Health checks of GRPC target groups, as the ALB makes them: a unary gRPC call over HTTP/2 to the
 * check's path, healthy when the call's grpc-status is one of the matcher's gRPC codes.
 */
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { HealthCheckSpec } from '../../../src/model.js';
import { TargetHealthChecks } from '../../../providers/local/health.js';
import { probeGrpcTarget } from '../../../providers/local/health-probe.js';

interface Seen {
  method: string;
  path: string;
  contentType: string;
  body: Buffer;
}

describe('local provider: gRPC health checks', () => {
  const seen: Seen[] = [];
  /** The grpc-status the server answers; `inTrailers`: after a message, else trailers-only. */
  let answer = { status: '12', inTrailers: false };
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      seen.push({
        method: String(headers[':method']),
        path: String(headers[':path']),
        contentType: String(headers['content-type']),
        body: Buffer.concat(chunks),
      });
      if (!answer.inTrailers) {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': answer.status }, { endStream: true });
        return;
      }
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': answer.status }));
      stream.end(Buffer.alloc(5));
    });
  });
  let port = 0;
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  const probe = (path = '/AWS.ALB/healthcheck', onPort = port) =>
    probeGrpcTarget({ protocol: 'HTTP', ip: '127.0.0.1', port: onPort, path, timeoutMs: 2000, signal: new AbortController().signal });

  it('calls the path over h2c with an empty gRPC message and reads grpc-status, trailers-only or in trailers', async () => {
    answer = { status: '12', inTrailers: false };
    assert.equal(await probe('/grpc.health.v1.Health/Check'), 12);
    assert.deepEqual(seen.at(-1), { method: 'POST', path: '/grpc.health.v1.Health/Check', contentType: 'application/grpc', body: Buffer.alloc(5) });
    answer = { status: '0', inTrailers: true };
    assert.equal(await probe(), 0);
  });

  it('no answer is undefined', async () => {
    const closed = http2.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const unused = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    assert.equal(await probe('/AWS.ALB/healthcheck', unused), undefined);
  });

  it('a GRPC target group counts the matcher as gRPC codes: 12 (the default) healthy, 0 not, until the matcher says 0', async () => {
    const check: HealthCheckSpec = {
      protocol: 'HTTP',
      port: 'traffic-port',
      path: '/AWS.ALB/healthcheck',
      intervalSeconds: 5,
      timeoutSeconds: 2,
      healthyThresholdCount: 2,
      unhealthyThresholdCount: 2,
      successCodes: '12',
    };
    const target = { id: '127.0.0.1', ip: '127.0.0.1', port };
    // 5 s intervals at 1/100: a check every 50 ms, each allowed 20 ms (a busy machine can take a few).
    const checks = new TargetHealthChecks(check, 1 / 100, 'GRPC');
    try {
      answer = { status: '12', inTrailers: false };
      checks.setTargets([target]);
      const waitFor = async (done: () => boolean, what: string): Promise<void> => {
        const deadline = Date.now() + 5000;
        while (!done()) {
          assert.ok(Date.now() < deadline, what);
          await sleep(10);
        }
      };
      const until = (state: string): Promise<void> => waitFor(() => checks.stateOf(target) === state, `target never became ${state}`);
      const before = seen.length;
      // Two answers of 12 (the healthy threshold) have been counted, whatever the machine's pace.
      await waitFor(() => seen.length >= before + 3, 'the checks are gRPC calls to the server');
      assert.equal(checks.stateOf(target), 'healthy');
      answer = { status: '0', inTrailers: true };
      await until('unhealthy');
      checks.setHealthCheck({ ...check, successCodes: '0' });
      await until('healthy');
    } finally {
      checks.stop();
    }
  });
});
