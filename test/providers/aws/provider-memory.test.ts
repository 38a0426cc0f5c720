/**
 * A change costs what it touches: the AWS provider remembers each stack, written through from its own
 * successful calls, and a reconcile that reads only changes (`read: 'changes'`) reads from AWS only
 * what the change must verify. The memory must plan exactly as a full observe would; drift made
 * behind its back is found by the next full observe; a failed apply makes the next observe full.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { LoadBalancerSpec } from '../../../src/model.js';
import type { AwsObserved } from '../../../providers/aws/observe/observed.js';
import type { AwsPlan } from '../../../providers/aws/plan/aws-plan.js';
import type { AwsProvider } from '../../../providers/aws/provider.js';
import { actionsOf, type AwsWorld, createAwsWorld, planNow, reconcile, specOf, tlsSecret } from '../../support/aws-provider-world.js';
import { ingressYaml, serviceYaml, type IngressFixture, type PathFixture } from '../../support/cluster.js';

const STACK = 'default/shop';
const TLS = tlsSecret('default', 'shop-tls', 'a.example.com');
const SERVICES = serviceYaml({ name: 'web' }) + serviceYaml({ name: 'api', endpoints: ['10.0.0.2'] }) + serviceYaml({ name: 'docs', endpoints: ['10.0.0.4'] });
const PATHS: PathFixture[] = [
  { path: '/', pathType: 'Prefix', service: 'web' },
  { path: '/api', pathType: 'Prefix', service: 'api' },
];
const TWO_LISTENERS = { 'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP":80},{"HTTPS":443}]' };

function shop(fixture: Partial<IngressFixture> = {}, services = SERVICES): LoadBalancerSpec {
  return specOf(
    TLS.yaml +
      services +
      ingressYaml({
        name: 'shop',
        tls: [{ hosts: ['a.example.com'], secretName: 'shop-tls' }],
        rules: [{ host: 'a.example.com', paths: PATHS }],
        ...fixture,
        annotations: { ...TWO_LISTENERS, ...fixture.annotations },
      }),
  );
}

let world: AwsWorld;
beforeEach(() => {
  world = createAwsWorld();
});
afterEach(() => world.close());

/** One reconcile as the controller runs it between resyncs: observe reads only what the change touches. */
async function reconcileChanges(provider: AwsProvider, spec: LoadBalancerSpec | undefined): Promise<AwsPlan> {
  const plan = provider.diff(spec, await provider.observe({ id: STACK }, spec, { read: 'changes' }));
  const result = await provider.apply(plan);
  assert.deepEqual(
    result.outcomes.filter((outcome) => outcome.error !== undefined),
    [],
  );
  return plan;
}

/** A plan as a sorted list of calls, so two plans made from differently ordered observations compare. */
function calls(plan: AwsPlan): string[] {
  return plan.operations.map((operation) => JSON.stringify([operation.action, operation.resource, operation.detail.input])).sort();
}

function readCalls(): string[] {
  return world.fake
    .calls()
    .map((call) => call.action)
    .filter((action) => /^(Describe|List|Get)/.test(action));
}

