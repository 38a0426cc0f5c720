/**
 * Re-queues the nginx reader needs beyond an Ingress's own group, end to end: the real informers
 * against the Kubernetes API fake, with an in-memory provider as the cloud. A canary joins the group
 * its main Ingress names, not one of its own; a rewrite-target or use-regex in one Ingress turns the
 * same host's paths of other Ingresses (in other groups too) into regexes.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { startKubeRun, type KubeRunHandle } from '../../src/commands/run-cluster.js';
import { FINALIZER } from '../../src/controller/ingress-writer.js';
import { createLogger } from '../../src/observability/logger.js';
import { serviceYaml, testOptions } from '../support/cluster.js';
import { startKubeFake, type KubeFake, type KubeObject } from '../../fakes/kube/index.js';
import { applyYaml } from '../support/kube-yaml.js';
import { createMemoryCloud, memoryProvider, type MemoryCloud } from '../support/plugin-provider.js';
import { NGINX, NGINX_CLASS_YAML, nginxIngressYaml } from '../translate/nginx/fixtures.js';

const GROUP = 'alb.ingress.kubernetes.io/group.name';
describe('the runtime re-queues what the nginx reader ties together', () => {
  let fake: KubeFake;
  let cloud: MemoryCloud;
  let handle: KubeRunHandle | undefined;

  const start = async (): Promise<void> => {
    handle = await startKubeRun({
      connection: fake.connection(),
      provider: () => memoryProvider(cloud, 'a'),
      providerSettings: {},
      translateOptions: () => testOptions({ now: new Date(), ingressClass: 'nginx' }),
      logger: createLogger((process.env.TEST_LOG_LEVEL as 'info') ?? 'silent'),
      namespace: 'ingress-bridge',
      concurrency: 2,
      // Longer than any test: a resync must not do the re-queue under test.
      resyncMs: 600_000,
      metricsAddress: '127.0.0.1:0',
      healthAddress: '127.0.0.1:0',
    });
  };
  const apply = (yaml: string): void => applyYaml(fake, yaml);
  const ingress = (name: string): KubeObject | undefined => fake.get('ingresses', 'default', name);
  const until = async (condition: () => boolean, what: string): Promise<void> => {
    const deadline = Date.now() + 8000;
    while (!condition()) {
      if (Date.now() > deadline) assert.fail(`not in time: ${what}`);
      await sleep(20);
    }
  };
  const served = (group: string): string => JSON.stringify(cloud.served.get(group) ?? null);

  beforeEach(async () => {
    fake = await startKubeFake();
    cloud = createMemoryCloud();
  });
  afterEach(async () => {
    await handle?.stop();
    handle = undefined;
    await fake.close();
  });

  it('lets go of a deleted canary from its main Ingress group, though the namespace group nginx.<ns> is held', async () => {
    apply(
      NGINX_CLASS_YAML +
        ['main', 'canary', 'legacy'].map((name) => serviceYaml({ name })).join('') +
        nginxIngressYaml({ name: 'web', annotations: { [GROUP]: 'shop' } }) +
        nginxIngressYaml({
          name: 'web-canary',
          annotations: { canary: 'true', 'canary-weight': '30' },
          paths: [{ path: '/', pathType: 'Prefix', service: 'canary' }],
        }) +
        // Refused (protection that cannot be honoured): nginx.default, the group the canary's own
        // annotations would name, holds whatever it has and is never reconciled to the end.
        nginxIngressYaml({
          name: 'legacy',
          host: 'legacy.test',
          annotations: { 'auth-url': 'http://127.0.0.1:9/auth' },
          paths: [{ path: '/', service: 'legacy' }],
        }),
    );
    await start();
    await until(() => served('shop').includes('"canary"') && ingress('web-canary')?.metadata.finalizers?.includes(FINALIZER) === true, 'canary served in shop');
    fake.remove('ingresses', 'default', 'web-canary');
    await until(() => ingress('web-canary') === undefined, 'the canary Ingress gone (its finalizer removed)');
    await until(() => !served('shop').includes('"canary"'), 'the canary Service gone from shop');
    assert.ok(served('shop').includes('"main"'), 'the main Ingress stays served');
  });

  it('lets go of a canary deleted after its main moved to another group', async () => {
    apply(
      NGINX_CLASS_YAML +
        ['main', 'canary'].map((name) => serviceYaml({ name })).join('') +
        nginxIngressYaml({ name: 'web', annotations: { [GROUP]: 'shop' } }) +
        nginxIngressYaml({
          name: 'web-canary',
          annotations: { canary: 'true', 'canary-weight': '30' },
          paths: [{ path: '/', pathType: 'Prefix', service: 'canary' }],
        }),
    );
    await start();
    await until(() => served('shop').includes('"canary"'), 'canary served in shop');
    fake.patch('ingresses', 'default', 'web', { metadata: { annotations: { [GROUP]: 'store' } } });
    await until(() => served('store').includes('"canary"') && !cloud.served.has('shop'), 'canary moved to store with its main');
    fake.remove('ingresses', 'default', 'web-canary');
    await until(() => ingress('web-canary') === undefined, 'the canary Ingress gone');
    await until(() => !served('store').includes('"canary"'), 'the canary Service gone from store');
  });

  it("re-translates another group's Ingress of the same host when use-regex appears on one", async () => {
    apply(
      NGINX_CLASS_YAML +
        ['main', 'other'].map((name) => serviceYaml({ name })).join('') +
        nginxIngressYaml({ name: 'web', annotations: { [GROUP]: 'shop' } }) +
        nginxIngressYaml({ name: 'docs', annotations: { [GROUP]: 'docs' }, paths: [{ path: '/docs', pathType: 'Prefix', service: 'other' }] }),
    );
    await start();
    await until(() => cloud.served.has('shop') && cloud.served.has('docs'), 'both groups served');
    const before = served('docs');
    assert.ok(!before.includes('regexValues'), `not a regex path yet: ${before}`);
    fake.patch('ingresses', 'default', 'web', { metadata: { annotations: { [`${NGINX}use-regex`]: 'true' } } });
    await until(() => served('docs').includes('regexValues'), 'the docs path turned into an nginx regex');
    // And back: removing the annotation (a null in a merge patch) is a change to re-queue as well.
    fake.patch('ingresses', 'default', 'web', { metadata: { annotations: { [`${NGINX}use-regex`]: null } } });
    await until(() => !served('docs').includes('regexValues'), 'the docs path a prefix again');
  });
});
