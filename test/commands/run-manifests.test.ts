/**
 * `run --manifests` as a newcomer meets it (issue 13): Ingresses of another class are counted and
 * listed, not skipped in silence; the table shows the ports actually served; /metrics, /healthz and
 * /readyz are served when asked for, as against a cluster.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runPlan } from '../../src/commands/plan.js';
import type { RunHandle } from '../../src/commands/run-manifests.js';
import type { LocalProvider } from '../../providers/local/index.js';
import { INGRESS_CLASS_YAML, ingressYaml, serviceYaml, testOptions } from '../support/cluster.js';
import { startLocalRun } from '../support/manifest-run.js';

const OURS = ingressYaml({
  name: 'web',
  rules: [{ host: 'web.test', paths: [{ path: '/', pathType: 'Prefix', service: 'web' }] }],
  tls: [{ hosts: ['web.test'] }],
});
const NGINX = ingressYaml({
  name: 'app',
  ingressClassName: 'nginx',
  rules: [{ host: 'app.test', paths: [{ path: '/', pathType: 'Prefix', service: 'web' }] }],
});
const NGINX_LEGACY = ingressYaml({
  name: 'legacy',
  namespace: 'shop',
  ingressClassName: null,
  annotations: { 'kubernetes.io/ingress.class': 'nginx' },
  rules: [{ host: 'legacy.test', paths: [{ path: '/', pathType: 'Prefix', service: 'web' }] }],
});
const CLASSLESS = ingressYaml({
  name: 'orphan',
  ingressClassName: null,
  rules: [{ host: 'orphan.test', paths: [{ path: '/', pathType: 'Prefix', service: 'web' }] }],
});

describe('Ingresses left to another class', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'left-'));
    await writeFile(
      join(dir, 'all.yaml'),
      INGRESS_CLASS_YAML + serviceYaml({ name: 'web', endpoints: ['127.0.0.1'] }) + OURS + NGINX + NGINX_LEGACY + CLASSLESS,
    );
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('plan counts and lists them by class after the summary, and in JSON', async () => {
    const text = await runPlan({ manifests: dir, output: 'text', provider: 'aws', translate: testOptions() });
    const lines = text.stdout.trimEnd().split('\n');
    assert.deepEqual(lines.slice(-2), [
      '1 Ingress with no class (no ingressClassName and no default IngressClass; ours is ingress-bridge) left out: default/orphan',
      '2 Ingresses left to class nginx: default/app, shop/legacy',
    ]);
    const json = await runPlan({ manifests: dir, output: 'json', provider: 'aws', translate: testOptions() });
    assert.deepEqual((JSON.parse(json.stdout) as { IngressesLeftToOtherClasses: unknown }).IngressesLeftToOtherClasses, [
      { Namespace: 'default', Name: 'app', IngressClass: 'nginx' },
      { Namespace: 'default', Name: 'orphan', IngressClass: null },
      { Namespace: 'shop', Name: 'legacy', IngressClass: 'nginx' },
    ]);
  });

  it("plan with only another class's Ingress says so rather than nothing", async () => {
    const only = await mkdtemp(join(tmpdir(), 'left-only-'));
    try {
      await writeFile(join(only, 'app.yaml'), NGINX);
      const text = await runPlan({ manifests: only, output: 'text', provider: 'aws', translate: testOptions() });
      assert.match(text.stdout, /^0 load balancers, [^\n]*\n1 Ingress left to class nginx: default\/app\n$/m);
    } finally {
      await rm(only, { recursive: true, force: true });
    }
  });

  it('run --once lists them too, with the served ports in the table', async () => {
    const printed: string[] = [];
    const handle = await startLocalRun(dir, { once: true, print: (text) => printed.push(text) });
    try {
      const [first = ''] = printed;
      assert.match(first, /^2 Ingresses left to class nginx: default\/app, shop\/legacy$/m);
      const provider = handle.provider as LocalProvider;
      const http = provider.boundPort(80);
      const https = provider.boundPort(443);
      assert.ok(http !== undefined && https !== undefined);
      assert.match(
        first,
        new RegExp(`^default\\s+web\\s+ingress-bridge\\s+web\\.test\\s+127\\.0\\.0\\.1\\s+${Math.min(http, https)}, ${Math.max(http, https)}$`, 'm'),
        "the ports served, not the spec's 80 and 443",
      );
      assert.deepEqual(
        handle.first.leftToOtherClasses.map((entry) => `${entry.ref.namespace}/${entry.ref.name}`),
        ['default/app', 'default/orphan', 'shop/legacy'],
      );
    } finally {
      await handle.stop();
    }
  });
});

describe('run --manifests with --metrics-address and --health-address', () => {
  let dir = '';
  let handle: RunHandle;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'metrics-'));
    await writeFile(join(dir, 'all.yaml'), INGRESS_CLASS_YAML + serviceYaml({ name: 'web', endpoints: ['127.0.0.1'] }) + OURS);
    handle = await startLocalRun(dir, { metricsAddress: '127.0.0.1:0', healthAddress: '127.0.0.1:0' });
  });
  after(async () => {
    await handle.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves Prometheus metrics counting the reconciles', async () => {
    const servers = handle.servers ?? assert.fail('servers started');
    const response = await fetch(`${servers.metricsUrl}/metrics`);
    assert.equal(response.status, 200);
    const body = await response.text();
    assert.match(body, /^ingress_bridge_reconciles_total\{result="success"\} 1$/m);
    assert.match(body, /^ingress_bridge_reconcile_duration_seconds_count 1$/m);
  });

  it('answers /healthz and /readyz once the first round is applied', async () => {
    const servers = handle.servers ?? assert.fail('servers started');
    for (const path of ['/healthz', '/readyz']) assert.equal((await fetch(`${servers.healthUrl}${path}`)).status, 200, path);
  });
});
