/**
 * The AWS fake's test controls: the call log, unsupported actions, injected throttling, the
 * simulated crash after k mutating calls, AWS's token buckets on a manual clock, and page caps
 * that the SDK's own paginators follow.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ACMClient, ListCertificatesCommand, ThrottlingException } from '@aws-sdk/client-acm';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeAccountLimitsCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  paginateDescribeLoadBalancers,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { createAwsFake, FakeCrash, type AwsFake, type AwsFakeOptions } from '../../../fakes/aws/index.js';
import { seedDefaultNetwork, type DefaultNetwork } from '../../../fakes/aws/fixtures.js';

const elbv2 = new ElasticLoadBalancingV2Client({ region: 'us-east-1' });
let fake: AwsFake;
let net: DefaultNetwork;
let now = 0;

function start(options: AwsFakeOptions = {}): void {
  fake = createAwsFake({ clock: { now: () => now }, ...options });
  fake.install();
  net = seedDefaultNetwork(fake);
}

const createTargetGroup = (name: string) => elbv2.send(new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: 80, VpcId: net.vpcId }));
const createAlb = (name: string) => elbv2.send(new CreateLoadBalancerCommand({ Name: name, Subnets: net.publicSubnetIds }));
const describeGroups = () => elbv2.send(new DescribeTargetGroupsCommand({}));

/** Which of n calls were throttled, as a string of `.` (answered) and `T` (throttled). */
async function throttlePattern(n: number): Promise<string> {
  let pattern = '';
  for (let i = 0; i < n; i += 1)
    pattern += await describeGroups().then(
      () => '.',
      (error: unknown) => (error instanceof Error && error.name === 'Throttling' ? 'T' : '?'),
    );
  return pattern;
}

beforeEach(() => {
  now = 0;
  start();
});
afterEach(() => fake.restore());

describe('call log', () => {
  it('records every call with its outcome, counts by service:Action, and splits out mutating calls', async () => {
    await createTargetGroup('k8s-a');
    await createTargetGroup('-bad').catch(() => undefined);
    await describeGroups();
    assert.deepEqual(fake.callCounts(), { 'elbv2:CreateTargetGroup': 2, 'elbv2:DescribeTargetGroups': 1 });
    assert.deepEqual(
      fake.calls().map((call) => call.error),
      [undefined, 'ValidationError', undefined],
    );
    assert.deepEqual(
      fake.mutatingCalls().map((call) => call.action),
      ['CreateTargetGroup', 'CreateTargetGroup'],
    );
    assert.deepEqual((fake.calls()[0]?.input as { Name?: string }).Name, 'k8s-a');
    fake.resetCalls();
    assert.deepEqual(fake.calls(), []);
  });

  it('fails loudly on an action outside the fake surface', async () => {
    await assert.rejects(elbv2.send(new DescribeAccountLimitsCommand({})), {
      name: 'UnsupportedByFake',
      message: 'UnsupportedByFake: ELBv2.DescribeAccountLimits',
    });
    assert.equal(fake.calls()[0]?.error, 'UnsupportedByFake');
  });
});

describe('throttling injection', () => {
  it("throttles every n-th call with each service's own error and leaves state alone", async () => {
    fake.throttle({ everyNth: 2 });
    const first = await createTargetGroup('k8s-a');
    const second = await createTargetGroup('k8s-b').catch((caught: unknown) => caught);
    assert.ok(first.TargetGroups?.[0]);
    assert.ok(second instanceof Error);
    assert.equal(second.name, 'Throttling');
    assert.equal(second.message, 'Rate exceeded');
    assert.deepEqual((second as { $retryable?: unknown }).$retryable, { throttling: true });
    assert.deepEqual(
      fake.state.targetGroups().map((group) => group.name),
      ['k8s-a'],
    );
    const acm = new ACMClient({ region: 'us-east-1' });
    await acm.send(new ListCertificatesCommand({}));
    await assert.rejects(acm.send(new ListCertificatesCommand({})), ThrottlingException);
    fake.throttle({ everyNth: 1 });
    await assert.rejects(new EC2Client({ region: 'us-east-1' }).send(new DescribeSubnetsCommand({})), { name: 'RequestLimitExceeded' });
    fake.throttle(undefined);
    await describeGroups();
  });

  it('repeats the same random pattern for the same seed', async () => {
    fake.throttle({ probability: 0.5, seed: 7 });
    const first = await throttlePattern(20);
    fake.throttle({ probability: 0.5, seed: 7 });
    assert.equal(await throttlePattern(20), first);
    assert.match(first, /T/);
    assert.match(first, /\./);
  });
});

describe('failAfterMutations', () => {
  it('lets k mutating calls through, then crashes every mutating call without changing state', async () => {
    fake.failAfterMutations(2);
    await createTargetGroup('k8s-a');
    await describeGroups();
    await createTargetGroup('k8s-b');
    const crash = await createTargetGroup('k8s-c').catch((caught: unknown) => caught);
    assert.ok(crash instanceof FakeCrash);
    await assert.rejects(createAlb('k8s-web'), FakeCrash);
    assert.equal((await describeGroups()).TargetGroups?.length, 2);
    assert.deepEqual(fake.state.loadBalancers(), []);
    fake.failAfterMutations(undefined);
    await createTargetGroup('k8s-c');
  });
});

describe('token buckets', () => {
  it('allows 10 CreateLoadBalancer calls at once, then one per 5 s', async () => {
    fake.tokenBuckets(true);
    for (let i = 0; i < 10; i += 1) await createAlb(`k8s-${i}`);
    await assert.rejects(createAlb('k8s-10'), { name: 'Throttling' });
    now += 4_000;
    await assert.rejects(createAlb('k8s-10'), { name: 'Throttling' });
    now += 1_000;
    await createAlb('k8s-10');
  });

  it('shares 40 describes between actions and refills 10 per second', async () => {
    fake.tokenBuckets(true);
    assert.equal(await throttlePattern(40), '.'.repeat(40));
    await assert.rejects(elbv2.send(new DescribeLoadBalancersCommand({})), { name: 'Throttling' });
    now += 200;
    assert.equal(await throttlePattern(3), '..T');
    fake.tokenBuckets(false);
    assert.equal(await throttlePattern(3), '...');
  });
});

describe('paging', () => {
  it('caps pages so callers must follow markers, which the SDK paginator does', async () => {
    fake.restore();
    start({ maxPageSize: 2 });
    for (const name of ['k8s-a', 'k8s-b', 'k8s-c', 'k8s-d', 'k8s-e']) await createAlb(name);
    const first = await elbv2.send(new DescribeLoadBalancersCommand({}));
    assert.equal(first.LoadBalancers?.length, 2);
    assert.ok(first.NextMarker);
    const names: string[] = [];
    for await (const page of paginateDescribeLoadBalancers({ client: elbv2 }, {})) {
      names.push(...(page.LoadBalancers ?? []).map((lb) => lb.LoadBalancerName ?? ''));
    }
    assert.deepEqual(names, ['k8s-a', 'k8s-b', 'k8s-c', 'k8s-d', 'k8s-e']);
    await assert.rejects(elbv2.send(new DescribeTargetGroupsCommand({ Marker: first.NextMarker })), { name: 'ValidationError' });
  });
});
