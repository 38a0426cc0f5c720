/**
 * Pod readiness gates end to end: the controller as shipped (informers, admission webhook, work
 * queue, AWS provider, readiness-gate tracker) under deploy/base's RBAC, against the Kubernetes API
 * fake and the AWS fake. The test plays the other actors of a rollout: the ReplicaSet controller
 * creates Pods through the API (so the API server calls the webhook), the kubelet reports their
 * address and readiness, the EndpointSlice controller lists them as endpoints (not ready while a gate
 * holds them back), and the load balancer's health checks are held at `initial` until released.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, afterEach, before, describe, it } from 'node:test';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { startKubeRun, type KubeRunHandle } from '../../src/commands/run-cluster.js';
import { INJECT_LABEL } from '../../src/controller/pod-gate-injection.js';
import { createLogger } from '../../src/observability/logger.js';
import { parseManifestFile } from '../../src/sources/manifests.js';
import { targetHealthGate } from '../../src/translate/readiness-gates.js';
import { AwsProvider } from '../../providers/aws/provider.js';
import { ApiBudget } from '../../providers/aws/sdk/budget.js';
import { createAwsClients } from '../../providers/aws/sdk/clients.js';
import { startKubeFake, type KubeFake, type KubeObject } from '../../fakes/kube/index.js';
import { createAwsWorld, type AwsWorld } from '../support/aws-provider-world.js';
import { INGRESS_CLASS_YAML, ingressYaml, selectingServiceYaml, testOptions } from '../support/cluster.js';
import { assertNothingDenied, loadRbacAuthorizer, waitUnlessDenied } from '../support/rbac.js';

const rbac = loadRbacAuthorizer();
const until = (condition: () => boolean, timeoutMs = 15_000): Promise<void> => waitUnlessDenied(rbac, condition, timeoutMs);
const API_VERSIONS: Record<string, string> = { Ingress: 'networking.k8s.io/v1', IngressClass: 'networking.k8s.io/v1', EndpointSlice: 'discovery.k8s.io/v1' };
const STACK = 'shop/web';
const GATE = targetHealthGate(STACK, { key: 'shop/api:80/ip', service: { namespace: 'shop', name: 'api', port: 80 } });

const CLUSTER_YAML = `${INGRESS_CLASS_YAML}apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {${INJECT_LABEL}: enabled}}
---
${selectingServiceYaml('api', 'shop')}${ingressYaml({ name: 'web', namespace: 'shop', annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip', 'alb.ingress.kubernetes.io/scheme': 'internet-facing' }, rules: [{ host: 'web.test', paths: [{ path: '/', pathType: 'Prefix', service: 'api' }] }] })}`;

interface Endpoint {
  pod: string;
  ip: string;
  ready: boolean;
}

/** The EndpointSlice the EndpointSlice controller keeps for Service `api`. */
function endpointSlice(endpoints: readonly Endpoint[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: 'api-1',
      namespace: 'shop',
      labels: { 'kubernetes.io/service-name': 'api', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
    },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: endpoints.map(({ pod, ip, ready }) => ({
      addresses: [ip],
      conditions: { ready, serving: ready, terminating: false },
      targetRef: { kind: 'Pod', namespace: 'shop', name: pod },
      zone: 'us-east-1a',
    })),
  };
}

