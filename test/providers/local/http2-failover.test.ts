/**
 * Requests that arrive over HTTP/2 get the same retry and ejection as HTTP/1.1 ones (failover.test.ts),
 * whether their target group speaks HTTP/1.1 or HTTP/2 to its targets: a target that refuses the
 * connection, or drops it before any answer, is ejected until a health check passes, and an
 * idempotent request without a body is tried once more on another target. A POST is not.
 *
 * Health checks here run every 5 minutes: none but the one an ejection starts runs during a test,
 * so what keeps the answers 200 is the retry, and what keeps the dead target out is the ejection.
 */
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net, { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { LoadBalancerSpec, TargetGroupSpec } from '../../../src/model.js';
import type { LocalProvider } from '../../../providers/local/index.js';
import { applySpec, materialOf, MemoryCertificates, selfSignedCertificate } from '../../support/local-lb.js';
import { startPod } from './rollout-support.js';
import { simpleSpec, startProvider, type RecordingLog } from './support.js';

const RETRIED = /retried a request on another target/;
const EJECTED = /ejected a target/;
const logged = (log: RecordingLog, message: RegExp): number => log.entries.filter((entry) => message.test(entry.message)).length;

interface Answer {
  status: number;
  body: string;
}

/** An HTTP/2 client of the local HTTPS listener: one session, requests multiplexed on it. */
function http2Client(port: number): { request(method: string, path: string, body?: string): Promise<Answer>; close(): void } {
  const session = http2.connect(`https://app.test:${port}`, {
    rejectUnauthorized: false,
    lookup: (_host, _options, done) => done(null, [{ address: '127.0.0.1', family: 4 }]),
  } as http2.SecureClientSessionOptions);
  session.on('error', () => undefined);
  return {
    request: (method, path, body) =>
      new Promise((resolve, reject) => {
        const stream = session.request({ ':method': method, ':path': path }, { endStream: body === undefined });
        const chunks: Buffer[] = [];
        let status = 0;
        stream.on('response', (headers) => (status = Number(headers[':status'])));
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString() }));
        stream.on('error', reject);
        if (body !== undefined) stream.end(body);
      }),
    close: () => session.close(),
  };
}

/** One request after the other: a request sent before an earlier failure ejected its target could meet it too. */
async function inTurn(count: number, send: (index: number) => Promise<Answer>): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let index = 0; index < count; index += 1) answers.push(await send(index));
  return answers;
}

interface H2cPod {
  port: number;
  /** As a Pod that crashes: its HTTP/2 sessions are dropped at once and it stops listening. */
  kill(): Promise<void>;
}

/**
 * An h2c target on `ip` (port 0: a free one) answering `{"backend": name}`; `drop`: it closes the
 * connection under each request instead, before any answer.
 */
