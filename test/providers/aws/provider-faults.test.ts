/**
 * The AWS provider against the stateful fake when things go wrong: the controller dies after any
 * mutating call of a create, AWS throttles, and other people's resources share the account.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { LoadBalancerSpec } from '../../../src/model.js';
import { RESOURCE_TAG } from '../../../providers/aws/plan/tags.js';
import type { AwsFake } from '../../../fakes/aws/index.js';
import { actionsOf, type AwsWorld, createAwsWorld, ownedResources, planNow, reconcile, specOf, tlsSecret } from '../../support/aws-provider-world.js';
import { ingressYaml, serviceYaml } from '../../support/cluster.js';

const STACK = 'default/shop';
const TLS = tlsSecret('default', 'shop-tls', 'shop.example.com');

function shopSpec(): LoadBalancerSpec {
  return specOf(
    TLS.yaml +
      serviceYaml({ name: 'web' }) +
      serviceYaml({ name: 'api', endpoints: ['10.0.0.2', '10.0.0.3'] }) +
      ingressYaml({
        name: 'shop',
        annotations: {
          'alb.ingress.kubernetes.io/target-type': 'ip',
          'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP":80},{"HTTPS":443}]',
          'alb.ingress.kubernetes.io/target-group-attributes': 'deregistration_delay.timeout_seconds=30',
        },
        tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
        rules: [
          {
            host: 'shop.example.com',
            paths: [
              { path: '/', pathType: 'Prefix', service: 'web' },
              { path: '/api', pathType: 'Prefix', service: 'api' },
            ],
          },
        ],
      }),
  );
}

const worlds: AwsWorld[] = [];
/** A world with the fake installed; installing one uninstalls the one before (aws-sdk-client-mock). */
function newWorld(): AwsWorld {
  const world = createAwsWorld();
  worlds.push(world);
  return world;
}
afterEach(() => {
  for (const world of worlds.splice(0)) world.close();
});

/** What the stack looks like, with every id replaced by a name, so two worlds can be compared. */
function shape(fake: AwsFake): unknown {
  const nameOf = new Map<string, string>();
  for (const group of fake.state.targetGroups()) nameOf.set(group.arn, group.name);
  for (const certificate of fake.state.certificates()) nameOf.set(certificate.arn, `certificate:${certificate.domainName}`);
  for (const group of fake.state.securityGroups()) nameOf.set(group.id, `sg:${group.name}`);
  const named = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value, (_, item: unknown) => (typeof item === 'string' ? (nameOf.get(item) ?? item) : item)));
  return named({
    loadBalancers: fake.state.loadBalancers().map((lb) => ({
      name: lb.name,
      scheme: lb.scheme,
      securityGroups: lb.securityGroupIds,
      tags: fake.state.tagsOf(lb.arn),
      listeners: fake.state.listeners(lb.arn).map((listener) => ({
        port: listener.port,
        certificate: listener.defaultCertificateArn,
        defaultActions: listener.defaultActions,
        rules: fake.state
          .rules(listener.arn)
          .map((rule) => ({ priority: rule.priority, conditions: rule.conditions, actions: rule.actions, tags: fake.state.tagsOf(rule.arn) })),
      })),
    })),
    targetGroups: fake.state.targetGroups().map((group) => ({
      name: group.name,
      attributes: group.attributes,
      tags: fake.state.tagsOf(group.arn),
      targets: fake.state
        .targets(group.arn)
        .map((target) => `${target.id}:${target.port}`)
        .sort(),
    })),
    certificates: fake.state.certificates().map((certificate) => ({ name: certificate.domainName, tags: fake.state.tagsOf(certificate.arn) })),
    securityGroups: fake.state.securityGroups().map((group) => ({ name: group.name, rules: fake.state.securityGroupRules(group.id).length })),
  });
}

