/**
 * The real client-node API clients against the Kubernetes API fake: status subresource patches,
 * JSON patches and finalizers, optimistic concurrency, Events, Leases, selectors, authorization
 * and injected failures.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  EventsV1Api,
  NetworkingV1Api,
  PatchStrategy,
  setHeaderOptions,
  V1MicroTime,
  type EventsV1Event,
  type V1Lease,
} from '@kubernetes/client-node';
import { startKubeFake, type KubeFake, type KubeObject } from '../../../fakes/kube/index.js';

const FINALIZER = 'ingress-bridge.io/cleanup';

function ingress(name: string): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: 'default' },
    spec: { ingressClassName: 'ingress-bridge', rules: [{ host: `${name}.example.com` }] },
  };
}

async function rejectsWith(promise: Promise<unknown>, code: number, reason: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ApiException, `expected an ApiException, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal((JSON.parse(String(error.body)) as { reason: string }).reason, reason);
    return true;
  });
}

describe('client-node API clients against the Kubernetes API fake', { timeout: 20_000 }, () => {
  let fake: KubeFake;
  let networking: NetworkingV1Api;

  beforeEach(async () => {
    fake = await startKubeFake();
    networking = fake.kubeConfig().makeApiClient(NetworkingV1Api);
  });

  afterEach(async () => {
    await fake.close();
  });

  it('merge-patches ingress status through /status without touching the spec', async () => {
    const created = fake.create(ingress('web'));
    const patched = await networking.patchNamespacedIngressStatus(
      {
        name: 'web',
        namespace: 'default',
        body: { status: { loadBalancer: { ingress: [{ hostname: 'lb.example.com' }] } }, spec: { ingressClassName: 'other' } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.equal(patched.status?.loadBalancer?.ingress?.[0]?.hostname, 'lb.example.com');
    assert.equal(patched.spec?.ingressClassName, 'ingress-bridge');
    assert.equal(patched.metadata?.generation, created.metadata.generation);
    assert.notEqual(patched.metadata?.resourceVersion, created.metadata.resourceVersion);
    const [request] = fake.requests({ verb: 'patch' });
    assert.equal(request?.subresource, 'status');
    assert.equal(request?.patchContentType, 'application/merge-patch+json');
  });

  it('ignores status on the main resource, bumps generation only for spec changes, and skips no-op writes', async () => {
    fake.create(ingress('web'));
    const current = await networking.readNamespacedIngress({ name: 'web', namespace: 'default' });
    current.status = { loadBalancer: { ingress: [{ hostname: 'forged.example.com' }] } };
    current.metadata ??= {};
    current.metadata.labels = { team: 'a' };
    const relabelled = await networking.replaceNamespacedIngress({ name: 'web', namespace: 'default', body: current });
    assert.deepEqual(relabelled.status ?? {}, {});
    assert.equal(relabelled.metadata?.generation, 1);
    relabelled.spec ??= {};
    relabelled.spec.ingressClassName = 'other';
    const respecced = await networking.replaceNamespacedIngress({ name: 'web', namespace: 'default', body: relabelled });
    assert.equal(respecced.metadata?.generation, 2);
    // As on the API server, a write that changes nothing is not a new version.
    const unchanged = await networking.replaceNamespacedIngress({ name: 'web', namespace: 'default', body: respecced });
    assert.equal(unchanged.metadata?.resourceVersion, respecced.metadata?.resourceVersion);
  });

  it('adds a finalizer with a JSON patch, and fails a patch whose test operation does not hold', async () => {
    fake.create(ingress('web'));
    // A JSON patch is the generated client's default patch Content-Type.
    const patched = await networking.patchNamespacedIngress({
      name: 'web',
      namespace: 'default',
      body: [{ op: 'add', path: '/metadata/finalizers', value: [FINALIZER] }],
    });
    assert.deepEqual(patched.metadata?.finalizers, [FINALIZER]);
    assert.equal(fake.requests({ verb: 'patch' })[0]?.patchContentType, 'application/json-patch+json');
    const stale = [
      { op: 'test', path: '/metadata/resourceVersion', value: '1' },
      { op: 'remove', path: '/metadata/finalizers' },
    ];
    await rejectsWith(networking.patchNamespacedIngress({ name: 'web', namespace: 'default', body: stale }), 422, 'Invalid');
    assert.deepEqual(fake.get('ingresses', 'default', 'web')?.metadata.finalizers, [FINALIZER]);
  });

  it('marks an object with finalizers on delete, refuses new finalizers, and deletes it when they are gone', async () => {
    fake.create({ ...ingress('web'), metadata: { name: 'web', namespace: 'default', finalizers: [FINALIZER] } });
    await networking.deleteNamespacedIngress({ name: 'web', namespace: 'default' });
    const marked = await networking.readNamespacedIngress({ name: 'web', namespace: 'default' });
    assert.ok(marked.metadata?.deletionTimestamp instanceof Date);
    assert.equal(marked.metadata?.deletionGracePeriodSeconds, 0);
    const addFinalizer = [{ op: 'add', path: '/metadata/finalizers/-', value: 'other.io/hold' }];
    await rejectsWith(networking.patchNamespacedIngress({ name: 'web', namespace: 'default', body: addFinalizer }), 422, 'Invalid');
    await networking.patchNamespacedIngress(
      { name: 'web', namespace: 'default', body: { metadata: { finalizers: null } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await rejectsWith(networking.readNamespacedIngress({ name: 'web', namespace: 'default' }), 404, 'NotFound');
  });

  it('answers a replace carrying a stale resourceVersion with 409 Conflict', async () => {
    fake.create(ingress('web'));
    const first = await networking.readNamespacedIngress({ name: 'web', namespace: 'default' });
    fake.patch('ingresses', 'default', 'web', { metadata: { labels: { changed: 'elsewhere' } } });
    await rejectsWith(networking.replaceNamespacedIngress({ name: 'web', namespace: 'default', body: first }), 409, 'Conflict');
    await rejectsWith(networking.replaceNamespacedIngressStatus({ name: 'web', namespace: 'default', body: first }), 409, 'Conflict');
  });

  it('creates core v1 Events in any namespace, and events.k8s.io Events only with a microsecond eventTime', async () => {
    const core = fake.kubeConfig().makeApiClient(CoreV1Api);
    await core.createNamespacedEvent({
      namespace: 'team-a',
      body: {
        metadata: { generateName: 'web.' },
        involvedObject: { kind: 'Ingress', namespace: 'team-a', name: 'web' },
        reason: 'Synced',
        message: 'ok',
        type: 'Normal',
      },
    });
    const [stored] = fake.list('events', 'team-a');
    assert.match(stored?.metadata.name ?? '', /^web\.[a-z0-9]{5}$/);
    assert.equal(stored?.reason, 'Synced');

    const events = fake.kubeConfig().makeApiClient(EventsV1Api);
    const event = (eventTime: V1MicroTime): EventsV1Event => ({
      metadata: { name: `web.${eventTime.getTime()}` },
      eventTime,
      action: 'Reconcile',
      reason: 'Synced',
      type: 'Normal',
      reportingController: 'ingress-bridge.io/controller',
      reportingInstance: 'pod-1',
      regarding: { kind: 'Ingress', namespace: 'default', name: 'web' },
    });
    await events.createNamespacedEvent({ namespace: 'default', body: event(new V1MicroTime('2024-05-01T10:00:00.123Z')) });
    assert.equal(fake.list('events.events.k8s.io', 'default')[0]?.eventTime, '2024-05-01T10:00:00.123000Z');
    // A plain Date serialises with milliseconds, which the API server rejects.
    const millis = event(new V1MicroTime('2024-05-01T10:00:01.000Z'));
    millis.eventTime = new Date('2024-05-01T10:00:01.000Z');
    await rejectsWith(events.createNamespacedEvent({ namespace: 'default', body: millis }), 422, 'Invalid');
  });

  it('creates and renews a Lease with optimistic concurrency', async () => {
    const leases = fake.kubeConfig().makeApiClient(CoordinationV1Api);
    const lease: V1Lease = { metadata: { name: 'ingress-bridge', namespace: 'kube-system' }, spec: { holderIdentity: 'pod-1', leaseDurationSeconds: 15 } };
    const created = await leases.createNamespacedLease({ namespace: 'kube-system', body: lease });
    await rejectsWith(leases.createNamespacedLease({ namespace: 'kube-system', body: lease }), 409, 'AlreadyExists');
    const renewed = await leases.replaceNamespacedLease({
      name: 'ingress-bridge',
      namespace: 'kube-system',
      // eslint-disable-next-line @typescript-eslint/no-misused-spread -- a copy, so `created` stays as read; the client serializes by declared type, not prototype
      body: { ...created, spec: { ...created.spec, renewTime: new V1MicroTime() } },
    });
    assert.notEqual(renewed.metadata?.resourceVersion, created.metadata?.resourceVersion);
    // eslint-disable-next-line @typescript-eslint/no-misused-spread -- a copy, so `created` stays as read; the client serializes by declared type, not prototype
    const takeover = { ...created, spec: { ...created.spec, holderIdentity: 'pod-2' } };
    await rejectsWith(leases.replaceNamespacedLease({ name: 'ingress-bridge', namespace: 'kube-system', body: takeover }), 409, 'Conflict');
    const stored = fake.get('leases', 'kube-system', 'ingress-bridge');
    assert.equal((stored?.spec as { holderIdentity?: string } | undefined)?.holderIdentity, 'pod-1');
  });

  it('filters Secrets by field and label selectors', async () => {
    const secret = (name: string, type: string, labels: Record<string, string>): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: name.startsWith('a') ? 'team-a' : 'team-b', labels },
      type,
      data: {},
    });
    fake.create(secret('a-tls', 'kubernetes.io/tls', { app: 'web' }));
    fake.create(secret('b-tls', 'kubernetes.io/tls', { app: 'api' }));
    fake.create(secret('a-opaque', 'Opaque', { app: 'web' }));
    const core = fake.kubeConfig().makeApiClient(CoreV1Api);
    const tls = await core.listSecretForAllNamespaces({ fieldSelector: 'type=kubernetes.io/tls' });
    assert.deepEqual(
      tls.items.map((item) => item.metadata?.name),
      ['a-tls', 'b-tls'],
    );
    const webTls = await core.listSecretForAllNamespaces({ fieldSelector: 'type=kubernetes.io/tls', labelSelector: 'app in (web,admin)' });
    assert.deepEqual(
      webTls.items.map((item) => item.metadata?.name),
      ['a-tls'],
    );
    const notWeb = await core.listNamespacedSecret({ namespace: 'team-a', labelSelector: 'app!=web' });
    assert.deepEqual(notWeb.items, []);
  });

  it('answers 403 when the authorize hook refuses, and records every request', async () => {
    fake.create(ingress('web'));
    fake.setAuthorizer((request) => !(request.resource === 'ingresses' && request.subresource === 'status'));
    await networking.readNamespacedIngress({ name: 'web', namespace: 'default' });
    await rejectsWith(networking.replaceNamespacedIngressStatus({ name: 'web', namespace: 'default', body: { metadata: { name: 'web' } } }), 403, 'Forbidden');
    assert.deepEqual(
      fake.requests().map(({ verb, group, resource, subresource, namespace, name, code }) => ({ verb, group, resource, subresource, namespace, name, code })),
      [
        { verb: 'get', group: 'networking.k8s.io', resource: 'ingresses', subresource: undefined, namespace: 'default', name: 'web', code: 200 },
        { verb: 'update', group: 'networking.k8s.io', resource: 'ingresses', subresource: 'status', namespace: 'default', name: 'web', code: 403 },
      ],
    );
  });

  it('fails the next matching request as planned, then serves normally', async () => {
    fake.create(ingress('web'));
    fake.failNext({ verb: 'get', resource: 'ingresses' }, 429, { retryAfterSeconds: 2 });
    await assert.rejects(networking.readNamespacedIngress({ name: 'web', namespace: 'default' }), (error: unknown) => {
      assert.ok(error instanceof ApiException);
      assert.equal(error.code, 429);
      assert.equal(error.headers['retry-after'], '2');
      return true;
    });
    const served = await networking.readNamespacedIngress({ name: 'web', namespace: 'default' });
    assert.equal(served.metadata?.name, 'web');
  });

  it('rejects a client without the bearer token with 401', async () => {
    const config = fake.kubeConfig();
    config.users = [{ name: 'kube-fake-user', token: 'wrong' }];
    const api = config.makeApiClient(NetworkingV1Api);
    await assert.rejects(api.listIngressForAllNamespaces(), (error: unknown) => error instanceof ApiException && error.code === 401);
  });
});
