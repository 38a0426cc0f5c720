/**
 * How the local load balancer spreads requests and copes with broken targets: round-robin over
 * endpoints, weighted forwards, health-check ejection and return, 502 and 504.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoadBalancerSpec } from '../../../src/model.js';
import type { LocalProvider } from '../../../providers/local/index.js';
import { startEchoBackend, type EchoBackend } from '../../../demo/echo-backend.js';
import { INGRESS_CLASS_YAML, ingressYaml, onlySpec, serviceYaml, translateYaml, type IngressFixture } from '../../support/cluster.js';
import { applySpec, echo, send, testProvider } from '../../support/local-lb.js';

const FAST_HEALTH_CHECKS = {
  'alb.ingress.kubernetes.io/target-type': 'ip',
  'alb.ingress.kubernetes.io/healthcheck-path': '/healthz',
  'alb.ingress.kubernetes.io/healthcheck-interval-seconds': '5',
  'alb.ingress.kubernetes.io/healthcheck-timeout-seconds': '2',
};

const started: EchoBackend[] = [];
const providers: LocalProvider[] = [];
after(async () => {
  await Promise.all(providers.map((provider) => provider.close()));
  await Promise.all(started.map((backend) => backend.close()));
});

/** `count` backends of one Service, on 127.0.0.1, 127.0.0.2, … all at the same port. */
async function startBackends(name: string, count: number): Promise<EchoBackend[]> {
  const first = await startEchoBackend({ name: `${name}-1` });
  const rest = await Promise.all(
    Array.from({ length: count - 1 }, (_, index) => startEchoBackend({ name: `${name}-${index + 2}`, host: `127.0.0.${index + 2}`, port: first.port })),
  );
  started.push(first, ...rest);
  return [first, ...rest];
}

function service(name: string, backends: readonly EchoBackend[]): string {
  return serviceYaml({ name, endpoints: backends.map((backend) => backend.host), endpointPort: backends[0]?.port ?? 1 });
}

function specOf(services: string, ingress: Omit<IngressFixture, 'name'>): LoadBalancerSpec {
  return onlySpec(translateYaml(INGRESS_CLASS_YAML + services + ingressYaml({ name: 'web', ...ingress })));
}

/** A new provider (closed after the file) serving one Ingress; the port it serves HTTP on. */
async function serveOnly(services: string, ingress: Omit<IngressFixture, 'name'>, settings: Record<string, number> = {}): Promise<number> {
  const provider = testProvider({ healthCheckTimeScale: 0.02, ...settings });
  providers.push(provider);
  await applySpec(provider, specOf(services, ingress));
  return provider.boundPort(80) ?? assert.fail('port 80 must be served');
}

function prefixRoot(service: string, port?: string): IngressFixture['rules'] {
  return [{ paths: [{ path: '/', pathType: 'Prefix', service, ...(port ? { port } : {}) }] }];
}

async function backendsAnswering(port: number, requests: number): Promise<string[]> {
  const names: string[] = [];
  for (let index = 0; index < requests; index += 1) names.push((await echo({ port })).backend);
  return names;
}