describe('AWS provider: crashes, throttling, neighbours', () => {
  it('converges after a crash following any mutating call of a create, with nothing leaked or duplicated', async () => {
    const clean = newWorld();
    await reconcile(clean.newProvider({ material: TLS.material }), STACK, shopSpec());
    const mutations = clean.fake.mutatingCalls().length;
    const expected = shape(clean.fake);
    assert.ok(mutations >= 10, `the create makes ${mutations} mutating calls`);

    for (let k = 0; k < mutations; k += 1) {
      const world = newWorld();
      world.fake.failAfterMutations(k);
      const crashed = world.newProvider({ material: TLS.material });
      const spec = shopSpec();
      const result = await crashed.apply(crashed.diff(spec, await crashed.observe({ id: STACK }, spec)));
      assert.ok(
        result.outcomes.some((outcome) => outcome.error?.includes('FakeCrash')),
        `crash after ${k} mutations`,
      );
      assert.equal(result.diagnostics.length, 1, 'the failure is reported on the Ingress');
      world.fake.failAfterMutations(undefined);

      const restarted = world.newProvider({ material: TLS.material });
      await reconcile(restarted, STACK, spec);
      assert.deepEqual(actionsOf(await planNow(world.newProvider({ material: TLS.material }), STACK, spec)), [], `converged after a crash at ${k}`);
      assert.deepEqual(shape(world.fake), expected, `same stack as an uninterrupted create, crash at ${k}`);
      world.close();
    }
  });

  it('retries throttled calls and converges with 30% of calls throttled', async () => {
    const world = newWorld();
    world.fake.throttle({ probability: 0.3, seed: 1 });
    const provider = world.newProvider({ material: TLS.material });
    await reconcile(provider, STACK, shopSpec());
    assert.deepEqual(actionsOf(await planNow(provider, STACK, shopSpec())), []);
    const throttled = world.fake.calls().filter((call) => call.error !== undefined);
    assert.ok(throttled.length > 5, `${throttled.length} calls were throttled`);
    assert.ok(throttled.every((call) => /Throttl|RequestLimitExceeded/.test(call.error ?? '')));
    assert.ok(world.retries.length >= throttled.length / 2, `${world.retries.length} retries for ${throttled.length} throttled calls`);

    const clean = newWorld();
    await reconcile(clean.newProvider({ material: TLS.material }), STACK, shopSpec());
    assert.deepEqual(shape(world.fake), shape(clean.fake));
  });

  it('never modifies or deletes a load balancer, target group, security group or certificate that is not ours', async () => {
    const world = newWorld();
    const { fake, network } = world;
    const otherTags = { 'ingress-bridge.io/cluster': 'other', 'ingress-bridge.io/stack': STACK, 'ingress-bridge.io/resource': 'LoadBalancer' };
    const foreignGroup = fake.seed.securityGroup({ name: 'foreign', vpcId: network.vpcId, tags: { owner: 'someone' } });
    const foreignLb = fake.seed.loadBalancer({ name: 'foreign', scheme: 'internal', subnetIds: network.internalSubnetIds, securityGroupIds: [foreignGroup] });
    const otherClusterLb = fake.seed.loadBalancer({ name: 'other-cluster', scheme: 'internal', subnetIds: network.internalSubnetIds, tags: otherTags });
    const foreignTargetGroup = fake.seed.targetGroup({ name: 'foreign', tags: { 'ingress-bridge.io/stack': STACK } });
    fake.seed.listener({ loadBalancerArn: foreignLb, port: 80, targetGroupArn: foreignTargetGroup });
    const foreignCertificate = fake.seed.certificate({ domainName: 'shop.example.com' });
    const foreignIds = [foreignGroup, foreignLb, otherClusterLb, foreignTargetGroup, foreignCertificate];
    const before = JSON.stringify(shape(fake));

    const provider = world.newProvider({ material: TLS.material });
    await reconcile(provider, STACK, shopSpec());
    await reconcile(
      provider,
      STACK,
      specOf(serviceYaml({ name: 'web' }) + ingressYaml({ name: 'shop', rules: [{ paths: [{ path: '/', pathType: 'Prefix', service: 'web' }] }] })),
    );
    await provider.delete({ id: STACK });

    const touched = fake.mutatingCalls().filter((call) => foreignIds.some((id) => JSON.stringify(call.input).includes(id)));
    assert.deepEqual(touched, []);
    assert.equal(JSON.stringify(shape(fake)), before, 'the account is exactly as it was before our stack came and went');
    assert.deepEqual(ownedResources(fake), ['lb:other-cluster', 'tg:foreign']);
    assert.equal(fake.state.tagsOf(otherClusterLb)[RESOURCE_TAG], 'LoadBalancer');
  });

  it('reports a permanent failure on every Ingress of the stack, naming the call', async () => {
    const world = newWorld();
    const spec = shopSpec();
    const provider = world.newProvider({ material: {} });
    const result = await provider.apply(provider.diff(spec, await provider.observe({ id: STACK }, spec)));
    const failed = result.outcomes.filter((outcome) => outcome.error !== undefined);
    assert.equal(failed.length, 1);
    assert.equal(failed[0]?.operation.action, 'ImportCertificate');
    assert.deepEqual(
      result.diagnostics.map((diagnostic) => [diagnostic.severity, diagnostic.object.name]),
      [['error', 'shop']],
    );
    assert.match(result.diagnostics[0]?.message ?? '', /ImportCertificate .*shop-tls is not available/);
  });
});