describe('AWS provider: what it remembers', () => {
  const steps: [string, LoadBalancerSpec][] = [
    ['a path added', shop({ rules: [{ host: 'a.example.com', paths: [...PATHS, { path: '/docs', pathType: 'Prefix', service: 'docs' }] }] })],
    ['a path edited', shop({ rules: [{ host: 'a.example.com', paths: [PATHS[0] as PathFixture, { path: '/v2', pathType: 'Prefix', service: 'api' }] }] })],
    [
      'paths reordered across hosts',
      shop({
        rules: [
          { host: 'b.example.com', paths: [PATHS[0] as PathFixture] },
          { host: 'a.example.com', paths: PATHS },
        ],
      }),
    ],
    [
      'attributes',
      shop({
        annotations: {
          'alb.ingress.kubernetes.io/target-group-attributes': 'deregistration_delay.timeout_seconds=30',
          'alb.ingress.kubernetes.io/load-balancer-attributes': 'idle_timeout.timeout_seconds=120',
        },
      }),
    ],
    ['a health check', shop({}, SERVICES.replace('name: api\n', 'name: api\n  annotations:\n    alb.ingress.kubernetes.io/healthcheck-path: "/healthz"\n'))],
    ['tags', shop({ annotations: { 'alb.ingress.kubernetes.io/tags': 'team=shop' } })],
    [
      'endpoints',
      shop({}, serviceYaml({ name: 'web', endpoints: ['10.0.0.7', '10.0.0.8'] }) + serviceYaml({ name: 'api', endpoints: ['10.0.0.2', '10.0.0.3'] })),
    ],
    ['the target type', shop({ annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip' } })],
    ['back to the start', shop()],
  ];

  it('plans every next change from memory exactly as from a full observe, and converges as it goes', async () => {
    const provider = world.newProvider({ material: TLS.material });
    await reconcile(provider, STACK, shop());
    for (const [what, spec] of steps) {
      const remembered = provider.remembered(STACK);
      assert.ok(remembered, `remembered before ${what}`);
      const fresh = await planNow(world.newProvider({ material: TLS.material }), STACK, spec);
      const view: AwsObserved = { ...remembered, lookups: { discoveredCertificates: [], certificateProblems: {}, backendGroupIds: [] } };
      const fromMemory = provider.diff(spec, view);
      assert.deepEqual(calls(fromMemory), calls(fresh), `${what}: the memory plans as a full observe does`);
      await reconcileChanges(provider, spec);
      assert.deepEqual(actionsOf(await planNow(world.newProvider({ material: TLS.material }), STACK, spec)), [], `${what}: converged`);
    }
  });

  it('an unchanged stack costs no call at all', async () => {
    const provider = world.newProvider({ material: TLS.material });
    await reconcile(provider, STACK, shop());
    world.fake.resetCalls();
    assert.deepEqual(actionsOf(await reconcileChanges(provider, shop())), []);
    assert.deepEqual(world.fake.calls(), []);
  });

  it('an edited path reads the rules of its listeners and nothing else, then modifies them in place', async () => {
    const provider = world.newProvider({ material: TLS.material });
    await reconcile(provider, STACK, shop());
    world.fake.resetCalls();
    const plan = await reconcileChanges(
      provider,
      shop({ rules: [{ host: 'a.example.com', paths: [PATHS[0] as PathFixture, { path: '/v2', pathType: 'Prefix', service: 'api' }] }] }),
    );
    assert.ok(plan.operations.length > 0 && plan.operations.every((operation) => operation.resource.startsWith('Rule/')), actionsOf(plan).join(', '));
    assert.deepEqual(readCalls().sort(), ['DescribeRules', 'DescribeRules'], "one DescribeRules per listener; the rules' tags are known");
  });

  it("reads the spec's lookups once: an edited path of a stack with listener attributes reads them once", async () => {
    const provider = world.newProvider({ material: TLS.material });
    const annotations = { 'alb.ingress.kubernetes.io/listener-attributes.HTTPS-443': 'routing.http.response.server.enabled=false' };
    await reconcile(provider, STACK, shop({ annotations }));
    world.fake.resetCalls();
    await reconcileChanges(
      provider,
      shop({ annotations, rules: [{ host: 'a.example.com', paths: [PATHS[0] as PathFixture, { path: '/v2', pathType: 'Prefix', service: 'api' }] }] }),
    );
    assert.deepEqual(readCalls().sort(), ['DescribeListenerAttributes', 'DescribeRules', 'DescribeRules']);
  });

  it('an attribute change reads that target group again, not the others', async () => {
    const provider = world.newProvider({ material: TLS.material });
    await reconcile(provider, STACK, shop());
    world.fake.resetCalls();
    const services = SERVICES.replace(
      'name: api\n',
      'name: api\n  annotations:\n    alb.ingress.kubernetes.io/target-group-attributes: "deregistration_delay.timeout_seconds=30"\n',
    );
    const plan = await reconcileChanges(provider, shop({}, services));
    assert.deepEqual(actionsOf(plan), ['ModifyTargetGroupAttributes']);
    assert.deepEqual(readCalls().sort(), ['DescribeTargetGroupAttributes', 'DescribeTargetGroups']);
    const described = world.fake.calls().find((call) => call.action === 'DescribeTargetGroups');
    assert.equal((described?.input as { TargetGroupArns: string[] }).TargetGroupArns.length, 1);
  });

  it('finds drift made behind its back only on a full observe, and repairs it', async () => {
    const provider = world.newProvider({ material: TLS.material });
    await reconcile(provider, STACK, shop());
    const lb = world.fake.state.loadBalancers()[0];
    const listener = world.fake.state.listeners(lb?.arn ?? '').find((candidate) => candidate.port === 80);
    const rule = world.fake.state.rules(listener?.arn ?? '')[0];
    await world.fake.dispatch('elbv2', 'ModifyRule', {
      RuleArn: rule?.arn,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/hijacked'] } }],
    });
    world.fake.resetCalls();
    assert.deepEqual(actionsOf(await reconcileChanges(provider, shop())), [], 'between resyncs nothing is read, so nothing is seen');
    assert.deepEqual(world.fake.calls(), []);

    const repaired = await reconcile(provider, STACK, shop());
    assert.ok(actionsOf(repaired.plan).length > 0, 'the full observe of a resync finds the changed rule');
    assert.deepEqual(actionsOf(await planNow(world.newProvider({ material: TLS.material }), STACK, shop())), []);
    assert.doesNotMatch(JSON.stringify(world.fake.state.rules(listener?.arn ?? '')), /hijacked/);
  });

  it('after a failed apply the next observe reads the whole stack', async () => {
    const provider = world.newProvider({ material: TLS.material });
    await reconcile(provider, STACK, shop());
    world.fake.failAfterMutations(0);
    const edited = shop({ rules: [{ host: 'a.example.com', paths: [PATHS[0] as PathFixture, { path: '/v2', pathType: 'Prefix', service: 'api' }] }] });
    const failed = await provider.apply(provider.diff(edited, await provider.observe({ id: STACK }, edited, { read: 'changes' })));
    assert.ok(failed.outcomes.some((outcome) => outcome.error?.includes('FakeCrash')));
    world.fake.failAfterMutations(undefined);
    assert.equal(provider.remembered(STACK), undefined);
    world.fake.resetCalls();
    await reconcileChanges(provider, edited);
    assert.ok(readCalls().includes('DescribeLoadBalancers') && readCalls().includes('DescribeTargetHealth'), 'a full observe');
    assert.deepEqual(actionsOf(await planNow(world.newProvider({ material: TLS.material }), STACK, edited)), []);
  });

  it("verifies shared certificates before letting go: another stack's use since is seen, and the certificate stays", async () => {
    const mine = world.newProvider({ material: TLS.material });
    await reconcile(mine, STACK, shop());
    const other = specOf(
      TLS.yaml +
        serviceYaml({ name: 'web' }) +
        ingressYaml({
          name: 'other',
          annotations: { ...TWO_LISTENERS, 'alb.ingress.kubernetes.io/group.name': 'other' },
          tls: [{ hosts: ['a.example.com'], secretName: 'shop-tls' }],
          rules: [{ host: 'a.example.com', paths: [PATHS[0] as PathFixture] }],
        }),
    );
    await reconcile(world.newProvider({ material: TLS.material }), other.stack.id, other);
    const before = world.fake.state.certificates().map((certificate) => certificate.arn);
    assert.equal(before.length, 1, 'the other stack shares the import');

    // This stack's memory predates the other stack's use; dropping TLS must not delete the certificate.
    const plain = specOf(SERVICES + ingressYaml({ name: 'shop', rules: [{ host: 'a.example.com', paths: PATHS }] }));
    world.fake.resetCalls();
    const plan = await reconcileChanges(mine, plain);
    assert.ok(
      world.fake.calls().some((call) => call.action === 'GetResources'),
      'the certificates are read again',
    );
    assert.ok(!actionsOf(plan).includes('DeleteCertificate'), actionsOf(plan).join(', '));
    assert.deepEqual(
      world.fake.state.certificates().map((certificate) => certificate.arn),
      before,
    );
  });
});