async function eventually(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

describe('spreading requests', () => {
  it('reaches all 10 endpoints of a Service within 100 requests, evenly', async () => {
    const backends = await startBackends('spread', 10);
    const port = await serveOnly(service('spread', backends), { annotations: FAST_HEALTH_CHECKS, rules: prefixRoot('spread') });
    const names = await backendsAnswering(port, 100);
    assert.deepEqual(new Set(names), new Set(backends.map((backend) => backend.name)));
    assert.deepEqual(
      backends.map((backend) => backend.requestCount),
      Array(10).fill(10),
    );
  });

  it('weights a forward 3:1 over 400 requests, interleaved', async () => {
    const [blue] = await startBackends('blue', 1);
    const [green] = await startBackends('green', 1);
    assert.ok(blue && green);
    const split =
      '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"blue","servicePort":"80","weight":3},{"serviceName":"green","servicePort":"80","weight":1}]}}';
    const port = await serveOnly(service('blue', [blue]) + service('green', [green]), {
      annotations: { ...FAST_HEALTH_CHECKS, 'alb.ingress.kubernetes.io/actions.split': split },
      rules: prefixRoot('split', 'use-annotation'),
    });
    const names = await backendsAnswering(port, 400);
    assert.equal(names.filter((name) => name === 'blue-1').length, 300);
    assert.equal(names.filter((name) => name === 'green-1').length, 100);
    assert.ok(!names.join(',').includes('blue-1,blue-1,blue-1,blue-1'), 'the lighter group is not starved for runs of requests');
  });
});

describe('broken targets', () => {
  it('takes a target that fails its health checks out of rotation, and puts it back once it passes', async () => {
    const [healthy, flaky] = await startBackends('health', 2);
    assert.ok(healthy && flaky);
    const port = await serveOnly(service('health', [healthy, flaky]), { annotations: FAST_HEALTH_CHECKS, rules: prefixRoot('health') });
    assert.deepEqual(new Set(await backendsAnswering(port, 4)), new Set(['health-1', 'health-2']), 'targets start healthy');

    flaky.setHealthy(false);
    await eventually(async () => (await backendsAnswering(port, 4)).every((name) => name === 'health-1'), 'the failing target is out');
    const requestsBefore = flaky.requestCount;
    await backendsAnswering(port, 20);
    assert.equal(flaky.requestCount, requestsBefore, 'an unhealthy target gets no requests');

    flaky.setHealthy(true);
    await eventually(async () => (await backendsAnswering(port, 4)).includes('health-2'), 'the target is back in rotation');
  });

  it('stops checking a target once it is deregistered', async () => {
    const [kept, dropped] = await startBackends('dereg', 2);
    assert.ok(kept && dropped);
    const provider = testProvider({ healthCheckTimeScale: 0.02 });
    providers.push(provider);
    const ingress = { annotations: FAST_HEALTH_CHECKS, rules: prefixRoot('dereg') };
    await applySpec(provider, specOf(service('dereg', [kept, dropped]), ingress));
    await eventually(() => dropped.healthCheckCount > 0, 'the target is checked');
    await applySpec(provider, specOf(service('dereg', [kept]), ingress));
    const checks = dropped.healthCheckCount;
    const keptChecks = kept.healthCheckCount;
    await sleep(300);
    assert.equal(dropped.healthCheckCount, checks);
    assert.ok(kept.healthCheckCount > keptChecks, 'the remaining target is still checked');
  });

  it('answers 502 when every target of the group is unhealthy', async () => {
    const [sick] = await startBackends('sick', 1);
    assert.ok(sick);
    sick.setHealthy(false);
    const port = await serveOnly(service('sick', [sick]), { annotations: FAST_HEALTH_CHECKS, rules: prefixRoot('sick') });
    await eventually(async () => (await send({ port })).status === 502, 'the only target is out');
    const response = await send({ port });
    assert.match(String(response.headers['content-type']), /^text\/plain/);
    assert.equal(response.body, '502 Bad Gateway\n', 'generic: the reason is logged, not sent (issue 11)');
  });

  it('answers 502 when the target refuses the connection', async () => {
    const closedPort = await freePort();
    const services = serviceYaml({ name: 'gone', endpoints: ['127.0.0.1'], endpointPort: closedPort });
    const port = await serveOnly(services, { annotations: FAST_HEALTH_CHECKS, rules: prefixRoot('gone') });
    const response = await send({ port });
    assert.equal(response.status, 502);
    assert.equal(response.body, '502 Bad Gateway\n', 'generic: no target address or error code in the body (issue 11)');
  });

  it('answers 504 when the target does not answer within the upstream timeout', async () => {
    const [slow] = await startBackends('slow', 1);
    assert.ok(slow);
    slow.setDelay(1000);
    const port = await serveOnly(service('slow', [slow]), { annotations: FAST_HEALTH_CHECKS, rules: prefixRoot('slow') }, { upstreamTimeoutMs: 100 });
    const started = Date.now();
    const response = await send({ port });
    assert.equal(response.status, 504);
    assert.ok(Date.now() - started < 900, 'the client gets its answer at the timeout, not when the target answers');
  });
});

/** A port nothing listens on: the system hands one out, and it is closed again at once. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : assert.fail('no port');
}
