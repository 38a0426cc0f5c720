/**
 * Metrics and health endpoints over real loopback HTTP: readiness flips with its checks, the
 * exposition carries what was recorded, and one or two servers depending on the addresses.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { parseListenAddress, startObservabilityServers } from '../../src/observability/health.js';
import { ControllerMetrics } from '../../src/observability/metrics.js';

async function get(url: string): Promise<{ status: number; type: string | null; body: string }> {
  const response = await fetch(url);
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The value of one sample line, e.g. `name{label="x"} 3`. */
function sample(exposition: string, series: string): number | undefined {
  const line = exposition.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('ControllerMetrics', () => {
  it('exposes the recorded series with their labels', async () => {
    const metrics = new ControllerMetrics({ defaultMetrics: false });
    let depth = 3;
    let leading = false;
    metrics.observeQueueDepth(() => depth);
    metrics.observeLeadership(() => leading);
    metrics.recordReconcile('success', 0.2);
    metrics.recordReconcile('success', 3);
    metrics.recordReconcile('error', 1);
    metrics.recordReconcile('skipped', 0);
    metrics.recordApiCall({ provider: 'aws', service: 'elbv2', action: 'DescribeLoadBalancers', outcome: 'throttled' });
    metrics.recordConvergence(42);
    metrics.recordInformerEvent('EndpointSlice', 'update');
    metrics.recordInformerEvent('EndpointSlice', 'update');

    let { body } = await metrics.exposition();
    assert.equal(sample(body, 'ingress_bridge_reconciles_total{result="success"}'), 2);
    assert.equal(sample(body, 'ingress_bridge_reconciles_total{result="error"}'), 1);
    assert.equal(sample(body, 'ingress_bridge_reconciles_total{result="skipped"}'), 1);
    assert.equal(sample(body, 'ingress_bridge_reconcile_duration_seconds_count'), 3, 'a skipped reconcile has no duration');
    assert.equal(sample(body, 'ingress_bridge_reconcile_duration_seconds_bucket{le="0.25"}'), 1);
    assert.equal(sample(body, 'ingress_bridge_reconcile_duration_seconds_sum'), 4.2);
    assert.equal(sample(body, 'ingress_bridge_cloud_api_calls_total{provider="aws",service="elbv2",action="DescribeLoadBalancers",outcome="throttled"}'), 1);
    assert.equal(sample(body, 'ingress_bridge_convergence_seconds_bucket{le="30"}'), 0);
    assert.equal(sample(body, 'ingress_bridge_convergence_seconds_bucket{le="60"}'), 1);
    assert.equal(sample(body, 'ingress_bridge_informer_events_total{kind="EndpointSlice",type="update"}'), 2);
    assert.equal(sample(body, 'ingress_bridge_queue_depth'), 3);
    assert.equal(sample(body, 'ingress_bridge_leader'), 0);
    assert.doesNotMatch(body, /^process_cpu/m, 'default metrics were turned off');

    depth = 0;
    leading = true;
    ({ body } = await metrics.exposition());
    assert.equal(sample(body, 'ingress_bridge_queue_depth'), 0, 'gauges are read at scrape time');
    assert.equal(sample(body, 'ingress_bridge_leader'), 1);
  });

  it('includes the process metrics by default, in a registry of its own', async () => {
    const first = new ControllerMetrics();
    const second = new ControllerMetrics();
    first.recordReconcile('error', 1);
    const { body } = await second.exposition();
    assert.match(body, /^process_cpu_user_seconds_total /m);
    assert.match(body, /^nodejs_heap_size_used_bytes /m);
    assert.equal(sample(body, 'ingress_bridge_reconciles_total{result="error"}'), undefined);
  });
});

describe('parseListenAddress', () => {
  it('reads host:port, :port and [ipv6]:port and rejects the rest', () => {
    assert.deepEqual(parseListenAddress(':8080'), { port: 8080 });
    assert.deepEqual(parseListenAddress('127.0.0.1:0'), { host: '127.0.0.1', port: 0 });
    assert.deepEqual(parseListenAddress('[::1]:9102'), { host: '::1', port: 9102 });
    for (const bad of ['8080', 'localhost', ':70000', 'a:b', '::1:80', '']) assert.equal(parseListenAddress(bad), undefined, bad);
  });
});

describe('startObservabilityServers', () => {
  it('serves all endpoints from one server when both addresses are the same, and readiness flips', async (t) => {
    const metrics = new ControllerMetrics({ defaultMetrics: false });
    let synced = false;
    let leadershipKnown = false;
    let alive = true;
    const servers = await startObservabilityServers({
      metricsAddress: '127.0.0.1:0',
      healthAddress: '127.0.0.1:0',
      metrics,
      liveness: [{ name: 'work queue loop alive', ok: () => alive }],
      readiness: [
        { name: 'informers not synced', ok: () => synced },
        { name: 'leadership not known', ok: () => leadershipKnown },
      ],
    });
    t.after(() => servers.close());
    assert.equal(servers.metricsUrl, servers.healthUrl);

    assert.deepEqual(await get(`${servers.healthUrl}/readyz`), {
      status: 503,
      type: 'text/plain; charset=utf-8',
      body: 'not ready: informers not synced, leadership not known\n',
    });
    synced = true;
    assert.equal((await get(`${servers.healthUrl}/readyz`)).body, 'not ready: leadership not known\n');
    leadershipKnown = true;
    assert.deepEqual(await get(`${servers.healthUrl}/readyz`), { status: 200, type: 'text/plain; charset=utf-8', body: 'ok\n' });

    assert.equal((await get(`${servers.healthUrl}/healthz`)).status, 200);
    alive = false;
    assert.deepEqual(await get(`${servers.healthUrl}/healthz`), { status: 503, type: 'text/plain; charset=utf-8', body: 'not alive: work queue loop alive\n' });

    metrics.recordReconcile('success', 0.5);
    const scraped = await get(`${servers.metricsUrl}/metrics`);
    assert.equal(scraped.status, 200);
    assert.equal(scraped.type, 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(sample(scraped.body, 'ingress_bridge_reconciles_total{result="success"}'), 1);

    assert.equal((await get(`${servers.healthUrl}/nope`)).status, 404);
    assert.equal((await fetch(`${servers.healthUrl}/healthz`, { method: 'POST' })).status, 405);
  });

  it('starts two servers for two addresses, each serving only its own endpoints', async (t) => {
    const [metricsPort, healthPort] = [await freePort(), await freePort()];
    const servers = await startObservabilityServers({
      metricsAddress: `127.0.0.1:${metricsPort}`,
      healthAddress: `127.0.0.1:${healthPort}`,
      metrics: new ControllerMetrics({ defaultMetrics: false }),
      liveness: [],
      readiness: [],
    });
    t.after(() => servers.close());
    assert.equal(servers.metricsUrl, `http://127.0.0.1:${metricsPort}`);
    assert.equal(servers.healthUrl, `http://127.0.0.1:${healthPort}`);
    assert.equal((await get(`${servers.metricsUrl}/metrics`)).status, 200);
    assert.equal((await get(`${servers.metricsUrl}/readyz`)).status, 404);
    assert.equal((await get(`${servers.healthUrl}/readyz`)).status, 200);
    assert.equal((await get(`${servers.healthUrl}/healthz`)).status, 200);
    assert.equal((await get(`${servers.healthUrl}/metrics`)).status, 404);
  });

  it('fails to start on a bad address or a port in use, leaving nothing listening', async () => {
    const metrics = new ControllerMetrics({ defaultMetrics: false });
    await assert.rejects(
      startObservabilityServers({ metricsAddress: 'nonsense', healthAddress: ':0', metrics, liveness: [], readiness: [] }),
      /metrics address "nonsense"/,
    );
    const first = await startObservabilityServers({ metricsAddress: '127.0.0.1:0', healthAddress: '127.0.0.1:0', metrics, liveness: [], readiness: [] });
    const taken = new URL(first.healthUrl).port;
    const freeMetricsPort = await freePort();
    await assert.rejects(
      startObservabilityServers({ metricsAddress: `127.0.0.1:${freeMetricsPort}`, healthAddress: `127.0.0.1:${taken}`, metrics, liveness: [], readiness: [] }),
      /EADDRINUSE/,
    );
    await first.close();
    const again = await startObservabilityServers({
      metricsAddress: `127.0.0.1:${freeMetricsPort}`,
      healthAddress: `127.0.0.1:${taken}`,
      metrics,
      liveness: [],
      readiness: [],
    });
    await again.close();
  });
});
