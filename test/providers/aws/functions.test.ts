/**
 * Function target groups on the AWS provider, against the stateful fake (which models Lambda
 * permissions and enforces deploy/iam-policy.json): create, weight change, function change, delete
 * (our statement removed, the function untouched), unchanged resync with no mutating call, a crash
 * between any two calls converging on restart, a missing function, and the Lambda client left
 * unloaded for a stack without functions.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { FakeCrash } from '../../../fakes/aws/index.js';
import { ApiBudget } from '../../../providers/aws/sdk/budget.js';
import { createAwsClients } from '../../../providers/aws/sdk/clients.js';
import { AwsProvider } from '../../../providers/aws/provider.js';
import { CLUSTER_TAG, RESOURCE_TAG } from '../../../providers/aws/plan/tags.js';
import {
  actionsOf,
  type AwsWorld,
  createAwsWorld,
  deployedIamPolicy,
  ownedResources,
  planNow,
  reconcile,
  refusedCall,
  specOf,
} from '../../support/aws-provider-world.js';
import { ingressYaml, serviceYaml } from '../../support/cluster.js';

const STACK = 'default/shop';
const ELB = 'elasticloadbalancing.amazonaws.com';

function yaml(options: { name?: string; upload?: string; annotations?: Record<string, string> } = {}): string {
  const annotations = { 'alb.ingress.kubernetes.io/target-type': 'ip', ...options.annotations };
  return `${serviceYaml({ name: 'web' })}apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${options.name ?? 'shop'}
  namespace: default
  annotations:
${Object.entries(annotations)
  .map(([key, value]) => `    ${JSON.stringify(key)}: ${JSON.stringify(value)}`)
  .join('\n')}
spec:
  ingressClassName: ingress-bridge
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend: {service: {name: web, port: {number: 80}}}
      - path: /api/upload
        pathType: Prefix
        backend:
          resource: {apiGroup: lambda.ingress-bridge.io, kind: Function, name: ${options.upload ?? 'upload'}}
---
`;
}

let world: AwsWorld;
let uploadArn: string;
beforeEach(() => {
  world = createAwsWorld();
  // Functions this cluster may expose carry its cluster tag: the IAM policy allows AddPermission on no other.
  uploadArn = world.fake.seed.lambdaFunction({ name: 'upload', aliases: ['live'], tags: { [CLUSTER_TAG]: 'test' } });
  world.fake.seed.lambdaFunction({ name: 'thumbnails', tags: { [CLUSTER_TAG]: 'test' } });
  world.fake.seed.lambdaFunction({ name: 'untagged' });
});
afterEach(() => world.close());

function functionGroups(): ReturnType<AwsWorld['fake']['state']['targetGroups']> {
  return world.fake.state.targetGroups().filter((group) => group.targetType === 'lambda');
}

/** The forwards of every rule of the load balancer's listeners. */
function ruleForwards(): { arn: string; weight: number | undefined }[][] {
  const [lb] = world.fake.state.loadBalancers();
  return world.fake.state
    .listeners(lb?.arn ?? '')
    .flatMap((listener) =>
      world.fake.state
        .rules(listener.arn)
        .map((rule) =>
          rule.actions.flatMap(
            (action) => action.ForwardConfig?.TargetGroups?.map((group) => ({ arn: group.TargetGroupArn ?? '', weight: group.Weight })) ?? [],
          ),
        ),
    );
}

