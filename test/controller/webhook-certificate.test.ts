/**
 * The admission webhook's certificates: issued by a CA of our own for the Service's DNS names, kept in
 * a Secret (created, stored, reused after a restart, renewed when a third of a lifetime is left, the
 * CA's renewal keeping the old CA trusted), and the CA written into the webhook configuration's
 * caBundle — against the Kubernetes API fake.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import {
  caBundle,
  CA_LIFETIME_MS,
  renew,
  renewalNeeded,
  serviceDnsNames,
  SERVING_LIFETIME_MS,
  splitPem,
  type WebhookCertificates,
} from '../../src/controller/webhook-certificate.js';
import { materialOf, WebhookTls } from '../../src/controller/webhook-tls.js';
import { createLogger } from '../../src/observability/logger.js';
import { KubeClient } from '../../src/sources/kube-http.js';
import { startKubeFake, waitFor, type KubeFake, type KubeObject } from '../../fakes/kube/index.js';

const NAMES = serviceDnsNames('ingress-bridge-webhook', 'ingress-bridge');
const NOW = new Date('2026-11-21T00:00:00Z');
const later = (ms: number): Date => new Date(NOW.getTime() + ms);
const serial = (pem: string): string => new X509Certificate(pem).serialNumber;

describe('webhook certificates, as decisions', () => {
  const fresh = renew(undefined, 'ca', NAMES, NOW);

  it('are issued by a CA of our own for every DNS name of the Service, for a server', () => {
    const [caPem] = splitPem(fresh.caPem);
    const ca = new X509Certificate(caPem ?? '');
    const serving = new X509Certificate(fresh.certPem);
    assert.equal(ca.ca, true);
    assert.equal(serving.ca, false);
    assert.ok(serving.verify(ca.publicKey), 'signed by the CA');
    assert.equal(serving.subjectAltName, NAMES.map((name) => `DNS:${name}`).join(', '));
    assert.deepEqual(serving.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'serverAuth');
    assert.ok(Date.parse(serving.validFrom) <= NOW.getTime(), 'valid from now (a little before, for clock skew)');
  });

  const cases: { why: string; material: WebhookCertificates | undefined; at: Date; names?: string[]; renewal: ReturnType<typeof renewalNeeded> }[] = [
    { why: 'nothing stored: a CA and a serving certificate', material: undefined, at: NOW, renewal: 'ca' },
    { why: 'fresh: kept', material: fresh, at: NOW, renewal: 'keep' },
    { why: 'with more than a third of its lifetime left: kept', material: fresh, at: later(SERVING_LIFETIME_MS * 0.6), renewal: 'keep' },
    {
      why: 'serving certificate with less than a third left: renewed from the same CA',
      material: fresh,
      at: later(SERVING_LIFETIME_MS * 0.7),
      renewal: 'serving',
    },
    { why: 'serving certificate for other names: renewed', material: fresh, at: NOW, names: ['other.ingress-bridge.svc'], renewal: 'serving' },
    {
      why: 'serving certificate of another CA: renewed',
      material: { ...fresh, certPem: renew(undefined, 'ca', NAMES, NOW).certPem },
      at: NOW,
      renewal: 'serving',
    },
    { why: 'serving key that does not match: renewed', material: { ...fresh, keyPem: fresh.caKeyPem }, at: NOW, renewal: 'serving' },
    { why: 'CA with less than a third of its lifetime left: a new CA', material: fresh, at: later(CA_LIFETIME_MS * 0.7), renewal: 'ca' },
    { why: 'CA that does not parse: a new CA', material: { ...fresh, caPem: 'garbage' }, at: NOW, renewal: 'ca' },
  ];
  for (const { why, material, at, names, renewal } of cases) {
    it(why, () => assert.equal(renewalNeeded(material, names ?? NAMES, at), renewal));
  }

  it('a new serving certificate keeps the CA, so the caBundle stays as it is', () => {
    const renewed = renew(fresh, 'serving', NAMES, NOW);
    assert.equal(renewed.caPem, fresh.caPem);
    assert.notEqual(serial(renewed.certPem), serial(fresh.certPem));
    assert.equal(caBundle(renewed, NOW), caBundle(fresh, NOW));
  });

  it('a new CA goes first in the bundle; the old one stays trusted until it expires', () => {
    const at = later(CA_LIFETIME_MS * 0.7);
    const renewed = renew(fresh, 'ca', NAMES, at);
    const bundle = splitPem(caBundle(renewed, at)).map(serial);
    assert.deepEqual(bundle.slice(1), splitPem(fresh.caPem).map(serial));
    assert.equal(bundle.length, 2);
    assert.deepEqual(splitPem(caBundle(renewed, later(CA_LIFETIME_MS + 1))).map(serial), [bundle[0]], 'the expired CA leaves the bundle');
    assert.equal(renewalNeeded(renewed, NAMES, at), 'keep');
  });
});

const WEBHOOK_YAML = readFileSync(new URL('../../deploy/base/webhook.yaml', import.meta.url), 'utf8');
const deployedObjects = (): KubeObject[] => parseAllDocuments(WEBHOOK_YAML).map((document) => document.toJS() as KubeObject);

describe('webhook certificates in the cluster (WebhookTls against the Kubernetes API fake)', () => {
  let fake: KubeFake;
  const managers: WebhookTls[] = [];
  const served: WebhookCertificates[] = [];
  const manager = (now: Date, options: { recheckMs?: number } = {}): WebhookTls => {
    const created = new WebhookTls({
      client: new KubeClient(fake.connection()),
      namespace: 'ingress-bridge',
      serviceName: 'ingress-bridge-webhook',
      secretName: 'ingress-bridge-webhook-tls',
      configurationName: 'ingress-bridge',
      logger: createLogger('silent'),
      onCertificate: (material) => served.push(material),
      now: () => now,
      ...options,
    });
    managers.push(created);
    return created;
  };
  const stored = (): WebhookCertificates | undefined => materialOf(fake.get('secrets', 'ingress-bridge', 'ingress-bridge-webhook-tls') as never);
  const bundle = (): string =>
    Buffer.from(
      (fake.get('mutatingwebhookconfigurations', undefined, 'ingress-bridge') as { webhooks?: { clientConfig?: { caBundle?: string } }[] }).webhooks?.[0]
        ?.clientConfig?.caBundle ?? '',
      'base64',
    ).toString('utf8');
  const writes = (resource: string): number => fake.requests({ resource }).filter((request) => ['create', 'update', 'patch'].includes(request.verb)).length;

  beforeEach(async () => {
    fake = await startKubeFake();
    served.length = 0;
  });
  afterEach(async () => {
    for (const each of managers.splice(0)) each.stop();
    await fake.close();
  });

  it('creates the Secret when there is none, stores the certificates and writes the CA into the caBundle', async () => {
    for (const object of deployedObjects().filter((object) => object.kind === 'MutatingWebhookConfiguration')) fake.apply(object);
    const material = await manager(NOW).start();
    assert.deepEqual(stored(), material);
    assert.equal(fake.get('secrets', 'ingress-bridge', 'ingress-bridge-webhook-tls')?.type, 'Opaque', 'kept out of the TLS-Secret informer');
    assert.equal(bundle(), caBundle(material, NOW));
    assert.deepEqual(served, [material]);
  });

  it('fills the Secret deploy/base ships empty, and a restart reuses what it holds: nothing is written again', async () => {
    for (const object of deployedObjects()) fake.apply(object);
    const first = await manager(NOW).start();
    assert.deepEqual(stored(), first);
    fake.clearRequests();
    const again = await manager(later(SERVING_LIFETIME_MS * 0.5)).start();
    assert.deepEqual(again, first);
    assert.deepEqual([writes('secrets'), writes('mutatingwebhookconfigurations')], [0, 0]);
  });

  it('renews the serving certificate when it is near expiry, from the same CA, leaving the caBundle alone', async () => {
    for (const object of deployedObjects()) fake.apply(object);
    const first = await manager(NOW).start();
    fake.clearRequests();
    const renewed = await manager(later(SERVING_LIFETIME_MS * 0.7)).start();
    assert.notEqual(serial(renewed.certPem), serial(first.certPem));
    assert.equal(renewed.caPem, first.caPem);
    assert.deepEqual(stored(), renewed);
    assert.deepEqual([writes('secrets'), writes('mutatingwebhookconfigurations')], [1, 0]);
    assert.deepEqual(
      served.map((material) => serial(material.certPem)),
      [serial(first.certPem), serial(renewed.certPem)],
    );
  });

  it('renews the CA when it is near expiry and patches the caBundle with the new CA and the old', async () => {
    for (const object of deployedObjects()) fake.apply(object);
    const first = await manager(NOW).start();
    const at = later(CA_LIFETIME_MS * 0.7);
    const renewed = await manager(at).start();
    assert.notEqual(splitPem(renewed.caPem)[0], splitPem(first.caPem)[0]);
    assert.deepEqual(splitPem(bundle()).map(serial), [...splitPem(renewed.caPem).slice(0, 1), ...splitPem(first.caPem)].map(serial));
    const [patch] = fake.requests({ resource: 'mutatingwebhookconfigurations', verb: 'patch' }).slice(-1);
    assert.equal(patch?.patchContentType, 'application/json-patch+json');
  });

  it('renews on its own schedule while running: the check falls due and the new certificate is served', async () => {
    for (const object of deployedObjects()) fake.apply(object);
    let now = NOW;
    const running = new WebhookTls({
      client: new KubeClient(fake.connection()),
      namespace: 'ingress-bridge',
      serviceName: 'ingress-bridge-webhook',
      secretName: 'ingress-bridge-webhook-tls',
      configurationName: 'ingress-bridge',
      logger: createLogger('silent'),
      onCertificate: (material) => served.push(material),
      now: () => now,
      recheckMs: 20,
    });
    managers.push(running);
    const first = await running.start();
    now = later(SERVING_LIFETIME_MS * 0.7);
    await waitFor(() => served.length === 2, { what: 'the running manager renews the certificate', timeoutMs: 10_000 });
    assert.notEqual(serial(served[1]?.certPem ?? first.certPem), serial(first.certPem));
    assert.deepEqual(stored(), served[1]);
  });

  it('two replicas starting at once end with the same certificates: the second write conflicts and reads the first', async () => {
    for (const object of deployedObjects()) fake.apply(object);
    const [a, b] = await Promise.all([manager(NOW).start(), manager(NOW).start()]);
    assert.deepEqual(a, b);
    assert.deepEqual(stored(), a);
  });

  it('keeps serving when the webhook configuration is not there: the caBundle is retried later', async () => {
    for (const object of deployedObjects().filter((object) => object.kind === 'Secret')) fake.apply(object);
    const material = await manager(NOW).start();
    assert.deepEqual(stored(), material);
  });
});
