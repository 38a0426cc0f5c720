import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { KubeSource, type KubeSourceOptions, type SourceFailure } from '../../src/sources/kube.js';
import { parseManifestFile } from '../../src/sources/manifests.js';
import { Snapshot, WATCHED_KINDS, type WatchedKind } from '../../src/sources/snapshot.js';
import type { SourceChange } from '../../src/sources/source-change.js';
import { translateAll } from '../../src/translate/index.js';
import { KubeClient } from '../../src/sources/kube-http.js';
import { INGRESS_CLASS_YAML, ingressYaml, NODE_YAML, serviceYaml, snapshotFromYaml, testOptions } from '../support/cluster.js';
import { startKubeFake, type KubeFake, type KubeObject } from '../../fakes/kube/index.js';

const FAST_BACKOFF = { initialMs: 40, maxMs: 320 };

interface Running {
  fake: KubeFake;
  source: KubeSource;
  snapshot: Snapshot;
  changes: SourceChange[];
  failures: SourceFailure[];
}

const running: Running[] = [];

afterEach(async () => {
  for (const each of running.splice(0)) {
    await each.source.stop();
    await each.fake.close();
  }
});

/** The fake with `objects` already stored, and a source on it (started unless told otherwise). */
async function run(objects: KubeObject[], options: Partial<KubeSourceOptions> & { start?: boolean; fake?: KubeFake } = {}): Promise<Running> {
  const fake = options.fake ?? (await startKubeFake());
  for (const object of objects) fake.create(object);
  const snapshot = new Snapshot();
  const changes: SourceChange[] = [];
  const failures: SourceFailure[] = [];
  const source = new KubeSource({
    client: new KubeClient(fake.connection()),
    snapshot,
    restartBackoff: FAST_BACKOFF,
    onChange: (change) => changes.push(change),
    onError: (failure) => failures.push(failure),
    ...options,
  });
  const handle = { fake, source, snapshot, changes, failures };
  running.push(handle);
  if (options.start !== false) await source.start();
  return handle;
}

function objectsFromYaml(yaml: string): KubeObject[] {
  return parseManifestFile(yaml, 'fixture.yaml').objects.map((parsed) => parsed.object as unknown as KubeObject);
}

const secret = (name: string, type: string, namespace = 'default'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  type,
  metadata: { name, namespace },
  data: { 'tls.crt': 'Y2VydA==', 'tls.key': 'a2V5' },
});
const service = (name: string, namespace = 'default'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace },
  spec: { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }] },
});

const RESOURCES: Record<WatchedKind, string> = {
  Ingress: 'ingresses',
  IngressClass: 'ingressclasses',
  IngressClassParams: 'ingressclassparams',
  Namespace: 'namespaces',
  Service: 'services',
  EndpointSlice: 'endpointslices',
  Node: 'nodes',
  Secret: 'secrets',
  Pod: 'pods',
  GatewayClass: 'gatewayclasses',
  Gateway: 'gateways',
  HTTPRoute: 'httproutes',
  GRPCRoute: 'grpcroutes',
  ReferenceGrant: 'referencegrants',
};

/** `namespace/name@resourceVersion` of every object, per kind. */
function inventory(objects: readonly { metadata?: { namespace?: string; name?: string; resourceVersion?: string } }[]): string[] {
  return objects.map(({ metadata }) => `${metadata?.namespace ?? ''}/${metadata?.name}@${metadata?.resourceVersion}`).sort();
}

function assertSnapshotMatchesStore({ fake, snapshot }: Running): void {
  for (const kind of WATCHED_KINDS) {
    const stored = fake.list(RESOURCES[kind]).filter((object) => kind !== 'Secret' || object.type === 'kubernetes.io/tls');
    assert.deepEqual(inventory(snapshot.list(kind)), inventory(stored), `${kind} in the Snapshot`);
  }
}