describe('AWS provider: function target groups', () => {
  it('creates a lambda target group, lets ELB invoke the function from it alone, registers it and forwards the path to it', async () => {
    const spec = specOf(yaml());
    const { plan } = await reconcile(world.newProvider(), STACK, spec);
    const order = actionsOf(plan);
    // The permission before the registration (ELB refuses a function it may not invoke), both before the rule.
    assert.ok(order.indexOf('CreateTargetGroup') < order.indexOf('AddPermission'));
    assert.ok(order.indexOf('AddPermission') < order.lastIndexOf('RegisterTargets'));
    assert.ok(order.lastIndexOf('RegisterTargets') < order.indexOf('CreateRule'));

    const [group] = functionGroups();
    assert.ok(group);
    assert.equal(group.name, spec.functionTargetGroups?.[0]?.name);
    assert.equal(group.healthCheck.enabled, false, 'health checks off, as the ALB defaults them for functions');
    assert.equal(world.fake.state.tagsOf(group.arn)[RESOURCE_TAG], 'TargetGroup/function:upload');
    assert.deepEqual(
      world.fake.state.targets(group.arn).map((target) => target.id),
      [uploadArn],
    );
    const statements = world.fake.state.functionPolicy('upload');
    assert.equal(statements.length, 1);
    assert.deepEqual(statements[0], {
      Sid: `ingress-bridge-${group.name}`,
      Effect: 'Allow',
      Principal: { Service: ELB },
      Action: 'lambda:InvokeFunction',
      Resource: uploadArn,
      Condition: { ArnLike: { 'AWS:SourceArn': group.arn } },
    });
    assert.ok(
      ruleForwards().some((forwards) => forwards.some((forward) => forward.arn === group.arn)),
      'a rule forwards to the function target group',
    );
    assert.deepEqual(world.fake.deniedCalls(), [], 'the IAM policy allows every call');
  });

  it('an unchanged resync and a restart make no mutating call, and never a second statement', async () => {
    const spec = specOf(yaml());
    const provider = world.newProvider();
    await reconcile(provider, STACK, spec);
    world.fake.resetCalls();
    const resync = await reconcile(provider, STACK, spec);
    assert.deepEqual(actionsOf(resync.plan), []);
    await reconcile(world.newProvider(), STACK, spec);
    assert.deepEqual(world.fake.mutatingCalls(), []);
    assert.equal(world.fake.state.functionPolicy('upload').length, 1);
    // Reads: the function and its policy, each once per full observe (both reconciles here are full).
    assert.equal(world.fake.callCounts()['lambda:GetPolicy'], 2);
  });

  it('multi-value headers are the target group attribute, changed in place', async () => {
    const provider = world.newProvider();
    await reconcile(provider, STACK, specOf(yaml()));
    const on = specOf(yaml({ annotations: { 'ingress-bridge.io/target-group-attributes': 'lambda.multi_value_headers.enabled=true' } }));
    const { plan } = await reconcile(provider, STACK, on);
    assert.deepEqual(actionsOf(plan), ['ModifyTargetGroupAttributes']);
    assert.equal(functionGroups()[0]?.attributes['lambda.multi_value_headers.enabled'], 'true');
    // A resync and a restart read the attribute: nothing to change.
    world.fake.resetCalls();
    assert.deepEqual(actionsOf((await reconcile(provider, STACK, on)).plan), []);
    assert.deepEqual(actionsOf((await reconcile(world.newProvider(), STACK, on)).plan), []);
    assert.deepEqual(world.fake.mutatingCalls(), []);
  });

  it('a weight change between a Service and a function touches only the rule', async () => {
    const provider = world.newProvider();
    const spec = specOf(yaml());
    await reconcile(provider, STACK, spec);
    const weighted = structuredClone(spec);
    const rule = weighted.listeners[0]?.rules.find((entry) => entry.origin.path === '/api/upload');
    assert.ok(rule);
    rule.actions = [
      {
        type: 'forward',
        targetGroups: [
          { targetGroupKey: 'function:upload', weight: 90 },
          { targetGroupKey: weighted.targetGroups[0]?.key ?? '', weight: 10 },
        ],
      },
    ];
    const { plan } = await reconcile(provider, STACK, weighted);
    assert.deepEqual(actionsOf(plan), ['ModifyRule']);
    const arn = functionGroups()[0]?.arn;
    assert.ok(ruleForwards().some((forwards) => forwards.some((forward) => forward.arn === arn && forward.weight === 90)));
  });

  it('a function change makes a new target group and statement first, then removes the old statement and group', async () => {
    const provider = world.newProvider();
    await reconcile(provider, STACK, specOf(yaml()));
    const [old] = functionGroups();
    const changed = specOf(yaml({ upload: 'thumbnails' }));
    const { plan } = await reconcile(provider, STACK, changed);
    const order = actionsOf(plan);
    assert.ok(order.indexOf('AddPermission') < order.indexOf('ModifyRule'));
    assert.ok(order.indexOf('ModifyRule') < order.indexOf('RemovePermission'));
    assert.ok(order.indexOf('RemovePermission') < order.indexOf('DeleteTargetGroup'));
    assert.deepEqual(world.fake.state.functionPolicy('upload'), [], 'our statement left the old function');
    assert.equal(world.fake.state.functionPolicy('thumbnails').length, 1);
    assert.deepEqual(
      functionGroups().map((group) => group.name),
      [changed.functionTargetGroups?.[0]?.name],
    );
    assert.notEqual(functionGroups()[0]?.arn, old?.arn);
  });

  it('an alias is registered by its qualified ARN and permitted on the alias', async () => {
    const provider = world.newProvider();
    await reconcile(provider, STACK, specOf(yaml({ annotations: { 'lambda.ingress-bridge.io/upload': 'upload:live' } })));
    const [group] = functionGroups();
    assert.deepEqual(
      world.fake.state.targets(group?.arn ?? '').map((target) => target.id),
      [`${uploadArn}:live`],
    );
    assert.equal(world.fake.state.functionPolicy('upload', 'live').length, 1);
    assert.deepEqual(world.fake.state.functionPolicy('upload'), []);
  });

  it('delete removes our statement and the target group, leaves the function and statements of others', async () => {
    const provider = world.newProvider();
    await reconcile(provider, STACK, specOf(yaml()));
    // Someone else's statement on the same function: never ours to touch. Our role could not even add it.
    const foreign = { FunctionName: 'upload', StatementId: 'someone-else', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com' };
    const denied = await refusedCall(world.fake, () => world.fake.dispatch('lambda', 'AddPermission', foreign), 'AccessDeniedException');
    assert.equal(denied.iamAction, 'lambda:AddPermission');
    world.fake.useIamPolicy(undefined);
    await world.fake.dispatch('lambda', 'AddPermission', foreign);
    world.fake.useIamPolicy(deployedIamPolicy());
    await provider.delete({ id: STACK });
    assert.deepEqual(ownedResources(world.fake), []);
    assert.deepEqual(
      world.fake.state.functionPolicy('upload').map((statement) => statement.Sid),
      ['someone-else'],
    );
  });

  it('a crash before any mutating call, then a restart, converges with nothing leaked or duplicated', async () => {
    const spec = specOf(yaml({ upload: 'thumbnails' }));
    // How many mutating calls a clean run makes.
    await reconcile(world.newProvider(), STACK, spec);
    const total = world.fake.mutatingCalls().length;
    await world.newProvider().delete({ id: STACK });
    assert.deepEqual(world.fake.state.functionPolicy('thumbnails'), []);
    for (let k = 0; k < total; k += 1) {
      world.fake.failAfterMutations(k);
      const crashed = world.newProvider();
      const plan = await planNow(crashed, STACK, spec);
      const result = await crashed.apply(plan);
      assert.ok(result.outcomes.some((outcome) => outcome.error?.includes(FakeCrash.name) ?? false) || k >= plan.operations.length, `crash after ${k}`);
      world.fake.failAfterMutations(undefined);
      await reconcile(world.newProvider(), STACK, spec);
      const again = await planNow(world.newProvider(), STACK, spec);
      assert.deepEqual(actionsOf(again), [], `converged after a crash after ${k} mutating calls`);
      assert.equal(functionGroups().length, 1, `one function target group after a crash after ${k}`);
      assert.equal(world.fake.state.functionPolicy('thumbnails').length, 1, `one statement after a crash after ${k}`);
      // Tear down, crashing the delete at the same point, then finish it.
      world.fake.failAfterMutations(k);
      await world.newProvider().apply(await planNow(world.newProvider(), STACK, undefined));
      world.fake.failAfterMutations(undefined);
      await world.newProvider().delete({ id: STACK });
      assert.deepEqual(ownedResources(world.fake), [], `nothing left after a crashed delete at ${k}`);
      assert.deepEqual(world.fake.state.functionPolicy('thumbnails'), [], `no statement left after a crashed delete at ${k}`);
    }
  });

  it('a function that does not exist costs its own path: 503 there, an error on the Ingress, the rest of the stack applied', async () => {
    const provider = world.newProvider();
    const spec = specOf(yaml({ upload: 'missing' }));
    const { plan, result } = await reconcile(provider, STACK, spec);
    assert.equal(actionsOf(plan).includes('AddPermission'), false);
    assert.deepEqual(functionGroups(), []);
    const errors = result.diagnostics.filter((entry) => entry.severity === 'error');
    assert.deepEqual(
      errors.map((entry) => [entry.object.name, entry.field]),
      [['shop', 'spec.rules[].http.paths[].backend.resource']],
    );
    assert.match(
      errors[0]?.message ?? '',
      /^path shop\.example\.com\/api\/upload: Lambda function missing does not exist in this account and region: requests .* get 503/,
    );
    const [lb] = world.fake.state.loadBalancers();
    const rules = world.fake.state.listeners(lb?.arn ?? '').flatMap((listener) => world.fake.state.rules(listener.arn));
    const actions = rules.flatMap((rule) => rule.actions.map((action) => action.Type));
    assert.deepEqual([...actions].sort(), ['fixed-response', 'forward'], 'the Service path forwards, the function path answers 503');
    assert.ok(rules.some((rule) => rule.actions.some((action) => action.FixedResponseConfig?.StatusCode === '503')));
    // Once the function exists, the next reconcile serves it.
    world.fake.seed.lambdaFunction({ name: 'missing', tags: { [CLUSTER_TAG]: 'test' } });
    const next = await reconcile(provider, STACK, spec);
    assert.deepEqual(next.result.diagnostics, []);
    assert.equal(functionGroups().length, 1);
  });

  it('a function not tagged for this cluster costs its own path: no AddPermission tried, 503 there, the rest of the group applied', async () => {
    // One group, two Ingresses: one names the untagged function, the other a Service and a tagged function.
    const ingress = (name: string, host: string, paths: string): string => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: default
  annotations: {alb.ingress.kubernetes.io/target-type: ip, alb.ingress.kubernetes.io/group.name: shop}
spec:
  ingressClassName: ingress-bridge
  rules:
  - host: ${host}
    http:
      paths:
${paths}
---
`;
    const fn = (path: string, name: string): string =>
      `      - {path: ${path}, pathType: Prefix, backend: {resource: {apiGroup: lambda.ingress-bridge.io, kind: Function, name: ${name}}}}\n`;
    const spec = specOf(
      serviceYaml({ name: 'web' }) +
        ingress('exposer', 'a.example.com', fn('/api/upload', 'untagged')) +
        ingress(
          'store',
          'b.example.com',
          `      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}\n${fn('/thumbs', 'thumbnails')}`,
        ),
    );
    const provider = world.newProvider();
    const { plan, result } = await reconcile(provider, spec.stack.id, spec);
    assert.deepEqual(
      plan.operations.filter((operation) => operation.action === 'AddPermission').map((operation) => operation.detail?.input.FunctionName),
      ['thumbnails'],
      'no AddPermission for the untagged function: the IAM policy would refuse it',
    );
    assert.deepEqual(world.fake.deniedCalls(), []);
    assert.deepEqual(world.fake.state.functionPolicy('untagged'), []);
    const errors = result.diagnostics.filter((entry) => entry.severity === 'error');
    assert.deepEqual(
      errors.map((entry) => [entry.object.name, entry.field]),
      [['exposer', 'spec.rules[].http.paths[].backend.resource']],
    );
    assert.match(
      errors[0]?.message ?? '',
      /^path a\.example\.com\/api\/upload: Lambda function untagged is not tagged ingress-bridge\.io\/cluster=test.*aws lambda tag-resource --resource arn:aws:lambda:[^ ]+:function:untagged --tags ingress-bridge\.io\/cluster=test.*get 503 until it is tagged$/,
    );
    // The other Ingress is served: its Service and its tagged function forward, the untagged path answers 503.
    const [lb] = world.fake.state.loadBalancers();
    const rules = world.fake.state.listeners(lb?.arn ?? '').flatMap((listener) => world.fake.state.rules(listener.arn));
    const thumbnails = functionGroups().find((group) => world.fake.state.targets(group.arn).some((target) => target.id.endsWith(':thumbnails')));
    assert.ok(thumbnails, 'the tagged function has its target group and target');
    assert.deepEqual(
      functionGroups().map((group) => group.arn),
      [thumbnails.arn],
    );
    const forwardsTo = new Set(
      rules.flatMap((rule) => rule.actions.flatMap((action) => action.ForwardConfig?.TargetGroups?.map((group) => group.TargetGroupArn) ?? [])),
    );
    assert.ok(forwardsTo.has(thumbnails.arn));
    assert.ok(forwardsTo.has(world.fake.state.targetGroups().find((group) => group.targetType === 'ip')?.arn), 'the Service path forwards');
    const untaggedRule = rules.find((rule) => JSON.stringify(rule.conditions).includes('/api/upload'));
    assert.equal(untaggedRule?.actions[0]?.FixedResponseConfig?.StatusCode, '503');

    // The fence holds: our role still cannot add a statement to the untagged function itself.
    const elbInvokes = { FunctionName: 'untagged', StatementId: 'ingress-bridge-try', Action: 'lambda:InvokeFunction', Principal: ELB };
    const denied = await refusedCall(world.fake, () => world.fake.dispatch('lambda', 'AddPermission', elbInvokes), 'AccessDeniedException');
    assert.equal(denied.iamAction, 'lambda:AddPermission');

    // Once its owner tags it for this cluster, the next reconcile serves it.
    world.fake.seed.lambdaFunction({ name: 'untagged', tags: { [CLUSTER_TAG]: 'test' } });
    const next = await reconcile(provider, spec.stack.id, spec);
    assert.deepEqual(next.result.diagnostics, []);
    assert.equal(world.fake.state.functionPolicy('untagged').length, 1);
  });

  it('a function tagged for another cluster after it was served: its target group goes, our statement stays (the fence refuses RemovePermission), nothing fails', async () => {
    const provider = world.newProvider();
    const spec = specOf(yaml());
    await reconcile(provider, STACK, spec);
    const [statement] = world.fake.state.functionPolicy('upload');
    assert.ok(statement);
    // Its owner gives it to another cluster (the fake seeds the function again so tagged, then our statement as it was).
    world.fake.seed.lambdaFunction({ name: 'upload', aliases: ['live'], tags: { [CLUSTER_TAG]: 'other' } });
    world.fake.useIamPolicy(undefined);
    await world.fake.dispatch('lambda', 'AddPermission', {
      FunctionName: 'upload',
      StatementId: statement.Sid,
      Action: 'lambda:InvokeFunction',
      Principal: ELB,
      SourceArn: statement.Condition?.ArnLike?.['AWS:SourceArn'],
    });
    world.fake.useIamPolicy(deployedIamPolicy());
    const { plan, result } = await reconcile(provider, STACK, spec);
    assert.equal(actionsOf(plan).includes('RemovePermission'), false);
    assert.deepEqual(world.fake.deniedCalls(), []);
    assert.deepEqual(functionGroups(), []);
    assert.deepEqual(
      world.fake.state.functionPolicy('upload').map((entry) => entry.Sid),
      [statement.Sid],
    );
    assert.match(result.diagnostics.find((entry) => entry.severity === 'error')?.message ?? '', /is not tagged/);
  });

  it('a stack without functions never loads the Lambda client', async () => {
    const clients = createAwsClients({ region: 'us-east-1', budget: new ApiBudget(), credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const provider = new AwsProvider({ clusterName: 'test', certificates: { get: () => undefined }, clients, retry: { sleep: async () => {} } });
    const spec = specOf(
      serviceYaml({ name: 'web' }) +
        ingressYaml({
          name: 'shop',
          annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip' },
          rules: [{ paths: [{ path: '/', pathType: 'Prefix', service: 'web' }] }],
        }),
    );
    assert.equal(spec.functionTargetGroups, undefined);
    await reconcile(provider, STACK, spec);
    await reconcile(provider, STACK, spec);
    await provider.delete({ id: STACK });
    assert.equal(clients.lambda.loaded(), undefined);
    await reconcile(provider, 'default/other', specOf(yaml({ name: 'other' })));
    assert.ok(clients.lambda.loaded(), 'and a stack with one does');
  });
});
