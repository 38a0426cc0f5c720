/**
 * The Kubernetes API fake's own rules over raw HTTP (list shape, pagination, watch filtering,
 * timeouts, bookmarks, compaction, error statuses) and its pure selector and patch functions.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { startKubeFake, type KubeFake, type KubeFakeOptions, type KubeObject } from '../../../fakes/kube/index.js';
import { applyJsonPatch, applyMergePatch } from '../../../fakes/kube/patch.js';
import { matchesSelectors, parseFieldSelector, parseLabelSelector } from '../../../fakes/kube/selectors.js';

const INGRESSES = '/apis/networking.k8s.io/v1/namespaces/default/ingresses';

function ingress(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: 'default', labels }, spec: {} };
}

interface WatchLine {
  type: string;
  object: { kind?: string; code?: number; reason?: string; metadata?: { name?: string; resourceVersion?: string } };
}

describe('Kubernetes API fake over raw HTTP', { timeout: 20_000 }, () => {
  let fake: KubeFake;

  async function start(options: KubeFakeOptions = {}): Promise<KubeFake> {
    fake = await startKubeFake(options);
    return fake;
  }

  function call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Response> {
    return fetch(fake.url + path, {
      method,
      headers: { authorization: 'Bearer kube-fake-token', 'content-type': contentType },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  /** Reads watch lines until `count` arrived or the server ended the stream; `during` runs once the stream is open. */
  async function watch(query: string, count: number, during: () => void = () => undefined): Promise<{ lines: WatchLine[]; ended: boolean }> {
    const controller = new AbortController();
    const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(5000)]);
    const response = await fetch(`${fake.url}${INGRESSES}?watch=true&${query}`, { headers: { authorization: 'Bearer kube-fake-token' }, signal });
    assert.equal(response.status, 200);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    during();
    const lines: WatchLine[] = [];
    let buffered = '';
    while (lines.length < count) {
      const chunk = await reader.read();
      if (chunk.done) return { lines, ended: true };
      buffered += chunk.value;
      const complete = buffered.split('\n');
      buffered = complete.pop() ?? '';
      lines.push(...complete.map((line) => JSON.parse(line) as WatchLine));
    }
    controller.abort();
    return { lines, ended: false };
  }

  afterEach(async () => {
    await fake.close();
  });

  it('lists without kind and apiVersion on items, at the current resourceVersion', async () => {
    await start();
    fake.create(ingress('web'));
    const list = (await (await call('GET', INGRESSES)).json()) as {
      kind: string;
      apiVersion: string;
      metadata: { resourceVersion: string };
      items: KubeObject[];
    };
    assert.equal(list.kind, 'IngressList');
    assert.equal(list.apiVersion, 'networking.k8s.io/v1');
    assert.equal(list.metadata.resourceVersion, fake.resourceVersion);
    assert.deepEqual(
      list.items.map((item) => [item.kind, item.apiVersion, item.metadata.name]),
      [[undefined, undefined, 'web']],
    );
    const single = (await (await call('GET', `${INGRESSES}/web`)).json()) as KubeObject;
    assert.equal(single.kind, 'Ingress');
  });

  it('pages a list with limit and continue', async () => {
    await start();
    for (const name of ['a', 'b', 'c']) fake.create(ingress(name));
    const first = (await (await call('GET', `${INGRESSES}?limit=2`)).json()) as {
      metadata: { continue?: string; remainingItemCount?: number };
      items: KubeObject[];
    };
    assert.deepEqual(
      first.items.map((item) => item.metadata.name),
      ['a', 'b'],
    );
    assert.equal(first.metadata.remainingItemCount, 1);
    const second = (await (await call('GET', `${INGRESSES}?limit=2&continue=${first.metadata.continue}`)).json()) as {
      metadata: { continue?: string };
      items: KubeObject[];
    };
    assert.deepEqual(
      second.items.map((item) => item.metadata.name),
      ['c'],
    );
    assert.equal(second.metadata.continue, undefined);
  });

  it('starts a watch without resourceVersion with ADDED events, and reports objects leaving or entering a label selector', async () => {
    await start();
    fake.create(ingress('in', { tier: 'web' }));
    fake.create(ingress('out', { tier: 'db' }));
    const { lines } = await watch('labelSelector=tier%3Dweb', 3, () => {
      fake.patch('ingresses', 'default', 'in', { metadata: { labels: { tier: 'db' } } });
      fake.patch('ingresses', 'default', 'out', { metadata: { labels: { tier: 'web' } } });
    });
    assert.deepEqual(
      lines.map((line) => `${line.type} ${line.object.metadata?.name}`),
      ['ADDED in', 'DELETED in', 'ADDED out'],
    );
  });

  it('replays changes after a resourceVersion, and expires one older than the history kept', async () => {
    await start({ historyLimit: 2 });
    const [first, second] = ['a', 'b', 'c', 'd'].map((name) => fake.create(ingress(name)));
    // Only the changes that made c and d are kept: a watcher at a's version would miss b.
    const expired = await watch(`resourceVersion=${first?.metadata.resourceVersion}`, 2);
    assert.equal(expired.ended, true);
    assert.deepEqual(
      expired.lines.map((line) => [line.type, line.object.code, line.object.reason]),
      [['ERROR', 410, 'Expired']],
    );
    const replayed = await watch(`resourceVersion=${second?.metadata.resourceVersion}`, 2);
    assert.deepEqual(
      replayed.lines.map((line) => `${line.type} ${line.object.metadata?.name}`),
      ['ADDED c', 'ADDED d'],
    );
  });

  it('sends bookmarks when allowed, and ends the stream after timeoutSeconds', async () => {
    await start({ bookmarkIntervalMs: 50 });
    const { lines, ended } = await watch(`resourceVersion=${fake.resourceVersion}&allowWatchBookmarks=true&timeoutSeconds=1`, 1000);
    assert.equal(ended, true);
    assert.ok(lines.length >= 5, `expected several bookmarks in one second, got ${lines.length}`);
    assert.deepEqual(
      new Set(lines.map((line) => `${line.type} ${line.object.kind} ${line.object.metadata?.resourceVersion}`)),
      new Set([`BOOKMARK Ingress ${fake.resourceVersion}`]),
    );
  });

  it('answers malformed requests with the status codes the API server uses', async () => {
    await start();
    fake.create(ingress('web'));
    const statusOf = async (response: Promise<Response>): Promise<[number, string]> => {
      const settled = await response;
      return [settled.status, ((await settled.json()) as { reason: string }).reason];
    };
    assert.deepEqual(await statusOf(call('GET', '/apis/networking.k8s.io/v1/namespaces/default/widgets')), [404, 'NotFound']);
    assert.deepEqual(await statusOf(call('POST', '/apis/networking.k8s.io/v1/ingresses', ingress('x'))), [405, 'MethodNotAllowed']);
    assert.deepEqual(await statusOf(call('PATCH', `${INGRESSES}/web`, {}, 'application/apply-patch+yaml')), [415, 'UnsupportedMediaType']);
    assert.deepEqual(await statusOf(call('POST', '/apis/networking.k8s.io/v1/namespaces/other/ingresses', ingress('x'))), [400, 'BadRequest']);
    assert.deepEqual(await statusOf(call('POST', INGRESSES, ingress('Not_A_Name'))), [422, 'Invalid']);
    assert.deepEqual(await statusOf(call('POST', INGRESSES, ingress('web'))), [409, 'AlreadyExists']);
    assert.deepEqual(await statusOf(call('GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/web/status')), [404, 'NotFound']);
    const deleted = await call('DELETE', `${INGRESSES}/web`, { preconditions: { resourceVersion: '1' } });
    assert.equal(deleted.status, 200);
    assert.equal(((await deleted.json()) as { status: string }).status, 'Success');
  });

  it('serves cluster-scoped resources and the status subresource of Nodes', async () => {
    await start();
    const created = await call('POST', '/apis/networking.k8s.io/v1/ingressclasses', {
      metadata: { name: 'ingress-bridge', namespace: 'ignored' },
      spec: { controller: 'ingress-bridge.io/controller' },
    });
    assert.equal(created.status, 201);
    assert.equal(fake.get('IngressClass', undefined, 'ingress-bridge')?.metadata.namespace, undefined);
    fake.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' }, spec: {} });
    const ready = { status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] } };
    assert.equal((await call('PATCH', '/api/v1/nodes/node-1/status', ready, 'application/strategic-merge-patch+json')).status, 200);
    assert.deepEqual(fake.get('nodes', undefined, 'node-1')?.status, ready.status);
  });
});

