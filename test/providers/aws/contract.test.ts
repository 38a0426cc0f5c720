/**
 * The provider contract (test/providers/contract.ts) against the AWS provider on the stateful AWS
 * fake. How each promise maps:
 * - a mutating call is a call the fake counts as mutating (Create*, Modify*, Delete*, Register*,
 *   AddTags, ImportCertificate, …), whether it succeeded or not;
 * - what is served is read from the fake: the live listener's rules through the ALB evaluator, the
 *   targets registered in the target groups they forward to, the certificate ACM holds for the SNI
 *   name on the HTTPS listener;
 * - the inventory is every load balancer, listener, rule, target group, certificate and security
 *   group that carries a tag of ours;
 * - a restart is a new provider over the same fake (nothing remembered); a crash is the fake
 *   failing every mutating call after the k-th (FakeCrash);
 * - foreign resources are seeded untagged, tagged for another cluster, or with some of our tags.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import type { LoadBalancerSpec } from '../../../src/model.js';
import { RESOURCE_TAG } from '../../../providers/aws/plan/tags.js';
import type { AwsFake } from '../../../fakes/aws/index.js';
import { evaluateAlbRequest, routeOf } from '../../support/alb-evaluator.js';
import { createAwsWorld, liveListener, ownedResources } from '../../support/aws-provider-world.js';
import { providerContract, type ContractWorld, type ServedRoute } from '../contract.js';

/** Private addresses the fake accepts as ip targets; no traffic is sent to them. */
const ADDRESSES = ['10.0.0.11', '10.0.0.12'] as const;

function loadBalancerOf(fake: AwsFake, spec: LoadBalancerSpec): ReturnType<AwsFake['state']['loadBalancers']>[number] | undefined {
  return fake.state.loadBalancers().find((lb) => lb.name === spec.stack.name);
}

function route(fake: AwsFake, spec: LoadBalancerSpec, url: string): ServedRoute {
  const live = liveListener(fake, spec.stack.name, 80);
  if (!live) return { route: 'none', targets: [] };
  const now = { ...spec, listeners: [live] };
  const evaluated = evaluateAlbRequest(now, { url });
  if (evaluated.kind !== 'forward') return { route: routeOf(now, url), targets: [] };
  const arnOf = (key: string): string | undefined =>
    fake.state.targetGroups().find((group) => fake.state.tagsOf(group.arn)[RESOURCE_TAG] === `TargetGroup/${key}`)?.arn;
  const targets = evaluated.targetGroupKeys.flatMap((key) => fake.state.targets(arnOf(key) ?? '')).map((target) => `${target.id}:${target.port}`);
  return { route: routeOf(now, url), targets: [...new Set(targets)].sort() };
}

/** The certificate an ALB presents for this SNI name: the listener's certificate that covers it, else its default. */
function certificateFor(fake: AwsFake, spec: LoadBalancerSpec, host: string): string | undefined {
  const lb = loadBalancerOf(fake, spec);
  const listener = lb && fake.state.listeners(lb.arn).find((candidate) => candidate.port === 443);
  if (!listener) return undefined;
  const arns = [listener.defaultCertificateArn, ...listener.extraCertificateArns];
  const candidates = fake.state.certificates().filter((certificate) => arns.includes(certificate.arn));
  const covers = (name: string): boolean => name === host || (name.startsWith('*.') && host.slice(host.indexOf('.')) === name.slice(1));
  const chosen =
    candidates.find((certificate) => [certificate.domainName, ...certificate.subjectAlternativeNames].some(covers)) ??
    candidates.find((certificate) => certificate.arn === listener.defaultCertificateArn);
  return chosen?.certificatePem === undefined ? undefined : new X509Certificate(chosen.certificatePem).fingerprint256;
}

/** ownedResources, plus the rules of our listeners (untagged rules would not show there). */
function inventory(fake: AwsFake): string[] {
  const ours = new Set(
    ownedResources(fake)
      .filter((entry) => entry.startsWith('lb:'))
      .map((entry) => entry.slice('lb:'.length)),
  );
  const rules = fake.state
    .loadBalancers()
    .filter((lb) => ours.has(lb.name))
    .flatMap((lb) =>
      fake.state.listeners(lb.arn).flatMap((listener) => fake.state.rules(listener.arn).map((rule) => `rule:${lb.name}:${listener.port}:${rule.priority}`)),
    );
  return [...ownedResources(fake), ...rules].sort();
}

