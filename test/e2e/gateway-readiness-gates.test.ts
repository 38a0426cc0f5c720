/**
 * Pod readiness gates for a Gateway's target groups, end to end: the controller as shipped
 * (informers, admission webhook, work queue, AWS provider, readiness-gate tracker) under
 * deploy/base's RBAC, against the Kubernetes API fake and the AWS fake. A Pod selected by a Service
 * that an HTTPRoute of an ip-target Gateway sends to gets that target group's gate at creation, and
 * the gate turns True only once the load balancer reports its target healthy, as for an Ingress.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, afterEach, before, describe, it } from 'node:test';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { startKubeRun, type KubeRunHandle } from '../../src/commands/run-cluster.js';
import { INJECT_LABEL } from '../../src/controller/pod-gate-injection.js';
import { gatedTargetGroups } from '../../src/controller/pod-gates.js';
import { createLogger } from '../../src/observability/logger.js';
import { parseManifestFile } from '../../src/sources/manifests.js';
import { AwsProvider } from '../../providers/aws/provider.js';
import { ApiBudget } from '../../providers/aws/sdk/budget.js';
import { createAwsClients } from '../../providers/aws/sdk/clients.js';
import { startKubeFake, type KubeFake, type KubeObject } from '../../fakes/kube/index.js';
import { createAwsWorld, type AwsWorld } from '../support/aws-provider-world.js';
import { selectingServiceYaml, testOptions } from '../support/cluster.js';
import { GATEWAY_CLASS_YAML, gatewaySpec, gatewayYaml, translateGatewayYaml } from '../support/gateway.js';
import { assertNothingDenied, loadRbacAuthorizer, waitUnlessDenied } from '../support/rbac.js';

const rbac = loadRbacAuthorizer();
const until = (condition: () => boolean, timeoutMs = 15_000): Promise<void> => waitUnlessDenied(rbac, condition, timeoutMs);
const API_VERSIONS: Record<string, string> = { EndpointSlice: 'discovery.k8s.io/v1' };
const OPTIONS = () => testOptions({ clusterName: 'test', now: new Date() });

const CLUSTER_YAML = `${GATEWAY_CLASS_YAML}apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {${INJECT_LABEL}: enabled}}
---
${selectingServiceYaml('api', 'shop')}${gatewayYaml('web', ['{name: http, port: 80, protocol: HTTP}'], {
  namespace: 'shop',
  annotations: { 'ingress-bridge.io/target-type': 'ip', 'ingress-bridge.io/scheme': 'internet-facing' },
})}apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api, namespace: shop}
spec:
  parentRefs: [{name: web}]
  rules:
  - backendRefs: [{name: api, port: 80}]
---
`;
/** The gate of the Gateway's one ip target group, as translate names it. */
const [GATE] = gatedTargetGroups(gatewaySpec(translateGatewayYaml(CLUSTER_YAML, OPTIONS()), 'web', 'shop')).map((group) => group.gate);

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

describe('Pod readiness gates for a Gateway, end to end on the Kubernetes API fake and the AWS fake', () => {
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

  /** The ReplicaSet controller creates the Pod through the API (so the webhook is called); the kubelet starts it; it is listed, not ready. */
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

  before(async () => {
    assert.ok(GATE, 'the Gateway has an ip target group');
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
      translateOptions: OPTIONS,
      logger: createLogger('silent'),
      namespace: 'ingress-bridge',
      concurrency: 2,
      resyncMs: 600_000,
      metricsAddress: '127.0.0.1:0',
      healthAddress: '127.0.0.1:0',
      webhook: { address: '127.0.0.1:0', namespace: 'ingress-bridge', serviceName: 'ingress-bridge-webhook', configurationName: 'ingress-bridge' },
      // Short, so that the False gate held past it shows the tracker counts it as the Gateway's (an orphan would be set True).
      readinessGates: { pollMs: 50, orphanDelayMs: 50 },
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

  it("gives a Pod behind the Gateway's route that target group's gate at creation", async () => {
    world.fake.holdTargetHealth('10.0.1.1', 'initial');
    const created = await startPod('api-1', '10.0.1.1');
    assert.deepEqual(
      created.spec?.readinessGates?.map((gate) => gate.conditionType),
      [GATE],
    );
  });

  it('holds the gate False while the target is initial, past the orphan delay, then True once it is healthy', async () => {
    await until(() => registered().includes('10.0.1.1'));
    await until(() => gateOf('api-1')?.reason === 'Elb.RegistrationInProgress');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(gateOf('api-1')?.status, 'False');
    world.fake.holdTargetHealth('10.0.1.1', undefined);
    await until(() => gateOf('api-1')?.status === 'True');
    assert.equal(gateOf('api-1')?.reason, 'TargetHealthy');
  });
});
