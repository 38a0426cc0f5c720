/**
 * Every metric the dashboard and the alert rules read exists in the /metrics of a running
 * controller: the cluster runtime the Deployment runs (informers against the Kubernetes API fake,
 * the work queue, the metrics server on loopback), with a cloud stand-in that fails one stack's
 * applies. The per-stack series the alerts read are shown recorded, not only declared: a failing
 * stack, a target change registered, drift made outside the controller and repaired.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startKubeRun, type KubeRunHandle } from '../../src/commands/run-cluster.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Provider, ProviderOptions } from '../../src/provider.js';
import { startKubeFake, type KubeFake } from '../../fakes/kube/index.js';
import { INGRESS_CLASS_YAML, ingressYaml, serviceYaml, testOptions } from '../support/cluster.js';
import { applyYaml } from '../support/kube-yaml.js';
import { alertRules, dashboardQueries, exposedTypes, familyOf, metricNamesIn } from '../support/monitoring.js';
import { createMemoryCloud, memoryProvider, type MemoryCloud } from '../support/plugin-provider.js';
import { assertNothingDenied, loadRbacAuthorizer, waitUnlessDenied, type RbacAuthorizer } from '../support/rbac.js';

const IP = { 'ingress-bridge.io/target-type': 'ip' };

/** The memory cloud, reporting each apply as an API call, and refusing every apply of `default/broken`. */
function failingFor(cloud: MemoryCloud, failing: string): (options: ProviderOptions) => Provider {
  return (options) => {
    const inner = memoryProvider(cloud, 'a');
    return {
      ...inner,
      async apply(plan, applyOptions) {
        const refused = plan.stackId === failing;
        options.onApiCall?.({ service: 'memory', action: 'Put', outcome: refused ? 'error' : 'success' });
        if (refused) return { outcomes: plan.operations.map((operation) => ({ operation, error: 'AccessDenied: not authorized' })), diagnostics: [] };
        return inner.apply(plan, applyOptions);
      },
    };
  };
}

/** Sample lines of /metrics, by series name and labels as written. */
function samples(exposition: string, name: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^(\S+?)(\{[^}]*\})? (\S+)$/.exec(line);
    if (match?.[1] === name) found.set(match[2] ?? '', Number(match[3]));
  }
  return found;
}

describe('the metrics the monitoring component reads, on a running controller', () => {
  let fake: KubeFake;
  let rbac: RbacAuthorizer;
  let handle: KubeRunHandle;
  const cloud = createMemoryCloud();
  const until = (condition: () => boolean | Promise<boolean>, what: string): Promise<void> =>
    waitUnlessDenied(rbac, condition as () => boolean, 8000).catch((error: unknown) => {
      throw new Error(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    });
  const metrics = async (): Promise<string> => (await fetch(`${handle.servers.metricsUrl}/metrics`)).text();
  const apply = (yaml: string): void => applyYaml(fake, yaml);

  before(async () => {
    fake = await startKubeFake();
    rbac = loadRbacAuthorizer();
    fake.setAuthorizer(rbac.authorize);
    apply(
      INGRESS_CLASS_YAML +
        serviceYaml({ name: 'api' }) +
        ingressYaml({ name: 'web', annotations: IP, rules: [{ host: 'web.test', paths: [{ path: '/', pathType: 'Prefix', service: 'api' }] }] }) +
        ingressYaml({ name: 'broken', annotations: IP, rules: [{ host: 'broken.test', paths: [{ path: '/', pathType: 'Prefix', service: 'api' }] }] }),
    );
    handle = await startKubeRun({
      connection: fake.connection(),
      provider: failingFor(cloud, 'default/broken'),
      providerSettings: {},
      translateOptions: () => testOptions({ now: new Date() }),
      logger: createLogger((process.env.TEST_LOG_LEVEL as 'info') ?? 'silent'),
      namespace: 'ingress-bridge',
      concurrency: 2,
      // A short resync, so drift made below is found without waiting minutes.
      resyncMs: 300,
      metricsAddress: '127.0.0.1:0',
      healthAddress: '127.0.0.1:0',
    });
  });
  after(async () => {
    await handle?.stop();
    await fake?.close();
    assertNothingDenied(rbac);
  });

  it('records a failing stack, target registration lag and a drift repair', async () => {
    await until(() => cloud.served.has('default/web'), 'default/web applied');
    await waitFor(
      async () => samples(await metrics(), 'ingress_bridge_stack_reconcile_failures').has('{stack="default/broken"}'),
      'the failing stack has a failure series',
    );

    apply(serviceYaml({ name: 'api', endpoints: ['10.0.0.1', '10.0.0.2'] }));
    await until(() => cloud.served.get('default/web')?.targetGroups[0]?.targets.length === 2, 'the new endpoint registered');
    await waitFor(
      async () => (samples(await metrics(), 'ingress_bridge_target_registration_lag_seconds_count').get('') ?? 0) >= 1,
      'a registration lag observed',
    );

    const served = cloud.served.get('default/web');
    assert.ok(served);
    cloud.served.set('default/web', { ...served, tags: { changed: 'by hand' } });
    await until(() => cloud.served.get('default/web')?.tags.changed === undefined, 'the resync repaired the drift');
    await waitFor(async () => samples(await metrics(), 'ingress_bridge_drift_repairs_total').get('{stack="default/web"}') === 1, 'the repair counted as drift');

    const text = await metrics();
    assert.equal(samples(text, 'ingress_bridge_stack_reconcile_failures').has('{stack="default/web"}'), false, 'a healthy stack has no failure series');
    assert.equal(samples(text, 'ingress_bridge_leader').get(''), 1, 'without leader election this replica leads');
  });

  it('serves every metric the dashboard and the alert rules name, with the type their queries assume', async () => {
    const types = exposedTypes(await metrics());
    const used = new Map<string, string>();
    for (const query of dashboardQueries()) for (const name of metricNamesIn(query)) used.set(name, `dashboard: ${query}`);
    for (const rule of alertRules()) for (const name of metricNamesIn(rule.expr)) used.set(name, `alert ${rule.alert}`);
    assert.ok(used.size >= 10, [...used.keys()].join(', '));
    for (const [name, where] of used) {
      const family = familyOf(name, types);
      assert.ok(family, `${name} (${where}) is not in the controller's /metrics`);
      if (name !== family) assert.equal(types.get(family), 'histogram', `${name}: ${family} is a histogram`);
      if (name.endsWith('_total')) assert.equal(types.get(family), 'counter', `${name} is a counter`);
    }
  });
});

/** Polls an async condition (a scrape), failing with `what` when it never holds. */
async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
