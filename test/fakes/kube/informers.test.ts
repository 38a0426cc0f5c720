/**
 * The real client-node informer (makeInformer) against the Kubernetes API fake: events, watch
 * reconnects, relists after 410 Expired, and finalizer-held deletes.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { makeInformer, NetworkingV1Api, type Informer, type ObjectCache, type V1Ingress } from '@kubernetes/client-node';
import { startKubeFake, waitFor, type KubeFake, type KubeFakeOptions, type KubeObject } from '../../../fakes/kube/index.js';

function ingress(name: string, metadata: Partial<KubeObject['metadata']> = {}): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: 'default', ...metadata },
    spec: { rules: [{ host: `${name}.example.com` }] },
  };
}

/** An ingress informer that records `add default/a`-style lines, and restarts on error if asked. */
class IngressProbe {
  readonly events: string[] = [];
  readonly errors: unknown[] = [];
  readonly informer: Informer<V1Ingress> & ObjectCache<V1Ingress>;
  private stopped = false;

  constructor(fake: KubeFake, options: { restartOnError: boolean }) {
    const api = fake.kubeConfig().makeApiClient(NetworkingV1Api);
    this.informer = makeInformer(fake.kubeConfig(), '/apis/networking.k8s.io/v1/ingresses', () => api.listIngressForAllNamespaces());
    for (const verb of ['add', 'update', 'delete'] as const) {
      this.informer.on(verb, (object) => this.events.push(`${verb} ${object.metadata?.namespace}/${object.metadata?.name}`));
    }
    this.informer.on('error', (error) => {
      // client-node 2.0.1 also reports the abort of its own stop() as an error.
      if (this.stopped) return;
      this.errors.push(error);
      if (options.restartOnError) void this.informer.start();
    });
  }

  async start(): Promise<void> {
    await this.informer.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.informer.stop();
  }

  async waitForEvent(event: string): Promise<void> {
    await waitFor(() => this.events.includes(event), { what: `informer event "${event}" (seen: ${this.events.join(', ')})` });
  }

  /** For each `verb` callback, how many list requests the fake had served by then. */
  listsSeenAtEach(verb: 'add' | 'delete', fake: KubeFake): number[] {
    const counts: number[] = [];
    this.informer.on(verb, () => counts.push(fake.requests({ verb: 'list' }).length));
    return counts;
  }

  cachedNames(): string[] {
    return this.informer
      .list()
      .map((object) => object.metadata?.name ?? '')
      .sort();
  }
}

