/**
 * What the AWS provider remembers of Lambda between full observes (observe/function-memory.ts): a
 * servable function is read on a full observe only, and between them answered from memory written
 * through from our own AddPermission and RemovePermission; a function last seen missing or untagged
 * is read on every observe, so it is served on the reconcile after its owner fixes it; drift in a
 * function's policy is found and repaired on the next full observe; a failed Lambda call leaves
 * nothing half-remembered. Against the stateful fake, counting its Lambda calls.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { LoadBalancerSpec } from '../../../src/model.js';
import { answers, type RememberedFunction, writeFunctionCall } from '../../../providers/aws/observe/function-memory.js';
import type { FunctionRead } from '../../../providers/aws/observe/functions.js';
import type { AwsPlan } from '../../../providers/aws/plan/aws-plan.js';
import { CLUSTER_TAG } from '../../../providers/aws/plan/tags.js';
import type { AwsProvider } from '../../../providers/aws/provider.js';
import { actionsOf, type AwsWorld, createAwsWorld, deployedIamPolicy, planNow, reconcile, specOf } from '../../support/aws-provider-world.js';
import { serviceYaml } from '../../support/cluster.js';

const STACK = 'default/shop';
const ELB = 'elasticloadbalancing.amazonaws.com';

/** The Ingress `shop`: `/` to the Service `web`, and one path per function reference name. */
function shop(functions: Record<string, string> = { '/api/upload': 'upload' }, annotations: Record<string, string> = {}): LoadBalancerSpec {
  const paths = Object.entries(functions).map(
    ([path, name]) => `      - {path: ${path}, pathType: Prefix, backend: {resource: {apiGroup: lambda.ingress-bridge.io, kind: Function, name: ${name}}}}\n`,
  );
  return specOf(`${serviceYaml({ name: 'web' })}apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  namespace: default
  annotations: ${JSON.stringify({ 'alb.ingress.kubernetes.io/target-type': 'ip', ...annotations })}
spec:
  ingressClassName: ingress-bridge
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
${paths.join('')}---
`);
}

let world: AwsWorld;
beforeEach(() => {
  world = createAwsWorld();
  world.fake.seed.lambdaFunction({ name: 'upload', aliases: ['live'], tags: { [CLUSTER_TAG]: 'test' } });
  world.fake.seed.lambdaFunction({ name: 'thumbnails', tags: { [CLUSTER_TAG]: 'test' } });
  world.fake.seed.lambdaFunction({ name: 'untagged' });
});
afterEach(() => world.close());

/** One reconcile as the controller runs it between resyncs; fails the test on any failed operation. */
async function reconcileChanges(provider: AwsProvider, spec: LoadBalancerSpec): Promise<{ plan: AwsPlan; errors: string[] }> {
  const plan = provider.diff(spec, await provider.observe({ id: STACK }, spec, { read: 'changes' }));
  const result = await provider.apply(plan);
  assert.deepEqual(
    result.outcomes.filter((outcome) => outcome.error !== undefined).map((outcome) => `${outcome.operation.action}: ${outcome.error}`),
    [],
  );
  return { plan, errors: result.diagnostics.filter((entry) => entry.severity === 'error').map((entry) => entry.message) };
}

/** The Lambda calls the fake received since the last reset, as `Action FunctionName`. */
function lambdaCalls(): string[] {
  return world.fake
    .calls()
    .filter((call) => call.service === 'lambda')
    .map((call) => {
      const input = call.input as { FunctionName?: string; Resource?: string };
      return `${call.action} ${input.FunctionName ?? input.Resource?.split(':').at(-1) ?? ''}`;
    })
    .sort();
}

/** The deployed IAM policy without one of its statements. */
function policyWithout(sid: string): unknown {
  const policy = deployedIamPolicy() as { Statement: { Sid?: string }[] };
  return { ...policy, Statement: policy.Statement.filter((statement) => statement.Sid !== sid) };
}

