/**
 * A target that fails under a request: the local load balancer retries an idempotent request
 * without a body once on another target when the connection is refused or reset before any byte
 * of the answer, and ejects the failed target until a health check passes again (issue 12).
 *
 * Health checks here run every 600 ms and need 10 failures to take a target out, so they could not
 * notice a dead target within these tests' first requests: what keeps the answers 200 is the retry,
 * and what keeps the dead target out of rotation is the ejection.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LocalProvider } from '../../../providers/local/index.js';
import { applySpec, send, type TestResponse } from '../../support/local-lb.js';
import { rolloutSpec, ROLLOUT_ANNOTATIONS, startPod, type Pod } from './rollout-support.js';
import { startProvider, type RecordingLog } from './support.js';

const SLOW_TO_NOTICE = {
  ...ROLLOUT_ANNOTATIONS,
  'alb.ingress.kubernetes.io/healthcheck-interval-seconds': '30',
  'alb.ingress.kubernetes.io/unhealthy-threshold-count': '10',
  'alb.ingress.kubernetes.io/healthy-threshold-count': '2',
};

const providers: LocalProvider[] = [];
const closers: (() => Promise<void>)[] = [];
after(async () => {
  await Promise.all(providers.map((provider) => provider.close()));
  await Promise.all(closers.map((close) => close()));
});

async function pod(name: string, ip: string, port?: number): Promise<Pod> {
  const started = await startPod(name, ip, port);
  closers.push(() => started.kill());
  return started;
}

/** A load balancer whose one target group holds these Pods, all ready. */
async function serving(targets: readonly Pick<Pod, 'ip' | 'port'>[]): Promise<{ port: number; log: RecordingLog }> {
  const { provider, log } = startProvider({ healthCheckTimeScale: 0.02 });
  providers.push(provider);
  await applySpec(
    provider,
    rolloutSpec(
      targets.map((target) => ({ pod: target, state: 'ready' as const })),
      SLOW_TO_NOTICE,
    ),
  );
  return { port: provider.boundPort(80) ?? assert.fail('port 80 must be served'), log };
}

const backendOf = (response: TestResponse): string => (JSON.parse(response.body) as { backend: string }).backend;
const logged = (log: RecordingLog, message: RegExp): number => log.entries.filter((entry) => message.test(entry.message)).length;
const RETRIED = /retried a request on another target/;
const EJECTED = /ejected a target/;

async function eventually(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

/** A target that sends the start of a status line and headers, then closes the connection. */
async function halfAnsweringTarget(ip: string, port: number): Promise<{ ip: string; port: number }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nContent-Le'));
  });
  await new Promise<void>((resolve) => server.listen(port, ip, resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return { ip, port };
}

describe('a target that dies under traffic', () => {
  it(
    'costs no failed GET: the request is retried on another target, and the dead one is ejected until its health check passes',
    { timeout: 60_000 },
    async () => {
      const doomed = await pod('doomed', '127.0.0.61');
      const survivor = await pod('survivor', '127.0.0.62', doomed.port);
      const { port, log } = await serving([doomed, survivor]);
      const keptAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
      closers.push(() => {
        keptAlive.destroy();
        return Promise.resolve();
      });
      const warm = await Promise.all(Array.from({ length: 4 }, () => send({ port })));
      assert.deepEqual(new Set(warm.map(backendOf)), new Set(['doomed', 'survivor']), 'both answer, and the load balancer holds connections to both');

      await doomed.kill();
      const answers: TestResponse[] = [];
      for (let index = 0; index < 20; index += 1) answers.push(await send({ port, ...(index % 2 === 0 ? { agent: keptAlive } : {}) }));
      assert.deepEqual(
        answers.map((answer) => answer.status),
        Array(20).fill(200),
        'no GET failed',
      );
      assert.deepEqual(new Set(answers.map(backendOf)), new Set(['survivor']));
      assert.equal(logged(log, RETRIED), 1, 'the one request that met the dead target was retried on the other');
      assert.equal(logged(log, EJECTED), 1, 'and the dead target was ejected: no later request was sent to it');

      const revived = await pod('revived', doomed.ip, doomed.port);
      await eventually(async () => backendOf(await send({ port })) === 'revived', 'the target is back in rotation');
      const firstRequest = revived.events.indexOf('request');
      assert.ok(
        revived.events.indexOf('health') !== -1 && revived.events.indexOf('health') < firstRequest,
        `a health check passed before any request came back to it (${revived.events.join(', ')})`,
      );
    },
  );

  it('does not retry a POST: its client gets a 502, and the target is ejected all the same', { timeout: 30_000 }, async () => {
    const doomed = await pod('doomed-post', '127.0.0.63');
    const survivor = await pod('survivor-post', '127.0.0.64', doomed.port);
    const { port, log } = await serving([doomed, survivor]);
    await doomed.kill();
    // Round-robin: one of the first two POSTs goes to the dead target.
    const first = [await send({ port, method: 'POST', body: 'order=1' }), await send({ port, method: 'POST', body: 'order=2' })];
    assert.deepEqual(first.map((answer) => answer.status).sort(), [200, 502]);
    assert.equal(logged(log, RETRIED), 0);
    const later = await Promise.all(Array.from({ length: 6 }, (_, index) => send({ port, method: 'POST', body: `order=${index + 3}` })));
    assert.deepEqual(
      later.map((answer) => `${answer.status} ${backendOf(answer)}`),
      Array(6).fill('200 survivor-post'),
      'the ejected target gets no more requests',
    );
  });

  it('does not retry once the target has begun to answer: the answer cannot be taken back', { timeout: 30_000 }, async () => {
    const survivor = await pod('survivor-partial', '127.0.0.65');
    const broken = await halfAnsweringTarget('127.0.0.66', survivor.port);
    const { port, log } = await serving([broken, survivor]);
    const first = [await send({ port }), await send({ port })];
    assert.deepEqual(first.map((answer) => answer.status).sort(), [200, 502], 'the target that broke off its answer cost its request');
    assert.equal(logged(log, RETRIED), 0);
    assert.equal(logged(log, EJECTED), 0, 'a target that answered, however badly, was reached: its health checks judge it');
  });
});