describe('Kubernetes API fake selectors and patches', () => {
  it('parses and matches label selectors with equality, sets and existence', () => {
    const object: KubeObject = { metadata: { name: 'x', labels: { app: 'web', tier: 'front' } } };
    const matches = (selector: string): boolean => matchesSelectors(object, { labels: parseLabelSelector(selector), fields: [] });
    assert.equal(matches('app=web,tier'), true);
    assert.equal(matches('app==web,!missing'), true);
    assert.equal(matches('app in (api, web),tier notin (back)'), true);
    assert.equal(matches('app!=web'), false);
    assert.equal(matches('missing!=x'), true);
    assert.equal(matches('tier,missing'), false);
    assert.throws(() => parseLabelSelector('app=(web'), /invalid label selector/);
  });

  it('matches field selectors on dotted paths', () => {
    const secret: KubeObject = { metadata: { name: 'tls', namespace: 'a' }, type: 'kubernetes.io/tls' };
    const matches = (selector: string): boolean => matchesSelectors(secret, { labels: [], fields: parseFieldSelector(selector) });
    assert.equal(matches('metadata.namespace=a,type=kubernetes.io/tls'), true);
    assert.equal(matches('metadata.name!=tls'), false);
  });

  it('applies merge patches (null removes, lists replace) and JSON patches (move, copy, replace, test)', () => {
    assert.deepEqual(applyMergePatch({ a: { b: 1, c: 2 }, list: [1, 2] }, { a: { b: null, d: 3 }, list: [3] }), { a: { c: 2, d: 3 }, list: [3] });
    const patched = applyJsonPatch({ a: [1, 2], b: { c: 'x' } }, [
      { op: 'move', from: '/b/c', path: '/moved' },
      { op: 'copy', from: '/a/1', path: '/a/0' },
      { op: 'replace', path: '/a/2', value: 9 },
      { op: 'test', path: '/moved', value: 'x' },
    ]);
    assert.deepEqual(patched, { a: [2, 1, 9], b: {}, moved: 'x' });
    assert.throws(() => applyJsonPatch({}, [{ op: 'remove', path: '/absent' }]), /does not exist/);
  });
});
