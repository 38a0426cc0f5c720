/**
 * The controller as shipped — informers, work queue, status, finalizers and the AWS provider —
 * against the Kubernetes API fake and the stateful AWS fake.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startKubeRun, type KubeRunHandle } from '../../src/commands/run-cluster.js';
import { FINALIZER } from '../../src/controller/ingress-writer.js';
import { createLogger } from '../../src/observability/logger.js';
import { parseManifestFile } from '../../src/sources/manifests.js';
import { AwsProvider } from '../../providers/aws/provider.js';
import { testCertificate } from '../../fakes/aws/fixtures.js';
import { createAwsWorld, type AwsWorld } from '../support/aws-provider-world.js';
import { INGRESS_CLASS_YAML, ingressYaml, serviceYaml, testOptions, type IngressFixture } from '../support/cluster.js';
import { startKubeFake, type KubeFake, type KubeObject } from '../../fakes/kube/index.js';
import { assertNothingDenied, loadRbacAuthorizer, waitUnlessDenied } from '../support/rbac.js';
import { tlsSecretYaml } from '../support/local-lb.js';
import { ApiBudget } from '../../providers/aws/sdk/budget.js';
import { createAwsClients } from '../../providers/aws/sdk/clients.js';

// The controller runs with exactly the permissions deploy/base/rbac.yaml grants.
const rbac = loadRbacAuthorizer();
/** Waits for a condition; the failure names the condition's source, or the request RBAC denied. */
const until = (condition: () => boolean, timeoutMs = 10_000): Promise<void> => waitUnlessDenied(rbac, condition, timeoutMs);
const API_VERSIONS: Record<string, string> = { Ingress: 'networking.k8s.io/v1', IngressClass: 'networking.k8s.io/v1', EndpointSlice: 'discovery.k8s.io/v1' };

const ingressFixture = (paths: string[]): IngressFixture => ({
  name: 'web',
  annotations: { 'ingress-bridge.io/target-type': 'ip', 'ingress-bridge.io/scheme': 'internet-facing' },
  tls: [{ hosts: ['web.test'], secretName: 'web-tls' }],
  rules: [{ host: 'web.test', paths: paths.map((path) => ({ path, pathType: 'Prefix', service: 'api' })) }],
});

describe('the controller with the AWS provider, against both fakes', () => {
  let kube: KubeFake;
  let world: AwsWorld;
  let handle: KubeRunHandle;

  const apply = (yaml: string): void => {
    for (const parsed of parseManifestFile(yaml, 'e2e.yaml').objects)
      // eslint-disable-next-line @typescript-eslint/no-misused-spread -- a parsed manifest is a plain object typed by the client's class; no prototype to lose
      fake().apply({ kind: parsed.kind, apiVersion: API_VERSIONS[parsed.kind] ?? 'v1', ...parsed.object } as KubeObject);
  };
  const fake = (): KubeFake => kube;
  const loadBalancer = () => world.fake.state.loadBalancers()[0];
  const httpsRules = () => {
    const lb = loadBalancer();
    const listener = lb ? world.fake.state.listeners(lb.arn).find((candidate) => candidate.port === 443) : undefined;
    return listener ? world.fake.state.rules(listener.arn) : [];
  };
  const targets = () => world.fake.state.targetGroups().flatMap((group) => world.fake.state.targets(group.arn));
  const webIngress = () => kube.get('ingresses', 'default', 'web');

  before(async () => {
    kube = await startKubeFake();
    kube.setAuthorizer(rbac.authorize);
    world = createAwsWorld();
    const clients = createAwsClients({ region: 'us-east-1', budget: new ApiBudget(), credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    apply(
      INGRESS_CLASS_YAML +
        serviceYaml({ name: 'api', endpoints: ['10.0.1.1', '10.0.1.2'] }) +
        tlsSecretYaml('web-tls', testCertificate({ commonName: 'web.test' })) +
        ingressYaml(ingressFixture(['/api'])),
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

  it('creates the load balancer and writes its DNS name into the Ingress status', async () => {
    await until(() => {
      const status = webIngress()?.status as { loadBalancer?: { ingress?: { hostname?: string }[] } } | undefined;
      return loadBalancer() !== undefined && status?.loadBalancer?.ingress?.[0]?.hostname === loadBalancer()?.dnsName.toLowerCase();
    });
    assert.deepEqual(webIngress()?.metadata.finalizers, [FINALIZER]);
    assert.deepEqual(
      targets()
        .map((target) => target.id)
        .sort(),
      ['10.0.1.1', '10.0.1.2'],
    );
    assert.equal(world.fake.state.certificates().length, 1);
  });

  it('changes the rule when a path is edited', async () => {
    apply(ingressYaml(ingressFixture(['/v2'])));
    await until(() => JSON.stringify(httpsRules().map((rule) => rule.conditions)).includes('/v2'));
    assert.doesNotMatch(JSON.stringify(httpsRules().map((rule) => rule.conditions)), /"\/api"/);
  });

  it('follows the endpoints as they scale', async () => {
    apply(serviceYaml({ name: 'api', endpoints: ['10.0.1.1', '10.0.1.2', '10.0.1.3', '10.0.1.4'] }));
    await until(() => targets().length === 4);
    apply(serviceYaml({ name: 'api', endpoints: ['10.0.1.4'] }));
    await until(() => targets().length === 1 && targets()[0]?.id === '10.0.1.4');
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

  it('deletes every cloud resource, then the finalizer, then the Ingress goes', async () => {
    kube.remove('ingresses', 'default', 'web');
    await until(() => webIngress() === undefined);
    assert.deepEqual(world.fake.state.loadBalancers(), []);
    assert.deepEqual(world.fake.state.targetGroups(), []);
    await until(() => world.fake.state.certificates().length === 0);
  });
});