/** Resources the provider must leave alone, and a check that it did. */
function plantForeign(world: ReturnType<typeof createAwsWorld>): () => void {
  const { fake, network } = world;
  const stack = 'default/shop';
  const foreignGroup = fake.seed.securityGroup({ name: 'foreign', vpcId: network.vpcId, tags: { owner: 'someone' } });
  const foreignLb = fake.seed.loadBalancer({ name: 'foreign', scheme: 'internal', subnetIds: network.internalSubnetIds, securityGroupIds: [foreignGroup] });
  const otherCluster = { 'ingress-bridge.io/cluster': 'other', 'ingress-bridge.io/stack': stack, 'ingress-bridge.io/resource': 'LoadBalancer' };
  const otherClusterLb = fake.seed.loadBalancer({ name: 'other-cluster', scheme: 'internal', subnetIds: network.internalSubnetIds, tags: otherCluster });
  const lookAlikeGroup = fake.seed.targetGroup({ name: 'look-alike', tags: { 'ingress-bridge.io/stack': stack } });
  fake.seed.listener({ loadBalancerArn: foreignLb, port: 80, targetGroupArn: lookAlikeGroup });
  const sameDomainCertificate = fake.seed.certificate({ domainName: 'a.test' });
  const ids = [foreignGroup, foreignLb, otherClusterLb, lookAlikeGroup, sameDomainCertificate];
  const state = (): string =>
    JSON.stringify({
      loadBalancers: fake.state
        .loadBalancers()
        .filter((lb) => ids.includes(lb.arn))
        .map((lb) => ({
          lb,
          tags: fake.state.tagsOf(lb.arn),
          listeners: fake.state.listeners(lb.arn).map((listener) => ({ listener, rules: fake.state.rules(listener.arn) })),
        })),
      targetGroups: fake.state
        .targetGroups()
        .filter((group) => ids.includes(group.arn))
        .map((group) => ({ group, tags: fake.state.tagsOf(group.arn), targets: fake.state.targets(group.arn) })),
      securityGroups: fake.state
        .securityGroups()
        .filter((group) => ids.includes(group.id))
        .map((group) => ({ group, rules: fake.state.securityGroupRules(group.id) })),
      certificates: fake.state
        .certificates()
        .filter((certificate) => ids.includes(certificate.arn))
        .map((certificate) => ({ certificate, tags: fake.state.tagsOf(certificate.arn) })),
    });
  const planted = state();
  assert.equal((JSON.parse(planted) as { loadBalancers: unknown[] }).loadBalancers.length, 2, 'the planted resources are there');
  return () => {
    const named = fake.mutatingCalls().filter((call) => ids.some((id) => JSON.stringify(call.input).includes(id)));
    assert.deepEqual(named, [], 'no mutating call names a resource that is not ours');
    assert.equal(state(), planted, 'every resource that is not ours is exactly as planted');
  };
}

providerContract({
  name: 'aws (on the AWS fake)',
  createWorld(setup): Promise<ContractWorld> {
    const aws = createAwsWorld();
    const newProvider = (): ReturnType<typeof aws.newProvider> => aws.newProvider({ material: setup.material });
    return Promise.resolve({
      provider: newProvider(),
      endpoints: { addresses: ADDRESSES, ports: { a: 8080, b: 8081 } },
      mutations: () => Promise.resolve(aws.fake.mutatingCalls().length),
      route: (spec, url) => Promise.resolve(route(aws.fake, spec, url)),
      certificateFor: (spec, host) => Promise.resolve(certificateFor(aws.fake, spec, host)),
      inventory: () => Promise.resolve(inventory(aws.fake)),
      restart: newProvider,
      crash: { after: (calls) => aws.fake.failAfterMutations(calls), clear: () => aws.fake.failAfterMutations(undefined) },
      foreign: { plant: () => Promise.resolve(plantForeign(aws)) },
      close: () => {
        aws.close();
        return Promise.resolve();
      },
    });
  },
});
