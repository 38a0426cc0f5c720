/**
 * The admission webhook: its answers to AdmissionReviews (pure), and the controller serving it over
 * HTTPS with the certificate it made itself — called directly, and by the Kubernetes API fake's
 * mutating admission when a Pod is created.
 */
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { INJECT_LABEL } from '../../src/controller/pod-gate-injection.js';
import { caBundle, renew, serviceDnsNames } from '../../src/controller/webhook-certificate.js';
import { answerAdmissionReview, MUTATE_POD_PATH, startWebhookServer } from '../../src/controller/webhook-server.js';
import { materialOf } from '../../src/controller/webhook-tls.js';
import { createLogger } from '../../src/observability/logger.js';
import { targetHealthGate } from '../../src/translate/readiness-gates.js';
import { INGRESS_CLASS_YAML, ingressYaml, selectingServiceYaml } from '../support/cluster.js';
import { startKubeFakeRun, type KubeFakeRun } from '../support/kube-fake-run.js';
import { createMemoryCloud, memoryProvider } from '../support/plugin-provider.js';

const silent = createLogger('silent');
const review = (pod: V1Pod, namespace: string, overrides: Record<string, unknown> = {}) => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid: 'uid-1',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    resource: { group: '', version: 'v1', resource: 'pods' },
    namespace,
    operation: 'CREATE',
    object: pod,
    ...overrides,
  },
});
const webPod = (labels: Record<string, string> = { app: 'web' }): V1Pod => ({
  metadata: { generateName: 'web-', labels },
  spec: { containers: [{ name: 'web', image: 'web' }] },
});
const decode = (patch: unknown): unknown => JSON.parse(Buffer.from(String(patch), 'base64').toString('utf8'));

describe('answers to AdmissionReviews', () => {
  const add = [{ op: 'add' as const, path: '/spec/readinessGates', value: [{ conditionType: 'x/y' }] }];

  it('allow the Pod with a base64 JSONPatch, echoing the request uid', () => {
    const answer = answerAdmissionReview(review(webPod(), 'shop'), () => add, silent);
    const response = (answer.body as { response: Record<string, unknown> }).response;
    assert.equal(answer.status, 200);
    assert.deepEqual([response.uid, response.allowed, response.patchType], ['uid-1', true, 'JSONPatch']);
    assert.deepEqual(decode(response.patch), add);
  });

  it('allow without a patch when there is nothing to add, for what is not a Pod create, and when the decision fails', () => {
    const bare = (body: unknown): unknown => (body as { response: unknown }).response;
    assert.deepEqual(bare(answerAdmissionReview(review(webPod(), 'shop'), () => [], silent).body), { uid: 'uid-1', allowed: true });
    assert.deepEqual(bare(answerAdmissionReview(review(webPod(), 'shop', { operation: 'UPDATE' }), () => add, silent).body), { uid: 'uid-1', allowed: true });
    assert.deepEqual(
      bare(answerAdmissionReview(review(webPod(), 'shop', { resource: { group: 'apps', version: 'v1', resource: 'deployments' } }), () => add, silent).body),
      { uid: 'uid-1', allowed: true },
    );
    const failing = answerAdmissionReview(
      review(webPod(), 'shop'),
      () => {
        throw new Error('broken');
      },
      silent,
    );
    assert.deepEqual(bare(failing.body), { uid: 'uid-1', allowed: true }, 'a failure never refuses a Pod');
  });

  it('refuse what is not an admission.k8s.io/v1 AdmissionReview with 400', () => {
    for (const body of [
      undefined,
      {},
      { ...review(webPod(), 'shop'), apiVersion: 'admission.k8s.io/v1beta1' },
      { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: {} },
    ]) {
      assert.equal(answerAdmissionReview(body, () => add, silent).status, 400, JSON.stringify(body));
    }
  });
});

/** POSTs a body to the webhook over HTTPS, trusting `ca` for the Service's DNS name, as the API server does. */
function post(port: number, ca: string, body: unknown, path = MUTATE_POD_PATH): Promise<{ status: number; body: unknown; serial: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        ca,
        servername: 'ingress-bridge-webhook.ingress-bridge.svc',
        agent: false,
        headers: { 'Content-Type': 'application/json' },
      },
      (response) => {
        const chunks: Buffer[] = [];
        const serial = (response.socket as import('node:tls').TLSSocket).getPeerCertificate().serialNumber;
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode ?? 0, body: text ? (JSON.parse(text) as unknown) : undefined, serial });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(JSON.stringify(body));
  });
}

