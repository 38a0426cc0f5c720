/**
 * The Kubernetes API fake's Pods (with their status subresource), MutatingWebhookConfigurations and
 * mutating admission: a webhook is called over HTTPS for the creates its rules and selectors match,
 * must present a certificate of its caBundle for its Service's name and echo the request uid, and
 * its failures fail the create or are ignored as its failurePolicy says.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { AdmissionregistrationV1Api, ApiException, CoreV1Api, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { renew, serviceDnsNames, type WebhookCertificates } from '../../../src/controller/webhook-certificate.js';
import { startKubeFake, type KubeFake, type KubeObject } from '../../../fakes/kube/index.js';

const JSON_PATCH = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
const certificates: WebhookCertificates = renew(undefined, 'ca', serviceDnsNames('hooks', 'system'), new Date());
const strangers: WebhookCertificates = renew(undefined, 'ca', serviceDnsNames('hooks', 'system'), new Date());
const otherName: WebhookCertificates = renew(undefined, 'ca', serviceDnsNames('elsewhere', 'system'), new Date());

type Answer = (review: { request: { uid: string; object: KubeObject } }) => unknown;

/** A webhook server whose answer and certificate each test sets. */
async function webhookServer(): Promise<{ server: Server; port: number; answer: { current: Answer }; calls: unknown[] }> {
  const answer: { current: Answer } = { current: () => ({}) };
  const calls: unknown[] = [];
  const server = createServer({ cert: certificates.certPem, key: certificates.keyPem }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request: { uid: string; object: KubeObject } };
      calls.push(review);
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer.current(review)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, answer, calls };
}

const allowWithGate: Answer = (review) => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  response: {
    uid: review.request.uid,
    allowed: true,
    patchType: 'JSONPatch',
    patch: Buffer.from(JSON.stringify([{ op: 'add', path: '/spec/readinessGates', value: [{ conditionType: 'example.com/gate' }] }])).toString('base64'),
  },
});

function configuration(fields: { failurePolicy?: 'Ignore' | 'Fail'; caBundle?: string; namespaceLabel?: boolean }): KubeObject {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: 'gates' },
    webhooks: [
      {
        name: 'gates.example.com',
        admissionReviewVersions: ['v1'],
        sideEffects: 'None',
        ...(fields.failurePolicy ? { failurePolicy: fields.failurePolicy } : {}),
        clientConfig: {
          service: { namespace: 'system', name: 'hooks', path: '/mutate', port: 443 },
          ...(fields.caBundle !== undefined ? { caBundle: Buffer.from(fields.caBundle).toString('base64') } : {}),
        },
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' }],
        ...(fields.namespaceLabel ? { namespaceSelector: { matchLabels: { gates: 'on' } } } : {}),
      },
    ],
  };
}

