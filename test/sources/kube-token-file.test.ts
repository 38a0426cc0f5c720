/**
 * A token file that something else rotates (the kubelet's projected service account token): read
 * again at most once per period, at once after a 401, and an unreadable moment keeps the last token.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadKubeConnection } from '../../src/sources/kube-config.js';
import { KubeClient } from '../../src/sources/kube-http.js';
import { TokenFile } from '../../src/sources/kube-token-file.js';
import { startKubeFake, type KubeFake } from '../../fakes/kube/index.js';

/** Replaces the file in one rename, as the kubelet does. */
function rotate(path: string, token: string): void {
  writeFileSync(`${path}.new`, token);
  renameSync(`${path}.new`, path);
}

describe('TokenFile', () => {
  it('reads the file again once the period has passed, not before', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'token-file-')), 'token');
    rotate(path, 'first\n');
    let now = 0;
    const file = new TokenFile(path, { rereadMs: 60_000, now: () => now });
    assert.equal(await file.current(), 'first');
    rotate(path, 'second');
    now = 59_999;
    assert.equal(await file.current(), 'first');
    now = 60_000;
    assert.equal(await file.current(), 'second');
  });

  it('reads it at once when asked to refresh (after a 401)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'token-file-')), 'token');
    rotate(path, 'first');
    const file = new TokenFile(path, { now: () => 0 });
    await file.current();
    rotate(path, 'second');
    assert.equal(await file.current(), 'first');
    assert.equal(await file.current(true), 'second');
  });

  it('keeps the last token when the file cannot be read, and says which file when none was ever read', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'token-file-')), 'token');
    rotate(path, 'first');
    const file = new TokenFile(path);
    await file.current();
    rmSync(path);
    assert.equal(await file.current(true), 'first');
    await assert.rejects(new TokenFile(path).current(), new RegExp(`cannot read the token file ${path}`));
    rotate(path, '  ');
    await assert.rejects(new TokenFile(path).current(), /the file is empty/);
  });
});

describe('the in-cluster service account token, rotated', () => {
  let fake: KubeFake;
  const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT, kubeconfig: process.env.KUBECONFIG };
  before(async () => {
    fake = await startKubeFake();
  });
  after(async () => {
    await fake.close();
    for (const [name, value] of [
      ['KUBERNETES_SERVICE_HOST', saved.host],
      ['KUBERNETES_SERVICE_PORT', saved.port],
      ['KUBECONFIG', saved.kubeconfig],
    ] as const) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
  });

  it('a request refused with 401 reads the token file again and succeeds with the rotated token', async () => {
    const prefix = mkdtempSync(join(tmpdir(), 'pod-'));
    const accountDir = join(prefix, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(accountDir, { recursive: true });
    rotate(join(accountDir, 'token'), 'kube-fake-token');
    writeFileSync(join(accountDir, 'ca.crt'), 'unused over http');
    Reflect.deleteProperty(process.env, 'KUBECONFIG');
    process.env.KUBERNETES_SERVICE_HOST = '127.0.0.1';
    process.env.KUBERNETES_SERVICE_PORT = new URL(fake.url).port;
    const inCluster = loadKubeConnection({}, { serviceAccountPrefix: prefix });
    // The fake speaks plain http; everything else about the connection is the in-cluster one.
    const client = new KubeClient({ ...inCluster, server: inCluster.server.replace('https:', 'http:') });
    await client.get('/api/v1/namespaces');

    // The kubelet rotates the token and the API server stops accepting the old one.
    rotate(join(accountDir, 'token'), 'rotated-token');
    await fake.close();
    fake = await startKubeFake({ token: 'rotated-token' });
    const rotated = new KubeClient({ ...inCluster, server: fake.url });
    fake.clearRequests();
    await rotated.get('/api/v1/namespaces');
    assert.deepEqual(
      fake.requests({ resource: 'namespaces' }).map((request) => request.code),
      [401, 200],
    );
    client.close();
    rotated.close();
  });
});
