/**
 * ReferenceGrant is v1 from Gateway API v1.5 on and v1beta1 before: the kube source reads it at v1
 * where the cluster serves that, and otherwise at v1beta1, decided by the first list's 404 and
 * reported once; the watch follows the version the list settled on.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeSource, type SourceFailure } from '../../src/sources/kube.js';
import { Snapshot } from '../../src/sources/snapshot.js';
import { KubeClient } from '../../src/sources/kube-http.js';
import { startKubeFake, waitFor, type KubeFake, type KubeObject } from '../../fakes/kube/index.js';

const grant = (name: string): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1beta1',
  kind: 'ReferenceGrant',
  metadata: { name, namespace: 'backends' },
  spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'default' }], to: [{ group: '', kind: 'Service' }] },
});

describe('KubeSource reads ReferenceGrant at the version the cluster serves', () => {
  let fake: KubeFake | undefined;
  let source: KubeSource | undefined;
  afterEach(async () => {
    await source?.stop();
    await fake?.close();
    source = undefined;
    fake = undefined;
  });

  /** Starts a source on a fake that serves ReferenceGrant at the given versions, with one grant; returns its failures. */
  async function start(unservedVersions: string[]): Promise<{ kube: KubeFake; snapshot: Snapshot; failures: SourceFailure[] }> {
    const kube = await startKubeFake({ unservedVersions });
    fake = kube;
    kube.create(grant('first'));
    const failures: SourceFailure[] = [];
    const snapshot = new Snapshot();
    source = new KubeSource({
      client: new KubeClient(kube.connection()),
      snapshot,
      restartBackoff: { initialMs: 20, maxMs: 40 },
      onError: (failure) => failures.push(failure),
    });
    await source.start();
    await source.whenSynced();
    return { kube, snapshot, failures };
  }
  const grantPaths = (kube: KubeFake, verb: 'list' | 'watch'): string[] =>
    kube
      .requests()
      .filter((record) => record.path.endsWith('/referencegrants') && (record.resource === '' || record.verb === verb))
      .map((record) => `${record.code} ${record.path}`);

  it('reads v1 where the cluster serves it (Gateway API v1.5 and later), with nothing reported', async () => {
    const { kube, snapshot, failures } = await start([]);
    assert.deepEqual(
      snapshot.referenceGrants().map((entry) => [entry.metadata?.name, entry.apiVersion]),
      [['first', 'gateway.networking.k8s.io/v1']],
    );
    kube.create(grant('second'));
    await waitFor(() => snapshot.referenceGrants().length === 2, { what: 'the watched grant' });
    assert.deepEqual(grantPaths(kube, 'list'), ['200 /apis/gateway.networking.k8s.io/v1/referencegrants']);
    assert.deepEqual(grantPaths(kube, 'watch'), ['200 /apis/gateway.networking.k8s.io/v1/referencegrants']);
    assert.deepEqual(failures, []);
  });

  it('falls back to v1beta1 on the 404 of v1 (Gateway API before v1.5), reports it once, and watches there', async () => {
    const { kube, snapshot, failures } = await start(['gateway.networking.k8s.io/v1/referencegrants']);
    assert.deepEqual(
      snapshot.referenceGrants().map((entry) => [entry.metadata?.name, entry.apiVersion]),
      [['first', 'gateway.networking.k8s.io/v1beta1']],
    );
    kube.create(grant('second'));
    await waitFor(() => snapshot.referenceGrants().length === 2, { what: 'the watched grant' });
    // Watches restarted: the settled version is kept, and the fallback is not reported again.
    kube.dropWatches('referencegrants');
    await sleep(200);
    kube.create(grant('third'));
    await waitFor(() => snapshot.referenceGrants().length === 3, { what: 'the grant after the restart' });
    const paths = kube.requests().filter((record) => record.path.endsWith('/referencegrants'));
    assert.deepEqual(
      paths.filter((record) => record.path.includes('/v1/')).map((record) => record.code),
      [404],
      'v1 is tried once, by the first list',
    );
    assert.ok(paths.some((record) => record.verb === 'watch' && record.path === '/apis/gateway.networking.k8s.io/v1beta1/referencegrants'));
    // The dropped watch is an informer failure of its own; the version is reported once.
    assert.deepEqual(
      failures.filter((failure) => failure.phase !== 'informer').map((failure) => [failure.kind, failure.phase]),
      [['ReferenceGrant', 'older-version']],
    );
    assert.match((failures[0]?.error as Error).message, /read at gateway\.networking\.k8s\.io\/v1beta1/);
  });

  it('reports ReferenceGrant missing once when neither version is served', async () => {
    const { snapshot, failures } = await start(['gateway.networking.k8s.io/v1/referencegrants', 'gateway.networking.k8s.io/v1beta1/referencegrants']);
    await sleep(200);
    assert.deepEqual(snapshot.referenceGrants(), []);
    assert.deepEqual(
      failures.map((failure) => [failure.kind, failure.phase]),
      [['ReferenceGrant', 'missing-api']],
    );
  });
});
