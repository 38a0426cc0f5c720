/**
 * Requests through KubeClient against the Kubernetes API fake: JSON in and out, query parameters,
 * the patch content types, and failures as a KubeApiError that carries the code and the Status.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { httpCodeOf, KubeApiError, KubeClient } from '../../src/sources/kube-http.js';
import { startKubeFake, type KubeFake } from '../../fakes/kube/index.js';

const SERVICE = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { ports: [{ port: 80 }] } };

describe('KubeClient', () => {
  let fake: KubeFake;
  let client: KubeClient;
  before(async () => {
    fake = await startKubeFake();
    client = new KubeClient(fake.connection());
  });
  after(async () => {
    client.close();
    await fake.close();
  });

  it('creates, reads, patches (merge and JSON patch, each with its content type) and lists with query parameters', async () => {
    const created = await client.create<typeof SERVICE & { metadata: { resourceVersion: string } }>('/api/v1/namespaces/default/services', SERVICE);
    assert.ok(created.metadata.resourceVersion);
    await client.patch('/api/v1/namespaces/default/services/web', 'merge', { metadata: { labels: { tier: 'front' } } });
    await client.patch('/api/v1/namespaces/default/services/web', 'json', [{ op: 'add', path: '/metadata/annotations', value: { a: 'b' } }]);
    const read = await client.get<{ metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } }>(
      '/api/v1/namespaces/default/services/web',
    );
    assert.deepEqual([read.metadata.labels, read.metadata.annotations], [{ tier: 'front' }, { a: 'b' }]);
    assert.deepEqual(
      fake.requests({ verb: 'patch', resource: 'services' }).map((request) => request.patchContentType),
      ['application/merge-patch+json', 'application/json-patch+json'],
    );
    const selected = await client.get<{ items: unknown[] }>('/api/v1/services', { query: { labelSelector: 'tier=back', limit: 10, continue: undefined } });
    assert.deepEqual(selected.items, []);
  });

  it('surfaces the API server’s Status: code, reason and message', async () => {
    fake.failNext({ verb: 'get', resource: 'services' }, 409, { message: 'the object has been modified; please apply your changes to the latest version' });
    await assert.rejects(client.get('/api/v1/namespaces/default/services/web'), (error: unknown) => {
      assert.ok(error instanceof KubeApiError);
      assert.equal(error.code, 409);
      assert.equal(error.reason, 'Conflict');
      assert.equal(httpCodeOf(error), 409);
      assert.match(error.message, /^GET \/api\/v1\/namespaces\/default\/services\/web: HTTP 409 Conflict: the object has been modified/);
      return true;
    });
    await assert.rejects(client.get('/api/v1/namespaces/default/services/missing'), (error: unknown) => {
      assert.ok(error instanceof KubeApiError);
      assert.deepEqual([error.code, error.reason], [404, 'NotFound']);
      assert.match(error.message, /services "missing" not found/);
      return true;
    });
  });

  it('gives up on an answer that does not come within the timeout, and stops when aborted', async () => {
    const silent = createServer(() => undefined);
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const { port } = silent.address() as AddressInfo;
    const slow = new KubeClient({ server: `http://127.0.0.1:${port}`, credentials: () => Promise.resolve({}) }, { timeoutMs: 100 });
    try {
      await assert.rejects(
        slow.get('/api/v1/nodes'),
        (error: unknown) => error instanceof Error && error.name === 'TimeoutError' && /no answer within 100 ms/.test(error.message),
      );
      const aborter = new AbortController();
      const pending = slow.get('/api/v1/nodes', { signal: aborter.signal, timeoutMs: 60_000 });
      aborter.abort();
      await assert.rejects(pending, (error: unknown) => error instanceof Error && error.name === 'AbortError');
    } finally {
      slow.close();
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('names the request when the connection fails', async () => {
    const nowhere = new KubeClient({ server: 'http://127.0.0.1:1', credentials: () => Promise.resolve({}) });
    await assert.rejects(nowhere.get('/api/v1/nodes'), /GET \/api\/v1\/nodes: connect ECONNREFUSED/);
    nowhere.close();
  });
});
