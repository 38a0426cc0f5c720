/**
 * Shadow mode for a side-by-side migration: with --publish-status=false the controller serves
 * ingress-nginx's Ingresses (load balancer built, finalizer added) but never writes their status,
 * so the address ingress-nginx published stays until the cutover. Against the Kubernetes API fake.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { startKubeRun, type KubeRunHandle } from '../../src/commands/run-cluster.js';
import { FINALIZER } from '../../src/controller/ingress-writer.js';
import { createLogger } from '../../src/observability/logger.js';
import { serviceYaml, testOptions } from '../support/cluster.js';
import { startKubeFake, type KubeFake } from '../../fakes/kube/index.js';
import { manifestObjects } from '../support/kube-yaml.js';
import { createMemoryCloud, hostnameOf, memoryProvider, type MemoryCloud } from '../support/plugin-provider.js';
import { NGINX_CLASS_YAML, nginxIngressYaml } from '../translate/nginx/fixtures.js';

/** The address ingress-nginx's own Service had published (documentation range: nothing is sent to it). */
/** The load balancer of the namespace's nginx-class Ingresses. */
const GROUP = 'nginx.default';
const NGINX_STATUS = { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } };

describe('--publish-status=false (shadow mode)', () => {
  let fake: KubeFake;
  let cloud: MemoryCloud;
  let handle: KubeRunHandle | undefined;

  const start = async (publishStatus: boolean): Promise<void> => {
    handle = await startKubeRun({
      connection: fake.connection(),
      provider: () => memoryProvider(cloud, 'a'),
      providerSettings: {},
      translateOptions: () => testOptions({ now: new Date(), ingressClass: 'nginx' }),
      logger: createLogger('silent'),
      namespace: 'ingress-bridge',
      concurrency: 2,
      resyncMs: 60_000,
      metricsAddress: '127.0.0.1:0',
      healthAddress: '127.0.0.1:0',
      publishStatus,
    });
  };
  const status = (): unknown => fake.get('ingresses', 'default', 'web')?.status;
  const until = async (condition: () => boolean): Promise<void> => {
    const deadline = Date.now() + 8000;
    while (!condition()) {
      if (Date.now() > deadline) assert.fail('condition not met in time');
      await sleep(20);
    }
  };

  beforeEach(async () => {
    fake = await startKubeFake();
    cloud = createMemoryCloud();
    for (const object of manifestObjects(
      NGINX_CLASS_YAML + serviceYaml({ name: 'main' }) + nginxIngressYaml({ name: 'web', annotations: { 'rewrite-target': '/' } }),
    )) {
      fake.apply(object.kind === 'Ingress' ? { ...object, status: NGINX_STATUS } : object);
    }
  });
  afterEach(async () => {
    await handle?.stop();
    handle = undefined;
    await fake.close();
  });

  it('serves the Ingress and adds the finalizer, but leaves the status ingress-nginx wrote', async () => {
    assert.deepEqual(status(), NGINX_STATUS, 'the fixture carries ingress-nginx status');
    await start(false);
    await until(() => cloud.served.has(GROUP) && fake.get('ingresses', 'default', 'web')?.metadata.finalizers?.includes(FINALIZER) === true);
    // The status write would come in the same reconcile, right after the apply; give it time to show.
    await sleep(300);
    assert.deepEqual(status(), NGINX_STATUS);
  });

  it('publishes its own address by default (the cutover)', async () => {
    await start(true);
    await until(() => JSON.stringify(status()).includes(hostnameOf(GROUP)));
  });
});
