/**
 * The list+watch loop against the Kubernetes API fake: relists on 410 (an HTTP answer or an ERROR
 * event) without calling it a failure, resumes from a bookmark's resourceVersion, restarts a failed
 * watch with backoff, re-opens a watch the server ended, and stops mid-list.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { KubeClient } from '../../src/sources/kube-http.js';
import { ResilientInformer, type InformerList } from '../../src/sources/kube-informer.js';
import { startKubeFake, waitFor, type KubeFake, type KubeObject } from '../../fakes/kube/index.js';

type Service = KubeObject;

const PATH = '/api/v1/services';
const service = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default' },
  spec: { ports: [{ port: 80 }] },
});

interface Running {
  informer: ResilientInformer<Service>;
  names: () => string[];
  seen: string[];
  failures: unknown[];
  lists: () => number;
  watches: () => number;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fakeWith(options: Parameters<typeof startKubeFake>[0] = {}): Promise<KubeFake> {
  const fake = await startKubeFake(options);
  cleanups.push(() => fake.close());
  return fake;
}

function informerOn(fake: KubeFake, list?: (signal: AbortSignal) => Promise<InformerList<Service>>): Running {
  const client = new KubeClient(fake.connection());
  const cache = new Map<string, Service>();
  const seen: string[] = [];
  const failures: unknown[] = [];
  const informer = new ResilientInformer<Service>({
    client,
    watchPath: () => PATH,
    list:
      list ??
      (async (signal) => {
        const answer = await client.get<{ metadata: { resourceVersion: string }; items: Service[] }>(PATH, { signal });
        return { resourceVersion: answer.metadata.resourceVersion, items: answer.items };
      }),
    prepare: (object) => object as Service,
    handlers: {
      add: (object) => {
        cache.set(object.metadata.name ?? '', object);
        seen.push(`add ${object.metadata.name ?? ''}`);
      },
      update: (object) => {
        cache.set(object.metadata.name ?? '', object);
        seen.push(`update ${object.metadata.name ?? ''}`);
      },
      delete: (object) => {
        cache.delete(object.metadata.name ?? '');
        seen.push(`delete ${object.metadata.name ?? ''}`);
      },
    },
    onError: (error) => failures.push(error),
    onSynced: () => undefined,
    backoff: { initialMs: 20, maxMs: 100 },
  });
  cleanups.push(async () => {
    await informer.stop();
    client.close();
  });
  return {
    informer,
    names: () => [...cache.keys()].sort(),
    seen,
    failures,
    lists: () => fake.requests({ verb: 'list', resource: 'services' }).length,
    watches: () => fake.requests({ verb: 'watch', resource: 'services' }).length,
  };
}

describe('ResilientInformer', () => {
  it('relists on a 410 ERROR event, reports what vanished meanwhile as deleted, and calls none of it a failure', async () => {
    const fake = await fakeWith();
    fake.create(service('a'));
    fake.create(service('b'));
    const run = informerOn(fake);
    await run.informer.start();
    assert.equal(run.informer.synced(), true);
    fake.pauseWatches();
    fake.remove('services', 'default', 'a');
    fake.create(service('c'));
    fake.expireWatches();
    await waitFor(() => run.names().join() === 'b,c', { what: 'the cache to hold b,c' });
    assert.equal(run.lists(), 2);
    assert.ok(run.seen.includes('delete a'));
    assert.deepEqual(run.failures, []);
  });

  it('relists when the watch is answered HTTP 410', async () => {
    const fake = await fakeWith({ expiredWatchResponse: 'http' });
    fake.create(service('a'));
    const run = informerOn(fake);
    await run.informer.start();
    fake.dropWatches();
    fake.remove('services', 'default', 'a');
    fake.compactHistory();
    await waitFor(() => run.names().length === 0, { what: 'the cache to be empty' });
    assert.ok(fake.requests({ verb: 'watch', resource: 'services' }).some((request) => request.code === 410));
    assert.equal(run.lists(), 2);
    assert.ok(run.seen.includes('delete a'));
    // The drop was a failure (it restarts with backoff); the 410 that followed was not.
    assert.equal(run.failures.length, 1);
  });

  it('resumes from a bookmark: after one, a compacted history costs no relist', async () => {
    const fake = await fakeWith({ bookmarkIntervalMs: 30 });
    fake.create(service('a'));
    const run = informerOn(fake);
    await run.informer.start();
    // Other kinds move the one resourceVersion on; the bookmarks carry it to the informer.
    for (let index = 0; index < 3; index++) fake.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${index}` } });
    const latest = fake.resourceVersion;
    await new Promise((resolve) => setTimeout(resolve, 150));
    fake.compactHistory('services');
    fake.endWatches();
    fake.create(service('b'));
    await waitFor(() => run.names().join() === 'a,b', { what: 'the cache to hold a,b' });
    assert.equal(run.lists(), 1, `listed again: the watch did not resume from the bookmark's ${latest}`);
  });

  it('restarts a dropped or refused watch with backoff, reports each failure, and resumes without a relist', async () => {
    const fake = await fakeWith();
    const run = informerOn(fake);
    await run.informer.start();
    fake.failNext({ verb: 'watch', resource: 'services' }, 500, { times: 2 });
    fake.dropWatches();
    fake.create(service('later'));
    await waitFor(() => run.names().join() === 'later', { what: 'the cache to hold later' });
    assert.equal(run.failures.length, 3, 'the drop and two refused watches');
    assert.equal(run.lists(), 1, 'resumed from the resourceVersion, no relist');
  });

  it('opens a watch the server ended cleanly again, without a list and without a failure', async () => {
    const fake = await fakeWith();
    const run = informerOn(fake);
    await run.informer.start();
    fake.create(service('a'));
    await waitFor(() => run.names().join() === 'a', { what: 'the cache to hold a' });
    fake.endWatches();
    fake.create(service('b'));
    await waitFor(() => run.names().join() === 'a,b', { what: 'the cache to hold a,b' });
    assert.equal(run.lists(), 1);
    assert.equal(run.watches(), 2);
    assert.deepEqual(run.failures, []);
  });

  it('stops mid-list: the list is aborted and nothing is retried', async () => {
    const fake = await fakeWith();
    let aborted = false;
    const run = informerOn(
      fake,
      (signal) =>
        new Promise((_, reject) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
          });
        }),
    );
    const started = run.informer.start();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await run.informer.stop();
    await started;
    assert.equal(aborted, true);
    assert.equal(run.informer.synced(), false);
    assert.deepEqual(run.failures, []);
    assert.equal(run.watches(), 0);
  });
});