describe('AWS provider: what it remembers of functions', () => {
  it('a full observe reads each function; an unchanged reconcile between resyncs makes no call at all', async () => {
    const provider = world.newProvider();
    await reconcile(provider, STACK, shop());
    world.fake.resetCalls();
    const full = await reconcile(provider, STACK, shop());
    assert.deepEqual(actionsOf(full.plan), []);
    assert.deepEqual(lambdaCalls(), ['GetFunctionConfiguration upload', 'GetPolicy upload', 'ListTags upload']);

    world.fake.resetCalls();
    const between = await reconcileChanges(provider, shop());
    assert.deepEqual(actionsOf(between.plan), []);
    assert.deepEqual(between.errors, []);
    assert.deepEqual(world.fake.calls(), [], 'no Lambda call, and no other call either');
  });

  it('our own permission calls are written through: each change plans as a full observe would, and a reconcile after it reads nothing', async () => {
    const provider = world.newProvider();
    await reconcile(provider, STACK, shop());
    const steps: [string, LoadBalancerSpec][] = [
      ['a second function', shop({ '/api/upload': 'upload', '/thumbs': 'thumbnails' })],
      [
        'multi-value headers',
        shop({ '/api/upload': 'upload', '/thumbs': 'thumbnails' }, { 'ingress-bridge.io/target-group-attributes': 'lambda.multi_value_headers.enabled=true' }),
      ],
      ['an alias instead of the function', shop({ '/api/upload': 'upload' }, { 'lambda.ingress-bridge.io/upload': 'upload:live' })],
      ['a path to another function', shop({ '/api/upload': 'thumbnails' })],
      ['back to the start', shop()],
      ['no function at all', shop({})],
      ['a function again', shop()],
    ];
    for (const [what, spec] of steps) {
      const fresh = await planNow(world.newProvider(), STACK, spec);
      const { plan } = await reconcileChanges(provider, spec);
      assert.deepEqual(
        plan.operations.map((operation) => [operation.action, operation.resource]).sort(),
        fresh.operations.map((operation) => [operation.action, operation.resource]).sort(),
        `${what}: planned from memory as from a full observe`,
      );
      assert.ok(plan.operations.length > 0, `${what}: a change`);
      world.fake.resetCalls();
      assert.deepEqual(actionsOf((await reconcileChanges(provider, spec)).plan), [], `${what}: converged`);
      assert.deepEqual(lambdaCalls(), [], `${what}: the next reconcile asks Lambda nothing`);
      assert.deepEqual(actionsOf(await planNow(world.newProvider(), STACK, spec)), [], `${what}: a full observe agrees`);
    }
    const statements = (name: string, qualifier?: string): number => world.fake.state.functionPolicy(name, qualifier).length;
    assert.deepEqual([statements('upload'), statements('upload', 'live'), statements('thumbnails')], [1, 0, 0], 'only the served statement is left');
  });

  it('a function not tagged for this cluster is read on every reconcile, and served on the one after its owner tags it', async () => {
    const provider = world.newProvider();
    const spec = shop({ '/api/upload': 'untagged', '/thumbs': 'thumbnails' });
    await reconcile(provider, STACK, spec);
    world.fake.resetCalls();
    const waiting = await reconcileChanges(provider, spec);
    assert.deepEqual(actionsOf(waiting.plan), []);
    assert.match(waiting.errors.join('\n'), /Lambda function untagged is not tagged/);
    assert.deepEqual(lambdaCalls(), ['GetFunctionConfiguration untagged', 'ListTags untagged'], 'the untagged one is read again, the servable one is not');

    world.fake.seed.lambdaFunction({ name: 'untagged', tags: { [CLUSTER_TAG]: 'test' } });
    world.fake.resetCalls();
    const served = await reconcileChanges(provider, spec);
    assert.deepEqual(served.errors, []);
    assert.ok(actionsOf(served.plan).includes('AddPermission'));
    assert.equal(world.fake.state.functionPolicy('untagged').length, 1);
    assert.deepEqual(world.fake.deniedCalls(), []);

    world.fake.resetCalls();
    assert.deepEqual(actionsOf((await reconcileChanges(provider, spec)).plan), []);
    assert.deepEqual(lambdaCalls(), [], 'served now: remembered until the next full observe');
  });

  it('a function that does not exist is read on every reconcile, and served on the one after it appears', async () => {
    const provider = world.newProvider();
    const spec = shop({ '/api/upload': 'later' });
    await reconcile(provider, STACK, spec);
    world.fake.resetCalls();
    assert.match((await reconcileChanges(provider, spec)).errors.join('\n'), /Lambda function later does not exist/);
    assert.deepEqual(lambdaCalls(), ['GetFunctionConfiguration later']);
    world.fake.seed.lambdaFunction({ name: 'later', tags: { [CLUSTER_TAG]: 'test' } });
    assert.deepEqual((await reconcileChanges(provider, spec)).errors, []);
    assert.equal(world.fake.state.functionPolicy('later').length, 1);
  });

  it('drift — our statement removed behind its back — is not seen between resyncs, and is repaired by the next full observe', async () => {
    const provider = world.newProvider();
    await reconcile(provider, STACK, shop());
    const [statement] = world.fake.state.functionPolicy('upload');
    assert.ok(statement);
    world.fake.useIamPolicy(undefined);
    await world.fake.dispatch('lambda', 'RemovePermission', { FunctionName: 'upload', StatementId: statement.Sid });
    world.fake.useIamPolicy(deployedIamPolicy());
    world.fake.resetCalls();
    assert.deepEqual(actionsOf((await reconcileChanges(provider, shop())).plan), [], 'between resyncs nothing is read, so nothing is seen');
    assert.deepEqual(world.fake.calls(), []);

    const repaired = await reconcile(provider, STACK, shop());
    assert.deepEqual(actionsOf(repaired.plan), ['AddPermission']);
    assert.deepEqual(world.fake.state.functionPolicy('upload'), [statement], 'the same statement, for the same target group');
    world.fake.resetCalls();
    assert.deepEqual(actionsOf((await reconcileChanges(provider, shop())).plan), []);
    assert.deepEqual(lambdaCalls(), [], 'the repair was written through');
  });

  it('a failed AddPermission drops the memory: the next reconcile reads the functions again and converges', async () => {
    const provider = world.newProvider();
    await reconcile(provider, STACK, shop());
    const both = shop({ '/api/upload': 'upload', '/thumbs': 'thumbnails' });
    world.fake.useIamPolicy(policyWithout('LetLoadBalancersInvokeFunctions'));
    const failed = await provider.apply(provider.diff(both, await provider.observe({ id: STACK }, both, { read: 'changes' })));
    assert.match(failed.outcomes.find((outcome) => outcome.error !== undefined)?.error ?? '', /AccessDenied/);
    assert.equal(failed.outcomes.find((outcome) => outcome.error !== undefined)?.operation.action, 'AddPermission');
    world.fake.useIamPolicy(deployedIamPolicy());
    assert.equal(provider.remembered(STACK), undefined);

    world.fake.resetCalls();
    const { plan, errors } = await reconcileChanges(provider, both);
    assert.deepEqual(errors, []);
    assert.ok(actionsOf(plan).includes('AddPermission'));
    assert.deepEqual(
      lambdaCalls().filter((call) => call.startsWith('Get')),
      ['GetFunctionConfiguration thumbnails', 'GetFunctionConfiguration upload', 'GetPolicy thumbnails', 'GetPolicy upload'],
      'a full observe: both functions read',
    );
    assert.deepEqual(actionsOf(await planNow(world.newProvider(), STACK, both)), []);
  });

  it('a Lambda read that fails leaves nothing remembered of the function: the next reconcile between resyncs reads it', async () => {
    const provider = world.newProvider();
    await reconcile(provider, STACK, shop());
    world.fake.useIamPolicy(policyWithout('ReadFunctionsOfTargetGroups'));
    await assert.rejects(provider.observe({ id: STACK }, shop()), (error: unknown) => error instanceof Error && error.name === 'AccessDeniedException');
    world.fake.useIamPolicy(deployedIamPolicy());

    world.fake.resetCalls();
    const { plan, errors } = await reconcileChanges(provider, shop());
    assert.deepEqual(actionsOf(plan), []);
    assert.deepEqual(errors, []);
    assert.deepEqual(lambdaCalls(), ['GetFunctionConfiguration upload', 'GetPolicy upload', 'ListTags upload']);
    assert.deepEqual(world.fake.mutatingCalls(), []);
  });
});

