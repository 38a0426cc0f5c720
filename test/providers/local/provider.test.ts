/**
 * The local provider's lifecycle through the Provider contract: observe, diff, apply in place while
 * traffic flows, delete, a port that cannot be bound, and close.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { LoadBalancerSpec } from '../../../src/model.js';
import { loadProvider } from '../../../src/provider-registry.js';
import { renderPlan, type LocalProvider } from '../../../providers/local/index.js';
import { startEchoBackend, type EchoBackend } from '../../../demo/echo-backend.js';
import { INGRESS_CLASS_YAML, ingressYaml, onlySpec, serviceYaml, translateYaml, type IngressFixture } from '../../support/cluster.js';
import { applySpec, echo, MemoryCertificates, send, testProvider } from '../../support/local-lb.js';

const ANNOTATIONS = { 'alb.ingress.kubernetes.io/target-type': 'ip', 'alb.ingress.kubernetes.io/healthcheck-path': '/healthz' };
let a: EchoBackend;
let b: EchoBackend;

function specOf(ingress: Omit<IngressFixture, 'annotations'>, endpoints?: { a?: EchoBackend[] }): LoadBalancerSpec {
  const aEndpoints = endpoints?.a ?? [a];
  const services =
    serviceYaml({ name: 'a', endpoints: aEndpoints.map((backend) => backend.host), endpointPort: a.port }) +
    serviceYaml({ name: 'b', endpoints: [b.host], endpointPort: b.port });
  return onlySpec(translateYaml(INGRESS_CLASS_YAML + services + ingressYaml({ annotations: ANNOTATIONS, ...ingress })));
}

function hostRule(host: string, service: string, path = '/'): NonNullable<IngressFixture['rules']>[number] {
  return { host, paths: [{ path, pathType: 'Prefix', service }] };
}

async function actionsOf(provider: LocalProvider, spec: LoadBalancerSpec | undefined, stackId: string): Promise<string[]> {
  return provider.diff(spec, await provider.observe({ id: stackId })).operations.map((operation) => operation.action);
}

before(async () => {
  a = await startEchoBackend({ name: 'a' });
  b = await startEchoBackend({ name: 'b' });
});
after(async () => {
  await Promise.all([a.close(), b.close()]);
});

describe('diff', () => {
  const provider = testProvider();
  after(() => provider.close());

  it('is empty for the spec being served, and names only what changed', async () => {
    const spec = specOf({ name: 'web', rules: [hostRule('a.test', 'a')] });
    assert.deepEqual(await actionsOf(provider, spec, 'default/web'), ['CreateLoadBalancer', 'CreateTargetGroup', 'OpenListener']);
    await applySpec(provider, spec);
    assert.deepEqual(await actionsOf(provider, specOf({ name: 'web', rules: [hostRule('a.test', 'a')] }), 'default/web'), []);

    const secondEndpoint = await startEchoBackend({ name: 'a2', host: '127.0.0.2', port: a.port });
    try {
      assert.deepEqual(await actionsOf(provider, specOf({ name: 'web', rules: [hostRule('a.test', 'a')] }, { a: [a, secondEndpoint] }), 'default/web'), [
        'UpdateTargets',
      ]);
    } finally {
      await secondEndpoint.close();
    }
    assert.deepEqual(await actionsOf(provider, specOf({ name: 'web', rules: [hostRule('b.test', 'a')] }), 'default/web'), ['UpdateRules']);
    assert.deepEqual(await actionsOf(provider, undefined, 'default/web'), ['CloseListener', 'DeleteTargetGroup', 'RemoveLoadBalancer']);
    assert.deepEqual(await actionsOf(provider, undefined, 'default/other'), []);
  });

  it('is empty after a JSON round trip of the plan is applied', async () => {
    const spec = specOf({ name: 'round-trip', rules: [hostRule('rt.test', 'b')] });
    const plan = provider.diff(spec, await provider.observe(spec.stack));
    const result = await provider.apply(JSON.parse(JSON.stringify(plan)) as typeof plan);
    assert.deepEqual(result.address, { ip: '127.0.0.1' });
    assert.deepEqual(await actionsOf(provider, spec, spec.stack.id), []);
  });
});

describe('apply while requests flow', () => {
  it('changes rules three times without failing a request', async () => {
    const provider = testProvider();
    try {
      await applySpec(provider, specOf({ name: 'live', rules: [hostRule('live.test', 'a')] }));
      const port = provider.boundPort(80) ?? assert.fail('port 80 must be served');
      let stop = false;
      const answered: string[] = [];
      const client = async (): Promise<void> => {
        while (!stop) answered.push((await echo({ port, host: 'live.test', path: '/x' })).backend);
      };
      const clients = [client(), client(), client()];
      for (const service of ['b', 'a', 'b']) {
        await sleep(30);
        await applySpec(provider, specOf({ name: 'live', rules: [hostRule('live.test', service), hostRule(`${service}.test`, service, '/y')] }));
      }
      await sleep(30);
      stop = true;
      await Promise.all(clients);
      assert.ok(answered.includes('a') && answered.includes('b'), 'both rule sets served requests');
      assert.equal(answered.at(-1), 'b', 'the last apply decides');
      assert.equal(provider.boundPort(80), port, 'the socket stayed open');
    } finally {
      await provider.close();
    }
  });
});

describe('delete', () => {
  it('stops serving the stack, and closes the port once no stack listens on it', async () => {
    const provider = testProvider();
    try {
      await applySpec(provider, specOf({ name: 'first', rules: [hostRule('first.test', 'a')] }));
      await applySpec(provider, specOf({ name: 'second', rules: [hostRule('second.test', 'b')] }));
      const port = provider.boundPort(80) ?? assert.fail('port 80 must be served');

      await provider.delete({ id: 'default/first' });
      assert.equal((await provider.observe({ id: 'default/first' })).spec, undefined);
      assert.equal((await send({ port, host: 'first.test' })).status, 404);
      assert.equal((await echo({ port, host: 'second.test' })).backend, 'b');

      await provider.delete({ id: 'default/second' });
      assert.equal(provider.boundPort(80), undefined);
      await assert.rejects(send({ port, host: 'second.test' }), { code: 'ECONNREFUSED' });
    } finally {
      await provider.close();
    }
  });
});

describe('delete with a request in flight', () => {
  it('lets the request finish, then closes its connection and the port at once', async () => {
    const slow = await startEchoBackend({ name: 'slow', delayMs: 300 });
    const provider = testProvider();
    const agent = new http.Agent({ keepAlive: true });
    try {
      const services = serviceYaml({ name: 'slow', endpoints: [slow.host], endpointPort: slow.port });
      const spec = onlySpec(
        translateYaml(INGRESS_CLASS_YAML + services + ingressYaml({ name: 'slow', annotations: ANNOTATIONS, rules: [hostRule('slow.test', 'slow')] })),
      );
      await applySpec(provider, spec);
      const port = provider.boundPort(80) ?? assert.fail('port 80 must be served');
      const inFlight = send({ port, host: 'slow.test', agent });
      await sleep(50);
      const started = Date.now();
      const deleted = provider.delete(spec.stack);
      const response = await inFlight;
      assert.equal(response.status, 200);
      assert.equal(response.headers.connection, 'close', 'the connection is not kept for more requests');
      await deleted;
      await provider.close();
      assert.ok(Date.now() - started < 1000, 'close does not wait for a keep-alive timeout');
    } finally {
      agent.destroy();
      await provider.close();
      await slow.close();
    }
  });
});

describe('a port that cannot be bound', () => {
  it('is an operation error and a diagnostic naming the port, retried by the next diff', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as { port: number }).port;
    const provider = testProvider({ httpPort: taken });
    try {
      const spec = specOf({ name: 'blocked', rules: [hostRule('blocked.test', 'a')] });
      const result = await provider.apply(provider.diff(spec, await provider.observe(spec.stack)));
      const failed = result.outcomes.filter((outcome) => outcome.error);
      assert.deepEqual(
        failed.map((outcome) => outcome.operation.action),
        ['OpenListener'],
      );
      assert.match(failed[0]?.error ?? '', new RegExp(`127\\.0\\.0\\.1:${taken}.*EADDRINUSE`));
      assert.deepEqual(
        result.diagnostics.map((entry) => [entry.severity, entry.object.name]),
        [['error', 'blocked']],
      );
      assert.match(result.diagnostics[0]?.message ?? '', new RegExp(`port 80.*${taken}`));
      assert.deepEqual(await actionsOf(provider, spec, spec.stack.id), ['OpenListener']);
    } finally {
      await provider.close();
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  });
});

describe('close', () => {
  it('stops every health check and closes the sockets', async () => {
    const provider = testProvider({ healthCheckTimeScale: 0.01 });
    await applySpec(provider, specOf({ name: 'closing', rules: [hostRule('closing.test', 'a')] }));
    const port = provider.boundPort(80) ?? assert.fail('port 80 must be served');
    assert.equal((await echo({ port, host: 'closing.test' })).backend, 'a');
    await sleep(200);
    assert.ok(a.healthCheckCount > 0, 'health checks ran');

    await provider.close();
    const checks = a.healthCheckCount;
    await sleep(300);
    assert.equal(a.healthCheckCount, checks, 'no health check after close');
    await assert.rejects(send({ port, host: 'closing.test' }), { code: 'ECONNREFUSED' });
  });

  it('leaves nothing that keeps the process alive', () => {
    const script = fileURLToPath(new URL('../../support/local-close-exit.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 15_000 });
    assert.equal(run.signal, null, `the process did not exit by itself after close(): ${run.stdout}${run.stderr}`);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'served a, closed');
  });
});

describe('the module', () => {
  it('loads as the built-in provider "local" and renders the specs themselves as its plan', async () => {
    const provider = await loadProvider('local', { clusterName: 'test', certificates: new MemoryCertificates(), settings: { httpPort: 0 } });
    await provider.close();
    assert.equal(provider.name, 'local');
    const spec = specOf({ name: 'plan', rules: [hostRule('plan.test', 'a')] });
    assert.deepEqual(renderPlan([spec], []), { LoadBalancers: [spec], Diagnostics: [] });
  });
});
