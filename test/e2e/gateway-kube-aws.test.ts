/**
 * Gateway API end to end: the controller as shipped (informers, work queue, status writing) against
 * the Kubernetes API fake and the AWS fake, under deploy/base/rbac.yaml. A Gateway's HTTPS listener
 * names a TLS Secret in certificateRefs: it is imported into ACM, re-imported in place when rotated,
 * and deleted once the Gateway is gone; status carries the address and follows the generation.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startKubeRun, type KubeRunHandle } from '../../src/commands/run-cluster.js';
import { FINALIZER } from '../../src/controller/ingress-writer.js';
import { createLogger } from '../../src/observability/logger.js';
import { parseManifestFile } from '../../src/sources/manifests.js';
import type { GatewayCondition } from '../../src/sources/gateway-kinds.js';
import { AwsProvider } from '../../providers/aws/provider.js';
import { testCertificate } from '../../fakes/aws/fixtures.js';
import { createAwsWorld, liveListener, type AwsWorld } from '../support/aws-provider-world.js';
import { serviceYaml, testOptions } from '../support/cluster.js';
import { startKubeFake, type KubeFake, type KubeObject } from '../../fakes/kube/index.js';
import { assertNothingDenied, loadRbacAuthorizer, waitUnlessDenied } from '../support/rbac.js';
import { tlsSecretYaml } from '../support/local-lb.js';
import { ApiBudget } from '../../providers/aws/sdk/budget.js';
import { createAwsClients } from '../../providers/aws/sdk/clients.js';
import { GATEWAY_CLASS_YAML } from '../support/gateway.js';
import { routeOf } from '../support/alb-evaluator.js';
import type { LoadBalancerSpec } from '../../src/model.js';

const rbac = loadRbacAuthorizer();
const until = (condition: () => boolean, timeoutMs = 10_000): Promise<void> => waitUnlessDenied(rbac, condition, timeoutMs);
const API_VERSIONS: Record<string, string> = { EndpointSlice: 'discovery.k8s.io/v1' };

const gatewayYaml = (paths: string): string => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: web
  namespace: default
  annotations: {ingress-bridge.io/target-type: ip, ingress-bridge.io/scheme: internet-facing}
spec:
  gatewayClassName: ingress-bridge
  listeners:
  - name: https
    port: 443
    protocol: HTTPS
    hostname: web.test
    tls:
      certificateRefs: [{name: web-tls}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api, namespace: default}
spec:
  parentRefs: [{name: web}]
  rules:
${paths}
---
`;
const ROUTE_RULES =
  '  - matches: [{path: {type: PathPrefix, value: /api}}]\n    backendRefs: [{name: api, port: 80}]\n  - matches: [{path: {type: Exact, value: /api/v1}}]\n    backendRefs: [{name: v1, port: 80}]';

type GatewayStatus = { addresses?: { type?: string; value?: string }[]; conditions?: GatewayCondition[]; listeners?: { attachedRoutes?: number }[] };
type RouteStatus = { parents?: { controllerName?: string; conditions?: GatewayCondition[] }[] };

describe('Gateway API with the AWS provider, against both fakes', () => {
  let kube: KubeFake;
  let world: AwsWorld;
  let handle: KubeRunHandle;

  const apply = (yaml: string): void => {
    for (const parsed of parseManifestFile(yaml, 'e2e.yaml').objects)
      // eslint-disable-next-line @typescript-eslint/no-misused-spread -- a parsed manifest is a plain object typed by the client's class; no prototype to lose
      kube.apply({ kind: parsed.kind, apiVersion: API_VERSIONS[parsed.kind] ?? 'v1', ...parsed.object } as KubeObject);
  };
  const gateway = () => kube.get('gateways', 'default', 'web');
  const gatewayStatus = () => gateway()?.status as GatewayStatus | undefined;
  const routeStatus = () => kube.get('httproutes', 'default', 'api')?.status as RouteStatus | undefined;
  const loadBalancer = () => world.fake.state.loadBalancers()[0];
  const listenerSpec = (): LoadBalancerSpec | undefined => {
    const lb = loadBalancer();
    const listener = lb && liveListener(world.fake, lb.name, 443);
    if (!listener) return undefined;
    // The evaluator names a forward by its target group's Service: the keys (`namespace/name:port/type`) say it.
    const keys = listener.rules.flatMap((rule) =>
      rule.actions.flatMap((action) => (action.type === 'forward' ? action.targetGroups.map((group) => group.targetGroupKey) : [])),
    );
    const targetGroups = [...new Set(keys)].map((key) => {
      const [, namespace = '', name = '', port = '0'] = /^([^/]+)\/([^:]+):(\d+)/.exec(key) ?? [];
      return { key, service: { namespace, name, port: Number(port) } };
    });
    return { listeners: [listener], targetGroups } as unknown as LoadBalancerSpec;
  };

  before(async () => {
    kube = await startKubeFake();
    kube.setAuthorizer(rbac.authorize);
    world = createAwsWorld();
    const clients = createAwsClients({ region: 'us-east-1', budget: new ApiBudget(), credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    apply(
      GATEWAY_CLASS_YAML +
        serviceYaml({ name: 'api', endpoints: ['10.0.1.1'] }) +
        serviceYaml({ name: 'v1', endpoints: ['10.0.2.1'], nodePort: 30081 }) +
        tlsSecretYaml('web-tls', testCertificate({ commonName: 'web.test' })) +
        gatewayYaml(ROUTE_RULES),
    );
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
  });
  afterEach(() => assertNothingDenied(rbac));
  after(async () => {
    await handle?.stop();
    await kube.close();
    world.close();
    assertNothingDenied(rbac);
  });

  it('creates the load balancer, imports the certificateRefs Secret into ACM and writes the address into the Gateway status', async () => {
    await until(() => loadBalancer() !== undefined && gatewayStatus()?.addresses?.[0]?.value === loadBalancer()?.dnsName.toLowerCase());
    const programmed = gatewayStatus()?.conditions?.find((entry) => entry.type === 'Programmed');
    assert.equal(programmed?.status, 'True');
    assert.equal(programmed?.observedGeneration, 1);
    assert.equal(gatewayStatus()?.listeners?.[0]?.attachedRoutes, 1);
    assert.deepEqual(gateway()?.metadata.finalizers, [FINALIZER]);
    const certificates = world.fake.state.certificates();
    assert.equal(certificates.length, 1);
    assert.equal(certificates[0]?.domainName, 'web.test');
    await until(() => routeStatus()?.parents?.[0]?.conditions?.find((entry) => entry.type === 'Accepted')?.status === 'True');
  });

  it('routes as the specification says on the ALB the fake holds', async () => {
    await until(() => listenerSpec() !== undefined);
    const spec = listenerSpec() as LoadBalancerSpec;
    assert.deepEqual(
      ['https://web.test/api/v1', 'https://web.test/api/v2', 'https://web.test/other', 'https://other.test/api'].map((url) => routeOf(spec, url)),
      ['default/v1:80', 'default/api:80', '404', '404'],
    );
  });

  it('writes status only when it changes: a resync of the converged Gateway patches nothing', async () => {
    const statusPatches = (): number =>
      kube.requests({ method: 'PATCH' }).filter((record) => record.path.includes('gateway.networking.k8s.io') && record.path.endsWith('/status')).length;
    await until(() => routeStatus()?.parents?.[0]?.conditions !== undefined);
    // Settled: no status write for a while (the first reconciles may still be writing).
    for (let last = -1; last !== statusPatches();) {
      last = statusPatches();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const before = statusPatches();
    handle.controller.queue.enqueue('gateway:default/web', 'resync', { full: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const paths = kube
      .requests({ method: 'PATCH' })
      .filter((record) => record.path.endsWith('/status'))
      .map((record) => record.path);
    assert.equal(statusPatches(), before, paths.slice(before).join(', '));
  });

  it('re-imports a rotated Secret under the same certificate ARN', async () => {
    const [before] = world.fake.state.certificates();
    apply(tlsSecretYaml('web-tls', testCertificate({ commonName: 'web.test' })));
    await until(() => (world.fake.state.certificates()[0]?.importCount ?? 0) > (before?.importCount ?? 0));
    assert.deepEqual(
      world.fake.state.certificates().map((certificate) => certificate.arn),
      [before?.arn],
    );
  });

  it('bumps observedGeneration when the route changes, and reports a missing backend with BackendNotFound and a Warning Event', async () => {
    apply(gatewayYaml('  - backendRefs: [{name: nowhere, port: 80}]'));
    await until(() => {
      const parent = routeStatus()?.parents?.[0];
      const resolved = parent?.conditions?.find((entry) => entry.type === 'ResolvedRefs');
      return resolved?.reason === 'BackendNotFound' && resolved.observedGeneration === 2;
    });
    type Event = { involvedObject?: { kind?: string; name?: string }; reason?: string; message?: string };
    await until(() =>
      (kube.list('events', 'default') as Event[]).some(
        (event) => event.involvedObject?.kind === 'HTTPRoute' && event.involvedObject.name === 'api' && event.reason === 'InvalidHTTPRoute',
      ),
    );
    const event = (kube.list('events', 'default') as Event[]).find((entry) => entry.reason === 'InvalidHTTPRoute');
    assert.match(event?.message ?? '', /^spec\.rules\[0\]\.backendRefs\[0\]: Service default\/nowhere does not exist/);
  });

  it('deletes the load balancer, then the finalizer, then the imported certificate once the Gateway is gone', async () => {
    kube.remove('gateways', 'default', 'web');
    await until(() => gateway() === undefined);
    assert.deepEqual(world.fake.state.loadBalancers(), []);
    assert.deepEqual(world.fake.state.targetGroups(), []);
    await until(() => world.fake.state.certificates().length === 0);
  });
});