describe('Pod readiness gates, end to end on the Kubernetes API fake and the AWS fake', () => {
  let kube: KubeFake;
  let world: AwsWorld;
  let handle: KubeRunHandle;
  const endpoints: Endpoint[] = [];

  const pod = (name: string): KubeObject | undefined => kube.get('pods', 'shop', name);
  const gateOf = (name: string): { status?: string; reason?: string } | undefined =>
    ((pod(name)?.status as { conditions?: { type?: string; status?: string; reason?: string }[] } | undefined)?.conditions ?? []).find(
      (condition) => condition.type === GATE,
    );
  const registered = (): string[] =>
    world.fake.state
      .targetGroups()
      .flatMap((group) => world.fake.state.targets(group.arn))
      .map((target) => target.id)
      .sort();
  /** Our polls: DescribeTargetHealth naming targets (observe reads a whole group, naming none). */
  const polls = (): string[][] =>
    world.fake
      .calls()
      .filter((call) => call.action === 'DescribeTargetHealth' && (call.input as { Targets?: unknown[] }).Targets !== undefined)
      .map((call) => (call.input as { Targets: { Id?: string }[] }).Targets.map((target) => target.Id ?? '?'));

  /** The ReplicaSet controller creates the Pod through the API; the kubelet starts it; the EndpointSlice controller lists it, not ready. */
  async function startPod(name: string, ip: string): Promise<V1Pod> {
    const created = await kube
      .adminKubeConfig()
      .makeApiClient(CoreV1Api)
      .createNamespacedPod({ namespace: 'shop', body: { metadata: { name, labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'api' }] } } });
    kube.patch('pods', 'shop', name, {
      status: {
        podIP: ip,
        conditions: [
          { type: 'ContainersReady', status: 'True' },
          { type: 'Ready', status: 'False' },
        ],
      },
    });
    endpoints.push({ pod: name, ip, ready: false });
    kube.apply(endpointSlice(endpoints));
    return created;
  }

  /** The kubelet sees every readiness gate True: the Pod is Ready, and its endpoint with it. */
  function podReady(name: string): void {
    const conditions = ((pod(name)?.status as { conditions?: { type?: string }[] }).conditions ?? []).map((condition) =>
      condition.type === 'Ready' ? { ...condition, status: 'True' } : condition,
    );
    kube.patch('pods', 'shop', name, { status: { conditions } });
    for (const endpoint of endpoints) if (endpoint.pod === name) endpoint.ready = true;
    kube.apply(endpointSlice(endpoints));
  }

  before(async () => {
    kube = await startKubeFake();
    kube.setAuthorizer(rbac.authorize);
    world = createAwsWorld();
    const clients = createAwsClients({ region: 'us-east-1', budget: new ApiBudget(), credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    for (const document of parseAllDocuments(readFileSync(new URL('../../deploy/base/webhook.yaml', import.meta.url), 'utf8')))
      kube.apply(document.toJS() as KubeObject);
    for (const parsed of parseManifestFile(CLUSTER_YAML, 'e2e.yaml').objects)
      kube.apply(Object.assign({ kind: parsed.kind, apiVersion: API_VERSIONS[parsed.kind] ?? 'v1' }, parsed.object) as KubeObject);
    kube.apply(endpointSlice(endpoints));
    handle = await startKubeRun({
      connection: kube.connection(),
      provider: (options) =>
        new AwsProvider({ clusterName: options.clusterName, certificates: options.certificates, clients, retry: { maxAttempts: 8, sleep: async () => {} } }),
      providerSettings: {},
      translateOptions: () => testOptions({ clusterName: 'test', now: new Date() }),
      logger: createLogger('silent'),
      namespace: 'ingress-bridge',
      concurrency: 2,
      resyncMs: 600_000,
      metricsAddress: '127.0.0.1:0',
      healthAddress: '127.0.0.1:0',
      webhook: { address: '127.0.0.1:0', namespace: 'ingress-bridge', serviceName: 'ingress-bridge-webhook', configurationName: 'ingress-bridge' },
      readinessGates: { pollMs: 50 },
    });
    kube.routeService('ingress-bridge', 'ingress-bridge-webhook', 443, `https://127.0.0.1:${handle.webhook?.port() ?? 0}`);
    await until(() => world.fake.state.loadBalancers().length === 1);
  });
  afterEach(() => assertNothingDenied(rbac));
  after(async () => {
    await handle?.stop();
    await kube?.close();
    world?.close();
  });

  it('gates the first Pod, registers it while it waits on the gate alone, and sets the gate True once the target is healthy', async () => {
    const created = await startPod('api-1', '10.0.1.1');
    assert.deepEqual(
      created.spec?.readinessGates?.map((gate) => gate.conditionType),
      [GATE],
      'the webhook added the gate at creation',
    );
    await until(() => registered().includes('10.0.1.1'));
    await until(() => gateOf('api-1')?.status === 'True');
    assert.equal(gateOf('api-1')?.reason, 'TargetHealthy');
    podReady('api-1');
  });

  it("holds a rollout's new Pod not ready while its target is initial, polling only that target, one read per poll", async () => {
    world.fake.holdTargetHealth('10.0.1.2', 'initial');
    world.fake.resetCalls();
    await startPod('api-2', '10.0.1.2');
    await until(() => registered().includes('10.0.1.2'));
    await until(() => gateOf('api-2')?.reason === 'Elb.RegistrationInProgress');
    // Several polls later the target is still initial, so the gate is still False.
    await until(() => polls().length >= 3);
    assert.equal(gateOf('api-2')?.status, 'False');
    assert.equal(gateOf('api-1')?.status, 'True');
    assert.deepEqual(
      [...new Set(polls().map((targets) => targets.join(',')))],
      ['10.0.1.2'],
      'only the target not yet healthy is asked about, one call per poll',
    );
    assert.deepEqual(handle.controller.gates?.pollingStacks(), [STACK]);
  });

  it('opens the gate only after the load balancer reports the target healthy, then polls no more', async () => {
    assert.notEqual(gateOf('api-2')?.status, 'True');
    world.fake.holdTargetHealth('10.0.1.2', undefined);
    await until(() => gateOf('api-2')?.status === 'True');
    podReady('api-2');
    await until(() => handle.controller.gates?.backlog().pending === 0 && handle.controller.gates.pollingStacks().length === 0);
    assert.deepEqual(registered(), ['10.0.1.1', '10.0.1.2']);
  });
});