describe('the webhook server', () => {
  it('serves a swapped certificate to new connections, and only its one path, by POST', async () => {
    const names = serviceDnsNames('ingress-bridge-webhook', 'ingress-bridge');
    const first = renew(undefined, 'ca', names, new Date());
    const server = await startWebhookServer({ address: '127.0.0.1:0', certificate: first, mutate: () => [], logger: silent });
    try {
      const before = await post(server.port(), first.caPem, review(webPod(), 'shop'));
      assert.equal(before.status, 200);
      const second = renew(first, 'serving', names, new Date());
      server.setCertificate(second);
      const after = await post(server.port(), first.caPem, review(webPod(), 'shop'));
      assert.notEqual(after.serial, before.serial);
      assert.equal((await post(server.port(), first.caPem, {}, '/other')).status, 404);
    } finally {
      await server.close();
    }
  });
});

const CLUSTER_YAML = `${INGRESS_CLASS_YAML}apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {${INJECT_LABEL}: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: plain}
---
${selectingServiceYaml('web', 'shop')}apiVersion: v1
kind: Service
metadata: {name: legacy, namespace: shop}
spec:
  type: NodePort
  selector: {app: legacy}
  ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30080}]
---
${selectingServiceYaml('web', 'plain')}${ingressYaml({ name: 'web', namespace: 'shop', annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip' }, rules: [{ host: 'web.example.com', paths: [{ path: '/', pathType: 'Prefix', service: 'web' }] }] })}${ingressYaml({ name: 'legacy', namespace: 'shop', annotations: { 'alb.ingress.kubernetes.io/target-type': 'instance' }, rules: [{ host: 'legacy.example.com', paths: [{ path: '/', pathType: 'Prefix', service: 'legacy' }] }] })}${ingressYaml({ name: 'web', namespace: 'plain', annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip' }, rules: [{ host: 'plain.example.com', paths: [{ path: '/', pathType: 'Prefix', service: 'web' }] }] })}`;

describe("the controller's admission webhook, against the Kubernetes API fake", () => {
  let run: KubeFakeRun;
  let ca = '';
  const GATE = targetHealthGate('shop/web', { key: 'shop/web:80/ip', service: { namespace: 'shop', name: 'web', port: 80 } });

  before(async () => {
    run = await startKubeFakeRun({ yaml: CLUSTER_YAML, provider: () => memoryProvider(createMemoryCloud(), 'webhook-test'), webhook: true });
    const material = materialOf(run.kube.get('secrets', 'ingress-bridge', 'ingress-bridge-webhook-tls') as never);
    assert.ok(material, 'the controller stored its certificates in the Secret deploy/base ships');
    ca = caBundle(material, new Date());
  });
  after(async () => {
    await run?.stop();
  });

  const mutate = async (pod: V1Pod, namespace: string): Promise<unknown> => {
    const answer = await post(run.handle.webhook?.port() ?? 0, ca, review(pod, namespace));
    assert.equal(answer.status, 200);
    const response = (answer.body as { response: { uid: string; allowed: boolean; patch?: string } }).response;
    assert.deepEqual([response.uid, response.allowed], ['uid-1', true]);
    return response.patch === undefined ? undefined : decode(response.patch);
  };

  it('adds the gate to a Pod of a labelled namespace selected by a Service an ip-target Ingress uses', async () => {
    assert.deepEqual(await mutate(webPod(), 'shop'), [{ op: 'add', path: '/spec/readinessGates', value: [{ conditionType: GATE }] }]);
  });

  it('adds nothing in an unlabelled namespace, for instance targets, or for a Pod no such Service selects', async () => {
    assert.equal(await mutate(webPod(), 'plain'), undefined);
    assert.equal(await mutate(webPod({ app: 'legacy' }), 'shop'), undefined);
    assert.equal(await mutate(webPod({ app: 'other' }), 'shop'), undefined);
  });

  it('is called by the API server for Pods of labelled namespaces only, its certificate trusted through the caBundle it wrote', async () => {
    const core = run.kube.adminKubeConfig().makeApiClient(CoreV1Api);
    const gated = await core.createNamespacedPod({ namespace: 'shop', body: webPod() });
    assert.deepEqual(
      gated.spec?.readinessGates?.map((gate) => gate.conditionType),
      [GATE],
    );
    const plain = await core.createNamespacedPod({ namespace: 'plain', body: webPod() });
    assert.equal(plain.spec?.readinessGates, undefined);
    assert.deepEqual(
      run.kube.admissionCalls().map((call) => [call.namespace, call.outcome]),
      [['shop', 'patched']],
    );
    const optedOut = await core.createNamespacedPod({ namespace: 'shop', body: webPod({ app: 'web', [INJECT_LABEL]: 'disabled' }) });
    assert.equal(optedOut.spec?.readinessGates, undefined, 'the objectSelector lets a Pod opt out');
  });
});