async function h2cPod(name: string, ip: string, options: { port?: number; drop?: boolean } = {}): Promise<H2cPod> {
  const server = http2.createServer();
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('stream', (stream) => {
    if (options.drop) {
      stream.session?.socket.destroy();
      return;
    }
    stream.resume();
    stream.on('end', () => {
      stream.respond({ ':status': 200, 'content-type': 'application/json' });
      stream.end(JSON.stringify({ backend: name }));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, ip, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    kill: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** A port on `ip` where nothing listens: connections to it are refused. */
async function refusingPort(ip: string): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, ip, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function spec(version: TargetGroupSpec['protocolVersion'], targets: readonly { ip: string; port: number }[]): LoadBalancerSpec {
  const base = simpleSpec({
    stackId: 'default/h2-failover',
    target: targets[0] ?? assert.fail('a target'),
    port: 443,
    protocol: 'HTTPS',
    certificates: [{ key: 'secret/default/app-tls', source: { kind: 'secret', namespace: 'default', name: 'app-tls' }, hosts: ['app.test'] }],
  });
  const group = base.targetGroups[0] ?? assert.fail('a target group');
  group.protocolVersion = version;
  group.targets = targets.map((target) => ({ id: `${target.ip}:${target.port}`, ip: target.ip, port: target.port }));
  return base;
}

describe('a target that fails under HTTP/2 requests', () => {
  const material = new MemoryCertificates();
  const closers: (() => Promise<void>)[] = [];
  let provider: LocalProvider;
  let log: RecordingLog;
  before(() => {
    material.set('default', 'app-tls', materialOf(selfSignedCertificate(['app.test'])));
    ({ provider, log } = startProvider({}, material));
  });
  after(async () => {
    await provider.close();
    await Promise.all(closers.map((close) => close()));
  });

  const serving = async (served: LoadBalancerSpec): Promise<ReturnType<typeof http2Client>> => {
    log.entries.length = 0;
    await applySpec(provider, served);
    const client = http2Client(provider.boundPort(443) ?? assert.fail('port 443 must be served'));
    closers.push(() => {
      client.close();
      return Promise.resolve();
    });
    return client;
  };

  it('to an HTTP1 target group: a refused connection costs no GET, and the target is ejected', async () => {
    const live = await startPod('h1-live', '127.0.0.81');
    closers.push(() => live.kill());
    const dead = { ip: '127.0.0.82', port: await refusingPort('127.0.0.82') };
    const client = await serving(spec('HTTP1', [dead, { ip: live.ip, port: live.port }]));
    const answers = await inTurn(6, () => client.request('GET', '/'));
    assert.deepEqual(
      answers.map((answer) => `${answer.status} ${answer.body}`),
      Array(6).fill('200 {"backend":"h1-live"}'),
    );
    assert.equal(logged(log, RETRIED), 1, 'the one request that met the dead target was retried on the other');
    assert.equal(logged(log, EJECTED), 1, 'and the dead target was ejected: no later request was sent to it');
  });

  it('to an HTTP2 target group: a refused connection costs no GET, and the target is ejected', async () => {
    const live = await h2cPod('h2-live', '127.0.0.83');
    closers.push(() => live.kill());
    const dead = { ip: '127.0.0.84', port: await refusingPort('127.0.0.84') };
    const client = await serving(spec('HTTP2', [dead, { ip: '127.0.0.83', port: live.port }]));
    const answers = await inTurn(6, () => client.request('GET', '/'));
    assert.deepEqual(
      answers.map((answer) => `${answer.status} ${answer.body}`),
      Array(6).fill('200 {"backend":"h2-live"}'),
    );
    assert.equal(logged(log, RETRIED), 1);
    assert.equal(logged(log, EJECTED), 1);
  });

  it('to an HTTP2 target group: a target that dies with its session open costs no GET', async () => {
    const doomed = await h2cPod('h2-doomed', '127.0.0.85');
    const survivor = await h2cPod('h2-survivor', '127.0.0.86', { port: doomed.port });
    closers.push(() => survivor.kill());
    const client = await serving(
      spec('HTTP2', [
        { ip: '127.0.0.85', port: doomed.port },
        { ip: '127.0.0.86', port: survivor.port },
      ]),
    );
    const warm = [await client.request('GET', '/'), await client.request('GET', '/')];
    assert.deepEqual(new Set(warm.map((answer) => answer.body)), new Set(['{"backend":"h2-doomed"}', '{"backend":"h2-survivor"}']));

    await doomed.kill();
    const answers = await inTurn(6, () => client.request('GET', '/'));
    assert.deepEqual(
      answers.map((answer) => `${answer.status} ${answer.body}`),
      Array(6).fill('200 {"backend":"h2-survivor"}'),
    );
    assert.equal(logged(log, EJECTED), 1, 'the dead target was ejected once');
  });

  it('to an HTTP2 target group: a target that closes the connection under the request, before answering, costs no GET', async () => {
    const dropping = await h2cPod('h2-dropping', '127.0.0.89', { drop: true });
    const live = await h2cPod('h2-steady', '127.0.0.90', { port: dropping.port });
    closers.push(
      () => dropping.kill(),
      () => live.kill(),
    );
    const client = await serving(
      spec('HTTP2', [
        { ip: '127.0.0.89', port: dropping.port },
        { ip: '127.0.0.90', port: live.port },
      ]),
    );
    const answers = await inTurn(6, () => client.request('GET', '/'));
    assert.deepEqual(
      answers.map((answer) => `${answer.status} ${answer.body}`),
      Array(6).fill('200 {"backend":"h2-steady"}'),
    );
    assert.equal(logged(log, RETRIED), 1);
    assert.equal(logged(log, EJECTED), 1);
  });

  it(
    'to an HTTP2 target group: with no other target to retry on, a dropped stream is a 502 at once (the client is not left waiting)',
    { timeout: 20_000 },
    async () => {
      const dropping = await h2cPod('h2-alone', '127.0.0.91', { drop: true });
      closers.push(() => dropping.kill());
      const client = await serving(spec('HTTP2', [{ ip: '127.0.0.91', port: dropping.port }]));
      assert.equal((await client.request('GET', '/')).status, 502);
      assert.equal(logged(log, EJECTED), 1);
      assert.equal(logged(log, RETRIED), 0);
    },
  );

  it('to an HTTP2 target group: a POST is not retried (502), and the target is ejected all the same', async () => {
    const live = await h2cPod('h2-post-live', '127.0.0.87');
    closers.push(() => live.kill());
    const dead = { ip: '127.0.0.88', port: await refusingPort('127.0.0.88') };
    const client = await serving(spec('HTTP2', [dead, { ip: '127.0.0.87', port: live.port }]));
    // Round-robin: one of the first two POSTs goes to the dead target.
    const first = [await client.request('POST', '/', 'order=1'), await client.request('POST', '/', 'order=2')];
    assert.deepEqual(first.map((answer) => answer.status).sort(), [200, 502]);
    assert.equal(logged(log, RETRIED), 0);
    const later = await inTurn(4, (index) => client.request('POST', '/', `order=${index + 3}`));
    assert.deepEqual(
      later.map((answer) => answer.status),
      Array(4).fill(200),
      'the ejected target gets no more requests',
    );
  });
});
