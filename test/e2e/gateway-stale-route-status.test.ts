/**
 * A route's status keeps an entry of ours only for a parent Gateway that is still ours and still
 * named: when the Gateway is deleted, its class is no longer ours, or the route stops naming it, our
 * controller's entry for it goes, and the entries other controllers wrote stay. The controller as
 * shipped against the Kubernetes API fake and the AWS fake.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startKubeRun, type KubeRunHandle } from '../../src/commands/run-cluster.js';
import { createLogger } from '../../src/observability/logger.js';
import { parseManifestFile } from '../../src/sources/manifests.js';
import type { RouteParentStatus } from '../../src/sources/gateway-kinds.js';
import { GATEWAY_CONTROLLER_NAME } from '../../src/translate/gateway/status.js';
import { AwsProvider } from '../../providers/aws/provider.js';
import { createAwsWorld, type AwsWorld } from '../support/aws-provider-world.js';
import { serviceYaml, testOptions } from '../support/cluster.js';
import { startKubeFake, waitFor, type KubeFake, type KubeObject } from '../../fakes/kube/index.js';
import { ApiBudget } from '../../providers/aws/sdk/budget.js';
import { createAwsClients } from '../../providers/aws/sdk/clients.js';
import { GATEWAY_CLASS_YAML, gatewayYaml } from '../support/gateway.js';

const API_VERSIONS: Record<string, string> = { EndpointSlice: 'discovery.k8s.io/v1' };
const OTHER_CONTROLLER = 'example.com/other-controller';

const routeYaml = (name: string, parents: string[]): string => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: default}
spec:
  parentRefs: [${parents.map((parent) => `{name: ${parent}}`).join(', ')}]
  rules:
  - backendRefs: [{name: api, port: 80}]
---
`;
const OTHER_CLASS_YAML = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: other}
spec: {controllerName: ${OTHER_CONTROLLER}}
---
`;
const GATEWAYS_YAML =
  gatewayYaml('a', ['{name: http, port: 80, protocol: HTTP}'], { annotations: { 'ingress-bridge.io/target-type': 'ip' } }) +
  gatewayYaml('b', ['{name: http, port: 80, protocol: HTTP}'], { annotations: { 'ingress-bridge.io/target-type': 'ip' } }) +
  gatewayYaml('c', ['{name: http, port: 80, protocol: HTTP}'], { annotations: { 'ingress-bridge.io/target-type': 'ip' } });

describe('stale route status entries of ours go when their Gateway does', () => {
  let kube: KubeFake;
  let world: AwsWorld;
  let handle: KubeRunHandle;

  const apply = (yaml: string): void => {
    for (const parsed of parseManifestFile(yaml, 'e2e.yaml').objects)
      // eslint-disable-next-line @typescript-eslint/no-misused-spread -- a parsed manifest is a plain object typed by the client's class; no prototype to lose
      kube.apply({ kind: parsed.kind, apiVersion: API_VERSIONS[parsed.kind] ?? 'v1', ...parsed.object } as KubeObject);
  };
  const parents = (route: string): RouteParentStatus[] =>
    (kube.get('httproutes', 'default', route)?.status as { parents?: RouteParentStatus[] } | undefined)?.parents ?? [];
  /** `controller:gateway` for each entry, sorted. */
  const entries = (route: string): string[] =>
    parents(route)
      .map((entry) => `${entry.controllerName === GATEWAY_CONTROLLER_NAME ? 'ours' : 'other'}:${entry.parentRef.name}`)
      .sort();
  const until = (condition: () => boolean): Promise<void> => waitFor(condition, { what: 'the route status', timeoutMs: 10_000 });

  before(async () => {
    kube = await startKubeFake();
    world = createAwsWorld();
    const clients = createAwsClients({ region: 'us-east-1', budget: new ApiBudget(), credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    apply(
      GATEWAY_CLASS_YAML +
        OTHER_CLASS_YAML +
        serviceYaml({ name: 'api', endpoints: ['10.0.1.1'] }) +
        GATEWAYS_YAML +
        routeYaml('deleted', ['a']) +
        routeYaml('moved', ['a', 'b']) +
        routeYaml('reclassed', ['c']),
    );
    // Another controller's entries, as it would have written them: ours must never touch them.
    for (const route of ['deleted', 'moved', 'reclassed']) {
      const other = { parentRef: { name: 'elsewhere' }, controllerName: OTHER_CONTROLLER, conditions: [] };
      kube.patch('httproutes', 'default', route, { status: { parents: [other] } });
    }
    handle = await startKubeRun({
      connection: kube.connection(),
      provider: (options) =>
        new AwsProvider({ clusterName: options.clusterName, certificates: options.certificates, clients, retry: { maxAttempts: 8, sleep: async () => {} } }),
      providerSettings: {},
      translateOptions: () => testOptions({ now: new Date() }),
      logger: createLogger('silent'),
      namespace: 'ingress-bridge',
      concurrency: 2,
      resyncMs: 600_000,
      metricsAddress: '127.0.0.1:0',
      healthAddress: '127.0.0.1:0',
    });
    await until(
      () =>
        entries('deleted').join() === 'other:elsewhere,ours:a' &&
        entries('moved').join() === 'other:elsewhere,ours:a,ours:b' &&
        entries('reclassed').join() === 'other:elsewhere,ours:c',
    );
  });
  after(async () => {
    await handle?.stop();
    await kube.close();
    world.close();
  });

  it('drops our entry for a parent the route no longer names, keeping the other parents', async () => {
    // A patch of the spec, as kubectl sends: the status stays as the controllers wrote it.
    kube.patch('httproutes', 'default', 'moved', { spec: { parentRefs: [{ name: 'b' }] } });
    await until(() => entries('moved').join() === 'other:elsewhere,ours:b');
    assert.equal(entries('deleted').join(), 'other:elsewhere,ours:a');
  });

  it('drops our entry once the parent Gateway is deleted', async () => {
    kube.remove('gateways', 'default', 'a');
    await until(() => kube.get('gateways', 'default', 'a') === undefined && entries('deleted').join() === 'other:elsewhere');
  });

  it('drops our entry once the parent Gateway is of a class that is not ours', async () => {
    kube.patch('gateways', 'default', 'c', { spec: { gatewayClassName: 'other' } });
    await until(() => entries('reclassed').join() === 'other:elsewhere');
    assert.equal(entries('moved').join(), 'other:elsewhere,ours:b');
  });
});
