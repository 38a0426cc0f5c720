/**
 * deploy/base/webhook.yaml agrees with the code: the Service reaches the container's webhook port,
 * which is where `run` serves by default; the configuration calls the path the server answers, only
 * for Pod creates in labelled namespaces, and never blocks a Pod; the names the flags default to are
 * the names deploy/ and its RBAC use. And the flags turn into the run's webhook settings.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { V1Deployment, V1MutatingWebhookConfiguration, V1Service } from '@kubernetes/client-node';
import { toClusterRunOptions } from '../../src/config.js';
import { webhookSecretName } from '../../src/controller/admission-webhook.js';
import { INJECT_ENABLED, INJECT_LABEL } from '../../src/controller/pod-gate-injection.js';
import { MUTATE_POD_PATH } from '../../src/controller/webhook-server.js';
import { parseListenAddress } from '../../src/observability/health.js';
import { fakeKubeConfigFile } from '../../fakes/kube/kubeconfig.js';
import { controllerContainer, deployDocuments, parseRunArgs, theDocument } from '../support/deploy-manifests.js';

const documents = deployDocuments();
const deployment = theDocument<V1Deployment>(documents, { file: 'base/deployment.yaml', kind: 'Deployment' });
const container = controllerContainer(deployment);
const service = theDocument<V1Service>(documents, { file: 'base/webhook.yaml', kind: 'Service' });
const configuration = theDocument<V1MutatingWebhookConfiguration>(documents, { file: 'base/webhook.yaml', kind: 'MutatingWebhookConfiguration' });
const namespace = deployment.metadata?.namespace;

async function runValues(args: string[]) {
  const parsed = await parseRunArgs(['run', '--provider=aws', ...args]);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return parsed.values;
}

describe('the admission webhook in deploy/', () => {
  it("reaches the container's webhook port, where `run` serves by default, on the controller Pods", async () => {
    const values = await runValues(container.args?.slice(1) ?? []);
    const port = container.ports?.find((candidate) => candidate.name === service.spec?.ports?.[0]?.targetPort)?.containerPort;
    assert.equal(port, parseListenAddress(values.webhookAddress)?.port);
    assert.deepEqual(service.spec?.selector, deployment.spec?.selector?.matchLabels);
    assert.equal(service.metadata?.namespace, namespace);
    assert.equal(service.metadata?.name, values.webhookService);
  });

  it("is called for Pod creates in labelled namespaces only, at the server's path, and never blocks a Pod", async () => {
    const values = await runValues([]);
    assert.equal(configuration.metadata?.name, values.webhookConfiguration);
    const [webhook] = configuration.webhooks ?? [];
    assert.ok(webhook);
    assert.equal(configuration.webhooks?.length, 1);
    assert.deepEqual(webhook.clientConfig.service, { name: service.metadata?.name, namespace, path: MUTATE_POD_PATH, port: service.spec?.ports?.[0]?.port });
    assert.equal(webhook.clientConfig.caBundle, undefined, 'the controller writes the caBundle');
    assert.deepEqual(webhook.rules, [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' }]);
    assert.equal(webhook.failurePolicy, 'Ignore');
    assert.equal(webhook.sideEffects, 'None');
    assert.deepEqual(webhook.admissionReviewVersions, ['v1']);
    assert.deepEqual(webhook.namespaceSelector?.matchLabels, { [INJECT_LABEL]: INJECT_ENABLED });
  });

  it('ships the certificate Secret empty, under the name the controller and RBAC use', async () => {
    const values = await runValues([]);
    const secret = theDocument<{ type?: string; data?: unknown; metadata: { namespace?: string } }>(documents, {
      file: 'base/webhook.yaml',
      kind: 'Secret',
      name: webhookSecretName(values.webhookService),
    });
    assert.deepEqual([secret.type, secret.data, secret.metadata.namespace], ['Opaque', undefined, namespace]);
    const rbac = documents
      .filter((document) => document.file === 'base/rbac.yaml')
      .map((document) => JSON.stringify(document.object))
      .join('\n');
    assert.ok(rbac.includes(`"resourceNames":["${webhookSecretName(values.webhookService)}"]`), 'the Role names the Secret');
    assert.ok(rbac.includes(`"resourceNames":["${values.webhookConfiguration}"]`), 'the ClusterRole names the configuration');
  });
});

describe('the webhook flags', () => {
  const directory = mkdtempSync(join(tmpdir(), 'webhook-flags-'));
  const kubeconfig = join(directory, 'kubeconfig');
  writeFileSync(kubeconfig, fakeKubeConfigFile({ server: 'http://127.0.0.1:1', token: 'unused' }));
  const options = async (args: string[]) => toClusterRunOptions(await runValues([`--kubeconfig=${kubeconfig}`, ...args]));
  after(() => rmSync(directory, { recursive: true, force: true }));

  it("serve the webhook on :9443 by default, its Service and Secret in the controller's namespace", async () => {
    assert.deepEqual((await options(['--namespace=ops'])).webhook, {
      address: ':9443',
      namespace: 'ops',
      serviceName: 'ingress-bridge-webhook',
      configurationName: 'ingress-bridge',
    });
    assert.deepEqual(
      (
        await options([
          '--namespace=ops',
          '--webhook-namespace=hooks',
          '--webhook-service=gates',
          '--webhook-configuration=mine',
          '--webhook-address=127.0.0.1:8443',
        ])
      ).webhook,
      { address: '127.0.0.1:8443', namespace: 'hooks', serviceName: 'gates', configurationName: 'mine' },
    );
  });

  it('turn it off with an empty address, and refuse an address that is not one', async () => {
    assert.equal((await options(['--webhook-address='])).webhook, undefined);
    await assert.rejects(options(['--webhook-address=nine-four-four-three']), /--webhook-address "nine-four-four-three" must be host:port/);
  });
});