describe('client-node informer against the Kubernetes API fake', { timeout: 20_000 }, () => {
  let fake: KubeFake;
  let probe: IngressProbe | undefined;

  async function startProbe(options: KubeFakeOptions = {}, restartOnError = false): Promise<IngressProbe> {
    fake = await startKubeFake(options);
    fake.create(ingress('a'));
    fake.create(ingress('b'));
    probe = new IngressProbe(fake, { restartOnError });
    await probe.start();
    assert.deepEqual(probe.cachedNames(), ['a', 'b']);
    return probe;
  }

  beforeEach(() => {
    probe = undefined;
  });

  afterEach(async () => {
    await probe?.stop();
    await fake.close();
  });

  it('delivers add, update and delete for changes made through the API', async () => {
    const probe = await startProbe();
    const api = fake.kubeConfig().makeApiClient(NetworkingV1Api);
    const created: V1Ingress = { metadata: { name: 'c' }, spec: { rules: [{ host: 'c.example.com' }] } };
    await api.createNamespacedIngress({ namespace: 'default', body: created });
    await probe.waitForEvent('add default/c');
    const current = await api.readNamespacedIngress({ name: 'a', namespace: 'default' });
    current.metadata ??= {};
    current.metadata.labels = { tier: 'web' };
    await api.replaceNamespacedIngress({ name: 'a', namespace: 'default', body: current });
    await probe.waitForEvent('update default/a');
    await api.deleteNamespacedIngress({ name: 'b', namespace: 'default' });
    await probe.waitForEvent('delete default/b');
    assert.deepEqual(probe.cachedNames(), ['a', 'c']);
    assert.deepEqual(probe.informer.get('a', 'default')?.metadata?.labels, { tier: 'web' });
  });

  it('resumes from its resourceVersion, without relisting, when the server ends the watch', async () => {
    const probe = await startProbe();
    assert.equal(fake.endWatches('ingresses'), 1);
    await waitFor(() => fake.requests({ verb: 'watch' }).length === 2, { what: 'the informer to watch again' });
    fake.create(ingress('c'));
    await probe.waitForEvent('add default/c');
    assert.equal(fake.requests({ verb: 'list' }).length, 1);
    assert.deepEqual(probe.errors, []);
  });

  it('reports an abruptly dropped watch as an error, and resumes once restarted', async () => {
    const probe = await startProbe({}, true);
    assert.equal(fake.dropWatches(), 1);
    await waitFor(() => probe.errors.length === 1 && fake.openWatches() === 1, { what: 'the error and the restarted watch' });
    fake.create(ingress('c'));
    await probe.waitForEvent('add default/c');
    // start() after an error keeps the resourceVersion, so there is no second list.
    assert.equal(fake.requests({ verb: 'list' }).length, 1);
  });

  it('relists after a 410 Expired ERROR event and reports objects deleted meanwhile', async () => {
    const probe = await startProbe();
    const listsAtDelete = probe.listsSeenAtEach('delete', fake);
    fake.pauseWatches();
    fake.remove('ingresses', 'default', 'b');
    fake.create(ingress('c'));
    assert.equal(fake.expireWatches(), 1);
    await probe.waitForEvent('delete default/b');
    await probe.waitForEvent('add default/c');
    assert.deepEqual(listsAtDelete, [2], 'the delete came from the relist');
    assert.deepEqual(probe.cachedNames(), ['a', 'c']);
    assert.deepEqual(probe.errors, []);
  });

  for (const expiredWatchResponse of ['event', 'http'] as const) {
    it(`relists when it resumes from a compacted resourceVersion (410 as ${expiredWatchResponse === 'event' ? 'an ERROR event' : 'HTTP status'})`, async () => {
      const probe = await startProbe({ expiredWatchResponse });
      const listsAtDelete = probe.listsSeenAtEach('delete', fake);
      fake.pauseWatches();
      fake.remove('ingresses', 'default', 'a');
      fake.compactHistory();
      fake.endWatches();
      await probe.waitForEvent('delete default/a');
      assert.deepEqual(listsAtDelete, [2]);
      assert.equal(fake.requests({ verb: 'watch' })[1]?.code, expiredWatchResponse === 'http' ? 410 : 200);
      assert.deepEqual(probe.errors, []);
    });
  }

  it('sees a delete held by a finalizer as an update, and the delete once the finalizer is removed', async () => {
    const probe = await startProbe();
    fake.patch('ingresses', 'default', 'a', { metadata: { finalizers: ['ingress-bridge.io/cleanup'] } });
    await probe.waitForEvent('update default/a');
    const api = fake.kubeConfig().makeApiClient(NetworkingV1Api);
    await api.deleteNamespacedIngress({ name: 'a', namespace: 'default' });
    await waitFor(() => probe.events.filter((event) => event === 'update default/a').length === 2, { what: 'the deletion mark' });
    assert.ok(probe.informer.get('a', 'default')?.metadata?.deletionTimestamp, 'the cached object carries its deletionTimestamp');
    assert.ok(!probe.events.includes('delete default/a'));
    await api.patchNamespacedIngress({ name: 'a', namespace: 'default', body: [{ op: 'remove', path: '/metadata/finalizers/0' }] });
    await probe.waitForEvent('delete default/a');
    assert.equal(fake.get('ingresses', 'default', 'a'), undefined);
  });
});