const podBody = (name: string): V1Pod => ({ metadata: { name, labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web' }] } });

describe('Pods and MutatingWebhookConfigurations in the Kubernetes API fake', () => {
  let fake: KubeFake;
  let core: CoreV1Api;

  beforeEach(async () => {
    fake = await startKubeFake();
    core = fake.kubeConfig().makeApiClient(CoreV1Api);
  });
  afterEach(() => fake.close());

  it('serves Pods; their status changes only through the status subresource, here by JSON patch', async () => {
    const created = await core.createNamespacedPod({ namespace: 'shop', body: Object.assign(podBody('web-1'), { status: { podIP: '10.0.0.1' } }) });
    assert.equal(created.status, undefined, 'a create does not set status');
    fake.patch('pods', 'shop', 'web-1', { status: { podIP: '10.0.0.1', conditions: [{ type: 'Ready', status: 'False' }] } });
    const current = fake.get('pods', 'shop', 'web-1');
    const patched = await core.patchNamespacedPodStatus(
      {
        namespace: 'shop',
        name: 'web-1',
        body: [
          { op: 'test', path: '/metadata/resourceVersion', value: current?.metadata.resourceVersion },
          { op: 'add', path: '/status/conditions/-', value: { type: 'example.com/gate', status: 'True' } },
        ],
      },
      JSON_PATCH,
    );
    assert.deepEqual(
      patched.status?.conditions?.map((condition) => [condition.type, condition.status]),
      [
        ['Ready', 'False'],
        ['example.com/gate', 'True'],
      ],
    );
    await assert.rejects(
      core.patchNamespacedPodStatus(
        { namespace: 'shop', name: 'web-1', body: [{ op: 'test', path: '/metadata/resourceVersion', value: current?.metadata.resourceVersion }] },
        JSON_PATCH,
      ),
      (error: unknown) => error instanceof ApiException && error.code === 422,
      'a stale resourceVersion fails the test operation',
    );
    assert.deepEqual(
      (await core.listPodForAllNamespaces()).items.map((pod) => pod.metadata?.name),
      ['web-1'],
    );
    assert.equal(fake.requests({ resource: 'pods', subresource: 'status', verb: 'patch' }).length, 2);
  });

  it('serves MutatingWebhookConfigurations, cluster-scoped, read and patched by name', async () => {
    fake.apply(configuration({}));
    const admission = fake.kubeConfig().makeApiClient(AdmissionregistrationV1Api);
    const read = await admission.readMutatingWebhookConfiguration({ name: 'gates' });
    assert.equal(read.webhooks?.[0]?.name, 'gates.example.com');
    const patched = await admission.patchMutatingWebhookConfiguration(
      { name: 'gates', body: [{ op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: 'Y2E=' }] },
      JSON_PATCH,
    );
    assert.equal(patched.webhooks?.[0]?.clientConfig.caBundle, 'Y2E=');
  });
});

describe('mutating admission in the Kubernetes API fake', () => {
  let fake: KubeFake;
  let core: CoreV1Api;
  let hook: Awaited<ReturnType<typeof webhookServer>>;

  before(async () => {
    hook = await webhookServer();
  });
  after(
    () =>
      new Promise<void>((resolve) => {
        hook.server.close(() => resolve());
        hook.server.closeAllConnections();
      }),
  );
  beforeEach(async () => {
    fake = await startKubeFake();
    core = fake.adminKubeConfig().makeApiClient(CoreV1Api);
    fake.routeService('system', 'hooks', 443, `https://127.0.0.1:${hook.port}`);
    hook.answer.current = allowWithGate;
    hook.calls.length = 0;
  });
  afterEach(() => fake.close());

  const gatesOf = (pod: V1Pod): string[] | undefined => pod.spec?.readinessGates?.map((gate) => gate.conditionType);
  const rejected = (code: number) => (error: unknown) => error instanceof ApiException && error.code === code;

  it('calls the webhook with an AdmissionReview and applies its JSONPatch before storing the Pod', async () => {
    fake.apply(configuration({ caBundle: certificates.caPem }));
    const created = await core.createNamespacedPod({ namespace: 'shop', body: podBody('web-1') });
    assert.deepEqual(gatesOf(created), ['example.com/gate']);
    assert.deepEqual(gatesOf(fake.get('pods', 'shop', 'web-1') as V1Pod), ['example.com/gate']);
    const [review] = hook.calls as { apiVersion: string; request: { operation: string; namespace: string; resource: unknown; object: KubeObject } }[];
    assert.deepEqual([review?.apiVersion, review?.request.operation, review?.request.namespace], ['admission.k8s.io/v1', 'CREATE', 'shop']);
    assert.deepEqual(review?.request.resource, { group: '', version: 'v1', resource: 'pods' });
    assert.deepEqual(
      fake.admissionCalls().map((call) => call.outcome),
      ['patched'],
    );
  });

  it('calls it only for namespaces its namespaceSelector matches, and not for direct store writes', async () => {
    fake.apply(configuration({ caBundle: certificates.caPem, namespaceLabel: true }));
    fake.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'on', labels: { gates: 'on' } } });
    fake.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'off' } });
    assert.deepEqual(gatesOf(await core.createNamespacedPod({ namespace: 'on', body: podBody('a') })), ['example.com/gate']);
    assert.equal(gatesOf(await core.createNamespacedPod({ namespace: 'off', body: podBody('b') })), undefined);
    assert.equal(gatesOf(await core.createNamespacedPod({ namespace: 'unknown', body: podBody('c') })), undefined);
    fake.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'd', namespace: 'on' }, spec: {} });
    assert.equal(hook.calls.length, 1);
  });

  const failures: { why: string; caBundle?: string; answer?: Answer; route?: false; message: RegExp }[] = [
    { why: 'a server certificate its caBundle does not trust', caBundle: strangers.caPem, message: /certificate/ },
    { why: 'no caBundle at all', message: /certificate/ },
    {
      why: 'an answer for another request',
      caBundle: certificates.caPem,
      answer: (review) => ({ ...(allowWithGate(review) as object), response: { uid: 'other', allowed: true } }),
      message: /expected response\.uid/,
    },
    {
      why: 'an answer that is no AdmissionReview',
      caBundle: certificates.caPem,
      answer: () => ({ allowed: true }),
      message: /no admission\.k8s\.io\/v1 AdmissionReview/,
    },
    { why: 'no way to reach the Service', caBundle: certificates.caPem, route: false, message: /no endpoints available for service "system\/hooks"/ },
  ];
  for (const failure of failures) {
    it(`fails the create under failurePolicy Fail, and ignores the webhook under Ignore, on ${failure.why}`, async () => {
      if (failure.answer) hook.answer.current = failure.answer;
      if (failure.route === false) {
        // A fake of its own, whose Services lead nowhere.
        await fake.close();
        fake = await startKubeFake();
        core = fake.adminKubeConfig().makeApiClient(CoreV1Api);
      }
      fake.apply(configuration({ failurePolicy: 'Fail', ...(failure.caBundle !== undefined ? { caBundle: failure.caBundle } : {}) }));
      await assert.rejects(core.createNamespacedPod({ namespace: 'shop', body: podBody('web-1') }), rejected(500));
      assert.equal(fake.get('pods', 'shop', 'web-1'), undefined);
      assert.match(fake.admissionCalls()[0]?.error ?? '', failure.message);
      fake.apply(configuration({ failurePolicy: 'Ignore', ...(failure.caBundle !== undefined ? { caBundle: failure.caBundle } : {}) }));
      const created = await core.createNamespacedPod({ namespace: 'shop', body: podBody('web-1') });
      assert.equal(gatesOf(created), undefined);
      assert.equal(fake.admissionCalls()[1]?.outcome, 'ignored');
    });
  }

  it("checks the certificate against the Service's DNS name, not the route's address", async () => {
    const misnamed = createServer({ cert: otherName.certPem, key: otherName.keyPem }, (_request, response) => response.end('{}'));
    await new Promise<void>((resolve) => misnamed.listen(0, '127.0.0.1', resolve));
    try {
      fake.routeService('system', 'hooks', 443, `https://127.0.0.1:${(misnamed.address() as AddressInfo).port}`);
      fake.apply(configuration({ failurePolicy: 'Fail', caBundle: otherName.caPem }));
      await assert.rejects(core.createNamespacedPod({ namespace: 'shop', body: podBody('web-1') }), rejected(500));
      assert.match(fake.admissionCalls()[0]?.error ?? '', /not hooks\.system\.svc/);
    } finally {
      await new Promise<void>((resolve) => misnamed.close(() => resolve()));
    }
  });

  it('refuses the Pod when the webhook denies it, whatever the failurePolicy', async () => {
    hook.answer.current = (review) => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: false } });
    fake.apply(configuration({ failurePolicy: 'Ignore', caBundle: certificates.caPem }));
    await assert.rejects(core.createNamespacedPod({ namespace: 'shop', body: podBody('web-1') }), rejected(400));
    assert.equal(fake.get('pods', 'shop', 'web-1'), undefined);
  });
});