describe('function memory: when a remembered answer stands', () => {
  const read: FunctionRead = { key: 'function:upload', ref: { name: 'upload' }, statementId: 'ingress-bridge-k8s-fn-upload-1', wanted: true };
  const servable: RememberedFunction = {
    read,
    observed: { exists: true, arn: 'arn:aws:lambda:us-east-1:1:function:upload', statement: { sid: read.statementId, sourceArn: 'tg-1' } },
  };
  const cases: [string, RememberedFunction | undefined, FunctionRead, boolean][] = [
    ['a servable function, asked again', servable, read, true],
    ['nothing remembered', undefined, read, false],
    ['missing', { read, observed: { exists: false, problem: 'gone' } }, read, false],
    ['untagged', { read, observed: { ...servable.observed, tagged: false } }, read, false],
    ['no ARN for a spec that names it', { read, observed: { exists: true } }, read, false],
    ['another function for the key', servable, { ...read, ref: { name: 'upload', qualifier: 'live' } }, false],
    ['another target group (statement id)', servable, { ...read, statementId: 'ingress-bridge-k8s-fn-upload-2' }, false],
    ['a leftover group read, now named by the spec', { read: { ...read, wanted: false }, observed: { exists: true } }, read, false],
    ['a wanted read, now for a leftover group', servable, { ...read, wanted: false }, true],
  ];
  for (const [what, remembered, asked, expected] of cases) {
    it(`${what}: ${expected ? 'answered from memory' : 'read'}`, () => {
      assert.equal(answers(remembered, asked), expected);
    });
  }

  it('writes our AddPermission and RemovePermission through to the function they name; another function under the statement id is dropped', () => {
    const remembered = new Map([[read.key, structuredClone(servable)]]);
    const target = { FunctionName: 'upload', StatementId: read.statementId };
    assert.equal(writeFunctionCall(remembered, 'RemovePermission', target), true);
    assert.equal(remembered.get(read.key)?.observed.statement, undefined);
    assert.equal(writeFunctionCall(remembered, 'AddPermission', { ...target, Action: 'lambda:InvokeFunction', Principal: ELB, SourceArn: 'tg-2' }), true);
    assert.deepEqual(remembered.get(read.key)?.observed.statement, { sid: read.statementId, sourceArn: 'tg-2' });
    assert.equal(writeFunctionCall(remembered, 'AddPermission', { ...target, Qualifier: 'live', SourceArn: 'tg-3' }), true);
    assert.deepEqual([...remembered.keys()], [], 'the call named another function than the one remembered: asked again next time');
    assert.equal(writeFunctionCall(remembered, 'UpdateFunctionCode', {}), false, 'a call it cannot mirror');
  });
});