async function eventually(check: () => void, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

const FIXTURE_YAML = INGRESS_CLASS_YAML + serviceYaml({ name: 'web-svc' }) + NODE_YAML;
const webIngress = (name: string): KubeObject[] =>
  objectsFromYaml(ingressYaml({ name, rules: [{ host: `${name}.example.com`, paths: [{ path: '/', pathType: 'Prefix', service: 'web-svc' }] }] }));

describe('KubeSource: filling the Snapshot', () => {
  it('holds objects created before start (listed) and after (watched), in the wire shape, trimmed', async () => {
    const withManagedFields = webIngress('before').map((object) => ({
      ...object,
      metadata: { ...object.metadata, managedFields: [{ manager: 'kubectl', operation: 'Update' }] },
    }));
    const handle = await run([...objectsFromYaml(FIXTURE_YAML), ...withManagedFields]);
    assert.equal(handle.source.synced(), true);
    for (const object of webIngress('after')) handle.fake.create(object);
    await eventually(() => assert.ok(handle.snapshot.ingress('default', 'after')));

    for (const name of ['before', 'after']) {
      const stored = structuredClone(handle.fake.get('ingresses', 'default', name) as KubeObject);
      delete stored.metadata.managedFields;
      assert.deepEqual(handle.snapshot.ingress('default', name), stored, `${name}: the same JSON as the API server's`);
      assert.equal(typeof handle.snapshot.ingress('default', name)?.metadata?.creationTimestamp, 'string');
    }
    assert.deepEqual(
      handle.changes.filter((change) => change.kind === 'Ingress').map((change) => [change.type, change.object.metadata?.name]),
      [
        ['add', 'before'],
        ['add', 'after'],
      ],
    );
  });

  it('lists in pages and keeps every page', async () => {
    const names = ['p1', 'p2', 'p3', 'p4', 'p5'];
    const handle = await run(names.flatMap(webIngress), { listPageSize: 2 });
    assert.deepEqual(
      handle.snapshot
        .ingresses()
        .map((object) => object.metadata?.name)
        .sort(),
      names,
    );
    assert.equal(handle.fake.requests({ verb: 'list', resource: 'ingresses' }).length, 3);
  });

  it('gives translate the same input as the manifest source does', async () => {
    const yaml = FIXTURE_YAML + ingressYaml({ name: 'web', rules: [{ paths: [{ path: '/', pathType: 'Prefix', service: 'web-svc' }] }] });
    const handle = await run(objectsFromYaml(yaml));
    const fromCluster = translateAll(handle.snapshot, testOptions()).results.map((result) => result.spec);
    const fromManifests = translateAll(snapshotFromYaml(yaml), testOptions()).results.map((result) => result.spec);
    assert.ok(fromCluster[0]?.targetGroups[0]?.targets.length, 'the Node became a target');
    assert.deepEqual(fromCluster, fromManifests);
  });

  it('reports updates with the previous object, and deletes', async () => {
    const handle = await run(objectsFromYaml(FIXTURE_YAML));
    const before = handle.snapshot.service('default', 'web-svc');
    handle.fake.patch('services', 'default', 'web-svc', { metadata: { labels: { tier: 'web' } } });
    handle.fake.remove('services', 'default', 'web-svc');
    await eventually(() => assert.equal(handle.snapshot.service('default', 'web-svc'), undefined));
    const serviceChanges = handle.changes.filter((change) => change.kind === 'Service');
    assert.deepEqual(
      serviceChanges.map((change) => change.type),
      ['add', 'update', 'delete'],
    );
    assert.equal(serviceChanges[1]?.previous, before);
    assert.deepEqual(serviceChanges[1]?.object.metadata?.labels, { tier: 'web' });
  });

  it('never receives a Secret of another type than kubernetes.io/tls', async () => {
    const handle = await run([secret('listed-tls', 'kubernetes.io/tls'), secret('listed-opaque', 'Opaque')]);
    handle.fake.create(secret('watched-opaque', 'Opaque'));
    handle.fake.create(secret('watched-tls', 'kubernetes.io/tls'));
    await eventually(() => assert.ok(handle.snapshot.secret('default', 'watched-tls')));
    assert.deepEqual(
      handle.snapshot
        .list('Secret')
        .map((object) => object.metadata?.name)
        .sort(),
      ['listed-tls', 'watched-tls'],
    );
  });

  it('limits namespaced kinds to watchNamespace and still watches Nodes and IngressClasses', async () => {
    const objects = [
      ...objectsFromYaml(INGRESS_CLASS_YAML + NODE_YAML),
      service('mine', 'team-a'),
      service('theirs', 'team-b'),
      secret('tls', 'kubernetes.io/tls', 'team-b'),
    ];
    const handle = await run(objects, { watchNamespace: 'team-a' });
    handle.fake.create(service('later', 'team-b'));
    handle.fake.create(service('later', 'team-a'));
    await eventually(() => assert.ok(handle.snapshot.service('team-a', 'later')));
    assert.deepEqual(
      inventory(handle.snapshot.list('Service')).map((entry) => entry.split('@')[0]),
      ['team-a/later', 'team-a/mine'],
    );
    assert.deepEqual(handle.snapshot.list('Secret'), []);
    assert.equal(handle.snapshot.nodes().length, 1);
    assert.equal(handle.snapshot.ingressClasses().length, 1);
  });
});

describe('KubeSource: watch failures', () => {
  it('misses no change while a dropped watch reconnects', async () => {
    const handle = await run([...objectsFromYaml(FIXTURE_YAML), ...webIngress('a'), ...webIngress('b')]);
    assert.ok(handle.fake.dropWatches() >= WATCHED_KINDS.length);
    for (const object of webIngress('c')) handle.fake.create(object);
    handle.fake.remove('ingresses', 'default', 'a');
    handle.fake.patch('nodes', undefined, 'node-a', { metadata: { labels: { zone: 'b' } } });
    await eventually(() => assertSnapshotMatchesStore(handle));
  });

  it('relists after 410 Gone and reports objects deleted meanwhile', async () => {
    const handle = await run([...objectsFromYaml(FIXTURE_YAML), ...webIngress('a'), ...webIngress('b')]);
    handle.fake.dropWatches();
    handle.fake.remove('ingresses', 'default', 'a');
    for (const object of webIngress('c')) handle.fake.create(object);
    handle.fake.compactHistory();
    await eventually(() => assertSnapshotMatchesStore(handle));
    assert.ok(handle.changes.some((change) => change.kind === 'Ingress' && change.type === 'delete' && change.object.metadata?.name === 'a'));

    handle.fake.expireWatches();
    handle.fake.remove('ingresses', 'default', 'b');
    await eventually(() => assertSnapshotMatchesStore(handle));
    assert.deepEqual(handle.fake.requests({ verb: 'list', resource: 'ingresses' }).length >= 2, true, 'the informer listed again');
  });

  it('restarts an informer whose watch fails with 500, backing off', async () => {
    const fake = await startKubeFake();
    fake.failNext({ verb: 'watch', resource: 'ingresses' }, 500, { times: 3 });
    const handle = await run(objectsFromYaml(FIXTURE_YAML), { fake });
    for (const object of webIngress('later')) fake.create(object);
    await eventually(() => assert.ok(handle.snapshot.ingress('default', 'later')));
    const restarts = handle.failures.filter((failure) => failure.kind === 'Ingress' && failure.phase === 'informer').map((failure) => failure.restartInMs);
    assert.deepEqual(restarts, [40, 80, 160]);
    assert.ok(fake.requests({ verb: 'watch', resource: 'ingresses' }).length >= 4);
  });

  it('becomes synced only once a failed first list has been retried', async () => {
    const fake = await startKubeFake();
    fake.failNext({ verb: 'list', resource: 'nodes' }, 500);
    const handle = await run(objectsFromYaml(FIXTURE_YAML), { fake });
    assert.equal(handle.source.synced(), false);
    await handle.source.whenSynced();
    assert.equal(handle.snapshot.nodes().length, 1);
  });

  it('survives a listener that throws: the Snapshot still follows the cluster', async () => {
    const failures: SourceFailure[] = [];
    const handle = await run(objectsFromYaml(FIXTURE_YAML), {
      onChange: () => {
        throw new Error('listener bug');
      },
      onError: (failure) => failures.push(failure),
    });
    for (const object of webIngress('after')) handle.fake.create(object);
    await eventually(() => assert.ok(handle.snapshot.ingress('default', 'after')));
    assert.ok(failures.some((failure) => failure.phase === 'listener' && failure.kind === 'Ingress'));
    assert.ok(
      failures.every((failure) => failure.phase === 'listener'),
      'no informer failed',
    );
  });

  it('stops without restarting anything', async () => {
    const handle = await run(objectsFromYaml(FIXTURE_YAML));
    await handle.source.stop();
    const requests = handle.fake.requests().length;
    handle.fake.create(service('after-stop'));
    await new Promise((resolve) => setTimeout(resolve, FAST_BACKOFF.maxMs));
    assert.equal(handle.fake.requests().length, requests);
    assert.equal(handle.snapshot.service('default', 'after-stop'), undefined);
    assert.deepEqual(handle.failures, []);
  });
});
