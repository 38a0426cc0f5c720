/**
 * The controller as shipped — informers, work queue, status, finalizers and the AWS provider —
 * against the Kubernetes API fake and the stateful AWS fake.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { FINALIZER } from '../../src/controller/ingress-writer.js';
import { testCertificate } from '../../fakes/aws/fixtures.js';
import type { KubeFake } from '../../fakes/kube/index.js';
import type { AwsWorld } from '../support/aws-provider-world.js';
import { INGRESS_CLASS_YAML, ingressYaml, serviceYaml, type IngressFixture } from '../support/cluster.js';
import { startKubeAwsRun, type KubeAwsRun } from '../support/kube-aws-run.js';
import { assertNothingDenied, loadRbacAuthorizer, waitUnlessDenied } from '../support/rbac.js';
import { tlsSecretYaml } from '../support/local-lb.js';

// The controller runs with exactly the permissions deploy/base/rbac.yaml grants.
const rbac = loadRbacAuthorizer();
/** Waits for a condition; the failure names the condition's source, or the request RBAC denied. */
const until = (condition: () => boolean, timeoutMs = 10_000): Promise<void> => waitUnlessDenied(rbac, condition, timeoutMs);

const ingressFixture = (paths: string[]): IngressFixture => ({
  name: 'web',
  annotations: { 'ingress-bridge.io/target-type': 'ip', 'ingress-bridge.io/scheme': 'internet-facing' },
  tls: [{ hosts: ['web.test'], secretName: 'web-tls' }],
  rules: [{ host: 'web.test', paths: paths.map((path) => ({ path, pathType: 'Prefix', service: 'api' })) }],
});

describe('the controller with the AWS provider, against both fakes', () => {
  let kube: KubeFake;
  let world: AwsWorld;
  let run: KubeAwsRun;

  const apply = (yaml: string): void => run.apply(yaml);
  const loadBalancer = () => world.fake.state.loadBalancers()[0];
  const httpsRules = () => {
    const lb = loadBalancer();
    const listener = lb ? world.fake.state.listeners(lb.arn).find((candidate) => candidate.port === 443) : undefined;
    return listener ? world.fake.state.rules(listener.arn) : [];
  };
  const targets = () => world.fake.state.targetGroups().flatMap((group) => world.fake.state.targets(group.arn));
  const webIngress = () => kube.get('ingresses', 'default', 'web');

  before(async () => {
    run = await startKubeAwsRun({
      rbac,
      yaml:
        INGRESS_CLASS_YAML +
        serviceYaml({ name: 'api', endpoints: ['10.0.1.1', '10.0.1.2'] }) +
        tlsSecretYaml('web-tls', testCertificate({ commonName: 'web.test' })) +
        ingressYaml(ingressFixture(['/api'])),
    });
    ({ kube, world } = run);
  });
  afterEach(() => assertNothingDenied(rbac));
  after(async () => {
    await run?.stop();
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
